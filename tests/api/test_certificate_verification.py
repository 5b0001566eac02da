"""Anyone verifies a certificate by its serial; only the TEO's private key makes a seal that verifies.

Valid answers the holder's masked name, the certificate, its TEO and the day; a forged seal or an
edited row answers invalid and nothing else; an unknown serial answers unknown; a revoked one
revoked. No sign-in; look-ups are counted per client address and refused over the limit.
"""
import base64
import hashlib
import stat
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.test import Client

from bpmn.models import AuditEntry
from tests.workflows.walk import college, user
from workflows import seals, services
from workflows.errors import RuleViolation
from workflows.models import IssuedCertificate, Organization, SigningKey

from .clients import api

pytestmark = pytest.mark.django_db
NOTHING_MORE = {"serial_no", "status", "message"}


@pytest.fixture(autouse=True)
def _fresh_counts():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def issued(hubei_filed) -> list[IssuedCertificate]:
    sitting = services.record_assessment(user("teo_1"), hubei_filed.negotiation.agreements.get(),
                                         college("college_42_1"), 3, services.today())
    return services.issue_certificates(user("teo_1"), sitting, ["李明,2023010001", "欧阳小明,2023010003"])


def _verify(serial: str, address: str = "127.0.0.1"):
    return api().get(f"/api/v1/verify/{serial}/", REMOTE_ADDR=address)


def test_a_certificate_verifies_valid_without_sign_in_with_the_holder_masked(issued):
    answer = _verify(issued[1].serial_no)
    assert answer.status_code == 200
    body = answer.json()
    assert body["status"] == "valid" and body["holder"] == "欧**明" and body["certificate"] == "X-WEB-01"
    assert body["teo"] == Organization.objects.get(name="工业互联网培训评价有限公司").name
    assert body["issued_on"] == services.today().isoformat() and body["revoked_on"] is None
    page = Client().get("/verify/", {"serial": issued[1].serial_no})
    shown = page.content.decode()
    assert page.status_code == 200 and 'data-status="valid"' in shown and "欧**明" in shown
    assert "欧阳小明" not in shown and "2023010003" not in shown and issued[0].serial_no not in shown
    assert "欧阳小明" not in str(body) and "2023010003" not in str(body) and issued[0].serial_no not in str(body)


def _edited(certificate, **fields) -> str:
    IssuedCertificate.objects.filter(pk=certificate.pk).update(**fields)
    return _verify(certificate.serial_no).json()


def _signature_by_another_key(certificate) -> str:
    stored = IssuedCertificate.objects.select_related("signing_key").get(pk=certificate.pk)
    content = seals.signed_content(stored, stored.signing_key.key_id)
    return base64.b64encode(Ed25519PrivateKey.generate().sign(content)).decode()


def test_a_forged_seal_or_an_edited_row_reads_invalid_and_tells_nothing_more(issued):
    mine, other = issued
    forgeries = [
        lambda: _edited(mine, holder_name="王五"),
        lambda: _edited(mine, holder_name="李明", holder=other.holder),
        lambda: _edited(mine, holder=mine.holder, issued_at=mine.issued_at - timedelta(days=365)),
        lambda: _edited(mine, issued_at=mine.issued_at, seal=_signature_by_another_key(mine)),
        lambda: _edited(mine, seal=hashlib.sha256(
            f"{mine.sitting.agreement.negotiation.certificate.teo_id}:{mine.serial_no}:李明".encode()).hexdigest()),
        lambda: _edited(mine, seal="not base64 at all"),
        lambda: _edited(mine, seal=other.seal),
        lambda: _edited(mine, seal=mine.seal, signing_key=None),
    ]
    attempts, through = 0, 0
    for forge in forgeries:
        body = forge()
        attempts += 1
        through += body["status"] != "invalid" or set(body) != NOTHING_MORE
    assert (attempts, through) == (8, 0)
    IssuedCertificate.objects.filter(pk=mine.pk).update(signing_key=mine.signing_key)
    assert _verify(mine.serial_no).json()["status"] == "valid"  # the row as issued verifies again


