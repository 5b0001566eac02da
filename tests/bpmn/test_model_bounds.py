"""A model cannot exhaust the engine: what is seen in its files is refused at deploy, the rest when it runs.

Deploy refuses constants that break the evaluator's bounds and loops without a bound; a start or
step whose evaluations break a bound, or whose state would pass MAX_STATE_CHARS, is refused and
stores nothing.
"""

import shutil
from pathlib import Path

import pytest
from SpiffWorkflow.exceptions import WorkflowException

from bpmn import engine, model_checks, parser, serializer
from bpmn.errors import ModelValidationError, StateTooLarge
from bpmn.models import AuditEntry, ProcessDefinition, ProcessInstance

pytestmark = pytest.mark.django_db

REPORTED = "str(sorted(str(sorted(str(sorted(SOURCE))))))"

# One script task, then a gateway that may send the flow back to it; SCRIPT, LOOP and AGAIN are filled in.
MODEL = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="exhaust_definitions"
    targetNamespace="http://xcert.example/bpmn">
  <bpmn:process id="exhaust" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:scriptTask id="work" scriptFormat="python">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      LOOP
      <bpmn:script>SCRIPT</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:exclusiveGateway id="again" default="f4">
      <bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing><bpmn:outgoing>f4</bpmn:outgoing>
    </bpmn:exclusiveGateway>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work"/>
    <bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="again"/>
    <bpmn:sequenceFlow id="f3" sourceRef="again" targetRef="work">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">AGAIN</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f4" sourceRef="again" targetRef="end"/>
    <bpmn:endEvent id="end"><bpmn:incoming>f4</bpmn:incoming></bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>
