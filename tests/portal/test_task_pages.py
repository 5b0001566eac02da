"""Task pages people can trust: the release form's purposes and running total, confirmations."""
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
from tryout.simulation import actor_for
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


# --- confirmations --------------------------------------------------------------------------


def test_every_page_loads_the_one_confirmation_script_and_it_asks_before_submitting(browser):
    page = browser.as_("college_42_1").get("/tasks/").content.decode()
    assert "portal/confirm.js" in page
    script = (STATIC / "confirm.js").read_text()
    assert "window.confirm(" in script and "preventDefault" in script and "dataset.confirm" in script


def test_declining_an_invitation_rejecting_an_offer_refusing_verification_and_signing_ask_first(browser, hubei):
    hubei.do("invite_members", {"college_ids": [c.pk for c in hubei.invitees]})
    respond = open_task(hubei.negotiation, "respond_invitation", hubei.invitees[0].pk)
    page = browser.as_("college_42_2").get(f"/tasks/{respond.task_id}/").content.decode()
    assert _confirmation(page, 'value="decline"') == "确认谢绝邀请？答复后不能更改。"
    assert 'value="accept"' in page and "data-confirm" not in next(
        tag for tag in re.findall(r"<button[^>]*>", page) if 'value="accept"' in tag)
    for task in hubei.tasks("respond_invitation"):
        services.complete(task.task_id, actor_for(task), {"decision": "accept"})
    hubei.do("screen_services", {"training_content": "师资培训 5 天"})
    offer = open_task(hubei.negotiation, "alliance_responds")
    page = browser.as_("college_42_1").get(f"/tasks/{offer.task_id}/").content.decode()
    assert _confirmation(page, 'value="reject"').startswith("确认拒绝此报价？")
    hubei.do("alliance_responds", {"decision": "accept"})
    verify = open_task(hubei.negotiation, "verify_baseline")
    page = browser.as_("reviewer_42").get(f"/tasks/{verify.task_id}/").content.decode()
    assert _confirmation(page, 'value="reject"').startswith("确认不予核定")
    hubei.verify()
    sign = open_task(hubei.negotiation, "sign_alliance")
    page = browser.as_("college_42_1").get(f"/tasks/{sign.task_id}/").content.decode()
    assert _confirmation(page, "data-confirm") == "确认按每人每次 ¥180.00 签署协议？签署后不能撤回。"
    english = browser.get(f"/tasks/{sign.task_id}/", headers={"accept-language": "en"}).content.decode()
    assert _confirmation(english, "data-confirm").startswith("Sign the agreement on ¥180.00")


def test_a_failed_mediation_a_release_and_a_supersede_ask_first(browser, hubei, jiangsu):
    jiangsu.form()
    jiangsu.do("screen_services", {"training_content": "师资培训"})
    jiangsu.do("alliance_responds", {"decision": "reject"})
    mediate = open_task(jiangsu.negotiation, "mediate")
    page = browser.as_("reviewer_32").get(f"/tasks/{mediate.task_id}/").content.decode()
    assert _confirmation(page, 'value="failed"').startswith("确认调解未成？")
    release = _due_release(hubei)
    page = browser.as_("finance_42_1").get(f"/tasks/{release.task_id}/").content.decode()
    assert _confirmation(page, "data-confirm") == "确认为武汉职业技术学院拨付 ¥1,800.00？拨付后不能撤回。"
    baseline = hubei.negotiation.baselines.get()
    page = browser.as_("reviewer_42").get(f"/baselines/{baseline.pk}/supersede/").content.decode()
    assert _confirmation(page, 'class="danger"').startswith("确认替代此基线？")


# --- the alliance's minimum -----------------------------------------------------------------


def test_the_invite_page_says_the_models_minimum_with_the_lead_counted_and_the_refusal_agrees(browser, hubei):
    invite = open_task(hubei.negotiation, "invite_members")
    lead = browser.as_("college_42_1")
    page = lead.get(f"/tasks/{invite.task_id}/").content.decode()
    assert 'data-minimum="2"' in page
    assert "接受邀请的院校达到 2 所（含牵头院校本校）即向省级备案：截止前须至少有 1 所受邀院校接受。" in page
    english = lead.get(f"/tasks/{invite.task_id}/", headers={"accept-language": "en"}).content.decode()
    assert "once 2 colleges have accepted, your college as the lead included: at least 1 of the colleges" in english
    refused = lead.post(f"/tasks/{invite.task_id}/", {"response_deadline": ""})
    assert refused.status_code == 400 and "invite_enough_colleges" in refused.content.decode()
    assert "联盟须有 2 所院校接受邀请（含牵头院校）方可备案，须至少邀请 1 所" in refused.content.decode()


# --- deadlines ------------------------------------------------------------------------------


def test_every_task_page_shows_its_deadline_or_says_it_has_none(browser, hubei):
    hubei.do("invite_members", {"college_ids": [c.pk for c in hubei.invitees]})
    respond = open_task(hubei.negotiation, "respond_invitation", hubei.invitees[0].pk)
    assert respond.due_at is not None
    page = browser.as_("college_42_2").get(f"/tasks/{respond.task_id}/").content.decode()
    due = timezone.localtime(respond.due_at, ZoneInfo("Asia/Shanghai"))
    assert f'截止时间: <time datetime="{due.isoformat()}">{due:%Y-%m-%d %H:%M}</time>' in page
    for task in hubei.tasks("respond_invitation"):
        services.complete(task.task_id, actor_for(task), {"decision": "accept"})
    hubei.agree()
    verify = open_task(hubei.negotiation, "verify_baseline")
    assert verify.due_at is None
    page = browser.as_("reviewer_42").get(f"/tasks/{verify.task_id}/").content.decode()
    assert '<span id="task-due">无截止时间</span>' in page
    english = browser.get(f"/tasks/{verify.task_id}/", headers={"accept-language": "en"}).content.decode()
    assert '<span id="task-due">No deadline</span>' in english


