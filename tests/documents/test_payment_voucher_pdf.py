"""A released payment's voucher (拨付凭证) as PDF: college, agreement, headcount, amount, funds, who released it."""
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from tests.documents.pdf_text import flat, is_pdf, text_of
from tests.workflows.walk import user
from workflows import services
from workflows.models import Payment

pytestmark = pytest.mark.django_db


def _voucher(browser, username: str, payment: Payment, **headers):
    return browser.as_(username).get(f"/payments/{payment.pk}/pdf/", headers=headers)


def test_the_voucher_holds_college_agreement_headcount_amount_funds_and_who_released_it(browser, released):
    response = _voucher(browser, "finance_42_1", released)
    assert response.status_code == 200 and is_pdf(response)
    assert f"payment-voucher-{released.pk}.pdf" in response["Content-Disposition"]
    text = text_of(response.content)
    at = timezone.localtime(released.released_at, ZoneInfo("Asia/Shanghai"))
    for needle in ("拨付凭证", "武汉职业技术学院", "工业互联网培训评价有限公司", released.agreement.number,
                   released.agreement.filing.filing_no, "实际考核人数10", "¥180.00", "¥1,800.00", "据实列支",
                   "自有资金考核费¥1,000.00", "财政资金考核费¥800.00",
                   f"孙丽（武汉职业技术学院），{at:%Y-%m-%d %H:%M}"):
        assert flat(needle) in text, needle


def test_a_make_up_sitting_is_shown_beside_the_first_in_the_headcount(browser, hubei_filed):
    agreement = hubei_filed.negotiation.agreements.get()
    lead = hubei_filed.negotiation.alliance.lead
    sitting = services.record_assessment(user("teo_1"), agreement, lead, 8, held_on=services.today())
    services.record_makeup(user("teo_1"), sitting, 2, held_on=services.today())
    hubei_filed.do("release_payment", {"funding": [{"source": "own", "amount": "1800.00"}]})
    text = text_of(_voucher(browser, "finance_42_1", Payment.objects.get(agreement=agreement, college=lead)).content)
    day = f"{services.today():%Y-%m-%d}"
    assert flat(f"实际考核人数10（{day}考核8人，{day}补考2人）") in text


def test_english_on_request_gives_english_labels(browser, released):
    text = text_of(_voucher(browser, "finance_42_1", released, accept_language="en").content)
    for label in ("Payment voucher", "Paying college", "Headcount assessed", "Own funds", "Fiscal funds",
                  "Assessment fee", "Released by", "孙丽 of 武汉职业技术学院"):
        assert flat(label) in text, label
    assert "付款院校" not in text and "自有资金" not in text and "拨付人" not in text


def test_a_payment_not_yet_released_has_no_voucher(browser, hubei_filed):
    agreement = hubei_filed.negotiation.agreements.get()
    services.record_assessment(user("teo_1"), agreement, hubei_filed.negotiation.alliance.lead, 10,
                               held_on=services.today())
    due = Payment.objects.get(agreement=agreement, college=hubei_filed.negotiation.alliance.lead)
    response = _voucher(browser, "finance_42_1", due)
    assert response.status_code == 409 and not is_pdf(response)
    assert "voucher_after_release" in response.content.decode()


@pytest.mark.parametrize("username, status", [
    ("finance_42_1", 200),   # the owner: the finance office that released it
    ("college_42_1", 200),   # the college itself reads its payments page
    ("student", 403),        # a colleague of the college with a lesser role: no payments page
    ("finance_42_2", 404),   # an outsider: another member college's finance office
    ("teo_1", 403),          # the payee: the payments page is the colleges' and the ministry's
    ("ministry", 200),
])
def test_who_reads_the_payment_on_the_payments_page_downloads_its_voucher(browser, released, username, status):
    page = browser.as_(username).get("/payments/")
    assert page.status_code == (403 if status == 403 else 200)
    assert (f'href="/payments/{released.pk}/pdf/"' in page.content.decode()) == (status == 200)
    response = _voucher(browser, username, released)
    assert response.status_code == status and is_pdf(response) == (status == 200)


def test_the_payments_page_links_only_released_payments_to_their_vouchers(browser, released):
    page = browser.as_("ministry").get("/payments/").content.decode()
    others = Payment.objects.filter(agreement=released.agreement).exclude(pk=released.pk)
    assert others.exists() and f'href="/payments/{released.pk}/pdf/"' in page
    assert not any(f'href="/payments/{p.pk}/pdf/"' in page for p in others)
