"""Supervision of TEOs (动态调整): the yellow-card rule, the measures the ministry decides, delisting.

"我们将对9月上旬仍未在全国及湖北启动师资培训的培训评价组织进行黄牌警告，如还没有及时跟进，将进行摘牌处理，
及时补充、吸纳相关领域第四批申报证书来替代": a TEO that has not started teacher training both nationally
and in 湖北省 by early September (settings.SUPERVISION_TRAINING_START_DAY, the 10th) is proposed for a
yellow card; if it still has not followed up SUPERVISION_FOLLOW_UP_DAYS (30) days after the card,
delisting is proposed. The ministry supervisor decides either, with reasons. Complaints on the grounds
the speech names (捆绑销售、高收费、考核放水、推进不力) end in the same measures.

A delisted TEO's certificates take no new negotiation and its published schedules are withdrawn; the
certificates it issued stay valid; what it still owes each college (not assessed, assessed but not
certified) is listed until settled (`owed`).
"""
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from workflows.errors import RuleViolation
from workflows.models import (
    AssessmentSitting,
    Certificate,
    FeeSchedule,
    Measure,
    Organization,
    Payment,
    Province,
    Standing,
    SupervisionMeasure,
    TrainingSession,
    shown_day,
)

REASONS_MAX = 2000
CARD_MEASURES = {Measure.YELLOW_CARD: "show_yellow_card", Measure.DELISTING: "delist"}


def training_start_deadline(year: int) -> date:
    """The day by which a TEO has started teacher training in the pilot year (9月上旬)."""
    return date(year, 9, settings.SUPERVISION_TRAINING_START_DAY)


def follow_up_deadline(carded_on: date) -> date:
    """The day by which a yellow-carded TEO has followed up, or is proposed for delisting."""
    return carded_on + timedelta(days=settings.SUPERVISION_FOLLOW_UP_DAYS)


def focus_province() -> Province | None:
    return Province.objects.filter(code=settings.SUPERVISION_FOCUS_PROVINCE).first()


@dataclass(frozen=True)
class TrainingStart:
    """Whether a TEO had started teacher training by a day, nationally and in the focus province."""

    national: bool
    focus: bool
    focus_province: str

    @property
    def started(self) -> bool:
        return self.national and self.focus

    def missing(self):
        """What has not started, in words: nationally, in 湖北省, or both."""
        if not self.national:
            return _("nationally and in %(province)s") % {"province": self.focus_province}
        return _("in %(province)s") % {"province": self.focus_province}


def training_start(teo: Organization | int, by: date) -> TrainingStart:
    """Read the TEO's recorded sessions: has one started by `by` anywhere, and one in the focus province?"""
    started = TrainingSession.objects.filter(teo=teo, starts_on__lte=by)
    province = focus_province()
    return TrainingStart(national=started.exists(),
                         focus=province is not None and started.filter(province=province).exists(),
                         focus_province=province.name if province else settings.SUPERVISION_FOCUS_PROVINCE)


def standing_of(teo: Organization | int, lock: bool = False) -> Standing:
    """The TEO's standing: read, a TEO never decided against is in the pilot (no row is written for it);
    locked, for a decision, its row is made first."""
    teo_id = getattr(teo, "pk", teo)
    if not lock:
        return Standing.objects.filter(teo_id=teo_id).first() or Standing(teo_id=teo_id)
    standing, _created = Standing.objects.get_or_create(teo_id=teo_id)
    return Standing.objects.select_for_update().get(pk=standing.pk)


def is_delisted(teo: Organization | int) -> bool:
    return Standing.objects.filter(teo=teo, state=Standing.State.DELISTED).exists()


