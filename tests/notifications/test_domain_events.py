"""Notifications hear the domain's events: who hears each, nothing from a rolled-back change, the e-mail outbox."""
import threading

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection, transaction

from notifications import delivery
from notifications.models import Delivery, Notification
from tests.concurrently import at_once
from tests.workflows.alliance_payments import assessed_and_one_paid
from tests.workflows.walk import user
from workflows import events

pytestmark = pytest.mark.django_db

# Who heard each event of a lifecycle carried to two released payments (formation, an accepted
# offer, both divisions' verification, signatures, filing, three assessments), as the audit decoder told them.
TOLD = {
    "invitation_answered": ["college_42_1"],
    "offer_accepted": ["reviewer_42", "teo_1"],
    "baseline_reviewed": ["finance_div_42", "reviewer_42"],  # 会签: each division hears of the other's decision
    "baseline_verified": ["college_42_1", "college_42_2", "college_42_3", "teo_1"],
    "agreement_signed": ["college_42_1", "teo_1"],
    "agreement_filed": ["college_42_1", "college_42_2", "college_42_3", "finance_42_1", "finance_42_2",
                        "finance_42_3", "teo_1"],
    "assessment_held": ["finance_42_1", "finance_42_2", "finance_42_3"],
    "payment_released": ["college_42_2", "college_42_3", "teo_1"],
}


def _told() -> dict[str, list[str]]:
    told: dict[str, set[str]] = {}
    for event, username in Notification.objects.exclude(event="task_assigned").values_list(
            "event", "recipient__username"):
        told.setdefault(event, set()).add(username)
    return {event: sorted(names) for event, names in told.items()}


def test_each_domain_event_of_a_lifecycle_reaches_the_people_it_reached_before(world):
    heard = []
    events.happened.connect(lambda sender, event, **kw: heard.append(sender), weak=False, dispatch_uid="heard")
    try:
        assessed_and_one_paid()
    finally:
        events.happened.disconnect(dispatch_uid="heard")
    assert _told() == TOLD
    assert set(heard) == set(TOLD)


def test_an_event_declares_its_payload():
    with pytest.raises(TypeError, match="fee"):
        events.emit("offer_accepted", fee=1)


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_change_writes_and_pushes_nothing_and_the_next_commit_pushes_only_its_own(
        hubei, monkeypatch):
    pushed = []
    monkeypatch.setattr(delivery, "deliver", lambda rows, negotiations, claim: pushed.append([r.pk for r in rows]))

    class Refused(Exception):
        pass

    before = set(Notification.objects.values_list("pk", flat=True))
    with pytest.raises(Refused), transaction.atomic():
        hubei.do("invite_members", {"college_ids": [c.pk for c in hubei.invitees]})
        assert Notification.objects.exclude(pk__in=before).exists()
        raise Refused
    assert set(Notification.objects.values_list("pk", flat=True)) == before and pushed == []
    hubei.do("invite_members", {"college_ids": [c.pk for c in hubei.invitees]})
    new = Notification.objects.exclude(pk__in=before).order_by("pk")
    assert pushed == [list(new.values_list("pk", flat=True))] and new.count() == 2


@pytest.mark.django_db(transaction=True)
def test_an_email_whose_sending_fails_stays_unsent_is_retried_to_the_bound_then_shown_failed(
        hubei, settings, monkeypatch):
    settings.NOTIFICATIONS_EMAIL = True
    settings.NOTIFICATIONS_EMAIL_MAX_ATTEMPTS = 3
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

    def refused(**kwargs):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr(delivery, "send_mail", refused)
    hubei.do("invite_members", {"college_ids": [c.pk for c in hubei.invitees]})
    row = Delivery.objects.get(notification__recipient=user("college_42_2"), channel="email")
    assert (row.status, row.attempts, row.sent_at, row.claim) == ("pending", 1, None, None)
    assert "mail server down" in row.error
    call_command("send_notifications")
    call_command("send_notifications")
    call_command("send_notifications")
    row.refresh_from_db()
    assert (row.status, row.attempts, row.sent_at) == ("failed", 3, None)
    monkeypatch.undo()
    call_command("send_notifications")
    row.refresh_from_db()
    assert row.status == "failed" and mail.outbox == []


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_senders_claiming_the_same_pending_emails_send_each_once(hubei, settings, monkeypatch):
    assert connection.vendor == "postgresql", "run with make test-services (DATABASE_URL)"
    settings.NOTIFICATIONS_EMAIL = True
    hubei.form()
    emails = Delivery.objects.filter(channel="email")
    emails.update(status="pending", attempts=0, claim=None, sent_at=None)
    pending = set(emails.values_list("pk", flat=True))
    sent, lock = [], threading.Lock()

    def recorded(subject, message, from_email, recipient_list):
        with lock:
            sent.append((subject, recipient_list[0]))

    monkeypatch.setattr(delivery, "send_mail", recorded)
    at_once(delivery.send_pending, delivery.send_pending)
    assert len(sent) == len(pending) and len(set(sent)) == len(pending) > 3
    assert set(emails.values_list("status", flat=True)) == {"sent"}
    assert set(emails.values_list("attempts", flat=True)) == {1}
