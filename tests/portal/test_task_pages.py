"""Task pages people can trust: the release form's purposes and running total."""
import json
import re
import shutil
import subprocess
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.utils import timezone

from tests.workflows.walk import open_task, user
from workflows import services
from workflows.funding import FundingPurpose

pytestmark = pytest.mark.django_db

STATIC = Path(settings.BASE_DIR) / "portal" / "static" / "portal"


def _beijing_today():
    return timezone.localtime(timezone.now(), ZoneInfo("Asia/Shanghai")).date()


def _due_release(walk):
    """A filed Hubei agreement with the lead college's 10 assessed: ¥1,800.00 due."""
    walk.through_filing()
    lead = walk.negotiation.alliance.lead
    services.record_assessment(user("teo_1"), walk.negotiation.agreements.get(), lead, 10,
                               held_on=_beijing_today())
    return open_task(walk.negotiation, "release_payment", lead.pk)


def _options(page: str, name: str) -> list[str]:
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', page, re.S).group(1)
    return re.findall(r'<option value="([^"]+)"', select)


def _confirmation(page: str, marker: str) -> str:
    """The data-confirm question of the button whose tag contains the marker."""
    button = next(tag for tag in re.findall(r"<button[^>]*>", page) if marker in tag)
    return re.search(r'data-confirm="([^"]+)"', button).group(1)


# --- the release form -----------------------------------------------------------------------


def test_the_release_form_offers_each_source_only_the_purposes_it_may_pay(browser, hubei):
    release = _due_release(hubei)
    page = browser.as_("finance_42_1").get(f"/tasks/{release.task_id}/").content.decode()
    assert _options(page, "purpose_special") == ["assessment_fee", "teacher_training", "equipment_purchase"]
    for source in ("fiscal", "social", "own"):
        assert _options(page, f"purpose_{source}") == FundingPurpose.values
    assert "管理经费" in page and "Management fee" not in page


def test_the_release_form_keeps_a_running_total_against_the_amount_due(browser, hubei):
    release = _due_release(hubei)
    finance = browser.as_("finance_42_1")
    url = f"/tasks/{release.task_id}/"
    page = finance.get(url).content.decode()
    assert 'data-due="1800.00"' in page and page.count("data-funding-amount") == 4
    assert "portal/funding.js" in page and "尚有 ¥1,800.00 未分配。" in page
    short = finance.post(url, {"amount_fiscal": "1000.00", "purpose_fiscal": "assessment_fee",
                               "amount_own": "500", "purpose_own": "teacher_training"})
    assert short.status_code == 400 and "payment_on_actuals" in short.content.decode()
    page = short.content.decode()
    assert "<output data-funding-total>¥1,500.00</output>" in page and "尚有 ¥300.00 未分配。" in page
    assert 'value="teacher_training" selected' in page  # what was typed is kept
    over = finance.post(url, {"amount_special": "2,000.00"}).content.decode()
    assert "超出应付金额 ¥200.00。" in over and 'data-state="over"' in over
    english = finance.get(url, headers={"accept-language": "en"}).content.decode()
    assert 'data-short="{amount} still to allocate."' in english
    assert 'data-exact="The shares add up to the amount due."' in english


def test_the_release_form_stays_a_help_the_server_still_refuses_a_forbidden_purpose(browser, hubei):
    release = _due_release(hubei)
    refused = browser.as_("finance_42_1").post(f"/tasks/{release.task_id}/", {
        "amount_special": "1800.00", "purpose_special": "管理费"})
    assert refused.status_code == 400 and "special_fund_forbidden_use" in refused.content.decode()


@pytest.mark.skipif(shutil.which("node") is None, reason="no node to run the page script")
def test_the_running_total_script_adds_in_fen_and_flags_what_is_not_an_amount():
    script = f"""
      const f = require({json.dumps(str(STATIC / "funding.js"))});
      console.log(JSON.stringify([
        f.balance(f.fen("1800.00"), ["1,000.10", "799.90", ""]),
        f.balance(f.fen("1800.00"), ["0.1", "0.2"]),
        f.balance(f.fen("1800.00"), ["2000"]),
        f.balance(f.fen("1800.00"), ["12.345"]),
        f.yuan(123456789)]));
    """
    out = json.loads(subprocess.run(["node", "-e", script], capture_output=True, text=True, check=True).stdout)
    assert out[0] == {"state": "exact", "total": 180000, "remainder": 0}
    assert out[1] == {"state": "short", "total": 30, "remainder": 179970}
    assert out[2] == {"state": "over", "total": 200000, "remainder": 20000}
    assert out[3]["state"] == "invalid"
    assert out[4] == "¥1,234,567.89"
