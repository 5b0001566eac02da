"""Inside one alliance each college reads its own payment, sitting and funding; the lead the totals.

Every member college's staff and finance office (the lead's included) tries every other member's
payment, sitting, funding, release task, audit rows and the raw engine state through every API
endpoint that could show them: each attempt is counted and none gets through.
"""
import json

import pytest
from django.contrib.auth import get_user_model

from notifications.models import Notification
from tests.workflows.alliance_payments import (
    ATTACKERS,
    CERTIFIED,
    MEMBERS,
    amount_of,
    assessed_and_one_paid,
    certified_and_ordered,
    college_of,
    payment_of,
    release_task_of,
    written,
)
from tests.workflows.walk import college, user
from workflows.models import AssessmentSitting

from .clients import api, listed

pytestmark = pytest.mark.django_db

@pytest.fixture
def paid(world):
    return assessed_and_one_paid()


def _others(username: str) -> list[str]:
    return [member for member in MEMBERS if member != college_of(username)]


class Probe:
    """Counts attempts and records every one that got through."""

    def __init__(self):
        self.attempts = 0
        self.through: list[str] = []

    def refused(self, ok: bool, what: str) -> None:
        self.attempts += 1
        if not ok:
            self.through.append(what)

    def body_clean(self, body, victim: str, what: str) -> None:
        text = json.dumps(body, ensure_ascii=False)
        self.refused(not any(w in text for w in written(amount_of(victim))), what)


def test_no_member_reads_another_members_payment_sitting_funding_or_release_through_the_api(paid):
    probe = Probe()
    instance = paid.instance
    agreement = paid.negotiation.agreements.get()
    for attacker in ATTACKERS:
        client = api(attacker)
        for victim in _others(attacker):
            payment, sitting = payment_of(paid, victim), AssessmentSitting.objects.get(
                agreement=agreement, college=college(victim))
            name = college(victim).name
            probe.refused(client.get(f"/api/v1/payments/{payment.pk}/").status_code == 404, f"{attacker} payment")
            for params in ({}, {"q": name}, {"state": payment.state}):
                ids = [p["id"] for p in listed(attacker, "/api/v1/payments/", **params)]
                probe.refused(payment.pk not in ids, f"{attacker} payments {params}")
            probe.refused(client.get(f"/api/v1/sittings/{sitting.pk}/").status_code == 404, f"{attacker} sitting")
            probe.refused(sitting.pk not in [s["id"] for s in listed(attacker, "/api/v1/sittings/")],
                          f"{attacker} sittings")
            detail = client.get(f"/api/v1/process-instances/{instance.pk}/").json()
            probe.body_clean(detail, victim, f"{attacker} instance of {victim}")
            probe.refused(college(victim).pk not in {t["data"].get("college_id") for t in detail["open_tasks"]},
                          f"{attacker} open tasks")
            probe.body_clean(listed(attacker, "/api/v1/process-instances/"), victim, f"{attacker} instances")
            task = release_task_of(paid, victim)
            if task is not None:
                probe.refused(client.get(f"/api/v1/tasks/{task.task_id}/").status_code == 404, f"{attacker} task")
                probe.refused(client.post(f"/api/v1/tasks/{task.task_id}/claim/").status_code == 404,
                              f"{attacker} claim")
            probe.body_clean(listed(attacker, "/api/v1/tasks/waiting/"), victim, f"{attacker} waiting")
            probe.body_clean(listed(attacker, "/api/v1/agreements/"), victim, f"{attacker} agreements")
        state = client.get(f"/api/v1/process-instances/{instance.pk}/state/")
        probe.refused(state.status_code == 403 and state.json()["rule"] == "engine_state_restricted",
                      f"{attacker} raw state")
        if college_of(attacker) != "college_42_1":
            totals = client.get(f"/api/v1/agreements/{agreement.pk}/payment-totals/")
            probe.refused(totals.status_code == 403 and totals.json()["rule"] == "alliance_totals_lead_only",
                          f"{attacker} totals")
    assert probe.through == []
    assert probe.attempts == 150


def test_no_member_reads_another_members_revoked_certificate_or_paper_order_through_the_api(paid):
    secrets = certified_and_ordered(paid)
    probe = Probe()

    def clean(body, what: str) -> None:
        text = json.dumps(body, ensure_ascii=False)
        probe.refused(not any(secret in text for secret in secrets), what)

    for attacker in (a for a in ATTACKERS if college_of(a) != CERTIFIED):
        client = api(attacker)
        clean(client.get(f"/api/v1/process-instances/{paid.instance.pk}/").json(), f"{attacker} instance")
        clean(listed(attacker, "/api/v1/process-instances/"), f"{attacker} instances")
        clean(client.get("/api/v1/paper-orders/").json(), f"{attacker} paper orders")
        clean(client.get("/api/v1/certificates/").json(), f"{attacker} certificates")
    assert probe.through == []
    assert probe.attempts == 16


