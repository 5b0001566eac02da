"""The REST API for every role: same services, same guards, same refusals as the pages."""
import re

import pytest
import yaml
from django.contrib.auth import get_user_model
from django.core.management import call_command
from rest_framework.test import APIClient

from bpmn.models import OpenTask
from tests.workflows import attached, supervision_records
from tests.workflows.walk import open_task, user
from workflows import attachments, services, subsidies, supervision
from workflows.funding import FundingPurpose
from workflows.models import Baseline, Certificate, Payment

from .clients import api

pytestmark = pytest.mark.django_db


def _complete(username: str, task: OpenTask, data: dict | None = None):
    return api(username).post(f"/api/v1/tasks/{task.task_id}/complete/", {"data": data or {}}, format="json")


def _lead_assessed(walk) -> tuple:
    """Walk through filing and record the lead's sitting of 10 today: its release task is open."""
    walk.through_filing()
    agreement = walk.negotiation.agreements.get()
    lead = walk.negotiation.alliance.lead
    services.record_assessment(user("teo_1"), agreement, lead, 10, held_on=services.today())
    return agreement, lead, open_task(walk.negotiation, "release_payment", lead.pk)


def _certificate_id(code: str) -> int:
    return Certificate.objects.get(code=code).pk


def test_fee_schedules_are_public_and_carry_the_cap(world):
    response = api().get("/api/v1/fee-schedules/")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 4 and {"count", "next", "previous", "results"} <= set(body)
    web = next(r for r in body["results"] if r["certificate"] == "X-WEB-01")
    assert web["fee"] == "180.00" and web["cap"] == "200.00" and web["lines"]["question_bank"] == "60.00"


def test_signed_out_callers_get_a_json_refusal_naming_the_rule(world):
    response = api().get("/api/v1/tasks/")
    assert response.status_code == 401 and response.json()["rule"] == "not_authenticated"


def test_a_token_authenticates_like_a_session(world):
    token = api().post("/api/v1/auth/token/", {"username": "teo_1", "password": "demo12345"}, format="json")
    assert token.status_code == 200
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.json()['token']}")
    assert client.get("/api/v1/negotiations/").status_code == 200


def test_a_teo_opening_another_teos_negotiation_gets_not_found(jiangsu):
    url = f"/api/v1/negotiations/{jiangsu.negotiation.pk}/"
    assert api("teo_2").get(url).status_code == 200
    refused = api("teo_1").get(url)
    assert refused.status_code == 404 and refused.json()["rule"] == "not_found"
    assert api("teo_1").get("/api/v1/negotiations/").json()["count"] == 0


def test_a_reviewer_of_another_province_can_neither_verify_nor_supersede(hubei):
    hubei.form()
    hubei.agree()
    verify = open_task(hubei.negotiation, "verify_baseline")
    refused = _complete("reviewer_32", verify, {"decision": "verify"})
    assert refused.status_code == 404 and refused.json()["rule"] == "task_not_found"
    hubei.verify()
    baseline = Baseline.objects.get(negotiation=hubei.negotiation)
    assert api("reviewer_32").post(f"/api/v1/baselines/{baseline.pk}/supersede/", {"reasons": "x"},
                                   format="json").status_code == 404
    assert Baseline.objects.get(pk=baseline.pk).state == Baseline.State.VERIFIED


def test_a_missing_role_is_forbidden_with_the_rule(hubei):
    hubei.form()
    screen = open_task(hubei.negotiation, "screen_services")
    refused = _complete("ministry", screen, {"training_content": "x"})
    assert refused.status_code == 403 and refused.json()["rule"] == "actor_not_allowed"
    created = api("teo_1").post("/api/v1/alliances/", {"certificate_id": _certificate_id("X-WEB-01")}, format="json")
    assert created.status_code == 403 and created.json()["rule"] == "actor_not_allowed"


def test_a_payment_released_twice_is_a_conflict_and_a_college_may_not_release_it(hubei):
    agreement, lead, release = _lead_assessed(hubei)
    funding = {"funding": [{"source": "own", "amount": "1800.00"}]}
    assert _complete("college_42_1", release, funding).status_code == 403
    assert _complete("finance_42_1", release, funding).status_code == 200
    twice = _complete("finance_42_1", release, funding)
    assert twice.status_code == 409 and twice.json()["rule"] == "task_not_ready"
    assert Payment.objects.get(agreement=agreement, college=lead).allocations.count() == 1


def test_a_forbidden_use_of_special_funds_is_refused_with_the_rule_and_nothing_saved(hubei):
    agreement, lead, release = _lead_assessed(hubei)
    refused = _complete("finance_42_1", release, {"funding": [
        {"source": "special", "amount": "1800.00", "purpose": "management_fee"}]})
    assert refused.status_code == 400 and refused.json()["rule"] == "special_fund_forbidden_use"
    assert Payment.objects.get(agreement=agreement, college=lead).allocations.count() == 0


