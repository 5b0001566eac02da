"""Supervision records through the API: plans and sessions by the TEO, teachers sent by colleges, hand-overs."""
import pytest

from tests.workflows import supervision_records as records
from workflows import services
from workflows.models import Certificate

from .clients import api

pytestmark = pytest.mark.django_db


def plan(month=9, code="42") -> dict:
    return {"province_id": records.province(code).pk, "year": services.today().year, "month": month, "sittings": 2,
            "headcount": 90}


def test_a_teo_submits_a_plan_and_the_province_reads_the_plans_for_its_colleges(world):
    answer = api("teo_1").post("/api/v1/assessment-plans/", plan(), format="json")
    assert answer.status_code == 201, answer.json()
    assert (answer.json()["province"], answer.json()["month"], answer.json()["headcount"]) == ("湖北省", 9, 90)
    api("teo_1").post("/api/v1/assessment-plans/", plan(10, "32"), format="json")
    assert api("reviewer_42").get("/api/v1/assessment-plans/").json()["count"] == 1
    assert api("ministry").get("/api/v1/assessment-plans/").json()["count"] == 2
    assert api("teo_2").get("/api/v1/assessment-plans/").json()["count"] == 0


def test_a_refused_plan_answers_the_rule_with_its_numbers_in_the_requests_language(world):
    answer = api("teo_1").post("/api/v1/assessment-plans/", plan(13), format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert answer.status_code == 400
    assert answer.json()["rule"] == "plan_month_september_to_december"
    assert answer.json()["params"] == {"first": "9", "last": "12", "given": "13"}
    assert "September to December" in answer.json()["message"]


def test_a_session_recorded_by_the_teo_is_one_a_college_of_the_province_sends_teachers_to(world):
    today = services.today().isoformat()
    session = api("teo_1").post("/api/v1/training-sessions/", {
        "province_id": records.province("42").pk, "starts_on": today, "teachers_trained": 25}, format="json")
    assert session.status_code == 201, session.json()
    assert session.json()["ends_on"] == today
    sent = api("college_42_1").post("/api/v1/teachers-sent/", {"session_id": session.json()["id"], "teachers": 4},
                                    format="json")
    assert sent.status_code == 201 and sent.json()["teo"] == records.teo_of("teo_1").name
    assert api("teo_1").get("/api/v1/teachers-sent/").json()["count"] == 1
    assert api("college_32_1").get(f"/api/v1/training-sessions/{session.json()['id']}/").status_code == 404


def test_the_ministry_hands_over_a_delisted_teos_certificate_and_everyone_reads_it(world):
    records.delist("teo_2")
    plc = Certificate.objects.get(code="X-PLC-03")
    answer = api("ministry").post("/api/v1/replacements/", {
        "certificate_id": plc.pk, "successor_teo_id": records.teo_of("teo_1").pk, "code": "X-PLC-03B"},
        format="json")
    assert answer.status_code == 201, answer.json()
    assert (answer.json()["withdrawn"], answer.json()["successor"]) == ("X-PLC-03", "X-PLC-03B")
    assert api("college_42_1").get("/api/v1/replacements/").json()["count"] == 1
