"""Sittings, their corrections and make-ups, certificates and paper copies: every rule of the services.

The payment waits for one 'assessment held' message per college and agreement; a correction or a
make-up before the payment is released changes the sitting and recomputes what is due, and never
sends a second message.
"""
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from bpmn.models import AuditEntry, PendingMessage
from tests.conftest import assert_nothing_stuck
from tryout.simulation import actor_for
from workflows import services
from workflows.errors import RuleViolation
from workflows.models import (
    AssessmentSitting,
    FeeSchedule,
    IssuedCertificate,
    PaperCertificateOrder,
    Payment,
)

from .walk import Walk, college, lifecycle_instance, user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("temperature")]

FEE = Decimal("180.00")  # X-WEB-01's published fee, accepted in round 1 by through_filing()
ADDRESS = ("李明", "138 0000 0000", "湖北省武汉市江夏区 武汉职业技术学院")


@pytest.fixture
def filed(hubei) -> Walk:
    hubei.through_filing()
    return hubei


def _agreement(walk: Walk):
    return walk.negotiation.agreements.get()


def _record(walk: Walk, headcount: int, username: str = "college_42_1", held_on=None) -> AssessmentSitting:
    return services.record_assessment(user("teo_1"), _agreement(walk), college(username), headcount,
                                      held_on or services.today())


def _payment(walk: Walk, username: str = "college_42_1") -> Payment:
    return Payment.objects.get(agreement=_agreement(walk), college=college(username))


def _messages(walk: Walk) -> int:
    return AuditEntry.objects.filter(action="message", data__message="assessment_held",
                                     instance__business_key__startswith=services.lifecycle_key(walk.negotiation)
                                     ).count() + PendingMessage.objects.filter(message_name="assessment_held").count()


def _release(walk: Walk, username: str = "college_42_1") -> None:
    payment = _payment(walk, username)
    task = next(t for t in walk.tasks("release_payment") if t.organization_id == payment.college_id)
    funding = [{"source": "own", "amount": f"{payment.amount:.2f}"}]
    services.complete(task.task_id, actor_for(task), {"funding": funding})


def _refused(call, *args) -> RuleViolation:
    with pytest.raises(RuleViolation) as refusal:
        call(*args)
    return refusal.value


# --- headcount --------------------------------------------------------------------------


@pytest.mark.parametrize("headcount, rule", [(0, "headcount_at_least_one"), (-3, "headcount_at_least_one"),
                                             (100_001, "headcount_too_large"), (True, "headcount_not_a_number"),
                                             ("twelve", "headcount_not_a_number"), ("", "headcount_required")])
def test_a_headcount_below_one_or_above_the_bound_is_refused_with_the_rule_and_nothing_is_sent(filed, headcount,
                                                                                               rule):
    refusal = _refused(_record, filed, headcount)
    assert refusal.rule == rule and refusal.status == 400
    assert not AssessmentSitting.objects.exists() and _messages(filed) == 0
    assert _payment(filed).state == Payment.State.AWAITING_ASSESSMENT


def test_the_refusal_names_the_numbers(filed):
    assert "0" in _refused(_record, filed, 0).message
    too_many = _refused(_record, filed, 250_000).message
    assert "100,000" in too_many and "250,000" in too_many


@pytest.mark.parametrize("headcount", [1, 100_000])
def test_headcounts_at_the_bounds_are_accepted_and_the_payment_is_computed_on_them(filed, headcount):
    _record(filed, headcount)
    payment = _payment(filed)
    assert payment.state == Payment.State.DUE and payment.amount == FEE * headcount


# --- the date the sitting was held ------------------------------------------------------


def test_the_sitting_date_is_required(filed):
    refusal = _refused(services.record_assessment, user("teo_1"), _agreement(filed), college("college_42_1"), 10,
                       None)
    assert refusal.rule == "held_on_required" and not AssessmentSitting.objects.exists()


def test_a_sitting_date_in_the_future_is_refused_with_both_dates(filed):
    tomorrow = services.today() + timedelta(days=1)
    refusal = _refused(_record, filed, 10, "college_42_1", tomorrow)
    assert refusal.rule == "held_on_in_future" and f"{tomorrow:%Y-%m-%d}" in refusal.message


def test_a_sitting_date_before_the_filing_is_refused_and_one_after_it_is_kept(filed):
    filed_on = services.today()
    with time_machine.travel(timezone.now() + timedelta(days=5), tick=False):
        refusal = _refused(_record, filed, 10, "college_42_1", filed_on - timedelta(days=1))
        assert refusal.rule == "held_on_before_filing" and f"{filed_on:%Y-%m-%d}" in refusal.message
        sitting = _record(filed, 10, "college_42_1", filed_on + timedelta(days=2))
    assert sitting.held_on == filed_on + timedelta(days=2)


