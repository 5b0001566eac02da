"""The subsidy API: open, adjust and release as the finance division; a college reads its own share."""
import pytest

from tests.workflows.test_subsidies import TITLE, filed_world
from tests.workflows.walk import college

from .clients import api

pytestmark = pytest.mark.django_db


def test_the_finance_division_opens_adjusts_and_releases_through_the_api(world):
    filed_world()
    finance = api("finance_div_42")
    opened = finance.post("/api/v1/subsidy-rounds/", {"year": 2026, "title": TITLE, "total": "100000",
                                                      "weights": {"filed_students": 100}}, format="json")
    assert opened.status_code == 201, opened.json()
    body = opened.json()
    by_college = {a["college_id"]: a for a in body["allocations"]}
    first, last = by_college[college("college_42_1").pk], by_college[college("college_42_3").pk]
    assert body["state"] == "draft" and (first["amount"], last["amount"]) == ("10000.00", "70000.00")
    first, last = first["id"], last["id"]
    assert finance.post(f"/api/v1/subsidy-allocations/{first}/adjust/", {"amount": "11000", "reasons": "绩效优秀"},
                        format="json").json()["amount"] == "11000.00"
    finance.post(f"/api/v1/subsidy-allocations/{last}/adjust/", {"amount": "69000", "reasons": "调剂"}, format="json")
    released = finance.post(f"/api/v1/subsidy-rounds/{body['id']}/release/", format="json")
    assert released.status_code == 200 and released.json()["state"] == "released"


def test_a_college_lists_released_rounds_with_its_own_share_and_its_performance(world):
    filed_world()
    finance = api("finance_div_42")
    body = finance.post("/api/v1/subsidy-rounds/", {"year": 2026, "title": TITLE, "total": "100000",
                                                    "weights": {"equal_share": 100}}, format="json").json()
    assert api("college_42_1").get("/api/v1/subsidy-rounds/").json()["results"] == []
    finance.post(f"/api/v1/subsidy-rounds/{body['id']}/release/", format="json")
    [seen] = api("college_42_1").get("/api/v1/subsidy-rounds/").json()["results"]
    assert [a["college_id"] for a in seen["allocations"]] == [college("college_42_1").pk]
    [row] = api("finance_42_1").get("/api/v1/subsidy-rounds/performance/?year=2026").json()
    assert (row["college_id"], row["allocated"], row["balance"]) == (college("college_42_1").pk, "33333.34",
                                                                     "33333.34")
    assert len(api("reviewer_42").get("/api/v1/subsidy-rounds/performance/?year=2026").json()) == 3
    assert api("college_32_1").get(f"/api/v1/subsidy-rounds/{body['id']}/").status_code == 404
