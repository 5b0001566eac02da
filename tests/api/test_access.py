"""Who sees and does what through the API: the owner, a lesser role, an outsider, for every endpoint."""
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.utils import timezone

from tests.workflows.walk import Walk, college, user
from workflows import services
from workflows.models import Agreement, Baseline, Certificate, Person, Role

from .clients import api, inbox_task, listed

pytestmark = pytest.mark.django_db

LISTS = ["/api/v1/alliances/", "/api/v1/negotiations/", "/api/v1/baselines/", "/api/v1/agreements/",
         "/api/v1/filings/", "/api/v1/payments/", "/api/v1/sittings/", "/api/v1/process-instances/"]
INSIDERS = ["college_42_1", "finance_42_1", "teo_1", "reviewer_42", "ministry"]
OUTSIDERS = ["teo_2", "reviewer_32", "college_32_1", "finance_32_1", "student"]


@pytest.fixture
def filed(world) -> Walk:
    """A Hubei lifecycle filed, the lead college assessed: its payment is due."""
    walk = Walk("X-WEB-01", lead="college_42_1", invite=("college_42_2", "college_42_3"))
    walk.through_filing()
    services.record_assessment(user("teo_1"), walk.negotiation.agreements.get(), college("college_42_1"), 10,
                               held_on=services.today())
    return walk


def _first_id(path: str) -> int:
    return listed("ministry", path)[0]["id"]


@pytest.mark.parametrize("path", LISTS)
def test_every_list_and_detail_answers_for_the_roles_concerned(filed, path):
    for username in INSIDERS:
        results = listed(username, path)
        assert results, f"{username} sees nothing under {path}"
        assert api(username).get(f"{path}{results[0]['id']}/").status_code == 200, username


@pytest.mark.parametrize("path", LISTS)
def test_another_organization_sees_an_empty_list_and_gets_404_json_on_details(filed, path):
    detail = f"{path}{_first_id(path)}/"
    for username in OUTSIDERS:
        assert listed(username, path) == [], username
        refused = api(username).get(detail)
        assert refused.status_code == 404 and refused.json()["rule"] == "not_found", username


@pytest.mark.parametrize("path", [*LISTS, "/api/v1/tasks/", "/api/v1/tasks/waiting/"])
def test_signed_out_callers_are_refused_with_json_on_every_endpoint(world, path):
    refused = api().get(path)
    assert refused.status_code == 401 and refused.json()["rule"] == "not_authenticated"


def test_a_member_college_does_not_see_another_members_payment(filed):
    payment = next(p for p in listed("finance_42_1", "/api/v1/payments/") if p["state"] == "due")
    assert api("finance_42_2").get(f"/api/v1/payments/{payment['id']}/").status_code == 404
    assert {p["college_id"] for p in listed("finance_42_2", "/api/v1/payments/")} == {college("college_42_2").pk}


def test_only_the_certificates_teo_records_assessments_and_issues_certificates(filed):
    agreement = filed.negotiation.agreements.get()
    url = f"/api/v1/agreements/{agreement.pk}/assessments/"
    held_on = services.today().isoformat()
    body = {"college_id": college("college_42_2").pk, "headcount": 12, "held_on": held_on}
    assert api("college_42_1").post(url, body, format="json").status_code == 403
    assert api("teo_2").post(url, body, format="json").status_code == 404
    sitting = api("teo_1").post(url, body, format="json")
    assert sitting.status_code == 201 and sitting.json()["held_on"] == held_on
    issue = f"/api/v1/sittings/{sitting.json()['id']}/certificates/"
    assert api("college_42_2").post(issue, {"holders": ["李四,S4"]}, format="json").status_code == 403
    assert api("teo_2").post(issue, {"holders": ["李四,S4"]}, format="json").status_code == 404
    empty = api("teo_1").post(issue, {"holders": []}, format="json")
    assert empty.status_code == 400 and empty.json()["rule"] == "holders_required"
    issued = api("teo_1").post(issue, {"holders": ["李四,S4", "王五,2023010099"]}, format="json")
    assert issued.status_code == 201 and len({c["serial_no"] for c in issued.json()}) == 2


