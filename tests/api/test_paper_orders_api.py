"""/api/v1/paper-orders/: the TEO's orders, the student's own, the ministry's all; dispatch, deliver, cancel."""
import pytest

from tests.workflows.paper_copies import TRACKING_NO, ordered, second_student
from tests.workflows.walk import DELIVERY

from .clients import api, listed

pytestmark = pytest.mark.django_db

URL = "/api/v1/paper-orders/"


def _post(username: str, order, act: str, body: dict | None = None):
    return api(username).post(f"{URL}{order.pk}/{act}/", body or {}, format="json")


def test_each_sees_the_orders_that_concern_them(certificates):
    mine, theirs = ordered(certificates[0]), ordered(certificates[1], second_student())
    assert {o["id"] for o in listed("teo_1", URL)} == {mine.pk, theirs.pk}
    assert {o["id"] for o in listed("ministry", URL)} == {mine.pk, theirs.pk}
    assert [o["id"] for o in listed("student", URL)] == [mine.pk]
    assert listed("teo_2", URL) == [] and listed("college_42_1", URL) == []
    row = listed("teo_1", URL, state="ordered", certificate="X-WEB-01")[-1]
    assert {row["serial_no"], row["holder_name"], row["certificate"], row["state"]} == {
        mine.certificate.serial_no, "李明", "X-WEB-01", "ordered"}
    assert listed("teo_1", URL, state="dispatched") == []
    assert api("teo_1").get(URL, {"state": "lost"}).status_code == 400


def test_the_teo_dispatches_and_the_student_confirms_receipt(order):
    sent = _post("teo_1", order, "dispatch", {"tracking_no": TRACKING_NO})
    assert sent.status_code == 200 and (sent.json()["state"], sent.json()["tracking_no"]) == ("dispatched", TRACKING_NO)
    own = api("student").get("/api/v1/certificates/").json()["results"][0]["paper_orders"][0]
    assert (own["state"], own["tracking_no"]) == ("dispatched", TRACKING_NO)
    received = _post("student", order, "deliver")
    assert received.status_code == 200 and received.json()["state"] == "delivered"


def test_the_refusals_name_their_rule(certificates, order):
    theirs = ordered(certificates[1], second_student())
    cases = [
        ("teo_2", order, "dispatch", {"tracking_no": TRACKING_NO}, 404, "paper_order_not_found"),
        ("student", theirs, "cancel", {}, 404, "paper_order_not_found"),
        ("student", order, "dispatch", {"tracking_no": TRACKING_NO}, 403, "actor_not_allowed"),
        ("ministry", order, "cancel", {"reason": "x"}, 403, "actor_not_allowed"),
        ("teo_1", order, "dispatch", {"tracking_no": ""}, 400, "tracking_no_required"),
        ("teo_1", order, "dispatch", {}, 400, "tracking_no_required"),
        ("teo_1", order, "cancel", {}, 400, "reason_required"),
        ("student", order, "deliver", {}, 409, "paper_order_not_dispatched"),
    ]
    for username, target, act, body, status, rule in cases:
        answer = _post(username, target, act, body)
        assert (answer.status_code, answer.json()["rule"]) == (status, rule), (username, act, body)
    assert _post("teo_1", order, "dispatch", {"tracking_no": TRACKING_NO}).status_code == 200
    twice = _post("teo_1", order, "dispatch", {"tracking_no": "YT1"})
    assert twice.status_code == 409 and twice.json()["rule"] == "paper_order_dispatched"
    assert twice.json()["params"]["tracking_no"] == TRACKING_NO
    late = _post("student", order, "cancel")
    assert late.status_code == 409 and late.json()["rule"] == "paper_order_dispatched"


def test_a_cancel_refunds_and_lets_the_certificate_be_ordered_again(order):
    cancelled = _post("teo_1", order, "cancel", {"reason": "地址无法投递"})
    assert cancelled.status_code == 200 and cancelled.json()["cancel_reason"] == "地址无法投递"
    again = api("student").post(f"/api/v1/certificates/{order.certificate_id}/paper-orders/", DELIVERY, format="json")
    assert again.status_code == 201 and again.json()["state"] == "ordered"


def test_the_schema_declares_the_input_of_each_act(world):
    schema = api().get("/api/schema/", {"format": "json"}).json()
    dispatch = schema["paths"]["/api/v1/paper-orders/{id}/dispatch/"]["post"]
    ref = dispatch["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert schema["components"]["schemas"][ref]["required"] == ["tracking_no"]
    assert "/api/v1/paper-orders/{id}/cancel/" in schema["paths"]
    assert "/api/v1/paper-orders/{id}/deliver/" in schema["paths"]
