"""Who hears what, reminders once per task, e-mail off by default, immediate or as a daily digest."""
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from notifications import reminders
from notifications.audience import AUDIENCES, RESOLVERS
from notifications.models import Notification, Preference
from tests.workflows.walk import user

pytestmark = pytest.mark.django_db


def _events_of(username: str) -> list[str]:
    return list(Notification.objects.filter(recipient=user(username)).order_by("pk").values_list("event", flat=True))


def test_every_audience_in_the_table_has_a_resolver():
    assert {a for audiences in AUDIENCES.values() for a in audiences} <= set(RESOLVERS)


def test_a_counter_offer_reaches_the_counterparty_only(hubei):
    hubei.form()
    hubei.do("screen_services", {"training_content": "师资培训"})
    before = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    hubei.do("alliance_responds", {"decision": "counter", "fee": "170.00",
                                   "lines": hubei.offer_lines(Decimal("170.00"))})
    new = Notification.objects.filter(pk__gt=before)
    assert set(new.values_list("event", flat=True)) == {"offer_countered", "task_assigned"}
    assert set(new.values_list("recipient__username", flat=True)) == {"teo_1"}


def test_a_verified_baseline_reaches_every_member_college_and_the_teo_not_the_other_province(hubei):
    hubei.form()
    hubei.agree()
    hubei.verify()
    told = set(Notification.objects.filter(event="baseline_verified").values_list("recipient__username", flat=True))
    assert told == {"college_42_1", "college_42_2", "college_42_3", "teo_1"}


def test_an_accepted_offer_reaches_the_provincial_reviewers_and_a_held_assessment_the_paying_finance(hubei):
    hubei.through_filing()
    assert "offer_accepted" in _events_of("reviewer_42") and "offer_accepted" not in _events_of("reviewer_32")
    from workflows import services

    agreement = hubei.negotiation.agreements.get()
    lead = hubei.negotiation.alliance.lead
    services.record_assessment(user("teo_1"), agreement, lead, 12, held_on=services.today())
    assert "assessment_held" in _events_of("finance_42_1")
    assert "assessment_held" not in _events_of("finance_42_2")
    assert "agreement_filed" in _events_of("finance_42_2")


def test_a_task_due_soon_is_reminded_once_and_escalated_to_the_province_once_overdue(hubei, time_machine):
    hubei.do("invite_members", {"college_ids": [c.pk for c in hubei.invitees]})
    time_machine.move_to(timezone.now() + timedelta(days=6, hours=1))
    assert reminders.send_reminders(timezone.now()) == 2
    assert reminders.send_reminders(timezone.now()) == 0
    assert _events_of("college_42_2").count("task_due_soon") == 1
    time_machine.move_to(timezone.now() + timedelta(days=2))
    assert reminders.send_reminders(timezone.now()) == 2
    assert "task_overdue" in _events_of("reviewer_42") and "task_overdue" in _events_of("college_42_3")


def test_the_scheduler_sends_reminders_on_each_pass(hubei, time_machine):
    hubei.do("invite_members", {"college_ids": [c.pk for c in hubei.invitees]})
    time_machine.move_to(timezone.now() + timedelta(days=6, hours=1))
    call_command("run_timers")
    assert "task_due_soon" in _events_of("college_42_2")


@pytest.mark.django_db(transaction=True)
def test_email_is_off_by_default(hubei):
    hubei.form()
    assert Notification.objects.exists() and mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_email_goes_out_at_once_or_in_a_daily_digest_as_each_person_chose(hubei, settings):
    settings.NOTIFICATIONS_EMAIL = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    Preference.objects.create(user=user("college_42_3"), email=Preference.Email.DAILY)
    hubei.do("invite_members", {"college_ids": [c.pk for c in hubei.invitees]})
    assert [m.to for m in mail.outbox] == [["college_42_2@demo.xcert.local"]]
    call_command("send_digests")
    assert mail.outbox[-1].to == ["college_42_3@demo.xcert.local"] and "1 notification" in mail.outbox[-1].subject
    call_command("send_digests")
    assert len(mail.outbox) == 2


def test_the_notification_pages_list_mark_read_and_save_the_email_choice(hubei, client):
    hubei.do("invite_members", {"college_ids": [c.pk for c in hubei.invitees]})
    client.login(username="college_42_2", password="demo12345")
    page = client.get("/notifications/").content.decode()
    assert "新待办" in page and 'id="inbox-badge"' in page
    row = Notification.objects.get(recipient=user("college_42_2"))
    followed = client.post(f"/notifications/{row.pk}/read/")
    assert followed.status_code == 302 and followed.url == row.link
    row.refresh_from_db()
    assert row.read_at is not None
    other = Notification.objects.exclude(recipient=user("college_42_2")).first()
    assert client.post(f"/notifications/{other.pk}/read/").status_code == 404
    assert client.post("/notifications/preferences/", {"email": "daily"}).status_code == 302
    assert Preference.objects.get(user=user("college_42_2")).email == "daily"
    assert client.post("/notifications/preferences/", {"email": "hourly"}).status_code == 200


def test_titles_carry_each_language_alone_and_names_whole(hubei):
    hubei.negotiation.alliance.name = "湖北省 Web 前端开发院校联盟"
    hubei.negotiation.alliance.save()
    hubei.form()
    hubei.do("screen_services", {"training_content": "师资培训"})
    hubei.do("alliance_responds", {"decision": "counter", "fee": "170.00",
                                   "lines": hubei.offer_lines(Decimal("170.00"))})
    task = Notification.objects.get(event="task_assigned", recipient=user("teo_1"))
    assert hubei.task("teo_responds").label == "TEO answers the offer"  # the model's name, translated when said
    assert task.title_zh == "新待办：培训评价组织回应报价"
    assert task.title_en == "New task: TEO answers the offer"
    offer = Notification.objects.get(event="offer_countered", recipient=user("teo_1"))
    assert offer.title_zh == "对方还价 ¥170.00：湖北省 Web 前端开发院校联盟 × X-WEB-01"
    assert offer.title_en == "Counter-offer of ¥170.00: 湖北省 Web 前端开发院校联盟 × X-WEB-01"


def test_an_answer_names_the_person_who_answered_never_their_user_name(hubei):
    hubei.form(accept=(True, False))
    answers = Notification.objects.filter(event="invitation_answered", recipient=user("college_42_1"))
    assert {n.title_zh for n in answers} == {"刘洋 已答复联盟邀请：接受", "赵磊 已答复联盟邀请：谢绝"}
    assert {n.title_en for n in answers} == {"刘洋 answered the alliance invitation: accepted",
                                             "赵磊 answered the alliance invitation: declined"}
