"""The process models themselves: valid XML, complete diagrams, lanes, and every path.

Plain pytest on bare SpiffWorkflow (see spiff_harness.py): no Django, no database.
    .venv/bin/python -m pytest tests/bpmn/test_process_models.py
    .venv/bin/python -m pytest tests/bpmn/test_process_models.py -p no:django --noconftest
Every path runs twice: straight through, and with the workflow serialized and restored at
every wait (`roundtrip`), the way the engine saves an instance between requests.
"""
from __future__ import annotations

import ast
import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from lxml import etree
from SpiffWorkflow.bpmn.exceptions import WorkflowDataException
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnValidator
from SpiffWorkflow.dmn.parser.BpmnDmnParser import SCHEMAS as DMN_SCHEMAS
from SpiffWorkflow.exceptions import WorkflowException
from SpiffWorkflow.spiff.parser.process import VALIDATOR
from SpiffWorkflow.spiff.specs.defaults import (  # what SpiffBpmnParser builds
    CallActivity,
    ParallelMultiInstanceTask,
    StandardLoopTask,
    UserTask,
)
from SpiffWorkflow.util.task import TaskState

from .spiff_harness import (
    PROCESS_DIR,
    PROCESS_IDS,
    ROLES,
    Domain,
    Run,
    bpmn_files,
    build_parser,
    dmn_files,
    specs,
)

NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
    "dc": "http://www.omg.org/spec/DD/20100524/DC",
    "di": "http://www.omg.org/spec/DD/20100524/DI",
    "dmn": "https://www.omg.org/spec/DMN/20191111/MODEL/",
}
FLOW_NODES = ("startEvent", "endEvent", "userTask", "scriptTask", "businessRuleTask", "callActivity",
              "subProcess", "exclusiveGateway", "parallelGateway", "boundaryEvent",
              "intermediateCatchEvent")

# Every user task of the contract (docs/processes.md) and its lane; (process, task) -> role.
# Tasks of the embedded subprocess belong to the spec named after it (negotiation_round).
USER_TASK_LANES = {
    ("alliance_formation", "invite_members"): "alliance_lead",
    ("alliance_formation", "respond_invitation"): "college",
    ("fee_negotiation", "screen_services"): "alliance_lead",
    ("negotiation_round", "alliance_responds"): "alliance_lead",
    ("negotiation_round", "teo_responds"): "teo",
    ("fee_negotiation", "mediate"): "reviewer",
    ("fee_verification", "verify_baseline"): "reviewer",
    ("fee_verification", "verify_baseline_finance"): "provincial_finance",
    ("fee_verification", "expert_opinion"): "expert",
    ("fee_verification", "expert_opinion_finance"): "expert",
    ("agreement_signing", "sign_alliance"): "alliance_lead",
    ("agreement_signing", "sign_teo"): "teo",
    ("agreement_filing", "acknowledge_filing"): "reviewer",
    ("agreement_filing", "record_supervision"): "reviewer",
    ("payment", "release_payment"): "finance",
    ("teo_supervision", "report_progress"): "teo",
    ("teo_supervision", "decide_yellow_card"): "ministry",
    ("teo_supervision", "decide_delisting"): "ministry",
    ("complaint", "investigate_complaint"): "ministry",
    ("complaint", "answer_complaint"): "teo",
    ("complaint", "decide_complaint"): "ministry",
}
FUNCTIONS = {"count_accepted", "register_alliance", "dissolve_alliance", "close_round_expired",
             "check_uniformity", "record_cap_check", "compute_payment", "renew_agreement", "close_unverified",
             # teo_supervision
             "report_opening", "report_due", "report_closing", "teo_delisted", "record_missed_report",
             "training_start_facts", "follow_up_facts"}
# The stages the lifecycle calls; the renewal (agreement_renewal) is started by the domain on its own.
LIFECYCLE_CALLS = ("alliance_formation", "fee_negotiation", "fee_verification", "agreement_signing",
                   "agreement_filing", "payment")
CAPS = {"paper": 20000, "computer": 30000, "practical_general": 50000, "practical_special": 70000}

ALLIANCE_ID, NEGOTIATION_ID, CERTIFICATE_ID, PROVINCE_ID, AGREEMENT_ID = 11, 21, 31, 42, 77


def iso(delta: timedelta) -> str:
    return (datetime.now(UTC) + delta).isoformat()


def later(days: float):
    """Travel the clock forward (Spiff's timers read datetime.now(timezone.utc))."""
    return time_machine.travel(datetime.now(UTC) + timedelta(days=days), tick=False)


@pytest.fixture(params=["straight", "roundtrip"])
def roundtrip(request) -> bool:
    return request.param == "roundtrip"


def _tree(path):
    return etree.parse(str(path))


# --- the files -----------------------------------------------------------------------------


def test_the_nine_models_and_the_decision_are_there():
    assert sorted(p.stem for p in bpmn_files()) == sorted(PROCESS_IDS)
    assert [p.relative_to(PROCESS_DIR).as_posix() for p in dmn_files()] == ["decisions/assessment_fee_cap.dmn"]


@pytest.mark.parametrize("path", bpmn_files(), ids=lambda p: p.stem)
def test_bpmn_file_validates_against_the_omg_schema(path):
    root = _tree(path).getroot()
    VALIDATOR.validate(root, path.name)  # OMG BPMN 2.0 XSD + the spiffworkflow extensions
    BpmnValidator().validate(_tree(path).getroot(), path.name)  # plain OMG XSD, extensions lax
    processes = root.findall("bpmn:process", NS)
    assert [(p.get("id"), p.get("isExecutable")) for p in processes] == [(path.stem, "true")]


