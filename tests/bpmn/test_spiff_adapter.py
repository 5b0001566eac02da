"""One test per SpiffWorkflow behaviour that `bpmn.spiff` relies on: an upgrade that changes one fails here."""
from datetime import UTC, datetime, timedelta

import pytest
from lxml import etree
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer.migration.version_migration import MIGRATIONS
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser

from bpmn import engine, parser, spiff

NS = ('xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
      'targetNamespace="http://xcert.example/test" id="probe_definitions"')

WAIT_FOR_MESSAGE = f"""<bpmn:definitions {NS}>
  <bpmn:message id="paid_message" name="paid"/>
  <bpmn:process id="wait_for_message" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="paid"/>
    <bpmn:intermediateCatchEvent id="paid"><bpmn:messageEventDefinition messageRef="paid_message"/>
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="paid" targetRef="done"/>
    <bpmn:endEvent id="done"/>
  </bpmn:process>
</bpmn:definitions>"""

WAIT_AN_HOUR = f"""<bpmn:definitions {NS}>
  <bpmn:process id="wait_an_hour" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="hour"/>
    <bpmn:intermediateCatchEvent id="hour">
      <bpmn:timerEventDefinition><bpmn:timeDuration>"PT1H"</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="hour" targetRef="late"/>
    <bpmn:endEvent id="late"/>
  </bpmn:process>
</bpmn:definitions>"""


def _started(xml: str, process_id: str) -> BpmnWorkflow:
    probe = SpiffBpmnParser()
    probe.add_bpmn_xml(etree.fromstring(xml.encode()), filename=f"{process_id}.bpmn")
    workflow = BpmnWorkflow(probe.get_spec(process_id), script_engine=engine.script_engine())
    workflow.do_engine_steps()
    return workflow


def test_the_dmn_engine_reads_only_the_data_and_the_script_engine_of_the_task_it_is_given():
    table = parser.decision_table(parser.read_model_files(), "assessment_fee_cap")
    assert spiff.decide(table, {"assessment_mode": "paper"}, engine.script_engine()) == {"cap_fen": 20000}
    assert spiff.decide(table, {"assessment_mode": "unknown"}, engine.script_engine()) == {}


def test_a_waiting_message_catch_is_in_the_event_manager_and_catching_at_it_lets_the_process_end():
    workflow = _started(WAIT_FOR_MESSAGE, "wait_for_message")
    [waiting] = spiff.waiting_catch_tasks(workflow)
    assert waiting.task_spec.bpmn_id == "paid" and not workflow.completed
    spiff.catch_at(waiting, {"amount_fen": 100})
    workflow.do_engine_steps()
    assert workflow.completed and spiff.waiting_catch_tasks(workflow) == []


def test_the_end_event_reached_is_found_by_its_spec_class():
    workflow = _started(WAIT_FOR_MESSAGE, "wait_for_message")
    assert spiff.end_event_id(workflow) == ""
    spiff.catch_at(spiff.waiting_catch_tasks(workflow)[0], {})
    workflow.do_engine_steps()
    assert spiff.end_event_id(workflow) == "done"


def test_a_waiting_timer_details_give_its_due_time_as_iso_text():
    before = datetime.now(UTC)
    workflow = _started(WAIT_AN_HOUR, "wait_an_hour")
    [timer] = spiff.waiting_catch_tasks(workflow)
    value = spiff.timer_value(timer)
    assert isinstance(value, str)
    due = TimerEventDefinition.get_datetime(value)
    assert before + timedelta(hours=1) <= due <= datetime.now(UTC) + timedelta(hours=1)


def test_the_stored_format_is_1_5_and_its_migrations_are_the_ones_stepped_through():
    # An upgrade that adds a format needs a step in `spiff._NEXT_FORMAT` and a fixture of the old one.
    assert spiff.SPIFF_FORMAT == "1.5"
    assert set(MIGRATIONS) == {"1.0", "1.1", "1.2", "1.3", "1.4"}
    assert set(spiff._NEXT_FORMAT) <= set(MIGRATIONS)


@pytest.mark.parametrize("version", ["1.3", "1.4"])
def test_spiffworkflows_own_migration_fails_on_a_state_with_a_subprocess_so_each_workflow_is_migrated_alone(version):
    # When this fails, SpiffWorkflow mends its loop over subprocesses and `migrate_state` may hand it the whole state.
    state = {"tasks": {}, "spec": {"task_specs": {}},
             "subprocesses": {"sub": {"tasks": {}, "spec": "called"}}}
    with pytest.raises(NameError):
        MIGRATIONS[version](state)