def refuse_delisted(certificate: Certificate) -> None:
    """A delisted TEO's certificate takes no new negotiation; name its replacement if there is one."""
    standing = Standing.objects.filter(teo_id=certificate.teo_id, state=Standing.State.DELISTED).first()
    if standing is None:
        return
    successor = getattr(getattr(certificate, "replacement", None), "successor", None)
    if successor is not None:
        raise RuleViolation("teo_delisted",
                            _("%(teo)s was delisted (摘牌) on %(on)s: %(certificate)s takes no new negotiation. "
                              "Its replacement is %(successor)s."), 409, teo=certificate.teo.name,
                            on=shown_day(standing.delisted_at), certificate=certificate.code, successor=successor.code)
    raise RuleViolation("teo_delisted",
                        _("%(teo)s was delisted (摘牌) on %(on)s: %(certificate)s takes no new negotiation."), 409,
                        teo=certificate.teo.name, on=shown_day(standing.delisted_at), certificate=certificate.code)


def reasons_text(raw) -> str:
    """A decision's reasons: required text of at most REASONS_MAX characters."""
    text = raw.strip() if isinstance(raw, str) else ""
    if not text:
        raise RuleViolation("measure_reasons_required", _("Give the reasons for the measure: they are published."))
    if len(text) > REASONS_MAX:
        raise RuleViolation("measure_reasons_too_long",
                            _("The reasons are at most %(max)s characters, given %(given)s."),
                            max=REASONS_MAX, given=len(text))
    return text


def measure_kind(raw) -> str:
    if raw not in Measure.values:
        raise RuleViolation("measure_unknown", _("Choose one of the measures: %(measures)s; given %(given)s."),
                            measures=", ".join(str(label) for label in Measure.labels), given=repr(raw)[:40])
    return raw


def decide_measure(actor, teo: Organization | int, kind: str, reasons: str, complaint=None,
                   proposed: bool = False, instance=None) -> SupervisionMeasure:
    """Record a measure the ministry decided, and what a yellow card or delisting changes.

    A yellow card is shown once; a delisted TEO takes no further measure (it has left the pilot).
    Runs inside the caller's transaction; `instance` is the process whose task decides it.
    """
    kind = measure_kind(kind)
    reasons = reasons_text(reasons)
    standing = standing_of(teo, lock=True)
    if standing.state == Standing.State.DELISTED:
        raise RuleViolation("teo_already_delisted", _("%(teo)s was delisted (摘牌) on %(on)s."), 409,
                            teo=standing.teo.name, on=shown_day(standing.delisted_at))
    if kind == Measure.YELLOW_CARD and standing.state == Standing.State.YELLOW_CARD:
        raise RuleViolation("yellow_card_shown",
                            _("%(teo)s was shown a yellow card (黄牌警告) on %(on)s already; the next step is "
                              "delisting (摘牌)."), 409, teo=standing.teo.name, on=shown_day(standing.yellow_card_at))
    now = timezone.now()
    measure = SupervisionMeasure.objects.create(teo_id=standing.teo_id, kind=kind, reasons=reasons,
                                                decided_by=actor, decided_at=now, complaint=complaint,
                                                proposed=proposed)
    if kind in CARD_MEASURES:
        getattr(standing, CARD_MEASURES[kind])(now)
        standing.save()
    if kind == Measure.DELISTING:
        withdraw_schedules(standing.teo_id)
        stop_reporting(standing.teo_id, actor, instance)
    return measure


def stop_reporting(teo_id: int, actor, sender=None) -> list:
    """A delisted TEO reports no more: the month's report its supervision has open closes now.

    The supervision deciding the delisting itself ends by its terminating end event instead.
    """
    from bpmn import engine

    return engine.broadcast_message("teo_delisted", payload={"teo_id": teo_id}, correlation={"teo_id": teo_id},
                                    actor=actor, sender_id=getattr(sender, "pk", None))


def withdraw_schedules(teo_id: int) -> list[FeeSchedule]:
    """Withdraw the delisted TEO's published schedules (公示): nothing can be negotiated on them."""
    schedules = list(FeeSchedule.objects.select_for_update(of=("self",)).filter(certificate__teo_id=teo_id,
                                                                    state=FeeSchedule.State.PUBLISHED))
    for schedule in schedules:
        schedule.withdraw()
        schedule.save()
    return schedules


