"""The dashboards in chromium: every chart drawn by ECharts from the table behind it, for a province and the nation.

A Hubei lifecycle of X-WEB-01 is carried through filing and an assessment, a Jiangsu one to its
verification at a lower fee: the province's charts and the nation's fee spread have figures to draw.
"""
import openpyxl
import pytest

from tests.browser.steps import signed_in
from tests.workflows.walk import Walk, college, user
from workflows import services
from workflows.models import Baseline

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Each chart's first series, as ECharts holds it, and the data-value cells of its table's column.
SERIES = """box => {
  const chart = echarts.getInstanceByDom(box);
  const table = document.getElementById(box.getAttribute('aria-describedby'));
  const column = Number(table.dataset.series.split(',')[0]);
  const series = chart.getOption().series[0];
  return {
    kind: series.type,
    drawn: series.data.map(d => typeof d === 'object' ? d.value : d),
    table: Array.from(table.tBodies[0].rows).map(r => Number(r.cells[column].dataset.value)),
    canvas: box.querySelectorAll('canvas').length,
  };
}"""


def _lifecycles() -> int:
    hubei = Walk()
    hubei.through_filing()
    services.record_assessment(user("teo_1"), hubei.negotiation.agreements.get(), college("college_42_1"), 40,
                               held_on=services.today())
    fee = Baseline.objects.get(province__code="42", state=Baseline.State.VERIFIED).fee
    jiangsu = Walk("X-WEB-01", lead="college_32_1", invite=("college_32_2", "college_32_3"))
    jiangsu.form()
    jiangsu.agree(counter_fee=fee - 20)
    jiangsu.verify()
    return fee


def _charts(page) -> list[dict]:
    page.wait_for_function("() => [...document.querySelectorAll('.chart')].every(c => c.dataset.rendered)")
    return [page.locator(".chart").nth(i).evaluate(SERIES) for i in range(page.locator(".chart").count())]


def _drawn_from_their_tables(charts: list[dict]) -> None:
    for chart in charts:
        assert chart["canvas"] >= 1, chart
        if chart["kind"] == "pie":  # a slice per category that has any
            assert sorted(chart["drawn"]) == sorted(v for v in chart["table"] if v > 0), chart
        else:
            assert chart["drawn"] == chart["table"], chart


def test_the_province_and_the_ministry_see_every_chart_drawn_from_its_table(page, shot):
    fee = _lifecycles()
    signed_in(page, "reviewer_42")
    page.goto(page.base + "/dashboard/")
    charts = _charts(page)
    assert len(charts) == 4  # certificates by baseline, baselines and caps, payments, colleges' plans
    _drawn_from_their_tables(charts)
    assert charts[1]["drawn"] == [float(fee)]
    shot(page, "dashboard-province", full_page=True)
    for reader in ("finance_div_42", "institution_42"):  # the province's finance division and pilot institution
        signed_in(page, reader)
        page.goto(page.base + "/dashboard/")
        assert [c["drawn"] for c in _charts(page)] == [c["drawn"] for c in charts], reader

    signed_in(page, "ministry")
    page.goto(page.base + "/dashboard/")
    charts = _charts(page)
    assert len(charts) == 2  # the fee spread, the supervision board
    _drawn_from_their_tables(charts)
    assert charts[0]["drawn"] == [float(fee - 20)]  # the lowest verified fee of X-WEB-01: Jiangsu's
    shot(page, "dashboard-national", full_page=True)
    page.click("a[data-province='42']")
    _drawn_from_their_tables(_charts(page))


def test_a_dashboard_table_downloads_as_the_excel_the_reviewer_opens(page, tmp_path):
    fee = _lifecycles()
    signed_in(page, "reviewer_42")
    page.goto(page.base + "/dashboard/")
    with page.expect_download() as downloading:
        page.locator("#baselines-section a.export[data-format='xlsx']").click()
    saved = tmp_path / downloading.value.suggested_filename
    downloading.value.save_as(saved)
    assert saved.name.startswith("已核定基准与上限-") and saved.suffix == ".xlsx"
    header, row = [[c.value for c in r] for r in openpyxl.load_workbook(saved).active.iter_rows()]
    assert header[:5] == ["证书", "名称", "考核方式", "核定费用", "上限"]
    assert (row[0], row[3]) == ("X-WEB-01", float(fee))


def test_a_dashboard_prints_its_tables_without_the_charts(page):
    signed_in(page, "reviewer_42")
    page.goto(page.base + "/dashboard/")
    page.emulate_media(media="print")
    assert page.locator(".chart").first.is_hidden()
    assert page.locator("#coverage").is_visible()
