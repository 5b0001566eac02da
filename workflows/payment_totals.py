"""An alliance's payments under one agreement, summed: what its lead college reads instead of the members' rows.

Each member pays the TEO itself; the lead, which negotiated and signed for all of them, follows
how far the alliance has got (how many colleges assessed and paid, how many people, how much)
without reading any other college's payment, headcount or funding.
"""
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, Sum

from workflows.models import Agreement, Payment


@dataclass(frozen=True)
class AllianceTotals:
    colleges: int  # member colleges paying under the agreement, the lead included
    assessed_colleges: int  # of them, those whose sitting is recorded
    released_colleges: int
    headcount: int  # people assessed in all, make-ups included
    amount_due: Decimal  # computed and not yet released
    amount_released: Decimal


def alliance_totals(agreement: Agreement) -> AllianceTotals:
    """Sum the agreement's payments in one query."""
    released = Q(state=Payment.State.RELEASED)
    figures = Payment.objects.filter(agreement=agreement).aggregate(
        colleges=Count("pk"), assessed_colleges=Count("sitting"), released_colleges=Count("pk", filter=released),
        headcount=Sum("sitting__headcount"), amount_due=Sum("amount", filter=Q(state=Payment.State.DUE)),
        amount_released=Sum("amount", filter=released))
    zero = Decimal("0.00")
    return AllianceTotals(
        colleges=figures["colleges"], assessed_colleges=figures["assessed_colleges"],
        released_colleges=figures["released_colleges"], headcount=figures["headcount"] or 0,
        amount_due=figures["amount_due"] or zero, amount_released=figures["amount_released"] or zero)
