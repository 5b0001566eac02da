"""Each role's pages, and each thing a role must not do, refused with the rule and nothing lost."""
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.workflows.walk import open_task
from workflows import services
from workflows.models import Baseline, FeeProposal, IssuedCertificate, Negotiation, Payment

pytestmark = pytest.mark.django_db


def test_signed_out_visitors_are_sent_to_sign_in_and_see_the_demo_accounts(browser, settings):
    settings.SHOW_DEMO_ACCOUNTS = True  # XCERT_DEMO=1, as make run sets
    response = browser.get("/")
    assert response.status_code == 302 and response.url == "/login/"
    page = browser.get("/login/").content.decode()
    assert "college_42_1" in page and "reviewer_32" in page and "demo12345" in page
    assert browser.get("/tasks/").status_code == 302


def test_the_fee_disclosure_is_public_with_each_cost_item_and_the_cap_beside_the_fee(browser):
    page = browser.get("/disclosure/").content.decode()
    assert "X-WEB-01" in page and "X-CNC-04" in page
    assert "¥180.00" in page and "¥200.00" in page
    assert "题库建设" in page


def test_a_teo_opening_another_teos_negotiation_gets_not_found(browser, jiangsu):
    assert browser.as_("teo_2").get(f"/negotiations/{jiangsu.negotiation.pk}/").status_code == 200
    assert browser.as_("teo_1").get(f"/negotiations/{jiangsu.negotiation.pk}/").status_code == 404
    process = jiangsu.instance.pk
    assert browser.get(f"/processes/{process}/").status_code == 404


def test_a_reviewer_of_another_province_can_neither_open_nor_verify_the_baseline(browser, hubei):
    hubei.form()
    hubei.agree()
    verify = open_task(hubei.negotiation, "verify_baseline")
    outsider = browser.as_("reviewer_32")
    assert outsider.get(f"/tasks/{verify.task_id}/").status_code == 404
    assert outsider.post(f"/tasks/{verify.task_id}/", {"decision": "verify"}).status_code == 404
    assert Baseline.objects.get(negotiation=hubei.negotiation).state == Baseline.State.PENDING


def test_a_ministry_supervisor_reads_a_task_but_cannot_complete_it(browser, hubei):
    hubei.form()
    screen = open_task(hubei.negotiation, "screen_services")
    supervisor = browser.as_("ministry")
    page = supervisor.get(f"/tasks/{screen.task_id}/").content.decode()
    assert "disabled" in page
    refused = supervisor.post(f"/tasks/{screen.task_id}/", {"training_content": "x"})
    assert refused.status_code == 403 and "actor_not_allowed" in refused.content.decode()


def test_a_college_cannot_release_its_payment_and_finance_cannot_release_it_twice(browser, hubei):
    hubei.through_filing()
    agreement = hubei.negotiation.agreements.get()
    lead = hubei.negotiation.alliance.lead
    teo = hubei.negotiation.certificate.teo.people.get(role="teo").user
    services.record_assessment(teo, agreement, lead, 10, held_on=services.today())
    release = next(t for t in hubei.tasks("release_payment") if t.organization_id == lead.pk)
    form = {"amount_fiscal": "1800.00", "purpose_fiscal": "assessment_fee"}
    by_college = browser.as_("college_42_1").post(f"/tasks/{release.task_id}/", form)
    assert by_college.status_code == 403
    assert browser.as_("finance_42_1").post(f"/tasks/{release.task_id}/", form).status_code == 302
    twice = browser.post(f"/tasks/{release.task_id}/", form)
    assert twice.status_code == 409 and "task_not_ready" in twice.content.decode()
    payment = Payment.objects.get(agreement=agreement, college=lead)
    assert payment.state == Payment.State.RELEASED and payment.allocations.count() == 1


def test_a_counter_offer_over_the_cap_is_refused_with_the_rule_and_the_form_keeps_what_was_typed(browser, hubei):
    hubei.form()
    hubei.do("screen_services", {"training_content": "师资培训"})
    respond = open_task(hubei.negotiation, "alliance_responds")
    refused = browser.as_("college_42_1").post(
        f"/tasks/{respond.task_id}/",
        {"decision": "counter", "fee": "250.00", "line_question_bank": "250.00", "comment": "试探"})
    page = refused.content.decode()
    assert refused.status_code == 400
    assert 'data-rule="fee_cap_2357"' in page and 'value="250.00"' in page and "试探" in page
    assert FeeProposal.objects.filter(negotiation=hubei.negotiation).count() == 1


