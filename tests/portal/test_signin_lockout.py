"""Sign-in throttling: failures count per account and client address; a lockout is refused unchecked."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.backends import ModelBackend
from django.test import Client, RequestFactory
from django.utils import timezone

from webapp.signin import client_address

pytestmark = pytest.mark.django_db

ATTACKER, OWNER = "203.0.113.9", "198.51.100.7"


@pytest.fixture
def password_checks(monkeypatch):
    """How many sign-in attempts reached the password check."""
    checked = []
    original = ModelBackend.authenticate

    def counting(self, request, username=None, password=None, **kwargs):
        checked.append(username)
        return original(self, request, username=username, password=password, **kwargs)

    monkeypatch.setattr(ModelBackend, "authenticate", counting)
    return checked


def sign_in(password: str, address: str = ATTACKER, username: str = "college_42_1", client=None, **headers):
    return (client or Client()).post(
        "/login/", {"username": username, "password": password}, REMOTE_ADDR=address, **headers
    )


def test_fifty_wrong_passwords_get_five_password_checks_then_a_lockout_naming_the_rule(world, password_checks):
    answers = [sign_in(f"guess-{n}") for n in range(50)]
    assert [a.status_code for a in answers[:4]] == [200] * 4  # the form again: wrong password
    assert {a.status_code for a in answers[4:]} == {429}
    assert len(password_checks) == 5  # the 45 attempts after the limit never reached a password
    page = answers[-1].content.decode()
    assert "sign_in_locked" in page and "5" in page and "15" in page
    assert "登录已锁定" in page


def test_the_right_password_is_refused_while_locked_and_signs_in_after_the_cool_off(world, password_checks, settings):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for n in range(5):
            sign_in(f"guess-{n}")
    unlock = timezone.localtime(start + timedelta(minutes=15), ZoneInfo(settings.DISPLAY_TIME_ZONE))
    with time_machine.travel(start + timedelta(minutes=14, seconds=59), tick=False):
        client = Client()
        refused = sign_in("demo12345", client=client)
        assert refused.status_code == 429 and "_auth_user_id" not in client.session
        assert unlock.strftime("%H:%M") in refused.content.decode()  # when it unlocks
    assert len(password_checks) == 5
    with time_machine.travel(start + timedelta(minutes=15, seconds=1), tick=False):
        client = Client()
        signed_in = sign_in("demo12345", client=client)
        assert signed_in.status_code == 302 and client.session["_auth_user_id"]


def test_a_lockout_holds_the_account_for_that_address_only(world):
    for n in range(5):
        sign_in(f"guess-{n}")
    assert sign_in("demo12345").status_code == 429
    # The owner, elsewhere, still signs in: a lockout is no way to keep them out.
    assert sign_in("demo12345", address=OWNER).status_code == 302
    # Another account from the attacker's address is counted on its own.
    assert sign_in("demo12345", username="college_42_2").status_code == 302


def test_a_forwarded_for_header_is_not_believed_without_a_trusted_proxy(world):
    answers = [sign_in(f"guess-{n}", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}") for n in range(10)]
    assert [a.status_code for a in answers].count(429) == 6  # every try counted against REMOTE_ADDR


def test_behind_one_trusted_proxy_the_address_is_the_one_the_proxy_appended(settings):
    settings.XCERT_TRUSTED_PROXIES = 1
    request = RequestFactory().post("/login/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9")
    assert client_address(request) == "203.0.113.9"  # the left entry was written by the client
    bare = RequestFactory().post("/login/", REMOTE_ADDR="10.0.0.1")
    assert client_address(bare) == "10.0.0.1"


def test_without_a_trusted_proxy_the_address_is_remote_addr_whatever_the_header_says():
    request = RequestFactory().post("/login/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert client_address(request) == "10.0.0.1"


def test_the_limit_and_the_cool_off_are_settings(world, settings):
    settings.AXES_FAILURE_LIMIT = 2
    settings.AXES_COOLOFF_TIME = timedelta(minutes=1)
    assert [sign_in(f"guess-{n}").status_code for n in range(3)] == [200, 429, 429]
    with time_machine.travel(timezone.now() + timedelta(minutes=1, seconds=1)):
        assert sign_in("demo12345").status_code == 302


def test_the_lockout_page_speaks_english_on_request(world):
    for n in range(5):
        sign_in(f"guess-{n}")
    page = sign_in("demo12345", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Sign-in locked: 5 failed sign-ins to this account from your address within 15 minutes" in page
