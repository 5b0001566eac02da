"""Public verification of a certificate by its serial: valid, revoked, invalid or unknown, without sign-in.

Anyone holding a certificate's serial (an employer, a college) asks here. A valid or revoked
certificate answers with the holder's masked name, the certificate, its TEO and the day it was
issued (and revoked); an invalid one (its seal is not its TEO's signature of what the row says)
and an unknown serial answer nothing else, so the answers tell nothing about other certificates.
Look-ups are counted per client address in Django's cache, at most settings.VERIFY_RATE_LIMIT
("count/seconds") per window; over it a 429 names the rule and when to try again.
"""
import ipaddress
import math
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

from workflows import seals
from workflows.errors import RuleViolation
from workflows.models import IssuedCertificate, shown_day

SERIAL_MAX = IssuedCertificate._meta.get_field("serial_no").max_length
VALID, REVOKED, INVALID, UNKNOWN = "valid", "revoked", "invalid", "unknown"
STATUS_TEXT = {VALID: _("Valid: issued online by its training evaluation organization, seal verified."),
               REVOKED: _("Revoked by its training evaluation organization."),
               INVALID: _("Invalid: the seal is not its training evaluation organization's signature of this "
                          "certificate."),
               UNKNOWN: _("No certificate has this serial number.")}


@dataclass
class Verdict:
    """A verification's answer: the status, and the certificate's public facts when it is vouched for."""

    serial_no: str
    status: str
    facts: dict = field(default_factory=dict)

    @property
    def text(self) -> str:
        return str(STATUS_TEXT[self.status])

    def as_dict(self) -> dict:
        return {"serial_no": self.serial_no, "status": self.status, "message": self.text, **self.facts}


def masked(name: str) -> str:
    """A holder's name with all but its first and last characters hidden: 李明 → 李*, 欧阳小明 → 欧**明."""
    name = name.strip()
    if len(name) <= 2:
        return name[:1] + "*" * (len(name) - 1)
    return name[0] + "*" * (len(name) - 2) + name[-1]


def verify(serial_no) -> Verdict:
    """Check the certificate of this serial against its TEO's public key."""
    serial_no = serial_no.strip() if isinstance(serial_no, str) else ""
    certificate = None
    # A serial is printable text: a NUL or another control character names no certificate (and
    # PostgreSQL refuses a NUL in a query's text outright).
    if serial_no and len(serial_no) <= SERIAL_MAX and serial_no.isprintable():
        certificate = IssuedCertificate.objects.select_related(
            "signing_key", "sitting__agreement__negotiation__certificate__teo").filter(serial_no=serial_no).first()
    if certificate is None:
        return Verdict(serial_no[:SERIAL_MAX], UNKNOWN)
    if not seals.is_valid(certificate):
        return Verdict(serial_no, INVALID)
    kind = certificate.sitting.agreement.negotiation.certificate
    facts = {"holder": masked(certificate.holder_name), "certificate": kind.code, "certificate_name": kind.name,
             "teo": kind.teo.name, "issued_on": shown_day(certificate.issued_at),
             "key_id": certificate.signing_key.key_id,
             "revoked_on": shown_day(certificate.revoked_at) if certificate.revoked_at else None}
    return Verdict(serial_no, REVOKED if certificate.revoked_at else VALID, facts)


def rate() -> tuple[int, int]:
    """The configured limit: at most `count` look-ups per `seconds` from one client address."""
    count, _, seconds = str(settings.VERIFY_RATE_LIMIT).partition("/")
    return int(count), int(seconds or 60)


def count_look_up(address: str | None) -> None:
    """Count one look-up of the address in the current window; refuse one over the limit with a 429."""
    limit, period = rate()
    now = time.time()
    window = int(now // period)
    key = f"verify:{counted_as(address)}:{window}"
    cache.add(key, 0, timeout=period + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=period + 1)
        count = 1
    if count > limit:
        retry_after = max(1, math.ceil((window + 1) * period - now))
        raise RuleViolation("verification_rate_limited",
                            _("At most %(limit)s certificate look-ups per %(period)s seconds from one address; try "
                              "again in %(retry_after)s seconds."), 429, limit=limit, period=period,
                            retry_after=retry_after)


def counted_as(address: str | None) -> str:
    """The count an address falls in: an IPv6 client by its /64 (one subscriber's network, whose
    addresses it may rotate at will), an IPv4 client by its address."""
    try:
        parsed = ipaddress.ip_address(address or "")
    except ValueError:
        return "unknown"
    if parsed.version == 4:
        return str(parsed)
    if parsed.ipv4_mapped is not None:
        return str(parsed.ipv4_mapped)
    return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
