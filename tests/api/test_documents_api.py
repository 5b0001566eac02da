"""The documents as PDF under /api/v1/: the pages' files, guards and filters; refusals as JSON."""
import pytest
from drf_spectacular.generators import SchemaGenerator

from tests.api.clients import api
from tests.documents.pdf_text import flat, is_pdf, text_of
from tests.workflows.walk import user
from workflows import services
from workflows.models import Filing, Payment

pytestmark = pytest.mark.django_db


def test_the_agreement_pdf_is_the_pages_in_the_requests_language(hubei_filed):
    agreement = hubei_filed.negotiation.agreements.get()
    response = api("teo_1").get(f"/api/v1/agreements/{agreement.pk}/pdf/", HTTP_ACCEPT="application/pdf")
    assert response.status_code == 200 and is_pdf(response)
    text = text_of(response.content)
    assert agreement.number in text and "甲方（院校联盟）" in text and Filing.objects.get().filing_no in text
    english = text_of(api("teo_1").get(f"/api/v1/agreements/{agreement.pk}/pdf/", HTTP_ACCEPT_LANGUAGE="en").content)
    assert flat("Party A (alliance)") in english and "甲方" not in english


def test_another_organizations_agreement_is_a_json_404_whatever_the_client_accepts(hubei_filed):
    agreement = hubei_filed.negotiation.agreements.get()
    refused = api("teo_2").get(f"/api/v1/agreements/{agreement.pk}/pdf/", HTTP_ACCEPT="application/pdf")
    assert refused.status_code == 404 and refused["Content-Type"] == "application/json"
    assert refused.json()["rule"] == "not_found"


def test_the_register_takes_the_lists_filters_and_its_readers_role(hubei_filed):
    filing = Filing.objects.get()
    assert filing.filing_no in text_of(api("reviewer_42").get("/api/v1/filings/pdf/?state=acknowledged").content)
    assert filing.filing_no not in text_of(api("reviewer_42").get("/api/v1/filings/pdf/?state=submitted").content)
    invalid = api("reviewer_42").get("/api/v1/filings/pdf/?state=approved")
    assert invalid.status_code == 400 and invalid.json()["rule"] == "invalid_input" and "state" in invalid.json()[
        "fields"]
    for username in ("teo_1", "finance_div_42", "college_42_1"):
        refused = api(username).get("/api/v1/filings/pdf/")
        assert refused.status_code == 403 and refused.json()["rule"] == "role_required", username


def test_a_released_payments_voucher_for_its_college_and_the_ministry_only(released):
    url = f"/api/v1/payments/{released.pk}/pdf/"
    for username in ("finance_42_1", "college_42_1", "ministry"):
        response = api(username).get(url)
        assert response.status_code == 200 and is_pdf(response), username
    assert "¥1,800.00" in text_of(response.content)
    assert api("finance_42_2").get(url).json()["rule"] == "not_found"   # another college's: not theirs to see
    teo = api("teo_1").get(url)  # the payee sees the payment, yet the payments page is not its role's
    assert teo.status_code == 403 and teo.json()["rule"] == "role_required"


def test_a_payment_not_released_is_refused_a_voucher_with_the_rule(hubei_filed):
    agreement = hubei_filed.negotiation.agreements.get()
    lead = hubei_filed.negotiation.alliance.lead
    services.record_assessment(user("teo_1"), agreement, lead, 10, held_on=services.today())
    due = Payment.objects.get(agreement=agreement, college=lead)
    refused = api("finance_42_1").get(f"/api/v1/payments/{due.pk}/pdf/", HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 409 and refused.json()["rule"] == "voucher_after_release"
    assert refused.json()["message"] == "A payment voucher is issued once the payment is released (now: Due)."


@pytest.mark.parametrize("path", ["/api/v1/agreements/{id}/pdf/", "/api/v1/filings/pdf/", "/api/v1/payments/{id}/pdf/"])
def test_the_schema_says_each_document_answers_a_pdf_and_its_refusals_json(path):
    operation = SchemaGenerator().get_schema(request=None, public=True)["paths"][path]["get"]
    assert operation["responses"]["200"]["content"] == {
        "application/pdf": {"schema": {"type": "string", "format": "binary"}}}
    assert "Refusal" in str(operation["responses"]["401"]["content"]["application/json"])
    if path == "/api/v1/filings/pdf/":
        assert {"province", "certificate", "teo", "state", "q"} <= {p["name"] for p in operation["parameters"]}