@pytest.mark.parametrize("path", dmn_files(), ids=lambda p: p.stem)
def test_dmn_file_validates_against_the_omg_schema(path):
    root = _tree(path).getroot()
    BpmnValidator(DMN_SCHEMAS[root.nsmap[None]]).validate(root, path.name)
    decision = root.find("dmn:decision", NS)
    assert decision.get("id") == "assessment_fee_cap"
    table = decision.find("dmn:decisionTable", NS)
    assert table.get("hitPolicy") == "UNIQUE"
    assert table.find("dmn:output", NS).get("name") == "cap_fen"


@pytest.mark.parametrize("path", bpmn_files(), ids=lambda p: p.stem)
def test_diagram_shows_every_element_and_every_flow(path):
    root = _tree(path).getroot()
    shapes = {s.get("bpmnElement"): s for s in root.iterfind(".//bpmndi:BPMNShape", NS)}
    edges = {e.get("bpmnElement"): e for e in root.iterfind(".//bpmndi:BPMNEdge", NS)}
    bounds = {}
    for element, shape in shapes.items():
        b = shape.find("dc:Bounds", NS)
        assert b is not None, element
        bounds[element] = tuple(float(b.get(k)) for k in ("x", "y", "width", "height"))
    ids = {e.get("id") for e in root.iter() if e.get("id")}
    assert set(shapes) | set(edges) <= ids, "diagram refers to missing elements"
    nodes = [n for tag in FLOW_NODES for n in root.iterfind(f".//bpmn:{tag}", NS)]
    for node in nodes:
        assert node.get("id") in shapes, f"no shape for {node.get('id')}"
    for tag in ("participant", "lane"):
        for element in root.iterfind(f".//bpmn:{tag}", NS):
            assert element.get("id") in shapes, f"no shape for {element.get('id')}"
    for flow in root.iterfind(".//bpmn:sequenceFlow", NS):
        edge = edges.get(flow.get("id"))
        assert edge is not None, f"no edge for {flow.get('id')}"
        points = [(float(w.get("x")), float(w.get("y"))) for w in edge.iterfind("di:waypoint", NS)]
        assert len(points) >= 2
        assert _touches(points[0], bounds[flow.get("sourceRef")]), f"{flow.get('id')} starts off its source"
        assert _touches(points[-1], bounds[flow.get("targetRef")]), f"{flow.get('id')} ends off its target"
        for (x1, y1), (x2, y2) in zip(points, points[1:], strict=False):
            assert x1 == x2 or y1 == y2, f"{flow.get('id')} is not orthogonal"


def _touches(point, box, slack=1.0) -> bool:
    x, y = point
    bx, by, bw, bh = box
    return bx - slack <= x <= bx + bw + slack and by - slack <= y <= by + bh + slack


@pytest.mark.parametrize("path", bpmn_files(), ids=lambda p: p.stem)
def test_names_are_english_only_the_catalogue_holds_the_chinese(path):
    root = _tree(path).getroot()
    for tag in (*FLOW_NODES, "process", "participant"):
        for element in root.iterfind(f".//bpmn:{tag}", NS):
            name = element.get("name") or ""
            assert re.search(r"[A-Za-z]", name) and not re.search(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]", name), (
                f"{element.get('id')}: name {name!r} wants English alone")


def test_lanes_are_the_five_roles():
    for path in bpmn_files():
        for lane in _tree(path).getroot().iterfind(".//bpmn:lane", NS):
            assert lane.get("name") in ROLES, (path.name, lane.get("name"))


def test_every_user_task_sits_in_its_role_lane():
    found = {}
    for process_id in PROCESS_IDS:
        spec, subprocess_specs = specs(process_id)
        for sp in [spec, *subprocess_specs.values()]:
            for ts in sp.task_specs.values():
                if isinstance(ts, UserTask):
                    found[(sp.name, ts.bpmn_id)] = ts.lane
    assert found == USER_TASK_LANES
    assert set(found.values()) <= ROLES


def test_ready_tasks_carry_their_lane_inside_subprocess_and_call_activities():
    """`task.task_spec.lane` of a READY task, three levels down: lifecycle → fee_negotiation →
    negotiation_round; the lanes come from the file that defines each task."""
    run = Run("certificate_lifecycle", _lifecycle_start(alliance_formed=True))
    run.complete("screen_services", _screened())
    [task] = run.ready()
    assert (task.task_spec.bpmn_id, task.task_spec.lane, task.workflow.spec.name) == (
        "alliance_responds", "alliance_lead", "negotiation_round")
    run.complete("alliance_responds", _counter("teo"))
    [task] = run.ready()
    assert (task.task_spec.bpmn_id, task.task_spec.lane) == ("teo_responds", "teo")


SAFE_NODES = (ast.Expression, ast.Module, ast.Assign, ast.Expr, ast.Name, ast.Load, ast.Store,
              ast.Constant, ast.Compare, ast.BoolOp, ast.UnaryOp, ast.BinOp, ast.Subscript, ast.Call,
              ast.And, ast.Or, ast.Not, ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.Add,
              ast.Sub, ast.Mult, ast.USub, ast.In, ast.NotIn, ast.Is, ast.IsNot, ast.List, ast.Tuple)


def _check_expression(tree, where):
    for node in ast.walk(tree):
        assert isinstance(node, SAFE_NODES), f"{where}: {type(node).__name__} is outside the safe subset"
        if isinstance(node, ast.Call):
            assert isinstance(node.func, ast.Name) and node.func.id in FUNCTIONS, (
                f"{where}: calls {ast.unparse(node.func)}, not a contract function")


def _expressions():
    for path in bpmn_files():
        root = _tree(path).getroot()
        for tag in ("conditionExpression", "loopCondition", "timeDate"):
            for element in root.iterfind(f".//bpmn:{tag}", NS):
                yield path.stem, tag, element.text
        for element in root.iterfind(".//bpmn:script", NS):
            yield path.stem, "script", element.text


