"""A lifecycle that ends without a verified fee leaves its negotiation closed, never in progress."""
import pytest

from bpmn.models import ProcessInstance
from tests.workflows.walk import Walk
from workflows import services
from workflows.models import Baseline, Negotiation

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("temperature")]


def _ended_unverified(walk: Walk) -> None:
    assert walk.instance.status == ProcessInstance.Status.COMPLETED and walk.tasks() == []
    walk.negotiation.refresh_from_db()
    assert walk.negotiation.state == Negotiation.State.NOT_VERIFIED
    assert walk.negotiation.state not in Negotiation.ACTIVE


def test_a_rejected_verification_closes_the_negotiation_and_the_alliance_may_negotiate_again(world):
    walk = Walk()
    walk.form()
    walk.agree()
    walk.verify({"decision": "reject", "reasons": "测算依据不足"})
    _ended_unverified(walk)
    assert Baseline.objects.get(negotiation=walk.negotiation).state == Baseline.State.REJECTED
    again = services.start_lifecycle(walk.lead, walk.certificate, alliance=walk.negotiation.alliance)
    assert again.state == Negotiation.State.SCREENING


def test_the_third_return_closes_the_negotiation_it_reopened(world):
    walk = Walk()
    walk.form()
    for _ in range(3):
        walk.agree()
        walk.verify({"decision": "return", "reasons": "请补充测算"})
    _ended_unverified(walk)

