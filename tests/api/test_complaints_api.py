"""Complaints through the API: lodged by a college, a province or a student, read by each as it may; measures public."""
import pytest

from tests.workflows.complaint_walk import accept, answer, decide, teo_of
from workflows.models import Complaint, Ground, Measure

from .clients import api

pytestmark = pytest.mark.django_db
URL = "/api/v1/complaints/"
MEASURES = "/api/v1/measures/"


def body(**changes) -> dict:
    return {"teo_id": teo_of().pk, "ground": Ground.EXCESSIVE_FEES, "account": "考核费远超公示标准。",
            "evidence": ["收费票据编号 2026-0088"], **changes}


def test_a_student_lodges_and_follows_their_complaint(world):
    answer_ = api("student").post(URL, body(), format="json")
    assert answer_.status_code == 201, answer_.json()
    assert answer_.json()["state"] == "lodged" and answer_.json()["lodged_by"] == "李明"
    assert [row["id"] for row in api("student").get(URL).json()["results"]] == [answer_.json()["id"]]


@pytest.mark.parametrize("reader, count", [("student", 1), ("college_42_1", 1), ("teo_1", 2), ("teo_2", 0),
                                           ("ministry", 2), ("reviewer_42", 0), ("student_b", 0)])
def test_who_reads_the_complaints(world, reader, count):
    assert api("student").post(URL, body(), format="json").status_code == 201
    assert api("college_42_1").post(URL, body(ground=Ground.BUNDLED_SALES), format="json").status_code == 201
    answer_ = api(reader).get(URL)
    assert answer_.status_code == 200 and answer_.json()["count"] == count


def test_the_teo_reads_a_complaint_against_it_without_who_lodged_it(world):
    lodged = api("student").post(URL, body(), format="json").json()
    seen = api("teo_1").get(f"{URL}{lodged['id']}/").json()
    assert seen["lodged_by"] is None and seen["account"] == "考核费远超公示标准。"
    assert "李明" not in str(seen)
    assert api("ministry").get(f"{URL}{lodged['id']}/").json()["lodged_by"] == "李明"
    assert api("teo_2").get(f"{URL}{lodged['id']}/").status_code == 404


def test_signed_out_callers_cannot_lodge_or_read(world):
    assert api().get(URL).status_code == 401
    assert api().post(URL, body(), format="json").status_code == 401


@pytest.mark.parametrize("sent, rule, status", [
    ({"ground": "rudeness"}, "complaint_ground_unknown", 400),
    ({"evidence": []}, "complaint_evidence_required", 400),
    ({"evidence": "票据"}, "complaint_evidence_not_texts", 400),
    ({"evidence": ["x"] * 11}, "complaint_evidence_too_many", 400),
    ({"evidence": ["x" * 501]}, "complaint_evidence_too_long", 400),
    ({"account": "x" * 5001}, "complaint_account_too_long", 400),
    ({"account": None}, "complaint_account_required", 400),
    ({"teo_id": "abc"}, "teo_not_an_id", 400),
    ({"teo_id": None}, "teo_required", 400),
    ({"teo_id": 999999}, "teo_unknown", 404),
    ({"lodged_by_id": 1}, "complaint_unknown_key", 400),
    ({"state": "decided"}, "complaint_unknown_key", 400),
])
def test_bad_input_is_refused_naming_the_rule(world, sent, rule, status):
    answer_ = api("college_42_1").post(URL, {**body(), **sent}, format="json")
    assert (answer_.status_code, answer_.json()["rule"]) == (status, rule)
    assert not Complaint.objects.exists()


def test_a_role_that_does_not_complain_is_forbidden(world):
    answer_ = api("teo_2").post(URL, body(), format="json")
    assert (answer_.status_code, answer_.json()["rule"]) == (403, "actor_not_allowed")


def test_a_refusal_is_chinese_by_default_and_english_on_request(world):
    zh = api("college_42_1").post(URL, body(evidence=["x"] * 11), format="json").json()
    en = api("college_42_1").post(URL, body(evidence=["x"] * 11), format="json", HTTP_ACCEPT_LANGUAGE="en").json()
    assert "证据" in zh["message"] and "11" in zh["message"]
    assert en["message"] == "Give at most 10 items of evidence, given 11."


def test_the_measures_are_public_with_the_complaints_ground_and_no_complainant(world):
    api("student").post(URL, body(), format="json")
    complaint = Complaint.objects.get()
    accept(complaint)
    answer(complaint)
    decide(complaint, Measure.YELLOW_CARD, reasons="收费超标")
    rows = api().get(MEASURES).json()["results"]
    assert [(r["teo"], r["kind"], r["reasons"], r["complaint_ground"], r["teo_standing"]) for r in rows] == [
        (teo_of().name, "yellow_card", "收费超标", "excessive_fees", "yellow_card")]
    assert "李明" not in str(rows) and "lodged_by" not in rows[0]
    assert api().get(f"{MEASURES}{rows[0]['id']}/").status_code == 200


def test_the_schema_documents_the_complaint_body_and_the_measures(world):
    schema = api().get("/api/schema/", {"format": "json"}).json()
    post = schema["paths"][URL]["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    fields = schema["components"]["schemas"][post.rsplit("/", 1)[1]]["properties"]
    assert set(fields) == {"teo_id", "ground", "account", "evidence", "certificate_id"}
    assert MEASURES in schema["paths"]


def test_the_complaint_tasks_are_listed_read_and_completed_through_the_task_api(world):
    lodged = api("student").post(URL, body(), format="json").json()
    [task] = [t for t in api("ministry").get("/api/v1/tasks/").json()["results"]
              if t["task_name"] == "investigate_complaint"]
    assert api("ministry").get(f"/api/v1/tasks/{task['task_id']}/").json()["can_act"] is True
    assert api("teo_1").get(f"/api/v1/tasks/{task['task_id']}/").json()["can_act"] is False
    assert api("student").get(f"/api/v1/tasks/{task['task_id']}/").status_code == 404
    assert api("student").get("/api/v1/tasks/waiting/").json()["results"] == []
    done = api("ministry").post(f"/api/v1/tasks/{task['task_id']}/complete/", {"data": {"decision": "accept"}},
                                format="json")
    assert done.status_code == 200, done.json()
    assert api("student").get(f"{URL}{lodged['id']}/").json()["state"] == "investigating"