@pytest.mark.parametrize("where,kind,text", list(_expressions()))
def test_conditions_and_scripts_stay_in_the_safe_subset(where, kind, text):
    if kind == "script":
        tree = ast.parse(text, mode="exec")
        for statement in tree.body:
            assert isinstance(statement, ast.Assign) and len(statement.targets) == 1 and isinstance(
                statement.targets[0], ast.Name), f"{where}: script lines are `name = expression`"
    else:
        tree = ast.parse(text, mode="eval")
    _check_expression(tree, where)


# --- the parser ----------------------------------------------------------------------------


def test_one_parser_resolves_every_call_activity_and_the_decision():
    parser = build_parser()
    subprocesses = parser.get_subprocess_specs("certificate_lifecycle")
    assert sorted(subprocesses) == sorted([*LIFECYCLE_CALLS, "negotiation_round"])
    lifecycle = parser.get_spec("certificate_lifecycle")
    called = {ts.spec for ts in lifecycle.task_specs.values() if isinstance(ts, CallActivity)}
    assert called == set(LIFECYCLE_CALLS)
    renewal = parser.get_spec("agreement_renewal")
    assert {ts.spec for ts in renewal.task_specs.values() if isinstance(ts, CallActivity)} == {
        "agreement_signing", "agreement_filing"}
    assert sorted(parser.get_subprocess_specs("agreement_renewal")) == ["agreement_filing", "agreement_signing"]


def test_loops_and_multi_instances_are_what_the_contract_says():
    negotiation, _ = specs("fee_negotiation")
    loop = negotiation.task_specs["negotiation_round"]
    assert isinstance(loop, StandardLoopTask)
    assert (loop.maximum, loop.condition, loop.test_before) == (30, 'round_outcome == "countered"', False)
    formation, _ = specs("alliance_formation")
    respond = formation.task_specs["respond_invitation"]
    assert isinstance(respond, ParallelMultiInstanceTask)
    assert (respond.data_input.bpmn_id, respond.input_item.bpmn_id) == ("invited_college_ids", "invited_college_id")
    lifecycle, _ = specs("certificate_lifecycle")
    pay = lifecycle.task_specs["call_payment"]
    assert isinstance(pay, ParallelMultiInstanceTask)
    assert isinstance(lifecycle.task_specs[pay.task_spec], CallActivity)
    assert (pay.data_input.bpmn_id, pay.input_item.bpmn_id) == ("member_college_ids", "college_id")


# --- 1. alliance formation -----------------------------------------------------------------


def _formation(domain, roundtrip, colleges=(101, 102, 103), deadline_days=7):
    run = Run("alliance_formation", {"alliance_id": ALLIANCE_ID}, domain, roundtrip)
    assert run.ready_names() == ["invite_members"]
    run.complete("invite_members", {"invited_college_ids": list(colleges),
                                    "response_deadline": iso(timedelta(days=deadline_days))})
    tasks = run.tasks("respond_invitation")
    assert sorted(t.data["invited_college_id"] for t in tasks) == sorted(colleges)
    assert {t.task_spec.lane for t in tasks} == {"college"}
    return run


def test_alliance_forms_when_all_accept(roundtrip):
    domain = Domain(accepted=3)
    run = _formation(domain, roundtrip)
    for college in (103, 101, 102):  # answers arrive in any order
        run.complete("respond_invitation", {"accepted": True}, invited_college_id=college)
    assert run.workflow.completed
    assert run.ends() == ["alliance_formed_end"]
    assert run.data["alliance_formed"] is True
    assert run.data["registration_no"] == f"LM-{ALLIANCE_ID:04d}"
    assert run.data["accepted_count"] == 3
    assert run.data["responses"] == [True, True, True]
    assert "invited_college_id" not in run.data and "accepted" not in run.data  # no instance leaks
    assert domain.called("register_alliance") == [(ALLIANCE_ID,)]


def test_alliance_is_dissolved_when_too_few_accept(roundtrip):
    domain = Domain(accepted=1)
    run = _formation(domain, roundtrip)
    run.complete("respond_invitation", {"accepted": True}, invited_college_id=101)
    run.complete("respond_invitation", {"accepted": False}, invited_college_id=102)
    run.complete("respond_invitation", {"accepted": False}, invited_college_id=103)
    assert run.ends() == ["alliance_not_formed_end"]
    assert run.data["alliance_formed"] is False and run.data["dissolved"] is True
    assert domain.called("dissolve_alliance") == [(ALLIANCE_ID,)]
    assert domain.called("register_alliance") == []


def test_two_acceptances_are_the_minimum(roundtrip):
    run = _formation(Domain(accepted=2), roundtrip, colleges=(101, 102))
    run.complete("respond_invitation", {"accepted": True}, invited_college_id=102)
    run.complete("respond_invitation", {"accepted": True}, invited_college_id=101)
    assert run.ends() == ["alliance_formed_end"]