def test_the_funding_purposes_are_listed_with_the_sources_that_may_pay_each(world):
    for who in (None, "finance_42_1", "teo_1"):  # reference data: public, like the fee schedules
        body = api(who).get("/api/v1/funding-purposes/").json()
        assert {"count", "next", "previous", "results"} <= set(body)
    rows = {row["code"]: row for row in body["results"]}
    assert list(rows) == FundingPurpose.values and body["count"] == 9
    assert rows["management_fee"] == {"code": "management_fee", "label": "管理经费",
                                      "label_zh": "管理经费", "label_en": "Management fee",
                                      "sources": ["fiscal", "social", "own"], "special_funds_forbidden": True}
    assert rows["equipment_purchase"]["sources"] == ["fiscal", "social", "own", "special"]
    english = api().get("/api/v1/funding-purposes/", HTTP_ACCEPT_LANGUAGE="en").json()["results"]
    assert {row["code"]: row["label"] for row in english}["management_fee"] == "Management fee"


def test_the_schema_gives_funding_sources_and_purposes_as_enums(world, tmp_path):
    schema_file = tmp_path / "schema.yaml"
    call_command("spectacular", "--fail-on-warn", "--file", str(schema_file))
    components = yaml.safe_load(schema_file.read_text())["components"]["schemas"]
    assert components["FundingPurposeEnum"]["enum"] == FundingPurpose.values
    assert components["FundingSourceEnum"]["enum"] == ["fiscal", "social", "own", "special"]
    allocation = components["Allocation"]["properties"]
    assert "FundingPurposeEnum" in str(allocation["purpose"]) and "FundingSourceEnum" in str(allocation["source"])


@pytest.mark.parametrize("purpose, rule", [("管理费", "special_fund_forbidden_use"),
                                           ("偿还债务", "special_fund_forbidden_use"),
                                           ("办公用品", "funding_purpose_unknown")])
def test_a_purpose_in_words_is_refused_with_the_rule_and_nothing_saved(hubei, purpose, rule):
    agreement, lead, release = _lead_assessed(hubei)
    refused = _complete("finance_42_1", release, {"funding": [
        {"source": "special", "amount": "1800.00", "purpose": purpose}]})
    assert refused.status_code == 400 and refused.json()["rule"] == rule
    assert Payment.objects.get(agreement=agreement, college=lead).allocations.count() == 0


def test_an_agreement_reads_with_its_number_term_training_content_and_signatories(hubei):
    hubei.form()
    hubei.agree()
    hubei.verify()
    hubei.do("sign_alliance")
    agreement = hubei.negotiation.agreements.get()
    body = api("teo_1").get(f"/api/v1/agreements/{agreement.pk}/").json()
    assert body["number"] == agreement.number and body["number"].startswith("鄂-X-WEB-01-")
    assert body["year"] == agreement.year and body["valid_until"] == f"{agreement.year}-12-31"
    assert body["province"] == "湖北省" and body["certificate"] == "X-WEB-01"
    assert body["training_content"] == "师资培训 5 天" and body["concluded_at"] is None
    alliance, teo = body["signatures"]
    assert (alliance["party"], alliance["name"]) == ("alliance", "王芳")
    assert alliance["organization"] == "武汉职业技术学院"
    assert alliance["at"] is not None and (teo["name"], teo["at"]) == (None, None)
    assert teo["organization"] == "工业互联网培训评价有限公司"
    hubei.do("sign_teo")
    signed = api("teo_1").get(f"/api/v1/agreements/{agreement.pk}/").json()
    assert signed["concluded_at"] == signed["signatures"][1]["at"] and signed["signatures"][1]["name"] == "杨帆"


def test_the_cap_check_refuses_over_the_cap_and_saves_nothing(hubei):
    url = f"/api/v1/negotiations/{hubei.negotiation.pk}/cap-check/"
    over = api("college_42_1").post(url, {"fee": "200.01", "lines": {"question_bank": "200.01"}}, format="json")
    assert over.status_code == 400 and over.json()["rule"] == "fee_cap_2357" and over.json()["cap"] == "200.00"
    ok = api("college_42_1").post(url, {"fee": "200.00", "lines": {"question_bank": "200.00"}}, format="json")
    assert ok.json() == {"ok": True, "cap": "200.00"}
    assert api("teo_2").post(url, {"fee": "1"}, format="json").status_code == 404


