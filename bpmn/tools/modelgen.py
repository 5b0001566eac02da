# ruff: noqa: E501  -- the DMN template and diagram strings read better unwrapped
"""Draw the process models: a small DSL that writes BPMN 2.0 XML with diagram layout.

The .bpmn files it writes are the source the engine deploys and a modeller opens; this script
is how they were first drawn, and a quick way to redraw them after a structural change:
    python -m bpmn.tools.modelgen
"""
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

OUT = Path(__file__).resolve().parent.parent / "processes"
SIZES = {"task": (100, 80), "event": (36, 36), "gateway": (50, 50)}
COL_W, ROW_H, LEFT, LANE_PAD = 150, 110, 200, 20


@dataclass
class Node:
    id: str
    kind: str  # startEvent endEvent userTask scriptTask businessRuleTask callActivity subProcess ...
    name: str = ""
    lane: str | None = None
    body: str = ""
    attrs: dict = field(default_factory=dict)
    host: str | None = None  # for boundary events
    children: "Container | None" = None

    @property
    def shape(self) -> str:
        if self.kind.endswith("Event"):
            return "event"
        if self.kind.endswith("Gateway"):
            return "gateway"
        return "task"


@dataclass
class Flow:
    id: str
    source: str
    target: str
    condition: str | None = None
    name: str = ""
    back: bool = False


