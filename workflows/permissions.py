"""Who may see what: the one place object access is decided.

A college sees the negotiations of alliances it belongs to (its finance office too); a TEO sees
only negotiations of its own certificates; a reviewer sees only their own province; the
ministry sees everything. Anyone else sees nothing. Views and the API filter through here.
"""
from django.db.models import Q, QuerySet

from workflows.models import Negotiation, Person, Role


def _person(user) -> Person | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Person.objects.select_related("organization").filter(user=user).first()


def visible_negotiations(user) -> QuerySet[Negotiation]:
    """Return the negotiations the user may see; none unless a rule below grants them."""
    person = _person(user)
    qs = Negotiation.objects.select_related("alliance", "certificate")
    if person is None:
        return qs.none()
    org = person.organization
    if person.role in (Role.COLLEGE, Role.FINANCE):
        return qs.filter(Q(alliance__lead=org) | Q(alliance__memberships__college=org)).distinct()
    if person.role == Role.TEO:
        return qs.filter(certificate__teo=org)
    if person.role == Role.REVIEWER:
        return qs.filter(alliance__province_id=org.province_id)
    if person.role == Role.MINISTRY:
        return qs
    return qs.none()


def can_view(user, negotiation: Negotiation) -> bool:
    return visible_negotiations(user).filter(pk=negotiation.pk).exists()