def test_response_deadline_interrupts_the_outstanding_answers(roundtrip):
    domain = Domain(accepted=2)
    run = _formation(domain, roundtrip)
    run.complete("respond_invitation", {"accepted": True}, invited_college_id=102)
    [timer] = [e for e in run.workflow.waiting_events() if e.event_type == "TimeDateEventDefinition"]
    assert timer.value == run.tasks("respond_invitation")[0].data["response_deadline"]
    run.fire_timers()  # not due yet: nothing moves
    outstanding = run.tasks("respond_invitation")
    assert sorted(t.data["invited_college_id"] for t in outstanding) == [101, 103]
    with later(days=8):
        run.fire_timers()
    assert run.ready() == []
    # The interrupted instances are dropped from the task tree; the activity itself is CANCELLED.
    alive = {t.id for t in run.workflow.get_tasks()}
    assert not alive & {t.id for t in outstanding}
    [activity] = [t for t in run.workflow.get_tasks() if t.task_spec.name == "respond_invitation"]
    assert activity.state == TaskState.CANCELLED
    assert run.completed_specs("alliance_formation").count("response_deadline_timer") == 1
    assert run.ends() == ["alliance_formed_end"]
    # On the timer's path the data is what the boundary event held when the answers opened:
    # answers merged into the interrupted activity do not travel on. The domain counts them.
    assert "responses" not in run.data
    assert domain.called("count_accepted") == [(ALLIANCE_ID,)]


# --- 2. fee negotiation --------------------------------------------------------------------


def _screened(days=3):
    return {"training_content": "师资培训 5 天", "services": ["培训", "考核"], "turn": "alliance",
            "round_outcome": "open", "round_deadline": iso(timedelta(days=days))}


def _counter(turn, days=3):
    return {"round_outcome": "countered", "turn": turn, "round_deadline": iso(timedelta(days=days))}


def _negotiation(roundtrip, domain=None):
    run = Run("fee_negotiation", {"negotiation_id": NEGOTIATION_ID}, domain, roundtrip)
    assert run.ready_names() == ["screen_services"]
    run.complete("screen_services", _screened())
    assert run.ready_names() == ["alliance_responds"]
    return run


def _rounds(run) -> int:
    return len([t for t in run.workflow.get_tasks(state=TaskState.COMPLETED)
                if t.task_spec.bpmn_id in ("alliance_responds", "teo_responds")])


def test_negotiation_accepted_in_round_one(roundtrip):
    run = _negotiation(roundtrip)
    run.complete("alliance_responds", {"round_outcome": "accepted", "agreed_fee_fen": 25000})
    assert run.ends() == ["agreed_end"]
    assert run.data["negotiation_agreed"] is True and run.data["agreed_fee_fen"] == 25000
    assert _rounds(run) == 1


def test_negotiation_accepted_after_counter_offers(roundtrip):
    run = _negotiation(roundtrip)
    lanes = []
    for responder, turn in [("alliance_responds", "teo"), ("teo_responds", "alliance"),
                            ("alliance_responds", "teo")]:
        lanes.append(run.task(responder).task_spec.lane)
        run.complete(responder, _counter(turn))
    assert run.ready_names() == ["teo_responds"]
    run.complete("teo_responds", {"round_outcome": "accepted", "agreed_fee_fen": 26000})
    assert lanes == ["alliance_lead", "teo", "alliance_lead"]
    assert run.ends() == ["agreed_end"] and run.data["negotiation_agreed"] is True
    assert _rounds(run) == 4


@pytest.mark.parametrize("outcome,end,agreed", [("agreed", "mediated_end", True), ("failed", "failed_end", False)])
def test_rejection_goes_to_mediation(roundtrip, outcome, end, agreed):
    run = _negotiation(roundtrip)
    run.complete("alliance_responds", _counter("teo"))
    run.complete("teo_responds", {"round_outcome": "rejected"})
    [mediate] = run.ready()
    assert (mediate.task_spec.bpmn_id, mediate.task_spec.lane) == ("mediate", "reviewer")
    run.complete("mediate", {"mediation_outcome": outcome})
    assert run.ends() == [end]
    assert run.data["negotiation_agreed"] is agreed


@pytest.mark.parametrize("waiting", ["alliance_responds", "teo_responds"])
def test_round_deadline_expires_the_round_and_goes_to_mediation(roundtrip, waiting):
    domain = Domain()
    run = _negotiation(roundtrip, domain)
    if waiting == "teo_responds":
        run.complete("alliance_responds", _counter("teo", days=3))
    assert run.ready_names() == [waiting]
    with later(days=1):
        run.fire_timers()
    assert run.ready_names() == [waiting]
    with later(days=4):
        run.fire_timers()
    assert run.ready_names() == ["mediate"]
    assert run.data["round_outcome"] == "expired" and run.data["expired"] is True
    assert domain.called("close_round_expired") == [(NEGOTIATION_ID,)]
    run.complete("mediate", {"mediation_outcome": "failed"})
    assert run.ends() == ["failed_end"]


def test_longest_negotiation_thirty_countered_rounds_then_mediation(roundtrip):
    """loopMaximum=30 ends the loop after 30 countered rounds; it does not stall."""
    run = _negotiation(roundtrip)
    turn = "alliance"
    for number in range(1, 31):
        responder = f"{turn}_responds"
        assert run.ready_names() == [responder], f"round {number}"
        turn = "teo" if turn == "alliance" else "alliance"
        run.complete(responder, _counter(turn))
    assert _rounds(run) == 30
    loop = next(t for t in run.workflow.get_tasks() if t.task_spec.name == "negotiation_round")
    assert loop.state == TaskState.COMPLETED
    assert len(loop.internal_data["merged"]) == 30
    assert run.data["round_outcome"] == "countered"
    [mediate] = run.ready()
    assert (mediate.task_spec.bpmn_id, mediate.task_spec.lane) == ("mediate", "reviewer")
    run.complete("mediate", {"mediation_outcome": "agreed", "agreed_fee_fen": 24000})
    assert run.ends() == ["mediated_end"] and run.data["negotiation_agreed"] is True


# --- 3. provincial verification ------------------------------------------------------------


def _verification(roundtrip, domain, mode="computer", fee=25000):
    data = {"negotiation_id": NEGOTIATION_ID, "certificate_id": CERTIFICATE_ID, "province_id": PROVINCE_ID,
            "agreed_fee_fen": fee, "assessment_mode": mode}
    return Run("fee_verification", data, domain, roundtrip)


