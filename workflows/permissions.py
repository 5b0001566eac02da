"""Who may see what: the one place object access is decided.

A college sees the negotiations of alliances it belongs to (its finance office too); a TEO sees
only negotiations of its own certificates; a reviewer sees only their own province; the
ministry sees everything. Anyone else sees nothing. Views and the API filter through here.
"""
from django.db.models import CharField, Q, QuerySet, Value
from django.db.models.functions import Cast, Concat

from bpmn.models import AuditEntry, OpenTask, ProcessInstance
from workflows.complaints import COMPLAINANT_ROLES
from workflows.models import (
    Agreement,
    Alliance,
    AssessmentPlan,
    AssessmentSitting,
    Attachment,
    Baseline,
    Certificate,
    Complaint,
    ExpertOpinion,
    Filing,
    IssuedCertificate,
    Negotiation,
    Organization,
    PaperCertificateOrder,
    ParticipationFiling,
    Payment,
    Person,
    Role,
    Student,
    SubsidyAllocation,
    SubsidyRound,
)


def _person(user) -> Person | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Person.objects.select_related("organization").filter(user=user).first()


# The divisions of a province's department that verify together (会签): each sees the province's negotiations.
PROVINCE_DIVISIONS = (Role.REVIEWER, Role.PROVINCIAL_FINANCE)


def visible_negotiations(user) -> QuerySet[Negotiation]:
    """Return the negotiations the user may see; none unless a rule below grants them."""
    person = _person(user)
    qs = Negotiation.objects.select_related("alliance", "certificate")
    if person is None:
        return qs.none()
    org = person.organization
    if person.role in (Role.COLLEGE, Role.FINANCE):
        return qs.filter(Q(alliance__lead=org) | Q(alliance__memberships__college=org)).distinct()
    if person.role == Role.INSTITUTION:  # a provincial pilot institution: the negotiations it leads
        return qs.filter(alliance__lead=org)
    if person.role == Role.TEO:
        return qs.filter(certificate__teo=org)
    if person.role in PROVINCE_DIVISIONS:
        return qs.filter(alliance__province_id=org.province_id)
    if person.role == Role.EXPERT:  # 加签: only what an expert was asked about
        return qs.filter(baselines__expert_opinions__expert=user).distinct()
    if person.role == Role.MINISTRY:
        return qs
    return qs.none()


def can_view(user, negotiation: Negotiation) -> bool:
    return visible_negotiations(user).filter(pk=negotiation.pk).exists()


def negotiation_audience(negotiation: Negotiation) -> dict[str, set[int]]:
    """Who sees a negotiation, by role: the organizations (a province, for reviewers) visible_negotiations grants.

    The inverse of visible_negotiations, for telling the people who see it that it changed (the
    pages' live hints): its alliance's colleges (lead and every membership) with their finance
    offices, its certificate's TEO, the reviewers of its province, and the ministry; a provincial
    pilot institution that leads it; both divisions of its province; the experts (by user) asked for
    an opinion on one of its baselines.
    """
    alliance = negotiation.alliance
    colleges = {alliance.lead_id, *alliance.memberships.values_list("college_id", flat=True)}
    audience = {Role.COLLEGE: colleges, Role.FINANCE: colleges, Role.TEO: {negotiation.certificate.teo_id},
                **{division: {alliance.province_id} for division in PROVINCE_DIVISIONS}, Role.MINISTRY: {0}}
    experts = set(ExpertOpinion.objects.filter(baseline__negotiation=negotiation).values_list("expert_id", flat=True))
    if experts:
        audience[Role.EXPERT] = experts
    if alliance.lead.kind == Organization.Kind.PROVINCIAL_INSTITUTION:
        audience[Role.INSTITUTION] = {alliance.lead_id}
    return audience


def person_of(user) -> Person | None:
    """Return the user's Person, or None for anonymous users and accounts without one."""
    return _person(user)


def visible_alliances(user) -> QuerySet[Alliance]:
    """Alliances the user belongs to, leads, negotiates with, or reviews."""
    person = _person(user)
    qs = Alliance.objects.select_related("lead", "province")
    if person is None:
        return qs.none()
    org = person.organization
    if person.role in (Role.COLLEGE, Role.FINANCE):
        return qs.filter(Q(lead=org) | Q(memberships__college=org)).distinct()
    if person.role == Role.INSTITUTION:
        return qs.filter(lead=org)
    if person.role in PROVINCE_DIVISIONS:
        return qs.filter(province_id=org.province_id)
    if person.role == Role.MINISTRY:
        return qs
    return qs.filter(pk__in=visible_negotiations(user).values("alliance_id"))