def test_the_certified_college_reads_its_revoked_certificate_and_paper_order_in_the_trail(paid):
    secrets = certified_and_ordered(paid)
    for own in ("college_42_2", "finance_42_2", "teo_1", "ministry"):
        audit = api(own).get(f"/api/v1/process-instances/{paid.instance.pk}/").json()["audit"]
        text = json.dumps(audit, ensure_ascii=False)
        assert all(secret in text for secret in secrets), own
        assert {e["action"] for e in audit} >= {"certificate_revoked", "paper_order_placed",
                                                 "paper_order_dispatched"}, own


def test_each_member_reads_its_own_payment_sitting_and_funding(paid):
    for attacker in ATTACKERS:
        own = payment_of(paid, college_of(attacker))
        assert [p["id"] for p in listed(attacker, "/api/v1/payments/")] == [own.pk], attacker
        assert [s["college_id"] for s in listed(attacker, "/api/v1/sittings/")] == [own.college_id], attacker
    [released] = listed("finance_42_2", "/api/v1/payments/")
    assert released["state"] == "released" and {a["amount"] for a in released["allocations"]} == {"4000.00",
                                                                                                  "140.00"}
    audit = api("college_42_2").get(f"/api/v1/process-instances/{paid.instance.pk}/").json()["audit"]
    assert [e["task_name"] for e in audit if e["task_name"] == "release_payment"] == ["release_payment"]


def test_the_lead_reads_the_alliance_totals_and_no_members_row(paid):
    agreement = paid.negotiation.agreements.get()
    for lead in ("college_42_1", "finance_42_1"):
        totals = api(lead).get(f"/api/v1/agreements/{agreement.pk}/payment-totals/")
        assert totals.status_code == 200, lead
        assert totals.json() == {"colleges": 3, "assessed_colleges": 3, "released_colleges": 2, "headcount": 71,
                                 "amount_due": f"{amount_of('college_42_1'):.2f}",
                                 "amount_released": f"{amount_of('college_42_2') + amount_of('college_42_3'):.2f}"}
    assert api("teo_2").get(f"/api/v1/agreements/{agreement.pk}/payment-totals/").status_code == 404


def test_the_teo_the_reviewer_and_the_ministry_read_every_colleges_payment_and_sitting(paid):
    for onlooker in ("teo_1", "reviewer_42", "ministry"):
        assert len(listed(onlooker, "/api/v1/payments/")) == 3, onlooker
        assert len(listed(onlooker, "/api/v1/sittings/")) == 3, onlooker
        detail = api(onlooker).get(f"/api/v1/process-instances/{paid.instance.pk}/").json()
        assert len([e for e in detail["audit"] if e["task_name"] == "release_payment"]) == 2, onlooker


def test_the_raw_engine_state_is_read_by_superusers_only(paid):
    url = f"/api/v1/process-instances/{paid.instance.pk}/state/"
    for role_holder in ("teo_1", "reviewer_42", "ministry", "college_42_1"):
        refused = api(role_holder).get(url)
        assert refused.status_code == 403 and refused.json()["rule"] == "engine_state_restricted", role_holder
    for outsider in ("teo_2", "reviewer_32", "finance_32_1", "student"):
        assert api(outsider).get(url).status_code == 404, outsider
    staff = get_user_model().objects.create_user("operator", is_staff=True)
    assert api().get(url).status_code == 401
    client = api()
    client.force_authenticate(staff)
    assert client.get(url).status_code == 404  # staff edit reference data and see no lifecycle
    technician = get_user_model().objects.create_superuser("technician")
    client.force_authenticate(technician)
    state = client.get(url)
    assert state.status_code == 200 and state.json()["state_format"] >= 1


def test_a_member_is_told_of_its_own_payment_only(paid):
    for finance in ("finance_42_1", "finance_42_2", "finance_42_3"):
        held = Notification.objects.filter(recipient=user(finance), event="assessment_held").count()
        released = Notification.objects.filter(recipient=user(finance), event="payment_released").count()
        assert (held, released) == (1, 0), finance  # the releases are told to the college and the TEO
    paying = Notification.objects.filter(event="payment_released").values_list("recipient__username", flat=True)
    assert sorted(paying) == ["college_42_2", "college_42_3", "teo_1", "teo_1"]
