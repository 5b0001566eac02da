"""Group tasks: a holder of the lane claims one; colleagues and outsiders cannot take it over."""
import pytest
from django.contrib.auth import get_user_model
from django.utils import translation

from bpmn import engine
from bpmn.errors import ActorNotAllowed, TaskClaimed, TaskNotClaimed
from workflows.models import Organization, Person, Role

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
