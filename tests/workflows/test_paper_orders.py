"""A paper copy after it is ordered: dispatched by the certificate's TEO with a tracking number,
delivered (the student confirms, or the TEO marks it), or cancelled before dispatch; each refusal
names its rule, and a closed order lets the certificate be ordered again."""
from datetime import UTC, datetime
from decimal import Decimal

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.utils import timezone

from bpmn.models import AuditEntry
from notifications.models import Notification
from tests.workflows.paper_copies import TRACKING_NO, ordered, second_student
from tests.workflows.walk import user
from workflows import permissions, services
from workflows.errors import RuleViolation
from workflows.models import PaperCertificateOrder

pytestmark = pytest.mark.django_db

DISPATCHED_AT = datetime(2026, 5, 6, 2, 0, tzinfo=UTC)  # 10:00 in Beijing


@pytest.fixture
def dispatched(order) -> PaperCertificateOrder:
    with time_machine.travel(DISPATCHED_AT, tick=False):
        return services.dispatch_paper_order(user("teo_1"), order, TRACKING_NO)


def _refused(call, *args) -> RuleViolation:
    with pytest.raises(RuleViolation) as refusal:
        call(*args)
    return refusal.value


def _state(order) -> str:
    order.refresh_from_db()
    return order.state


def _audit(action: str) -> list[dict]:
    return [entry.data for entry in AuditEntry.objects.filter(action=action).order_by("pk")]


# --- the transitions ---------------------------------------------------------------------


def test_the_certificates_teo_dispatches_with_the_tracking_number_and_it_is_audited(dispatched):
    assert dispatched.state == PaperCertificateOrder.State.DISPATCHED and dispatched.tracking_no == TRACKING_NO
    assert dispatched.dispatched_by == user("teo_1") and dispatched.dispatched_at == DISPATCHED_AT
    [audit] = _audit("paper_order_dispatched")
    assert audit == {"order": dispatched.pk, "certificate": dispatched.certificate.serial_no,
                     "college": dispatched.certificate.sitting.college_id, "price": "25.00", "tracking_no": TRACKING_NO}


def test_the_tracking_number_is_kept_with_its_spaces_collapsed(order):
    assert services.dispatch_paper_order(user("teo_1"), order.pk, "  顺丰   SF 123 ").tracking_no == "顺丰 SF 123"


def test_the_student_confirms_receipt_and_the_order_closes(dispatched):
    delivered = services.deliver_paper_order(user("student"), dispatched)
    assert delivered.state == PaperCertificateOrder.State.DELIVERED and delivered.delivered_by == user("student")
    assert not delivered.is_open and _audit("paper_order_delivered")[0]["by"] == "student"


def test_the_teo_may_mark_a_dispatched_copy_delivered(dispatched):
    assert services.deliver_paper_order(user("teo_1"), dispatched.pk).delivered_by == user("teo_1")


def test_the_teo_cancels_an_undispatched_order_with_a_reason_and_its_price_is_refunded(order):
    cancelled = services.cancel_paper_order(user("teo_1"), order, "  地址不在配送范围  ")
    assert cancelled.state == PaperCertificateOrder.State.CANCELLED and cancelled.cancel_reason == "地址不在配送范围"
    assert cancelled.cancelled_by == user("teo_1")
    [audit] = _audit("paper_order_cancelled")
    assert audit["refund"] == "25.00" and audit["by"] == "teo" and audit["reason"] == "地址不在配送范围"


def test_the_student_cancels_their_own_undispatched_order_without_giving_a_reason(order):
    cancelled = services.cancel_paper_order(user("student"), order)
    assert cancelled.state == PaperCertificateOrder.State.CANCELLED and cancelled.cancel_reason == ""


def test_placing_an_order_is_audited_without_the_delivery_address(order):
    [audit] = _audit("paper_order_placed")
    assert audit == {"order": order.pk, "certificate": order.certificate.serial_no,
                     "college": order.certificate.sitting.college_id, "price": "25.00"}


# --- the refusals ------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["teo_2", "college_42_1", "finance_42_1", "reviewer_42"])
def test_anyone_who_may_not_see_the_order_gets_not_found(order, username):
    for call, args in ((services.dispatch_paper_order, (TRACKING_NO,)), (services.deliver_paper_order, ()),
                       (services.cancel_paper_order, ("理由",))):
        refusal = _refused(call, user(username), order, *args)
        assert (refusal.rule, refusal.status) == ("paper_order_not_found", 404), (username, call.__name__)
    assert _state(order) == "ordered"


def test_another_students_order_is_not_found_and_not_listed(certificates):
    theirs = ordered(certificates[1], second_student())
    assert _refused(services.cancel_paper_order, user("student"), theirs).status == 404
    assert _refused(services.deliver_paper_order, user("student"), theirs).status == 404
    assert not permissions.visible_paper_orders(user("student")).filter(pk=theirs.pk).exists()
    assert _state(theirs) == "ordered"


def test_a_student_may_not_dispatch_and_the_ministry_may_do_nothing(order):
    refusal = _refused(services.dispatch_paper_order, user("student"), order, TRACKING_NO)
    assert (refusal.rule, refusal.status) == ("actor_not_allowed", 403)
    for call, args in ((services.dispatch_paper_order, (TRACKING_NO,)), (services.deliver_paper_order, ()),
                       (services.cancel_paper_order, ("理由",))):
        assert _refused(call, user("ministry"), order, *args).status == 403, call.__name__
    assert _state(order) == "ordered"