def test_a_signing_key_row_replaced_in_the_database_no_longer_vouches(issued):
    mine = issued[0]
    forger = Ed25519PrivateKey.generate()
    raw = forger.public_key().public_bytes_raw()
    key = SigningKey.objects.get(pk=mine.signing_key_id)
    SigningKey.objects.filter(pk=key.pk).update(public_key=base64.b64encode(raw).decode())
    assert _verify(mine.serial_no).json()["status"] == "invalid"  # the id no longer matches the key
    SigningKey.objects.filter(pk=key.pk).update(public_key=key.public_key)
    stored = IssuedCertificate.objects.select_related("signing_key").get(pk=mine.pk)
    # The forger rewrites the whole row: its own key under the key's id, and its signature.
    SigningKey.objects.filter(pk=key.pk).update(public_key=base64.b64encode(raw).decode())
    forged = base64.b64encode(forger.sign(seals.signed_content(stored, key.key_id))).decode()
    IssuedCertificate.objects.filter(pk=mine.pk).update(seal=forged)
    assert _verify(mine.serial_no).json()["status"] == "invalid"


def test_a_key_row_added_in_the_database_with_its_own_id_does_not_vouch_without_a_pinned_copy(issued):
    # The forger inserts a key row of its own (a matching id, no file beside the private keys),
    # points the certificate at it and signs what the row says.
    mine = issued[0]
    forger = Ed25519PrivateKey.generate()
    raw = forger.public_key().public_bytes_raw()
    teo = mine.sitting.agreement.negotiation.certificate.teo
    planted = SigningKey.objects.create(teo=teo, key_id=seals.key_id_of(raw), public_key=base64.b64encode(raw).decode(),
                                        created_at=datetime.now(UTC), retired_at=datetime.now(UTC))
    stored = IssuedCertificate.objects.get(pk=mine.pk)
    forged = base64.b64encode(forger.sign(seals.signed_content(stored, planted.key_id))).decode()
    IssuedCertificate.objects.filter(pk=mine.pk).update(signing_key=planted, seal=forged)
    assert _verify(mine.serial_no).json()["status"] == "invalid"
    assert _verify(issued[1].serial_no).json()["status"] == "valid"


def test_an_unknown_serial_reads_unknown_and_nothing_more(issued):
    for serial in ("X-WEB-01-99999-0001", issued[0].serial_no[:-1], issued[0].serial_no + "0", "x" * 65, "%00"):
        body = _verify(serial).json()
        assert body["status"] == "unknown" and set(body) == NOTHING_MORE
    page = Client().get("/verify/", {"serial": "X-WEB-01-99999-0001"}).content.decode()
    assert 'data-status="unknown"' in page
    for serial in ("\x00", "X-WEB\x00", "X\tWEB"):  # control characters, on PostgreSQL too (a NUL was a 500 there)
        assert 'data-status="unknown"' in Client().get("/verify/", {"serial": serial}).content.decode()
    for serial in ("X-WEB%00", "X%09WEB"):
        assert _verify(serial).json()["status"] == "unknown"


def test_a_revoked_certificate_reads_revoked_and_the_revocation_is_audited(issued):
    mine = issued[0]
    revoked = services.revoke_certificate(user("teo_1"), mine.pk, "考核舞弊 cheating at the sitting")
    body = _verify(mine.serial_no).json()
    assert body["status"] == "revoked" and body["revoked_on"] == services.today().isoformat()
    assert body["holder"] == "李*" and revoked.revoke_reason.startswith("考核舞弊")
    entry = AuditEntry.objects.get(action="certificate_revoked")
    assert entry.actor == user("teo_1") and entry.data == {"certificate": mine.serial_no,
                                                           "college": mine.sitting.college_id,
                                                           "reason": "考核舞弊 cheating at the sitting"}
    assert _verify(issued[1].serial_no).json()["status"] == "valid"