def test_today_is_the_date_in_china_not_in_utc(world):
    # 17:30 UTC is already the next day in Beijing: a sitting held that morning is not "in the future".
    with time_machine.travel("2026-10-01T17:30:00Z", tick=False):
        assert f"{services.today():%Y-%m-%d}" == "2026-10-02"


# --- the same college again: corrections and make-ups -----------------------------------


def test_recording_the_same_college_again_is_refused_with_the_rule_not_a_server_error(filed):
    _record(filed, 30)
    refusal = _refused(_record, filed, 31)
    assert refusal.rule == "sitting_already_recorded" and refusal.status == 409
    assert "30" in refusal.message and "补考" in refusal.message
    with translation.override("en"):
        assert "make-up" in refusal.message
    assert AssessmentSitting.objects.get().headcount == 30 and _messages(filed) == 1


def test_a_correction_before_release_recomputes_the_due_payment_and_sends_no_second_message(filed):
    sitting = _record(filed, 30)
    assert _payment(filed).amount == FEE * 30
    services.correct_sitting(user("teo_1"), sitting, 32, "录入笔误 typo")
    assert_nothing_stuck()
    sitting.refresh_from_db()
    payment = _payment(filed)
    assert sitting.headcount == 32 and (payment.state, payment.amount) == (Payment.State.DUE, FEE * 32)
    assert _messages(filed) == 1 and len(filed.tasks("release_payment")) == 1
    audit = AuditEntry.objects.get(instance=lifecycle_instance(filed.negotiation), action="assessment_corrected")
    assert (audit.data["before"], audit.data["after"], audit.data["amount"]) == (30, 32, f"{FEE * 32:.2f}")
    assert audit.data["reason"] == "录入笔误 typo" and audit.actor == user("teo_1")
    _release(filed)
    assert _payment(filed).state == Payment.State.RELEASED


def test_a_release_on_the_amount_before_a_correction_is_refused_with_the_numbers(filed):
    sitting = _record(filed, 30)
    task = next(t for t in filed.tasks("release_payment") if t.organization_id == sitting.college_id)
    services.correct_sitting(user("teo_1"), sitting, 29)
    stale = [{"source": "own", "amount": f"{FEE * 30:.2f}"}]
    refusal = _refused(services.complete, task.task_id, actor_for(task), {"funding": stale})
    assert refusal.rule == "payment_on_actuals" and f"{FEE * 29:,.2f}" in refusal.message
    assert _payment(filed).state == Payment.State.DUE


def test_a_correction_while_the_message_is_kept_is_what_the_payment_computes_on(hubei):
    hubei.through_filing(flagged_note="抽查")
    sitting = _record(hubei, 12)
    assert PendingMessage.objects.filter(delivered_at=None).count() == 1  # no payment waits yet
    services.correct_sitting(user("teo_1"), sitting, 15)
    assert _payment(hubei).state == Payment.State.AWAITING_ASSESSMENT
    hubei.do("record_supervision", {"supervision_note": "已核查"})
    payment = _payment(hubei)
    assert (payment.state, payment.amount) == (Payment.State.DUE, FEE * 15)


def test_a_makeup_adds_its_people_to_the_college_and_the_payment_follows(filed):
    sitting = _record(filed, 30)
    makeup = services.record_makeup(user("teo_1"), sitting, 5, services.today())
    assert_nothing_stuck()
    sitting.refresh_from_db()
    assert (sitting.headcount, sitting.first_headcount, sitting.makeup_headcount) == (35, 30, 5)
    assert makeup.sitting == sitting and _payment(filed).amount == FEE * 35 and _messages(filed) == 1
    assert AuditEntry.objects.filter(action="makeup_recorded", data__added=5, data__assessed=35).count() == 1
    services.correct_sitting(user("teo_1"), sitting, 28)  # the first sitting's count, make-ups kept
    sitting.refresh_from_db()
    assert (sitting.headcount, sitting.first_headcount) == (33, 28) and _payment(filed).amount == FEE * 33