def visible_baselines(user) -> QuerySet[Baseline]:
    return Baseline.objects.select_related("certificate", "province", "negotiation__alliance").filter(
        negotiation__in=visible_negotiations(user)
    )


def visible_agreements(user) -> QuerySet[Agreement]:
    return Agreement.objects.select_related(
        "negotiation__alliance", "negotiation__certificate__teo", "baseline"
    ).filter(negotiation__in=visible_negotiations(user))


def visible_filings(user) -> QuerySet[Filing]:
    return Filing.objects.select_related(
        "agreement__negotiation__alliance", "agreement__negotiation__certificate"
    ).filter(agreement__in=visible_agreements(user))


def visible_payments(user) -> QuerySet[Payment]:
    """A college and its finance office see their own college's payments; the others, per negotiation."""
    person = _person(user)
    qs = Payment.objects.select_related("agreement__negotiation__certificate", "college", "sitting")
    if person is None:
        return qs.none()
    # A provincial pilot institution pays nothing itself: like a lead college it reads the alliance's
    # totals (sees_alliance_totals), never another college's payment.
    if person.role in (Role.COLLEGE, Role.FINANCE, Role.INSTITUTION):
        return qs.filter(college=person.organization)
    return qs.filter(agreement__in=visible_agreements(user))


# --- one college's own: its payment, its sitting, its funding -----------------------------

# Inside an alliance each college pays the TEO itself, on its own headcount and from the sources it
# chooses (财政资金、社会资金和自有资金): that is no other member's business. A college and its finance
# office read their own college's; the lead reads the alliance's totals beside its own
# (`alliance_totals`); the TEO that is paid and records the sittings, the province's reviewers who
# supervise and the ministry read every college's of the lifecycles they see.
EVERY_COLLEGE = (Role.TEO, Role.REVIEWER, Role.MINISTRY)
PAYMENT_TASKS = frozenset({"release_payment"})  # the finance lane's tasks: each one college's payment


def college_scope(user) -> int | None:
    """The one college whose payments, sittings and funding the user reads; None for every college's.

    Nobody (anonymous, an account without a person, a student) is scoped to 0, which is no college.
    """
    person = _person(user)
    if person is None:
        return 0
    if person.role in EVERY_COLLEGE:
        return None
    return person.organization_id if person.role in (Role.COLLEGE, Role.FINANCE) else 0


def visible_sittings(user) -> QuerySet[AssessmentSitting]:
    """Sittings of the agreements the user sees: a college's own, or every college's for those who see all."""
    qs = AssessmentSitting.objects.select_related("college").filter(agreement__in=visible_agreements(user))
    scope = college_scope(user)
    return qs if scope is None else qs.filter(college_id=scope)


def college_of_task(task: OpenTask) -> int | None:
    """The college whose payment an open task is about (a release), or None for a task of the whole lifecycle."""
    data = task.data if isinstance(task.data, dict) else {}
    if "payment_id" not in data and task.task_name not in PAYMENT_TASKS:
        return None
    return _as_id(data.get("college_id", task.organization_id))


def college_of_entry(entry: AuditEntry) -> int | None:
    """The college whose payment or sitting an audit entry records, or None for an entry of the whole lifecycle.

    A release (claimed, completed, given back) is the paying college's: its finance office is the only
    one who may act on it, so the actor's organization names the college. An entry written outside
    the engine (a correction, a make-up sitting, a revoked certificate, a paper order) names its
    sitting's college in `college`; a correction or make-up entry without one is no college's.
    """
    data = entry.data if isinstance(entry.data, dict) else {}
    payload = data.get("payload") if isinstance(data.get("payload"), dict) else {}
    if entry.action == "message" and "college_id" in payload:
        return _as_id(payload["college_id"])
    if entry.task_name in PAYMENT_TASKS:
        person = getattr(entry.actor, "person", None) if entry.actor_id else None
        return person.organization_id if person is not None else 0
    # A task's entry holds what was submitted; only an entry of no task is the service's own word.
    if "college" in data and not entry.task_name:
        return _as_id(data.get("college"))
    return None


def _as_id(raw) -> int:
    """An organization id as stored in task or audit data; anything else is 0, which is no college."""
    return int(raw) if isinstance(raw, int) or str(raw).isdigit() else 0


def own_college_only(user, items, college_of) -> list:
    """The items (open tasks, audit entries) the user may read: a scoped user's own college's and the lifecycle's."""
    return within_scope(college_scope(user), items, college_of)