@pytest.mark.parametrize(("who", "reason", "rule", "status"), [
    ("teo_2", "x", "certificate_not_found", 404),
    ("college_42_1", "x", "certificate_not_found", 404),
    ("student", "x", "actor_not_allowed", 403),
    ("ministry", "x", "actor_not_allowed", 403),
    ("teo_1", "  ", "reason_required", 400),
    ("teo_1", "x" * 501, "reason_too_long", 400),
])
def test_only_the_certificates_teo_revokes_and_with_a_reason(issued, who, reason, rule, status):
    with pytest.raises(RuleViolation) as refused:
        services.revoke_certificate(user(who), issued[0].pk, reason)
    assert (refused.value.rule, refused.value.status) == (rule, status)
    assert not IssuedCertificate.objects.filter(revoked_at__isnull=False).exists()


def test_a_certificate_is_revoked_once(issued):
    services.revoke_certificate(user("teo_1"), issued[0].pk, "x")
    answer = api("teo_1").post(f"/api/v1/certificates/{issued[0].pk}/revoke/", {"reason": "again"}, format="json")
    assert (answer.status_code, answer.json()["rule"]) == (409, "certificate_revoked")


def test_look_ups_over_the_configured_limit_are_refused_per_address_until_the_window_passes(issued, settings):
    settings.VERIFY_RATE_LIMIT = "3/60"
    serial = issued[0].serial_no
    with time_machine.travel(datetime(2026, 12, 2, 8, 0, 10, tzinfo=UTC), tick=False) as clock:
        answers = [_verify(serial).status_code for _ in range(2)]
        answers.append(Client().get("/verify/", {"serial": serial}, REMOTE_ADDR="127.0.0.1").status_code)
        refused = _verify(serial)
        page = Client().get("/verify/", {"serial": serial}, REMOTE_ADDR="127.0.0.1")
        assert answers == [200, 200, 200]
        assert refused.status_code == 429 and refused.json()["rule"] == "verification_rate_limited"
        assert refused["Retry-After"] == "50" and refused.json()["params"]["limit"] == "3"
        assert page.status_code == 429 and 'data-rule="verification_rate_limited"' in page.content.decode()
        assert page["Retry-After"] == "50" and "verdict" not in page.content.decode()
        assert _verify(serial, address="10.0.0.2").status_code == 200  # another address has its own count
        assert _verify(serial, address="127.0.0.1").status_code == 429
        clock.shift(50)
        assert _verify(serial).status_code == 200


def test_an_ipv6_client_is_counted_by_its_64_network_however_it_rotates_its_address(issued, settings):
    settings.VERIFY_RATE_LIMIT = "2/60"
    serial = issued[0].serial_no
    with time_machine.travel(datetime(2026, 12, 2, 8, 0, 10, tzinfo=UTC), tick=False):
        rotating = [_verify(serial, address=f"2001:db8:1:2::{n:x}").status_code for n in range(1, 4)]
        assert rotating == [200, 200, 429]
        assert _verify(serial, address="2001:db8:1:3::1").status_code == 200  # the next network
        assert _verify(serial, address="::ffff:192.0.2.7").status_code == 200
        assert _verify(serial, address="192.0.2.7").status_code == 200  # the same IPv4 client
        assert _verify(serial, address="192.0.2.7").status_code == 429


def test_the_refusal_speaks_english_on_request(issued, settings):
    settings.VERIFY_RATE_LIMIT = "1/60"
    with time_machine.travel(datetime(2026, 12, 2, 8, 0, 30, tzinfo=UTC), tick=False):
        _verify(issued[0].serial_no)
        refused = api().get(f"/api/v1/verify/{issued[0].serial_no}/", HTTP_ACCEPT_LANGUAGE="en")
        chinese = api().get(f"/api/v1/verify/{issued[0].serial_no}/").json()["message"]
    assert refused.status_code == 429 and refused.json()["message"] == (
        "At most 1 certificate look-ups per 60 seconds from one address; try again in 30 seconds.")
    assert chinese == "同一地址每 60 秒最多查验证书 1 次；请 30 秒后再试。"