def test_an_assessment_for_an_unknown_college_is_refused_with_the_rule(filed):
    agreement = filed.negotiation.agreements.get()
    refused = api("teo_1").post(f"/api/v1/agreements/{agreement.pk}/assessments/",
                                {"college_id": 999999, "headcount": 1, "held_on": services.today().isoformat()},
                                format="json")
    assert refused.status_code == 404 and refused.json()["rule"] == "college_not_member"


def test_the_provinces_reviewer_supersedes_a_baseline_and_the_agreement_reopens(filed):
    baseline = Baseline.objects.get(negotiation=filed.negotiation)
    agreement = filed.negotiation.agreements.get()
    url = f"/api/v1/baselines/{baseline.pk}/supersede/"
    lesser = api("college_42_1").post(url, {"reasons": "成本下降"}, format="json")
    assert lesser.status_code == 403 and lesser.json()["rule"]
    assert api("reviewer_32").post(url, {"reasons": "成本下降"}, format="json").status_code == 404
    blank = api("reviewer_42").post(url, {"reasons": " "}, format="json")
    assert blank.status_code == 400 and blank.json()["rule"] == "reasons_required"
    done = api("reviewer_42").post(url, {"reasons": "成本下降"}, format="json")
    assert done.status_code == 200 and done.json() == {"reopened_agreements": [agreement.pk]}
    assert Agreement.objects.get(pk=agreement.pk).state == Agreement.State.REOPENED
    assert api("reviewer_42").get(f"/api/v1/baselines/{baseline.pk}/").json()["state"] == "superseded"


def test_alliance_creation_refuses_an_unknown_certificate_by_rule(world):
    refused = api("college_42_1").post("/api/v1/alliances/", {"certificate_id": 999999}, format="json")
    assert refused.status_code == 404 and refused.json()["rule"] == "certificate_unknown"


def test_a_task_is_shown_to_who_sees_its_lifecycle_and_payment_and_acted_on_by_its_lane_only(filed):
    task = inbox_task("finance_42_1", "release_payment", filed.negotiation.pk)
    url = f"/api/v1/tasks/{task['task_id']}/"
    shown = api("finance_42_1").get(url)
    assert shown.status_code == 200 and shown.json()["task_name"] == "release_payment"
    assert shown.json()["instance"] == filed.instance.pk and shown.json()["overdue"] is False
    assert shown.json()["can_act"] is True
    for onlooker in ("college_42_1", "teo_1", "ministry"):  # as on the portal's task page: read, not act
        read = api(onlooker).get(url)
        assert read.status_code == 200 and read.json()["can_act"] is False, onlooker
        refused = api(onlooker).post(f"{url}claim/")
        assert refused.status_code == 403 and refused.json()["rule"] == "actor_not_allowed", onlooker
    for outsider in ("finance_42_2", "teo_2"):  # another college's payment; another TEO's lifecycle
        refused = api(outsider).get(url)
        assert refused.status_code == 404 and refused.json()["rule"] == "task_not_found", outsider


def _colleague_of(username: str):
    """A second officer in the same office and role: the group a task is claimed from."""
    person = Person.objects.get(user__username=username)
    colleague = get_user_model().objects.create_user(f"{username}_b", password="demo12345")
    Person.objects.create(user=colleague, organization=person.organization, role=person.role)
    return colleague


def test_a_claim_moves_the_task_between_the_inbox_filters(filed):
    _colleague_of("finance_42_1")
    task_id = inbox_task("finance_42_1", "release_payment", filed.negotiation.pk)["task_id"]
    assert [t["task_id"] for t in listed("finance_42_1_b", "/api/v1/tasks/", status="claimable")] == [task_id]
    assert api("finance_42_1").post(f"/api/v1/tasks/{task_id}/claim/").status_code == 200
    assert [t["task_id"] for t in listed("finance_42_1", "/api/v1/tasks/", status="mine")] == [task_id]
    assert listed("finance_42_1_b", "/api/v1/tasks/") == []
    assert [t["claimed_by"] for t in listed("finance_42_1_b", "/api/v1/tasks/", status="claimed_by_others")] == [
        "finance_42_1"]
    taken = api("finance_42_1_b").post(f"/api/v1/tasks/{task_id}/claim/")
    assert taken.status_code == 409 and taken.json()["rule"] == "task_claimed_by_other"
    assert api("finance_42_1_b").post(f"/api/v1/tasks/{task_id}/unclaim/").status_code == 409


