"""The ministry's overview: how far every province has come, counted by the database.

One query answers every province at once (a correlated subquery per figure), whatever the number
of alliances, payments or certificates behind the figures.
"""
from django.db.models import Count, DecimalField, IntegerField, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from workflows.models import (
    MONEY,
    Alliance,
    AssessmentSitting,
    Baseline,
    Filing,
    IssuedCertificate,
    Negotiation,
    Payment,
    Province,
)

# The province each figure is counted in; the lists' province filters follow the same paths.
ALLIANCE_PROVINCE = "province"
NEGOTIATION_PROVINCE = "alliance__province"
BASELINE_PROVINCE = "province"
FILING_PROVINCE = "agreement__negotiation__alliance__province"
PAYMENT_PROVINCE = "college__province"


def _per_province(queryset: QuerySet, province: str, aggregate, output_field):
    """The aggregate of `queryset`'s rows in the outer query's province, 0 when there are none."""
    grouped = (queryset.filter(**{province: OuterRef("pk")}).order_by().values(province)
               .annotate(figure=aggregate).values("figure"))
    return Coalesce(Subquery(grouped, output_field=output_field), 0, output_field=output_field)


def _count(queryset: QuerySet, province: str):
    return _per_province(queryset, province, Count("pk"), IntegerField())


def _sum(queryset: QuerySet, province: str, field: str, output_field):
    return _per_province(queryset, province, Sum(field), output_field)


def figures() -> dict:
    """Every figure of the overview, by name, as an annotation of a province."""
    money = DecimalField(**MONEY)
    due = Payment.objects.filter(state=Payment.State.DUE)
    released = Payment.objects.filter(state=Payment.State.RELEASED)
    return {
        "alliances": _count(Alliance.objects.all(), ALLIANCE_PROVINCE),
        **{f"negotiations_{state}": _count(Negotiation.objects.filter(state=state), NEGOTIATION_PROVINCE)
           for state in Negotiation.State.values},
        "baselines_verified": _count(Baseline.objects.filter(state=Baseline.State.VERIFIED), BASELINE_PROVINCE),
        "filings": _count(Filing.objects.all(), FILING_PROVINCE),
        "filings_supervised": _count(Filing.objects.filter(state=Filing.State.UNDER_SUPERVISION), FILING_PROVINCE),
        "payments_due": _count(due, PAYMENT_PROVINCE),
        "payments_due_amount": _sum(due, PAYMENT_PROVINCE, "amount", money),
        "payments_released": _count(released, PAYMENT_PROVINCE),
        "payments_released_amount": _sum(released, PAYMENT_PROVINCE, "amount", money),
        "people_assessed": _sum(AssessmentSitting.objects.all(), "college__province", "headcount", IntegerField()),
        "certificates_issued": _count(IssuedCertificate.objects.all(), "sitting__college__province"),
    }


def by_province() -> tuple[list[dict], dict]:
    """Each province's figures, in the order of their codes, and the national totals."""
    names = figures()
    provinces = Province.objects.annotate(**names).order_by("code")
    rows = [_row(row, row["code"]) for row in provinces.values("code", "name", *names)]
    # The nation is the sum of its provinces' figures (a few dozen numbers, already counted).
    return rows, _row({name: sum(row[name] for row in rows) for name in names}, None)


def _row(figures_: dict, province: str | None) -> dict:
    """A row of the table: its province code (None for the nation, to filter by) and its negotiations
    as (state, label, count), the states with none left out."""
    negotiations = [(state, label, figures_[f"negotiations_{state}"])
                    for state, label in Negotiation.State.choices if figures_[f"negotiations_{state}"]]
    return {**figures_, "province": province, "negotiations": negotiations}