def test_the_public_keys_are_published_and_the_private_ones_stay_in_files_of_the_key_directory(issued, settings):
    listed = api().get("/api/v1/signing-keys/").json()
    key = SigningKey.objects.get()
    assert [(k["key_id"], k["public_key"]) for k in listed] == [(key.key_id, key.public_key)]
    page = Client().get("/verify/keys/").content.decode()
    assert key.public_key in page and "PRIVATE" not in page
    private = settings.CERTIFICATE_KEY_DIR / f"{key.key_id}.pem"
    assert stat.S_IMODE(private.stat().st_mode) == 0o600 and b"PRIVATE KEY" in private.read_bytes()
    assert private.read_bytes().decode() not in str(list(SigningKey.objects.values()))


def test_rotation_keeps_old_certificates_valid_and_signs_new_ones_with_the_next_key(
        issued, hubei_filed, settings, django_capture_on_commit_callbacks):
    old = SigningKey.objects.get()
    teo = Organization.objects.get(pk=old.teo_id)
    with django_capture_on_commit_callbacks(execute=True) as deletions:
        new = seals.rotate(teo)
        assert (settings.CERTIFICATE_KEY_DIR / f"{old.key_id}.pem").exists()  # until the retirement commits
    assert len(deletions) == 1 and not (settings.CERTIFICATE_KEY_DIR / f"{old.key_id}.pem").exists()
    sitting = issued[0].sitting
    [later] = services.issue_certificates(user("teo_1"), sitting, ["张三,2023010004"])
    assert later.signing_key == new and _verify(later.serial_no).json()["key_id"] == new.key_id
    assert _verify(issued[0].serial_no).json()["status"] == "valid"
    assert len(api().get("/api/v1/signing-keys/").json()) == 2


def test_the_command_makes_keys_checks_them_and_signs_certificates_sealed_before_signing(issued, capsys):
    legacy = issued[0]
    IssuedCertificate.objects.filter(pk=legacy.pk).update(signing_key=None, seal=seals.digest_seal(legacy))
    assert _verify(legacy.serial_no).json()["status"] == "invalid"
    call_command("certificate_keys", "--check", "--sign-unsigned")
    out = capsys.readouterr().out
    assert "signed 1 certificate(s)" in out and SigningKey.objects.filter(retired_at=None).count() == 2
    assert _verify(legacy.serial_no).json()["status"] == "valid"


def test_a_certificate_sealed_before_signing_and_edited_since_is_not_signed_and_the_command_fails(issued, capsys):
    # Its holder's name was changed after its old digest seal was made: signing it would vouch for the edit.
    edited, kept = issued
    IssuedCertificate.objects.filter(pk=edited.pk).update(signing_key=None, seal=seals.digest_seal(edited),
                                                            holder_name="王五")
    IssuedCertificate.objects.filter(pk=kept.pk).update(signing_key=None, seal=seals.digest_seal(kept))
    with pytest.raises(CommandError, match="1 certificate"):
        call_command("certificate_keys", "--sign-unsigned")
    assert f"{edited.serial_no}: its row no longer matches its old seal" in capsys.readouterr().err
    assert _verify(edited.serial_no).json()["status"] == "invalid"
    assert IssuedCertificate.objects.get(pk=edited.pk).signing_key is None


def test_behind_trusted_proxies_look_ups_are_counted_by_the_address_the_outermost_proxy_saw(issued, settings):
    settings.VERIFY_RATE_LIMIT = "2/60"
    settings.XCERT_TRUSTED_PROXIES = 1
    serial = issued[0].serial_no
    with time_machine.travel(datetime(2026, 12, 2, 8, 0, 10, tzinfo=UTC), tick=False):
        # One client behind the proxy, forging a new left-hand entry each time: one count.
        forged = [api().get(f"/api/v1/verify/{serial}/", REMOTE_ADDR="10.0.0.9",
                            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 198.51.100.7").status_code for n in range(3)]
        # Another client behind the same proxy keeps its own count.
        other = api().get(f"/api/v1/verify/{serial}/", REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR="198.51.100.8")
    assert forged == [200, 200, 429] and other.status_code == 200
