"""Spiff runs gateway conditions, script tasks, timers and DMN cells through the evaluator."""

from datetime import UTC, datetime, timedelta
from xml.sax.saxutils import escape

import pytest
from SpiffWorkflow import TaskState
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser

from bpmn import scripting
from bpmn.scripting import SafeEnvironment, SafeScriptEngine, make_script_engine, register_function

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SPIFF = "http://spiffworkflow.org/bpmn/schema/1.0/core"
DMN = "https://www.omg.org/spec/DMN/20191111/MODEL/"


def definitions(process: str) -> str:
    return (
        f'<bpmn:definitions xmlns:bpmn="{BPMN}" xmlns:xsi="{XSI}" xmlns:spiffworkflow="{SPIFF}"'
        f' id="defs" targetNamespace="http://example.org/test">{process}</bpmn:definitions>'
    )


def flow(flow_id: str, source: str, target: str, condition: str | None = None) -> str:
    body = ""
    if condition is not None:
        body = (
            '<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">'
            f"{escape(condition)}</bpmn:conditionExpression>"
        )
    ends = f'id="{flow_id}" sourceRef="{source}" targetRef="{target}"'
    return f"<bpmn:sequenceFlow {ends}>{body}</bpmn:sequenceFlow>"


def script_task(task_id: str, script: str) -> str:
    body = f"<bpmn:script>{escape(script)}</bpmn:script>"
    return f'<bpmn:scriptTask id="{task_id}">{body}</bpmn:scriptTask>'


def routing_process(high_condition: str, low_condition: str) -> str:
    """Start -> compute fee -> gateway -> mark high | mark low -> end."""
    return definitions(
        '<bpmn:process id="fee_route" isExecutable="true">'
        '<bpmn:startEvent id="start"/>'
        + script_task("compute_fee", "fee = standard_fee(students)")
        + '<bpmn:exclusiveGateway id="route"/>'
        + script_task("mark_high", "branch = 'high'")
        + script_task("mark_low", "branch = 'low'")
        + '<bpmn:endEvent id="end_high"/><bpmn:endEvent id="end_low"/>'
        + flow("f1", "start", "compute_fee")
        + flow("f2", "compute_fee", "route")
        + flow("to_high", "route", "mark_high", high_condition)
        + flow("to_low", "route", "mark_low", low_condition)
        + flow("f3", "mark_high", "end_high")
        + flow("f4", "mark_low", "end_low")
        + "</bpmn:process>"
    )


def workflow_for(bpmn: str, process_id: str, data: dict, dmn: str | None = None, engine=None):
    parser = SpiffBpmnParser()
    parser.add_bpmn_str(bpmn.encode())
    if dmn is not None:
        parser.add_dmn_str(dmn.encode())
    workflow = BpmnWorkflow(
        parser.get_spec(process_id), script_engine=engine or make_script_engine()
    )
    workflow.get_next_task(state=TaskState.READY).data.update(data)
    return workflow


def completed(workflow: BpmnWorkflow) -> set[str]:
    return {task.task_spec.name for task in workflow.get_tasks(state=TaskState.COMPLETED)}


def final_data(workflow: BpmnWorkflow) -> dict:
    ends = [
        t
        for t in workflow.get_tasks(state=TaskState.COMPLETED)
        if t.task_spec.name.startswith("end")
    ]
    return ends[0].data


@pytest.fixture
def standard_fee(monkeypatch):
    """Register `standard_fee(students)` for the duration of a test."""
    monkeypatch.setattr(scripting, "_FUNCTIONS", dict(scripting._FUNCTIONS))
    register_function("standard_fee", lambda students: students * 25)


# --- registry --------------------------------------------------------------------------------


def test_registry_refuses_dangerous_or_private_names():
    for name in ["open", "_helper", "not an identifier"]:
        with pytest.raises(ValueError):
            register_function(name, len)


def test_make_script_engine_uses_the_safe_environment():
    engine = make_script_engine()
    assert isinstance(engine, SafeScriptEngine)
    assert isinstance(engine.environment, SafeEnvironment)


# --- gateways and script tasks ---------------------------------------------------------------


@pytest.mark.parametrize(("students", "branch"), [(50, "high"), (10, "low")])
def test_gateway_takes_the_branch_whose_condition_holds(standard_fee, students, branch):
    workflow = workflow_for(
        routing_process("fee >= 1000", "fee < 1000"), "fee_route", {"students": students}
    )
    workflow.do_engine_steps()
    assert workflow.is_completed()
    assert f"mark_{branch}" in completed(workflow)
    assert final_data(workflow)["fee"] == students * 25
    assert final_data(workflow)["branch"] == branch