def _verify_jointly(run, outcome: dict) -> None:
    """Both divisions decide (会签); the second's action writes the outcome, as the domain's does."""
    decision = {"verified": "verify", "returned": "return", "rejected": "reject"}[outcome["verification_outcome"]]
    run.complete("verify_baseline", {"vocational_decision": "verify"})
    run.complete("verify_baseline_finance", {**outcome, "finance_decision": decision})


@pytest.mark.parametrize("mode", sorted(CAPS))
def test_the_2357_decision_gives_the_cap_of_each_mode(roundtrip, mode):
    domain = Domain(agreed_fee_fen=CAPS[mode])  # exactly at the cap is within it
    run = _verification(roundtrip, domain, mode, CAPS[mode])
    tasks = run.ready()
    assert sorted((t.task_spec.bpmn_id, t.task_spec.lane) for t in tasks) == [
        ("verify_baseline", "reviewer"), ("verify_baseline_finance", "provincial_finance")]
    for task in tasks:
        assert task.data["cap_fen"] == CAPS[mode] and task.data["within_cap"] is True
    assert domain.called("record_cap_check") == [(NEGOTIATION_ID, CAPS[mode])]


@pytest.mark.parametrize("outcome", ["verified", "returned", "rejected"])
def test_verification_outcomes_within_the_cap(roundtrip, outcome):
    domain = Domain(agreed_fee_fen=25000, uniformity="same")
    run = _verification(roundtrip, domain)
    task = run.task("verify_baseline")
    assert (task.data["uniformity"], task.data["cap_fen"]) == ("same", 30000)
    assert domain.called("check_uniformity") == [(CERTIFICATE_ID, PROVINCE_ID, 25000)]
    _verify_jointly(run, {"verification_outcome": outcome, "reasons": "依据 reasons"})
    assert run.ends() == [f"{outcome}_end"]
    assert run.data["verification_outcome"] == outcome


def test_both_divisions_verify_in_parallel_and_the_join_waits_for_the_second(roundtrip):
    run = _verification(roundtrip, Domain(agreed_fee_fen=25000))
    run.complete("verify_baseline_finance", {"finance_decision": "return"})
    assert run.ready_names() == ["verify_baseline"] and not run.workflow.completed
    run.complete("verify_baseline", {"vocational_decision": "verify", "verification_outcome": "returned"})
    assert run.ends() == ["returned_end"]


def test_each_division_may_consult_an_expert_and_comes_back_to_decide(roundtrip):
    run = _verification(roundtrip, Domain(agreed_fee_fen=25000))
    for asked in (1, 2, 3):
        run.complete("verify_baseline", {"vocational_decision": "consult", "vocational_opinions": asked})
        [expert] = run.tasks("expert_opinion")
        assert expert.task_spec.lane == "expert"
        run.complete("expert_opinion")
    run.complete("verify_baseline_finance", {"finance_decision": "consult", "finance_opinions": 1})
    assert sorted(run.ready_names()) == ["expert_opinion_finance", "verify_baseline"]
    run.complete("expert_opinion_finance")
    run.complete("verify_baseline_finance", {"finance_decision": "verify"})
    run.complete("verify_baseline", {"vocational_decision": "verify", "verification_outcome": "verified"})
    assert run.ends() == ["verified_end"]
    assert run.completed_specs("fee_verification").count("expert_opinion") == 3


def test_the_expert_loop_is_bounded_in_the_model(roundtrip):
    # The action refuses a fourth request (rules.EXPERT_OPINIONS_MAX); the model holds the bound too.
    run = _verification(roundtrip, Domain(agreed_fee_fen=25000))
    run.complete("verify_baseline", {"vocational_decision": "consult", "vocational_opinions": 4})
    assert run.ready_names() == ["verify_baseline_finance"]


def test_over_the_cap_is_refused_before_the_reviewer(roundtrip):
    domain = Domain(agreed_fee_fen=30001)
    run = _verification(roundtrip, domain, "computer", 30001)
    assert run.workflow.completed and run.ready() == []
    assert run.ends() == ["over_cap_end"]
    assert run.data["verification_outcome"] == "rejected" and run.data["within_cap"] is False
    assert "verify_baseline" not in run.completed_specs("fee_verification")
    assert "verify_baseline_finance" not in run.completed_specs("fee_verification")


# --- 4. signing, 5. filing -----------------------------------------------------------------


@pytest.mark.parametrize("order", [("sign_alliance", "sign_teo"), ("sign_teo", "sign_alliance")])
def test_agreement_signed_in_either_order(roundtrip, order):
    run = Run("agreement_signing", {"agreement_id": AGREEMENT_ID}, roundtrip=roundtrip)
    assert run.ready_names() == ["sign_alliance", "sign_teo"]
    assert sorted(t.task_spec.lane for t in run.ready()) == ["alliance_lead", "teo"]
    run.complete(order[0], {f"signed_by_{order[0][5:]}": True})
    assert run.ready_names() == [order[1]] and not run.workflow.completed
    run.complete(order[1], {f"signed_by_{order[1][5:]}": True})
    assert run.ends() == ["signed_end"]


@pytest.mark.parametrize("flagged,end", [(True, "supervised_end"), (False, "filed_end")])
def test_filing_flagged_or_not(roundtrip, flagged, end):
    run = Run("agreement_filing", {"agreement_id": AGREEMENT_ID}, roundtrip=roundtrip)
    run.complete("acknowledge_filing", {"flagged": flagged, "member_college_ids": [101, 102]})
    if flagged:
        assert run.ready_names() == ["record_supervision"]
        run.complete("record_supervision", {"supervision_note": "按月调度 monthly dispatch"})
    assert run.ends() == [end]