def test_the_live_cap_check_answers_with_the_rule_while_typing(browser, hubei):
    hubei.form()
    hubei.do("screen_services", {"training_content": "师资培训"})
    web = browser.as_("college_42_1")
    url = f"/negotiations/{hubei.negotiation.pk}/cap-check/"
    over = web.post(url, {"fee": "200.01", "line_question_bank": "200.01"}, headers={"HX-Request": "true"})
    assert 'data-rule="fee_cap_2357"' in over.content.decode()
    short = web.post(url, {"fee": "150.00", "line_question_bank": "100.00"}).content.decode()
    assert 'data-rule="cost_lines_sum"' in short
    ok = web.post(url, {"fee": "200.00", "line_question_bank": "200.00"}).content.decode()
    assert 'data-rule="ok"' in ok
    assert browser.as_("teo_2").post(url, {"fee": "1"}).status_code == 404


def test_a_group_task_is_claimed_and_unclaimed_from_the_inbox_row(browser, hubei):
    hubei.form()
    screen = open_task(hubei.negotiation, "screen_services")
    web = browser.as_("college_42_1")
    claimed = web.post(f"/tasks/{screen.task_id}/claim/", headers={"HX-Request": "true"})
    assert claimed.status_code == 200 and "unclaim" in claimed.content.decode()
    assert "claimed by me" in web.get("/tasks/?status=mine", headers={"accept-language": "en"}).content.decode()
    released = web.post(f"/tasks/{screen.task_id}/unclaim/", headers={"HX-Request": "true"})
    assert "/claim/" in released.content.decode()


def test_the_inbox_filters_by_process_and_marks_overdue_tasks(browser, hubei, time_machine):
    hubei.do("invite_members", {"college_ids": [c.pk for c in hubei.invitees]})
    web = browser.as_("college_42_2")
    assert "respond_invitation" in web.get("/tasks/?process=alliance_formation").content.decode()
    assert "respond_invitation" not in web.get("/tasks/?process=fee_negotiation").content.decode()
    time_machine.move_to(timezone.now() + timedelta(days=8))
    overdue = web.get("/tasks/?status=overdue", headers={"accept-language": "en"}).content.decode()
    assert 'class="overdue"' in overdue
    waiting = browser.as_("college_42_1").get("/tasks/").content.decode().split("等待他人办理")[1]
    assert waiting.count(f"{hubei.negotiation.alliance.name} × X-WEB-01") == 2


def test_a_reviewer_supersedes_a_baseline_after_seeing_what_it_reopens(browser, hubei):
    hubei.through_filing()
    baseline = Baseline.objects.get(negotiation=hubei.negotiation)
    reviewer = browser.as_("reviewer_42")
    confirm = reviewer.get(f"/baselines/{baseline.pk}/supersede/").content.decode()
    assert 'id="reopens"' in confirm and f"#{hubei.negotiation.agreements.get().pk}" in confirm
    no_reasons = reviewer.post(f"/baselines/{baseline.pk}/supersede/", {"reasons": " "})
    assert no_reasons.status_code == 400 and "reasons_required" in no_reasons.content.decode()
    assert browser.as_("reviewer_32").post(f"/baselines/{baseline.pk}/supersede/",
                                           {"reasons": "x"}).status_code == 404
    done = browser.as_("reviewer_42").post(f"/baselines/{baseline.pk}/supersede/", {"reasons": "成本核查后下调"})
    assert done.status_code == 302
    baseline.refresh_from_db()
    assert baseline.state == Baseline.State.SUPERSEDED


def test_role_pages_refuse_other_roles(browser, world):
    assert browser.as_("college_42_1").get("/assessments/").status_code == 403
    assert browser.as_("teo_1").get("/payments/").status_code == 403
    assert browser.as_("finance_42_1").get("/baselines/").status_code == 403
    assert browser.as_("student").get("/filings/").status_code == 403
    refused = browser.as_("teo_1").post("/alliances/", {"certificate": "1"})
    assert refused.status_code == 403 and 'data-rule="actor_not_allowed"' in refused.content.decode()