def within_scope(scope: int | None, items, college_of) -> list:
    """The items of the lifecycle as a whole and of the scope's college; all of them for no scope (None)."""
    if scope is None:
        return list(items)
    return [item for item in items if college_of(item) in (None, scope)]


def without_other_colleges_tasks(user, tasks: QuerySet[OpenTask]) -> QuerySet[OpenTask]:
    """An open-task query without the releases of other colleges' payments, for a scoped user."""
    scope = college_scope(user)
    if scope is None:
        return tasks
    others = (Q(data__has_key="payment_id") | Q(task_name__in=PAYMENT_TASKS)) & ~Q(organization_id=scope)
    return tasks.exclude(others)


def sees_alliance_totals(user, agreement: Agreement) -> bool:
    """The alliance's payment totals: its lead college (and finance office), and those who see every college's."""
    if college_scope(user) is None:
        return visible_agreements(user).filter(pk=agreement.pk).exists()
    person = _person(user)
    return person is not None and person.organization_id == agreement.negotiation.alliance.lead_id


# The roles the lists' pages open to; the documents printed from them (the filing register, a payment's voucher)
# open to the same roles, each reading the rows its visibility grants.
FILING_REGISTER_ROLES = (Role.REVIEWER, Role.MINISTRY)
PAYMENTS_ROLES = (Role.FINANCE, Role.COLLEGE, Role.MINISTRY)


def has_role(user, roles) -> bool:
    """Whether the user is a person of one of the roles."""
    person = _person(user)
    return person is not None and person.role in roles


def visible_colleges(user) -> QuerySet[Organization]:
    """Pilot colleges a person may invite or review: their own province's; the ministry every one."""
    person = _person(user)
    qs = Organization.objects.select_related("province").filter(kind=Organization.Kind.COLLEGE)
    if person is None:
        return qs.none()
    if person.role == Role.MINISTRY:
        return qs
    if (person.role in (Role.COLLEGE, Role.FINANCE, Role.REVIEWER, Role.INSTITUTION)
            and person.organization.province_id):
        return qs.filter(province_id=person.organization.province_id)
    return qs.none()


def visible_instances(user) -> QuerySet[ProcessInstance]:
    """Lifecycle instances of visible negotiations (business key 'negotiation:<id>') and the renewals
    of their agreements ('negotiation:<id>/agreement:<id>'), as two subqueries."""
    keys = visible_negotiations(user).annotate(
        key=Concat(Value("negotiation:"), Cast("pk", output_field=CharField()))).values("key")
    renewals = visible_agreements(user).annotate(
        key=Concat(Value("negotiation:"), Cast("negotiation_id", output_field=CharField()),
                   Value("/agreement:"), Cast("pk", output_field=CharField()))).values("key")
    shown = Q(business_key__in=keys) | Q(business_key__in=renewals) | _supervision_keys(user)
    person = _person(user)
    if person is not None and person.role == Role.MINISTRY:
        # The ministry reads a complaint's diagram and trail (its own decisions, who lodged it); the TEO reads
        # the complaint on its own page, without the trail that names the complainant.
        shown |= Q(business_key__startswith="complaint:")
    return ProcessInstance.objects.select_related("definition").filter(shown)


def _supervision_keys(user) -> Q:
    """A TEO's supervision ('supervision:<teo id>:<year>'): the TEO's own people and the ministry see it."""
    person = _person(user)
    if person is not None and person.role == Role.MINISTRY:
        return Q(business_key__startswith="supervision:")
    if person is not None and person.role == Role.TEO:
        return Q(business_key__startswith=f"supervision:{person.organization_id}:")
    return Q(pk__in=[])


def display_name(user) -> str:
    """The name a person is shown by (姓名), never a user name while there is a name; '' for nobody."""
    if user is None:
        return ""
    person = getattr(user, "person", None)
    return ((person.name if person else "") or user.get_full_name() or user.get_username()).strip()


def student_record(user) -> Student | None:
    """The student record of a student's account at their college, or None: whose certificates they read."""
    person = _person(user)
    if person is None or person.role != Role.STUDENT:
        return None
    return Student.objects.filter(account=user, college=person.organization).first()


def own_certificates(user) -> QuerySet[IssuedCertificate]:
    """A student's certificates: issued to their own student record, never to a name they share."""
    person = _person(user)
    qs = IssuedCertificate.objects.select_related("sitting__agreement__negotiation__certificate", "sitting__college",
                                                  "holder")
    if person is None or person.role != Role.STUDENT:
        return qs.none()
    return qs.filter(holder__account=user, holder__college=person.organization)


