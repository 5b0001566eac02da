"""The TEO's assessments page and the student's certificates page: sittings, corrections, make-ups,
certificates and paper copies, each refusal shown with the rule and the form as it was typed."""
from decimal import Decimal

import pytest

from tests.workflows.walk import DELIVERY, WEB01_FEE, college, open_task, user
from tryout.simulation import actor_for
from workflows import services
from workflows.models import AssessmentSitting, FeeSchedule, IssuedCertificate, Payment

pytestmark = pytest.mark.django_db




def _record_url(walk) -> str:
    return f"/agreements/{walk.negotiation.agreements.get().pk}/assessments/"


def _sitting(walk, headcount: int) -> AssessmentSitting:
    return services.record_assessment(user("teo_1"), walk.negotiation.agreements.get(), college("college_42_1"),
                                      headcount, services.today())


def _release(walk) -> None:
    payment = Payment.objects.get(agreement__negotiation=walk.negotiation, college=college("college_42_1"))
    task = open_task(walk.negotiation, "release_payment", payment.college_id)
    services.complete(task.task_id, actor_for(task), {"funding": [{"source": "own", "amount": f"{payment.amount}"}]})


def test_a_zero_headcount_is_refused_on_the_page_and_the_form_keeps_what_was_typed(browser, hubei_filed):
    lead = college("college_42_1")
    today = f"{services.today():%Y-%m-%d}"
    posted = {"college": lead.pk, "headcount": "0", "held_on": today}
    refused = browser.as_("teo_1").post(_record_url(hubei_filed), posted)
    page = refused.content.decode()
    assert refused.status_code == 400 and 'data-rule="headcount_at_least_one"' in page
    assert 'name="headcount" inputmode="numeric" size="6" required value="0"' in page
    assert f'value="{today}"' in page and f'<option value="{lead.pk}" selected>' in page
    assert not AssessmentSitting.objects.exists()


def test_the_sitting_date_is_asked_for_and_not_assumed(browser, hubei_filed):
    teo = browser.as_("teo_1")
    page = teo.get("/assessments/").content.decode()
    assert f'type="date" name="held_on" required max="{services.today():%Y-%m-%d}" value=""' in page
    missing = teo.post(_record_url(hubei_filed), {"college": college("college_42_1").pk, "headcount": "30"})
    assert missing.status_code == 400 and 'data-rule="held_on_required"' in missing.content.decode()
    garbled = teo.post(_record_url(hubei_filed), {"college": college("college_42_1").pk, "headcount": "30",
                                            "held_on": "2026-13-40"})
    assert garbled.status_code == 400 and 'data-rule="held_on_not_a_date"' in garbled.content.decode()
    assert not AssessmentSitting.objects.exists()


def test_the_same_college_again_is_refused_on_the_page_not_a_server_error(browser, hubei_filed):
    _sitting(hubei_filed, 30)
    posted = {"college": college("college_42_1").pk, "headcount": "31", "held_on": f"{services.today():%Y-%m-%d}"}
    again = browser.as_("teo_1").post(_record_url(hubei_filed), posted)
    assert again.status_code == 409 and 'data-rule="sitting_already_recorded"' in again.content.decode()


def test_the_page_lists_each_sitting_with_its_headcount_certificates_and_the_correct_and_makeup_forms(browser,
                                                                                                      hubei_filed):
    sitting = _sitting(hubei_filed, 30)
    services.issue_certificates(user("teo_1"), sitting, ["甲,S1", "乙,S2"])
    page = browser.as_("teo_1").get("/assessments/").content.decode()
    row = page.split(f'id="sitting-{sitting.pk}"')[1].split("</tr>")[0]
    assert 'data-headcount="30" data-issued="2"' in page and "2 / 30" in row
    assert f'action="/sittings/{sitting.pk}/correction/"' in row and f'action="/sittings/{sitting.pk}/make-ups/"' in row
    assert f"X-WEB-01-{sitting.pk:05d}-0001" in row and "X-X-" not in page
    recording = page.split('id="record-')[1].split("</form>")[0]
    assert f'value="{college("college_42_1").pk}"' not in recording  # recorded already: corrected, not recorded
    assert f'value="{college("college_42_2").pk}"' in recording