# --- 6. payment ----------------------------------------------------------------------------


def _held(college, payment_id, headcount=30):
    return {"college_id": college, "agreement_id": AGREEMENT_ID, "headcount": headcount, "payment_id": payment_id}


@pytest.mark.parametrize("delivery", ["send_event", "catch"])
def test_payment_waits_for_the_assessment_then_releases(roundtrip, delivery):
    domain = Domain(fee_fen=25000, headcounts={501: 40})
    run = Run("payment", {"college_id": 101, "agreement_id": AGREEMENT_ID}, domain, roundtrip)
    assert run.ready() == []
    [waiting] = run.waiting_messages()
    assert waiting.task_spec.bpmn_id == "assessment_held_event"
    assert waiting.workflow.correlations == {"assessment_key": {"college_id": 101, "agreement_id": AGREEMENT_ID}}
    if delivery == "send_event":
        run.send_message("assessment_held", _held(101, 501, 40))
    else:
        run.deliver_to(waiting, _held(101, 501, 40))
    task = run.task("release_payment")
    assert task.task_spec.lane == "finance"
    assert (task.data["payment_id"], task.data["headcount"], task.data["amount_fen"]) == (501, 40, 1_000_000)
    run.complete("release_payment", {"released": True, "funding": [{"source": "fiscal", "amount": "10000.00"}]})
    assert run.ends() == ["paid_end"] and run.data["released"] is True


def test_a_message_for_another_college_is_not_caught(roundtrip):
    run = Run("payment", {"college_id": 101, "agreement_id": AGREEMENT_ID}, roundtrip=roundtrip)
    with pytest.raises(WorkflowException, match="not waiting for assessment_held"):
        run.send_message("assessment_held", _held(102, 502))
    with pytest.raises(WorkflowException, match="not waiting"):
        run.send_message("assessment_held", {**_held(101, 502), "agreement_id": AGREEMENT_ID + 1})
    assert len(run.waiting_messages()) == 1 and run.ready() == []


# --- 6b. renewal after a superseded baseline ------------------------------------------------

NEW_BASELINE_ID = 88


def _renewal_start(agreement_id=AGREEMENT_ID):
    return {"agreement_id": agreement_id, "negotiation_id": NEGOTIATION_ID, "alliance_id": ALLIANCE_ID,
            "certificate_id": CERTIFICATE_ID, "province_id": PROVINCE_ID}


def _verified(province=PROVINCE_ID, certificate=CERTIFICATE_ID, baseline_id=NEW_BASELINE_ID, fee_fen=15000):
    return {"province_id": province, "certificate_id": certificate, "baseline_id": baseline_id, "fee_fen": fee_fen}


@pytest.mark.parametrize("delivery", ["send_event", "catch"])
def test_renewal_waits_for_the_new_baseline_then_signs_and_files_again(roundtrip, delivery):
    domain = Domain(baseline_fees={NEW_BASELINE_ID: 15000})
    run = Run("agreement_renewal", _renewal_start(), domain, roundtrip)
    assert run.ready() == [] and not run.workflow.completed
    [waiting] = run.waiting_messages()
    assert waiting.task_spec.bpmn_id == "baseline_verified_event"
    assert waiting.workflow.correlations == {
        "baseline_key": {"province_id": PROVINCE_ID, "certificate_id": CERTIFICATE_ID}}
    if delivery == "send_event":
        run.send_message("baseline_verified", _verified())
    else:
        run.deliver_to(waiting, _verified())
    assert domain.called("renew_agreement") == [(AGREEMENT_ID, NEW_BASELINE_ID)]
    assert run.ready_names() == ["sign_alliance", "sign_teo"]
    assert sorted(t.task_spec.lane for t in run.ready()) == ["alliance_lead", "teo"]
    assert all(t.data["agreement_id"] == AGREEMENT_ID and t.data["renewed_fee_fen"] == 15000 for t in run.ready())
    run.complete("sign_teo")
    run.complete("sign_alliance")
    [acknowledge] = run.ready()
    assert (acknowledge.task_spec.bpmn_id, acknowledge.task_spec.lane) == ("acknowledge_filing", "reviewer")
    run.complete("acknowledge_filing", {"flagged": False, "member_college_ids": MEMBERS})
    assert run.ends() == ["renewed_end"]
    assert run.ends("agreement_signing") == ["signed_end"] and run.ends("agreement_filing") == ["filed_end"]


def test_renewal_filed_again_under_supervision(roundtrip):
    run = Run("agreement_renewal", _renewal_start(), roundtrip=roundtrip)
    run.send_message("baseline_verified", _verified())
    run.complete("sign_alliance")
    run.complete("sign_teo")
    run.complete("acknowledge_filing", {"flagged": True, "member_college_ids": MEMBERS})
    run.complete("record_supervision", {"supervision_note": "新标准执行情况 the new fee in practice"})
    assert run.ends() == ["renewed_end"] and run.ends("agreement_filing") == ["supervised_end"]


def test_a_baseline_of_another_province_or_certificate_is_not_caught(roundtrip):
    domain = Domain()
    run = Run("agreement_renewal", _renewal_start(), domain, roundtrip)
    with pytest.raises(WorkflowException, match="not waiting for baseline_verified"):
        run.send_message("baseline_verified", _verified(province=PROVINCE_ID + 1))
    with pytest.raises(WorkflowException, match="not waiting"):
        run.send_message("baseline_verified", _verified(certificate=CERTIFICATE_ID + 1))
    assert len(run.waiting_messages()) == 1 and run.ready() == []
    assert domain.called("renew_agreement") == []


# --- 7. the lifecycle ----------------------------------------------------------------------


