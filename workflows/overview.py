"""The ministry's overview: how far every province has come, counted by the database.

One query answers every province at once (a correlated subquery per figure), whatever the number
of alliances, payments or certificates behind the figures.
"""
from django.db.models import DecimalField

from workflows.aggregates import count_per_row, sum_per_row
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


def figures() -> dict:
    """Every figure of the overview, by name, as an annotation of a province."""
    money = DecimalField(**MONEY)
    due = Payment.objects.filter(state=Payment.State.DUE)
    released = Payment.objects.filter(state=Payment.State.RELEASED)
    return {
        "alliances": count_per_row(Alliance.objects.all(), ALLIANCE_PROVINCE),
        **{f"negotiations_{state}": count_per_row(Negotiation.objects.filter(state=state), NEGOTIATION_PROVINCE)
           for state in Negotiation.State.values},
        "baselines_verified": count_per_row(Baseline.objects.filter(state=Baseline.State.VERIFIED), BASELINE_PROVINCE),
        "filings": count_per_row(Filing.objects.all(), FILING_PROVINCE),
        "filings_supervised": count_per_row(Filing.objects.filter(state=Filing.State.UNDER_SUPERVISION),
                                            FILING_PROVINCE),
        "payments_due": count_per_row(due, PAYMENT_PROVINCE),
        "payments_due_amount": sum_per_row(due, PAYMENT_PROVINCE, "amount", money),
        "payments_released": count_per_row(released, PAYMENT_PROVINCE),
        "payments_released_amount": sum_per_row(released, PAYMENT_PROVINCE, "amount", money),
        "people_assessed": sum_per_row(AssessmentSitting.objects.all(), "college__province", "headcount"),
        "certificates_issued": count_per_row(IssuedCertificate.objects.all(), "sitting__college__province"),
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
