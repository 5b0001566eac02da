"""A new password revokes every API token of its account, and an account holds a bounded number of tokens."""

import pytest
from django.contrib.auth.models import User
from knox.models import AuthToken
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

PASSWORD = "demo12345"


def token_for(username: str, password: str = PASSWORD):
    return APIClient().post("/api/v1/auth/token/", {"username": username, "password": password}, format="json")


def answers(token: str) -> int:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client.get("/api/v1/negotiations/").status_code


@pytest.fixture
def staff(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("root", "root@example.org", "x"))
    return client


def test_a_password_set_by_its_owner_revokes_every_token_of_the_account_and_no_other(world):
    first, second = token_for("teo_1").json()["token"], token_for("teo_1").json()["token"]
    colleague = token_for("teo_2").json()["token"]
    owner = User.objects.get(username="teo_1")
    owner.set_password("another-Passw0rd!")
    owner.save()
    assert (answers(first), answers(second), answers(colleague)) == (401, 401, 200)
    assert not AuthToken.objects.filter(user=owner).exists()
    assert answers(token_for("teo_1", "another-Passw0rd!").json()["token"]) == 200


def test_a_password_set_in_the_admin_revokes_the_accounts_tokens(world, staff):
    token, colleague = token_for("teo_1").json()["token"], token_for("teo_2").json()["token"]
    owner = User.objects.get(username="teo_1")
    changed = staff.post(
        f"/admin/auth/user/{owner.pk}/password/",
        {"password1": "second-Passw0rd!", "password2": "second-Passw0rd!", "usable_password": "true"},
    )
    assert changed.status_code == 302, changed.content.decode()[:1000]
    assert (answers(token), answers(colleague)) == (401, 200)


def test_an_unusable_password_set_in_the_admin_revokes_the_accounts_tokens(world, staff):
    token = token_for("teo_1").json()["token"]
    owner = User.objects.get(username="teo_1")
    owner.set_unusable_password()
    owner.save()
    assert answers(token) == 401


def test_saving_an_account_without_a_new_password_keeps_its_tokens(world):
    token = token_for("teo_1").json()["token"]
    owner = User.objects.get(username="teo_1")
    owner.first_name = "Renamed"
    owner.save()
    owner.set_password(PASSWORD)  # the same password again: another salt, no new password
    owner.save()
    assert answers(token) == 200


def test_a_hash_upgraded_at_sign_in_keeps_the_accounts_other_tokens(world, settings):
    token = token_for("teo_1").json()["token"]
    stored = User.objects.get(username="teo_1").password
    # A stronger hasher preferred from now on: the next sign-in rehashes the same password.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher",
                                 "django.contrib.auth.hashers.MD5PasswordHasher"]
    assert token_for("teo_1").status_code == 200
    assert User.objects.get(username="teo_1").password != stored
    assert answers(token) == 200


def test_a_sign_in_beyond_the_token_limit_is_refused_until_a_token_is_revoked(world, settings):
    limit = settings.REST_KNOX["TOKEN_LIMIT_PER_USER"]
    assert limit == 10
    tokens = [token_for("teo_1").json()["token"] for _ in range(limit)]
    refused = token_for("teo_1")
    assert refused.status_code == 429, refused.content
    assert refused.json()["rule"] == "token_limit_reached" and refused.json()["params"] == {"limit": "10"}
    assert "一个账号同时最多持有 10 个 API 令牌" in refused.json()["message"]
    assert "token" not in refused.json()
    assert token_for("teo_2").status_code == 200  # another account's limit is its own
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {tokens[0]}")
    assert client.post("/api/v1/auth/logout/").status_code == 204
    assert token_for("teo_1").status_code == 200