def test_dispatching_twice_is_refused_naming_the_first_dispatch(dispatched):
    refusal = _refused(services.dispatch_paper_order, user("teo_1"), dispatched, "YT000")
    assert (refusal.rule, refusal.status) == ("paper_order_dispatched", 409)
    assert refusal.params == {"on": "2026-05-06", "tracking_no": TRACKING_NO}
    assert TRACKING_NO in refusal.message
    dispatched.refresh_from_db()
    assert dispatched.tracking_no == TRACKING_NO


@pytest.mark.parametrize("username, reason", [("teo_1", "缺货"), ("student", "")])
def test_a_dispatched_order_can_no_longer_be_cancelled(dispatched, username, reason):
    refusal = _refused(services.cancel_paper_order, user(username), dispatched, reason)
    assert (refusal.rule, refusal.status) == ("paper_order_dispatched", 409)
    assert _state(dispatched) == "dispatched"


def test_receipt_of_an_order_not_yet_dispatched_is_refused(order):
    refusal = _refused(services.deliver_paper_order, user("student"), order)
    assert (refusal.rule, refusal.status) == ("paper_order_not_dispatched", 409)


def test_a_closed_order_refuses_every_act_saying_when_it_closed(dispatched, order):
    services.deliver_paper_order(user("student"), dispatched)
    for call, args in ((services.dispatch_paper_order, (TRACKING_NO,)), (services.deliver_paper_order, ()),
                       (services.cancel_paper_order, ("理由",))):
        assert _refused(call, user("teo_1"), order, *args).rule == "paper_order_delivered"


def test_a_cancelled_order_is_not_dispatched(order):
    services.cancel_paper_order(user("student"), order)
    assert _refused(services.dispatch_paper_order, user("teo_1"), order, TRACKING_NO).rule == "paper_order_cancelled"


@pytest.mark.parametrize("tracking_no, rule", [("", "tracking_no_required"), ("   ", "tracking_no_required"),
                                               (None, "tracking_no_required"), (12345, "tracking_no_required"),
                                               ("S" * 41, "tracking_no_too_long")])
def test_the_tracking_number_is_required_and_bounded(order, tracking_no, rule):
    assert _refused(services.dispatch_paper_order, user("teo_1"), order, tracking_no).rule == rule
    assert _state(order) == "ordered"


def test_the_teo_must_give_a_reason_to_cancel_and_it_is_bounded(order):
    assert _refused(services.cancel_paper_order, user("teo_1"), order, " ").rule == "reason_required"
    assert _refused(services.cancel_paper_order, user("student"), order, "因" * 501).rule == "reason_too_long"
    assert _state(order) == "ordered"


# --- one open order per certificate ------------------------------------------------------


def test_a_dispatched_order_is_still_open_and_keeps_the_certificate_from_a_second_order(dispatched):
    refusal = _refused(ordered, dispatched.certificate)
    assert refusal.rule == "paper_order_open"
    with pytest.raises(IntegrityError), transaction.atomic():
        PaperCertificateOrder.objects.create(certificate=dispatched.certificate, price=Decimal("25.00"),
                                             ordered_at=timezone.now(), recipient="x", phone="12345", address="y")


def test_after_a_cancel_the_certificate_may_be_ordered_again(order):
    services.cancel_paper_order(user("student"), order)
    again = ordered(order.certificate)
    assert again.pk != order.pk and again.state == "ordered"


def test_after_delivery_a_second_order_is_a_new_one_for_a_replacement_copy(dispatched):
    services.deliver_paper_order(user("student"), dispatched)
    replacement = ordered(dispatched.certificate)
    assert replacement.state == "ordered" and replacement.tracking_no == ""
    assert dispatched.certificate.paper_orders.count() == 2


# --- who is told --------------------------------------------------------------------------


def _told(event: str) -> list[Notification]:
    return list(Notification.objects.filter(event=event).select_related("recipient").order_by("pk"))


def test_the_student_is_told_of_the_dispatch_with_the_tracking_number(dispatched):
    [told] = _told("paper_order_dispatched")
    assert told.recipient == user("student") and told.link == "/certificates/"
    assert TRACKING_NO in told.title_zh and TRACKING_NO in told.title_en and "已寄出" in told.title_zh
    assert told.object_type == "paper_order" and told.object_id == str(dispatched.pk)


def test_the_teo_is_told_of_a_new_order_and_of_the_students_cancel_the_student_of_the_teos(certificates):
    first = ordered(certificates[0])
    assert {n.recipient.username for n in _told("paper_order_placed")} == {"teo_1"}
    services.cancel_paper_order(user("student"), first)
    services.cancel_paper_order(user("teo_1"), ordered(certificates[0]), "缺货")
    by_student, by_teo = _told("paper_order_cancelled")
    assert by_student.recipient.username == "teo_1" and by_student.link == "/paper-orders/"
    assert by_teo.recipient.username == "student" and "缺货" in by_teo.title_zh and "¥25.00" in by_teo.title_zh