def test_the_process_filter_keeps_only_that_process(filed):
    task = inbox_task("finance_42_1", "release_payment", filed.negotiation.pk)
    assert listed("finance_42_1", "/api/v1/tasks/", process="no_such_process") == []
    assert listed("finance_42_1", "/api/v1/tasks/", process=task["process_id"]) == [task]


def test_overdue_lists_tasks_past_their_due_date(world):
    walk = Walk()
    walk.do("invite_members", {"college_ids": [c.pk for c in walk.invitees]})
    task = inbox_task("college_42_2", "respond_invitation", walk.negotiation.pk)
    assert task["due_at"] and listed("college_42_2", "/api/v1/tasks/", status="overdue") == []
    with time_machine.travel(timezone.now() + timedelta(days=30), tick=False):
        late = listed("college_42_2", "/api/v1/tasks/", status="overdue")
    assert [t["task_id"] for t in late] == [task["task_id"]] and late[0]["overdue"] is True


def test_waiting_lists_what_others_hold_in_my_lifecycles(filed):
    waiting = listed("college_42_1", "/api/v1/tasks/waiting/")
    assert [t["task_name"] for t in waiting] == ["release_payment"]
    assert waiting[0]["negotiation_id"] == filed.negotiation.pk
    assert listed("teo_2", "/api/v1/tasks/waiting/") == []


def test_a_bad_token_is_refused_and_a_wrong_password_gets_no_token(world):
    client = api()
    client.credentials(HTTP_AUTHORIZATION="Token 0000000000000000000000000000000000000000")
    refused = client.get("/api/v1/negotiations/")
    assert refused.status_code == 401 and refused.json()["rule"] == "authentication_failed"
    assert refused["WWW-Authenticate"] == "Token"
    wrong = api().post("/api/v1/auth/token/", {"username": "teo_1", "password": "nope"}, format="json")
    assert wrong.status_code == 400 and wrong.json()["rule"] == "sign_in_failed" and "token" not in wrong.json()


def test_a_session_sign_in_reaches_the_api_too(world):
    client = api()
    assert client.login(username="reviewer_42", password="demo12345")
    assert client.get("/api/v1/negotiations/").status_code == 200


def test_a_student_has_no_tasks_and_no_role_to_form_an_alliance(world):
    assert Person.objects.get(user__username="student").role == Role.STUDENT
    assert listed("student", "/api/v1/tasks/") == []
    certificate = Certificate.objects.get(code="X-WEB-01")
    refused = api("student").post("/api/v1/alliances/", {"certificate_id": certificate.pk}, format="json")
    assert refused.status_code == 403 and refused.json()["rule"] == "actor_not_allowed"


def test_a_page_past_the_end_is_a_json_404(filed):
    refused = api("ministry").get("/api/v1/negotiations/", {"page": 99})
    assert refused.status_code == 404 and refused.json()["rule"] == "not_found"


def test_a_fee_schedule_is_readable_signed_out_but_not_writable_signed_out(world):
    schedule = api().get("/api/v1/fee-schedules/").json()["results"][0]
    detail = api().get(f"/api/v1/fee-schedules/{schedule['id']}/")
    assert detail.status_code == 200 and detail.json() == schedule
    refused = api().post("/api/v1/fee-schedules/", {}, format="json")
    assert refused.status_code == 401 and refused.json()["rule"] == "not_authenticated"
    empty = api("teo_1").post("/api/v1/fee-schedules/", {}, format="json")
    assert empty.status_code == 400 and empty.json()["rule"] == "certificate_required"
