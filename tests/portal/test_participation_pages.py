"""The participation page: a college files; the province and the ministry read the totals."""
import pytest

from workflows import services
from workflows.models import Certificate

pytestmark = pytest.mark.django_db


def form(planned="120", code="X-WEB-01") -> dict:
    return {"certificate": Certificate.objects.get(code=code).pk, "year": str(services.today().year),
            "planned_students": planned}


def test_a_college_files_on_the_page_and_sees_it_listed(browser):
    page = browser.as_("college_42_1").get("/participation/")
    assert page.status_code == 200 and 'name="planned_students"' in page.content.decode()
    answer = browser.post("/participation/", form())
    assert answer.status_code == 302
    listed = browser.get("/participation/").content.decode()
    assert "武汉职业技术学院" in listed and "120" in listed


def test_a_refusal_shows_the_form_again_with_the_rule(browser):
    browser.as_("college_42_1").post("/participation/", form())
    again = browser.post("/participation/", form("80"))
    assert again.status_code == 409 and 'data-rule="participation_already_filed"' in again.content.decode()
    bad = browser.post("/participation/", form("0", "X-PLC-03"))
    assert bad.status_code == 400 and 'data-rule="planned_students_out_of_range"' in bad.content.decode()


@pytest.mark.parametrize("reader, shown", [("reviewer_42", 200), ("ministry", 200), ("finance_42_1", 200),
                                           ("teo_1", 403), ("institution_42", 403), ("student", 403)])
def test_who_opens_the_page(browser, reader, shown):
    assert browser.as_(reader).get("/participation/").status_code == shown


def test_the_province_reads_its_totals_without_a_form_and_not_another_provinces(browser):
    browser.as_("college_42_1").post("/participation/", form("100"))
    browser.as_("college_32_1").post("/participation/", form("70"))
    page = browser.as_("reviewer_42").get("/participation/").content.decode()
    assert 'name="planned_students"' not in page
    assert "湖北省" in page and "江苏省" not in page.split('id="participation-totals"')[1]
    ministry = browser.as_("ministry").get("/participation/").content.decode()
    assert "湖北省" in ministry and "江苏省" in ministry


def test_the_reviewer_posting_a_filing_is_refused_by_the_service(browser):
    answer = browser.as_("reviewer_42").post("/participation/", form())
    assert answer.status_code == 403 and 'data-rule="actor_not_allowed"' in answer.content.decode()
