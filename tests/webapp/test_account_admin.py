"""Accounts, API tokens and sign-in records in the admin: every change audited, no secret in the audit."""

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import Group, User
from django.utils import timezone
from knox.models import AuthToken

from bpmn.models import AdminChange
from tests.bpmn.test_admin_audit import url, verify_audit

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("root", "root@example.org", "x"))
    return client


def test_a_password_set_in_the_admin_is_audited_by_a_fingerprint_never_the_hash(staff):
    clerk = User.objects.create_user("clerk", password="first-Passw0rd!")
    old_hash = clerk.password
    answer = staff.post(
        f"/admin/auth/user/{clerk.pk}/password/",
        {"password1": "second-Passw0rd!", "password2": "second-Passw0rd!", "usable_password": "true"},
    )
    assert answer.status_code == 302, answer.content.decode()[:1000]
    clerk.refresh_from_db()
    row = AdminChange.objects.get(model="auth.user", object_id=str(clerk.pk))
    before, after = row.changes["password"]
    assert before.startswith("sha256:") and after.startswith("sha256:") and before != after
    assert old_hash not in str(row.changes) and clerk.password not in str(row.changes)
    assert row.actor.username == "root" and "intact" in verify_audit()


def test_a_password_form_refused_writes_no_audit_row(staff):
    clerk = User.objects.create_user("clerk", password="first-Passw0rd!")
    answer = staff.post(
        f"/admin/auth/user/{clerk.pk}/password/",
        {"password1": "second-Passw0rd!", "password2": "other", "usable_password": "true"},
    )
    assert answer.status_code == 200 and not AdminChange.objects.filter(model="auth.user").exists()


def test_making_an_account_superuser_and_adding_it_to_a_group_is_audited_from_what_to_what(staff):
    clerk = User.objects.create_user("clerk", password="first-Passw0rd!")
    group = Group.objects.create(name="审核")
    answer = staff.post(
        url(User, "change", clerk.pk),
        {
            "username": "clerk",
            "is_active": "on",
            "is_staff": "on",
            "is_superuser": "on",
            "groups": [group.pk],
            "date_joined_0": "2026-12-01",
            "date_joined_1": "08:00:00",
            "initial-date_joined_0": "2026-12-01",
            "initial-date_joined_1": "08:00:00",
        },
    )
    assert answer.status_code == 302, answer.content.decode()[:2000]
    changes = AdminChange.objects.get(model="auth.user", object_id=str(clerk.pk)).changes
    assert changes["is_superuser"] == [False, True] and changes["is_staff"] == [False, True]
    assert changes["groups"] == [[], [group.pk]]


def test_tokens_are_never_issued_or_edited_in_the_admin_and_a_revocation_is_audited(staff):
    clerk = User.objects.create_user("clerk", password="first-Passw0rd!")
    _, token = AuthToken.objects.create(user=clerk)
    assert staff.get("/admin/knox/authtoken/add/").status_code == 403
    assert staff.post("/admin/knox/authtoken/add/", {"user": clerk.pk}).status_code == 403
    assert token not in staff.get("/admin/knox/authtoken/").content.decode()  # its digest is the row's key
    stored = AuthToken.objects.get(user=clerk)
    answer = staff.post(f"/admin/knox/authtoken/{stored.pk}/delete/", {"post": "yes"})
    assert answer.status_code == 302 and not AuthToken.objects.exists()
    row = AdminChange.objects.get(model="knox.authtoken")
    assert row.action == AdminChange.Action.DELETED and stored.digest not in str(row.changes)
    assert token not in str(row.changes) and row.changes["user"] == [clerk.pk, None]


def test_clearing_a_lockout_in_the_admin_is_audited_and_the_record_cannot_be_rewritten(staff):
    attempt = AccessAttempt.objects.create(
        username="clerk", ip_address="10.0.0.7", user_agent="x", failures_since_start=5, attempt_time=timezone.now()
    )
    assert staff.post(f"/admin/axes/accessattempt/{attempt.pk}/change/", {"failures_since_start": 0}).status_code == 403
    answer = staff.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"})
    assert answer.status_code == 302 and not AccessAttempt.objects.exists()
    row = AdminChange.objects.get(model="axes.accessattempt")
    assert row.changes["username"] == ["clerk", None] and row.changes["failures_since_start"] == [5, None]