class Container:
    def __init__(self, lanes: list[str] | None = None):
        self.lanes = lanes or []
        self.nodes: dict[str, Node] = {}
        self.flows: list[Flow] = []
        self._lane = self.lanes[0] if self.lanes else None

    def add(self, kind, id, name="", lane=None, body="", **attrs) -> str:
        lane = lane or self._lane
        self._lane = lane
        self.nodes[id] = Node(id, kind, name, lane, body, attrs)
        return id

    def start(self, id="start", name="开始 Start"):
        return self.add("startEvent", id, name)

    def end(self, id, name, lane=None):
        return self.add("endEvent", id, name, lane)

    def user(self, id, name, lane, multi=None):
        body = _multi(multi) if multi else ""
        return self.add("userTask", id, name, lane, body)

    def script(self, id, name, script, lane=None):
        return self.add("scriptTask", id, name, lane, f"<bpmn:script>{escape(script)}</bpmn:script>",
                        scriptFormat="python")

    def rule(self, id, name, decision, lane=None):
        body = ("<bpmn:extensionElements><spiffworkflow:calledDecisionId>"
                f"{decision}</spiffworkflow:calledDecisionId></bpmn:extensionElements>")
        return self.add("businessRuleTask", id, name, lane, body)

    def call(self, id, name, process, lane=None, multi=None):
        return self.add("callActivity", id, name, lane, _multi(multi) if multi else "", calledElement=process)

    def xor(self, id, name="", lane=None):
        return self.add("exclusiveGateway", id, name, lane)

    def par(self, id, name="", lane=None):
        return self.add("parallelGateway", id, name, lane)

    def timer(self, id, name, host, expression):
        node = Node(id, "boundaryEvent", name, self.nodes[host].lane,
                    "<bpmn:timerEventDefinition><bpmn:timeDate xsi:type=\"bpmn:tFormalExpression\">"
                    f"{escape(expression)}</bpmn:timeDate></bpmn:timerEventDefinition>",
                    {"attachedToRef": host, "cancelActivity": "true"}, host=host)
        self.nodes[id] = node
        return id

    def message_catch(self, id, name, message, variable, lane=None):
        return self.add("intermediateCatchEvent", id, name, lane,
                        f'<bpmn:messageEventDefinition messageRef="{message}">'
                        "<bpmn:extensionElements><spiffworkflow:messageVariable>"
                        f"{variable}</spiffworkflow:messageVariable></bpmn:extensionElements>"
                        "</bpmn:messageEventDefinition>")

    def sub(self, id, name, loop: str, lane=None) -> "Container":
        self.add("subProcess", id, name, lane, loop)
        inner = Container()
        inner._lane = self.nodes[id].lane
        self.nodes[id].children = inner
        return inner

    def flow(self, *ids, condition=None, name="", back=False):
        for source, target in zip(ids, ids[1:], strict=False):
            fid = f"flow_{source}_{target}"
            self.flows.append(Flow(fid, source, target, condition, name, back))

    # -- layout ---------------------------------------------------------------------------

    def layout(self, x0: int, y0: int) -> tuple[dict, dict, int, int]:
        cols = self._columns()
        lanes = self.lanes or [None]
        slots: dict[tuple, int] = {}
        rows: dict[str, int] = {}
        for nid in sorted(self.nodes, key=lambda n: (cols[n], list(self.nodes).index(n))):
            node = self.nodes[nid]
            if node.host:
                continue
            key = (node.lane if self.lanes else None, cols[nid])
            rows[nid] = slots.get(key, 0)
            slots[key] = rows[nid] + 1
        lane_rows = {lane: max([r + 1 for (ln, _), r in slots.items() if ln == lane] or [1]) for lane in lanes}
        lane_y, y = {}, y0
        for lane in lanes:
            lane_y[lane] = y
            y += lane_rows[lane] * ROW_H + 2 * LANE_PAD
        width = (max(cols.values()) + 1) * COL_W + 60
        bounds = {}
        for nid, node in self.nodes.items():
            if node.host:
                continue
            w, h = SIZES[node.shape]
            cx = x0 + 60 + cols[nid] * COL_W + 50
            cy = lane_y[node.lane if self.lanes else None] + LANE_PAD + rows[nid] * ROW_H + 40
            bounds[nid] = (cx - w // 2, cy - h // 2, w, h)
        for nid, node in self.nodes.items():
            if node.host:
                hx, hy, hw, hh = bounds[node.host]
                bounds[nid] = (hx + hw - 40, hy + hh - 18, 36, 36)
        lane_bounds = {lane: (lane_y[lane], lane_rows[lane] * ROW_H + 2 * LANE_PAD) for lane in lanes}
        return bounds, lane_bounds, width, y - y0

    def _columns(self) -> dict[str, int]:
        cols = {nid: 0 for nid in self.nodes}
        for node in self.nodes.values():
            if node.host:
                cols[node.id] = None
        forward = [f for f in self.flows if not f.back]
        for _ in range(len(self.nodes) + 1):
            changed = False
            for node in self.nodes.values():
                if node.host:
                    cols[node.id] = cols[node.host]
            for flow in forward:
                want = cols[flow.source] + 1
                if cols[flow.target] < want:
                    cols[flow.target] = want
                    changed = True
            if not changed:
                break
        return cols


def _multi(spec: tuple[str, str]) -> str:
    collection, element = spec
    return ('<bpmn:multiInstanceLoopCharacteristics>'
            f'<bpmn:loopDataInputRef>{collection}</bpmn:loopDataInputRef>'
            f'<bpmn:inputDataItem id="{element}" name="{element}" />'
            '</bpmn:multiInstanceLoopCharacteristics>')


def standard_loop(maximum: int, condition: str) -> str:
    return (f'<bpmn:standardLoopCharacteristics testBefore="false" loopMaximum="{maximum}">'
            f'<bpmn:loopCondition xsi:type="bpmn:tFormalExpression">{escape(condition)}</bpmn:loopCondition>'
            '</bpmn:standardLoopCharacteristics>')


# --- XML ---------------------------------------------------------------------------------


def _node_xml(node: Node, container: Container) -> str:
    attrs = " ".join(f"{k}={quoteattr(str(v))}" for k, v in node.attrs.items())
    default = [f for f in container.flows if f.source == node.id and f.condition == "default"]
    if default:
        attrs += f' default="{default[0].id}"'
    inner = node.body
    if node.children is not None:
        loop, node.body = node.body, ""
        inner = loop + _container_xml(node.children)
    return f'<bpmn:{node.kind} id="{node.id}" name={quoteattr(node.name)} {attrs}>{inner}</bpmn:{node.kind}>'


def _flow_xml(flow: Flow) -> str:
    cond = ""
    if flow.condition and flow.condition != "default":
        cond = (f'<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">{escape(flow.condition)}'
                "</bpmn:conditionExpression>")
    return (f'<bpmn:sequenceFlow id="{flow.id}" name={quoteattr(flow.name)} sourceRef="{flow.source}" '
            f'targetRef="{flow.target}">{cond}</bpmn:sequenceFlow>')


def _container_xml(container: Container) -> str:
    parts = [_node_xml(n, container) for n in container.nodes.values()]
    parts += [_flow_xml(f) for f in container.flows]
    return "\n".join(parts)


def _lane_members(container: Container, lane: str) -> list[str]:
    found = []
    for node in container.nodes.values():
        # Spiff gives every task inside a subprocess the subprocess's own lane when it has
        # one, so an embedded subprocess stays out of the lanes and its tasks carry theirs.
        if node.lane == lane and node.children is None:
            found.append(node.id)
        if node.children is not None:
            found += [n.id for n in node.children.nodes.values() if n.lane == lane]
    return found


def _shape(element: str, b, extra="") -> str:
    x, y, w, h = b
    return (f'<bpmndi:BPMNShape id="{element}_di" bpmnElement="{element}"{extra}>'
            f'<dc:Bounds x="{x}" y="{y}" width="{w}" height="{h}" /></bpmndi:BPMNShape>')


def _edge(flow: Flow, bounds: dict, bottom: int) -> str:
    sx, sy, sw, sh = bounds[flow.source]
    tx, ty, tw, th = bounds[flow.target]
    if flow.back:
        points = [(sx + sw // 2, sy + sh), (sx + sw // 2, bottom), (tx + tw // 2, bottom), (tx + tw // 2, ty + th)]
    elif abs((sy + sh // 2) - (ty + th // 2)) < 2:
        points = [(sx + sw, sy + sh // 2), (tx, ty + th // 2)]
    elif sy + sh <= ty and sx + sw // 2 < tx:  # from above (or a boundary event): down, then right
        points = [(sx + sw // 2, sy + sh), (sx + sw // 2, ty + th // 2), (tx, ty + th // 2)]
    else:
        mid = sx + sw + 20
        points = [(sx + sw, sy + sh // 2), (mid, sy + sh // 2), (mid, ty + th // 2), (tx, ty + th // 2)]
    waypoints = "".join(f'<di:waypoint x="{x}" y="{y}" />' for x, y in points)
    return f'<bpmndi:BPMNEdge id="{flow.id}_di" bpmnElement="{flow.id}">{waypoints}</bpmndi:BPMNEdge>'


def _plane(container: Container, element: str, x0: int, y0: int, pool: str | None) -> tuple[str, list]:
    bounds, lane_bounds, width, height = container.layout(x0 + 30, y0)
    shapes = []
    if pool:
        shapes.append(_shape(pool, (x0, y0, width + 30, height), ' isHorizontal="true"'))
        for lane, (ly, lh) in lane_bounds.items():
            shapes.append(_shape(f"lane_{lane}", (x0 + 30, ly, width, lh), ' isHorizontal="true"'))
    for nid, b in bounds.items():
        node = container.nodes[nid]
        extra = ' isExpanded="false"' if node.kind == "subProcess" else ""
        shapes.append(_shape(nid, b, extra))
    bottom = y0 + height - 10
    shapes += [_edge(f, bounds, bottom) for f in container.flows]
    nested = [(nid, n.children) for nid, n in container.nodes.items() if n.children is not None]
    plane = (f'<bpmndi:BPMNDiagram id="{element}_diagram"><bpmndi:BPMNPlane id="{element}_plane" '
             f'bpmnElement="{element}">{"".join(shapes)}</bpmndi:BPMNPlane></bpmndi:BPMNDiagram>')
    return plane, nested


HEADER = ('<?xml version="1.0" encoding="UTF-8"?>\n'
          '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
          'xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" '
          'xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" '
          'xmlns:di="http://www.omg.org/spec/DD/20100524/DI" '
          'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
          'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" '
          'id="{pid}_definitions" targetNamespace="http://xcert.example/bpmn" '
          'exporter="xcert modelgen" exporterVersion="1">\n')


def write_process(pid: str, name: str, process: Container, extra_defs: str = "") -> Path:
    lanes = "".join(
        f'<bpmn:lane id="lane_{lane}" name="{lane}">'
        + "".join(f"<bpmn:flowNodeRef>{n}</bpmn:flowNodeRef>" for n in _lane_members(process, lane))
        + "</bpmn:lane>"
        for lane in process.lanes
    )
    lane_set = f'<bpmn:laneSet id="{pid}_lanes">{lanes}</bpmn:laneSet>' if process.lanes else ""
    collab = (f'<bpmn:collaboration id="{pid}_collaboration"><bpmn:participant id="{pid}_pool" '
              f'name={quoteattr(name)} processRef="{pid}" /></bpmn:collaboration>')
    body = (f'<bpmn:process id="{pid}" name={quoteattr(name)} isExecutable="true">{lane_set}'
            f"{_container_xml(process)}</bpmn:process>")
    plane, nested = _plane(process, f"{pid}_collaboration", 100, 60, f"{pid}_pool")
    diagrams = [plane]
    while nested:
        element, inner = nested.pop()
        sub_plane, more = _plane(inner, element, 100, 60, None)
        diagrams.append(sub_plane)
        nested += more
    xml = HEADER.format(pid=pid) + extra_defs + collab + body + "".join(diagrams) + "</bpmn:definitions>\n"
    path = OUT / f"{pid}.bpmn"
    path.write_text(_pretty(xml), encoding="utf-8")
    return path


def _pretty(xml: str) -> str:
    from lxml import etree

    root = etree.fromstring(xml.encode())
    etree.indent(root, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + etree.tostring(root, encoding="unicode")


# --- the models --------------------------------------------------------------------------


def alliance_formation() -> Path:
    p = Container(["alliance_lead", "college"])
    p.start()
    p.user("invite_members", "邀请成员院校 Invite member colleges", "alliance_lead")
    p.user("respond_invitation", "接受或谢绝邀请 Accept or decline", "college",
           multi=("invited_college_ids", "invited_college_id"))
    p.timer("response_deadline_timer", "答复截止 Response deadline", "respond_invitation", "response_deadline")
    p.script("tally_responses", "统计接受院校 Count acceptances",
             "accepted_count = count_accepted(alliance_id)", "alliance_lead")
    p.xor("enough_members", "成员足够？ Enough members?")
    p.script("register_with_province", "向省级备案 File with the province",
             "registration_no = register_alliance(alliance_id)\nalliance_formed = True")
    p.end("alliance_formed_end", "联盟已备案 Alliance registered")
    p.script("dissolve", "联盟未组建 Not formed",
             "dissolved = dissolve_alliance(alliance_id)\nalliance_formed = False")
    p.end("alliance_not_formed_end", "联盟未组建 Alliance not formed")
    p.flow("start", "invite_members", "respond_invitation", "tally_responses", "enough_members")
    p.flow("response_deadline_timer", "tally_responses")
    p.flow("enough_members", "register_with_province", condition="accepted_count >= 2", name="≥ 2")
    p.flow("register_with_province", "alliance_formed_end")
    p.flow("enough_members", "dissolve", condition="default", name="< 2")
    p.flow("dissolve", "alliance_not_formed_end")
    return write_process("alliance_formation", "组建联盟 Alliance formation", p)


def fee_negotiation() -> Path:
    p = Container(["alliance_lead", "teo", "reviewer"])
    p.start()
    p.user("screen_services", "筛选服务内容，商定师资培训内容 Screen services and training content",
           "alliance_lead")
    r = p.sub("negotiation_round", "协商一轮 Negotiation round",
              standard_loop(30, 'round_outcome == "countered"'), "alliance_lead")
    r.start("round_start", "本轮开始 Round starts")
    r.xor("whose_turn", "轮到谁？ Whose turn?")
    r.user("alliance_responds", "联盟回应报价 Alliance answers the offer", "alliance_lead")
    r.user("teo_responds", "培训评价组织回应 TEO answers the offer", "teo")
    r.xor("turn_done", "", "alliance_lead")
    r.end("round_end", "本轮结束 Round ends", "alliance_lead")
    r.timer("round_deadline_timer_alliance", "本轮截止 Round deadline", "alliance_responds", "round_deadline")
    r.timer("round_deadline_timer_teo", "本轮截止 Round deadline", "teo_responds", "round_deadline")
    r.script("expire_round", "本轮过期 Round expired",
             'round_outcome = "expired"\nexpired = close_round_expired(negotiation_id)', "alliance_lead")
    r.end("round_expired_end", "本轮过期 Round expired", "alliance_lead")
    r.flow("round_start", "whose_turn")
    r.flow("whose_turn", "alliance_responds", condition='turn == "alliance"', name="联盟 alliance")
    r.flow("whose_turn", "teo_responds", condition='turn == "teo"', name="培训评价组织 TEO")
    r.flow("alliance_responds", "turn_done")
    r.flow("teo_responds", "turn_done")
    r.flow("turn_done", "round_end")
    r.flow("round_deadline_timer_alliance", "expire_round")
    r.flow("round_deadline_timer_teo", "expire_round")
    r.flow("expire_round", "round_expired_end")
    p.xor("negotiation_result", "达成一致？ Agreed?", "alliance_lead")
    p.script("conclude_agreed", "协商达成 Agreed", "negotiation_agreed = True")
    p.end("agreed_end", "协商达成 Agreed")
    p.user("mediate", "省厅调解 Provincial mediation", "reviewer")
    p.xor("mediation_result", "调解结果 Mediation outcome", "reviewer")
    p.script("conclude_mediated", "调解达成 Mediated agreement", "negotiation_agreed = True")
    p.end("mediated_end", "调解达成 Agreed by mediation")
    p.script("conclude_failed", "协商未达成 Failed", "negotiation_agreed = False")
    p.end("failed_end", "协商未达成 Failed")
    p.flow("start", "screen_services", "negotiation_round", "negotiation_result")
    p.flow("negotiation_result", "conclude_agreed", condition='round_outcome == "accepted"', name="接受 accepted")
    p.flow("conclude_agreed", "agreed_end")
    p.flow("negotiation_result", "mediate", condition="default", name="拒绝/过期/轮次用尽")
    p.flow("mediate", "mediation_result")
    p.flow("mediation_result", "conclude_mediated", condition='mediation_outcome == "agreed"', name="达成")
    p.flow("conclude_mediated", "mediated_end")
    p.flow("mediation_result", "conclude_failed", condition="default", name="未达成")
    p.flow("conclude_failed", "failed_end")
    return write_process("fee_negotiation", "协商、谈判 Fee negotiation", p)


def fee_verification() -> Path:
    p = Container(["reviewer"])
    p.start()
    p.rule("lookup_cap", "查 2357 上限 Look up the cap", "assessment_fee_cap")
    p.script("check_cap_and_uniformity", "校验上限与全省统一 Check cap and uniformity",
             "within_cap = record_cap_check(negotiation_id, cap_fen)\n"
             "uniformity = check_uniformity(certificate_id, province_id, agreed_fee_fen)")
    p.xor("cap_gateway", "不超上限？ Within cap?")
    p.user("verify_baseline", "核定基线 Verify the baseline", "reviewer")
    p.end("verification_end", "核定完成 Verification decided")
    p.script("refuse_over_cap", "超上限不予核定 Refused over cap", 'verification_outcome = "rejected"')
    p.end("over_cap_end", "超上限 Over the cap")
    p.flow("start", "lookup_cap", "check_cap_and_uniformity", "cap_gateway")
    p.flow("cap_gateway", "verify_baseline", condition="within_cap == True", name="是 yes")
    p.flow("verify_baseline", "verification_end")
    p.flow("cap_gateway", "refuse_over_cap", condition="default", name="否 no")
    p.flow("refuse_over_cap", "over_cap_end")
    return write_process("fee_verification", "省厅核定 Provincial verification", p)


def agreement_signing() -> Path:
    p = Container(["alliance_lead", "teo"])
    p.start()
    p.par("signing_split", "")
    p.user("sign_alliance", "联盟签署 Alliance signs", "alliance_lead")
    p.user("sign_teo", "培训评价组织签署 TEO signs", "teo")
    p.par("signing_join", "", "alliance_lead")
    p.end("signed_end", "协议已签署 Agreement signed", "alliance_lead")
    p.flow("start", "signing_split")
    p.flow("signing_split", "sign_alliance", "signing_join")
    p.flow("signing_split", "sign_teo", "signing_join")
    p.flow("signing_join", "signed_end")
    return write_process("agreement_signing", "签署协议 Agreement signing", p)


def agreement_filing() -> Path:
    p = Container(["reviewer"])
    p.start()
    p.user("acknowledge_filing", "受理备案 Acknowledge the filing", "reviewer")
    p.xor("flagged_gateway", "列入监督？ Flag for supervision?")
    p.user("record_supervision", "记录监督意见 Record supervision", "reviewer")
    p.end("supervised_end", "监督执行 Under supervision")
    p.end("filed_end", "已备案 Filed")
    p.flow("start", "acknowledge_filing", "flagged_gateway")
    p.flow("flagged_gateway", "record_supervision", condition="flagged == True", name="是 yes")
    p.flow("record_supervision", "supervised_end")
    p.flow("flagged_gateway", "filed_end", condition="default", name="否 no")
    return write_process("agreement_filing", "备案 Filing", p)


PAYMENT_DEFS = (
    '<bpmn:message id="assessment_held" name="assessment_held" />'
    '<bpmn:correlationProperty id="college_id" name="college_id">'
    '<bpmn:correlationPropertyRetrievalExpression messageRef="assessment_held">'
    "<bpmn:messagePath>college_id</bpmn:messagePath></bpmn:correlationPropertyRetrievalExpression>"
    "</bpmn:correlationProperty>"
    '<bpmn:correlationProperty id="agreement_id" name="agreement_id">'
    '<bpmn:correlationPropertyRetrievalExpression messageRef="assessment_held">'
    "<bpmn:messagePath>agreement_id</bpmn:messagePath></bpmn:correlationPropertyRetrievalExpression>"
    "</bpmn:correlationProperty>"
)


def payment() -> Path:
    p = Container(["finance"])
    p.start()
    p.message_catch("assessment_held_event", "考核已举行 Assessment held", "assessment_held", "assessment")
    p.script("compute_amount", "据实计算金额 Compute on actuals", "payment_id = assessment[\"payment_id\"]\namount_fen = compute_payment(payment_id)")
    p.user("release_payment", "选择资金来源并拨付 Choose funding and release", "finance")
    p.end("paid_end", "已拨付 Paid")
    p.flow("start", "assessment_held_event", "compute_amount", "release_payment", "paid_end")
    return write_process("payment", "由院校拨付 Payment", p, PAYMENT_DEFS)


def certificate_lifecycle() -> Path:
    p = Container()
    p.start()
    p.xor("formed_gateway", "联盟已组建？ Alliance formed?")
    p.call("call_alliance_formation", "组建联盟 Alliance formation", "alliance_formation")
    p.xor("formation_result", "组建成功？ Formed?")
    p.xor("negotiation_entry", "")
    p.call("call_fee_negotiation", "协商、谈判 Negotiation", "fee_negotiation")
    p.xor("negotiation_gateway", "达成？ Agreed?")
    p.call("call_fee_verification", "省厅核定 Verification", "fee_verification")
    p.xor("verification_gateway", "核定结果 Outcome")
    p.call("call_agreement_signing", "签署协议 Signing", "agreement_signing")
    p.call("call_agreement_filing", "备案 Filing", "agreement_filing")
    p.call("call_payment", "拨付 Payment (每所成员院校 per member college)", "payment",
           multi=("member_college_ids", "college_id"))
    p.end("lifecycle_completed_end", "完成 Completed")
    p.script("count_return", "记录退回 Count the return", "verification_returns = verification_returns + 1")
    p.xor("returns_gateway", "退回次数 Returns so far")
    p.end("not_formed_end", "联盟未组建 Not formed")
    p.end("negotiation_failed_end", "协商未达成 Negotiation failed")
    p.end("verification_rejected_end", "不予核定 Rejected")
    p.end("too_many_returns_end", "退回过多 Too many returns")
    p.flow("start", "formed_gateway")
    p.flow("formed_gateway", "negotiation_entry", condition="alliance_formed == True", name="已组建 formed")
    p.flow("formed_gateway", "call_alliance_formation", condition="default", name="未组建")
    p.flow("call_alliance_formation", "formation_result")
    p.flow("formation_result", "negotiation_entry", condition="alliance_formed == True", name="是 yes")
    p.flow("formation_result", "not_formed_end", condition="default", name="否 no")
    p.flow("negotiation_entry", "call_fee_negotiation", "negotiation_gateway")
    p.flow("negotiation_gateway", "call_fee_verification", condition="negotiation_agreed == True", name="是 yes")
    p.flow("negotiation_gateway", "negotiation_failed_end", condition="default", name="否 no")
    p.flow("call_fee_verification", "verification_gateway")
    p.flow("verification_gateway", "call_agreement_signing", condition='verification_outcome == "verified"',
           name="核定 verified")
    p.flow("call_agreement_signing", "call_agreement_filing", "call_payment", "lifecycle_completed_end")
    p.flow("verification_gateway", "count_return", condition='verification_outcome == "returned"',
           name="退回 returned")
    p.flow("verification_gateway", "verification_rejected_end", condition="default", name="不予核定 rejected")
    p.flow("count_return", "returns_gateway")
    p.flow("returns_gateway", "negotiation_entry", condition="verification_returns < 3", name="< 3", back=True)
    p.flow("returns_gateway", "too_many_returns_end", condition="default", name="≥ 3")
    return write_process("certificate_lifecycle", "证书协商全流程 Certificate lifecycle", p)


DMN = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" xmlns:dmndi="https://www.omg.org/spec/DMN/20191111/DMNDI/" xmlns:dc="http://www.omg.org/spec/DMN/20180521/DC/" id="assessment_fee_cap_definitions" name="2357 考核费用上限 Assessment fee caps" namespace="http://xcert.example/dmn">
  <decision id="assessment_fee_cap" name="2357 考核费用上限 Assessment fee cap">
    <decisionTable id="assessment_fee_cap_table" hitPolicy="UNIQUE">
      <input id="input_mode" label="考核方式 Assessment mode">
        <inputExpression id="input_mode_expression" typeRef="string">
          <text>assessment_mode</text>
        </inputExpression>
      </input>
      <output id="output_cap" label="上限（分/人次）Cap (fen per person per sitting)" name="cap_fen" typeRef="integer" />
{rows}
    </decisionTable>
  </decision>
  <dmndi:DMNDI>
    <dmndi:DMNDiagram id="assessment_fee_cap_diagram">
      <dmndi:DMNShape id="assessment_fee_cap_shape" dmnElementRef="assessment_fee_cap">
        <dc:Bounds height="80" width="180" x="160" y="100" />
      </dmndi:DMNShape>
    </dmndi:DMNDiagram>
  </dmndi:DMNDI>
</definitions>
"""

CAPS = [("paper", 20000, "纸笔考试 paper-and-pencil exam: 200 元"),
        ("computer", 30000, "机考 computer-based exam: 300 元"),
        ("practical_general", 50000, "一般设备的实操考试 practical exam, general equipment: 500 元"),
        ("practical_special", 70000, "特殊设备的实操考试 practical exam, special equipment: 700 元")]


def decision() -> Path:
    rows = "\n".join(
        f'      <rule id="rule_{mode}">\n        <description>{desc}</description>\n'
        f'        <inputEntry id="rule_{mode}_in"><text>"{mode}"</text></inputEntry>\n'
        f'        <outputEntry id="rule_{mode}_out"><text>{fen}</text></outputEntry>\n      </rule>'
        for mode, fen, desc in CAPS
    )
    path = OUT / "decisions" / "assessment_fee_cap.dmn"
    path.write_text(DMN.replace("{rows}", rows), encoding="utf-8")
    return path


def main() -> None:
    for build in (alliance_formation, fee_negotiation, fee_verification, agreement_signing,
                  agreement_filing, payment, certificate_lifecycle, decision):
        print(build())


if __name__ == "__main__":
    main()
