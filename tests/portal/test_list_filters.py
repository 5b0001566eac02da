"""Lists filter by province, certificate, TEO and state and search names and numbers, never widening
what a person may see; the form keeps its values, swaps the list under htmx and works without it."""
import re

import pytest

from portal import views
from tests.workflows.walk import college
from workflows.models import Organization

pytestmark = pytest.mark.django_db


@pytest.fixture
def filed(hubei, jiangsu):
    """A Hubei lifecycle of X-WEB-01 (teo_1) and a Jiangsu one of X-PLC-03 (teo_2), both filed."""
    hubei.through_filing()
    jiangsu.through_filing()
    return hubei, jiangsu


def _teo(name: str) -> str:
    return str(Organization.objects.get(people__user__username=name).pk)


def _rows(response) -> list[str]:
    """The rows of the page's list, each as its text without tags."""
    listed = response.content.decode().split('class="list"', 1)[1]
    return [re.sub(r"<[^>]+>", " ", row) for row in re.findall(r'<tr class="row".*?</tr>', listed, re.S)]


def _listed(browser, username: str, url: str, **params) -> list[str]:
    response = browser.as_(username).get(url, data=params)
    assert response.status_code == 200, (url, params, response.status_code)
    return _rows(response)


def test_each_list_filters_by_province_certificate_teo_and_state(browser, filed):
    hubei, jiangsu = filed
    everyone = "ministry"
    assert [hubei.negotiation.alliance.name in r for r in _listed(browser, everyone, "/alliances/", province="42")] \
        == [True]
    assert len(_listed(browser, everyone, "/alliances/", state="formed")) == 2
    assert ["X-PLC-03" in r for r in _listed(browser, everyone, "/negotiations/", certificate="X-PLC-03")] == [True]
    assert ["X-WEB-01" in r for r in _listed(browser, everyone, "/negotiations/", teo=_teo("teo_1"))] == [True]
    assert _listed(browser, everyone, "/negotiations/", state="negotiating") == []
    assert ["江苏省" in r for r in _listed(browser, everyone, "/baselines/", province="32", state="verified")] == [True]
    assert ["X-WEB-01" in r for r in _listed(browser, everyone, "/filings/", teo=_teo("teo_1"))] == [True]
    payments = _listed(browser, everyone, "/payments/", province="32", certificate="X-PLC-03",
                       state="awaiting_assessment")
    assert len(payments) == 3 and all("X-PLC-03" in r for r in payments)
    assert _listed(browser, everyone, "/payments/", province="32", certificate="X-WEB-01") == []


def test_the_disclosure_filters_by_certificate_teo_and_mode_for_anyone_signed_out(browser, world):
    rows = browser.get("/disclosure/", data={"teo": _teo("teo_2"), "mode": "practical_special"})
    assert rows.status_code == 200 and ["X-CNC-04" in r for r in _schedules(rows)] == [True]
    assert ["X-WEB-01" in r for r in _schedules(browser.get("/disclosure/", data={"q": "前端"}))] == [True]
    assert len(_schedules(browser.get("/disclosure/"))) == 4


def _schedules(response) -> list[str]:
    return re.findall(r'<div class="card schedule row".*?</h2>', response.content.decode(), re.S)


def test_search_finds_names_and_numbers(browser, filed):
    hubei, jiangsu = filed
    alliance = hubei.negotiation.alliance
    alliance.refresh_from_db()
    filing_no = hubei.negotiation.agreements.get().filing.filing_no
    for q in (alliance.registration_no, "船舶", filing_no.lower(), "web 前端"):  # number, member college, filing, words
        assert [alliance.name in r for r in _listed(browser, "ministry", "/alliances/", q=q)] == [True], q
    assert ["X-WEB-01" in r for r in _listed(browser, "ministry", "/negotiations/", q=filing_no)] == [True]
    assert [filing_no in r for r in _listed(browser, "ministry", "/filings/", q=filing_no)] == [True]
    assert ["X-PLC-03" in r for r in _listed(browser, "ministry", "/baselines/", q="机器人")] == [True]
    member = college("college_32_2").name
    assert [member in r for r in _listed(browser, "ministry", "/payments/", q=member)] == [True]
    assert _listed(browser, "ministry", "/negotiations/", q="no such thing") == []