def test_tasks_are_listed_filtered_claimed_and_unclaimed(hubei):
    hubei.form()
    mine = api("college_42_1").get("/api/v1/tasks/?process=fee_negotiation").json()
    assert [t["task_name"] for t in mine["results"]] == ["screen_services"]
    task_id = mine["results"][0]["task_id"]
    claimed = api("college_42_1").post(f"/api/v1/tasks/{task_id}/claim/")
    assert claimed.status_code == 200 and claimed.json()["claimed_by"] == "college_42_1"
    assert api("college_42_1").post(f"/api/v1/tasks/{task_id}/unclaim/").json()["claimed_by"] is None
    assert api("teo_1").post(f"/api/v1/tasks/{task_id}/claim/").status_code == 403
    assert api("teo_2").get(f"/api/v1/tasks/{task_id}/").status_code == 404


def test_malformed_bodies_are_refused_as_json(hubei):
    refused = api("college_42_1").post("/api/v1/alliances/", "{not json", content_type="application/json")
    assert refused.status_code == 400 and refused.json()["rule"] == "malformed_request"
    invalid = api("college_42_1").post("/api/v1/alliances/", {"certificate_id": "abc"}, format="json")
    assert invalid.status_code == 400 and invalid.json()["rule"] == "certificate_not_an_id"
    assert api("college_42_1").get("/api/v1/tasks/not-a-uuid/").status_code == 404


def test_process_instances_show_state_and_audit_trail(hubei):
    hubei.form()
    instance = api("college_42_1").get(f"/api/v1/process-instances/{hubei.instance.pk}/").json()
    assert instance["process_id"] == "certificate_lifecycle"
    assert [e["action"] for e in instance["audit"]][:2] == ["started", "completed"]
    assert api("college_42_1").get(f"/api/v1/process-instances/{hubei.instance.pk}/state/").status_code == 403
    technician = APIClient()
    technician.force_authenticate(get_user_model().objects.create_superuser("technician"))
    state = technician.get(f"/api/v1/process-instances/{hubei.instance.pk}/state/").json()
    assert "subprocesses" in state["state"] or "tasks" in state["state"]
    assert api("teo_2").get(f"/api/v1/process-instances/{hubei.instance.pk}/").status_code == 404


def test_the_openapi_schema_is_valid_and_every_get_endpoint_in_it_answers(hubei, tmp_path):
    hubei.through_filing()
    sitting = services.record_assessment(user("teo_1"), hubei.negotiation.agreements.get(),
                                         hubei.negotiation.alliance.lead, 5, held_on=services.today())
    # A neighbour's payment released, for a voucher to download; the lead's release stays open for tasks/.
    neighbour = hubei.invitees[0]
    services.record_assessment(user("teo_1"), hubei.negotiation.agreements.get(), neighbour, 2,
                               held_on=services.today())
    services.complete(open_task(hubei.negotiation, "release_payment", neighbour.pk).task_id, user("finance_42_2"),
                      {"funding": [{"source": "own", "amount": "360.00"}]})
    [mine] = services.issue_certificates(user("teo_1"), sitting, ["李明,2023010001"])
    services.order_paper_certificate(user("student"), mine, "李明", "13800000000", "湖北省武汉市江夏区")
    services.file_participation(user("college_42_1"), hubei.certificate, services.today().year, 30)
    subsidies.open_subsidy_round(user("finance_div_42"), services.today().year, "鄂财教〔2026〕18号", "90000",
                                 {"filed_students": 100})
    services.lodge_complaint(user("student"), hubei.certificate.teo, "excessive_fees", "考核费远超公示标准。", ["票据"])
    supervision.decide_measure(user("ministry"), hubei.certificate.teo, "talk", "约谈负责人")
    supervision_records.plan_and_train()
    supervision_records.delist()
    supervision_records.hand_over()
    attachments.attach(user("teo_1"), "agreement", hubei.negotiation.agreements.get(), attached.upload())
    schema_file = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(schema_file))
    schema = yaml.safe_load(schema_file.read_text())
    answered = []
    for path, operations in schema["paths"].items():
        if "get" not in operations:
            continue
        # The finance officer has the open payment task, the student their certificate; the
        # ministry sees every other object.
        client = api("ministry")
        if path.startswith("/api/v1/tasks/"):
            client = api("finance_42_1")
        elif path.startswith("/api/v1/certificates/"):
            client = api("student")
        url = path
        if path.startswith("/api/v1/verify/"):  # public, by the serial printed on the certificate
            url = path.replace("{serial_no}", mine.serial_no)
        elif "{" in path:
            # A payment's voucher is a released payment's: fill its id from the list filtered so.
            released = "?state=released" if path == "/api/v1/payments/{id}/pdf/" else ""
            listed = client.get(path.split("{")[0] + released).json()["results"]
            assert listed, f"nothing listed under {path.split('{')[0]} to fill {path}"
            url = re.sub(r"{[^}]+}", str(listed[0]["task_id" if "{task_id}" in path else "id"]), path)
        if path.endswith("/state/"):  # the raw engine state: the technical staff's only
            client = APIClient()
            client.force_authenticate(get_user_model().objects.create_superuser("technician"))
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        answered.append(path)
    assert len(answered) >= 20
    assert api().get("/api/schema/").status_code == 200 and api().get("/api/schema/ui/").status_code == 200


