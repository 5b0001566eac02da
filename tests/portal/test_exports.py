"""Every list exports to CSV and XLSX with its filters, in the reader's language: exactly the rows its page
shows, every page of them, amounts as numbers with two decimals, and only what the reader may see."""
import codecs
import csv
import datetime as dt
import io
import re
from urllib.parse import unquote

import openpyxl
import pytest
from asgiref.sync import async_to_sync
from django.db import connection
from django.http import StreamingHttpResponse
from django.test import AsyncClient
from django.test.utils import CaptureQueriesContext

from portal import exports, views
from tests.workflows import supervision_records as records
from tests.workflows.complaint_walk import lodge
from tests.workflows.paper_copies import LI_MING, WANG_WU
from tests.workflows.walk import DELIVERY, Walk, college, user
from workflows import services
from workflows.models import Alliance, AssessmentSitting, Organization

pytestmark = pytest.mark.django_db

EN = {"accept-language": "en"}


@pytest.fixture
def filed(hubei, jiangsu):
    """Hubei's X-WEB-01 (teo_1) and Jiangsu's X-PLC-03 (teo_2) filed; the Hubei lead college assessed 10."""
    hubei.through_filing()
    jiangsu.through_filing()
    services.record_assessment(user("teo_1"), hubei.negotiation.agreements.get(), college("college_42_1"), 10,
                               services.today())
    return hubei, jiangsu


def _teo(name: str) -> str:
    return str(Organization.objects.get(people__user__username=name).pk)


def _body(response) -> bytes:
    assert response.status_code == 200, response.status_code
    assert isinstance(response, StreamingHttpResponse)
    return b"".join(response.streaming_content)


def _csv(response) -> list[list[str]]:
    """The rows of a CSV export, its header first; it is UTF-8 with a byte-order mark, for Excel."""
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    body = _body(response)
    assert body.startswith(codecs.BOM_UTF8)
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def _sheet(response):
    assert response["Content-Type"] == exports.XLSX_TYPE
    body = _body(response)
    assert int(response["Content-Length"]) == len(body)
    return openpyxl.load_workbook(io.BytesIO(body)).active