def test_a_makeup_before_the_first_sitting_or_in_the_future_is_refused(filed):
    with time_machine.travel(timezone.now() + timedelta(days=5), tick=False):
        sitting = _record(filed, 30, "college_42_1", services.today() - timedelta(days=1))
        before = _refused(services.record_makeup, user("teo_1"), sitting, 5, services.today() - timedelta(days=2))
        future = _refused(services.record_makeup, user("teo_1"), sitting, 5, services.today() + timedelta(days=1))
        none = _refused(services.record_makeup, user("teo_1"), sitting, 0, services.today())
    assert (before.rule, future.rule, none.rule) == ("makeup_before_sitting", "held_on_in_future",
                                                     "headcount_at_least_one")
    assert AssessmentSitting.objects.get().headcount == 30


def test_a_makeup_may_not_take_the_college_past_the_bound(filed):
    sitting = _record(filed, 99_999)
    assert _refused(services.record_makeup, user("teo_1"), sitting, 2, services.today()).rule == "headcount_too_large"


def test_after_release_corrections_and_makeups_are_refused_with_the_rule(filed):
    sitting = _record(filed, 30)
    _release(filed)
    corrected = _refused(services.correct_sitting, user("teo_1"), sitting, 31)
    made_up = _refused(services.record_makeup, user("teo_1"), sitting, 2, services.today())
    assert corrected.rule == made_up.rule == "payment_released" and corrected.status == 409
    assert f"{FEE * 30:,.2f}" in corrected.message and corrected.params["amount"] == FEE * 30
    sitting.refresh_from_db()
    assert sitting.headcount == 30 and not sitting.makeups.exists()
    assert not AuditEntry.objects.filter(action__in=["assessment_corrected", "makeup_recorded"]).exists()


def test_a_correction_below_the_certificates_issued_is_refused(filed):
    sitting = _record(filed, 3)
    services.issue_certificates(user("teo_1"), sitting, ["甲,S1", "乙,S2", "丙,S3"])
    refusal = _refused(services.correct_sitting, user("teo_1"), sitting, 2)
    assert refusal.rule == "headcount_below_issued" and "3" in refusal.message and "2" in refusal.message


def test_only_the_certificates_teo_corrects_or_makes_up(filed):
    sitting = _record(filed, 30)
    for username in ("college_42_1", "ministry"):  # they see the sitting; only its TEO acts on it
        assert _refused(services.correct_sitting, user(username), sitting, 31).status == 403, username
        assert _refused(services.record_makeup, user(username), sitting, 1, services.today()).status == 403
    assert _refused(services.correct_sitting, user("teo_2"), sitting, 31).rule == "sitting_not_found"
    assert _refused(services.record_makeup, user("teo_2"), sitting, 1, services.today()).status == 404


def test_a_long_reason_is_refused(filed):
    sitting = _record(filed, 30)
    assert _refused(services.correct_sitting, user("teo_1"), sitting, 31, "因" * 501).rule == "reason_too_long"


# --- certificates -----------------------------------------------------------------------


def test_no_certificate_is_issued_on_a_refused_zero_person_sitting_and_never_more_than_assessed(filed):
    sitting = _record(filed, 2)
    refusal = _refused(services.issue_certificates, user("teo_1"), sitting, ["甲,S1", "乙,S2", "丙,S3"])
    assert refusal.rule == "certificates_exceed_assessed" and "2" in refusal.message and "3" in refusal.message
    assert not IssuedCertificate.objects.exists()
    services.issue_certificates(user("teo_1"), sitting, ["甲,S1"])
    again = _refused(services.issue_certificates, user("teo_1"), sitting, ["乙,S2", "丙,S3"])
    assert "1" in again.message and IssuedCertificate.objects.count() == 1
    services.issue_certificates(user("teo_1"), sitting, ["乙,S2"])
    assert IssuedCertificate.objects.count() == 2


def test_a_makeup_lets_its_people_have_certificates_too(filed):
    sitting = _record(filed, 1)
    services.issue_certificates(user("teo_1"), sitting, ["甲,S1"])
    services.record_makeup(user("teo_1"), sitting, 1, services.today())
    assert [c.holder_name for c in services.issue_certificates(user("teo_1"), sitting, ["乙,S2"])] == ["乙"]


@pytest.mark.parametrize("holders", [[], (), "李明"])
def test_an_empty_or_malformed_holders_list_is_refused_by_the_service(filed, holders):
    sitting = _record(filed, 2)
    assert _refused(services.issue_certificates, user("teo_1"), sitting, holders).rule == "holders_required"


def test_serials_carry_the_certificate_code_once(filed):
    sitting = _record(filed, 2)
    first, second = services.issue_certificates(user("teo_1"), sitting, ["甲,S1", "乙,S2"])
    assert first.serial_no == f"X-WEB-01-{sitting.pk:05d}-0001" and second.serial_no.endswith("-0002")
    assert not first.serial_no.startswith("X-X-")