def _lifecycle_start(alliance_formed=False, mode="computer"):
    return {"alliance_id": ALLIANCE_ID, "negotiation_id": NEGOTIATION_ID, "certificate_id": CERTIFICATE_ID,
            "province_id": PROVINCE_ID, "assessment_mode": mode, "alliance_formed": alliance_formed,
            "verification_returns": 0}


def _negotiate_and_agree(run, fee=25000):
    run.complete("screen_services", _screened())
    run.complete("alliance_responds", _counter("teo"))
    run.complete("teo_responds", {"round_outcome": "accepted", "agreed_fee_fen": fee})


MEMBERS = [101, 102, 103]
PAYMENT_IDS = {101: 501, 102: 502, 103: 503}


@pytest.mark.parametrize("delivery", ["send_event", "catch"])
def test_lifecycle_end_to_end_with_a_payment_per_member_college(roundtrip, delivery):
    domain = Domain(accepted=3, agreed_fee_fen=25000, fee_fen=25000,
                    headcounts={501: 30, 502: 40, 503: 50})
    run = Run("certificate_lifecycle", _lifecycle_start(), domain, roundtrip)
    assert run.ready_names() == ["invite_members"]
    run.complete("invite_members", {"invited_college_ids": MEMBERS[1:] + [104],
                                    "response_deadline": iso(timedelta(days=7))})
    for college, yes in [(104, False), (102, True), (103, True)]:
        run.complete("respond_invitation", {"accepted": yes}, invited_college_id=college)
    assert run.ends("alliance_formation") == ["alliance_formed_end"]
    _negotiate_and_agree(run)
    assert run.ends("fee_negotiation") == ["agreed_end"]
    _verify_jointly(run, {"verification_outcome": "verified", "agreement_id": AGREEMENT_ID})
    run.complete("sign_teo")
    run.complete("sign_alliance")
    run.complete("acknowledge_filing", {"flagged": False, "member_college_ids": MEMBERS})

    # Three payment instances wait, one per member college, each correlated on its own college.
    waiting = run.waiting_messages()
    assert sorted(t.data["college_id"] for t in waiting) == MEMBERS
    assert {t.workflow.spec.name for t in waiting} == {"payment"}
    assert len({t.workflow for t in waiting}) == 3
    for college in (103, 101, 102):  # not the order the instances were created in
        payload = _held(college, PAYMENT_IDS[college])
        if delivery == "send_event":
            run.send_message("assessment_held", payload)
        else:  # what the engine does: find the waiting task by its correlation, catch there
            [task] = [t for t in run.waiting_messages() if t.data["college_id"] == college]
            run.deliver_to(task, payload)
        [task] = run.tasks("release_payment", college_id=college)
        assert task.data["payment_id"] == PAYMENT_IDS[college]
        assert task.data["assessment"] == payload
    ready = {t.data["college_id"]: (t.data["payment_id"], t.data["amount_fen"]) for t in run.ready()}
    assert ready == {101: (501, 750_000), 102: (502, 1_000_000), 103: (503, 1_250_000)}
    assert {t.task_spec.lane for t in run.ready()} == {"finance"}
    for college in (102, 103, 101):
        run.complete("release_payment", {"released": True, "funding": []}, college_id=college)
    assert run.workflow.completed
    assert run.ends() == ["lifecycle_completed_end"]
    assert run.ends("payment") == ["paid_end"] * 3
    assert domain.called("compute_payment") == [(503,), (501,), (502,)]
    if roundtrip:
        assert run.roundtrips >= 15


def test_lifecycle_skips_formation_when_the_alliance_is_formed(roundtrip):
    run = Run("certificate_lifecycle", _lifecycle_start(alliance_formed=True), roundtrip=roundtrip)
    assert run.ready_names() == ["screen_services"]
    _negotiate_and_agree(run)
    _verify_jointly(run, {"verification_outcome": "verified", "agreement_id": AGREEMENT_ID})
    run.complete("sign_alliance")
    run.complete("sign_teo")
    run.complete("acknowledge_filing", {"flagged": True, "member_college_ids": [101]})
    run.complete("record_supervision", {"supervision_note": "重点监督 watch"})
    run.send_message("assessment_held", _held(101, 501))
    run.complete("release_payment", {"released": True, "funding": []})
    assert run.ends() == ["lifecycle_completed_end"]
    assert run.completed_specs("alliance_formation") == []


def test_lifecycle_ends_when_the_alliance_is_not_formed(roundtrip):
    run = Run("certificate_lifecycle", _lifecycle_start(), Domain(accepted=1), roundtrip)
    run.complete("invite_members", {"invited_college_ids": [102], "response_deadline": iso(timedelta(days=7))})
    run.complete("respond_invitation", {"accepted": False})
    assert run.ends() == ["not_formed_end"]


def test_lifecycle_ends_when_negotiation_fails(roundtrip):
    run = Run("certificate_lifecycle", _lifecycle_start(alliance_formed=True), roundtrip=roundtrip)
    run.complete("screen_services", _screened())
    run.complete("alliance_responds", {"round_outcome": "rejected"})
    run.complete("mediate", {"mediation_outcome": "failed"})
    assert run.ends() == ["negotiation_failed_end"]


def test_lifecycle_ends_when_verification_rejects(roundtrip):
    run = Run("certificate_lifecycle", _lifecycle_start(alliance_formed=True), roundtrip=roundtrip)
    _negotiate_and_agree(run)
    _verify_jointly(run, {"verification_outcome": "rejected", "reasons": "不符 no"})
    assert run.ends() == ["verification_rejected_end"]
    assert run.domain.called("close_unverified") == [(NEGOTIATION_ID,)]


