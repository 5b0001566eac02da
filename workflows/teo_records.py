"""What a TEO and the colleges record for its supervision: assessment plans, training sessions, teachers sent.

"培训评价组织制订并提交9—12月份考核计划安排，按月调度考核任务进展情况": a TEO submits its plan per province
and month of September–December (sittings and headcount); "院校…9、10月份进一步强化派送师资参加培训": it
records the teacher-training sessions it held (province, dates, teachers trained), and each college the
teachers it sent to one. The yellow-card rule (`workflows.supervision.training_start`) reads the sessions.
The ministry hands a delisted TEO's certificate to a TEO of the next batch (`hand_over`).
"""

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from workflows import inputs, permissions, supervision
from workflows.errors import RuleViolation
from workflows.models import (
    AssessmentPlan,
    Certificate,
    Organization,
    Province,
    Replacement,
    Standing,
    TeachersSent,
    TrainingSession,
)
from workflows.participation import FIRST_YEAR
from workflows.roles import Role
from workflows.services import _beijing_day, _require, _visible, act, today

SITTINGS_MAX = 10_000  # one TEO's sittings in one province and month
PLANNED_HEADCOUNT_MAX = 1_000_000  # one TEO's people to assess in one province and month
TEACHERS_MAX = 100_000  # teachers of one training session
SESSION_DAYS_MAX = 366
CODE_MAX = 30


def _bounded(raw, field: str, label, low: int, high: int) -> int:
    """A whole number from `low` to `high`, named in the refusal with its bounds."""
    bounds = {"field": label, "min": low, "max": f"{high:,}"}
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        raise RuleViolation(f"{field}_required", _("The %(field)s is required: a whole number from %(min)s to "
                                                   "%(max)s."), **bounds)
    value = inputs.whole_number(raw)
    if value is None or not low <= value <= high:
        raise RuleViolation(f"{field}_out_of_range", _("The %(field)s is a whole number from %(min)s to %(max)s, "
                                                       "given %(given)s."), given=repr(raw)[:40], **bounds)
    return value


def _province(raw) -> Province:
    pk = inputs.object_id(raw, "province")
    if pk is None:
        raise RuleViolation("province_required", _("Choose the province."))
    return _visible(Province.objects.all(), pk, "province_unknown", _("No such province."))


def _teo_in_pilot(actor) -> Organization:
    person = _require(actor, Role.TEO)
    standing = Standing.objects.filter(teo_id=person.organization_id, state=Standing.State.DELISTED).first()
    if standing is not None:
        raise RuleViolation("teo_delisted_records",
                            _("%(teo)s was delisted (摘牌) on %(on)s: it records no new plan or training; what it "
                              "owes the colleges is settled through their agreements."), 409,
                            teo=person.organization.name, on=_beijing_day(standing.delisted_at))
    return person.organization


def plan_year(raw) -> int:
    this_year = today().year
    return _bounded(raw, "plan_year", _("plan year"), max(FIRST_YEAR, this_year - 1), this_year + 1)


@act("submit_assessment_plan")
@transaction.atomic
def submit_assessment_plan(actor, province, year, month, sittings, headcount) -> AssessmentPlan:
    """A TEO's plan for one province and month of September–December; a second submission replaces it."""
    teo = _teo_in_pilot(actor)
    province = _province(province)
    year = plan_year(year)
    month_value = inputs.whole_number(month) if month not in (None, "") else None
    if month_value not in AssessmentPlan.MONTHS:
        raise RuleViolation("plan_month_september_to_december",
                            _("Assessment plans are for September to December (9—12月份考核计划安排): the month is "
                              "from %(first)s to %(last)s, given %(given)s."), first=9, last=12,
                            given=repr(month)[:40])
    sittings = _bounded(sittings, "plan_sittings", _("number of sittings"), 0, SITTINGS_MAX)
    headcount = _bounded(headcount, "plan_headcount", _("planned headcount"), 0, PLANNED_HEADCOUNT_MAX)
    if (sittings == 0) != (headcount == 0):
        raise RuleViolation("plan_sittings_and_headcount",
                            _("A month with sittings plans people to assess, and one with people plans sittings: "
                              "given %(sittings)s sittings for %(headcount)s people."),
                            sittings=sittings, headcount=headcount)
    plan, _created = AssessmentPlan.objects.update_or_create(
        teo=teo, province=province, year=year, month=month_value,
        defaults={"sittings": sittings, "headcount": headcount, "submitted_by": actor,
                  "submitted_at": timezone.now()})
    return plan


