"""One lifecycle from alliance to the last payment, every step a call to /api/v1 by its holder."""
import pytest

from tests.workflows.walk import college

from .clients import api, call, listed
from .lifecycle_driver import Cast, Lifecycle

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("temperature")]


def test_a_whole_lifecycle_carried_through_the_api_alone_ends_with_every_state_final(world):
    lifecycle = Lifecycle(call, Cast("X-WEB-01", "college_42_1", ("college_42_2", "college_42_3")),
                          lambda username: college(username).pk)
    negotiation_id = lifecycle.run(until="verify:vocational").negotiation_id
    rounds = api("teo_1").get(f"/api/v1/negotiations/{negotiation_id}/").json()["rounds"]
    assert [r["fee"] for r in rounds] == ["180.00", "170.00"] and rounds[1]["fee_delta"] == "-10.00"
    countered = lifecycle.outcomes["alliance_responds"]
    assert (countered["decision"], countered["result"]["round_outcome"], countered["result"]["turn"]) == (
        "counter", "countered", "teo")
    assert [(t["task_name"], t["can_act"]) for t in countered["next_tasks"]] == [("teo_responds", False)]
    accepted = lifecycle.outcomes["teo_responds"]
    assert accepted["result"]["round_outcome"] == "accepted" and accepted["instance_status"] == "running"
    assert [t["task_name"] for t in accepted["next_tasks"]] == ["verify_baseline", "verify_baseline_finance"]
    assert "audit" not in accepted and "open_tasks" not in accepted
    lifecycle.run(until="pay:college_42_1")
    agreement = listed("teo_1", "/api/v1/agreements/")[0]
    assert agreement["negotiation_id"] == negotiation_id and agreement["state"] == "filed"
    lifecycle.run()

    instance = lifecycle.instance()
    assert instance["status"] == "completed" and instance["open_tasks"] == []
    assert len(lifecycle.completed) == 14 and len(lifecycle.issued) == 3
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
