"""The agreement as PDF: its number, both parties, the verified terms, the signatories and the filing."""
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from django.utils.translation import gettext, override

from tests.documents.pdf_text import flat, is_pdf, text_of
from tests.workflows.walk import Walk, user
from workflows.models import Agreement
from workflows.permissions import display_name

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _agreement(walk) -> Agreement:
    return walk.negotiation.agreements.select_related("filing", "negotiation__alliance__lead").get()


def _pdf(browser, username: str, agreement: Agreement, **headers):
    return browser.as_(username).get(f"/agreements/{agreement.pk}/pdf/", headers=headers)


def test_the_agreement_pdf_holds_number_parties_terms_signatories_and_filing_in_chinese(browser, hubei_filed):
    agreement = _agreement(hubei_filed)
    response = _pdf(browser, "college_42_1", agreement)
    assert response.status_code == 200 and is_pdf(response)
    assert response["Content-Disposition"].startswith("attachment;") and "filename*=utf-8''" in response[
        "Content-Disposition"]
    text = text_of(response.content)
    alliance = agreement.negotiation.alliance
    members = [m.college.name for m in alliance.accepted_members().select_related("college")]
    for needle in (agreement.number, "1+X证书考核与师资培训协议", "甲方（院校联盟）", alliance.name, alliance.lead.name,
                   *members, "乙方（培训评价组织）", "工业互联网培训评价有限公司", "X-WEB-01", "¥180.00", "¥200.00",
                   "师资培训5天", "王芳", "杨帆", agreement.filing.filing_no, "备案回执", "已备案"):
        assert flat(needle) in text, needle
    assert "Agreement no." not in text and "Party A" not in text


def test_the_verified_terms_name_both_divisions_with_their_reviewers_and_times(browser, hubei_filed):
    agreement = _agreement(hubei_filed)
    text = text_of(_pdf(browser, "college_42_1", agreement).content)
    reviews = list(agreement.baseline.reviews.select_related("reviewer__person").order_by("decided_at"))
    assert len(reviews) == 2 and "职成处" in text and "财务处" in text
    for review in reviews:
        shown = timezone.localtime(review.decided_at, SHANGHAI)
        assert flat(f"{display_name(review.reviewer)}{shown:%Y-%m-%d %H:%M}") in text


def test_signing_and_filing_times_are_shown_in_beijing_time_not_utc(browser, hubei_filed):
    agreement = _agreement(hubei_filed)
    text = text_of(_pdf(browser, "teo_1", agreement).content)
    for at in (agreement.signed_by_alliance_at, agreement.signed_by_teo_at, agreement.filing.submitted_at):
        assert flat(f"{timezone.localtime(at, SHANGHAI):%Y-%m-%d %H:%M}") in text
        assert flat(f"{timezone.localtime(at, ZoneInfo('UTC')):%Y-%m-%d %H:%M}") not in text


def test_an_agreement_signed_by_one_party_only_says_it_is_not_yet_filed(browser, hubei):
    hubei.form()
    hubei.agree()
    hubei.verify()
    hubei.do("sign_alliance")
    text = text_of(_pdf(browser, "college_42_1", _agreement(hubei)).content)
    assert "王芳" in text and "尚未签署" in text and "尚未备案" in text and "BA-" not in text


def test_an_agreement_of_the_provincial_pilot_institution_names_it_as_party_a(browser, world):
    walk = Walk("X-WEB-01", lead="institution_42", invite=("college_42_1", "college_42_2"))
    walk.through_filing()
    agreement = _agreement(walk)
    text = text_of(_pdf(browser, "institution_42", agreement).content)
    assert "甲方（省级试点机构）" in text and flat(agreement.negotiation.alliance.lead.name) in text
    assert "武汉职业技术学院" in text and "甲方（院校联盟）" not in text


def test_english_on_request_gives_english_labels(browser, hubei_filed):
    agreement = _agreement(hubei_filed)
    text = text_of(_pdf(browser, "college_42_1", agreement, accept_language="en").content)
    with override("en"):
        labels = [gettext(m) for m in ("Agreement no.:", "Party B (training evaluation organization)",
                                       "Verified terms", "Signatories", "Vocational education division")]
    for label in labels + ["per person per sitting", "Paper-and-pencil"]:
        assert flat(label) in text, label
    assert agreement.number in text and "王芳" in text
    assert "协议编号" not in text and "甲方" not in text and "每人每次" not in text


@pytest.mark.parametrize("username, status", [
    ("college_42_1", 200),   # the owner: the alliance's lead college
    ("student", 404),        # a colleague of the lead college with a lesser role: its page is not found either
    ("teo_2", 404),          # an outsider: another TEO
    ("reviewer_32", 404),    # an outsider: another province's reviewer
])
def test_who_reads_the_agreement_page_downloads_its_pdf_and_nobody_else(browser, hubei_filed, username, status):
    agreement = _agreement(hubei_filed)
    page = browser.as_(username).get(f"/agreements/{agreement.pk}/")
    pdf = _pdf(browser, username, agreement)
    assert (page.status_code, pdf.status_code) == (status, status)
    assert is_pdf(pdf) == (status == 200)


def test_the_agreement_page_links_its_pdf(browser, hubei_filed):
    agreement = _agreement(hubei_filed)
    page = browser.as_("teo_1").get(f"/agreements/{agreement.pk}/").content.decode()
    assert f'href="/agreements/{agreement.pk}/pdf/"' in page and "下载 PDF" in page


def test_signed_out_the_pdf_asks_to_sign_in(client, hubei_filed):
    response = client.get(f"/agreements/{_agreement(hubei_filed).pk}/pdf/")
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert user("college_42_1")  # the demo world is there: only the session is missing
