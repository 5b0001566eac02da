"""Sittings, corrections, make-ups, certificates and paper orders through /api/v1, with their refusals."""

import pytest

from tests.workflows.walk import DELIVERY, WEB01_FEE, college, open_task, user
from tryout.simulation import actor_for
from workflows import services
from workflows.models import AssessmentSitting, Payment

from .clients import api

pytestmark = pytest.mark.django_db




def _today() -> str:
    return f"{services.today():%Y-%m-%d}"


def _record(walk, headcount=30, username="teo_1", **body):
    agreement = walk.negotiation.agreements.get()
    data = {"college_id": college("college_42_1").pk, "headcount": headcount, "held_on": _today(), **body}
    return api(username).post(f"/api/v1/agreements/{agreement.pk}/assessments/", data, format="json")


def _payment(walk) -> Payment:
    return Payment.objects.get(agreement__negotiation=walk.negotiation, college=college("college_42_1"))


def test_a_zero_or_absurd_headcount_is_refused_with_the_rule(hubei_filed):
    for headcount, rule in ((0, "headcount_at_least_one"), (100_001, "headcount_too_large")):
        refused = _record(hubei_filed, headcount)
        assert refused.status_code == 400 and refused.json()["rule"] == rule, headcount
        assert str(headcount) in refused.json()["message"].replace(",", "")
    assert not AssessmentSitting.objects.exists()


def test_held_on_is_required_and_not_in_the_future(hubei_filed):
    agreement = hubei_filed.negotiation.agreements.get()
    missing = api("teo_1").post(f"/api/v1/agreements/{agreement.pk}/assessments/",
                                {"college_id": college("college_42_1").pk, "headcount": 3}, format="json")
    assert missing.status_code == 400 and missing.json()["rule"] == "held_on_required"
    future = _record(hubei_filed, held_on="2999-01-01")
    assert future.status_code == 400 and future.json()["rule"] == "held_on_in_future"


def test_recording_a_college_twice_is_a_409_naming_the_correction(hubei_filed):
    assert _record(hubei_filed).status_code == 201
    again = _record(hubei_filed, 31)
    assert again.status_code == 409 and again.json()["rule"] == "sitting_already_recorded"


def test_a_correction_and_a_makeup_answer_the_sitting_and_the_payment_follows(hubei_filed):
    sitting = _record(hubei_filed).json()
    assert (sitting["headcount"], sitting["first_headcount"], sitting["issued"], sitting["makeups"]) == (30, 30, 0, [])
    corrected = api("teo_1").post(f"/api/v1/sittings/{sitting['id']}/correction/", {"headcount": 32, "reason": "笔误"},
                                  format="json")
    assert corrected.status_code == 200 and corrected.json()["headcount"] == 32
    assert _payment(hubei_filed).amount == WEB01_FEE * 32
    made_up = api("teo_1").post(f"/api/v1/sittings/{sitting['id']}/make-ups/", {"headcount": 4, "held_on": _today()},
                                format="json")
    body = made_up.json()
    assert made_up.status_code == 201 and (body["headcount"], body["first_headcount"]) == (36, 32)
    assert [(m["headcount"], m["held_on"]) for m in body["makeups"]] == [(4, _today())]
    assert _payment(hubei_filed).amount == WEB01_FEE * 36
    assert api("finance_42_1").get(f"/api/v1/payments/{_payment(hubei_filed).pk}/").json()["headcount"] == 36


def test_after_release_a_correction_is_a_409(hubei_filed):
    sitting = _record(hubei_filed).json()
    task = open_task(hubei_filed.negotiation, "release_payment", college("college_42_1").pk)
    funding = [{"source": "own", "amount": f"{WEB01_FEE * 30:.2f}"}]
    services.complete(task.task_id, actor_for(task), {"funding": funding})
    refused = api("teo_1").post(f"/api/v1/sittings/{sitting['id']}/correction/", {"headcount": 31}, format="json")
    assert refused.status_code == 409 and refused.json()["rule"] == "payment_released"
    made_up = api("teo_1").post(f"/api/v1/sittings/{sitting['id']}/make-ups/", {"headcount": 1, "held_on": _today()},
                                format="json")
    assert made_up.status_code == 409 and made_up.json()["rule"] == "payment_released"