@act("record_training_session")
@transaction.atomic
def record_training_session(actor, province, starts_on, ends_on, teachers_trained) -> TrainingSession:
    """A teacher-training session the TEO held (师资培训): recorded once it has started, never in advance."""
    teo = _teo_in_pilot(actor)
    province = _province(province)
    starts = inputs.day(starts_on, "starts_on")
    ends = inputs.day(ends_on, "ends_on") or starts
    if starts is None:
        raise RuleViolation("starts_on_required", _("The date the training started is required."))
    now = today()
    if starts > now:
        # The yellow-card rule reads the sessions held: a planned session has not started the training.
        raise RuleViolation("training_not_started",
                            _("The training starts on %(starts)s, after today, %(today)s: record a session once it "
                              "has started."), starts=f"{starts:%Y-%m-%d}", today=f"{now:%Y-%m-%d}")
    if ends < starts or (ends - starts).days >= SESSION_DAYS_MAX:
        raise RuleViolation("training_dates",
                            _("The training ends on or after the day it starts and within %(days)s days: given "
                              "%(starts)s to %(ends)s."), days=SESSION_DAYS_MAX, starts=f"{starts:%Y-%m-%d}",
                            ends=f"{ends:%Y-%m-%d}")
    trained = _bounded(teachers_trained, "teachers_trained", _("teachers trained"), 1, TEACHERS_MAX)
    return TrainingSession.objects.create(teo=teo, province=province, starts_on=starts, ends_on=ends,
                                          teachers_trained=trained, recorded_by=actor, recorded_at=timezone.now())


@act("record_teachers_sent")
@transaction.atomic
def record_teachers_sent(actor, session, teachers) -> TeachersSent:
    """The teachers a college sent to a session in its province; all colleges' together within those trained."""
    person = _require(actor, Role.COLLEGE)
    college = person.organization
    session = _visible(TrainingSession.objects.select_for_update(of=("self",)).select_related("teo", "province"),
                       inputs.object_id(session, "session"), "training_session_unknown",
                       _("No such training session in your province."))
    if session.province_id != college.province_id:
        raise RuleViolation("training_session_unknown", _("No such training session in your province."), 404)
    teachers = _bounded(teachers, "teachers_sent", _("teachers sent"), 1, TEACHERS_MAX)
    if TeachersSent.objects.filter(session=session, college=college).exists():
        raise RuleViolation("teachers_already_sent",
                            _("%(college)s already recorded the teachers it sent to this session."), 409,
                            college=college.name)
    others = TeachersSent.objects.filter(session=session).aggregate(total=Sum("teachers"))["total"] or 0
    if others + teachers > session.teachers_trained:
        raise RuleViolation("teachers_sent_within_trained",
                            _("The session trained %(trained)s teachers and colleges already sent %(sent)s: "
                              "at most %(left)s more, given %(given)s."), trained=session.teachers_trained,
                            sent=others, left=session.teachers_trained - others, given=teachers)
    return TeachersSent.objects.create(session=session, college=college, teachers=teachers, recorded_by=actor,
                                       recorded_at=timezone.now())