def test_a_code_without_the_x_prefix_gets_it_and_long_codes_fit_the_serial():
    assert services.serial_no("WEB-01", 7, 3) == "X-WEB-01-00007-0003"
    long = services.serial_no("X-" + "A" * 28, 12_345_678, 9999)
    assert len(long) <= IssuedCertificate._meta.get_field("serial_no").max_length


# --- paper copies -----------------------------------------------------------------------


@pytest.fixture
def mine(filed) -> IssuedCertificate:
    sitting = _record(filed, 2)
    return services.issue_certificates(user("teo_1"), sitting, ["李明,2023010001", "王五,2023010099"])[0]


def test_a_paper_copy_costs_the_teos_published_price_and_goes_to_the_address_given(mine):
    order = services.order_paper_certificate(user("student"), mine, *ADDRESS)
    assert order.price == Decimal("25.00") and order.state == PaperCertificateOrder.State.ORDERED
    assert (order.recipient, order.phone, order.address) == ADDRESS


def test_a_second_open_order_of_the_same_certificate_is_refused_before_the_constraint(mine):
    services.order_paper_certificate(user("student"), mine, *ADDRESS)
    refusal = _refused(services.order_paper_certificate, user("student"), mine, *ADDRESS)
    assert refusal.rule == "paper_order_open" and refusal.status == 409 and "25.00" in refusal.message
    assert mine.paper_orders.count() == 1


def test_the_schema_keeps_one_open_order_per_certificate_and_a_closed_one_allows_another(mine):
    order = services.order_paper_certificate(user("student"), mine, *ADDRESS)
    with pytest.raises(IntegrityError), transaction.atomic():
        PaperCertificateOrder.objects.create(certificate=mine, price=order.price, ordered_at=timezone.now(),
                                             recipient="x", phone="12345", address="y")
    order.dispatch("SF1234567890", None, timezone.now())
    order.deliver(None, timezone.now())
    order.save()
    assert services.order_paper_certificate(user("student"), mine, *ADDRESS).state == "ordered"


@pytest.mark.parametrize("field, value, rule", [
    (0, "", "recipient_required"), (1, "  ", "phone_required"), (2, "", "address_required"),
    (0, "名" * 51, "recipient_too_long"), (1, "1" * 21, "phone_too_long"), (2, "路" * 201, "address_too_long"),
    (1, "call me", "phone_invalid"), (1, "1234", "phone_invalid"), (2, None, "address_required"),
])
def test_the_delivery_address_is_required_and_bounded(mine, field, value, rule):
    address = list(ADDRESS)
    address[field] = value
    assert _refused(services.order_paper_certificate, user("student"), mine, *address).rule == rule
    assert not mine.paper_orders.exists()


def test_no_order_while_the_teo_has_published_no_paper_copy_price(mine):
    FeeSchedule.objects.filter(certificate__code="X-WEB-01").update(paper_copy_price=None)
    refusal = _refused(services.order_paper_certificate, user("student"), mine, *ADDRESS)
    assert refusal.rule == "paper_copy_price_not_published" and refusal.status == 409


def test_only_the_holder_orders_a_paper_copy(mine):
    other = IssuedCertificate.objects.get(holder_name="王五")
    assert _refused(services.order_paper_certificate, user("student"), other, *ADDRESS).status == 404
    assert _refused(services.order_paper_certificate, user("college_42_1"), mine, *ADDRESS).status == 404
    assert _refused(services.order_paper_certificate, user("ministry"), mine, *ADDRESS).status == 403


# --- the paper-copy price on the fee schedule -------------------------------------------


def _publish(price):
    schedule = FeeSchedule.objects.get(certificate__code="X-WEB-01", state="published")
    return services.publish_schedule(user("teo_1"), schedule.certificate, f"{schedule.fee:.2f}", schedule.lines,
                                     paper_copy_price=price)


@pytest.mark.parametrize("price, rule", [("40.01", "paper_certificate_price"), ("", "paper_copy_price_required"),
                                         (None, "paper_copy_price_required"), ("-1", "amount_negative")])
def test_a_paper_copy_price_above_40_or_missing_is_refused_at_publishing(world, price, rule):
    refusal = _refused(_publish, price)
    assert refusal.rule == rule
    assert FeeSchedule.objects.get(certificate__code="X-WEB-01", state="published").paper_copy_price == Decimal("25")


def test_the_price_published_last_is_what_the_next_order_costs(mine):
    assert _publish("40.00").paper_copy_price == Decimal("40.00")
    assert services.order_paper_certificate(user("student"), mine, *ADDRESS).price == Decimal("40.00")