def test_gateway_condition_with_chained_comparison_and_in(standard_fee):
    process = routing_process(
        "500 <= fee < 2000 and region in ['east', 'west']", "not (500 <= fee < 2000)"
    )
    workflow = workflow_for(process, "fee_route", {"students": 40, "region": "east"})
    workflow.do_engine_steps()
    assert final_data(workflow)["branch"] == "high"


def test_gateway_condition_escaping_via_attribute_raises_bilingual_error(standard_fee):
    workflow = workflow_for(
        routing_process("().__class__", "fee < 1000"), "fee_route", {"students": 50}
    )
    with pytest.raises(WorkflowTaskException) as caught:
        workflow.do_engine_steps()
    message = str(caught.value)
    assert "表达式不允许访问属性 / attribute access is not allowed in expressions" in message
    assert "__class__" in message
    assert caught.value.error_type == "UnsafeExpression"


def test_script_task_escaping_via_attribute_raises_bilingual_error_with_line():
    process = definitions(
        '<bpmn:process id="p" isExecutable="true"><bpmn:startEvent id="start"/>'
        + script_task("evil", "a = 1\nb = ().__class__.__base__")
        + '<bpmn:endEvent id="end"/>'
        + flow("f1", "start", "evil")
        + flow("f2", "evil", "end")
        + "</bpmn:process>"
    )
    workflow = workflow_for(process, "p", {})
    with pytest.raises(WorkflowTaskException) as caught:
        workflow.do_engine_steps()
    assert "表达式不允许访问属性 / attribute access is not allowed" in str(caught.value)
    assert caught.value.error_line == "b = ().__class__.__base__"
    assert caught.value.line_number == 2


def test_script_task_calling_unregistered_function_is_refused():
    process = routing_process("fee >= 1000", "fee < 1000")  # standard_fee is not registered
    workflow = workflow_for(process, "fee_route", {"students": 50})
    with pytest.raises(
        WorkflowTaskException, match="only registered functions may be called: standard_fee"
    ):
        workflow.do_engine_steps()


def test_gateway_condition_missing_name_names_it_bilingually(standard_fee):
    workflow = workflow_for(
        routing_process("budget > 0", "fee < 1000"), "fee_route", {"students": 50}
    )
    with pytest.raises(WorkflowTaskException, match="名称未定义 / name is not defined: budget"):
        workflow.do_engine_steps()


# --- timers ----------------------------------------------------------------------------------


def timer_process(definition: str) -> str:
    return definitions(
        '<bpmn:process id="wait" isExecutable="true"><bpmn:startEvent id="start"/>'
        f'<bpmn:intermediateCatchEvent id="deadline"><bpmn:timerEventDefinition>{definition}'
        "</bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>"
        + script_task("after", "late = True")
        + '<bpmn:endEvent id="end"/>'
        + flow("f1", "start", "deadline")
        + flow("f2", "deadline", "after")
        + flow("f3", "after", "end")
        + "</bpmn:process>"
    )


def test_time_date_timer_reads_iso_string_from_task_data():
    deadline = (datetime.now(UTC) + timedelta(days=3)).isoformat()
    workflow = workflow_for(
        timer_process("<bpmn:timeDate>response_deadline</bpmn:timeDate>"),
        "wait",
        {"response_deadline": deadline},
    )
    workflow.do_engine_steps()
    assert not workflow.is_completed()
    assert [event.value for event in workflow.waiting_events()] == [deadline]


def test_time_date_timer_in_the_past_fires():
    deadline = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    workflow = workflow_for(
        timer_process("<bpmn:timeDate>response_deadline</bpmn:timeDate>"),
        "wait",
        {"response_deadline": deadline},
    )
    workflow.do_engine_steps()
    workflow.refresh_timers()
    workflow.do_engine_steps()
    assert workflow.is_completed()


def test_time_duration_timer_accepts_a_quoted_iso_duration():
    workflow = workflow_for(
        timer_process('<bpmn:timeDuration>"P3D"</bpmn:timeDuration>'), "wait", {}
    )
    workflow.do_engine_steps()
    (event,) = workflow.waiting_events()
    due = datetime.fromisoformat(event.value)
    assert timedelta(days=2, hours=23) < due - datetime.now(UTC) <= timedelta(days=3)


def test_unsafe_timer_expression_is_refused():
    workflow = workflow_for(
        timer_process("<bpmn:timeDate>().__class__</bpmn:timeDate>"), "wait", {}
    )
    with pytest.raises(WorkflowTaskException, match="attribute access is not allowed"):
        workflow.do_engine_steps()


