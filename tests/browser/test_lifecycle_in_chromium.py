"""Each role signs in turn and carries one lifecycle from alliance formation to released payment."""
from decimal import Decimal

import pytest

from tests.browser.steps import open_my_task, sign_in
from tryout.simulation import scaled_lines
from workflows import services
from workflows.models import Alliance, Negotiation, Organization, Payment, Person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_each_role_carries_a_lifecycle_from_alliance_to_released_payment(page, shot):
    lead = Person.objects.get(user__username="college_42_1").organization
    invitees = list(Organization.objects.filter(kind="college", province=lead.province).exclude(pk=lead.pk))

    page.goto(f"{page.base}/disclosure/")
    page.wait_for_selector(".schedule")
    shot(page, "disclosure")

    sign_in(page, "college_42_1")
    page.click("text=联盟")
    page.fill("#id_name", "浏览器测试联盟")
    page.select_option("#id_certificate", label="X-WEB-01 Web 前端开发 (工业互联网培训评价有限公司)")
    page.click("text=组建联盟 >> nth=-1")
    page.wait_for_selector("text=联盟已发起")
    negotiation = Negotiation.objects.get(alliance__name="浏览器测试联盟")

    open_my_task(page, "invite_members")
    for college in invitees:
        page.check(f"input[name=college_ids][value='{college.pk}']")
    page.click("text=发出邀请")
    page.wait_for_selector("text=已办结")

    for college in invitees:
        sign_in(page, Person.objects.get(organization=college, role="college").user.username)
        open_my_task(page, "respond_invitation")
        page.click("button[value=accept]")
        page.wait_for_selector("text=已办结")
    assert Alliance.objects.get(pk=negotiation.alliance_id).state == Alliance.State.FORMED

    sign_in(page, "college_42_1")
    open_my_task(page, "screen_services")
    page.fill("#id_training", "师资培训 5 天，含实操")  # the parties' own words go into the agreement
    page.click("text=开始协商")
    page.wait_for_selector("text=已办结")

    open_my_task(page, "alliance_responds")
    page.fill("#id_fee", "250.00")
    page.wait_for_selector("#cap-check [data-rule=fee_cap_2357]")
    fee = Decimal("170.00")
    for code, amount in scaled_lines(negotiation.schedule.lines, fee).items():
        page.fill(f"#line_{code}", amount)
    page.fill("#id_fee", str(fee))
    page.fill("#id_comment", "按实际考核成本，请降至 170 元")
    page.wait_for_selector("#cap-check [data-rule=ok]")
    shot(page, "cap-check", full_page=True)
    page.click("button[value=counter]")
    page.wait_for_selector("text=已办结")

    sign_in(page, "teo_1")
    shot(page, "inbox")
    open_my_task(page, "teo_responds")
    assert page.locator(".round").count() == 2
    assert page.locator(".round[data-round='2'] tr.changed").count() > 0
    shot(page, "negotiation-room", full_page=True)
    page.click("button[value=accept]")
    page.wait_for_selector("text=已办结")

    sign_in(page, "reviewer_42")
    open_my_task(page, "verify_baseline")
    shot(page, "provincial-review", full_page=True)
    page.click("button[value=verify]")
    page.wait_for_selector("text=已办结")

    sign_in(page, "finance_div_42")  # 会签: the finance division verifies too, seeing 职成处's decision
    open_my_task(page, "verify_baseline_finance")
    page.wait_for_selector("#other-review")
    page.click("button[value=verify]")
    page.wait_for_selector("text=已办结")

    for username, task in (("college_42_1", "sign_alliance"), ("teo_1", "sign_teo")):
        sign_in(page, username)
        open_my_task(page, task)
        page.click("form.card button >> nth=-1")
        page.wait_for_selector("text=已办结")

    sign_in(page, "reviewer_42")
    open_my_task(page, "acknowledge_filing")
    page.click("text=确认备案")
    page.wait_for_selector("text=已办结")

    sign_in(page, "teo_1")
    page.goto(f"{page.base}/assessments/")
    form = page.locator("form[action$='/assessments/']").first
    form.locator("select[name=college]").select_option(str(lead.pk))
    form.locator("input[name=held_on]").fill(f"{services.today():%Y-%m-%d}")  # entered, never assumed
    form.locator("input[name=headcount]").fill("30")
    form.locator("button").click()
    page.wait_for_selector("text=已登记考核")

    sign_in(page, "finance_42_1")
    page.goto(f"{page.base}/payments/")
    page.click("text=拨付…")
    page.wait_for_selector("#task-title")
    # Special funds are offered only what they may pay for; the total and what remains follow the typing.
    assert page.locator("select[name=purpose_special] option[value=management_fee]").count() == 0
    page.fill("input[name=amount_special]", "5200.00")
    page.wait_for_selector("#funding-balance[data-state=over] >> text=¥100.00")
    page.click("form.card button >> nth=-1")
    page.wait_for_selector(".refusal[data-rule=payment_on_actuals]")
    page.fill("input[name=amount_special]", "5000.00")
    page.wait_for_selector("#funding-balance[data-state=short] >> text=¥100.00")
    page.select_option("select[name=purpose_special]", "teacher_training")
    page.fill("input[name=amount_own]", "100.00")
    page.wait_for_selector("#funding-balance[data-state=exact]")
    page.click("form.card button >> nth=-1")
    page.wait_for_selector("text=已办结")
    assert page.dialogs[-1].startswith("确认为") and "¥5,100.00" in page.dialogs[-1]
    payment = Payment.objects.get(agreement__negotiation=negotiation, college=lead)
    assert payment.state == Payment.State.RELEASED and payment.amount == Decimal("5100.00")

    sign_in(page, "ministry")
    instance_id = negotiation_instance(negotiation)
    page.goto(f"{page.base}/processes/{instance_id}/")
    page.wait_for_selector("#diagram-0[data-rendered=true]")
    assert int(page.get_attribute("#diagram-0", "data-marked")) > 0
    shot(page, "process-diagram", full_page=True)


def negotiation_instance(negotiation) -> int:
    from bpmn.models import ProcessInstance
    from workflows import services

    return ProcessInstance.objects.get(business_key=services.lifecycle_key(negotiation)).pk