@pytest.mark.parametrize("name, data, rule", [
    ("invite_members", {"college_ids": 5}, "college_ids_not_a_list"),
    ("screen_services", {"training_content": "x", "services": 5}, "services_not_a_list"),
    ("screen_services", {"training_content": ["x"]}, "training_content_not_text"),
    ("screen_services", {"training_content": "x", "services": ["太空旅行"]}, "services_not_published"),
    ("screen_services", {"training_content": "x", "services": []}, "services_required"),
])
def test_task_data_of_the_wrong_shape_is_refused_with_the_rule(hubei, name, data, rule):
    if name == "screen_services":
        hubei.form()
    refused = _complete("college_42_1", open_task(hubei.negotiation, name), data)
    assert refused.status_code == 400 and refused.json()["rule"] == rule


def test_offer_and_funding_of_the_wrong_shape_are_refused_with_the_rule(hubei):
    hubei.form()
    hubei.do("screen_services", {"training_content": "x"})
    lines_as_list = _complete("college_42_1", open_task(hubei.negotiation, "alliance_responds"),
                              {"decision": "counter", "fee": "100.00", "lines": ["100.00"]})
    assert lines_as_list.status_code == 400 and lines_as_list.json()["rule"] == "cost_lines_malformed"
    hubei.do("alliance_responds", {"decision": "accept"})
    hubei.verify()
    hubei.do("sign_alliance")
    hubei.do("sign_teo")
    hubei.do("acknowledge_filing", {"flagged": False})
    lead = hubei.negotiation.alliance.lead
    services.record_assessment(user("teo_1"), hubei.negotiation.agreements.get(), lead, 1, held_on=services.today())
    refused = _complete("finance_42_1", open_task(hubei.negotiation, "release_payment", lead.pk), {"funding": ["own"]})
    assert refused.status_code == 400 and refused.json()["rule"] == "funding_malformed"


def test_a_teo_publishes_a_schedule_over_the_api_and_nobody_else_may(world):
    body = {"certificate_id": _certificate_id("X-WEB-01"), "fee": "150.00", "lines": {"question_bank": "150.00"},
            "services": ["考核"], "paper_copy_price": "30.00"}
    assert api().post("/api/v1/fee-schedules/", body, format="json").status_code == 401
    other_teo = api("teo_2").post("/api/v1/fee-schedules/", body, format="json")
    assert other_teo.status_code == 403 and other_teo.json()["rule"] == "actor_not_allowed"
    over = api("teo_1").post("/api/v1/fee-schedules/", {**body, "fee": "201.00", "lines": {"question_bank": "201.00"}},
                             format="json")
    assert over.status_code == 400 and over.json()["rule"] == "fee_cap_2357"
    published = api("teo_1").post("/api/v1/fee-schedules/", body, format="json")
    assert published.status_code == 201 and published.json()["fee"] == "150.00"
    assert published.json()["paper_copy_price"] == "30.00"
    listed = [r for r in api().get("/api/v1/fee-schedules/").json()["results"] if r["certificate"] == "X-WEB-01"]
    assert [r["fee"] for r in listed] == ["150.00"]


def test_a_student_orders_a_paper_copy_of_their_own_certificate_only(hubei):
    hubei.through_filing()
    lead = hubei.negotiation.alliance.lead
    sitting = services.record_assessment(user("teo_1"), hubei.negotiation.agreements.get(), lead, 2,
                                         held_on=services.today())
    mine, other = services.issue_certificates(user("teo_1"), sitting, ["李明,2023010001", "王五,2023010099"])
    listed = api("student").get("/api/v1/certificates/").json()["results"]
    assert [c["serial_no"] for c in listed] == [mine.serial_no]
    address = {"recipient": "李明", "phone": "13800000000", "address": "武汉市江夏区"}
    assert api("student").post(f"/api/v1/certificates/{other.pk}/paper-orders/", address,
                               format="json").status_code == 404
    ordered = api("student").post(f"/api/v1/certificates/{mine.pk}/paper-orders/", address, format="json")
    assert ordered.status_code == 201 and ordered.json()["price"] == "25.00"
    assert api("teo_1").get("/api/v1/certificates/").json()["count"] == 0
