"""Group tasks: a holder of the lane claims one; a colleague takes it over only explicitly, outsiders never."""
import pytest
from django.contrib.auth import get_user_model
from django.utils import translation

from bpmn import engine
from bpmn.errors import ActorNotAllowed, EngineError, TaskClaimed, TaskNotClaimed
from bpmn.models import AuditEntry
from notifications.models import Notification
from workflows import audit_text, services
from workflows.errors import RuleViolation
from workflows.models import Organization, Person, Role
from workflows.refusals import refusal_of

from .walk import Walk, user

pytestmark = pytest.mark.django_db


def _colleague(username: str):
    lead = Person.objects.get(user__username=username)
    other = get_user_model().objects.create(username=f"{username}_b")
    Person.objects.create(user=other, organization=lead.organization, role=Role.COLLEGE)
    return other


def test_lane_holder_claims_a_colleague_cannot_and_only_the_claimant_unclaims(world):
    walk = Walk()
    task = walk.task("invite_members")
    owner, colleague = user("college_42_1"), _colleague("college_42_1")
    assert engine.claim(task.task_id, owner).claimed_by == owner
    with pytest.raises(TaskClaimed, match="已被.*认领"):
        engine.claim(task.task_id, colleague)
    with translation.override("en"), pytest.raises(TaskClaimed, match="already claimed by college_42_1"):
        engine.unclaim(task.task_id, colleague)
    with pytest.raises(TaskClaimed):
        engine.complete_task(task.task_id, actor=colleague, data={"college_ids": [c.pk for c in walk.invitees]})
    assert engine.unclaim(task.task_id, owner).claimed_by is None
    with translation.override("en"), pytest.raises(TaskNotClaimed, match="Only the claimant"):
        engine.unclaim(task.task_id, owner)
    assert engine.claim(task.task_id, colleague).claimed_by == colleague
    assert walk.audit_actions()[-3:] == ["claimed", "unclaimed", "claimed"]


def test_outsider_and_lesser_role_cannot_claim(world):
    walk = Walk()
    task = walk.task("invite_members")
    assert Organization.objects.get(pk=task.organization_id).name == "武汉职业技术学院"
    for outsider in ("college_42_2", "finance_42_1", "teo_1"):
        with pytest.raises(ActorNotAllowed):
            engine.claim(task.task_id, user(outsider))
    assert walk.task("invite_members").claimed_by is None


# --- taking over a claimed task: explicit, with a reason, audited and told ------------------


def _claimed_by_owner(walk: Walk):
    task = walk.task("invite_members")
    owner, colleague = user("college_42_1"), _colleague("college_42_1")
    engine.claim(task.task_id, owner)
    return task, owner, colleague


def _refused(function, *args) -> RuleViolation | EngineError:
    with pytest.raises((RuleViolation, EngineError)) as caught:
        function(*args)
    return caught.value


def test_a_colleague_takes_over_with_a_reason_audited_and_the_previous_holder_is_told(world):
    walk = Walk()
    task, owner, colleague = _claimed_by_owner(walk)
    taken = services.take_over(colleague, str(task.task_id), "  王老师出差一周  ")
    assert taken.claimed_by == colleague and walk.task("invite_members").claimed_by == colleague
    entry = AuditEntry.objects.filter(instance=walk.instance).order_by("pk").last()
    assert (entry.action, entry.actor, entry.task_name) == ("taken_over", colleague, "invite_members")
    assert entry.data["previous_holder"] == owner.pk and entry.data["new_holder"] == colleague.pk
    assert entry.data["reason"] == "王老师出差一周"
    told = Notification.objects.get(event="task_taken_over")
    assert told.recipient == owner and told.link == f"/tasks/{task.task_id}/"
    assert "王老师出差一周" in told.title_zh and "接手" in told.title_zh and "took over" in told.title_en
    assert not Notification.objects.filter(event="task_taken_over").exclude(recipient=owner).exists()
    with translation.override("en"):
        said = audit_text.trail(walk.instance)[-1].text
        new, previous = audit_text.who(colleague), audit_text.who(owner)
    assert said == f"{new} took over “Invite member colleges” from {previous}: 王老师出差一周"
    # The previous holder is now the colleague: completing without taking it back is still refused.
    with pytest.raises(TaskClaimed):
        engine.complete_task(task.task_id, actor=owner, data={"college_ids": [c.pk for c in walk.invitees]})
    walk.do("invite_members", {"college_ids": [c.pk for c in walk.invitees]}, actor=colleague)


def test_taking_over_needs_a_reason_of_at_most_500_characters(world):
    walk = Walk()
    task, _owner, colleague = _claimed_by_owner(walk)
    for reason in ("", "   ", None):
        assert _refused(services.take_over, colleague, str(task.task_id), reason).rule == "reason_required"
    assert _refused(services.take_over, colleague, str(task.task_id), "x" * 501).rule == "reason_too_long"
    assert walk.task("invite_members").claimed_by == _owner
    assert "taken_over" not in walk.audit_actions()


def test_a_task_not_claimed_by_someone_else_is_claimed_not_taken_over(world):
    walk = Walk()
    task = walk.task("invite_members")
    owner = user("college_42_1")
    refusal = _refused(services.take_over, owner, str(task.task_id), "x")
    assert (refusal.code, refusal_of(refusal).status) == ("task_not_claimed_by_other", 409)
    engine.claim(task.task_id, owner)
    assert _refused(services.take_over, owner, str(task.task_id), "x").code == "task_not_claimed_by_other"
    assert "taken_over" not in walk.audit_actions()


@pytest.mark.parametrize("outsider", ["college_42_2", "finance_42_1", "teo_1", "college_32_1", "reviewer_42"])
def test_nobody_outside_the_lane_and_organization_takes_over(world, outsider):
    walk = Walk()
    task, owner, _colleague_ = _claimed_by_owner(walk)
    refusal = refusal_of(_refused(services.take_over, user(outsider), str(task.task_id), "x"))
    assert (refusal.rule, refusal.status) in {("task_not_found", 404), ("actor_not_allowed", 403)}
    assert walk.task("invite_members").claimed_by == owner
    assert "taken_over" not in walk.audit_actions()
    assert not Notification.objects.filter(event="task_taken_over").exists()
