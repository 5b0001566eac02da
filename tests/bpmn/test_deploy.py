"""Deploy refuses a model with an unsafe expression, storing nothing; redeploying older files rolls back."""
import shutil
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from SpiffWorkflow.util.task import TaskState

from bpmn import caches, engine, model_checks, parser
from bpmn.errors import ModelValidationError
from bpmn.management.commands.deploy_processes import Command as DeployCommand
from bpmn.models import ProcessDefinition, ProcessInstance
from workflows import caps

pytestmark = pytest.mark.django_db

UNSAFE = "模型含不安全的表达式 / model has an unsafe expression"
T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
LABEL_A, LABEL_B = "Acknowledge the filing", "Acknowledge the filing (new)"

# (file, text in the real model, replacement, element named in the refusal, owner, reason)
BAD_MODELS = {
    "gateway_condition": (
        "agreement_filing.bpmn", "flagged == True", "().__class__.__base__.__subclasses__()",
        "flagged_gateway", "process agreement_filing", "attribute access is not allowed",
    ),
    "script_task": (
        "alliance_formation.bpmn", "accepted_count = count_accepted(alliance_id)",
        "accepted_count = __import__('os')",
        "tally_responses", "process alliance_formation", "names starting with an underscore",
    ),
    "dmn_output_cell": (
        "decisions/assessment_fee_cap.dmn", "<text>20000</text>", "<text>open('/etc/passwd')</text>",
        "rule_paper_out", "decision assessment_fee_cap", "this name is not allowed: open",
    ),
    "dmn_input_cell": (
        "decisions/assessment_fee_cap.dmn", '<text>"computer"</text>', "<text>open('/etc/passwd')</text>",
        "rule_computer_in", "decision assessment_fee_cap", "this name is not allowed: open",
    ),
    "timer": (
        "alliance_formation.bpmn", ">response_deadline</bpmn:timeDate>",
        ">response_deadline.__class__</bpmn:timeDate>",
        "response_deadline_timer", "process alliance_formation", "attribute access is not allowed",
    ),
    "loop_condition": (
        "fee_negotiation.bpmn", '>round_outcome == "countered"</bpmn:loopCondition>',
        ">[r for r in rounds]</bpmn:loopCondition>",
        "negotiation_round", "process fee_negotiation", "comprehensions are not allowed",
    ),
    "multi_instance_completion": (
        "alliance_formation.bpmn", '<bpmn:outputDataItem id="accepted" name="accepted"/>',
        '<bpmn:outputDataItem id="accepted" name="accepted"/>\n'
        '        <bpmn:completionCondition xsi:type="bpmn:tFormalExpression">globals()</bpmn:completionCondition>',
        "respond_invitation", "process alliance_formation", "this name is not allowed: globals",
    ),
    "correlation_retrieval": (
        "payment.bpmn", "<bpmn:messagePath>college_id</bpmn:messagePath>",
        "<bpmn:messagePath>(lambda: college_id)()</bpmn:messagePath>",
        "assessment_held_event", "process payment", "only functions named directly may be called",
    ),
}


def models_copy(tmp_path: Path, name: str = "models") -> Path:
    target = tmp_path / name
    shutil.copytree(parser.PROCESS_DIR, target)
    return target


def rewrite(models: Path, file: str, old: str, new: str) -> None:
    path = models / file
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {file}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def deploy_at(models: Path, hours: int) -> list[ProcessDefinition]:
    with time_machine.travel(T0 + timedelta(hours=hours), tick=False):
        return engine.deploy(models)


# --- refusals ------------------------------------------------------------------------------


def test_the_real_models_deploy_cleanly_and_every_kind_of_expression_is_checked():
    sources = parser.read_model_files()
    whats = {expression.what.split(" ")[0] for expression in model_checks.model_expressions(sources)}
    assert {"condition", "script", "input", "output", "TimeDateEventDefinition", "loop/completion",
            "correlation", "process"} <= whats
    deployed = engine.deploy()
    assert sorted(d.process_id for d in deployed) == parser.process_ids(sources)
    assert ProcessDefinition.objects.count() == len(deployed)