def teo_certificates(user) -> QuerySet[IssuedCertificate]:
    """The certificates a TEO issued, of its own certificates' sittings: the ones it may revoke."""
    person = _person(user)
    qs = IssuedCertificate.objects.select_related("sitting__agreement__negotiation__certificate", "sitting__college")
    if person is None or person.role != Role.TEO:
        return qs.none()
    return qs.filter(sitting__agreement__negotiation__certificate__teo=person.organization)


def visible_certificates(user) -> QuerySet[IssuedCertificate]:
    """The issued certificates a person may read: a student their own, the ministry every one."""
    person = _person(user)
    if person is not None and person.role == Role.MINISTRY:
        return IssuedCertificate.objects.select_related(
            "sitting__agreement__negotiation__certificate", "sitting__college")
    return own_certificates(user)


def schedule_certificates(user) -> QuerySet[Certificate]:
    """Certificates whose fee schedules a person publishes (a TEO, its own) or supervises (the ministry, all)."""
    person = _person(user)
    qs = Certificate.objects.select_related("teo")
    if person is None:
        return qs.none()
    if person.role == Role.TEO:
        return qs.filter(teo=person.organization)
    if person.role == Role.MINISTRY:
        return qs
    return qs.none()


def visible_paper_orders(user) -> QuerySet[PaperCertificateOrder]:
    """Paper orders a person may read: a TEO those of its certificates, a student their own, the ministry all."""
    person = _person(user)
    qs = PaperCertificateOrder.objects.select_related(
        "certificate__sitting__agreement__negotiation__certificate__teo", "certificate__sitting__college")
    if person is None:
        return qs.none()
    if person.role == Role.TEO:
        return qs.filter(certificate__sitting__agreement__negotiation__certificate__teo=person.organization)
    if person.role == Role.STUDENT:
        return qs.filter(certificate__in=own_certificates(user))
    if person.role == Role.MINISTRY:
        return qs
    return qs.none()


def visible_participation_filings(user) -> QuerySet[ParticipationFiling]:
    """Participation filings: a college its own, a province's reviewers the province's, the ministry all."""
    person = _person(user)
    qs = ParticipationFiling.objects.select_related("college__province", "certificate", "filed_by")
    if person is None:
        return qs.none()
    if person.role in (Role.COLLEGE, Role.FINANCE):
        return qs.filter(college=person.organization)
    if person.role == Role.REVIEWER:
        return qs.filter(college__province_id=person.organization.province_id)
    if person.role == Role.MINISTRY:
        return qs
    return qs.none()


def visible_complaints(user) -> QuerySet[Complaint]:
    """Complaints: a complainant their own (a college's or a province's office those of its staff), the TEO
    those against it, the ministry all. Who lodged one is shown to the complainant and the ministry only
    (`sees_complainant`)."""
    person = _person(user)
    qs = Complaint.objects.select_related("teo", "certificate", "lodged_by__person__organization")
    if person is None:
        return qs.none()
    if person.role == Role.MINISTRY:
        return qs
    if person.role == Role.TEO:
        return qs.filter(teo=person.organization)
    if person.role == Role.STUDENT:
        return qs.filter(lodged_by=user)
    if person.role in (Role.COLLEGE, *PROVINCE_DIVISIONS):
        return qs.filter(lodged_by__person__organization=person.organization,
                         lodged_by__person__role=person.role)
    return qs.none()


def sees_complainant(user) -> bool:
    """A TEO reads the complaints against it without who lodged them: a student or a college is not exposed to
    the organization it complains about. The complainant's own office and the ministry see who."""
    person = _person(user)
    return person is not None and person.role != Role.TEO


def sees_complaint_process(user, complaint_id: int | None) -> bool:
    """A complaint's tasks are seen by the lanes' parties: the ministry, and the TEO it is against."""
    person = _person(user)
    if person is None or complaint_id is None or person.role not in (Role.MINISTRY, Role.TEO):
        return False
    return visible_complaints(user).filter(pk=complaint_id).exists()


def by_province(qs: QuerySet, user) -> QuerySet:
    """A TEO's records (plans, training sessions) as people see them: a TEO its own, the ministry all, the people
    of a province (its colleges and its department) the province's; nobody else anything, a student neither."""
    person = _person(user)
    if person is None:
        return qs.none()
    if person.role == Role.TEO:
        return qs.filter(teo=person.organization)
    if person.role == Role.MINISTRY:
        return qs
    if person.organization.province_id and person.role != Role.STUDENT:
        return qs.filter(province_id=person.organization.province_id)
    return qs.none()