# --- the agreement document -----------------------------------------------------------------


def _document(page: str) -> str:
    return page.split('<article class="document"', 1)[1].split("</article>", 1)[0]


def test_the_agreement_is_a_formal_document_with_number_date_term_and_signatories(browser, hubei):
    hubei.form()
    hubei.do("screen_services", {"training_content": "师资培训 5 天，含 Web 前端实操"})
    hubei.do("alliance_responds", {"decision": "accept"})
    hubei.verify()
    agreement = hubei.negotiation.agreements.get()
    url = f"/agreements/{agreement.pk}/"
    unsigned = _document(browser.as_("college_42_1").get(url).content.decode())
    assert f'<span id="agreement-number">{agreement.number}</span>' in unsigned
    assert agreement.number.startswith("鄂-X-WEB-01-") and "以双方签署之日为准（待签署）" in unsigned
    assert unsigned.count("尚未签署") == 2
    hubei.do("sign_alliance")
    hubei.do("sign_teo")
    agreement.refresh_from_db()
    page = browser.get(url).content.decode()
    document = _document(page)
    concluded = timezone.localtime(agreement.concluded_at, ZoneInfo("Asia/Shanghai"))
    assert f"协议日期：</strong>{concluded.year}年{concluded.month}月{concluded.day}日" in document
    year = agreement.year
    assert f"有效期：</strong>自双方签署之日起至 {year}年12月31日 止，适用于 {year} 年度批次。" in document
    signed = timezone.localtime(agreement.signed_by_alliance_at, ZoneInfo("Asia/Shanghai"))
    assert f"甲方（院校联盟）签署：</th>\n<td>王芳（武汉职业技术学院），{signed:%Y-%m-%d %H:%M}" in document
    assert "杨帆（工业互联网培训评价有限公司）" in document
    assert '<blockquote id="training-content">师资培训 5 天，含 Web 前端实操</blockquote>' in document
    assert "5-day teacher training" not in document  # the parties' words, not the schedule's bilingual plan
    assert "甲方（院校联盟）：" in document and "（牵头院校：武汉职业技术学院）" in document
    text = re.sub(r"<[^>]+>", "", document)
    assert not re.findall(r"[\u4e00-\u9fff）][,.:;!?(]", text), "half-width punctuation in the Chinese text"
    english = _document(browser.get(url, headers={"accept-language": "en"}).content.decode())
    assert "Agreement no.:" in english and f"for the {agreement.year} batch year." in english
    assert f"31 December {agreement.year}" in english and "王芳 of 武汉职业技术学院" in english


def test_the_agreement_page_has_no_inline_script_or_handler_and_prints_through_the_static_script(browser, hubei):
    hubei.through_filing()
    agreement = hubei.negotiation.agreements.get()
    page = browser.as_("teo_1").get(f"/agreements/{agreement.pk}/").content.decode()
    assert "data-print" in page and "portal/print.js" in page
    assert not re.search(r"\son[a-z]+=", page) and " style=" not in page
    assert all("src=" in tag for tag in re.findall(r"<script[^>]*>", page))


def test_the_agreement_opens_for_its_parties_and_not_for_a_lesser_role_or_an_outsider(browser, hubei):
    hubei.form()
    hubei.agree()
    hubei.verify()
    url = f"/agreements/{hubei.negotiation.agreements.get().pk}/"
    assert browser.as_("college_42_1").get(url).status_code == 200
    assert browser.as_("finance_42_1").get(url).status_code == 200  # its college's finance office reads it
    assert browser.as_("student").get(url).status_code == 404  # a student of the lead college
    assert browser.as_("teo_2").get(url).status_code == 404


def test_the_screening_form_asks_for_the_training_content_instead_of_filling_in_the_schedules(browser, hubei):
    hubei.form()
    screen = open_task(hubei.negotiation, "screen_services")
    page = browser.as_("college_42_1").get(f"/tasks/{screen.task_id}/").content.decode()
    plan = hubei.negotiation.schedule.training_plan
    textarea = r'<textarea id="id_training" name="training_content" required placeholder="[^"]+"></textarea>'
    assert re.search(textarea, page)
    assert f"公示的培训计划：{plan}" in page
    refused = browser.post(f"/tasks/{screen.task_id}/", {"training_content": " ",
                                                         "services": hubei.negotiation.schedule.services})
    assert refused.status_code == 400 and "training_content_required" in refused.content.decode()


# --- the baselines table --------------------------------------------------------------------


def test_the_baselines_table_shows_the_reviewers_reasons(browser, hubei, jiangsu):
    hubei.form()
    hubei.agree()
    hubei.verify({"decision": "return", "reasons": "考场租赁费用偏高\n请重新核算"})
    jiangsu.form()
    jiangsu.agree()
    jiangsu.verify()
    page = browser.as_("reviewer_42").get("/baselines/").content.decode()
    assert "审核意见" in page and '<td class="reasons small">职成处：考场租赁费用偏高<br>请重新核算</td>' in page
    everyone = browser.as_("ministry").get("/baselines/").content.decode()
    assert "考场租赁费用偏高" in everyone and '<td class="reasons small">—</td>' in everyone