@pytest.mark.parametrize("case", BAD_MODELS.values(), ids=BAD_MODELS.keys())
def test_unsafe_expression_refuses_the_whole_deploy_naming_file_and_element(deployed, tmp_path, case):
    file, old, new, element, owner, reason = case
    models = models_copy(tmp_path)
    rewrite(models, file, old, new)
    before = ProcessDefinition.objects.count()
    with pytest.raises(ModelValidationError) as refusal:
        engine.deploy(models)
    message = refusal.value.message
    assert message.startswith(UNSAFE)  # our check, not the schema validation
    assert f"{file}, {owner}, element {element} " in message and reason in message
    assert ProcessDefinition.objects.count() == before
    assert engine.latest_definition("agreement_filing") in deployed


def test_a_condition_that_is_not_python_is_refused_as_invalid(tmp_path):
    models = models_copy(tmp_path)
    rewrite(models, "agreement_filing.bpmn", "flagged == True", "flagged ==")
    with pytest.raises(ModelValidationError, match="model has an invalid expression: agreement_filing.bpmn"):
        engine.deploy(models)
    assert ProcessDefinition.objects.count() == 0


def test_deploy_command_prints_the_refusal_and_exits_non_zero(tmp_path, capsys, monkeypatch):
    # run_from_argv closes every connection when it ends; with PostgreSQL's pool that hands the
    # test's open transaction back to the pool, which rolls it back under the test.
    monkeypatch.setattr("django.core.management.base.connections.close_all", lambda: None)
    models = models_copy(tmp_path)
    rewrite(models, *BAD_MODELS["script_task"][:3])
    with pytest.raises(CommandError, match="tally_responses"):
        call_command("deploy_processes", directory=models)
    with pytest.raises(SystemExit) as exit_:
        DeployCommand().run_from_argv(["manage.py", "deploy_processes", "--directory", str(models)])
    assert exit_.value.code != 0
    err = capsys.readouterr().err
    assert UNSAFE in err and "alliance_formation.bpmn" in err and "Traceback" not in err
    assert ProcessDefinition.objects.count() == 0


def test_deploy_command_lists_the_versions_it_deployed(capsys):
    call_command("deploy_processes")
    assert "agreement_filing v1 " in capsys.readouterr().out


# --- rollback ------------------------------------------------------------------------------


def test_redeploying_earlier_files_makes_them_latest_again_and_running_instances_keep_theirs(tmp_path):
    a = models_copy(tmp_path, "a")
    b = models_copy(tmp_path, "b")
    rewrite(b, "agreement_filing.bpmn", LABEL_A, LABEL_B)
    rewrite(b, "decisions/assessment_fee_cap.dmn", "<text>20000</text>", "<text>25000</text>")

    first = {d.process_id: d for d in deploy_at(a, 0)}
    assert caps.cap_for("paper") == Decimal("200.00")
    second = {d.process_id: d for d in deploy_at(b, 1)}
    assert second["agreement_filing"].version == 2
    assert caps.cap_for("paper") == Decimal("250.00")
    on_b = engine.start("agreement_filing", business_key="on-b", data={})
    rows = ProcessDefinition.objects.count()

    again = {d.process_id: d for d in deploy_at(a, 2)}
    assert ProcessDefinition.objects.count() == rows  # no new row: the old one is latest again
    assert again["agreement_filing"].pk == first["agreement_filing"].pk
    latest = engine.latest_definition("agreement_filing")
    assert (latest.pk, latest.version, latest.deployed_at) == (first["agreement_filing"].pk, 1, T0 + timedelta(hours=2))
    assert caps.cap_for("paper") == Decimal("200.00")

    on_a = engine.start("agreement_filing", business_key="on-a", data={})
    assert on_a.definition.version == 1
    assert on_a.open_tasks.get().label == LABEL_A
    on_b = ProcessInstance.objects.get(pk=on_b.pk)
    assert on_b.definition.version == 2
    assert on_b.open_tasks.get().label == LABEL_B
    caches.drop_all()  # restored cold, from its row: still B's model
    [ready] = engine.workflow_of(on_b).get_tasks(state=TaskState.READY, manual=True)
    assert ready.task_spec.bpmn_name == LABEL_B


def test_redeploying_the_latest_files_adds_nothing_and_refreshes_deployed_at(tmp_path):
    a = models_copy(tmp_path)
    first = deploy_at(a, 0)
    again = deploy_at(a, 5)
    assert [d.pk for d in again] == [d.pk for d in first]
    assert {d.deployed_at for d in ProcessDefinition.objects.all()} == {T0 + timedelta(hours=5)}
