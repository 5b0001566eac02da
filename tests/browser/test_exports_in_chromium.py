"""A list's export, clicked in chromium: the filter chosen in the form, the file downloaded through the ASGI
server (the CSV streamed through its async iterator), and read back as a spreadsheet holding the list's rows."""
import codecs
import csv
import io
from pathlib import Path

import openpyxl
import pytest
from django.utils import translation
from django.utils.translation import gettext

from tests.browser.steps import signed_in
from tests.workflows.walk import Walk
from workflows import services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _rows_shown(page) -> list[list[str]]:
    rows = page.locator("#baselines-list tr.row").all()
    return [[cell.strip() for cell in row.locator("td").all_inner_texts()] for row in rows]


def _saved(downloading, folder: Path) -> Path:
    """The downloaded file under the name the server gave it."""
    download = downloading.value
    path = folder / download.suggested_filename
    download.save_as(path)
    return path


def test_the_ministry_exports_the_filtered_baselines_and_opens_them_as_a_spreadsheet(page, demo_world, tmp_path):
    Walk("X-WEB-01", lead="college_42_1", invite=("college_42_2", "college_42_3")).through_filing()
    Walk("X-PLC-03", lead="college_32_1", invite=("college_32_2", "college_32_3")).through_filing()
    signed_in(page, "ministry")
    page.goto(f"{page.base}/baselines/")
    page.select_option("#filter-province", "32")  # the form swaps the list under htmx, export links with it
    page.wait_for_selector('#baselines-list a.export[data-format="xlsx"][href*="province=32"]')
    shown = _rows_shown(page)
    assert len(shown) == 1 and "江苏省" in shown[0]

    with translation.override("zh-hans"):
        excel, as_csv = gettext("Export Excel"), gettext("Export CSV")
    with page.expect_download() as downloading:
        page.get_by_role("link", name=excel).click()
    workbook = _saved(downloading, tmp_path)
    assert workbook.name == f"基线-{services.today():%Y-%m-%d}.xlsx"
    sheet = openpyxl.load_workbook(workbook).active
    header, *rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert header[:4] == ["证书", "省份", "联盟", "费用"]
    assert [row[:3] for row in rows] == [shown[0][:3]]
    fee = sheet.cell(row=2, column=4)
    assert fee.value == 450 and fee.number_format == "0.00"

    with page.expect_download() as downloading:
        page.get_by_role("link", name=as_csv).click()
    body = _saved(downloading, tmp_path).read_bytes()
    assert body.startswith(codecs.BOM_UTF8)
    lines = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert lines[0] == header and lines[1][:4] == [*shown[0][:3], "450.00"]