def test_lifecycle_ends_when_the_fee_is_over_the_cap(roundtrip):
    run = Run("certificate_lifecycle", _lifecycle_start(alliance_formed=True, mode="paper"),
              Domain(agreed_fee_fen=25000), roundtrip)
    _negotiate_and_agree(run, fee=25000)
    assert run.ends("fee_verification") == ["over_cap_end"]
    assert run.ends() == ["verification_rejected_end"]


def test_lifecycle_returned_then_verified(roundtrip):
    run = Run("certificate_lifecycle", _lifecycle_start(alliance_formed=True), roundtrip=roundtrip)
    _negotiate_and_agree(run, fee=28000)
    _verify_jointly(run, {"verification_outcome": "returned", "reasons": "请重新协商 renegotiate"})
    assert run.ready_names() == ["screen_services"]  # back to negotiation, from the top
    assert run.task("screen_services").data["verification_returns"] == 1
    _negotiate_and_agree(run, fee=26000)
    assert [t.data["agreed_fee_fen"] for t in run.ready()] == [26000, 26000]
    _verify_jointly(run, {"verification_outcome": "verified", "agreement_id": AGREEMENT_ID})
    assert run.ready_names() == ["sign_alliance", "sign_teo"]
    assert run.ends("fee_negotiation") == ["agreed_end", "agreed_end"]


def test_lifecycle_fails_after_three_returns(roundtrip):
    run = Run("certificate_lifecycle", _lifecycle_start(alliance_formed=True), roundtrip=roundtrip)
    for number in (1, 2, 3):
        _negotiate_and_agree(run)
        _verify_jointly(run, {"verification_outcome": "returned", "reasons": f"第 {number} 次"})
    assert run.workflow.completed and run.ready() == []
    assert run.ends() == ["too_many_returns_end"]
    assert run.domain.called("close_unverified") == [(NEGOTIATION_ID,)]
    assert run.data["verification_returns"] == 3
    assert len(run.ends("fee_negotiation")) == 3


def test_a_multi_instance_refuses_an_element_variable_already_in_the_data():
    """Why the invitation's element is `invited_college_id`: Spiff will not start a
    multi-instance whose element variable is already in the data, and the payment's element
    is `college_id`. (The invitation also collects only `accepted` into `responses`, so none
    of its instances' data flows on.)"""
    run = Run("certificate_lifecycle", {**_lifecycle_start(alliance_formed=True), "college_id": 9})
    _negotiate_and_agree(run)
    _verify_jointly(run, {"verification_outcome": "verified", "agreement_id": AGREEMENT_ID})
    run.complete("sign_alliance")
    run.complete("sign_teo")
    with pytest.raises(WorkflowDataException, match="input item college_id already exists"):
        run.complete("acknowledge_filing", {"flagged": False, "member_college_ids": MEMBERS})


def test_completed_lifecycle_json_size():
    """Report the size of a completed lifecycle (3 colleges, one counter round, no returns)."""
    run = Run("certificate_lifecycle", _lifecycle_start(), Domain(accepted=3))
    run.complete("invite_members", {"invited_college_ids": MEMBERS, "response_deadline": iso(timedelta(days=7))})
    for college in MEMBERS:
        run.complete("respond_invitation", {"accepted": True}, invited_college_id=college)
    _negotiate_and_agree(run)
    _verify_jointly(run, {"verification_outcome": "verified", "agreement_id": AGREEMENT_ID})
    run.complete("sign_alliance")
    run.complete("sign_teo")
    run.complete("acknowledge_filing", {"flagged": False, "member_college_ids": MEMBERS})
    for college in MEMBERS:
        run.send_message("assessment_held", _held(college, PAYMENT_IDS[college]))
        run.complete("release_payment", {"released": True, "funding": []}, college_id=college)
    assert run.ends() == ["lifecycle_completed_end"]
    size = run.json_size()
    print(f"\ncompleted lifecycle JSON: {size['full']} bytes with specs, {size['state']} bytes of state")
    assert size["state"] < 200_000


# --- complaint ---------------------------------------------------------------------------

COMPLAINT_ID, TEO_ID = 5, 9


def _complaint(roundtrip, outcome="accepted"):
    run = Run("complaint", {"complaint_id": COMPLAINT_ID, "teo_id": TEO_ID}, Domain(), roundtrip)
    assert run.ready_names() == ["investigate_complaint"]
    assert run.task("investigate_complaint").task_spec.lane == "ministry"
    data = {"investigation_outcome": outcome}
    if outcome == "accepted":
        data["answer_deadline"] = iso(timedelta(days=14))
    run.complete("investigate_complaint", data)
    return run


def test_a_complaint_dismissed_as_unfounded_ends_at_investigation(roundtrip):
    run = _complaint(roundtrip, "dismissed")
    assert run.workflow.completed and run.ends() == ["unfounded_end"]


@pytest.mark.parametrize("outcome, end", [("measure", "measure_end"), ("dismissed", "dismissed_end")])
def test_a_complaint_answered_by_the_teo_is_decided_by_the_ministry(roundtrip, outcome, end):
    run = _complaint(roundtrip)
    assert run.task("answer_complaint").task_spec.lane == "teo"
    run.complete("answer_complaint", {"answered": True})
    assert run.ready_names() == ["decide_complaint"]
    run.complete("decide_complaint", {"complaint_outcome": outcome})
    assert run.ends() == [end]


def test_the_answer_deadline_passes_and_the_ministry_decides_without_a_statement(roundtrip):
    run = _complaint(roundtrip)
    run.fire_timers()  # not due yet
    assert run.ready_names() == ["answer_complaint"]
    with later(15):
        run.fire_timers()
        assert run.ready_names() == ["decide_complaint"]
        run.complete("decide_complaint", {"complaint_outcome": "measure"})
    assert run.ends() == ["measure_end"] and "answered" not in run.data
