"""The TEO's paper-orders page, the student's certificates page and the ministry's read-only list:
dispatch with a tracking number, confirm receipt, cancel, each irreversible act asking first."""
import pytest

from tests.workflows.paper_copies import TRACKING_NO, issue_two, ordered, second_student
from workflows.models import PaperCertificateOrder

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(hubei_filed) -> PaperCertificateOrder:
    return ordered(issue_two(hubei_filed)[0])


def _state(order) -> str:
    order.refresh_from_db()
    return order.state


def _form(page: str, form_id: str) -> str:
    return page.split(f'id="{form_id}"')[1].split("</form>")[0]


def test_the_teo_lists_its_orders_by_state_and_dispatches_with_a_tracking_number(browser, order):
    teo = browser.as_("teo_1")
    page = teo.get("/paper-orders/").content.decode()
    assert 'href="/paper-orders/" class="on"' in page and order.certificate.serial_no in page
    assert "湖北省武汉市江夏区" in page  # where to send it
    dispatch = _form(page, f"dispatch-{order.pk}")
    assert 'name="tracking_no" required maxlength="40"' in dispatch and "data-confirm=" in dispatch
    assert "data-confirm=" in _form(page, f"cancel-{order.pk}")
    assert order.certificate.serial_no not in teo.get("/paper-orders/?state=dispatched").content.decode()
    listed = teo.get("/paper-orders/?state=ordered", headers={"HX-Request": "true", "HX-Target": "paper_orders-list"})
    assert listed.content.decode().startswith('<div id="paper_orders-list"') and order.certificate.serial_no in (
        listed.content.decode())
    sent = teo.post(f"/paper-orders/{order.pk}/dispatch/", {"tracking_no": TRACKING_NO,
                                                            "next": "/paper-orders/?state=ordered"})
    assert sent.status_code == 302 and sent["Location"] == "/paper-orders/?state=ordered"
    assert _state(order) == "dispatched"
    page = teo.get("/paper-orders/?state=dispatched").content.decode()
    assert TRACKING_NO in page and "data-confirm=" in _form(page, f"deliver-{order.pk}")


def test_a_refused_dispatch_shows_the_rule_and_keeps_what_was_typed(browser, order):
    refused = browser.as_("teo_1").post(f"/paper-orders/{order.pk}/dispatch/", {"tracking_no": "S" * 41})
    page = refused.content.decode()
    assert refused.status_code == 400 and 'data-rule="tracking_no_too_long"' in page
    assert f'value="{"S" * 41}"' in _form(page, f"dispatch-{order.pk}") and _state(order) == "ordered"
    missing = browser.as_("teo_1").post(f"/paper-orders/{order.pk}/cancel/", {"reason": ""})
    assert missing.status_code == 400 and 'data-rule="reason_required"' in missing.content.decode()


def test_the_student_sees_the_tracking_number_and_confirms_receipt(browser, order):
    browser.as_("teo_1").post(f"/paper-orders/{order.pk}/dispatch/", {"tracking_no": TRACKING_NO})
    student = browser.as_("student")
    page = student.get("/certificates/").content.decode()
    assert f'<code class="tracking">{TRACKING_NO}</code>' in page and "已寄出" in page
    assert "data-confirm=" in _form(page, f"deliver-{order.pk}") and f'id="cancel-{order.pk}"' not in page
    assert student.post(f"/paper-orders/{order.pk}/deliver/").status_code == 302
    page = student.get("/certificates/").content.decode()
    assert _state(order) == "delivered" and f'id="deliver-{order.pk}"' not in page
    assert f'id="paper-order-{order.certificate_id}"' in page  # a replacement copy may be ordered


def test_the_student_cancels_their_own_undispatched_order_and_may_order_again(browser, order):
    student = browser.as_("student")
    page = student.get("/certificates/").content.decode()
    assert f'id="paper-order-{order.certificate_id}"' not in page
    assert "data-confirm=" in _form(page, f"cancel-{order.pk}")
    assert student.post(f"/paper-orders/{order.pk}/cancel/", {"reason": ""}).status_code == 302
    page = student.get("/certificates/").content.decode()
    assert _state(order) == "cancelled" and "¥25.00" in page and f'id="paper-order-{order.certificate_id}"' in page


def test_a_refused_receipt_shows_the_students_page_with_the_rule(browser, order):
    refused = browser.as_("student").post(f"/paper-orders/{order.pk}/deliver/")
    assert refused.status_code == 409 and 'data-rule="paper_order_not_dispatched"' in refused.content.decode()
    assert "<h1>我的证书</h1>" in refused.content.decode()


def test_others_orders_are_not_found_and_the_ministry_reads_only(browser, order, hubei_filed):
    theirs = ordered(order.certificate.sitting.certificates.exclude(pk=order.certificate_id).get(), second_student())
    assert browser.as_("student").post(f"/paper-orders/{theirs.pk}/cancel/").status_code == 404
    other_teo = browser.as_("teo_2")
    assert order.certificate.serial_no not in other_teo.get("/paper-orders/").content.decode()
    assert other_teo.post(f"/paper-orders/{order.pk}/dispatch/", {"tracking_no": TRACKING_NO}).status_code == 404
    assert browser.as_("college_42_1").get("/paper-orders/").status_code == 403
    ministry = browser.as_("ministry")
    page = ministry.get("/paper-orders/").content.decode()
    assert order.certificate.serial_no in page and theirs.certificate.serial_no in page
    assert '<form method="post" action="/paper-orders/' not in page  # read only
    refused = ministry.post(f"/paper-orders/{order.pk}/cancel/", {"reason": "x"})
    assert refused.status_code == 403 and 'data-rule="actor_not_allowed"' in refused.content.decode()
    assert _state(order) == "ordered" and _state(theirs) == "ordered"
