"""Who hears what: one table of event -> audiences, and how each audience becomes people.

An audience is resolved from the event's context (the negotiation, the acting person, the
college a payment or task concerns); the actor never notifies themselves.
"""
from dataclasses import dataclass

from django.db.models import Q

from workflows.joint_review import DIVISION_ROLES, other
from workflows.models import Complaint, Negotiation, Organization, Person, Role
from workflows.roles import LANE_ROLES

AUDIENCES = {
    "task_assigned": ("task_holders",),
    "invitation_answered": ("alliance_lead",),
    "offer_countered": ("counterparty",),
    "offer_accepted": ("counterparty", "province_reviewers"),
    "offer_rejected": ("counterparty", "province_reviewers"),
    "deadline_passed": ("alliance_lead", "teo"),
    "fee_mediated": ("alliance_lead", "teo"),
    "mediation_failed": ("alliance_lead", "teo"),
    "baseline_verified": ("alliance_members", "teo"),
    "baseline_returned": ("alliance_lead", "teo"),
    "baseline_rejected": ("alliance_lead", "teo"),
    "baseline_superseded": ("alliance_members", "teo"),
    # 会签: each division hears of the other's decision and of the experts it asks (加签); the expert
    # hears of the task by name (task_assigned), the asking division of the opinion given.
    "baseline_reviewed": ("other_division",),
    "expert_opinion_requested": ("other_division",),
    "expert_opinion_given": ("asking_division",),
    "agreement_signed": ("counterparty",),
    "agreement_filed": ("alliance_members", "member_finance", "teo"),
    "assessment_held": ("paying_college_finance",),
    "payment_released": ("teo", "paying_college"),
    "task_due_soon": ("task_holders",),
    # An overdue task of a TEO's supervision (a month's progress report) is escalated to the ministry.
    "task_overdue": ("task_holders", "province_reviewers", "supervising_ministry"),
    "paper_order_placed": ("order_teo",),
    "paper_order_dispatched": ("order_student",),
    "paper_order_delivered": ("order_counterparty",),
    "paper_order_cancelled": ("order_counterparty",),
    "task_taken_over": ("previous_holder",),
    # teo_supervision (动态调整): the TEO's people and the ministry; a delisting also reaches the colleges
    # with filed agreements of its certificates and their provinces' reviewers.
    "progress_reported": ("supervised_teo", "ministry"),
    "progress_report_missed": ("supervised_teo", "ministry"),
    "yellow_card_proposed": ("supervised_teo",),
    "yellow_card_shown": ("supervised_teo", "ministry"),
    "delisting_proposed": ("supervised_teo",),
    "teo_delisted": ("supervised_teo", "ministry", "teo_colleges", "teo_college_reviewers"),
    "measure_declined": ("supervised_teo", "ministry"),
    # 投诉: the TEO hears of the complaint (never who lodged it) and of every decision; the complainant of
    # each step of their complaint; the ministry hears through its tasks (task_assigned).
    "complaint_lodged": ("supervised_teo",),
    "complaint_investigated": ("complainant",),
    "complaint_answered": ("complainant",),
    "complaint_unanswered": ("supervised_teo", "complainant"),
    "complaint_dismissed": ("complainant", "supervised_teo"),
    "measure_decided": ("complainant", "supervised_teo"),
    # 补助资金分配: each college's office and finance hear of the grant released to it
    "subsidy_released": ("paying_college", "paying_college_finance"),
}


@dataclass
class Context:
    """What an event is about; resolvers read only what they need."""

    negotiation: Negotiation | None = None
    actor_id: int | None = None
    college_id: int | None = None
    task_organization_id: int | None = None
    task_lane: str = ""
    order_student_id: int | None = None  # a paper order's student (who ordered it) and its certificate's TEO
    order_teo_id: int | None = None
    previous_holder_id: int | None = None  # who had claimed a task a colleague took over
    task_person_id: int | None = None  # the one person a task is asked of (an expert), if any
    division: str = ""  # the division of the province that decided or asked (会签, 加签)
    teo_id: int | None = None  # the TEO a supervision or complaint event is about
    complaint_id: int | None = None  # the complaint an event is about

    @property
    def actor_organization_id(self) -> int | None:
        return Person.objects.filter(user_id=self.actor_id).values_list("organization_id", flat=True).first()


def _people(q: Q) -> set[int]:
    return set(Person.objects.filter(q).values_list("user_id", flat=True))


def _lead(ctx: Context) -> Q:
    return Q(organization_id=ctx.negotiation.alliance.lead_id, role=Role.COLLEGE)


def _teo(ctx: Context) -> Q:
    return Q(organization_id=ctx.negotiation.certificate.teo_id, role=Role.TEO)


def _members(ctx: Context) -> list[int]:
    alliance = ctx.negotiation.alliance
    return [alliance.lead_id, *alliance.accepted_members().values_list("college_id", flat=True)]