def test_an_assessment_before_filing_is_refused_and_certificates_are_issued_whatever_the_payment(browser, hubei):
    hubei.form()
    hubei.agree()
    hubei.verify()
    agreement = hubei.negotiation.agreements.get()
    lead = hubei.negotiation.alliance.lead
    teo = browser.as_("teo_1")
    today = services.today().isoformat()
    teo.post(f"/agreements/{agreement.pk}/assessments/", {"college": lead.pk, "headcount": "10", "held_on": today})
    assert agreement.sittings.count() == 0
    hubei.do("sign_alliance")
    hubei.do("sign_teo")
    hubei.do("acknowledge_filing", {"flagged": False})
    bad = teo.post(f"/agreements/{agreement.pk}/assessments/", {"college": lead.pk, "headcount": "ten",
                                                                 "held_on": today})
    assert bad.status_code == 400 and agreement.sittings.count() == 0
    assert 'data-rule="headcount_not_a_number"' in bad.content.decode() and 'value="ten"' in bad.content.decode()
    teo.post(f"/agreements/{agreement.pk}/assessments/", {"college": lead.pk, "headcount": "10", "held_on": today})
    sitting = agreement.sittings.get()
    teo.post(f"/sittings/{sitting.pk}/certificates/", {"holders": "李明,2023010001\n王五,2023010099"})
    mine, other = IssuedCertificate.objects.filter(sitting=sitting).order_by("pk")
    assert Payment.objects.get(agreement=agreement, college=lead).state == Payment.State.DUE

    student = browser.as_("student")
    page = student.get("/certificates/").content.decode()
    assert mine.serial_no in page and other.serial_no not in page and "¥25.00" in page
    address = {"recipient": "李明", "phone": "13800000000", "address": "武汉市江夏区"}
    no_phone = student.post("/certificates/", {"certificate": mine.pk, **address, "phone": ""})
    assert no_phone.status_code == 400 and "phone_required" in no_phone.content.decode()
    assert "武汉市江夏区" in no_phone.content.decode()
    assert student.post("/certificates/", {"certificate": other.pk, **address}).status_code == 404
    assert student.post("/certificates/", {"certificate": mine.pk, **address}).status_code == 302
    assert mine.paper_orders.get().price == Decimal("25.00") and not other.paper_orders.exists()


def test_the_process_page_draws_every_model_with_marks_and_the_audit_trail(browser, hubei):
    hubei.form()
    page = browser.as_("college_42_1").get(f"/processes/{hubei.instance.pk}/").content.decode()
    assert "certificate_lifecycle.bpmn" in page and "alliance_formation.bpmn" in page
    assert '"screen_services": "active"' in page and '"invite_members": "done"' in page
    audit = page.split('id="audit"')[1].split("</table>")[0]
    assert "王芳（武汉职业技术学院）邀请了湖北交通职业技术学院、武汉船舶职业技术学院。" in audit
    assert "college_ids" not in audit and "{" not in audit and "college_42_1" not in audit


def test_the_process_page_is_titled_by_the_process_with_the_business_key_as_a_support_reference(browser, hubei):
    hubei.form()
    page = browser.as_("college_42_1").get(f"/processes/{hubei.instance.pk}/").content.decode()
    heading = page.split("<h1>")[1].split("</h1>")[0]
    assert "证书费用协商全流程" in heading and "certificate_lifecycle" not in heading
    assert hubei.instance.business_key not in heading
    reference = page.split('id="support-reference"')[1].split("</p>")[0]
    assert hubei.instance.business_key in reference
    assert "泳道" not in page and "Lane" not in page


def test_the_process_page_names_its_end_state_in_the_pages_language(browser, hubei):
    from bpmn.models import ProcessInstance

    ProcessInstance.objects.filter(pk=hubei.instance.pk).update(end_event="not_formed_end")
    path = f"/processes/{hubei.instance.pk}/"
    chinese = browser.as_("college_42_1").get(path).content.decode()
    english = browser.get(path, headers={"accept-language": "en"}).content.decode()
    assert '<strong id="end-state">联盟未组建</strong>' in chinese
    assert "not_formed_end" not in chinese.split('<div class="diagram"')[0]  # ids only in the drawing's data
    assert '<strong id="end-state">Alliance not formed</strong>' in english


def test_the_diagram_on_the_process_page_speaks_the_pages_language(browser, hubei):
    import json
    import re

    hubei.form()
    path = f"/processes/{hubei.instance.pk}/"
    for headers, task, lane, other in (({}, "邀请成员院校", "联盟牵头院校", "Invite member colleges"),
                                       ({"accept-language": "en"}, "Invite member colleges", "Alliance lead college",
                                        "邀请成员院校")):
        page = browser.as_("college_42_1").get(path, headers=headers).content.decode()
        data = json.loads(re.search(r'<script id="diagram-data" type="application/json">(.*?)</script>', page,
                                    re.S).group(1))
        xml = "".join(d["xml"] for d in data)
        assert f'name="{task}"' in xml and f'name="{lane}"' in xml and f'name="{other}"' not in xml
        assert 'name="alliance_lead"' not in xml


