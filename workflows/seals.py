"""The TEO's electronic seal: an Ed25519 signature of each certificate, checked against the TEO's public key.

A seal was once ``sha256(teo:serial:holder)``, which anyone could recompute. Now each TEO has a
signing key: its private half is a PKCS#8 PEM file ``<key_id>.pem`` (mode 0600) in the key
directory ``settings.CERTIFICATE_KEY_DIR`` (``XCERT_KEY_DIR``, default ``var/certificate-keys/``,
outside the repository; mode 0700), encrypted with ``XCERT_KEY_PASSPHRASE`` when that is set; the
database holds only the public half (`SigningKey`), published at /verify/keys/. Beside each private
key its public half is pinned as ``<key_id>.pub``: a signing-key row edited in the database no
longer matches it and every certificate it would vouch for reads invalid.

A key is generated on first use (the first certificate a TEO issues) or ahead with
``manage.py certificate_keys``; ``--rotate`` retires a TEO's key (its certificates stay verifiable
by the retired public key; the private file is deleted) and makes the next.
"""
import base64
import hashlib
import json
import os
from datetime import UTC
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from workflows.models import IssuedCertificate, Organization, SigningKey

SIGNED_FORMAT = "xcert-certificate-v1"


def key_dir() -> Path:
    """The directory of the TEOs' private keys, made readable by its owner only."""
    path = Path(settings.CERTIFICATE_KEY_DIR)
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def _passphrase() -> serialization.KeySerializationEncryption:
    secret = os.environ.get("XCERT_KEY_PASSPHRASE", "")
    return serialization.BestAvailableEncryption(secret.encode()) if secret else serialization.NoEncryption()


def _raw_public(public: Ed25519PublicKey) -> bytes:
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id_of(raw_public: bytes) -> str:
    return hashlib.sha256(raw_public).hexdigest()[:16]


def _write_new(path: Path, content: bytes) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(content)


@transaction.atomic
def generate(teo: Organization, replace: bool = True) -> SigningKey:
    """A new key for the TEO, its private half written to the key directory; the one in use is retired.

    With replace=False the key in use, if another process made one meanwhile, is kept and returned.
    """
    teo = Organization.objects.select_for_update().get(pk=teo.pk)  # one key in use per TEO
    current = SigningKey.objects.filter(teo=teo, retired_at=None).first()
    if current is not None and not replace:
        return current
    now = timezone.now()
    SigningKey.objects.filter(teo=teo, retired_at=None).update(retired_at=now)
    private = Ed25519PrivateKey.generate()
    raw = _raw_public(private.public_key())
    key_id = key_id_of(raw)
    directory = key_dir()
    _write_new(directory / f"{key_id}.pem", private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, _passphrase()))
    _write_new(directory / f"{key_id}.pub", base64.b64encode(raw))
    return SigningKey.objects.create(teo=teo, key_id=key_id, public_key=base64.b64encode(raw).decode(),
                                     created_at=now)


def key_in_use(teo: Organization) -> SigningKey:
    """The TEO's signing key, generated on first use."""
    key = SigningKey.objects.filter(teo=teo, retired_at=None).first()
    return key if key is not None else generate(teo, replace=False)


@transaction.atomic
def rotate(teo: Organization) -> SigningKey:
    """Retire the TEO's key (deleting its private half) and make the next; signed certificates stay valid."""
    old = list(SigningKey.objects.filter(teo=teo, retired_at=None))
    new = generate(teo)
    directory = key_dir()
    for key in old:
        # Once the retirement is committed: a rolled-back rotation keeps the key in use, so its private half too.
        transaction.on_commit(lambda path=directory / f"{key.key_id}.pem": path.unlink(missing_ok=True))
    return new


def _private(key: SigningKey) -> Ed25519PrivateKey:
    secret = os.environ.get("XCERT_KEY_PASSPHRASE", "")
    pem = (key_dir() / f"{key.key_id}.pem").read_bytes()
    private = serialization.load_pem_private_key(pem, password=secret.encode() if secret else None)
    if key_id_of(_raw_public(private.public_key())) != key.key_id:
        raise ValueError(f"the private key file of {key.key_id} does not match its public key")
    return private


def signed_content(certificate: IssuedCertificate, key_id: str) -> bytes:
    """What a seal signs: everything a verification answers, so an edit of any of it breaks the seal."""
    content = {
        "serial_no": certificate.serial_no,
        "holder_name": certificate.holder_name,
        "holder": certificate.holder_id,
        "sitting": certificate.sitting_id,
        "college": certificate.sitting.college_id,
        "certificate": certificate.sitting.agreement.negotiation.certificate.code,
        "teo": certificate.sitting.agreement.negotiation.certificate.teo_id,
        "issued_at": certificate.issued_at.astimezone(UTC).isoformat(timespec="microseconds"),
        "key": key_id,
    }
    return f"{SIGNED_FORMAT}\n{json.dumps(content, sort_keys=True, ensure_ascii=False)}".encode()


def digest_seal(certificate: IssuedCertificate) -> str:
    """The seal certificates carried before signing: a digest anyone could recompute, of the TEO, serial and holder."""
    teo_id = certificate.sitting.agreement.negotiation.certificate.teo_id
    return hashlib.sha256(f"{teo_id}:{certificate.serial_no}:{certificate.holder_name}".encode()).hexdigest()


def seal(certificate: IssuedCertificate) -> None:
    """Sign the certificate with its TEO's key in use (generated on first use); the caller saves it."""
    key = key_in_use(certificate.sitting.agreement.negotiation.certificate.teo)
    certificate.signing_key = key
    certificate.seal = base64.b64encode(_private(key).sign(signed_content(certificate, key.key_id))).decode()


def _trusted_public(key: SigningKey) -> Ed25519PublicKey | None:
    """The key's public half, if the row still matches its id and the copy pinned beside the private key."""
    try:
        raw = base64.b64decode(key.public_key, validate=True)
        public = Ed25519PublicKey.from_public_bytes(raw)
    except ValueError:
        return None
    if key_id_of(raw) != key.key_id:
        return None
    # A key is the TEO's only if generate() pinned its public half beside the private keys: a row
    # added in the database (with its own id and signatures) has no pinned copy and vouches for nothing.
    pinned = Path(settings.CERTIFICATE_KEY_DIR) / f"{key.key_id}.pub"
    if not pinned.exists() or pinned.read_bytes().strip() != key.public_key.encode():
        return None
    return public


def is_valid(certificate: IssuedCertificate) -> bool:
    """True when the seal is the certificate's TEO's signature of what the row says now."""
    key = certificate.signing_key
    if key is None or key.teo_id != certificate.sitting.agreement.negotiation.certificate.teo_id:
        return False
    public = _trusted_public(key)
    if public is None:
        return False
    try:
        public.verify(base64.b64decode(certificate.seal, validate=True), signed_content(certificate, key.key_id))
    except (InvalidSignature, ValueError):
        return False
    return True


def check_keys() -> list[str]:
    """What is wrong with the keys in use: a private file missing, unreadable or not matching its row."""
    problems = []
    for key in SigningKey.objects.filter(retired_at=None).select_related("teo"):
        try:
            _private(key)
        except (OSError, ValueError, TypeError) as error:
            problems.append(f"{key.teo} {key.key_id}: {error}")
        if _trusted_public(key) is None:
            problems.append(f"{key.teo} {key.key_id}: the public key does not match its id or its pinned copy")
    return problems
