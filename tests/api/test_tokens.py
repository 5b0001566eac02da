"""API tokens: issued with an expiry, hashed at rest, revoked by logout; the token sign-in is throttled."""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.contrib.auth.backends import ModelBackend
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

ATTACKER, OWNER = "203.0.113.9", "198.51.100.7"


def token_for(username: str = "teo_1", password: str = "demo12345", address: str = OWNER):
    return APIClient().post(
        "/api/v1/auth/token/", {"username": username, "password": password}, format="json", REMOTE_ADDR=address
    )


def with_token(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def test_a_token_expires_after_ten_hours(world):
    issued = timezone.now()
    with time_machine.travel(issued, tick=False):
        answer = token_for().json()
    assert datetime.fromisoformat(answer["expiry"]) == issued + timedelta(hours=10)
    with time_machine.travel(issued + timedelta(hours=9, minutes=59), tick=False):
        assert with_token(answer["token"]).get("/api/v1/negotiations/").status_code == 200
    with time_machine.travel(issued + timedelta(hours=10, seconds=1), tick=False):
        expired = with_token(answer["token"]).get("/api/v1/negotiations/")
        assert expired.status_code == 401 and expired.json()["rule"] == "authentication_failed"


def test_the_lifetime_is_a_setting(world, settings):
    settings.REST_KNOX = {**settings.REST_KNOX, "TOKEN_TTL": timedelta(hours=1)}
    issued = timezone.now()
    with time_machine.travel(issued, tick=False):
        token = token_for().json()["token"]
    with time_machine.travel(issued + timedelta(hours=1, seconds=1), tick=False):
        assert with_token(token).get("/api/v1/negotiations/").status_code == 401


def test_logout_revokes_the_token_it_is_sent_with_and_no_other(world):
    first, second = token_for().json()["token"], token_for().json()["token"]
    assert with_token(first).post("/api/v1/auth/logout/").status_code == 204
    assert with_token(first).get("/api/v1/negotiations/").status_code == 401
    assert with_token(first).post("/api/v1/auth/logout/").status_code == 401
    assert with_token(second).get("/api/v1/negotiations/").status_code == 200


def test_logout_all_revokes_every_token_of_the_account_from_before(world):
    earlier, current = token_for().json()["token"], token_for().json()["token"]
    colleague = token_for("teo_2").json()["token"]
    assert with_token(current).post("/api/v1/auth/logout-all/").status_code == 204
    assert with_token(earlier).get("/api/v1/negotiations/").status_code == 401
    assert with_token(current).get("/api/v1/negotiations/").status_code == 401
    assert with_token(colleague).get("/api/v1/negotiations/").status_code == 200
    assert with_token(token_for().json()["token"]).get("/api/v1/negotiations/").status_code == 200


def test_only_a_hash_of_a_token_is_stored(world):
    token = token_for().json()["token"]
    stored = AuthToken.objects.get(user__username="teo_1")
    assert token not in {stored.digest, stored.token_key} and len(stored.digest) == 128
    assert stored.token_key == token[:15]  # the lookup prefix only


def test_logging_out_needs_a_token(world):
    refused = APIClient().post("/api/v1/auth/logout/")
    assert refused.status_code == 401 and refused.json()["rule"] == "not_authenticated"


def test_fifty_wrong_passwords_for_a_token_get_five_checks_and_then_a_json_lockout(world, monkeypatch):
    checked = []
    original = ModelBackend.authenticate
    monkeypatch.setattr(
        ModelBackend, "authenticate", lambda self, request, **kw: checked.append(1) or original(self, request, **kw)
    )
    answers = [token_for(password=f"guess-{n}", address=ATTACKER) for n in range(50)]
    assert [a.status_code for a in answers[:4]] == [400] * 4
    assert {a.json()["rule"] for a in answers[:4]} == {"sign_in_failed"}
    assert {a.status_code for a in answers[4:]} == {429} and len(checked) == 5
    body = answers[-1].json()
    assert body["rule"] == "sign_in_locked" and "token" not in body
    assert (body["params"]["limit"], body["params"]["minutes"]) == ("5", "15")
    assert body["params"]["unlocks_at"]
    right = token_for(address=ATTACKER)
    assert right.status_code == 429 and "token" not in right.json() and len(checked) == 5
    assert token_for(address=OWNER).status_code == 200  # the owner elsewhere is not locked out
    assert AuthToken.objects.filter(user__username="teo_1").count() == 1


def test_the_schema_describes_sign_in_logout_and_logout_all(world):
    schema = APIClient().get("/api/schema/", {"format": "json"}).json()
    login = schema["paths"]["/api/v1/auth/token/"]["post"]
    assert {"200", "400", "429"} <= set(login["responses"])
    assert "expiry" in str(schema["components"]["schemas"]["Token"])
    assert "post" in schema["paths"]["/api/v1/auth/logout/"]
    assert "post" in schema["paths"]["/api/v1/auth/logout-all/"]
    assert any(scheme.get("type") == "apiKey" for scheme in schema["components"]["securitySchemes"].values())