def test_only_the_certificates_teo_corrects_a_sitting(hubei_filed):
    sitting = _record(hubei_filed).json()
    url = f"/api/v1/sittings/{sitting['id']}/correction/"
    assert api("college_42_1").post(url, {"headcount": 1}, format="json").status_code == 403
    assert api("teo_2").post(url, {"headcount": 1}, format="json").status_code == 404
    assert api("teo_2").post(f"/api/v1/sittings/{sitting['id']}/make-ups/", {"headcount": 1, "held_on": _today()},
                             format="json").status_code == 404
    assert AssessmentSitting.objects.get().headcount == 30


def test_certificates_never_exceed_the_people_assessed_and_their_serials_carry_the_code_once(hubei_filed):
    sitting = _record(hubei_filed, 2).json()
    url = f"/api/v1/sittings/{sitting['id']}/certificates/"
    too_many = api("teo_1").post(url, {"holders": ["甲,S1", "乙,S2", "丙,S3"]}, format="json")
    assert too_many.status_code == 400 and too_many.json()["rule"] == "certificates_exceed_assessed"
    issued = api("teo_1").post(url, {"holders": ["甲,S1", "乙,S2"]}, format="json").json()
    assert [c["serial_no"] for c in issued] == [f"X-WEB-01-{sitting['id']:05d}-0001",
                                               f"X-WEB-01-{sitting['id']:05d}-0002"]
    assert api("teo_1").get(f"/api/v1/sittings/{sitting['id']}/").json()["issued"] == 2


def test_a_paper_order_takes_the_address_and_the_published_price(hubei_filed):
    agreement = hubei_filed.negotiation.agreements.get()
    sitting = services.record_assessment(user("teo_1"), agreement, college("college_42_1"), 2, services.today())
    [mine] = services.issue_certificates(user("teo_1"), sitting, ["李明,2023010001"])
    url = f"/api/v1/certificates/{mine.pk}/paper-orders/"
    listed = api("student").get("/api/v1/certificates/").json()["results"]
    assert listed[0]["paper_copy_price"] == "25.00"
    priced = api("student").post(url, {**DELIVERY, "price": "1.00"}, format="json")
    assert priced.status_code == 400 and priced.json()["rule"] == "paper_price_published"
    no_address = api("student").post(url, {"recipient": "李明", "phone": "13800000000"}, format="json")
    assert no_address.status_code == 400 and no_address.json()["rule"] == "address_required"
    ordered = api("student").post(url, DELIVERY, format="json")
    assert ordered.status_code == 201
    answered = {k: ordered.json()[k] for k in ("price", "state", *DELIVERY)}
    assert answered == {"price": "25.00", "state": "ordered", **DELIVERY}
    again = api("student").post(url, DELIVERY, format="json")
    assert again.status_code == 409 and again.json()["rule"] == "paper_order_open"


def test_a_fee_schedule_publishes_its_paper_copy_price_at_most_40(world):
    schedule = next(s for s in api().get("/api/v1/fee-schedules/").json()["results"] if s["certificate"] == "X-WEB-01")
    assert schedule["paper_copy_price"] == "25.00"
    body = {"certificate_id": schedule["certificate_id"], "fee": "150.00", "lines": {"question_bank": "150.00"}}
    missing = api("teo_1").post("/api/v1/fee-schedules/", body, format="json")
    assert missing.status_code == 400 and missing.json()["rule"] == "paper_copy_price_required"
    dear = api("teo_1").post("/api/v1/fee-schedules/", {**body, "paper_copy_price": "40.01"}, format="json")
    assert dear.status_code == 400 and dear.json()["rule"] == "paper_certificate_price"
    assert "40.01" in dear.json()["message"]
    done = api("teo_1").post("/api/v1/fee-schedules/", {**body, "paper_copy_price": "40.00"}, format="json")
    assert done.status_code == 201 and done.json()["paper_copy_price"] == "40.00"