def visible_plans(user) -> QuerySet[AssessmentPlan]:
    """Assessment plans: a TEO its own, a province's people the plans for its colleges, the ministry all."""
    return by_province(AssessmentPlan.objects.select_related("teo", "province"), user)


# --- attachments (附件): a file is seen with its object, and read by those the object's file is for -----------


def attachment_targets(user) -> dict[str, QuerySet]:
    """The objects of each kind whose attachments the user sees: the objects they see."""
    return {"agreement": visible_agreements(user), "plan": visible_plans(user),
            "complaint": visible_complaints(user), "payment": visible_payments(user)}


def visible_attachments(user) -> QuerySet[Attachment]:
    """The attachments of the objects the user sees (whether their files are the user's to read or not)."""
    seen = Q()
    for kind, objects in attachment_targets(user).items():
        seen |= Q(**{f"{kind}__in": objects.values("pk")})
    return Attachment.objects.select_related("uploaded_by__person__organization").filter(seen)


def reads_attachments(user, kind: str) -> bool:
    """Whether the files of an object of `kind` the user sees are theirs to read.

    A complaint's evidence is read by the complainant's side and the ministry: the TEO reads the complaint
    against it without who lodged it, and a scan or a photograph of evidence may name them. Every other
    object's files are read by everyone who sees the object.
    """
    return kind != "complaint" or sees_complainant(user)


def readable_attachments(user) -> QuerySet[Attachment]:
    """The attachments whose files the user may read and download."""
    shown = visible_attachments(user)
    return shown if reads_attachments(user, "complaint") else shown.filter(complaint=None)


def attaches(user, kind: str, target) -> bool:
    """Whether the user may attach a file to the object (which they see): the party the file is for.

    The signed agreement's scan: the alliance's lead (a lead college or the pilot institution) or the TEO that
    signed it. A plan's document: its TEO. Evidence: the complainant's side (the roles that lodge complaints, of
    the complaint they see). A voucher: the finance office of the college that pays.
    """
    person = _person(user)
    if person is None:
        return False
    org = person.organization_id
    if kind == "agreement":
        lead = person.role in (Role.COLLEGE, Role.INSTITUTION) and org == target.negotiation.alliance.lead_id
        return lead or (person.role == Role.TEO and org == target.negotiation.certificate.teo_id)
    if kind == "plan":
        return person.role == Role.TEO and org == target.teo_id
    if kind == "complaint":
        return person.role in COMPLAINANT_ROLES
    if kind == "payment":
        return person.role == Role.FINANCE and org == target.college_id
    return False


# --- subsidies (补助资金分配) -------------------------------------------------------------------


def visible_subsidy_rounds(user) -> QuerySet[SubsidyRound]:
    """Rounds: a province's people their province's; the ministry every one; a college the released ones it shares."""
    person = _person(user)
    qs = SubsidyRound.objects.select_related("province", "created_by__person", "released_by__person")
    if person is None:
        return qs.none()
    if person.role == Role.MINISTRY:
        return qs
    if person.role in (Role.REVIEWER, Role.PROVINCIAL_FINANCE, Role.INSTITUTION):
        return qs.filter(province_id=person.organization.province_id)
    if person.role in (Role.COLLEGE, Role.FINANCE):
        return qs.filter(state=SubsidyRound.State.RELEASED, allocations__college=person.organization)
    return qs.none()


def visible_subsidy_allocations(user) -> QuerySet[SubsidyAllocation]:
    """Allocations of the rounds the user sees; a college its own only."""
    person = _person(user)
    qs = SubsidyAllocation.objects.filter(round__in=visible_subsidy_rounds(user)).select_related("college", "round")
    if person is not None and person.role in (Role.COLLEGE, Role.FINANCE):
        return qs.filter(college=person.organization)
    return qs


def visible_subsidy_colleges(user, province_code: str | None = None) -> QuerySet[Organization]:
    """The colleges whose grants and spending the user may read (绩效考评): its own, its province's, or any."""
    person = _person(user)
    qs = Organization.objects.filter(kind=Organization.Kind.COLLEGE)
    if person is None:
        return qs.none()
    if person.role in (Role.COLLEGE, Role.FINANCE):
        return qs.filter(pk=person.organization_id)
    if person.role in (Role.REVIEWER, Role.PROVINCIAL_FINANCE, Role.INSTITUTION):
        return qs.filter(province_id=person.organization.province_id)
    if person.role == Role.MINISTRY:
        return qs.filter(province__code=province_code) if province_code else qs
    return qs.none()