def test_a_correction_on_the_page_recomputes_the_payment_and_a_makeup_adds_its_people(browser, hubei_filed):
    sitting = _sitting(hubei_filed, 30)
    teo = browser.as_("teo_1")
    assert teo.post(f"/sittings/{sitting.pk}/correction/", {"headcount": "32", "reason": "笔误"}).status_code == 302
    today = f"{services.today():%Y-%m-%d}"
    assert teo.post(f"/sittings/{sitting.pk}/make-ups/", {"headcount": "5", "held_on": today}).status_code == 302
    payment = Payment.objects.get(sitting=sitting)
    assert payment.amount == WEB01_FEE * 37 and payment.state == Payment.State.DUE
    page = teo.get("/assessments/").content.decode()
    assert 'data-headcount="37"' in page and f"{today} +5" in page


def test_a_refused_correction_or_makeup_keeps_what_was_typed(browser, hubei_filed):
    sitting = _sitting(hubei_filed, 2)
    services.issue_certificates(user("teo_1"), sitting, ["甲,S1", "乙,S2"])
    teo = browser.as_("teo_1")
    below = teo.post(f"/sittings/{sitting.pk}/correction/", {"headcount": "1", "reason": "重新核对"})
    page = below.content.decode()
    assert below.status_code == 409 and 'data-rule="headcount_below_issued"' in page
    assert 'value="1"' in page and 'value="重新核对"' in page
    future = teo.post(f"/sittings/{sitting.pk}/make-ups/", {"headcount": "4", "held_on": "2999-01-01"})
    assert future.status_code == 400 and 'data-rule="held_on_in_future"' in future.content.decode()
    assert 'value="2999-01-01"' in future.content.decode()


def test_after_release_the_page_offers_no_correction_and_a_posted_one_is_refused(browser, hubei_filed):
    sitting = _sitting(hubei_filed, 30)
    _release(hubei_filed)
    teo = browser.as_("teo_1")
    row = teo.get("/assessments/").content.decode().split(f'id="sitting-{sitting.pk}"')[1].split("</tr>")[0]
    assert "/correction/" not in row and "/make-ups/" not in row and "/certificates/" in row
    refused = teo.post(f"/sittings/{sitting.pk}/correction/", {"headcount": "31"})
    assert refused.status_code == 409 and 'data-rule="payment_released"' in refused.content.decode()


def test_more_certificates_than_people_assessed_are_refused_keeping_the_names(browser, hubei_filed):
    sitting = _sitting(hubei_filed, 1)
    refused = browser.as_("teo_1").post(f"/sittings/{sitting.pk}/certificates/", {"holders": "甲,S1\n乙,S2"})
    page = refused.content.decode()
    assert refused.status_code == 400 and 'data-rule="certificates_exceed_assessed"' in page
    assert "甲,S1\n乙,S2</textarea>" in page and not IssuedCertificate.objects.exists()
    empty = browser.post(f"/sittings/{sitting.pk}/certificates/", {"holders": " \n "})
    assert empty.status_code == 400 and 'data-rule="holders_required"' in empty.content.decode()


