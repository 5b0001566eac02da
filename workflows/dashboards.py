"""What the province and the ministry look at: every figure an aggregate in the database.

No figure is counted by looping over rows in Python: each table below is one query (a few for a
median), whatever the number of negotiations, payments or certificates behind it. A province's
dashboard is what its education department may see (its own province); the ministry reads every
province and the national tables.
"""
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import (
    Case,
    Count,
    DecimalField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from workflows import supervision_process
from workflows.aggregates import count_per_row, quantized, sum_per_row
from workflows.models import (
    MONEY,
    Agreement,
    Alliance,
    AssessmentPlan,
    AssessmentSitting,
    Baseline,
    Certificate,
    Complaint,
    IssuedCertificate,
    Negotiation,
    Organization,
    ParticipationFiling,
    Payment,
    ProgressReport,
    Standing,
    SupervisionMeasure,
)
from workflows.roles import AssessmentMode

# --- building blocks ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Spell:
    """How long one step of the lifecycle took: how many, the median, the slowest and which it was."""

    count: int
    median: timedelta | None
    slowest: timedelta | None
    slowest_of: str = ""

    @property
    def median_days(self) -> float | None:
        return _days(self.median)

    @property
    def slowest_days(self) -> float | None:
        return _days(self.slowest)


def _days(spell: timedelta | None) -> float | None:
    return None if spell is None else round(spell.total_seconds() / 86400, 1)


def _spell(queryset: QuerySet, label) -> Spell:
    """The median and the slowest `duration` of the rows, the database ordering them (two queries)."""
    ordered = queryset.order_by("duration", "pk")
    count = ordered.count()
    if not count:
        return Spell(0, None, None)
    middle = [row["duration"] for row in ordered.values("duration")[(count - 1) // 2: count // 2 + 1]]
    slowest = queryset.order_by("-duration", "pk").first()
    return Spell(count, sum(middle, timedelta()) / len(middle), slowest.duration, label(slowest))


# --- a province --------------------------------------------------------------------------------

COVERAGE = (
    ("verified", _("Verified baseline")),
    ("verifying", _("In verification")),
    ("negotiating", _("In negotiation")),
    ("none", _("Neither negotiated nor verified")),
)


def coverage(province_id: int) -> list[dict]:
    """The certificates of the pilot by how far the province has come with each (one query)."""
    baselines = Baseline.objects.filter(province_id=province_id, certificate=OuterRef("pk"))
    negotiating = Negotiation.objects.filter(alliance__province_id=province_id, certificate=OuterRef("pk"),
                                             state__in=Negotiation.ACTIVE)
    category = Case(
        When(Exists(baselines.filter(state=Baseline.State.VERIFIED)), then=Value("verified")),
        When(Exists(baselines.filter(state__in=[Baseline.State.PENDING, Baseline.State.RETURNED])),
             then=Value("verifying")),
        When(Exists(negotiating), then=Value("negotiating")),
        default=Value("none"))
    counted = dict(Certificate.objects.annotate(category=category).order_by().values("category")
                   .annotate(n=Count("pk")).values_list("category", "n"))
    return [{"key": key, "label": label, "certificates": counted.get(key, 0)} for key, label in COVERAGE]


def baselines_against_caps(province_id: int) -> list[dict]:
    """Each verified baseline of the province beside its mode's cap, the share of the cap it takes (one query)."""
    share = ExpressionWrapper(F("fee") * 100 / F("cap"), output_field=DecimalField(max_digits=7, decimal_places=2))
    rows = (Baseline.objects.filter(province_id=province_id, state=Baseline.State.VERIFIED)
            .annotate(share=share).order_by("certificate__code")
            .values("certificate__code", "certificate__name", "certificate__assessment_mode", "fee", "cap", "share"))
    return [{"code": r["certificate__code"], "certificate": r["certificate__name"],
             "mode": AssessmentMode(r["certificate__assessment_mode"]).label, "fee": r["fee"], "cap": r["cap"],
             "share": round(r["share"], 1)} for r in rows]


def spells(province_id: int) -> dict[str, Spell]:
    """From the first offer to the agreed fee, and from the agreed fee to the province's verification."""
    agreed = (Negotiation.objects.filter(alliance__province_id=province_id, agreed_at__isnull=False)
              .annotate(first_offer=Min("proposals__created_at")).filter(first_offer__isnull=False)
              .annotate(duration=ExpressionWrapper(F("agreed_at") - F("first_offer"), output_field=DurationField())))
    verified = (Baseline.objects.filter(province_id=province_id, verified_at__isnull=False,
                                        negotiation__agreed_at__isnull=False)
                .annotate(duration=ExpressionWrapper(F("verified_at") - F("negotiation__agreed_at"),
                                                     output_field=DurationField())))
    return {
        "offer_to_agreement": _spell(agreed.select_related("alliance", "certificate"),
                                     lambda n: f"{n.alliance.name} × {n.certificate.code}"),
        "agreement_to_verification": _spell(verified.select_related("certificate"), lambda b: b.certificate.code),
    }


def payments_by_college(province_id: int) -> list[dict]:
    """Per college of the province: the payments due and released, counted and summed (one query)."""
    money = DecimalField(**MONEY)
    due, released = Q(state=Payment.State.DUE), Q(state=Payment.State.RELEASED)
    rows = (Payment.objects.filter(college__province_id=province_id).order_by()
            .values("college_id", college_name=F("college__name"))
            .annotate(due=Count("pk", filter=due), released=Count("pk", filter=released),
                      due_amount=Coalesce(Sum("amount", filter=due), 0, output_field=money),
                      released_amount=Coalesce(Sum("amount", filter=released), 0, output_field=money))
            .order_by("college_name"))
    return [{**row, "due_amount": quantized(row["due_amount"]), "released_amount": quantized(row["released_amount"])}
            for row in rows]


def assessed_against_plans(province_id: int, year: int | None = None) -> list[dict]:
    """Per college of the province: the students it filed to take part, the people assessed, the
    certificates issued; of one pilot year (the filings' year, the agreements'), or of every year.

    Four grouped queries, one pass each: a correlated subquery per college would scan the
    certificates once per college (989 ms on the national-scale set, against 12 ms).
    """
    def grouped(queryset, college: str, aggregate) -> dict:
        return dict(queryset.order_by().values(college).annotate(n=aggregate).values_list(college, "n"))

    filings = ParticipationFiling.objects.filter(college__province_id=province_id)
    sittings = AssessmentSitting.objects.filter(college__province_id=province_id)
    issued = IssuedCertificate.objects.filter(sitting__college__province_id=province_id)
    if year is not None:
        filings, sittings = filings.filter(year=year), sittings.filter(agreement__year=year)
        issued = issued.filter(sitting__agreement__year=year)
    planned = grouped(filings, "college_id", Sum("planned_students"))
    assessed = grouped(sittings, "college_id", Sum("headcount"))
    certified = grouped(issued, "sitting__college_id", Count("pk"))
    colleges = Organization.objects.filter(kind=Organization.Kind.COLLEGE, province_id=province_id)
    return [{**college, "planned": planned.get(college["pk"], 0), "assessed": assessed.get(college["pk"], 0),
             "certified": certified.get(college["pk"], 0)}
            for college in colleges.order_by("name").values("pk", "name")]


def _closed_months(year: int) -> list[int]:
    """The months of the dispatch whose report has closed by now (given or missed for good)."""
    now = timezone.now().isoformat()
    return [month for month in AssessmentPlan.MONTHS if supervision_process.report_closing(year, month) <= now]


def _supervision_figures(year: int) -> dict:
    """Per TEO, as annotations: its plan, its reports (late, missed), measures and complaints."""
    closed = _closed_months(year)
    reports = ProgressReport.objects.filter(year=year)
    return {
        "planned_sittings": sum_per_row(AssessmentPlan.objects.filter(year=year), "teo", "sittings"),
        "planned_headcount": sum_per_row(AssessmentPlan.objects.filter(year=year), "teo", "headcount"),
        "reported_assessed": sum_per_row(reports, "teo", "assessed"),
        "reported_certified": sum_per_row(reports, "teo", "certified"),
        "reports": count_per_row(reports, "teo"),
        "late": count_per_row(reports.filter(late=True), "teo"),
        "missed": (Value(len(closed)) - count_per_row(reports.filter(month__in=closed), "teo")) if closed else Value(0),
        "measures_decided": count_per_row(SupervisionMeasure.objects.all(), "teo"),
        "complaints_open": count_per_row(Complaint.objects.filter(
            state__in=[Complaint.State.LODGED, Complaint.State.INVESTIGATING]), "teo"),
        "complaints_decided": count_per_row(Complaint.objects.filter(state=Complaint.State.DECIDED), "teo"),
        "standing_state": Coalesce(F("standing__state"), Value(Standing.State.ACTIVE)),
    }


SUPERVISION_COLUMNS = ("pk", "name", "standing_state", "planned_sittings", "planned_headcount", "reported_assessed",
                       "reported_certified", "reports", "late", "missed", "measures_decided", "complaints_open",
                       "complaints_decided")


def _labelled(rows) -> list[dict]:
    return [{**row, "standing": Standing.State(row["standing_state"]).label} for row in rows]


def flagged_teos(province_id: int, year: int) -> list[dict]:
    """The TEOs at work in the province (a plan or a negotiation there) with a missed or late report, or a
    card or delisting (one query)."""
    here = Q(assessment_plans__province_id=province_id) | Q(
        certificate__negotiations__alliance__province_id=province_id)
    at_work = Organization.objects.filter(here, kind=Organization.Kind.TEO).values("pk")
    flagged = (Organization.objects.filter(pk__in=at_work).annotate(**_supervision_figures(year))
               .filter(Q(missed__gt=0) | Q(late__gt=0) | ~Q(standing_state=Standing.State.ACTIVE)))
    return _labelled(flagged.order_by("name").values(*SUPERVISION_COLUMNS))


def province_dashboard(province_id: int, year: int) -> dict:
    return {"coverage": coverage(province_id), "baselines": baselines_against_caps(province_id),
            "spells": spells(province_id), "payments": payments_by_college(province_id),
            "colleges": assessed_against_plans(province_id), "teos": flagged_teos(province_id, year)}


# --- the nation --------------------------------------------------------------------------------


def fee_spread() -> list[dict]:
    """Per certificate: its verified fee in the provinces, lowest and highest, against its cap (one query).

    "同一证书在同一省域内标准统一" holds within a province; between provinces the fees may differ, and this is
    how far they do.
    """
    rows = (Baseline.objects.filter(state=Baseline.State.VERIFIED).order_by()
            .values("certificate_id", code=F("certificate__code"), certificate_name=F("certificate__name"),
                    mode=F("certificate__assessment_mode"))
            .annotate(provinces=Count("province", distinct=True), lowest=Min("fee"), highest=Max("fee"),
                      cap=Max("cap"))
            .order_by("code"))
    return [{**row, "mode": AssessmentMode(row["mode"]).label, "lowest": quantized(row["lowest"]),
             "highest": quantized(row["highest"]), "cap": quantized(row["cap"]),
             "spread": quantized(row["highest"] - row["lowest"])} for row in rows]


def fees_by_province() -> list[dict]:
    """Every verified baseline: certificate, province, fee (one query), for the table behind the spread."""
    return list(Baseline.objects.filter(state=Baseline.State.VERIFIED)
                .order_by("certificate__code", "province__code")
                .values("fee", "cap", code=F("certificate__code"), province_name=F("province__name")))


def national_counts() -> dict:
    """The pilot in figures: TEOs, certificates, alliances, agreements, people assessed, certificates, paid."""
    money = DecimalField(**MONEY)
    return {
        "teos": Organization.objects.filter(kind=Organization.Kind.TEO).count(),
        "certificates": Certificate.objects.count(),
        "alliances": Alliance.objects.filter(state=Alliance.State.FORMED).count(),
        "agreements": Agreement.objects.filter(state__in=[Agreement.State.SIGNED, Agreement.State.FILED]).count(),
        "people_assessed": AssessmentSitting.objects.aggregate(n=Coalesce(Sum("headcount"), 0))["n"],
        "certificates_issued": IssuedCertificate.objects.count(),
        "paid": quantized(Payment.objects.filter(state=Payment.State.RELEASED).aggregate(
            n=Coalesce(Sum("amount"), 0, output_field=money))["n"]),
    }


def supervision_board(year: int) -> list[dict]:
    """Every TEO: plan against progress, reports late and missed, measures and complaints (one query)."""
    return _labelled(Organization.objects.filter(kind=Organization.Kind.TEO).annotate(**_supervision_figures(year))
                     .order_by("name").values(*SUPERVISION_COLUMNS))


def ministry_dashboard(year: int) -> dict:
    return {"spread": fee_spread(), "fees": fees_by_province(), "counts": national_counts(),
            "board": supervision_board(year)}


def other_provinces(certificate_id: int, province_id: int) -> list[dict]:
    """The certificate's verified baselines in the other provinces, for the reviewer comparing a fee (one query)."""
    return list(Baseline.objects.filter(certificate_id=certificate_id, state=Baseline.State.VERIFIED)
                .exclude(province_id=province_id).order_by("fee", "province__code")
                .values("fee", "verified_at", province_name=F("province__name")))