def _reviewers(ctx: Context) -> Q:
    departments = Organization.objects.filter(
        kind=Organization.Kind.EDUCATION_DEPT, province_id=ctx.negotiation.alliance.province_id)
    return Q(organization__in=departments, role=Role.REVIEWER)


def _division(ctx: Context, division: str) -> Q:
    departments = Organization.objects.filter(
        kind=Organization.Kind.EDUCATION_DEPT, province_id=ctx.negotiation.alliance.province_id)
    return Q(organization__in=departments, role=DIVISION_ROLES[division])


def _task_holders(ctx: Context) -> Q:
    if ctx.task_person_id is not None:  # asked of one named person: nobody else of the lane is told
        return Q(user_id=ctx.task_person_id)
    return Q(organization_id=ctx.task_organization_id, role__in=LANE_ROLES.get(ctx.task_lane, set()))


def _counterparty(ctx: Context) -> Q:
    teo_id = ctx.negotiation.certificate.teo_id
    return _lead(ctx) if ctx.actor_organization_id == teo_id else _teo(ctx)


def _order_teo(ctx: Context) -> Q:
    return Q(organization_id=ctx.order_teo_id, role=Role.TEO)


def _order_counterparty(ctx: Context) -> Q:
    # The TEO's act is news to the student, the student's to the TEO.
    if ctx.actor_organization_id == ctx.order_teo_id:
        return Q(user_id=ctx.order_student_id)
    return _order_teo(ctx)


def _ministry(ctx: Context) -> Q:
    return Q(organization__kind=Organization.Kind.MINISTRY, role=Role.MINISTRY)


def _filed_alliances(ctx: Context):
    from workflows.models import Agreement, Alliance

    filed = Agreement.objects.filter(state=Agreement.State.FILED, negotiation__certificate__teo_id=ctx.teo_id)
    return Alliance.objects.filter(negotiations__agreements__in=filed).distinct()


def _teo_colleges(ctx: Context) -> Q:
    """The colleges with a filed agreement of one of the TEO's certificates: the leads and accepted members."""
    from workflows.models import Membership

    alliances = _filed_alliances(ctx)
    members = Membership.objects.filter(alliance__in=alliances, state=Membership.State.ACCEPTED)
    ids = {*alliances.values_list("lead_id", flat=True), *members.values_list("college_id", flat=True)}
    return Q(organization_id__in=ids, role=Role.COLLEGE)


def _teo_college_reviewers(ctx: Context) -> Q:
    provinces = _filed_alliances(ctx).values("province_id")
    departments = Organization.objects.filter(kind=Organization.Kind.EDUCATION_DEPT, province_id__in=provinces)
    return Q(organization__in=departments, role=Role.REVIEWER)


RESOLVERS = {
    "alliance_lead": _lead,
    "teo": _teo,
    "counterparty": _counterparty,
    "province_reviewers": _reviewers,
    "alliance_members": lambda ctx: Q(organization_id__in=_members(ctx), role=Role.COLLEGE),
    "member_finance": lambda ctx: Q(organization_id__in=_members(ctx), role=Role.FINANCE),
    "paying_college_finance": lambda ctx: Q(organization_id=ctx.college_id, role=Role.FINANCE),
    "paying_college": lambda ctx: Q(organization_id=ctx.college_id, role=Role.COLLEGE),
    "task_holders": _task_holders,
    "other_division": lambda ctx: _division(ctx, other(ctx.division)),
    "asking_division": lambda ctx: _division(ctx, ctx.division),
    "order_student": lambda ctx: Q(user_id=ctx.order_student_id),
    "order_teo": _order_teo,
    "order_counterparty": _order_counterparty,
    "previous_holder": lambda ctx: Q(user_id=ctx.previous_holder_id),
    "supervised_teo": lambda ctx: Q(organization_id=ctx.teo_id, role=Role.TEO),  # supervised or complained of
    "ministry": _ministry,
    "supervising_ministry": _ministry,
    "teo_colleges": _teo_colleges,
    "teo_college_reviewers": _teo_college_reviewers,
    "complainant": lambda ctx: Q(user_id__in=Complaint.objects.filter(pk=ctx.complaint_id).values("lodged_by_id")),
}

NEEDS_NEGOTIATION = {"alliance_lead", "teo", "counterparty", "province_reviewers", "alliance_members",
                     "member_finance", "other_division", "asking_division"}
# Audiences of a TEO's supervision: reached only when the context names the TEO.
NEEDS_TEO = {"supervised_teo", "supervising_ministry", "teo_colleges", "teo_college_reviewers"}


def recipients(event: str, ctx: Context) -> set[int]:
    """The user ids an event reaches, without the person who caused it."""
    users: set[int] = set()
    for audience in AUDIENCES[event]:
        if audience in NEEDS_NEGOTIATION and ctx.negotiation is None:
            continue
        if audience in NEEDS_TEO and ctx.teo_id is None:
            continue
        users |= _people(RESOLVERS[audience](ctx))
    users.discard(ctx.actor_id)
    return users
