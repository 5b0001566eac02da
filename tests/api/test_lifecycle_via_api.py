"""One lifecycle from alliance to the last payment, every step a call to /api/v1 by its holder."""
from decimal import Decimal

import pytest

from tests.workflows.walk import college
from workflows.simulation import scaled_lines

from .clients import api, complete, inbox_task, listed

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("temperature")]

MEMBERS = ("college_42_1", "college_42_2", "college_42_3")


def _act(username: str, name: str, negotiation_id: int, data: dict | None = None, organization_id=None) -> dict:
    """Find the task in the holder's inbox, claim it, complete it; return the instance JSON."""
    task = inbox_task(username, name, negotiation_id, organization_id)
    claimed = api(username).post(f"/api/v1/tasks/{task['task_id']}/claim/")
    assert claimed.status_code == 200 and claimed.json()["claimed_by"] == username, claimed.json()
    done = complete(username, task["task_id"], data)
    assert done.status_code == 200, (name, done.json())
    return done.json()


def _form_and_agree(negotiation_id: int, schedule: dict) -> None:
    invitees = [college(username).pk for username in MEMBERS[1:]]
    _act("college_42_1", "invite_members", negotiation_id, {"college_ids": invitees})
    for username in MEMBERS[1:]:
        _act(username, "respond_invitation", negotiation_id, {"decision": "accept"})
    _act("college_42_1", "screen_services", negotiation_id, {"training_content": "师资培训 5 天"})
    lines = scaled_lines(schedule["lines"], Decimal("170.00"))
    _act("college_42_1", "alliance_responds", negotiation_id, {"decision": "counter", "fee": "170.00",
                                                                 "lines": lines})
    _act("teo_1", "teo_responds", negotiation_id, {"decision": "accept"})


def _verify_sign_file(negotiation_id: int) -> None:
    _act("reviewer_42", "verify_baseline", negotiation_id, {"decision": "verify"})
    _act("college_42_1", "sign_alliance", negotiation_id)
    _act("teo_1", "sign_teo", negotiation_id)
    _act("reviewer_42", "acknowledge_filing", negotiation_id, {"flagged": False})


def _assess_and_release(agreement_id: int, negotiation_id: int) -> dict:
    for index, username in enumerate(MEMBERS):
        sitting = api("teo_1").post(f"/api/v1/agreements/{agreement_id}/assessments/",
                                    {"college_id": college(username).pk, "headcount": 10 + index}, format="json")
        assert sitting.status_code == 201, sitting.json()
        issued = api("teo_1").post(f"/api/v1/sittings/{sitting.json()['id']}/certificates/",
                                   {"holders": [f"学生{index}"]}, format="json")
        assert issued.status_code == 201, issued.json()
    instance = {}
    for index in range(1, len(MEMBERS) + 1):
        finance = f"finance_42_{index}"
        payment = listed(finance, "/api/v1/payments/")[0]
        assert payment["state"] == "due"
        instance = _act(finance, "release_payment", negotiation_id,
                        {"funding": [{"source": "fiscal", "amount": payment["amount"]}]})
    return instance


def test_a_whole_lifecycle_carried_through_the_api_alone_ends_with_every_state_final(world):
    schedule = next(s for s in api().get("/api/v1/fee-schedules/").json()["results"] if s["certificate"] == "X-WEB-01")
    created = api("college_42_1").post("/api/v1/alliances/", {"certificate_id": schedule["certificate_id"],
                                                             "name": "接口联盟"}, format="json")
    assert created.status_code == 201, created.json()
    negotiation_id = created.json()["id"]
    _form_and_agree(negotiation_id, schedule)
    rounds = api("teo_1").get(f"/api/v1/negotiations/{negotiation_id}/").json()["rounds"]
    assert [r["fee"] for r in rounds] == ["180.00", "170.00"] and rounds[1]["fee_delta"] == "-10.00"
    _verify_sign_file(negotiation_id)
    agreement = listed("teo_1", "/api/v1/agreements/")[0]
    assert agreement["negotiation_id"] == negotiation_id and agreement["state"] == "filed"
    instance = _assess_and_release(agreement["id"], negotiation_id)

    assert instance["status"] == "completed" and instance["open_tasks"] == []
    negotiation = api("college_42_1").get(f"/api/v1/negotiations/{negotiation_id}/").json()
    assert (negotiation["state"], negotiation["agreed_fee"]) == ("agreed", "170.00")
    alliance = api("college_42_1").get(f"/api/v1/alliances/{negotiation['alliance_id']}/").json()
    assert alliance["state"] == "formed" and {m["state"] for m in alliance["members"]} == {"accepted"}
    assert [b["state"] for b in listed("reviewer_42", "/api/v1/baselines/")] == ["verified"]
    assert [f["state"] for f in listed("reviewer_42", "/api/v1/filings/")] == ["acknowledged"]
    payments = listed("ministry", "/api/v1/payments/")
    assert sorted(p["amount"] for p in payments) == ["1700.00", "1870.00", "2040.00"]
    assert {p["state"] for p in payments} == {"released"}
    assert all(p["allocations"][0]["source"] == "fiscal" for p in payments)
    assert listed("college_42_1", "/api/v1/tasks/") == []