def test_only_the_certificates_teo_works_the_sittings(browser, hubei_filed):
    sitting = _sitting(hubei_filed, 30)
    today = f"{services.today():%Y-%m-%d}"
    assert browser.as_("teo_1").get("/assessments/").status_code == 200
    colleague = browser.as_("college_42_1")  # the college, a lesser role for this page
    assert colleague.get("/assessments/").status_code == 403
    assert colleague.post(f"/sittings/{sitting.pk}/correction/", {"headcount": "1"}).status_code == 403
    outsider = browser.as_("teo_2")
    assert f"sitting-{sitting.pk}" not in outsider.get("/assessments/").content.decode()
    assert outsider.post(f"/sittings/{sitting.pk}/correction/", {"headcount": "1"}).status_code == 404
    assert outsider.post(f"/sittings/{sitting.pk}/make-ups/", {"headcount": "1", "held_on": today}).status_code == 404
    assert outsider.post(f"/sittings/{sitting.pk}/certificates/", {"holders": "甲,S1"}).status_code == 404
    assert outsider.post(_record_url(hubei_filed), {"college": college("college_42_2").pk, "headcount": "1",
                                              "held_on": today}).status_code == 404
    sitting.refresh_from_db()
    assert sitting.headcount == 30 and not sitting.makeups.exists()


# --- the student's certificates page -------------------------------------------------------


@pytest.fixture
def mine(hubei_filed) -> IssuedCertificate:
    return services.issue_certificates(user("teo_1"), _sitting(hubei_filed, 2),
                                       ["李明,2023010001", "王五,2023010099"])[0]


def test_the_student_sees_the_published_price_and_gives_an_address_not_a_price(browser, mine):
    page = browser.as_("student").get("/certificates/").content.decode()
    form = page.split(f'id="paper-order-{mine.pk}"')[1].split("</form>")[0]
    assert "¥25.00" in form and 'name="price"' not in form
    assert all(f'name="{field}"' in form for field in ("recipient", "phone", "address"))
    assert 'name="recipient" required maxlength="50" value="李明"' in form  # the holder, to start with


def test_a_refused_paper_order_keeps_the_address_typed(browser, mine):
    refused = browser.as_("student").post("/certificates/", {"certificate": mine.pk, **DELIVERY, "phone": "call me"})
    page = refused.content.decode()
    assert refused.status_code == 400 and 'data-rule="phone_invalid"' in page
    assert 'value="call me"' in page and "湖北省武汉市江夏区</textarea>" in page and not mine.paper_orders.exists()


def test_one_open_paper_order_per_certificate_on_the_page(browser, mine):
    student = browser.as_("student")
    assert student.post("/certificates/", {"certificate": mine.pk, **DELIVERY}).status_code == 302
    page = student.get("/certificates/").content.decode()
    assert f'id="paper-order-{mine.pk}"' not in page and "湖北省武汉市江夏区" in page
    again = student.post("/certificates/", {"certificate": mine.pk, **DELIVERY})
    assert again.status_code == 409 and 'data-rule="paper_order_open"' in again.content.decode()
    assert mine.paper_orders.get().price == Decimal("25.00")


def test_with_no_published_price_the_page_says_so_and_offers_no_form(browser, mine):
    FeeSchedule.objects.filter(certificate__code="X-WEB-01").update(paper_copy_price=None)
    page = browser.as_("student").get("/certificates/").content.decode()
    assert f'id="paper-order-{mine.pk}"' not in page and "尚未公示纸质证书价格" in page


def test_the_teo_publishes_the_paper_copy_price_and_one_above_40_is_refused_keeping_the_form(browser, world):
    from workflows.models import Certificate

    web = Certificate.objects.get(code="X-WEB-01")
    teo = browser.as_("teo_1")
    schedules = teo.get("/schedules/").content.decode()
    assert 'name="paper_copy_price" inputmode="decimal" size="9" value="25.00"' in schedules
    form = {"certificate": web.pk, "fee": "150.00", "line_question_bank": "150.00", "paper_copy_price": "45.00"}
    refused = teo.post("/schedules/", form)
    assert refused.status_code == 400 and 'data-rule="paper_certificate_price"' in refused.content.decode()
    assert 'value="45.00"' in refused.content.decode()
    assert teo.post("/schedules/", {**form, "paper_copy_price": "40.00"}).status_code == 302
    assert FeeSchedule.objects.get(certificate=web, state="published").paper_copy_price == Decimal("40.00")
