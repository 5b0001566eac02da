"""One lifecycle carried from alliance formation to released payment through the pages only."""
from decimal import Decimal

import pytest

from tests.workflows.walk import lifecycle_instance, open_task
from workflows import services
from workflows.models import (
    Agreement,
    Alliance,
    Baseline,
    Certificate,
    FeeSchedule,
    IssuedCertificate,
    Negotiation,
    Organization,
    Payment,
    Person,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("temperature")]


def _lines_form(schedule: FeeSchedule, scale: Decimal) -> dict:
    """A counter-offer form: each schedule line scaled, the rounding put on the first line."""
    lines = {code: (Decimal(v) * scale).quantize(Decimal("0.01")) for code, v in schedule.lines.items()}
    return {f"line_{code}": str(amount) for code, amount in lines.items()}, sum(lines.values())


def test_a_lifecycle_runs_through_the_pages_from_alliance_to_released_payment(browser):
    web = browser.as_("college_42_1")
    certificate = Certificate.objects.get(code="X-WEB-01")
    response = web.post("/alliances/", {"name": "页面联盟", "certificate": certificate.pk})
    assert response.status_code == 302
    negotiation = Negotiation.objects.get(alliance__name="页面联盟")
    assert response.url == f"/negotiations/{negotiation.pk}/"
    assert web.get(response.url).status_code == 200

    invite = open_task(negotiation, "invite_members")
    invitees = list(
        Organization.objects.filter(kind="college", province=negotiation.alliance.province)
        .exclude(pk=negotiation.alliance.lead_id).values_list("pk", flat=True)[:2])
    page = web.get(f"/tasks/{invite.task_id}/")
    assert page.status_code == 200 and "college_ids" in page.content.decode()
    invited = web.post(f"/tasks/{invite.task_id}/", {"college_ids": invitees})
    assert invited.status_code == 302, invited.content.decode()[:3000]

    for college_id in invitees:
        username = Person.objects.get(organization_id=college_id, role="college").user.username
        invitation = open_task(negotiation, "respond_invitation", college_id)
        assert browser.as_(username).post(f"/tasks/{invitation.task_id}/", {"decision": "accept"}).status_code == 302
    assert Alliance.objects.get(pk=negotiation.alliance_id).state == Alliance.State.FORMED

    screen = open_task(negotiation, "screen_services")
    assert browser.as_("college_42_1").post(f"/tasks/{screen.task_id}/",
                                            {"training_content": "师资培训 5 天",
                                             "services": negotiation.schedule.services}).status_code == 302

    schedule = negotiation.schedule
    lines, total = _lines_form(schedule, Decimal("0.9"))
    respond = open_task(negotiation, "alliance_responds")
    room = web.get(f"/tasks/{respond.task_id}/").content.decode()
    assert "cap-check" in room and 'data-round="1"' in room
    answer = web.post(f"/tasks/{respond.task_id}/",
                      {"decision": "counter", "fee": str(total), "comment": "请降价", **lines})
    assert answer.status_code == 302, answer.content.decode()[:2000]

    teo = open_task(negotiation, "teo_responds")
    room = browser.as_("teo_1").get(f"/tasks/{teo.task_id}/").content.decode()
    assert 'data-round="2"' in room and "changed" in room and "请降价" in room
    assert browser.post(f"/tasks/{teo.task_id}/", {"decision": "accept"}).status_code == 302
    negotiation.refresh_from_db()
    assert negotiation.state == Negotiation.State.AGREED and negotiation.agreed_fee == total

    verify = open_task(negotiation, "verify_baseline")
    review = browser.as_("reviewer_42").get(f"/tasks/{verify.task_id}/").content.decode()
    assert "Other baselines" in review or "本省" in review or "基线" in review
    assert browser.post(f"/tasks/{verify.task_id}/", {"decision": "verify"}).status_code == 302
    assert Baseline.objects.get(negotiation=negotiation).state == Baseline.State.PENDING

    # 会签: the finance division sees 职成处's decision, asks the province's expert first (加签), then verifies.
    finance = open_task(negotiation, "verify_baseline_finance")
    review = browser.as_("finance_div_42").get(f"/tasks/{finance.task_id}/").content.decode()
    assert 'id="other-review"' in review and 'name="expert"' in review
    expert = Person.objects.get(user__username="expert_42").user_id
    asked = browser.post(f"/tasks/{finance.task_id}/", {"decision": "consult", "expert": str(expert),
                                                        "question": "资金来源是否合规？", "reasons": ""})
    assert asked.status_code == 302, asked.content.decode()[:2000]
    opinion = open_task(negotiation, "expert_opinion_finance")
    shown = browser.as_("expert_42").get(f"/tasks/{opinion.task_id}/").content.decode()
    assert "资金来源是否合规？" in shown
    assert browser.post(f"/tasks/{opinion.task_id}/", {"opinion": "合规"}).status_code == 302
    finance = open_task(negotiation, "verify_baseline_finance")
    assert browser.as_("finance_div_42").post(f"/tasks/{finance.task_id}/", {"decision": "verify"}).status_code == 302
    assert Baseline.objects.get(negotiation=negotiation).state == Baseline.State.VERIFIED
    room = browser.get(f"/negotiations/{negotiation.pk}/").content.decode()
    assert "资金来源是否合规？" in room and "合规" in room

    agreement = Agreement.objects.get(negotiation=negotiation)
    sign_alliance = open_task(negotiation, "sign_alliance")
    assert browser.as_("college_42_1").post(f"/tasks/{sign_alliance.task_id}/").status_code == 302
    sign_teo = open_task(negotiation, "sign_teo")
    assert browser.as_("teo_1").post(f"/tasks/{sign_teo.task_id}/").status_code == 302
    document = browser.get(f"/agreements/{agreement.pk}/").content.decode()
    assert str(total) in document.replace(",", "")

    filing = open_task(negotiation, "acknowledge_filing")
    assert browser.as_("reviewer_42").post(f"/tasks/{filing.task_id}/").status_code == 302
    assert "BA-" in browser.get("/filings/").content.decode()
    agreement.refresh_from_db()
    assert agreement.state == Agreement.State.FILED

    lead = negotiation.alliance.lead
    assert browser.as_("teo_1").get("/assessments/").status_code == 200
    recorded = browser.post(f"/agreements/{agreement.pk}/assessments/",
                            {"college": lead.pk, "headcount": "30", "held_on": services.today().isoformat()})
    assert recorded.status_code == 302
    sitting = agreement.sittings.get(college=lead)
    browser.post(f"/sittings/{sitting.pk}/certificates/", {"holders": "张三,S6\n李四,S4"})
    assert IssuedCertificate.objects.filter(sitting=sitting).count() == 2

    payment = Payment.objects.get(agreement=agreement, college=lead)
    assert payment.amount == total * 30
    release = open_task(negotiation, "release_payment")
    finance = browser.as_("finance_42_1")
    assert f"/tasks/{release.task_id}/" in finance.get("/payments/").content.decode()
    half = (payment.amount / 2).quantize(Decimal("0.01"))
    released = finance.post(f"/tasks/{release.task_id}/", {
        "amount_fiscal": str(half), "purpose_fiscal": "assessment_fee",
        "amount_own": str(payment.amount - half), "purpose_own": "assessment_fee"})
    assert released.status_code == 302
    payment.refresh_from_db()
    assert payment.state == Payment.State.RELEASED

    again = finance.post(f"/tasks/{release.task_id}/", {"amount_fiscal": str(payment.amount)})
    assert again.status_code == 409 and "task_not_ready" in again.content.decode()

    process = browser.as_("ministry").get(f"/processes/{lifecycle_instance(negotiation).pk}/").content.decode()
    assert "diagram-data" in process and "release_payment" in process
