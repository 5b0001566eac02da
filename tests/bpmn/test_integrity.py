"""The stored row is the whole truth: check_instances restores every running instance and reports drift."""
from datetime import timedelta

import pytest
from django.utils import timezone

from bpmn import caches, engine, integrity, parser
from bpmn.models import MessageSubscription, OpenTask, ProcessInstance, Timer
from tests.bpmn.commands import command_result
from workflows.models import Alliance, Negotiation

pytestmark = pytest.mark.django_db


def check_instances() -> tuple[int, str]:
    return command_result("check_instances")


def invited(walk):
    walk.do("invite_members", {"college_ids": [c.pk for c in walk.invitees]})
    return walk


def test_check_instances_passes_on_healthy_lifecycles(hubei, jiangsu):
    invited(hubei)
    status, out = check_instances()
    assert status == 0, out
    assert "checked 2 running instance(s), 0 with problems" in out


def test_check_instances_reports_a_deleted_open_task_and_exits_non_zero(hubei):
    invited(hubei)
    lost = hubei.tasks("respond_invitation")[0]
    OpenTask.objects.filter(pk=lost.pk).delete()
    status, out = check_instances()
    assert status == 1
    assert hubei.instance.business_key in out
    assert "open tasks" in out and str(lost.task_id) in out


def test_check_instances_reports_an_open_task_the_workflow_does_not_have(hubei):
    invite = hubei.task("invite_members")
    hubei.do("invite_members", {"college_ids": [c.pk for c in hubei.invitees]})
    invite.pk = None
    invite.save()  # a projection row left behind by a step that never cleaned it
    status, out = check_instances()
    assert status == 1
    assert "not in the workflow" in out and str(invite.task_id) in out


def test_check_instances_reports_a_moved_timer_and_a_lost_subscription(hubei, jiangsu):
    invited(hubei)
    Timer.objects.filter(instance=hubei.instance).update(due_at=timezone.now() + timedelta(days=30))
    jiangsu.through_filing()
    MessageSubscription.objects.filter(instance=jiangsu.instance).first().delete()
    status, out = check_instances()
    assert status == 1
    assert "timers" in out and hubei.instance.business_key in out
    assert "message subscriptions" in out and jiangsu.instance.business_key in out


def test_running_instance_waiting_on_nothing_is_reported_stuck(hubei):
    OpenTask.objects.filter(instance=hubei.instance).delete()
    found = integrity.problems(hubei.instance)
    assert any("waiting on no task, timer or message" in p for p in found)


def test_registered_alliance_whose_negotiation_never_moved_on_is_reported(hubei):
    hubei.form()
    Negotiation.objects.filter(pk=hubei.negotiation.pk).update(state=Negotiation.State.AWAITING_ALLIANCE)
    assert Alliance.objects.get(pk=hubei.negotiation.alliance_id).state == Alliance.State.FORMED
    found = integrity.problems(hubei.instance)
    assert any("has not moved on to screening" in p for p in found)


def test_agreed_negotiation_without_verification_or_baseline_is_reported(hubei):
    hubei.form()
    hubei.agree()
    OpenTask.objects.filter(instance=hubei.instance, task_name__in=("verify_baseline", "verify_baseline_finance")
                            ).delete()
    hubei.negotiation.baselines.all().delete()
    found = integrity.problems(hubei.instance)
    assert any("agreed, yet has no verification task and no baseline" in p for p in found)


def test_a_pending_baseline_a_division_has_no_task_for_is_reported(hubei):
    hubei.form()
    hubei.agree()
    OpenTask.objects.filter(instance=hubei.instance, task_name="verify_baseline_finance").delete()
    found = integrity.problems(hubei.instance)
    assert any("the finance division's open tasks are not ['verify_baseline_finance']" in p for p in found)


def test_stored_status_must_match_the_workflow(hubei):
    ProcessInstance.objects.filter(pk=hubei.instance.pk).update(status=ProcessInstance.Status.COMPLETED)
    assert any("has not completed" in p for p in integrity.problems(hubei.instance))


def test_loop_stalled_in_a_fresh_process_is_named(hubei, monkeypatch):
    """The fault the parse-time wiring fixes, reproduced: without it a cold restore never advances."""
    invited(hubei)
    monkeypatch.setattr(parser, "wire_loop_completions", lambda spec: None)
    for task in hubei.tasks("respond_invitation"):
        caches.drop_all()
        _accept(task)
    caches.drop_all()
    found = integrity.problems(hubei.instance)
    assert any("respond_invitation STARTED with every child finished" in p for p in found), found


def _accept(task):
    from tryout.simulation import actor_for
    from workflows import services

    services.complete(task.task_id, actor_for(task), {"decision": "accept"})


def test_fresh_parse_advances_a_multi_instance_started_by_another_process(hubei):
    invited(hubei)
    for task in hubei.tasks("respond_invitation"):
        caches.drop_all()
        _accept(task)
    hubei.negotiation.alliance.refresh_from_db()
    assert hubei.negotiation.alliance.state == Alliance.State.FORMED
    assert [t.task_name for t in hubei.tasks()] == ["screen_services"]
    assert integrity.problems(hubei.instance) == []


def test_every_loop_child_is_wired_to_its_parent_right_after_parsing(deployed):
    from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import LoopTask

    caches.drop_all()
    definition = engine.latest_definition("certificate_lifecycle")
    spec, subprocess_specs = engine.specs_of(definition)
    loops = [(ps, ts) for ps in (spec, *subprocess_specs.values()) for ts in ps.task_specs.values()
             if isinstance(ts, LoopTask)]
    assert {ts.bpmn_id for _, ts in loops} == {"respond_invitation", "negotiation_round", "call_payment"}
    for process_spec, loop in loops:
        child = process_spec.task_specs[loop.task_spec]
        assert child.completed_event.is_connected(loop.merge_child), loop.bpmn_id
