"""Whatever refuses, pages and the API show one status, one rule and one message in the reader's language."""
import pytest
from django.utils import translation
from django_fsm import TransitionNotAllowed
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.exceptions import WorkflowException

from bpmn.errors import ActorNotAllowed, TaskNotFound, TaskNotReady, UnboundTask
from workflows.errors import RuleViolation
from workflows.refusals import REFUSED, refusal_of


def test_a_rule_violation_keeps_its_rule_and_status():
    refusal = refusal_of(RuleViolation("fee_cap_2357", "上限 / cap", 400))
    assert (refusal.status, refusal.rule, refusal.message) == (400, "fee_cap_2357", "上限 / cap")


def test_engine_errors_map_to_forbidden_not_found_and_conflict():
    assert refusal_of(ActorNotAllowed("x")).status == 403
    assert refusal_of(TaskNotFound("x")).status == 404
    assert refusal_of(TaskNotReady("x")).status == 409
    assert refusal_of(UnboundTask("x")).rule == "task_unbound"


def test_a_refused_transition_is_a_conflict_naming_the_rule():
    refusal = refusal_of(TransitionNotAllowed("Can't switch from state 'released'"))
    assert refusal.status == 409 and refusal.rule == "transition_not_allowed" and "released" in refusal.message


def test_a_failing_process_script_is_refused_in_both_languages_not_raised_as_a_server_error():
    # Spiff raises WorkflowTaskException (which needs a live task) for a failing script.
    assert issubclass(WorkflowTaskException, REFUSED)
    error = WorkflowException("name 'open' is not defined")
    refusal = refusal_of(error)
    assert refusal.status == 400 and refusal.rule == "process_step_failed"
    assert "流程步骤失败" in refusal.message and refusal.params == {"detail": str(error)}
    with translation.override("en"):
        assert "A process step failed" in refusal_of(error).message


def test_a_task_of_another_lane_is_refused_naming_the_task_and_who_handles_it_in_words(world):
    from tests.workflows.walk import Walk, user

    walk = Walk()
    walk.to_first_offer()
    lead = walk.negotiation.alliance.lead.name
    with pytest.raises(ActorNotAllowed) as raised:
        walk.do("alliance_responds", {"decision": "accept"}, actor=user("finance_42_1"))
    error = raised.value
    refusal = refusal_of(error)
    assert refusal.status == 403
    assert f"由{lead}的联盟牵头院校办理" in refusal.message and "联盟回应报价" in refusal.message
    with translation.override("en"):
        english = refusal_of(error).message
    assert f"handled by Alliance lead college of {lead}" in english and "alliance_lead" not in english
