"""Draw the process models: a small DSL that writes BPMN 2.0 / DMN 1.3 XML with diagram layout.

The .bpmn and .dmn files it writes under bpmn/processes/ are the source of truth: the engine
deploys them and any BPMN modeller (bpmn.io, Camunda Modeler) opens them. This script is how
they were drawn and a quick way to redraw them after a structural change:

    .venv/bin/python -m bpmn.tools.modelgen            # rewrites bpmn/processes/
    .venv/bin/python -m bpmn.tools.modelgen OUT_DIR    # writes elsewhere (to compare)

Layout is explicit: every node sits at a (column, lane, row) cell of a grid; sequence flows
are routed orthogonally by a few rules (see `_route`). Names are English, one language: they are
the msgids the pages translate (catalogue context "process"); a lane's name is its role id.
Keep docs/processes.md (the contract) and tests/bpmn/test_process_models.py in step.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

OUT = Path(__file__).resolve().parent.parent / "processes"

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
HEADER = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    f'<bpmn:definitions xmlns:bpmn="{BPMN_NS}" '
    'xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" '
    'xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" '
    'xmlns:di="http://www.omg.org/spec/DD/20100524/DI" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" '
    'id="{pid}_definitions" targetNamespace="http://xcert.example/bpmn" '
    'exporter="xcert modelgen" exporterVersion="2">'
)

ROLES = {
    "alliance_lead": "Alliance lead college",
    "college": "Pilot college",
    "teo": "Training evaluation organization",
    "reviewer": "Provincial reviewer",
    "finance": "College finance",
}

# Grid geometry (pixels). Shapes use the bpmn-js default sizes.
SIZES = {"task": (100, 80), "event": (36, 36), "gateway": (50, 50)}
COL_W = 150          # distance between column centres
ROW_H = 110          # height of one row inside a lane
POOL_X, POOL_Y = 120, 60
POOL_BAND = 30       # the pool's name band on the left
LANE_BAND = 30       # a lane's name band
FIRST_COL_X = POOL_X + POOL_BAND + LANE_BAND + 70   # centre x of column 0
RIGHT_PAD = 80

TASK_KINDS = {"userTask", "scriptTask", "businessRuleTask", "callActivity", "subProcess", "task"}


@dataclass
class Node:
    id: str
    kind: str
    name: str
    lane: str | None
    col: float
    row: int
    inner: str = ""                 # XML placed after incoming/outgoing (loops, scripts, events)
    ext: str = ""                   # extensionElements content
    doc: str = ""
    attrs: dict = field(default_factory=dict)
    host: str | None = None         # boundary events: the activity they sit on
    parent: str | None = None       # id of the embedded subprocess holding this node
    expanded: Container | None = None

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
    condition: str | None = None    # None: unconditional; "default": the gateway's default flow
    name: str = ""
    route: str = "auto"             # auto | straight | mid | out | in | under | back
    via: tuple | None = None        # (lane, row) whose centre line an "under"/"back" run follows


class Container:
    """The flow elements of a process or of an embedded subprocess."""

    def __init__(self, diagram: Diagram, parent: str | None = None):
        self.diagram = diagram
        self.parent = parent
        self.order: list[str] = []
        self.flows: list[Flow] = []

    # -- nodes -----------------------------------------------------------------------------

    def _add(self, kind, id, name, lane, col, row=0, **kw) -> str:
        assert id not in self.diagram.nodes, id
        node = Node(id, kind, name, lane, col, row, parent=self.parent, **kw)
        self.diagram.nodes[id] = node
        self.order.append(id)
        return id

    def start(self, id, name, lane, col, row=0, doc=""):
        return self._add("startEvent", id, name, lane, col, row, doc=doc)

    def end(self, id, name, lane, col, row=0, doc=""):
        return self._add("endEvent", id, name, lane, col, row, doc=doc)

    def user(self, id, name, lane, col, row=0, doc="", multi=None):
        return self._add("userTask", id, name, lane, col, row, doc=doc, inner=_multi(multi) if multi else "")

    def script(self, id, name, lines: list[str], lane, col, row=0, doc=""):
        text = "\n".join(lines)
        return self._add("scriptTask", id, name, lane, col, row, doc=doc,
                         inner=f"<bpmn:script>{escape(text)}</bpmn:script>",
                         attrs={"scriptFormat": "python"})

    def rule(self, id, name, decision, lane, col, row=0, doc=""):
        return self._add("businessRuleTask", id, name, lane, col, row, doc=doc,
                         ext=f"<spiffworkflow:calledDecisionId>{decision}</spiffworkflow:calledDecisionId>")

    def call(self, id, name, process, lane, col, row=0, doc="", multi=None):
        return self._add("callActivity", id, name, lane, col, row, doc=doc,
                         inner=_multi(multi) if multi else "", attrs={"calledElement": process})

    def xor(self, id, name, lane, col, row=0, doc=""):
        return self._add("exclusiveGateway", id, name, lane, col, row, doc=doc)

    def par(self, id, name, lane, col, row=0, doc=""):
        return self._add("parallelGateway", id, name, lane, col, row, doc=doc)

    def timer(self, id, name, host, expression, doc=""):
        h = self.diagram.nodes[host]
        inner = ('<bpmn:timerEventDefinition id="{id}_definition"><bpmn:timeDate xsi:type="bpmn:tFormalExpression">'
                 f"{escape(expression)}</bpmn:timeDate></bpmn:timerEventDefinition>").replace("{id}", id)
        return self._add("boundaryEvent", id, name, h.lane, h.col, h.row, doc=doc, inner=inner, host=host,
                         attrs={"attachedToRef": host, "cancelActivity": "true"})

    def message_catch(self, id, name, lane, col, row, message_ref, variable, correlations, doc=""):
        corr = "".join(
            "<spiffworkflow:processVariableCorrelation>"
            f"<spiffworkflow:propertyId>{prop}</spiffworkflow:propertyId>"
            f"<spiffworkflow:expression>{escape(expr)}</spiffworkflow:expression>"
            "</spiffworkflow:processVariableCorrelation>"
            for prop, expr in correlations
        )
        inner = (f'<bpmn:messageEventDefinition id="{id}_definition" messageRef="{message_ref}">'
                 f"<bpmn:extensionElements><spiffworkflow:messageVariable>{variable}"
                 f"</spiffworkflow:messageVariable>{corr}</bpmn:extensionElements>"
                 "</bpmn:messageEventDefinition>")
        return self._add("intermediateCatchEvent", id, name, lane, col, row, doc=doc, inner=inner)

    def subprocess(self, id, name, loop_xml: str, doc="") -> Container:
        """An expanded embedded subprocess; it belongs to no lane (see `write_process`)."""
        inner = Container(self.diagram, parent=id)
        self._add("subProcess", id, name, None, 0, 0, doc=doc, inner=loop_xml, expanded=inner)
        return inner

    # -- flows -----------------------------------------------------------------------------

    def flow(self, source, target, condition=None, name="", route="auto", via=None, id=None):
        fid = id or f"flow_{source}_to_{target}"
        self.flows.append(Flow(fid, source, target, condition, name, route, via))
        return fid


class Diagram:
    def __init__(self, pid: str, name: str, lanes: list[str] | None, doc: str = ""):
        self.pid = pid
        self.name = name
        self.lanes = lanes or []
        self.doc = doc
        self.nodes: dict[str, Node] = {}
        self.process = Container(self)
        self.spare_rows: dict = {}        # lane -> last row to keep, for routing space
        self.root_elements = ""          # messages, correlation properties
        self.collaboration_extra = ""    # correlation keys

    # -- geometry --------------------------------------------------------------------------

    def _lane_rows(self) -> dict:
        rows: dict = {}
        for node in self.nodes.values():
            if node.kind == "subProcess" or node.host:
                continue
            lo, hi = rows.get(node.lane, (node.row, node.row))
            rows[node.lane] = (min(lo, node.row), max(hi, node.row))
        for lane, last in self.spare_rows.items():
            lo, hi = rows.get(lane, (0, 0))
            rows[lane] = (lo, max(hi, last))
        return rows

    def geometry(self):
        rows = self._lane_rows()
        lanes = self.lanes or [None]
        lane_top, y = {}, POOL_Y
        for lane in lanes:
            lo, hi = rows.get(lane, (0, 0))
            lane_top[lane] = (y, lo)
            y += (hi - lo + 1) * ROW_H
        height = y - POOL_Y
        self.row_y = lambda lane, row: lane_top[lane][0] + (row - lane_top[lane][1]) * ROW_H + ROW_H // 2
        bounds = {}
        for node in self.nodes.values():
            if node.kind == "subProcess" or node.host:
                continue
            w, h = SIZES[node.shape]
            cx = FIRST_COL_X + round(node.col * COL_W)
            cy = self.row_y(node.lane, node.row)
            bounds[node.id] = (cx - w // 2, cy - h // 2, w, h)
        for node in self.nodes.values():
            if node.host:
                hx, hy, hw, hh = bounds[node.host]
                bounds[node.id] = (hx + hw - 48, hy + hh - 18, 36, 36)
        for node in self.nodes.values():
            if node.kind == "subProcess":
                inside = [bounds[n.id] for n in self.nodes.values() if n.parent == node.id]
                x0 = min(b[0] for b in inside) - 30
                y0 = min(b[1] for b in inside) - 12
                x1 = max(b[0] + b[2] for b in inside) + 30
                y1 = max(b[1] + b[3] for b in inside) + 12
                bounds[node.id] = (x0, y0, x1 - x0, y1 - y0)
        width = max(b[0] + b[2] for b in bounds.values()) + RIGHT_PAD - POOL_X
        lane_bounds = {}
        for lane in lanes:
            top, lo = lane_top[lane]
            hi = rows.get(lane, (0, 0))[1]
            lane_bounds[lane] = (POOL_X + POOL_BAND, top, width - POOL_BAND, (hi - lo + 1) * ROW_H)
        return bounds, lane_bounds, (POOL_X, POOL_Y, width, height)


# --- XML pieces ----------------------------------------------------------------------------


def _multi(spec: tuple) -> str:
    collection, element, *output = spec
    out_ref = f"<bpmn:loopDataOutputRef>{output[0]}</bpmn:loopDataOutputRef>" if output else ""
    out_item = f'<bpmn:outputDataItem id="{output[1]}" name="{output[1]}" />' if output else ""
    return ('<bpmn:multiInstanceLoopCharacteristics isSequential="false">'
            f"<bpmn:loopDataInputRef>{collection}</bpmn:loopDataInputRef>{out_ref}"
            f'<bpmn:inputDataItem id="{element}" name="{element}" />{out_item}'
            "</bpmn:multiInstanceLoopCharacteristics>")


def standard_loop(maximum: int, condition: str) -> str:
    return (f'<bpmn:standardLoopCharacteristics testBefore="false" loopMaximum="{maximum}">'
            f'<bpmn:loopCondition xsi:type="bpmn:tFormalExpression">{escape(condition)}</bpmn:loopCondition>'
            "</bpmn:standardLoopCharacteristics>")


def _node_xml(d: Diagram, node: Node, container: Container) -> str:
    attrs = "".join(f" {k}={quoteattr(str(v))}" for k, v in node.attrs.items())
    default = [f for f in container.flows if f.source == node.id and f.condition == "default"]
    if default:
        attrs += f' default="{default[0].id}"'
    parts = []
    if node.doc:
        parts.append(f"<bpmn:documentation>{escape(node.doc)}</bpmn:documentation>")
    if node.ext:
        parts.append(f"<bpmn:extensionElements>{node.ext}</bpmn:extensionElements>")
    parts += [f"<bpmn:incoming>{f.id}</bpmn:incoming>" for f in container.flows if f.target == node.id]
    parts += [f"<bpmn:outgoing>{f.id}</bpmn:outgoing>" for f in container.flows if f.source == node.id]
    if node.kind == "subProcess":
        parts.append(node.inner)               # loop characteristics come before the children
        parts.append(_container_xml(d, node.expanded))
    else:
        parts.append(node.inner)
    return f'<bpmn:{node.kind} id="{node.id}" name={quoteattr(node.name)}{attrs}>{"".join(parts)}</bpmn:{node.kind}>'


def _flow_xml(flow: Flow) -> str:
    cond = ""
    if flow.condition and flow.condition != "default":
        cond = (f'<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">{escape(flow.condition)}'
                "</bpmn:conditionExpression>")
    name = f" name={quoteattr(flow.name)}" if flow.name else ""
    return (f'<bpmn:sequenceFlow id="{flow.id}"{name} sourceRef="{flow.source}" '
            f'targetRef="{flow.target}">{cond}</bpmn:sequenceFlow>')


def _container_xml(d: Diagram, c: Container) -> str:
    parts = [_node_xml(d, d.nodes[n], c) for n in c.order]
    parts += [_flow_xml(f) for f in c.flows]
    return "".join(parts)


def _all_flows(d: Diagram) -> list[Flow]:
    flows = list(d.process.flows)
    for node in d.nodes.values():
        if node.expanded is not None:
            flows += node.expanded.flows
    return flows


# --- routing -------------------------------------------------------------------------------


def _route(d: Diagram, flow: Flow, bounds: dict) -> list[tuple[int, int]]:
    s, t = d.nodes[flow.source], d.nodes[flow.target]
    sx, sy, sw, sh = bounds[s.id]
    tx, ty, tw, th = bounds[t.id]
    scx, scy, tcx, tcy = sx + sw // 2, sy + sh // 2, tx + tw // 2, ty + th // 2
    route = flow.route
    if route in ("under", "back"):  # down to a spare row's centre line, across, then into the target
        y = d.row_y(*flow.via)
        end = (tcx, ty + th) if tcy < y else (tcx, ty)
        return [(scx, sy + sh), (scx, y), (tcx, y), end]
    if s.host:  # boundary event: leave downwards
        if abs(tcx - scx) < 6:
            return [(scx, sy + sh), (scx, ty)]
        if tcy > scy:
            return [(scx, sy + sh), (scx, tcy), (tx, tcy)]
    if route == "auto":
        if abs(scy - tcy) < 2 or (t.kind == "subProcess" and ty < scy < ty + th) or (
                s.kind == "subProcess" and sy < tcy < sy + sh):
            route = "straight"
        elif s.shape == "gateway":
            route = "out"
        elif t.shape == "gateway":
            route = "in"
        else:
            route = "mid"
    if route == "straight":  # at the smaller shape's centre line (a subprocess is tall)
        y = tcy if s.kind == "subProcess" else scy
        return [(sx + sw, y), (tx, y)]
    if route == "out":  # leave a gateway by its top/bottom corner, then run right
        start = (scx, sy + sh) if tcy > scy else (scx, sy)
        if abs(tcx - scx) < 6:
            return [start, (tcx, ty if tcy > scy else ty + th)]
        return [start, (scx, tcy), (tx, tcy)]
    if route == "in":  # run right, then enter a gateway by its top/bottom corner
        end = (tcx, ty) if scy < tcy else (tcx, ty + th)
        return [(sx + sw, scy), (tcx, scy), end]
    if route == "mid":
        mid = (sx + sw + tx) // 2
        return [(sx + sw, scy), (mid, scy), (mid, tcy), (tx, tcy)]
    raise ValueError(route)


# --- documents -----------------------------------------------------------------------------


def _shape(element: str, b, extra="") -> str:
    x, y, w, h = b
    return (f'<bpmndi:BPMNShape id="{element}_di" bpmnElement="{element}"{extra}>'
            f'<dc:Bounds x="{x}" y="{y}" width="{w}" height="{h}" /></bpmndi:BPMNShape>')


def _edge(flow: Flow, points) -> str:
    wps = "".join(f'<di:waypoint x="{x}" y="{y}" />' for x, y in points)
    return f'<bpmndi:BPMNEdge id="{flow.id}_di" bpmnElement="{flow.id}">{wps}</bpmndi:BPMNEdge>'


def render(d: Diagram) -> str:
    pid = d.pid
    lanes = "".join(
        f'<bpmn:lane id="lane_{lane}" name="{lane}">'
        f"<bpmn:documentation>{escape(ROLES[lane])}</bpmn:documentation>"
        # An embedded subprocess is listed in no lane: Spiff hands a subprocess's lane down to
        # every task inside it, which would put the TEO's task in the alliance's lane.
        + "".join(f"<bpmn:flowNodeRef>{n.id}</bpmn:flowNodeRef>"
                  for n in d.nodes.values() if n.lane == lane and n.kind != "subProcess")
        + "</bpmn:lane>"
        for lane in d.lanes
    )
    lane_set = f'<bpmn:laneSet id="{pid}_lanes">{lanes}</bpmn:laneSet>' if d.lanes else ""
    collab = (f'<bpmn:collaboration id="{pid}_collaboration"><bpmn:participant id="{pid}_pool" '
              f'name={quoteattr(d.name)} processRef="{pid}" />{d.collaboration_extra}</bpmn:collaboration>')
    doc = f"<bpmn:documentation>{escape(d.doc)}</bpmn:documentation>" if d.doc else ""
    process = (f'<bpmn:process id="{pid}" name={quoteattr(d.name)} isExecutable="true">{doc}{lane_set}'
               f"{_container_xml(d, d.process)}</bpmn:process>")

    bounds, lane_bounds, pool = d.geometry()
    shapes = [_shape(f"{pid}_pool", pool, ' isHorizontal="true"')]
    for lane in d.lanes:
        shapes.append(_shape(f"lane_{lane}", lane_bounds[lane], ' isHorizontal="true"'))
    # Containers first, so a modeller draws the subprocess under its children.
    ordered = sorted(d.nodes.values(), key=lambda n: (n.kind != "subProcess", n.host is not None))
    for node in ordered:
        extra = ' isExpanded="true"' if node.kind == "subProcess" else ""
        shapes.append(_shape(node.id, bounds[node.id], extra))
    edges = [_edge(f, _route(d, f, bounds)) for f in _all_flows(d)]
    plane = (f'<bpmndi:BPMNDiagram id="{pid}_diagram"><bpmndi:BPMNPlane id="{pid}_plane" '
             f'bpmnElement="{pid}_collaboration">{"".join(shapes)}{"".join(edges)}'
             "</bpmndi:BPMNPlane></bpmndi:BPMNDiagram>")
    xml = (HEADER.replace("{pid}", pid) + d.root_elements + collab + process + plane + "</bpmn:definitions>")
    return _pretty(xml)


def _pretty(xml: str) -> str:
    from lxml import etree

    root = etree.fromstring(xml.encode())
    etree.indent(root, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + etree.tostring(root, encoding="unicode") + "\n"


# --- the models ----------------------------------------------------------------------------


def alliance_formation() -> Diagram:
    d = Diagram("alliance_formation", "Alliance formation", ["alliance_lead", "college"],
                "牵头院校邀请试点院校，院校在截止前答复；至少 2 所接受即向省级备案（备案不是审批）。"
                " The lead college invites pilot colleges; each answers before the deadline; with at "
                "least 2 acceptances the alliance is filed with the province (a filing, not an approval).")
    p = d.process
    p.start("start", "Start", "alliance_lead", 0, doc="reads alliance_id")
    p.user("invite_members", "Invite member colleges", "alliance_lead", 1,
           doc="reads alliance_id; writes invited_college_ids (list of int), "
               "response_deadline (ISO-8601 UTC string)")
    p.user("respond_invitation", "Accept or decline the invitation", "college", 2,
           doc="one instance per invited college, element invited_college_id; writes accepted (bool), "
               "collected into responses",
           multi=("invited_college_ids", "invited_college_id", "responses", "accepted"))
    p.timer("response_deadline_timer", "Response deadline", "respond_invitation", "response_deadline",
            doc="interrupting: at response_deadline the outstanding answers are closed")
    p.xor("responses_closed", "Answers closed", "college", 3)
    p.script("tally_responses", "Count acceptances",
             ["accepted_count = count_accepted(alliance_id)"], "alliance_lead", 4)
    p.xor("enough_members", "Enough members?", "alliance_lead", 5)
    p.script("register_with_province", "File with the province",
             ["registration_no = register_alliance(alliance_id)", "alliance_formed = True"],
             "alliance_lead", 6)
    p.end("alliance_formed_end", "Alliance filed", "alliance_lead", 7)
    p.script("dissolve", "Dissolve",
             ["dissolved = dissolve_alliance(alliance_id)", "alliance_formed = False"],
             "alliance_lead", 6, 1)
    p.end("alliance_not_formed_end", "Alliance not formed", "alliance_lead", 7, 1)
    p.flow("start", "invite_members")
    p.flow("invite_members", "respond_invitation")
    p.flow("respond_invitation", "responses_closed")
    p.flow("response_deadline_timer", "responses_closed", route="under", via=("college", 1))
    p.flow("responses_closed", "tally_responses", route="mid")
    p.flow("tally_responses", "enough_members")
    p.flow("enough_members", "register_with_province", condition="accepted_count >= 2", name="≥ 2 accepted")
    p.flow("register_with_province", "alliance_formed_end")
    p.flow("enough_members", "dissolve", condition="default", name="fewer than 2")
    p.flow("dissolve", "alliance_not_formed_end")
    d.spare_rows = {"college": 1}  # the timer's path runs below the answers
    return d


def fee_negotiation() -> Diagram:
    d = Diagram("fee_negotiation", "Fee negotiation", ["alliance_lead", "teo", "reviewer"],
                "联盟筛选服务内容、商定师资培训内容，然后与培训评价组织逐轮协商考核费用（最多 30 轮）；"
                "拒绝、过期或轮次用尽由省厅调解。 The alliance screens the services and agrees the "
                "training content, then negotiates the fee with the TEO round by round (at most 30 "
                "rounds); a rejection, an expired round or running out of rounds goes to provincial mediation.")
    p = d.process
    p.start("start", "Start: published schedule on the table", "alliance_lead", 0,
            doc="reads negotiation_id; round 1's offer is the TEO's published schedule")
    p.user("screen_services", "Screen services, agree training content",
           "alliance_lead", 1,
           doc="reads negotiation_id; writes training_content (str), services (list of str), "
               "turn, round_outcome, round_deadline")
    r = p.subprocess("negotiation_round", "Negotiation round",
                     standard_loop(30, 'round_outcome == "countered"'),
                     doc="loops while round_outcome == \"countered\", at most 30 rounds (loopMaximum)")
    r.start("round_start", "Round starts", "alliance_lead", 2.2)
    r.xor("whose_turn", "Whose turn?", "alliance_lead", 3.1)
    r.user("alliance_responds", "Alliance answers the offer", "alliance_lead", 4.2,
           doc="writes round_outcome in accepted/countered/rejected, turn = \"teo\", round_deadline")
    r.user("teo_responds", "TEO answers the offer", "teo", 4.2,
           doc="writes round_outcome in accepted/countered/rejected, turn = \"alliance\", round_deadline")
    r.timer("round_deadline_timer_alliance", "Round deadline", "alliance_responds", "round_deadline")
    r.timer("round_deadline_timer_teo", "Round deadline", "teo_responds", "round_deadline")
    # One end per answer (no merge): a merge would have the TEO's path cross the deadline path.
    r.end("round_end", "Alliance answered", "alliance_lead", 5.6)
    r.end("round_end_teo", "TEO answered", "teo", 5.6)
    r.xor("deadline_passed", "Deadline passed", "teo", 6.4, 1)
    r.script("expire_round", "Expire the round",
             ['round_outcome = "expired"', "expired = close_round_expired(negotiation_id)"], "teo", 7.4, 1)
    r.end("round_expired_end", "Round expired", "teo", 8.4, 1)
    r.flow("round_start", "whose_turn")
    r.flow("whose_turn", "alliance_responds", condition='turn == "alliance"', name="alliance")
    r.flow("whose_turn", "teo_responds", condition='turn == "teo"', name="TEO")
    r.flow("alliance_responds", "round_end")
    r.flow("teo_responds", "round_end_teo")
    r.flow("round_deadline_timer_alliance", "deadline_passed", route="under", via=("alliance_lead", 1))
    r.flow("round_deadline_timer_teo", "deadline_passed")
    r.flow("deadline_passed", "expire_round")
    r.flow("expire_round", "round_expired_end")
    d.spare_rows = {"alliance_lead": 1}  # the alliance's deadline path runs below its task
    p.xor("negotiation_result", "Agreed?", "alliance_lead", 9.4)
    p.script("conclude_agreed", "Agreed", ["negotiation_agreed = True"], "alliance_lead", 10.4)
    p.end("agreed_end", "Fee agreed", "alliance_lead", 11.4)
    p.user("mediate", "Provincial mediation", "reviewer", 10.4,
           doc="writes mediation_outcome in agreed/failed")
    p.xor("mediation_result", "Mediation outcome", "reviewer", 11.4)
    p.script("conclude_mediated", "Agreed by mediation", ["negotiation_agreed = True"], "reviewer", 12.4)
    p.end("mediated_end", "Agreed by mediation", "reviewer", 13.4)
    p.script("conclude_failed", "Failed", ["negotiation_agreed = False"], "reviewer", 12.4, 1)
    p.end("failed_end", "Negotiation failed", "reviewer", 13.4, 1)
    p.flow("start", "screen_services")
    p.flow("screen_services", "negotiation_round")
    p.flow("negotiation_round", "negotiation_result")
    p.flow("negotiation_result", "conclude_agreed", condition='round_outcome == "accepted"', name="accepted")
    p.flow("conclude_agreed", "agreed_end")
    p.flow("negotiation_result", "mediate", condition="default",
           name="rejected, expired or 30 rounds")
    p.flow("mediate", "mediation_result")
    p.flow("mediation_result", "conclude_mediated", condition='mediation_outcome == "agreed"', name="agreed")
    p.flow("conclude_mediated", "mediated_end")
    p.flow("mediation_result", "conclude_failed", condition="default", name="failed")
    p.flow("conclude_failed", "failed_end")
    return d


def fee_verification() -> Diagram:
    d = Diagram("fee_verification", "Provincial verification", ["reviewer"],
                "按“2357”上限与“同一证书在同一省域内标准统一”核定协商费用为基线。 The province verifies "
                "the negotiated fee as the baseline, within the 2357 cap and one standard per "
                "certificate per province.")
    p = d.process
    p.start("start", "Start", "reviewer", 0,
            doc="reads negotiation_id, certificate_id, province_id, agreed_fee_fen, assessment_mode")
    p.rule("lookup_cap", "Look up the cap", "assessment_fee_cap", "reviewer", 1,
           doc="DMN assessment_fee_cap: reads assessment_mode, writes cap_fen")
    p.script("check_cap_and_uniformity", "Check cap and uniformity",
             ["within_cap = record_cap_check(negotiation_id, cap_fen)",
              "uniformity = check_uniformity(certificate_id, province_id, agreed_fee_fen)"],
             "reviewer", 2)
    p.xor("cap_gateway", "Within the cap?", "reviewer", 3)
    p.user("verify_baseline", "Verify the baseline", "reviewer", 4,
           doc="reads uniformity, cap_fen; writes verification_outcome in verified/returned/rejected, reasons")
    p.xor("outcome_gateway", "Outcome", "reviewer", 5)
    p.end("verified_end", "Verified", "reviewer", 6)
    p.end("returned_end", "Returned", "reviewer", 6, -1)
    p.end("rejected_end", "Rejected", "reviewer", 6, 1)
    p.script("refuse_over_cap", "Refuse over the cap",
             ['verification_outcome = "rejected"'], "reviewer", 4, 2)
    p.end("over_cap_end", "Over the cap", "reviewer", 6, 2)
    p.flow("start", "lookup_cap")
    p.flow("lookup_cap", "check_cap_and_uniformity")
    p.flow("check_cap_and_uniformity", "cap_gateway")
    p.flow("cap_gateway", "verify_baseline", condition="within_cap == True", name="yes")
    p.flow("cap_gateway", "refuse_over_cap", condition="default", name="over the cap")
    p.flow("verify_baseline", "outcome_gateway")
    p.flow("outcome_gateway", "verified_end", condition='verification_outcome == "verified"', name="verified")
    p.flow("outcome_gateway", "returned_end", condition='verification_outcome == "returned"', name="returned")
    p.flow("outcome_gateway", "rejected_end", condition="default", name="rejected")
    p.flow("refuse_over_cap", "over_cap_end")
    return d


def agreement_signing() -> Diagram:
    d = Diagram("agreement_signing", "Agreement signing", ["alliance_lead", "teo"],
                "联盟与培训评价组织按核定条款签署协议，先后不限。 Alliance and TEO sign the agreement on "
                "the verified terms, in either order.")
    p = d.process
    p.start("start", "Start", "alliance_lead", 0, doc="reads agreement_id")
    p.par("signing_split", "Both sign", "alliance_lead", 1)
    p.user("sign_alliance", "Alliance signs", "alliance_lead", 2, doc="reads agreement_id")
    p.user("sign_teo", "TEO signs", "teo", 2, doc="reads agreement_id")
    p.par("signing_join", "Both signed", "alliance_lead", 3)
    p.end("signed_end", "Agreement signed", "alliance_lead", 4)
    p.flow("start", "signing_split")
    p.flow("signing_split", "sign_alliance")
    p.flow("signing_split", "sign_teo")
    p.flow("sign_alliance", "signing_join")
    p.flow("sign_teo", "signing_join")
    p.flow("signing_join", "signed_end")
    return d


def agreement_filing() -> Diagram:
    d = Diagram("agreement_filing", "Filing", ["reviewer"],
                "已签协议到教育部门备案，教育部门监督协议执行。 The signed agreement is filed with the "
                "education department, which supervises its execution.")
    p = d.process
    p.start("start", "Start", "reviewer", 0, doc="reads agreement_id")
    p.user("acknowledge_filing", "Acknowledge the filing", "reviewer", 1,
           doc="writes flagged (bool), member_college_ids (list of int)")
    p.xor("flagged_gateway", "Flag for supervision?", "reviewer", 2)
    p.end("filed_end", "Filed", "reviewer", 4)
    p.user("record_supervision", "Record supervision", "reviewer", 3, 1,
           doc="writes supervision_note")
    p.end("supervised_end", "Filed, under supervision", "reviewer", 4, 1)
    p.flow("start", "acknowledge_filing")
    p.flow("acknowledge_filing", "flagged_gateway")
    p.flow("flagged_gateway", "filed_end", condition="default", name="no")
    p.flow("flagged_gateway", "record_supervision", condition="flagged == True", name="yes")
    p.flow("record_supervision", "supervised_end")
    return d


def payment() -> Diagram:
    d = Diagram("payment", "Payment by the college", ["finance"],
                "考核举行后，院校按核定费用 × 实际考核人数据实拨付。 After the assessment is held the "
                "college pays on actuals: verified fee × people actually assessed.")
    d.root_elements = (
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
    d.collaboration_extra = (
        '<bpmn:correlationKey id="assessment_key" name="assessment_key">'
        "<bpmn:correlationPropertyRef>college_id</bpmn:correlationPropertyRef>"
        "<bpmn:correlationPropertyRef>agreement_id</bpmn:correlationPropertyRef>"
        "</bpmn:correlationKey>"
    )
    p = d.process
    p.start("start", "Start", "finance", 0, doc="reads college_id, agreement_id")
    p.message_catch("assessment_held_event", "Assessment held", "finance", 1, 0,
                    "assessment_held", "assessment",
                    [("college_id", "college_id"), ("agreement_id", "agreement_id")],
                    doc="message assessment_held, correlated on college_id and agreement_id; the payload "
                        "(college_id, agreement_id, headcount, payment_id) lands in task data as assessment")
    p.script("compute_amount", "Compute the amount on actuals",
             ['payment_id = assessment["payment_id"]', 'headcount = assessment["headcount"]',
              "amount_fen = compute_payment(payment_id)"], "finance", 2)
    p.user("release_payment", "Choose funding and release", "finance", 3,
           doc="reads amount_fen, payment_id; writes released (bool), funding (list)")
    p.end("paid_end", "Paid", "finance", 4)
    p.flow("start", "assessment_held_event")
    p.flow("assessment_held_event", "compute_amount")
    p.flow("compute_amount", "release_payment")
    p.flow("release_payment", "paid_end")
    return d


def agreement_renewal() -> Diagram:
    d = Diagram("agreement_renewal", "Agreement renewal", None,
                "基线被替代后，协议等待本省该证书的新基线核定（同一证书在同一省域内标准统一），然后双方"
                "按新核定条款重新签署并重新备案。 After its baseline is superseded, the agreement waits for "
                "the province's new baseline for the certificate (one standard per province), then both "
                "sides sign again on the new verified terms and it is filed again.")
    d.root_elements = (
        '<bpmn:message id="baseline_verified" name="baseline_verified" />'
        '<bpmn:correlationProperty id="province_id" name="province_id">'
        '<bpmn:correlationPropertyRetrievalExpression messageRef="baseline_verified">'
        "<bpmn:messagePath>province_id</bpmn:messagePath></bpmn:correlationPropertyRetrievalExpression>"
        "</bpmn:correlationProperty>"
        '<bpmn:correlationProperty id="certificate_id" name="certificate_id">'
        '<bpmn:correlationPropertyRetrievalExpression messageRef="baseline_verified">'
        "<bpmn:messagePath>certificate_id</bpmn:messagePath></bpmn:correlationPropertyRetrievalExpression>"
        "</bpmn:correlationProperty>"
    )
    d.collaboration_extra = (
        '<bpmn:correlationKey id="baseline_key" name="baseline_key">'
        "<bpmn:correlationPropertyRef>province_id</bpmn:correlationPropertyRef>"
        "<bpmn:correlationPropertyRef>certificate_id</bpmn:correlationPropertyRef>"
        "</bpmn:correlationKey>"
    )
    p = d.process
    L = None  # no lanes, like the lifecycle: the waiting is on the province, the work in called processes
    p.start("start", "Agreement re-opened", L, 0,
            doc="reads agreement_id, negotiation_id, alliance_id, certificate_id, province_id")
    p.message_catch("baseline_verified_event", "New provincial baseline verified", L, 1, 0,
                    "baseline_verified", "new_baseline",
                    [("province_id", "province_id"), ("certificate_id", "certificate_id")],
                    doc="message baseline_verified, correlated on province_id and certificate_id; the payload "
                        "(province_id, certificate_id, baseline_id, fee_fen) lands in task data as new_baseline")
    p.script("renew_agreement", "Renew on the new baseline",
             ['renewed_fee_fen = renew_agreement(agreement_id, new_baseline["baseline_id"])'], L, 2)
    p.call("call_agreement_signing", "Sign again", "agreement_signing", L, 3)
    p.call("call_agreement_filing", "File again", "agreement_filing", L, 4)
    p.end("renewed_end", "Agreement filed again", L, 5)
    p.flow("start", "baseline_verified_event")
    p.flow("baseline_verified_event", "renew_agreement")
    p.flow("renew_agreement", "call_agreement_signing")
    p.flow("call_agreement_signing", "call_agreement_filing")
    p.flow("call_agreement_filing", "renewed_end")
    return d


def certificate_lifecycle() -> Diagram:
    d = Diagram("certificate_lifecycle", "Certificate fee lifecycle", None,
                "一个院校联盟 × 一个证书：组建联盟、协商、省厅核定、签署、备案、各成员院校拨付。 One "
                "alliance × one certificate: formation, negotiation, verification, signing, filing, "
                "and payment by every member college.")
    p = d.process
    L = None
    d.spare_rows = {None: 2}  # the return path runs along row 2
    p.start("start", "Start", L, 0,
            doc="reads alliance_formed, verification_returns (0), alliance_id, negotiation_id, ...")
    p.xor("formed_gateway", "Alliance formed?", L, 1)
    p.call("call_alliance_formation", "Alliance formation", "alliance_formation", L, 2, -1)
    p.xor("formation_result", "Formed?", L, 3, -1)
    p.end("not_formed_end", "Alliance not formed", L, 3, -2)
    p.xor("negotiation_entry", "To negotiation", L, 4)
    p.call("call_fee_negotiation", "Fee negotiation", "fee_negotiation", L, 5)
    p.xor("negotiation_gateway", "Agreed?", L, 6)
    p.end("negotiation_failed_end", "Negotiation failed", L, 6, 1)
    p.call("call_fee_verification", "Provincial verification", "fee_verification", L, 7)
    p.xor("verification_gateway", "Outcome", L, 8)
    # Ending unverified closes the negotiation: its alliance may negotiate the certificate afresh.
    p.script("close_rejected", "Close the negotiation unverified",
             ["closed = close_unverified(negotiation_id)"], L, 9, -1)
    p.end("verification_rejected_end", "Rejected", L, 10, -1)
    p.script("count_return", "Count the return",
             ["verification_returns = verification_returns + 1"], L, 9, 1)
    p.xor("returns_gateway", "Returns so far", L, 10, 1)
    p.script("close_returned", "Close the negotiation unverified",
             ["closed = close_unverified(negotiation_id)"], L, 11, 1)
    p.end("too_many_returns_end", "Returned too often", L, 12, 1)
    p.call("call_agreement_signing", "Agreement signing", "agreement_signing", L, 9)
    p.call("call_agreement_filing", "Filing", "agreement_filing", L, 10)
    p.call("call_payment", "Payment by each member college", "payment", L, 11,
           doc="parallel multi-instance over member_college_ids, element college_id",
           multi=("member_college_ids", "college_id"))
    p.end("lifecycle_completed_end", "Completed", L, 12)
    p.flow("start", "formed_gateway")
    p.flow("formed_gateway", "negotiation_entry", condition="alliance_formed == True", name="formed")
    p.flow("formed_gateway", "call_alliance_formation", condition="default", name="not yet")
    p.flow("call_alliance_formation", "formation_result")
    p.flow("formation_result", "negotiation_entry", condition="alliance_formed == True", name="yes",
           route="in")
    p.flow("formation_result", "not_formed_end", condition="default", name="no")
    p.flow("negotiation_entry", "call_fee_negotiation")
    p.flow("call_fee_negotiation", "negotiation_gateway")
    p.flow("negotiation_gateway", "call_fee_verification", condition="negotiation_agreed == True", name="yes")
    p.flow("negotiation_gateway", "negotiation_failed_end", condition="default", name="no")
    p.flow("call_fee_verification", "verification_gateway")
    p.flow("verification_gateway", "call_agreement_signing", condition='verification_outcome == "verified"',
           name="verified")
    p.flow("verification_gateway", "count_return", condition='verification_outcome == "returned"',
           name="returned")
    p.flow("verification_gateway", "close_rejected", condition="default", name="rejected")
    p.flow("close_rejected", "verification_rejected_end")
    p.flow("count_return", "returns_gateway")
    p.flow("returns_gateway", "negotiation_entry", condition="verification_returns < 3", name="< 3 times",
           route="back", via=(None, 2))
    p.flow("returns_gateway", "close_returned", condition="default", name="≥ 3 times")
    p.flow("close_returned", "too_many_returns_end")
    p.flow("call_agreement_signing", "call_agreement_filing")
    p.flow("call_agreement_filing", "call_payment")
    p.flow("call_payment", "lifecycle_completed_end")
    return d


DMN = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/"'
    ' xmlns:dmndi="https://www.omg.org/spec/DMN/20191111/DMNDI/"'
    ' xmlns:dc="http://www.omg.org/spec/DMN/20180521/DC/" id="assessment_fee_cap_definitions"'
    ' name="Assessment fee caps" namespace="http://xcert.example/dmn">'
    '<decision id="assessment_fee_cap" name="Assessment fee cap">'
    "<description>每人次考核费用上限（分）：纸笔 200 元、机考 300 元、一般设备实操 500 元、特殊设备实操"
    " 700 元。 Cap per person per sitting, in fen.</description>"
    '<decisionTable id="assessment_fee_cap_table" hitPolicy="UNIQUE">'
    '<input id="input_mode" label="Assessment mode">'
    '<inputExpression id="input_mode_expression" typeRef="string"><text>assessment_mode</text>'
    "</inputExpression>"
    '<inputValues id="input_mode_values">'
    '<text>"paper","computer","practical_general","practical_special"</text></inputValues>'
    "</input>"
    '<output id="output_cap" label="Cap (fen per person per sitting)" name="cap_fen"'
    ' typeRef="integer" />'
    "{rows}"
    "</decisionTable></decision>"
    '<dmndi:DMNDI><dmndi:DMNDiagram id="assessment_fee_cap_diagram">'
    '<dmndi:DMNShape id="assessment_fee_cap_shape" dmnElementRef="assessment_fee_cap">'
    '<dc:Bounds height="80" width="180" x="160" y="100" /></dmndi:DMNShape>'
    "</dmndi:DMNDiagram></dmndi:DMNDI>"
    "</definitions>"
)

CAPS = [("paper", 20000, "纸笔考试 paper-and-pencil exam: 200 元"),
        ("computer", 30000, "机考 computer-based exam: 300 元"),
        ("practical_general", 50000, "一般设备的实操考试 practical exam, general equipment: 500 元"),
        ("practical_special", 70000, "特殊设备的实操考试 practical exam, special equipment: 700 元")]


def decision_xml() -> str:
    rows = "".join(
        f'<rule id="rule_{mode}"><description>{desc}</description>'
        f'<inputEntry id="rule_{mode}_in"><text>"{mode}"</text></inputEntry>'
        f'<outputEntry id="rule_{mode}_out"><text>{fen}</text></outputEntry></rule>'
        for mode, fen, desc in CAPS
    )
    return _pretty(DMN.replace("{rows}", rows))


MODELS = (alliance_formation, fee_negotiation, fee_verification, agreement_signing,
          agreement_filing, payment, agreement_renewal, certificate_lifecycle)


def main(argv: list[str]) -> None:
    out = Path(argv[1]) if len(argv) > 1 else OUT
    (out / "decisions").mkdir(parents=True, exist_ok=True)
    for build in MODELS:
        d = build()
        path = out / f"{d.pid}.bpmn"
        path.write_text(render(d), encoding="utf-8")
        print(path)
    path = out / "decisions" / "assessment_fee_cap.dmn"
    path.write_text(decision_xml(), encoding="utf-8")
    print(path)


if __name__ == "__main__":
    main(sys.argv)