"""


def models_with(tmp_path: Path, script: str, loop: str = "", again: str = "False") -> Path:
    models = tmp_path / "models"
    shutil.copytree(parser.PROCESS_DIR, models)
    text = MODEL.replace("SCRIPT", script).replace("LOOP", loop).replace("AGAIN", again)
    (models / "exhaust.bpmn").write_text(text, encoding="utf-8")
    return models


def refused_deploy(models: Path) -> str:
    with pytest.raises(ModelValidationError) as refusal:
        engine.deploy(models)
    assert ProcessDefinition.objects.count() == 0
    return refusal.value.message


def refused_start(models: Path, data: dict, error=WorkflowException) -> Exception:
    engine.deploy(models)
    with pytest.raises(error) as refusal:
        engine.start("exhaust", business_key="x", data=data)
    assert ProcessInstance.objects.count() == 0 and AuditEntry.objects.count() == 0
    return refusal.value


# --- at deploy -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("script", "bound"),
    [
        (f"t = {REPORTED.replace('SOURCE', repr('a') + ' * 100000')}", "sorted() would produce more than 100000 items"),
        ("t = 'a' * 10**9", "repetition would produce more than 100000 items"),
        ("t = 9**9**9", "power result would exceed 10**100"),
        ("t = [0] * 10**9", "repetition would produce more than 100000 items"),
        ("t = " + "[" * 70 + "]" * 70, "nests deeper than 64 levels"),
        ("t = " + repr("a" * 1001), "string literal is longer than 1000 characters"),
    ],
    ids=["reported", "string_repetition", "power_tower", "list_repetition", "deep_nesting", "long_literal"],
)
def test_a_script_whose_constants_break_a_bound_is_refused_at_deploy(tmp_path, script, bound):
    message = refused_deploy(models_with(tmp_path, script.replace("'", "&apos;")))
    assert "model has an unsafe expression: exhaust.bpmn, process exhaust, element work (script)" in message
    assert bound in message


def test_a_condition_whose_constants_break_a_bound_is_refused_at_deploy(tmp_path):
    message = refused_deploy(models_with(tmp_path, "n = 1", again="len(&apos;a&apos; * 10**9) &gt; 0"))
    assert "element again (condition to work)" in message and "repetition would produce" in message


@pytest.mark.parametrize(
    ("loop", "found"),
    [
        (
            '<bpmn:standardLoopCharacteristics><bpmn:loopCondition xsi:type="bpmn:tFormalExpression">'
            "True</bpmn:loopCondition></bpmn:standardLoopCharacteristics>",
            "None",
        ),
        ('<bpmn:standardLoopCharacteristics loopMaximum="100000"/>', "100000"),
    ],
    ids=["no_maximum", "maximum_too_high"],
)
def test_a_standard_loop_without_a_bounded_maximum_is_refused_at_deploy(tmp_path, loop, found):
    message = refused_deploy(models_with(tmp_path, "n = 1", loop=loop))
    assert "model has an unbounded loop: exhaust.bpmn, process exhaust, element work" in message
    assert f"loopMaximum must be 1 to {model_checks.MAX_LOOP_ROUNDS}, it is {found}" in message


def test_a_multi_instance_of_a_million_is_refused_at_deploy(tmp_path):
    loop = (
        '<bpmn:multiInstanceLoopCharacteristics isSequential="true"><bpmn:loopCardinality '
        'xsi:type="bpmn:tFormalExpression">10**6</bpmn:loopCardinality></bpmn:multiInstanceLoopCharacteristics>'
    )
    message = refused_deploy(models_with(tmp_path, "n = 1", loop=loop))
    assert f"loopCardinality may be at most {model_checks.MAX_INSTANCES}, it is 1000000" in message


def test_the_real_models_loops_are_within_the_bounds():
    model_checks.check_models(parser.read_model_files())


# --- when it runs --------------------------------------------------------------------------


def test_the_reported_script_over_task_data_refuses_the_start_and_stores_nothing(tmp_path):
    models = models_with(tmp_path, f"t = {REPORTED.replace('SOURCE', 's')}")
    message = str(refused_start(models, {"s": "a" * 100_000}))
    assert "sorted() would produce more than 100000 items" in message


def test_a_loop_drawn_as_a_back_edge_is_refused_by_the_budget_of_one_step(tmp_path):
    # Without the budget SpiffWorkflow runs about 333 rounds, then stalls silently with nothing ready.
    message = str(refused_start(models_with(tmp_path, "n = n + 1", again="n &lt; 1000000"), {"n": 0}))
    assert "evaluations of one process step exceeded the budget of 1000000 steps" in message


def test_a_step_that_would_store_more_than_the_state_bound_is_refused_and_stores_nothing(tmp_path, monkeypatch):
    # Each round keeps its own 20,000 characters in its task's data: 30 rounds store about 600,000,
    # within the steps of one process step; the bound is set to 200,000 to be reached by this model.
    monkeypatch.setattr(serializer, "MAX_STATE_CHARS", 200_000)
    loop = '<bpmn:standardLoopCharacteristics loopMaximum="30"/>'
    models = models_with(tmp_path, "blob = s + str(n)\nn = n + 1", loop=loop)
    refusal = refused_start(models, {"s": "a" * 20_000, "n": 0}, StateTooLarge)
    assert refusal.code == "state_too_large"
    assert refusal.params["limit"] == "200,000"
    assert int(refusal.params["size"].replace(",", "")) > 200_000


def test_start_data_beyond_the_state_bound_is_refused():
    engine.deploy()
    data = {"negotiation_id": 1, "note": "a" * serializer.MAX_STATE_CHARS}
    with pytest.raises(StateTooLarge):
        engine.start("agreement_filing", business_key="x", data=data)
    assert ProcessInstance.objects.count() == 0


def test_a_state_within_the_bound_is_stored(tmp_path):
    loop = '<bpmn:standardLoopCharacteristics loopMaximum="30"/>'
    engine.deploy(models_with(tmp_path, "blob = s + str(n)\nn = n + 1", loop=loop))
    instance = engine.start("exhaust", business_key="x", data={"s": "a" * 20_000, "n": 0})
    assert instance.status == ProcessInstance.Status.COMPLETED
    assert len(instance.state) <= serializer.MAX_STATE_CHARS