def test_the_agreement_document_is_printable_with_the_verified_terms(browser, hubei):
    hubei.through_filing()
    agreement = hubei.negotiation.agreements.get()
    page = browser.as_("teo_1").get(f"/agreements/{agreement.pk}/").content.decode()
    assert "data-print" in page and "¥180.00" in page and "BA-" in page and agreement.number in page
    assert browser.as_("teo_2").get(f"/agreements/{agreement.pk}/").status_code == 404
    assert Negotiation.objects.get(pk=hubei.negotiation.pk).state == Negotiation.State.AGREED


def test_malformed_form_values_are_refused_with_a_rule_not_a_server_error(browser, hubei):
    web = browser.as_("college_42_1")
    refused = web.post("/alliances/", {"certificate": "abc"})
    assert refused.status_code == 400 and 'data-rule="certificate_not_an_id"' in refused.content.decode()
    hubei.through_filing()
    agreement = hubei.negotiation.agreements.get()
    teo = browser.as_("teo_1")
    garbled = teo.post(f"/agreements/{agreement.pk}/assessments/", {"college": "x; drop", "headcount": "3"})
    assert garbled.status_code == 400 and 'data-rule="college_not_an_id"' in garbled.content.decode()
    assert teo.get("/tasks/not-a-uuid/").status_code == 404
    url = f"/negotiations/{hubei.negotiation.pk}/cap-check/"
    odd = teo.post(url, {"fee": "1e400", "line_question_bank": "NaN"}).content.decode()
    assert "data-rule=" in odd and 'data-rule="ok"' not in odd


def test_a_rejected_offer_goes_to_the_province_which_mediates_the_fee(browser, hubei):
    hubei.form()
    hubei.do("screen_services", {"training_content": "师资培训"})
    respond = open_task(hubei.negotiation, "alliance_responds")
    assert browser.as_("college_42_1").post(f"/tasks/{respond.task_id}/", {"decision": "reject"}).status_code == 302
    mediate = open_task(hubei.negotiation, "mediate")
    reviewer = browser.as_("reviewer_42")
    assert "cap-check" in reviewer.get(f"/tasks/{mediate.task_id}/").content.decode()
    lines = {f"line_{code}": amount for code, amount in hubei.offer_lines(Decimal("175.00")).items()}
    done = reviewer.post(f"/tasks/{mediate.task_id}/", {"decision": "agreed", "fee": "175.00", **lines})
    assert done.status_code == 302
    hubei.negotiation.refresh_from_db()
    assert hubei.negotiation.agreed_fee == Decimal("175.00") and hubei.negotiation.mediated


def test_a_reviewer_returns_a_fee_with_reasons_and_the_alliance_negotiates_again(browser, hubei):
    hubei.form()
    hubei.agree()
    verify = open_task(hubei.negotiation, "verify_baseline")
    reviewer = browser.as_("reviewer_42")
    no_reasons = reviewer.post(f"/tasks/{verify.task_id}/", {"decision": "return"})
    assert no_reasons.status_code == 400 and "reasons_required" in no_reasons.content.decode()
    assert reviewer.post(f"/tasks/{verify.task_id}/", {"decision": "return", "reasons": "成本偏高"}).status_code == 302
    finance = open_task(hubei.negotiation, "verify_baseline_finance")  # 会签: the finance division verifies
    assert browser.as_("finance_div_42").post(f"/tasks/{finance.task_id}/", {"decision": "verify"}).status_code == 302
    assert Baseline.objects.get(negotiation=hubei.negotiation).state == Baseline.State.RETURNED
    assert open_task(hubei.negotiation, "screen_services") is not None


def test_screening_keeps_the_ticked_services_and_refuses_none_keeping_what_was_typed(browser, hubei):
    hubei.form()
    screen = open_task(hubei.negotiation, "screen_services")
    web = browser.as_("college_42_1")
    none = web.post(f"/tasks/{screen.task_id}/", {"training_content": "只要考核"})
    assert none.status_code == 400 and 'data-rule="services_required"' in none.content.decode()
    assert "只要考核" in none.content.decode() and 'name="services"' in none.content.decode()
    assert 'value="' + hubei.negotiation.schedule.services[0] + '" checked' not in none.content.decode()
    first = hubei.negotiation.schedule.services[0]
    kept = web.post(f"/tasks/{screen.task_id}/", {"training_content": "只要考核", "services": [first]})
    assert kept.status_code == 302
    hubei.negotiation.refresh_from_db()
    assert hubei.negotiation.services == [first]