@act("hand_over_certificate")
@transaction.atomic
def hand_over(actor, certificate, successor_teo, code, name="") -> Replacement:
    """The ministry hands a delisted TEO's certificate to a TEO of the next batch (第四批申报证书来替代).

    The successor's certificate is a new one, of the same assessment mode: the delisted TEO keeps what
    was agreed and issued under the old one; the successor publishes its schedule and new negotiations
    start on it.
    """
    _require(actor, Role.MINISTRY)
    certificate = _visible(Certificate.objects.select_for_update(of=("self",)).select_related("teo"),
                           inputs.object_id(certificate, "certificate"), "certificate_unknown")
    if not supervision.is_delisted(certificate.teo_id):
        raise RuleViolation("hand_over_delisted_only",
                            _("%(certificate)s is handed over only once %(teo)s is delisted (摘牌)."), 409,
                            certificate=certificate.code, teo=certificate.teo.name)
    if Replacement.objects.filter(withdrawn=certificate).exists():
        raise RuleViolation("certificate_handed_over",
                            _("%(certificate)s was already handed to %(successor)s."), 409,
                            certificate=certificate.code, successor=certificate.replacement.successor.teo.name)
    successor = _visible(Organization.objects.filter(kind=Organization.Kind.TEO), inputs.object_id(
        successor_teo, "teo"), "teo_unknown", _("No such training evaluation organization."))
    if successor.pk == certificate.teo_id or supervision.is_delisted(successor):
        raise RuleViolation("successor_in_pilot",
                            _("The certificate passes to another TEO in the pilot, not to %(teo)s."), 409,
                            teo=successor.name)
    code = (code or "").strip() if isinstance(code, str) else ""
    if not code or len(code) > CODE_MAX or Certificate.objects.filter(code=code).exists():
        raise RuleViolation("successor_code",
                            _("Give the successor's certificate a new code of at most %(max)s characters; given "
                              "%(given)s."), max=CODE_MAX, given=repr(code)[:40])
    name = (name.strip() if isinstance(name, str) else "")[:200] or certificate.name
    new = Certificate.objects.create(code=code, name=name, teo=successor, assessment_mode=certificate.assessment_mode)
    return Replacement.objects.create(withdrawn=certificate, successor=new, decided_by=actor,
                                      decided_at=timezone.now())


# --- what each person sees ---------------------------------------------------------------------


def visible_plans(user):
    """Assessment plans: a TEO its own, a province's people the plans for its colleges, the ministry all."""
    return permissions.visible_plans(user)


def visible_sessions(user):
    """Training sessions: a TEO its own, a province's colleges and departments those in the province, the
    ministry all."""
    return permissions.by_province(TrainingSession.objects.select_related("teo", "province"), user)


def visible_teachers_sent(user):
    """Teachers sent: a college its own, the TEO to its sessions, the province's department its colleges',
    the ministry all."""
    person = permissions.person_of(user)
    qs = TeachersSent.objects.select_related("session__teo", "session__province", "college")
    if person is None:
        return qs.none()
    if person.role in (Role.COLLEGE, Role.FINANCE):
        return qs.filter(college=person.organization)
    if person.role == Role.TEO:
        return qs.filter(session__teo=person.organization)
    if person.role == Role.MINISTRY:
        return qs
    if person.organization.kind == Organization.Kind.EDUCATION_DEPT:
        return qs.filter(college__province_id=person.organization.province_id)
    return qs.none()


def overview(year: int, teos=None) -> list[dict]:
    """Per TEO in view: standing, the plan, the training start by the deadline, reports, measures and what it owes."""
    deadline = supervision.training_start_deadline(year)
    rows = []
    for teo in (teos if teos is not None else Organization.objects.filter(kind=Organization.Kind.TEO)).order_by(
            "name"):
        standing = supervision.standing_of(teo)
        start = supervision.training_start(teo, min(deadline, today()) if year == today().year else deadline)
        rows.append({
            "teo": teo, "standing": standing, "plan": supervision.plan_totals(teo, year), "start": start,
            "sessions": TrainingSession.objects.filter(teo=teo, starts_on__year=year).aggregate(
                n=Sum("teachers_trained"))["n"] or 0,
            "reports": teo.progress_reports.filter(year=year).count(),
            "measures": teo.measures.count(),
            "owed": supervision.owed(teo) if standing.state == Standing.State.DELISTED else [],
        })
    return rows


def owed_to(college: Organization) -> list:
    """What every delisted TEO still owes this college, agreement by agreement."""
    delisted = Organization.objects.filter(kind=Organization.Kind.TEO, standing__state=Standing.State.DELISTED)
    return [row for teo in delisted.order_by("name") for row in supervision.owed(teo, college)]
