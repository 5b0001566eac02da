"""The filing register (备案登记) as PDF: the list the reviewer and the ministry see, under its filters."""
import pytest

from tests.documents.pdf_text import flat, is_pdf, text_of
from workflows.models import Filing

pytestmark = pytest.mark.django_db


def _filing(walk) -> Filing:
    return Filing.objects.select_related("agreement__negotiation__alliance").get(
        agreement__negotiation=walk.negotiation)


def _register(browser, username: str, query: str = "", **headers):
    return browser.as_(username).get(f"/filings/pdf/{query}", headers=headers)


def test_the_register_lists_each_filing_with_its_agreement_alliance_fee_and_state(browser, hubei_filed):
    filing = _filing(hubei_filed)
    response = _register(browser, "reviewer_42")
    assert response.status_code == 200 and is_pdf(response)
    assert "filing-register-" in response["Content-Disposition"]
    text = text_of(response.content)
    for needle in ("备案登记", filing.filing_no, filing.agreement.number, filing.agreement.negotiation.alliance.name,
                   "湖北省", "X-WEB-01", "工业互联网培训评价有限公司", "¥180.00", "已备案", "查阅人：张伟", "未筛选",
                   "共1条备案。"):
        assert flat(needle) in text, needle


def test_the_pages_filters_apply_to_the_register_and_are_printed_on_it(browser, hubei_filed, jiangsu):
    jiangsu.through_filing()
    hubei, other = _filing(hubei_filed), _filing(jiangsu)
    everything = text_of(_register(browser, "ministry").content)
    assert hubei.filing_no in everything and other.filing_no in everything and "共2条备案。" in everything
    hubei_only = text_of(_register(browser, "ministry", "?province=42&state=acknowledged").content)
    assert hubei.filing_no in hubei_only and other.filing_no not in hubei_only
    assert "省份：湖北省；状态：已备案" in hubei_only and "共1条备案。" in hubei_only
    none = text_of(_register(browser, "ministry", "?state=under_supervision").content)
    assert hubei.filing_no not in none and "共0条备案。" in none


def test_a_filter_that_is_not_one_of_the_choices_gets_the_pages_400(browser, hubei_filed):
    response = _register(browser, "reviewer_42", "?state=approved")
    assert response.status_code == 400 and not is_pdf(response)
    assert "filter-state" in response.content.decode()


def test_english_on_request_gives_english_labels(browser, hubei_filed):
    text = text_of(_register(browser, "reviewer_42", "?state=acknowledged", accept_language="en").content)
    for label in ("Filing register", "Filing no.", "As read by", "State: Acknowledged", "1 filing."):
        assert flat(label) in text, label
    assert "备案登记" not in text and "状态" not in text


@pytest.mark.parametrize("username, status, listed", [
    ("reviewer_42", 200, True),      # the owner: the province's reviewer who received the filing
    ("finance_div_42", 403, False),  # a colleague of the province with a lesser role: the register is not theirs
    ("teo_1", 403, False),           # a party to the agreement, yet the register is the department's
    ("reviewer_32", 200, False),     # an outsider: another province's register, without Hubei's filing
    ("ministry", 200, True),
])
def test_who_reads_the_register_page_downloads_it_with_the_filings_they_see(browser, hubei_filed, username,
                                                                            status, listed):
    filing = _filing(hubei_filed)
    assert browser.as_(username).get("/filings/").status_code == status
    response = _register(browser, username)
    assert response.status_code == status and is_pdf(response) == (status == 200)
    assert (status == 200 and filing.filing_no in text_of(response.content)) == listed


def test_the_register_page_links_the_pdf_with_its_filters_also_under_htmx(browser, hubei_filed):
    page = browser.as_("reviewer_42").get("/filings/?state=acknowledged").content.decode()
    assert 'href="/filings/pdf/?state=acknowledged"' in page and "下载 PDF" in page
    swapped = browser.get("/filings/?province=42", headers={"HX-Request": "true", "HX-Target": "filings-list"})
    assert 'href="/filings/pdf/?province=42"' in swapped.content.decode()


def test_a_register_longer_than_its_limit_prints_the_latest_and_says_how_many_there_are(browser, hubei_filed, jiangsu,
                                                                                        monkeypatch):
    from documents import content

    jiangsu.through_filing()
    monkeypatch.setattr(content, "REGISTER_MAX_ROWS", 1)
    text = text_of(_register(browser, "ministry").content)
    assert "共2条备案，此处为最近的1条；其余请缩小筛选范围。" in text
    assert _filing(jiangsu).filing_no in text and _filing(hubei_filed).filing_no not in text
