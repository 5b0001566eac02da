"""Model files are data from outside: hostile XML is refused; deploys are versioned; state is exact."""
import json
import shutil
from decimal import Decimal

import pytest
from django.core.management import call_command

from bpmn import checks, engine, model_checks, parser, serializer
from bpmn.errors import ModelValidationError
from bpmn.hooks import HOOKS
from bpmn.models import ProcessDefinition, ProcessInstance
from bpmn.xml import MAX_MODEL_BYTES, parse_model_xml

XXE = """<?xml version="1.0"?>
<!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">&xxe;</bpmn:definitions>"""

BOMB = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">&lol3;</bpmn:definitions>"""


@pytest.mark.parametrize("text", [XXE, BOMB], ids=["xxe", "entity_bomb"])
def test_entity_models_are_refused_with_a_validation_error_and_no_file_content(text):
    with pytest.raises(ModelValidationError) as refusal:
        parse_model_xml(text, "evil.bpmn")
    assert "DOCTYPE" in refusal.value.message and "/" in refusal.value.message
    assert "root:" not in refusal.value.message


def test_malformed_and_oversized_models_are_refused():
    with pytest.raises(ModelValidationError, match="not well-formed"):
        parse_model_xml("<bpmn:definitions", "broken.bpmn")
    with pytest.raises(ModelValidationError, match="too large"):
        parse_model_xml("<a>" + "x" * MAX_MODEL_BYTES + "</a>", "huge.bpmn")


def test_schema_invalid_model_is_refused_by_the_parser():
    text = ('<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">'
            '<bpmn:process id="p" isExecutable="true"><bpmn:bogus id="x"/></bpmn:process></bpmn:definitions>')
    with pytest.raises(ModelValidationError, match="BPMN/DMN"):
        parser.build_parser({"bad.bpmn": text})


@pytest.mark.django_db
def test_deploying_a_hostile_file_creates_no_definition(tmp_path):
    shutil.copytree(parser.PROCESS_DIR, tmp_path / "models")
    (tmp_path / "models" / "evil.bpmn").write_text(XXE)
    with pytest.raises(ModelValidationError):
        engine.deploy(tmp_path / "models")
    assert ProcessDefinition.objects.count() == 0


@pytest.mark.django_db
def test_unchanged_deploy_adds_no_version_and_a_changed_file_adds_one(world, tmp_path):
    from tests.workflows.walk import Walk

    walk = Walk()
    assert {d.version for d in engine.deploy()} == {1}
    models = tmp_path / "models"
    shutil.copytree(parser.PROCESS_DIR, models)
    signing = models / "agreement_signing.bpmn"
    signing.write_text(signing.read_text(encoding="utf-8").replace("签署协议", "签署合作协议"), encoding="utf-8")
    assert {d.version for d in engine.deploy(models)} == {2}
    old = walk.instance
    assert old.definition.version == 1
    walk.form()  # the running instance continues on its own version
    assert walk.instance.definition.version == 1 and walk.tasks("screen_services")
    newer = Walk(lead="college_42_2", invite=("college_42_3",))
    assert newer.instance.definition.version == 2


def test_state_keeps_decimal_exact_and_is_plain_json():
    sources = parser.read_model_files()
    spec, subprocess_specs = parser.load_specs("agreement_signing", sources)
    from SpiffWorkflow.bpmn import BpmnWorkflow

    workflow = BpmnWorkflow(spec, subprocess_specs, script_engine=engine.script_engine())
    workflow.data["fee"] = Decimal("123.45")
    workflow.get_next_task().data["fee"] = Decimal("199.99")
    text = serializer.dump_state(workflow)
    json.loads(text)
    restored = serializer.load_state(text, serializer.STATE_FORMAT, spec, subprocess_specs)
    assert restored.data["fee"] == Decimal("123.45") and isinstance(restored.data["fee"], Decimal)
    assert restored.get_next_task().data["fee"] == Decimal("199.99")


def test_state_upgrades_run_in_order(monkeypatch):
    monkeypatch.setattr(serializer, "STATE_FORMAT", 3)
    monkeypatch.setattr(serializer, "UPGRADES", {1: lambda s: {**s, "a": 1}, 2: lambda s: {**s, "b": s["a"] + 1}})
    assert serializer.upgrade({}, 1) == {"a": 1, "b": 2}


def test_every_user_task_of_every_model_is_bound_to_an_action():
    tasks = checks.user_tasks()
    assert len(tasks) >= 12
    missing = [t for t in tasks if t not in HOOKS.actions]
    assert missing == []
    assert all(callable(HOOKS.actions[t]) for t in tasks)


def test_system_checks_pass_and_name_their_ids(settings, monkeypatch):
    call_command("check")
    settings.TIME_ZONE = "Asia/Shanghai"
    assert [e.id for e in checks.check_time_zone(None)] == ["bpmn.E001"]
    monkeypatch.setattr(parser, "read_model_files", lambda directory=None: {"x.bpmn": "<broken"})
    assert [e.id for e in checks.check_models_parse(None)] == ["bpmn.E002"]


def test_unbound_task_is_reported_by_check(monkeypatch):
    actions = dict(HOOKS.actions)
    actions.pop(("payment", "release_payment"))
    monkeypatch.setattr(HOOKS, "actions", actions)
    assert [e.id for e in checks.check_tasks_bound(None)] == ["bpmn.E003"]


def test_an_action_bound_to_a_task_no_model_has_is_reported_by_check(monkeypatch):
    assert checks.check_bound_tasks_exist(None) == []
    monkeypatch.setattr(HOOKS, "actions", {**HOOKS.actions, ("payment", "release_paymnet"): lambda ctx: None})
    found = checks.check_bound_tasks_exist(None)
    assert [e.id for e in found] == ["bpmn.E004"] and "payment.release_paymnet" in found[0].msg


@pytest.mark.django_db
def test_unsafe_gateway_condition_refuses_to_start_and_leaves_no_instance(tmp_path, monkeypatch):
    models = tmp_path / "models"
    shutil.copytree(parser.PROCESS_DIR, models)
    filing = models / "agreement_filing.bpmn"
    text = filing.read_text(encoding="utf-8")
    filing.write_text(text.replace("flagged == True", "().__class__.__base__.__subclasses__()"), encoding="utf-8")
    # Deploy refuses such a model (test_deploy.py); a row stored before it did still refuses at run time.
    monkeypatch.setattr(model_checks, "check_models", lambda sources, hash_=None: None)
    engine.deploy(models)
    with pytest.raises(Exception) as refusal:
        engine.start("agreement_filing", business_key="x", data={})
        instance = ProcessInstance.objects.get()
        task = instance.open_tasks.get()
        from django.contrib.auth import get_user_model

        HOOKS_AUTH = HOOKS.authorize
        HOOKS.authorize = lambda user, t: True
        HOOKS.actions[("agreement_filing", "acknowledge_filing")], saved = (
            lambda ctx: {"flagged": True}, HOOKS.actions[("agreement_filing", "acknowledge_filing")])
        try:
            engine.complete_task(task.task_id, actor=get_user_model().objects.create(username="u"), data={})
        finally:
            HOOKS.authorize = HOOKS_AUTH
            HOOKS.actions[("agreement_filing", "acknowledge_filing")] = saved
    assert "attribute access is not allowed" in str(refusal.value)
    instance = ProcessInstance.objects.get()
    assert instance.revision == 1 and instance.open_tasks.get().task_name == "acknowledge_filing"