def test_claiming_another_organizations_task_is_not_found_and_next_stays_on_this_site(browser, hubei):
    hubei.form()
    screen = open_task(hubei.negotiation, "screen_services")
    unseen = browser.as_("college_32_1").post(f"/tasks/{screen.task_id}/claim/")
    assert unseen.status_code == 404 and 'data-rule="task_not_found"' in unseen.content.decode()
    refused = browser.post(f"/tasks/{screen.task_id}/claim/", headers={"HX-Request": "true"})
    assert refused.status_code == 404 and 'data-rule="task_not_found"' in refused.content.decode()
    assert "<tr" in refused.content.decode()
    web = browser.as_("college_42_1")
    away = web.post(f"/tasks/{screen.task_id}/claim/", {"next": "https://evil.example/x"})
    assert away.status_code == 302 and away.url == "/tasks/"
    back = web.post(f"/tasks/{screen.task_id}/unclaim/", {"next": "/negotiations/"})
    assert back.url == "/negotiations/"


def test_a_live_refresh_of_the_waiting_table_gets_the_whole_page(browser, hubei):
    web = browser.as_("college_42_1")
    whole = web.get("/tasks/", headers={"HX-Request": "true", "HX-Target": "waiting"}).content.decode()
    part = web.get("/tasks/", headers={"HX-Request": "true", "HX-Target": "tasks"}).content.decode()
    assert 'id="waiting"' in whole and 'id="waiting"' not in part and 'id="tasks"' in part


def test_the_live_cap_check_survives_absurd_numbers(browser, hubei):
    url = f"/negotiations/{hubei.negotiation.pk}/cap-check/"
    odd = browser.as_("college_42_1").post(url, {"fee": "1", "line_question_bank": "1e999999999"})
    assert odd.status_code == 200 and "data-rule=" in odd.content.decode()


def test_the_demo_accounts_are_listed_only_on_a_demo_installation(browser, settings):
    assert settings.SHOW_DEMO_ACCOUNTS is False  # the default: no XCERT_DEMO in the environment
    page = browser.get("/login/").content.decode()
    assert "college_42_1" not in page and "demo12345" not in page


def test_a_teo_publishes_a_fee_schedule_and_an_over_cap_one_is_refused_keeping_the_form(browser, world):
    from workflows.models import Certificate, FeeSchedule

    web = browser.as_("teo_1")
    page = web.get("/schedules/").content.decode()
    assert "X-WEB-01" in page and "X-PLC-03" not in page
    web_cert = Certificate.objects.get(code="X-WEB-01")
    over = web.post("/schedules/", {"certificate": web_cert.pk, "fee": "250.00", "line_question_bank": "250.00",
                                    "services": "师资培训\n考核"})
    assert over.status_code == 400 and 'data-rule="fee_cap_2357"' in over.content.decode()
    assert 'value="250.00"' in over.content.decode()
    done = web.post("/schedules/", {"certificate": web_cert.pk, "fee": "150.00", "line_question_bank": "150.00",
                                    "paper_copy_price": "20.00", "training_plan": "3 天", "services": "师资培训\n考核"})
    assert done.status_code == 302
    published = FeeSchedule.objects.get(certificate=web_cert, state=FeeSchedule.State.PUBLISHED)
    assert published.fee == Decimal("150.00") and published.services == ["师资培训", "考核"]
    assert published.paper_copy_price == Decimal("20.00")
    other = Certificate.objects.get(code="X-PLC-03")
    not_its = web.post("/schedules/", {"certificate": other.pk, "fee": "1"})  # public, but another TEO's
    assert not_its.status_code == 403 and 'data-rule="actor_not_allowed"' in not_its.content.decode()
    assert browser.as_("college_42_1").get("/schedules/").status_code == 403


def test_the_reference_data_administrator_signs_in_to_the_admin(browser, world):
    signed_in = browser.client.post("/login/", {"username": "admin", "password": "demo12345"}, follow=True)
    assert signed_in.redirect_chain[-1][0] == "/admin/"
    assert browser.client.get("/admin/workflows/certificate/").status_code == 200
    assert "200.00" in browser.client.get("/admin/workflows/certificate/").content.decode()