# --- DMN -------------------------------------------------------------------------------------


def decision(output_entry: str = "standard_fee(students)") -> str:
    """A fee table: paper certificates over 30 students use the standard fee."""

    def rule(rule_id: str, fee_type: str, students: str, fee: str) -> str:
        entries = "".join(
            f'<inputEntry id="{rule_id}_in{i}"><text>{escape(text)}</text></inputEntry>'
            for i, text in enumerate([fee_type, students])
        )
        return (
            f'<rule id="{rule_id}">{entries}'
            f'<outputEntry id="{rule_id}_out"><text>{escape(fee)}</text></outputEntry></rule>'
        )

    return (
        f'<definitions xmlns="{DMN}" id="dmn_defs" name="fees" namespace="http://example.org/test">'
        '<decision id="fee_decision" name="Fee"><decisionTable id="fee_table">'
        '<input id="in_type" label="Type"><inputExpression id="ie_type" typeRef="string">'
        "<text>fee_type</text></inputExpression></input>"
        '<input id="in_students" label="Students">'
        '<inputExpression id="ie_students" typeRef="integer">'
        "<text>students</text></inputExpression></input>"
        '<output id="out_fee" label="Fee" name="fee" typeRef="integer"/>'
        + rule("r1", '"paper"', "> 30", output_entry)
        + rule("r2", '"paper"', "? <= 30", "100")
        + rule("r3", "-", "-", "0")
        + "</decisionTable></decision></definitions>"
    )


def decision_process() -> str:
    return definitions(
        '<bpmn:process id="decide" isExecutable="true"><bpmn:startEvent id="start"/>'
        '<bpmn:businessRuleTask id="fee_rule"><bpmn:extensionElements>'
        "<spiffworkflow:calledDecisionId>fee_decision</spiffworkflow:calledDecisionId>"
        "</bpmn:extensionElements></bpmn:businessRuleTask>"
        '<bpmn:endEvent id="end"/>'
        + flow("f1", "start", "fee_rule")
        + flow("f2", "fee_rule", "end")
        + "</bpmn:process>"
    )


class RecordingEnvironment(SafeEnvironment):
    """A safe environment that remembers every expression Spiff hands it."""

    def __init__(self):
        super().__init__()
        self.seen = []

    def evaluate(self, expression, context, external_context=None):
        self.seen.append((expression, sorted(external_context or {})))
        return super().evaluate(expression, context, external_context)


def _expressions_seen_deciding(data: dict) -> list:
    """Run the decision process on `data`; return each expression Spiff handed the environment."""
    engine = make_script_engine()
    engine.environment = RecordingEnvironment()
    workflow = workflow_for(decision_process(), "decide", data, dmn=decision(), engine=engine)
    workflow.do_engine_steps()
    return engine.environment.seen


@pytest.mark.parametrize(
    ("fee_type", "students", "fee"),
    [("paper", 40, 1000), ("paper", 20, 100), ("online", 40, 0)],
)
def test_dmn_table_decides_through_safe_environment(standard_fee, fee_type, students, fee):
    workflow = workflow_for(
        decision_process(), "decide", {"fee_type": fee_type, "students": students}, dmn=decision()
    )
    workflow.do_engine_steps()
    assert workflow.is_completed()
    assert final_data(workflow)["fee"] == fee


def test_dmn_cells_reach_the_environment_as_these_python_strings(standard_fee):
    seen = _expressions_seen_deciding({"fee_type": "paper", "students": 40})
    assert seen == [
        ('(fee_type) == ("paper")', []),  # a literal cell becomes an equality
        ("students> 30", []),  # an operator cell is glued onto the input expression
        ("standard_fee(students)", []),  # output cells are evaluated as written
    ]


def test_dmn_question_mark_cell_passes_input_as_external_context(standard_fee):
    seen = _expressions_seen_deciding({"fee_type": "paper", "students": 20})
    assert ("students", []) in seen
    assert ("dmninputexpr <= 30", ["dmninputexpr"]) in seen


def test_unsafe_dmn_cell_is_refused_with_bilingual_message():
    workflow = workflow_for(
        decision_process(),
        "decide",
        {"fee_type": "paper", "students": 40},
        dmn=decision(output_entry="().__class__.__subclasses__()"),
    )
    with pytest.raises(WorkflowTaskException) as caught:
        workflow.do_engine_steps()
    assert "表达式不允许访问属性 / attribute access is not allowed" in str(caught.value)
