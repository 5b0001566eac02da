"""Putting offers on the table: the opening schedule offer and each counter-offer."""
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from workflows import rules
from workflows.caps import cap_for
from workflows.models import CostItem, FeeProposal, Negotiation
from workflows.money import parse_amount

# What the product itself writes beside the rounds it tables: stored in English, shown translated.
PUBLISHED_COMMENT = "Published fee schedule"
MEDIATED_COMMENT = "Mediated by the province"
SYSTEM_COMMENTS = {PUBLISHED_COMMENT: _("Published fee schedule"), MEDIATED_COMMENT: _("Mediated by the province")}


def shown_comment(comment: str) -> str:
    """A round's comment as the reader reads it: the product's own in their language, a party's as typed."""
    return str(SYSTEM_COMMENTS.get(comment, comment))


def round_deadline():
    return timezone.now() + timedelta(days=getattr(settings, "NEGOTIATION_ROUND_DAYS", 7))


def validated_offer(negotiation: Negotiation, fee_raw, lines_raw) -> tuple[Decimal, dict]:
    """Return (fee, lines as strings) after the cap and the cost-line rules."""
    fee = parse_amount(fee_raw, _("assessment fee"))
    mode = negotiation.certificate.assessment_mode
    rules.check_fee_cap(mode, fee, cap_for(mode))
    known = CostItem.objects.filter(active=True).values_list("code", flat=True)
    lines = rules.parse_lines(lines_raw or {}, known)
    rules.check_lines_sum(fee, lines.values())
    return fee, {code: f"{amount:.2f}" for code, amount in lines.items()}


def offer_check(negotiation: Negotiation, fee_raw, lines_raw):
    """The cap of the negotiation's mode and the refusal an offer would meet (None if none); saves nothing.

    The live check of the negotiation room and the API's cap-check both answer from here.
    """
    from workflows.refusals import REFUSED, refusal_of

    cap = cap_for(negotiation.certificate.assessment_mode)
    try:
        validated_offer(negotiation, fee_raw, lines_raw)
    except REFUSED as error:
        return cap, refusal_of(error)
    return cap, None


def offer_next_round(negotiation: Negotiation, party: str, fee: Decimal, lines: dict, author=None,
                comment: str = "") -> FeeProposal:
    """Create the next round's open proposal."""
    last = negotiation.proposals.order_by("-round_no").first()
    return FeeProposal.objects.create(
        negotiation=negotiation,
        round_no=(last.round_no + 1) if last else 1,
        party=party,
        fee=fee,
        lines=lines,
        comment=comment,
        author=author,
        deadline=round_deadline(),
    )


def offer_published_schedule(negotiation: Negotiation) -> FeeProposal:
    """Round 1 is the TEO's published schedule (公示)."""
    schedule = negotiation.schedule
    return offer_next_round(negotiation, FeeProposal.Party.TEO, schedule.fee, dict(schedule.lines),
                       comment=PUBLISHED_COMMENT)