@dataclass(frozen=True)
class Owed:
    """What a delisted TEO still owes one college under one filed agreement."""

    college_id: int
    college: str
    agreement_id: int
    agreement_no: str
    certificate: str
    planned: int  # the students the college filed to take part with (院校试点备案)
    assessed: int
    certified: int

    @property
    def not_assessed(self) -> int:
        return max(self.planned - self.assessed, 0)

    @property
    def assessed_not_certified(self) -> int:
        return max(self.assessed - self.certified, 0)

    @property
    def settled(self) -> bool:
        return not self.not_assessed and not self.assessed_not_certified


def owed(teo: Organization | int, college: Organization | int | None = None) -> list[Owed]:
    """Per college and filed agreement: what is not yet assessed, and assessed but not certified (先行清算).

    Payment here follows the assessment (据实列支), so nothing is paid for people not yet assessed; what
    stands in its place is the students the college filed to take part with and who have not been
    assessed. A sitting is owed certificates while fewer were issued than people assessed; a revoked
    certificate counts as issued (it was issued, then withdrawn for a cause of its own).
    """
    from workflows.models import Agreement, ParticipationFiling

    payments = Payment.objects.filter(agreement__negotiation__certificate__teo=teo,
                                      agreement__state=Agreement.State.FILED)
    if college is not None:
        payments = payments.filter(college=college)
    payments = list(payments.select_related("agreement__negotiation__certificate", "college").order_by(
        "college__name", "agreement__number"))
    # Three queries however many agreements: the sittings with their certificates counted, the filings summed.
    sittings = {(s.agreement_id, s.college_id): s for s in AssessmentSitting.objects.filter(
        agreement_id__in={p.agreement_id for p in payments}).annotate(certified=Count("certificates"))}
    filings = ParticipationFiling.objects.filter(college_id__in={p.college_id for p in payments}, certificate__teo=teo)
    planned = {(r["college_id"], r["certificate_id"], r["year"]): r["total"] for r in filings.values(
        "college_id", "certificate_id", "year").annotate(total=Sum("planned_students"))}
    rows = []
    for payment in payments:
        agreement = payment.agreement
        sitting = sittings.get((agreement.pk, payment.college_id))
        rows.append(Owed(college_id=payment.college_id, college=payment.college.name, agreement_id=agreement.pk,
                         agreement_no=agreement.number, certificate=agreement.negotiation.certificate.code,
                         planned=planned.get((payment.college_id, agreement.negotiation.certificate_id,
                                              agreement.year), 0),
                         assessed=sitting.headcount if sitting else 0, certified=sitting.certified if sitting else 0))
    return [row for row in rows if not row.settled]


def measures_of(teo: Organization | int):
    """The TEO's measures as published, newest first."""
    return SupervisionMeasure.objects.filter(teo=teo).select_related("complaint").order_by("-decided_at", "-pk")


def plan_totals(teo: Organization | int, year: int) -> dict:
    """The TEO's planned sittings and headcount for September–December of a year, and per month."""
    from workflows.models import AssessmentPlan

    plans = AssessmentPlan.objects.filter(teo=teo, year=year)
    per_month = {row["month"]: row for row in plans.values("month").annotate(
        sittings=Sum("sittings"), headcount=Sum("headcount"), provinces=Count("province", distinct=True))}
    total = plans.aggregate(sittings=Sum("sittings"), headcount=Sum("headcount"))
    return {"months": per_month, "sittings": total["sittings"] or 0, "headcount": total["headcount"] or 0}


def active_teos():
    """The TEOs still in the pilot (not delisted): each has its supervision process."""
    return Organization.objects.filter(kind=Organization.Kind.TEO).exclude(
        Q(standing__state=Standing.State.DELISTED)).order_by("name")
