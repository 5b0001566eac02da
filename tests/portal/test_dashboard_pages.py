"""The dashboards' pages: who opens which, what they show, in Chinese and in English."""
import re

import pytest

from tests.portal.conftest import Browser
from tests.workflows.walk import Walk
from workflows.models import Baseline, Province

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return response.content.decode()


@pytest.mark.parametrize("reader", ["reviewer_42", "finance_div_42", "institution_42"])
def test_a_provinces_people_open_their_provinces_dashboard_with_a_table_behind_every_chart(browser, reader):
    page = text(browser.as_(reader).get("/dashboard/"))
    assert "湖北省统计" in page
    charts = re.findall(r'<div class="chart" role="img" aria-label="[^"]+" aria-describedby="([\w-]+)">', page)
    assert charts and all(f'<table id="{table}" data-chart=' in page for table in charts)
    assert 'src="/static/vendor/echarts-6.0.0/echarts.min.js"' in page


def test_a_province_dashboard_is_the_provinces_own_another_is_not_found(browser):
    assert browser.as_("reviewer_42").get("/dashboard/42/").status_code == 200
    assert browser.get("/dashboard/32/").status_code == 404
    assert browser.get("/dashboard/99/").status_code == 404


@pytest.mark.parametrize("reader", ["college_42_1", "finance_42_1", "teo_1", "student"])
def test_colleges_teos_and_students_may_not_open_a_dashboard(browser, reader):
    refused = browser.as_(reader).get("/dashboard/")
    assert refused.status_code == 403 and 'data-rule="role_required"' in text(refused)
    assert "/dashboard/" not in text(browser.get("/tasks/"))


def test_signed_out_the_dashboard_asks_to_sign_in(world):
    assert Browser().get("/dashboard/").status_code == 302


def test_the_ministry_reads_the_nation_and_every_provinces_dashboard(browser):
    page = text(browser.as_("ministry").get("/dashboard/"))
    assert "全国统计" in page and 'id="supervision-board"' in page and 'id="national-counts"' in page
    for province in Province.objects.all():
        assert f'href="/dashboard/{province.code}/"' in page
        assert browser.get(f"/dashboard/{province.code}/").status_code == 200


def test_the_national_spread_shows_each_verified_fee_against_the_cap(browser, hubei_filed):
    baseline = Baseline.objects.get(province__code="42", state=Baseline.State.VERIFIED)
    page = text(browser.as_("ministry").get("/dashboard/"))
    row = re.search(r'<tr data-certificate="X-WEB-01">(.*?)</tr>', page).group(1)
    assert f'data-value="{baseline.fee}"' in row and f'data-value="{baseline.cap}"' in row


def test_the_dashboard_speaks_english_on_request(browser):
    page = text(browser.as_("reviewer_42").get("/dashboard/", HTTP_ACCEPT_LANGUAGE="en"))
    assert "Certificates by baseline" in page and "Verified baselines against the caps" in page


def test_the_reviewers_task_shows_the_certificates_baselines_in_the_other_provinces(browser, hubei_filed):
    hubei_fee = Baseline.objects.get(province__code="42", state=Baseline.State.VERIFIED).fee
    jiangsu = Walk("X-WEB-01", lead="college_32_1", invite=("college_32_2", "college_32_3"))
    jiangsu.form()
    jiangsu.agree()
    task = jiangsu.task("verify_baseline")
    page = text(browser.as_("reviewer_32").get(f"/tasks/{task.task_id}/"))
    table = re.search(r'<table class="small" id="other-provinces">(.*?)</table>', page, re.S).group(1)
    assert "湖北省" in table and f"¥{hubei_fee:,.2f}" in table
    assert "江苏省" not in table


def _sheet(response) -> list[tuple]:
    import io

    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    return [tuple(row) for row in book.active.iter_rows(values_only=True)]


def test_each_dashboard_table_exports_as_excel_with_its_figures(browser, hubei_filed):
    baseline = Baseline.objects.get(province__code="42", state=Baseline.State.VERIFIED)
    rows = _sheet(browser.as_("reviewer_42").get("/dashboard/?export=xlsx&table=baselines"))
    assert rows[0][:5] == ("证书", "名称", "考核方式", "核定费用", "上限")
    assert rows[1][0] == "X-WEB-01" and rows[1][3] == float(baseline.fee) and rows[1][4] == float(baseline.cap)
    spread = _sheet(browser.as_("ministry").get("/dashboard/?export=xlsx&table=spread"))
    assert spread[1][0] == "X-WEB-01" and spread[1][3] == 1
    for table in ("coverage", "payments", "colleges", "teos"):
        answer = browser.get(f"/dashboard/42/?export=csv&table={table}")
        assert answer.status_code == 200 and answer["Content-Type"].startswith("text/csv"), table
    assert browser.get("/dashboard/?export=csv&table=nothing").status_code == 400
    assert browser.as_("reviewer_42").get("/dashboard/32/?export=csv&table=coverage").status_code == 404


def test_the_ministrys_overview_exports_every_province_and_the_nation(browser, hubei_filed):
    rows = _sheet(browser.as_("ministry").get("/?export=xlsx"))
    assert rows[0][:2] == ("省份", "联盟") and rows[1][0] == "全国"
    hubei = next(row for row in rows if row[0] == "湖北省")
    assert hubei[4] == 1  # the filed agreement
    assert len(rows) == 1 + 1 + Province.objects.count()