def test_a_filter_never_widens_what_a_person_may_see(browser, filed):
    assert _listed(browser, "reviewer_42", "/baselines/", province="32") == []
    assert _listed(browser, "reviewer_42", "/alliances/", province="32") == []
    assert _listed(browser, "reviewer_42", "/filings/", certificate="X-PLC-03") == []
    assert len(_listed(browser, "reviewer_42", "/filings/", province="42")) == 1
    assert _listed(browser, "teo_1", "/negotiations/", teo=_teo("teo_2")) == []
    assert _listed(browser, "finance_42_1", "/payments/", province="32") == []
    assert len(_listed(browser, "finance_42_1", "/payments/", province="42")) == 1  # the owner, its own college
    assert len(_listed(browser, "college_42_1", "/payments/", state="awaiting_assessment")) == 1  # a colleague
    assert _listed(browser, "college_32_1", "/alliances/", q="湖北") == []  # an outsider searching


def test_the_filter_form_keeps_its_values_and_works_without_javascript(browser, filed):
    page = browser.as_("ministry").get("/negotiations/", data={"province": "42", "state": "agreed", "q": "Web"})
    form = page.content.decode().split('role="search"', 1)[1].split("</form>", 1)[0]
    assert 'value="42" selected' in form and 'value="agreed" selected' in form and 'value="Web"' in form
    assert 'method="get" action="/negotiations/"' in page.content.decode() and "<button>" in form
    assert 'hx-get="/negotiations/"' in page.content.decode() and 'hx-target="#negotiations-list"' in form


def test_the_filter_form_swaps_only_the_list_under_htmx(browser, filed):
    htmx = {"HX-Request": "true", "HX-Target": "alliances-list"}
    response = browser.as_("ministry").get("/alliances/", data={"province": "32"}, headers=htmx)
    body = response.content.decode()
    assert response.status_code == 200 and body.startswith('<div id="alliances-list"') and "<html" not in body
    assert len(_rows(response)) == 1


def test_a_value_that_is_not_a_choice_is_refused_with_the_form_and_no_rows(browser, filed):
    for url, params in (("/alliances/", {"province": "99"}), ("/negotiations/", {"state": "won"}),
                        ("/baselines/", {"certificate": "X-NONE"}), ("/filings/", {"teo": "abc"}),
                        ("/payments/", {"state": "paid"}), ("/disclosure/", {"mode": "oral"})):
        response = browser.as_("ministry").get(url, data=params)
        assert response.status_code == 400, url
        assert _rows(response) == [] and 'role="alert"' in response.content.decode(), url
        assert list(params)[0] in response.content.decode().split('role="alert"', 1)[1], url


def test_a_parameter_that_is_not_a_filter_is_ignored(browser, filed):
    assert len(_listed(browser, "ministry", "/alliances/", colour="red")) == 2


def test_a_long_list_pages_and_the_next_page_keeps_the_filter(browser, filed, monkeypatch):
    monkeypatch.setattr(views, "LIST_PAGE_SIZE", 1)
    first = browser.as_("ministry").get("/alliances/", data={"state": "formed"})
    assert len(_rows(first)) == 1
    assert 'href="/alliances/?state=formed&amp;page=2"' in first.content.decode()
    second = browser.get("/alliances/", data={"state": "formed", "page": "2"})
    assert len(_rows(second)) == 1 and _rows(second) != _rows(first)
    assert len(_rows(browser.get("/alliances/", data={"state": "formed", "page": "x"}))) == 1


@pytest.mark.parametrize("url", ["/alliances/", "/negotiations/", "/baselines/", "/filings/", "/payments/"])
def test_a_list_page_costs_the_same_queries_for_one_row_or_three(browser, world, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.workflows.walk import Walk

    supervisor = browser.as_("ministry")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert supervisor.get(url).status_code == 200
        return len(captured.captured_queries)

    Walk("X-WEB-01", lead="college_42_1", invite=("college_42_2", "college_42_3")).through_filing()
    one = queries()
    Walk("X-PLC-03", lead="college_32_1", invite=("college_32_2", "college_32_3")).through_filing()
    Walk("X-CLOUD-02", lead="college_42_2", invite=("college_42_1", "college_42_3")).through_filing()
    assert queries() == one
