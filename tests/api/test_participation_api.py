"""Participation filings through the API: filed by a college's staff, read by its province and the ministry."""
import pytest

from tests.workflows.walk import college
from workflows import services
from workflows.models import Certificate

from .clients import api

pytestmark = pytest.mark.django_db
URL = "/api/v1/participation-filings/"


def body(planned=120, code="X-WEB-01", year=None) -> dict:
    return {"certificate_id": Certificate.objects.get(code=code).pk, "year": year or services.today().year,
            "planned_students": planned}


def test_a_college_files_and_reads_its_own_filing(world):
    answer = api("college_42_1").post(URL, body(), format="json")
    assert answer.status_code == 201, answer.json()
    assert answer.json()["college"] == college("college_42_1").name and answer.json()["planned_students"] == 120
    assert "state" not in answer.json()  # nothing to approve
    listed = api("college_42_1").get(URL).json()["results"]
    assert [row["id"] for row in listed] == [answer.json()["id"]]


@pytest.mark.parametrize("reader, count", [("college_42_1", 1), ("college_42_2", 1), ("finance_42_2", 1),
                                           ("reviewer_42", 2), ("reviewer_32", 1), ("ministry", 3),
                                           ("teo_1", 0), ("institution_42", 0), (None, None)])
def test_who_reads_the_filings(world, reader, count):
    for name in ("college_42_1", "college_42_2", "college_32_1"):
        assert api(name).post(URL, body(), format="json").status_code == 201
    answer = api(reader).get(URL)
    if count is None:
        assert answer.status_code in (401, 403)
        return
    assert answer.status_code == 200 and answer.json()["count"] == count


def test_another_provinces_filing_is_not_found(world):
    filed = api("college_32_1").post(URL, body(), format="json").json()
    assert api("reviewer_42").get(f"{URL}{filed['id']}/").status_code == 404
    assert api("reviewer_32").get(f"{URL}{filed['id']}/").status_code == 200


def test_the_totals_sum_planned_students_per_province_and_certificate(world):
    api("college_42_1").post(URL, body(100), format="json")
    api("college_42_2").post(URL, body(50), format="json")
    api("college_32_1").post(URL, body(70), format="json")
    rows = api("ministry").get(f"{URL}totals/").json()
    assert [(r["province"], r["certificate"], r["colleges"], r["planned"], r["assessed"]) for r in rows] == [
        ("江苏省", "X-WEB-01", 1, 70, 0), ("湖北省", "X-WEB-01", 2, 150, 0)]
    assert [r["planned"] for r in api("reviewer_42").get(f"{URL}totals/").json()] == [150]


def test_the_schema_of_the_totals_is_the_list_they_answer_not_a_page():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    answer = schema["paths"][f"{URL}totals/"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert answer == {"type": "array", "items": {"$ref": "#/components/schemas/ParticipationTotals"}}


@pytest.mark.parametrize("sent, rule, status", [
    ({"planned_students": 0}, "planned_students_out_of_range", 400),
    ({"planned_students": "many"}, "planned_students_out_of_range", 400),
    ({"planned_students": 100_001}, "planned_students_out_of_range", 400),
    ({"planned_students": None}, "planned_students_required", 400),
    ({"year": 2018}, "participation_year_out_of_range", 400),
    ({"certificate_id": "abc"}, "certificate_not_an_id", 400),
    ({"certificate_id": 999999}, "certificate_unknown", 404),
])
def test_bad_numbers_are_refused_naming_the_rule(world, sent, rule, status):
    answer = api("college_42_1").post(URL, {**body(), **sent}, format="json")
    assert (answer.status_code, answer.json()["rule"]) == (status, rule)


def test_a_second_filing_is_refused_in_chinese_or_english_on_request(world):
    api("college_42_1").post(URL, body(), format="json")
    again = api("college_42_1").post(URL, body(80), format="json")
    assert (again.status_code, again.json()["rule"]) == (409, "participation_already_filed")
    assert "已" in again.json()["message"]
    english = api("college_42_1").post(URL, body(80), format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert "filed its participation in X-WEB-01" in english.json()["message"]


@pytest.mark.parametrize("name", ["reviewer_42", "ministry", "teo_1", "finance_42_1", "institution_42"])
def test_only_a_colleges_staff_files(world, name):
    answer = api(name).post(URL, body(), format="json")
    assert (answer.status_code, answer.json()["rule"]) == (403, "actor_not_allowed")


def test_a_threshold_setting_refuses_the_filing(world, settings):
    settings.PARTICIPATION_MIN_STUDENTS = 30
    answer = api("college_42_1").post(URL, body(100), format="json")
    assert answer.json()["rule"] == "participation_no_threshold" and "备案不是审批" in answer.json()["message"]
