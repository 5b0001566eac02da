"""What a client needs without scraping pages: colleges to invite, cost items, a payment's release task,
and what completing a task did."""
import pytest

from tests.workflows.walk import college, open_task, user
from workflows import services
from workflows.models import CostItem, Organization

from .clients import api, listed

pytestmark = pytest.mark.django_db


def _colleges_of(province_code: str) -> set[str]:
    return set(Organization.objects.filter(kind=Organization.Kind.COLLEGE, province__code=province_code)
               .values_list("name", flat=True))


def test_colleges_are_those_of_my_province_and_every_province_for_the_ministry(world):
    hubei = college("college_42_1").province
    for who in ("college_42_1", "finance_42_2", "reviewer_42"):
        rows = listed(who, "/api/v1/colleges/")
        assert {r["name"] for r in rows} == _colleges_of(hubei.code), who
        assert {(r["province_id"], r["province"]) for r in rows} == {(hubei.pk, hubei.name)}
    everyone = api("ministry").get("/api/v1/colleges/").json()
    assert everyone["count"] == Organization.objects.filter(kind=Organization.Kind.COLLEGE).count() > len(rows)
    assert listed("teo_1", "/api/v1/colleges/") == [] and listed("student", "/api/v1/colleges/") == []
    assert api().get("/api/v1/colleges/").status_code == 401


def test_the_colleges_listed_are_the_ones_an_invitation_accepts(hubei):
    lead = college("college_42_1")
    invitable = [r["id"] for r in listed("college_42_1", "/api/v1/colleges/") if r["id"] != lead.pk]
    task = open_task(hubei.negotiation, "invite_members")
    done = api("college_42_1").post(f"/api/v1/tasks/{task.task_id}/complete/",
                                    {"data": {"college_ids": invitable}}, format="json")
    assert done.status_code == 200 and done.json()["result"]["invited_college_ids"] == sorted(invitable)


def test_cost_items_are_listed_by_position_without_sign_in(world):
    rows = listed(None, "/api/v1/cost-items/")
    ordered = CostItem.objects.order_by("position", "code").values_list("code", flat=True)
    assert [r["code"] for r in rows] == list(ordered) and len(rows) > 1
    assert [r["position"] for r in rows] == sorted(r["position"] for r in rows)
    assert {"code", "name_zh", "name_en", "position", "active"} == set(rows[0])


def test_a_payment_carries_its_open_release_task_until_it_is_released(hubei_filed):
    lead = hubei_filed.negotiation.alliance.lead
    agreement = hubei_filed.negotiation.agreements.get()
    services.record_assessment(user("teo_1"), agreement, lead, 4, services.today())
    task = open_task(hubei_filed.negotiation, "release_payment", lead.pk)
    payment = next(p for p in listed("finance_42_1", "/api/v1/payments/") if p["agreement_id"] == agreement.pk)
    assert payment["release_task_id"] == str(task.task_id)
    detail = api("finance_42_1").get(f"/api/v1/payments/{payment['id']}/").json()
    assert detail["release_task_id"] == str(task.task_id)
    unassessed = [p for p in listed("ministry", "/api/v1/payments/") if p["college_id"] != lead.pk]
    assert unassessed and {p["release_task_id"] for p in unassessed} == {None}
    released = api("finance_42_1").post(f"/api/v1/tasks/{payment['release_task_id']}/complete/", {"data": {
        "funding": [{"source": "own", "amount": payment["amount"]}]}}, format="json")
    assert released.status_code == 200 and released.json()["result"]["released"] is True
    assert api("finance_42_1").get(f"/api/v1/payments/{payment['id']}/").json()["release_task_id"] is None


def test_completing_a_task_answers_its_outcome_and_the_next_tasks_i_may_see_not_the_instance(hubei):
    hubei.to_first_offer()
    task = open_task(hubei.negotiation, "alliance_responds")
    answer = api("college_42_1").post(f"/api/v1/tasks/{task.task_id}/complete/",
                                      {"data": {"decision": "reject"}}, format="json").json()
    assert (answer["task_id"], answer["task_name"], answer["process_id"]) == (
        str(task.task_id), "alliance_responds", "negotiation_round")
    assert answer["decision"] == "reject" and answer["result"] == {"round_outcome": "rejected"}
    assert answer["instance"] == hubei.instance.pk and answer["instance_status"] == "running"
    assert [(t["task_name"], t["can_act"]) for t in answer["next_tasks"]] == [("mediate", False)]
    assert "audit" not in answer and "open_tasks" not in answer


def test_a_task_and_a_completion_name_the_task_in_the_requests_language(hubei):
    task = open_task(hubei.negotiation, "invite_members")
    client = api("college_42_1")
    chinese = client.get(f"/api/v1/tasks/{task.task_id}/").json()
    english = client.get(f"/api/v1/tasks/{task.task_id}/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert (chinese["label"], english["label"]) == ("邀请成员院校", "Invite member colleges")
    invited = [college("college_42_2").pk, college("college_42_3").pk]
    done = client.post(f"/api/v1/tasks/{task.task_id}/complete/", {"data": {"college_ids": invited}},
                       format="json", HTTP_ACCEPT_LANGUAGE="en").json()
    assert done["label"] == "Invite member colleges"
    assert {t["label"] for t in done["next_tasks"]} == {"Accept or decline the invitation"}