def _values(sheet) -> list[list]:
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def _page_rows(response, status: int = 200) -> list[list[str]]:
    """The cells of the page's list, each as its text without tags."""
    assert response.status_code == status
    listed = response.content.decode().split('class="list"', 1)[1]
    return [[re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", cell)).strip()
             for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            for row in re.findall(r'<tr class="row".*?</tr>', listed, re.S)]


def _export(browser, url: str, kind: str, params: dict | None = None, **kw):
    return browser.get(url, data={**(params or {}), "export": kind}, **kw)


# Each filtered list: who reads it, a filter that leaves some rows out, and a column the page and the
# export share (its index on the page, in the export).
LISTS = {
    "alliances": ("/alliances/", "ministry", {"province": "42"}, 0, 0),
    "negotiations": ("/negotiations/", "ministry", {"certificate": "X-PLC-03"}, 0, 0),
    "baselines": ("/baselines/", "ministry", {"province": "32", "state": "verified"}, 2, 2),
    "filings": ("/filings/", "ministry", {"q": "X-WEB"}, 0, 0),
    "payments": ("/payments/", "ministry", {"province": "32"}, 1, 1),
}


@pytest.mark.parametrize("name", LISTS)
def test_a_filtered_list_exports_exactly_its_rows_as_csv_and_xlsx(browser, filed, name):
    url, who, params, on_page, in_export = LISTS[name]
    shown = [row[on_page] for row in _page_rows(browser.as_(who).get(url, data=params))]
    as_csv = _csv(_export(browser, url, "csv", params))
    as_xlsx = _values(_sheet(_export(browser, url, "xlsx", params)))
    assert shown and [row[in_export] for row in as_csv[1:]] == shown
    assert [row[in_export] for row in as_xlsx[1:]] == shown
    assert as_csv[0] == as_xlsx[0]
    everything = _csv(_export(browser, url, "csv"))
    assert len(everything) > len(as_csv)  # the filter left rows out


def test_an_export_holds_every_page_of_the_list_not_only_the_first(browser, filed, monkeypatch):
    monkeypatch.setattr(views, "LIST_PAGE_SIZE", 1)
    assert len(_page_rows(browser.as_("ministry").get("/payments/"))) == 1
    assert len(_csv(_export(browser, "/payments/", "csv", {"page": "1"}))) == 1 + 6
    assert len(_values(_sheet(_export(browser, "/payments/", "xlsx", {"page": "2"})))) == 1 + 6


def test_money_is_a_number_with_two_decimals_counts_whole_numbers_and_dates_real_dates(browser, filed):
    params = {"province": "42", "certificate": "X-WEB-01"}
    header, *rows = _values(_sheet(_export(browser.as_("finance_42_1"), "/payments/", "xlsx", params)))
    sheet = _sheet(_export(browser, "/payments/", "xlsx", params))
    fee, headcount, amount = (sheet.cell(row=2, column=header.index(name) + 1) for name in ("费用", "人数", "金额"))
    assert (fee.value, fee.number_format) == (180, "0.00") and isinstance(fee.value, int | float)
    assert (amount.value, amount.number_format) == (1800, "0.00")
    assert headcount.value == 10 and isinstance(headcount.value, int)
    as_csv = _csv(_export(browser, "/payments/", "csv", params))
    assert as_csv[1][header.index("金额")] == "1800.00" and as_csv[1][header.index("费用")] == "180.00"
    baselines = _sheet(_export(browser.as_("ministry"), "/baselines/", "xlsx", {"province": "42"}))
    verified = baselines.cell(row=2, column=7)
    assert verified.number_format == "yyyy-mm-dd" and isinstance(verified.value, dt.datetime)
    assert verified.value.date() == services.today()
    assert _csv(_export(browser, "/baselines/", "csv", {"province": "42"}))[1][6] == f"{services.today():%Y-%m-%d}"


def test_headers_and_states_are_chinese_by_default_and_english_on_request(browser, filed):
    reader = browser.as_("ministry")
    chinese = _csv(_export(reader, "/negotiations/", "csv", {"province": "42"}))
    english = _csv(_export(reader, "/negotiations/", "csv", {"province": "42"}, headers=EN))
    assert chinese[0][:3] == ["联盟", "省份", "证书"] and "已达成" in chinese[1]
    assert english[0][:3] == ["Alliance", "Province", "Certificate"] and "Agreed" in english[1]
    sheet = _sheet(_export(reader, "/negotiations/", "xlsx", {"province": "42"}, headers=EN))
    assert sheet.title == "Negotiations" and sheet.cell(row=1, column=1).value == "Alliance"
    assert _sheet(_export(reader, "/negotiations/", "xlsx")).title == "协商"


def test_the_file_is_named_for_the_list_and_the_day_in_ascii_and_in_the_readers_language(browser, filed):
    response = _export(browser.as_("ministry"), "/filings/", "xlsx")
    disposition = response["Content-Disposition"]
    day = f"{services.today():%Y-%m-%d}"
    assert disposition.startswith(f'attachment; filename="filings-{day}.xlsx"; ')
    assert unquote(disposition.split("filename*=UTF-8''", 1)[1]) == f"备案登记-{day}.xlsx"
    english = _export(browser, "/filings/", "csv", headers=EN)["Content-Disposition"]
    assert unquote(english.split("filename*=UTF-8''", 1)[1]) == f"Filing register-{day}.csv"


def test_an_outsider_exports_none_of_the_rows_it_may_not_see(browser, filed):
    hubei, jiangsu = filed
    hubei_alliance, jiangsu_alliance = hubei.negotiation.alliance.name, jiangsu.negotiation.alliance.name
    jiangsu_college = _csv(_export(browser.as_("college_32_1"), "/alliances/", "csv"))
    assert [row[0] for row in jiangsu_college[1:]] == [jiangsu_alliance]
    widened = _csv(_export(browser, "/alliances/", "csv", {"province": "42"}))  # a filter never widens
    assert widened[1:] == []
    hubei_reviewer = _values(_sheet(_export(browser.as_("reviewer_42"), "/baselines/", "xlsx")))
    assert [row[2] for row in hubei_reviewer[1:]] == [hubei_alliance]
    own_college = _csv(_export(browser.as_("finance_42_2"), "/payments/", "csv"))
    assert [row[1] for row in own_college[1:]] == [college("college_42_2").name]
    other_teo = _csv(_export(browser.as_("teo_2"), "/negotiations/", "csv"))
    assert all(hubei_alliance not in row for row in other_teo)


def test_an_export_format_that_is_not_csv_or_xlsx_is_refused_naming_both(browser, filed):
    refused = _export(browser.as_("ministry"), "/negotiations/", "pdf")
    page = refused.content.decode()
    assert refused.status_code == 400 and 'data-rule="export_format_unknown"' in page
    assert "导出格式只能是 csv, xlsx 之一，不支持“pdf”" in page
    english = _export(browser, "/negotiations/", "", headers=EN).content.decode()
    assert "An export is one of csv, xlsx, not “”." in english


def test_an_invalid_filter_is_refused_as_the_list_refuses_it_and_exports_nothing(browser, filed):
    response = _export(browser.as_("ministry"), "/payments/", "csv", {"state": "paid"})
    assert response.status_code == 400 and not response.streaming
    assert 'role="alert"' in response.content.decode() and _page_rows(response, 400) == []


def test_the_csv_streams_reading_the_rows_only_as_it_is_sent(browser, filed):
    reader = browser.as_("ministry")
    with CaptureQueriesContext(connection) as asked:
        response = _export(reader, "/negotiations/", "csv")
    assert isinstance(response, StreamingHttpResponse) and response.streaming
    with CaptureQueriesContext(connection) as sent:
        rows = _csv(response)
    assert len(rows) == 3
    assert not any('"workflows_negotiation"."agreed_fee"' in q["sql"] for q in asked.captured_queries)
    assert any('"workflows_negotiation"."agreed_fee"' in q["sql"] for q in sent.captured_queries)


def test_under_asgi_the_csv_streams_through_an_async_iterator(filed):
    client = AsyncClient()
    client.force_login(user("ministry"))

    async def export():
        response = await client.get("/negotiations/", {"export": "csv"})
        assert response.is_async
        return [chunk async for chunk in response.streaming_content]

    chunks = async_to_sync(export)()
    lines = b"".join(chunks).decode("utf-8-sig").splitlines()
    assert len(lines) == 3 and lines[0].startswith("联盟,")


def test_a_text_that_a_spreadsheet_would_run_as_a_formula_stays_text(browser, filed):
    hubei, _jiangsu = filed
    Alliance.objects.filter(pk=hubei.negotiation.alliance_id).update(name='=HYPERLINK("http://evil","x")')
    as_csv = _csv(_export(browser.as_("ministry"), "/alliances/", "csv", {"province": "42"}))
    assert as_csv[1][0] == '\'=HYPERLINK("http://evil","x")'
    cell = _sheet(_export(browser, "/alliances/", "xlsx", {"province": "42"})).cell(row=2, column=1)
    assert cell.data_type == "s" and cell.value == '=HYPERLINK("http://evil","x")'


# --- the export links of each list page -------------------------------------------------------


def test_the_export_links_carry_the_current_filters_and_follow_htmx_changes(browser, filed):
    page = browser.as_("ministry").get("/negotiations/", data={"province": "42", "page": "1"}).content.decode()
    assert 'href="/negotiations/?province=42&amp;export=csv"' in page
    assert 'href="/negotiations/?province=42&amp;export=xlsx"' in page
    assert "导出 CSV" in page and "导出 Excel" in page
    htmx = {"HX-Request": "true", "HX-Target": "negotiations-list"}
    swapped = browser.get("/negotiations/", data={"province": "32", "state": "agreed"}, headers=htmx)
    assert 'href="/negotiations/?province=32&amp;state=agreed&amp;export=xlsx"' in swapped.content.decode()
    refused = browser.get("/negotiations/", data={"state": "won"}).content.decode()
    assert "export=csv" not in refused  # nothing to export from a filter that is not valid


@pytest.mark.parametrize("url, who", [("/alliances/", "ministry"), ("/baselines/", "reviewer_42"),
                                      ("/filings/", "ministry"), ("/payments/", "finance_42_1"),
                                      ("/paper-orders/", "teo_1"), ("/disclosure/", None),
                                      ("/schedules/", "teo_1"), ("/participation/", "college_42_1"),
                                      ("/supervision/", "ministry"), ("/complaints/", "student"),
                                      ("/assessments/", "teo_1"), ("/certificates/", "student")])
def test_every_list_page_links_its_exports_and_each_link_answers_a_file(browser, filed, url, who):
    reader = browser.as_(who) if who else browser
    page = reader.get(url).content.decode()
    links = re.findall(r'<a class="export" data-format="(csv|xlsx)" href="([^"]+)"', page)
    assert {kind for kind, _href in links} == {"csv", "xlsx"}, url
    for kind, href in links:
        response = reader.get(href.replace("&amp;", "&"))
        if kind == "csv":
            assert _csv(response)[0], href
        else:
            assert _sheet(response).max_column > 1, href


# --- the other lists: their own tables -------------------------------------------------------


def test_the_disclosure_exports_for_anyone_with_each_cost_item_as_a_number(browser, world):
    header, *rows = _values(_sheet(_export(browser, "/disclosure/", "xlsx", {"teo": _teo("teo_2")})))
    assert sorted(row[0] for row in rows) == ["X-CNC-04", "X-PLC-03"]
    assert header[4:6] == ["费用", "上限"] and all(isinstance(row[4], int | float) for row in rows)
    english = _csv(_export(browser, "/disclosure/", "csv", {"mode": "paper"}, headers=EN))
    assert "Question bank construction" in english[0] and [row[0] for row in english[1:]] == ["X-WEB-01"]
    assert english[1][english[0].index("Fee")] == "180.00"


def test_the_teo_exports_its_own_schedules_and_the_ministry_every_certificate(browser, world):
    own = _csv(_export(browser.as_("teo_1"), "/schedules/", "csv"))
    assert [row[0] for row in own[1:]] == ["X-CLOUD-02", "X-WEB-01"]
    assert own[2][own[0].index("纸质证书价格")] == "25.00"
    every = _csv(_export(browser.as_("ministry"), "/schedules/", "csv"))
    assert len(every) - 1 == len(_values(_sheet(_export(browser, "/schedules/", "xlsx")))) - 1 >= 4


def test_participation_exports_its_totals_and_its_filings(browser, filed):
    certificate = filed[0].negotiation.certificate
    services.file_participation(user("college_42_1"), certificate, services.today().year, 30)
    services.file_participation(user("college_42_2"), certificate, services.today().year, 20)
    totals = _values(_sheet(_export(browser.as_("reviewer_42"), "/participation/", "xlsx", {"table": "totals"})))
    assert totals[1][:2] == ["湖北省", "X-WEB-01"] and totals[1][4:] == [2, 50, 10]
    filings = _csv(_export(browser, "/participation/", "csv", {"table": "filings"}))
    assert sorted(row[0] for row in filings[1:]) == sorted([college("college_42_1").name,
                                                            college("college_42_2").name])
    assert _csv(_export(browser.as_("college_32_1"), "/participation/", "csv", {"table": "filings"}))[1:] == []


def test_each_supervision_table_exports_and_an_unknown_table_is_refused_naming_the_tables(browser, world):
    records.plan_and_train()
    ministry = browser.as_("ministry")
    overview = _values(_sheet(_export(ministry, "/supervision/", "xlsx", {"table": "overview"})))
    assert {row[0] for row in overview[1:]} == {records.teo_of("teo_1").name, records.teo_of("teo_2").name}
    plans = _csv(_export(ministry, "/supervision/", "csv", {"table": "plans"}))
    assert ["湖北省", str(services.today().year), "9", "3", "120"] in [row[1:] for row in plans[1:]]
    sessions = _values(_sheet(_export(ministry, "/supervision/", "xlsx", {"table": "sessions"})))
    assert any(row[2].date() == services.today() and row[4] == 40 for row in sessions[1:])
    sent = _csv(_export(ministry, "/supervision/", "csv", {"table": "sent"}))
    assert [college("college_42_1").name, records.teo_of("teo_1").name] in [row[:2] for row in sent[1:]]
    jiangsu = _csv(_export(browser.as_("college_32_1"), "/supervision/", "csv", {"table": "sessions"}))
    assert all(row[1] != "湖北省" for row in jiangsu[1:])
    refused = _export(browser.as_("reviewer_42"), "/supervision/", "csv", {"table": "overview"})
    assert refused.status_code == 400 and 'data-rule="export_table_unknown"' in refused.content.decode()
    assert "plans, sessions, sent" in refused.content.decode()


def test_complaints_export_names_the_complainant_to_the_ministry_and_never_to_the_teo(browser, world):
    lodge("student")
    ministry = _csv(_export(browser.as_("ministry"), "/complaints/", "csv"))
    assert "投诉人" in ministry[0] and ministry[1][ministry[0].index("投诉人")] == "李明"
    teo = _csv(_export(browser.as_("teo_1"), "/complaints/", "csv"))
    assert "投诉人" not in teo[0] and len(teo) == 2 and all("李明" not in cell for cell in teo[1])
    assert _csv(_export(browser.as_("teo_2"), "/complaints/", "csv"))[1:] == []


def test_the_assessments_export_one_row_per_sitting_with_the_payment_due(browser, filed):
    header, *rows = _values(_sheet(_export(browser.as_("teo_1"), "/assessments/", "xlsx")))
    assert len(rows) == 1
    row = dict(zip(header, rows[0], strict=True))
    assert row["院校"] == college("college_42_1").name and row["考核人数"] == 10 and row["金额"] == 1800
    assert row["首次考核人数"] == 10 and row["补考"] == 0 and row["已发证书"] == 0 and row["费用"] == 180
    assert _csv(_export(browser.as_("teo_2"), "/assessments/", "csv"))[1:] == []


def test_a_student_exports_only_their_own_certificates(browser, filed):
    services.issue_certificates(user("teo_1"), AssessmentSitting.objects.get(), [LI_MING, WANG_WU])
    own = _csv(_export(browser.as_("student"), "/certificates/", "csv"))
    assert [(row[2], row[3]) for row in own[1:]] == [("李明", "2023010001")]
    assert len(_csv(_export(browser.as_("ministry"), "/certificates/", "csv"))) == 1 + 2
    orders = _csv(_export(browser.as_("teo_2"), "/paper-orders/", "csv"))
    assert orders[1:] == []


# --- queries: the same for one row or many -----------------------------------------------------

CERTIFICATES = ("X-WEB-01", "X-CLOUD-02", "X-PLC-03")


def _lifecycle(index: int) -> None:
    """A filed Hubei lifecycle led by college_42_<index+1>, college_42_1 assessed, 李明 certified and ordering."""
    leads = [f"college_42_{n}" for n in (1, 2, 3)]
    walk = Walk(CERTIFICATES[index], lead=leads[index], invite=tuple(c for c in leads if c != leads[index]))
    walk.through_filing()
    teo = walk.negotiation.certificate.teo.people.get(role="teo").user
    sitting = services.record_assessment(teo, walk.negotiation.agreements.get(), college("college_42_1"), 3,
                                         services.today())
    issued, = services.issue_certificates(teo, sitting, [LI_MING])
    services.order_paper_certificate(user("student"), issued, *DELIVERY.values())


EXPORTED = [("/alliances/", "ministry"), ("/negotiations/", "ministry"), ("/baselines/", "ministry"),
            ("/filings/", "ministry"), ("/payments/", "ministry"), ("/paper-orders/", "ministry"),
            ("/assessments/", "ministry"), ("/certificates/", "ministry"), ("/schedules/", "ministry")]


@pytest.mark.parametrize("kind", exports.FORMATS)
@pytest.mark.parametrize("url, who", EXPORTED)
def test_an_export_costs_the_same_queries_for_one_lifecycle_or_three(browser, world, url, who, kind):
    reader = browser.as_(who)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            _body(_export(reader, url, kind))
        return len(captured.captured_queries)

    _lifecycle(0)
    one = queries()
    _lifecycle(1)
    _lifecycle(2)
    assert queries() == one
    print(f"{url} {kind}: {one} queries for one lifecycle or three")
