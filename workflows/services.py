"""The one door for every change in the negotiation domain.

Pages, the API, commands and tests call these functions; each opens one transaction, takes
the user and an object or its id, and refuses in one order: what the user may not see is a
404, a role or lane that may not act a 403, then the input and the state (400/409), then the
change with its audit row. The acts are registered in ACTS: the portal and the API are thin
adapters over them, and a test drives every act's refusals through both. Task completions go
through `complete`, which hands over to the engine (lock, action, advance, save, projections).
"""
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bpmn import engine
from bpmn.models import AuditEntry, OpenTask, ProcessInstance
from workflows import (
    complaints,
    contracts,
    events,
    inputs,
    participation,
    permissions,
    rules,
    seals,
    students,
    supervision,
)
from workflows.caps import cap_for
from workflows.errors import RuleViolation
from workflows.models import (
    Agreement,
    Alliance,
    AssessmentSitting,
    Baseline,
    Certificate,
    Complaint,
    FeeSchedule,
    IssuedCertificate,
    MakeUpSitting,
    Membership,
    Negotiation,
    Organization,
    PaperCertificateOrder,
    ParticipationFiling,
    Payment,
    Person,
    Role,
)
from workflows.money import parse_amount, to_fen
from workflows.proposals import validated_offer
from workflows.roles import LANE_ROLES, PERSONAL_LANES

LIFECYCLE = "certificate_lifecycle"
FIELD_LABELS = {"recipient": _("recipient"), "phone": _("phone number"), "address": _("delivery address"),
                "reason": _("reason"), "name": _("alliance name"), "training_plan": _("training plan"),
                "services": _("service")}
RENEWAL = "agreement_renewal"
ACTS: dict[str, Callable] = {}


def act(name: str) -> Callable[[Callable], Callable]:
    """Register the one function both edges call for an act (the parity test asks a case of each)."""
    def register(function: Callable) -> Callable:
        ACTS[name] = function
        return function
    return register


NOT_YOURS = _("Not found, or not yours to see.")


def _visible(queryset, ref, rule: str, message=NOT_YOURS):
    """The object (or id) `ref` if it is among what the user may see; anything else is a 404."""
    pk = getattr(ref, "pk", ref)
    found = queryset.filter(pk=pk).first() if str(pk).isdigit() else None
    if found is None:
        raise RuleViolation(rule, message, 404)
    return found


def acting_person(user) -> Person:
    """The acting person, or a refusal: the services act only for someone with an organization."""
    person = permissions.person_of(user)
    if person is None:
        raise RuleViolation("not_a_participant", _("The user has no organization."), 403)
    return person


def _require(user, role: str, organization: Organization | None = None) -> Person:
    person = acting_person(user)
    if person.role != role or (organization is not None and person.organization_id != organization.pk):
        if organization is None:
            raise RuleViolation("actor_not_allowed", _("Only a %(role)s may do this."), 403, role=Role(role).label)
        raise RuleViolation("actor_not_allowed", _("Only a %(role)s of %(organization)s may do this."), 403,
                            role=Role(role).label, organization=organization.name)
    return person


def lifecycle_key(negotiation: Negotiation) -> str:
    return f"negotiation:{negotiation.pk}"


def renewal_key(agreement: Agreement) -> str:
    """The renewal of one agreement sits under its negotiation: 'negotiation:<id>/agreement:<id>'."""
    return f"negotiation:{agreement.negotiation_id}/agreement:{agreement.pk}"


def agreement_id_of_key(business_key: str) -> int | None:
    """The inverse of renewal_key: the agreement id of a renewal instance, or None."""
    prefix, _, pk = (business_key or "").rpartition("/")[2].partition(":")
    return int(pk) if prefix == "agreement" and pk.isdigit() else None


def negotiation_id_of_key(business_key: str) -> int | None:
    """The inverse of lifecycle_key (and renewal_key): the negotiation id of an instance, or None."""
    prefix, _, pk = (business_key or "").split("/", 1)[0].partition(":")
    return int(pk) if prefix == "negotiation" and pk.isdigit() else None


# --- fee schedules (公示) ----------------------------------------------------------------


@act("publish_schedule")
@transaction.atomic
def publish_schedule(actor, certificate: Certificate | int, fee, lines: dict, *, paper_copy_price,
                     training_plan: str = "", services: list | None = None) -> FeeSchedule:
    """Publish a TEO's fee standard and paper-copy price in advance (提前公示); replaces its previous schedule."""
    # Certificates are public (the disclosure lists them): another TEO's is not hidden, it is not theirs.
    certificate = _visible(Certificate.objects.select_related("teo"), _chosen_certificate(certificate),
                           "certificate_unknown")
    _require(actor, Role.TEO, certificate.teo)
    supervision.refuse_delisted(certificate)  # a delisted TEO publishes nothing more (摘牌)
    probe = Negotiation(certificate=certificate)
    fee_value, clean_lines = validated_offer(probe, fee, lines)
    paper_price = _paper_copy_price(paper_copy_price)
    training_plan = _bounded_text(training_plan, "training_plan", 5000)
    services = _offered_services(services)
    for old in FeeSchedule.objects.select_for_update().filter(
        certificate=certificate, state=FeeSchedule.State.PUBLISHED
    ):
        old.withdraw()
        old.save()
    schedule = FeeSchedule(certificate=certificate, fee=fee_value, cap=cap_for(certificate.assessment_mode),
                           lines=clean_lines, paper_copy_price=paper_price, training_plan=training_plan,
                           services=services or [])
    schedule.publish(timezone.now())
    schedule.save()
    return schedule


def _chosen_certificate(raw) -> int:
    pk = inputs.object_id(raw, "certificate")
    if pk is None:
        raise RuleViolation("certificate_required", _("Choose a certificate."))
    return pk


def _offered_services(raw) -> list[str]:
    """The services a schedule offers: a list of short texts, blank ones dropped."""
    if raw is None:
        return []
    if not isinstance(raw, list | tuple) or not all(isinstance(item, str) for item in raw):
        raise RuleViolation("services_not_a_list", _("The services offered are a list of texts, given %(given)s."),
                            given=repr(raw)[:40])
    return [text for text in (_bounded_text(item, "services", 200) for item in raw) if text]


def _paper_copy_price(raw):
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        raise RuleViolation("paper_copy_price_required",
                            _("Publish the price of a paper copy, delivery included."))
    price = parse_amount(raw, _("paper copy price"))
    rules.check_paper_certificate_price(price)
    return price


# --- participation filings (院校试点备案) ----------------------------------------------------


@act("file_participation")
@transaction.atomic
def file_participation(actor, certificate: Certificate | int | None, year, planned_students) -> ParticipationFiling:
    """A college files that it takes part in the pilot for a certificate and year, with its planned students.

    A filing, not an approval (备案不是审批): it is recorded at once, refused only as a duplicate or for
    numbers that are none, and no configuration may set a threshold (各省厅不得对申报试点工作设置门槛).
    """
    participation.refuse_threshold(dir(settings))
    person = _require(actor, Role.COLLEGE)
    if person.organization.kind != Organization.Kind.COLLEGE or person.organization.province_id is None:
        raise RuleViolation("participation_by_college",
                            _("Only a pilot college of a province files its participation."), 403)
    certificate = _visible(Certificate.objects.all(), _chosen_certificate(certificate), "certificate_unknown")
    year = participation.batch_year(year, today().year)
    planned = participation.planned_students(planned_students)
    college = Organization.objects.select_for_update().get(pk=person.organization_id)  # one filing at a time
    filed = ParticipationFiling.objects.filter(college=college, certificate=certificate, year=year).first()
    if filed is not None:
        raise RuleViolation(
            "participation_already_filed",
            _("%(college)s filed its participation in %(certificate)s for %(year)s on %(on)s, with %(planned)s "
              "planned students."), 409,
            college=college.name, certificate=certificate.code, year=year, on=_beijing_day(filed.filed_at),
            planned=filed.planned_students)
    return ParticipationFiling.objects.create(college=college, certificate=certificate, year=year,
                                              planned_students=planned, filed_at=timezone.now(), filed_by=actor)


# --- complaints against a TEO (投诉) ----------------------------------------------------------


@act("lodge_complaint")
@transaction.atomic
def lodge_complaint(actor, teo: Organization | int | None, ground, account, evidence,
                    certificate: Certificate | int | None = None) -> Complaint:
    """A pilot college, a province or a student complains about a TEO, with evidence; the ministry investigates.

    Starts the `complaint` process (business key 'complaint:<id>'); the TEO hears of it, never who lodged it.
    """
    person = acting_person(actor)
    if person.role not in complaints.COMPLAINANT_ROLES or not _complainant_organization(person):
        raise RuleViolation("actor_not_allowed",
                            _("Only a pilot college, a province's education department or a student may lodge a "
                              "complaint against a training evaluation organization."), 403)
    teo_id = inputs.object_id(teo, "teo")
    if teo_id is None:
        raise RuleViolation("teo_required", _("Choose the training evaluation organization complained about."))
    teo = _visible(Organization.objects.filter(kind=Organization.Kind.TEO), teo_id, "teo_unknown")
    ground = complaints.ground(ground)
    account = complaints.account(account)
    evidence = complaints.evidence(evidence)
    certificate = _complained_certificate(teo, certificate)
    if supervision.is_delisted(teo):  # it has left the pilot: nothing more is decided against it
        standing = supervision.standing_of(teo)
        raise RuleViolation("teo_already_delisted",
                            _("%(teo)s has left the pilot, delisted on %(on)s: no complaint is taken against it."),
                            409, teo=teo.name, on=_beijing_day(standing.delisted_at))
    complaint = Complaint.objects.create(teo=teo, certificate=certificate, ground=ground, account=account,
                                         evidence=evidence, lodged_by=actor, lodged_at=timezone.now())
    engine.start(complaints.PROCESS, business_key=complaints.complaint_key(complaint),
                 data={"complaint_id": complaint.pk, "teo_id": teo.pk}, actor=actor)
    events.emit("complaint_lodged", complaint=complaint, teo=teo, actor=actor)
    return complaint


def _complainant_organization(person: Person) -> bool:
    """A college's staff or student is of a college; a province's reviewers are of its education department."""
    kind = person.organization.kind
    if person.role in (Role.COLLEGE, Role.STUDENT):
        return kind == Organization.Kind.COLLEGE
    return kind == Organization.Kind.EDUCATION_DEPT


def _complained_certificate(teo: Organization, raw) -> Certificate | None:
    pk = inputs.object_id(raw, "certificate")
    if pk is None:
        return None
    certificate = _visible(Certificate.objects.all(), pk, "certificate_unknown")
    if certificate.teo_id != teo.pk:
        raise RuleViolation("complaint_certificate_not_of_teo",
                            _("%(certificate)s is not a certificate of %(teo)s."),
                            certificate=certificate.code, teo=teo.name)
    return certificate


# --- starting a lifecycle ----------------------------------------------------------------


@act("start_lifecycle")
@transaction.atomic
def start_lifecycle(actor, certificate: Certificate | int | None, alliance: Alliance | None = None,
                    alliance_name: str = "") -> Negotiation:
    """Begin negotiating a certificate: form a new alliance, or use one already registered.

    The negotiating party is led by a pilot college (院校联盟) or by the province's pilot institution
    negotiating for the province's colleges (省级试点机构); either way its members are colleges.
    """
    person = _negotiator(actor)
    certificate = _visible(Certificate.objects.all(), _chosen_certificate(certificate), "certificate_unknown")
    alliance_name = _bounded_text(alliance_name, "name", 200)
    supervision.refuse_delisted(certificate)
    schedule = _published_schedule(certificate)
    alliance = alliance or _new_alliance(person, alliance_name)
    if alliance.lead_id != person.organization_id:
        raise RuleViolation("alliance_lead_only", _("Only the lead college may start a negotiation."), 403)
    if alliance.state == Alliance.State.DISSOLVED:
        raise RuleViolation("alliance_dissolved", _("The alliance was not formed."), 409)
    _refuse_second_active(alliance, certificate)
    negotiation = Negotiation.objects.create(alliance=alliance, certificate=certificate, schedule=schedule)
    if alliance.state == Alliance.State.FORMED:
        negotiation.begin_screening()
        negotiation.save()
    engine.start(LIFECYCLE, business_key=lifecycle_key(negotiation), actor=actor,
                 data=_lifecycle_data(negotiation))
    return negotiation


def _published_schedule(certificate: Certificate) -> FeeSchedule:
    schedule = certificate.schedules.filter(state=FeeSchedule.State.PUBLISHED).first()
    if schedule is None:
        raise RuleViolation(
            "schedule_published_first",
            _("The TEO must publish its fee schedule in advance; %(certificate)s has none."),
            409,
            certificate=certificate.code,
        )
    return schedule


NEGOTIATORS = {Role.COLLEGE: Organization.Kind.COLLEGE, Role.INSTITUTION: Organization.Kind.PROVINCIAL_INSTITUTION}


def _negotiator(actor) -> Person:
    """A pilot college's staff or a provincial pilot institution's officer: who leads a negotiating party."""
    person = acting_person(actor)
    if person.role not in NEGOTIATORS:
        raise RuleViolation("actor_not_allowed", _("Only a %(role)s or a %(other)s may do this."), 403,
                            role=Role.COLLEGE.label, other=Role.INSTITUTION.label)
    return person


def _new_alliance(person: Person, name: str) -> Alliance:
    lead = person.organization
    if lead.kind != NEGOTIATORS[person.role] or lead.province_id is None:
        raise RuleViolation("alliance_lead_college",
                            _("The lead must be a pilot college or a provincial pilot institution of a province."), 403)
    if lead.kind == Organization.Kind.PROVINCIAL_INSTITUTION:
        # The institution negotiates and signs, but it is no member: it neither counts toward the
        # model's minimum nor pays; each member college pays its own share on its own headcount.
        return Alliance.objects.create(name=name or f"{lead.name}（代表本省试点院校）", lead=lead,
                                       province=lead.province)
    alliance = Alliance.objects.create(name=name or f"{lead.name}牵头联盟", lead=lead, province=lead.province)
    membership = Membership.objects.create(alliance=alliance, college=lead, is_lead=True)
    membership.accept(timezone.now())
    membership.save()
    return alliance


def _refuse_second_active(alliance: Alliance, certificate: Certificate) -> None:
    if alliance.negotiations.filter(certificate=certificate, state__in=Negotiation.ACTIVE).exists():
        raise RuleViolation(
            "one_active_negotiation",
            _("%(alliance)s already has an active negotiation for %(certificate)s."),
            409,
            alliance=alliance.name,
            certificate=certificate.code,
        )


def _lifecycle_data(negotiation: Negotiation) -> dict:
    alliance = negotiation.alliance
    return {
        "negotiation_id": negotiation.pk,
        "alliance_id": alliance.pk,
        "certificate_id": negotiation.certificate_id,
        "province_id": alliance.province_id,
        "assessment_mode": negotiation.certificate.assessment_mode,
        "alliance_formed": alliance.state == Alliance.State.FORMED,
        "verification_returns": 0,
    }


# --- tasks -------------------------------------------------------------------------------


TASK_NOT_FOUND = _("No such task, or not yours to see.")


def task_for(user, task_id) -> OpenTask:
    """The open task, if the user may see it: its lifecycle is theirs to see (and its payment, if any).

    Seeing a task is not acting on it: `can_act` says whether its lane is the user's. A task
    someone already completed is a 409 naming who and when (a second click, a faster colleague);
    a task of a lifecycle the user may not see is a 404, as is an unknown one.
    """
    task = OpenTask.objects.select_related("instance", "claimed_by").filter(task_id=_uuid_text(task_id)).first()
    if task is None:
        _refuse_done(user, task_id)
        raise RuleViolation("task_not_found", TASK_NOT_FOUND, 404)
    if not _sees_task(user, task):
        raise RuleViolation("task_not_found", TASK_NOT_FOUND, 404)
    return task


def _uuid_text(task_id) -> str | None:
    """The task id as a UUID's text, or None: 36 hex digits or dashes that are no UUID are an unknown task."""
    text = str(task_id or "")
    try:
        parsed = uuid.UUID(text)
    except ValueError:
        return None
    return str(parsed) if len(text) == 36 and str(parsed) == text.lower() else None


def _sees_task(user, task: OpenTask) -> bool:
    complaint_id = complaints.complaint_id_of_key(task.instance.business_key)
    if complaint_id is not None:
        return permissions.sees_complaint_process(user, complaint_id)
    if not permissions.visible_instances(user).filter(pk=task.instance_id).exists():
        return False
    payment_id = (task.data or {}).get("payment_id")  # a college sees only its own payments
    return payment_id is None or permissions.visible_payments(user).filter(pk=payment_id).exists()


def _refuse_done(user, task_id) -> None:
    done = AuditEntry.objects.select_related("actor").filter(task_id=_uuid_text(task_id), action="completed").first()
    if done is not None and permissions.visible_instances(user).filter(pk=done.instance_id).exists():
        at = timezone.localtime(done.at, ZoneInfo(settings.DISPLAY_TIME_ZONE))
        raise RuleViolation(
            "task_not_ready", _("The task was already completed by %(actor)s at %(at)s (Beijing time)."), 409,
            actor=str(done.actor), at=f"{at:%Y-%m-%d %H:%M}")


def can_act(user, task: OpenTask) -> bool:
    """Whether the task's lane is the user's: their role, in the organization that holds it."""
    person = permissions.person_of(user)
    if task.role in PERSONAL_LANES and task.claimed_by_id != getattr(user, "pk", None):
        return False  # asked of one named person (加签): nobody else of the lane acts on it
    return (person is not None and task.organization_id == person.organization_id
            and person.role in LANE_ROLES.get(task.role, set()))


def lifecycle_tasks(user, instance: ProcessInstance) -> list[OpenTask]:
    """The open tasks of the instance's lifecycle (its renewals included) that the user may see."""
    key = (instance.business_key or "").split("/", 1)[0]
    tasks = OpenTask.objects.select_related("instance", "claimed_by").filter(
        Q(instance__business_key=key) | Q(instance__business_key__startswith=f"{key}/")).order_by(
        "created_at", "pk")
    return [task for task in tasks if _sees_task(user, task)]


@act("claim")
def claim(user, task_id) -> OpenTask:
    """Take a group task for oneself: visible, in the user's lane, claimed by nobody else."""
    task = task_for(user, task_id)
    return engine.claim(task.task_id, user)


@act("unclaim")
def unclaim(user, task_id) -> OpenTask:
    """Give a task one claimed back to the group; a task asked of one person has no group to go back to."""
    task = task_for(user, task_id)
    if task.role in PERSONAL_LANES:
        raise RuleViolation("personal_task", _("This task was asked of you by name; it cannot be released to "
                                               "others."), 409)
    return engine.unclaim(task.task_id, user)


TAKE_OVER_REASON_MAX = 500


@act("take_over")
def take_over(user, task_id, reason: str = "") -> OpenTask:
    """Take over a task a colleague of the same lane claimed, saying why; they are told, and it is audited."""
    task = task_for(user, task_id)
    engine.authorize(user, task)
    reason = _order_text(reason, "reason", _("reason"), TAKE_OVER_REASON_MAX, required=True)
    taken, previous = engine.take_over(task.task_id, user, reason)
    events.emit("task_taken_over", negotiation=events.negotiation_of_instance(taken.instance), actor=user,
                task_id=str(taken.task_id), task_label=taken.label, previous_holder_id=previous.pk, reason=reason)
    return taken


def release_task_ids(payments) -> dict[int, str]:
    """Payment id -> the id of its open release task, for a page of payments, in one query."""
    ids = [payment.pk for payment in payments]
    tasks = OpenTask.objects.filter(task_name="release_payment", data__payment_id__in=ids) if ids else []
    return {task.data["payment_id"]: str(task.task_id) for task in tasks}


@dataclass(frozen=True)
class Outcome:
    """What completing a task did: the task, the data its action returned, the instance it moved."""

    task: OpenTask
    instance: ProcessInstance
    data: dict
    result: dict

    @property
    def decision(self) -> str | None:
        return self.data.get("decision")


@act("complete")
def complete(task_id, actor, data: dict | None = None) -> Outcome:
    """Complete a task the actor may see through the engine (lane, claim, readiness, action).

    What is submitted is held to the task's input contract (`workflows.contracts`) before it
    reaches the engine: a key the process owns or the task does not take is refused, and only
    the declared keys go on (the engine holds them again to the live workflow data). A task of
    another lane is the engine's to refuse (403) before any input is read.
    """
    task = task_for(actor, task_id)
    data = contracts.for_task(task).accept(data or {}, task.data, task.label) if can_act(actor, task) else {}
    instance = engine.complete_task(task.task_id, actor=actor, data=data)
    return Outcome(task, instance, data, getattr(instance, "outcome", {}))


# --- verification: superseding a baseline ------------------------------------------------


@act("supersede_baseline")
@transaction.atomic
def supersede_baseline(actor, baseline: Baseline | int, reasons: str) -> list[Agreement]:
    """Explicitly supersede a verified baseline; every agreement on it is re-opened.

    Each re-opened agreement gets a renewal (重新签署) that waits for the province's next verified
    baseline of the certificate, then has both sides sign it again on those terms and files it.
    """
    baseline = _visible(permissions.visible_baselines(actor), baseline, "baseline_not_found")
    _require(actor, Role.REVIEWER)  # a reviewer sees only their own province's baselines
    if not isinstance(reasons, str) or not reasons.strip():
        raise RuleViolation("reasons_required", _("Superseding a baseline needs reasons."))
    baseline = Baseline.objects.select_for_update().get(pk=baseline.pk)
    agreements = list(baseline.agreements.select_for_update().order_by("pk"))
    _refuse_unfiled(agreements)
    baseline.supersede(reasons)
    baseline.save()
    for agreement in agreements:
        agreement.reopen(baseline)
        agreement.save()
        _start_renewal(agreement, actor)
    _audit_outside(baseline.negotiation, actor, "baseline_superseded",
                   {"baseline": baseline.pk, "reopened": [a.pk for a in agreements], "reasons": reasons})
    events.emit("baseline_superseded", negotiation=baseline.negotiation, actor=actor)
    return agreements


def _refuse_unfiled(agreements: list[Agreement]) -> None:
    # An agreement still being signed or filed has its lifecycle's tasks open on the old terms; a
    # renewal beside them would have both sides sign twice. It is superseded once it is filed.
    unfiled = [a for a in agreements if a.state != Agreement.State.FILED]
    if unfiled:
        numbers = ", ".join(f"#{a.pk}" for a in unfiled)
        raise RuleViolation(
            "agreements_filed_before_supersede",
            _("Agreement(s) %(numbers)s on this baseline are still being signed or filed; supersede it once "
              "they are filed."),
            409,
            numbers=numbers,
        )


def _start_renewal(agreement: Agreement, actor) -> None:
    negotiation = agreement.negotiation
    engine.start(RENEWAL, business_key=renewal_key(agreement), actor=actor, data={
        "agreement_id": agreement.pk,
        "negotiation_id": negotiation.pk,
        "alliance_id": negotiation.alliance_id,
        "certificate_id": negotiation.certificate_id,
        "province_id": negotiation.alliance.province_id,
    })


def announce_baseline(baseline: Baseline, actor) -> list[ProcessInstance]:
    """A baseline is verified: every renewal waiting for its province and certificate goes on.

    Called inside the verification's transaction. The message is kept for nobody: a renewal
    started later waits for a later baseline.
    """
    Baseline.objects.filter(province_id=baseline.province_id, certificate_id=baseline.certificate_id,
                            state=Baseline.State.SUPERSEDED, superseded_by=None).update(superseded_by=baseline)
    return engine.broadcast_message(
        "baseline_verified",
        payload={"province_id": baseline.province_id, "certificate_id": baseline.certificate_id,
                 "baseline_id": baseline.pk, "fee_fen": to_fen(baseline.fee)},
        correlation={"province_id": baseline.province_id, "certificate_id": baseline.certificate_id},
        actor=actor,
    )


class LifecycleMissing(LookupError):
    """A negotiation has no lifecycle instance to audit in: every negotiation is started as one."""


def _audit_outside(negotiation: Negotiation, actor, action: str, data: dict) -> None:
    """Audit a change made outside the engine in the negotiation's lifecycle; never silently unaudited."""
    key = lifecycle_key(negotiation)
    instance = ProcessInstance.objects.filter(business_key=key).first()
    if instance is None:
        raise LifecycleMissing(f"No lifecycle instance {key!r} to audit {action!r} in.")
    AuditEntry.objects.create(instance=instance, actor=actor, action=action, data=data, at=timezone.now())


# --- assessment, certificates, payment ---------------------------------------------------


def today() -> date:
    """Today where the assessments are held (DISPLAY_TIME_ZONE), not in the server's UTC."""
    return timezone.localtime(timezone.now(), ZoneInfo(settings.DISPLAY_TIME_ZONE)).date()


def _filed_on(agreement: Agreement) -> date:
    filing = getattr(agreement, "filing", None)
    at = filing.submitted_at if filing is not None else agreement.created_at
    return timezone.localtime(at, ZoneInfo(settings.DISPLAY_TIME_ZONE)).date()


def _assessable(actor, agreement: Agreement) -> None:
    _require(actor, Role.TEO, agreement.negotiation.certificate.teo)
    if agreement.state != Agreement.State.FILED:
        raise RuleViolation("agreement_filed_first", _("Assess only under a filed agreement."), 409)


@act("record_assessment")
@transaction.atomic
def record_assessment(actor, agreement: Agreement | int, college: Organization | int | str | None,
                      headcount: int | str | None, held_on: date | str | None) -> AssessmentSitting:
    """Record a college's sitting: the 'assessment held' message its payment waits for, sent once.

    A college already recorded is corrected (`correct_sitting`) or sits a make-up (`record_makeup`).
    """
    agreement = _visible(permissions.visible_agreements(actor), agreement, "agreement_not_found")
    _assessable(actor, agreement)
    payment = _member_payment(agreement, college)
    college = payment.college
    headcount = inputs.headcount(headcount)
    held_on = inputs.day(held_on, "held_on")
    rules.check_held_on(held_on, today(), _filed_on(agreement))
    recorded = AssessmentSitting.objects.filter(agreement=agreement, college=college).first()
    if recorded is not None:
        raise RuleViolation(
            "sitting_already_recorded",
            _("%(college)s already has a sitting on %(held_on)s with %(headcount)s assessed: correct its "
              "headcount or record a make-up sitting."),
            409,
            college=college.name,
            held_on=f"{recorded.held_on:%Y-%m-%d}",
            headcount=recorded.headcount,
        )
    sitting = AssessmentSitting.objects.create(
        agreement=agreement, college=college, headcount=headcount, held_on=held_on, recorded_by=actor)
    events.emit("assessment_held", negotiation=agreement.negotiation, actor=actor, college_id=college.pk)
    engine.correlate_message(
        "assessment_held",
        payload={"college_id": college.pk, "agreement_id": agreement.pk,
                 "headcount": sitting.headcount, "payment_id": payment.pk},
        correlation={"college_id": college.pk, "agreement_id": agreement.pk},
        actor=actor,
    )
    return sitting


def _sitting(actor, sitting: AssessmentSitting | int) -> AssessmentSitting:
    visible = AssessmentSitting.objects.select_related("agreement__negotiation__certificate__teo", "college")
    return _visible(visible.filter(agreement__in=permissions.visible_agreements(actor)), sitting, "sitting_not_found")


def _member_payment(agreement: Agreement, college: Organization | int | None) -> Payment:
    """The locked payment of a member college (object or id) under the agreement."""
    pk = inputs.object_id(college, "college")
    if pk is None:
        raise RuleViolation("college_required", _("Choose a college."))
    payments = Payment.objects.select_for_update(of=("self",)).select_related("college").filter(agreement=agreement)
    payment = payments.filter(college_id=pk).first()
    if payment is None:
        raise RuleViolation("college_not_member", _("%(college)s is not a member college."), 404,
                            college=getattr(college, "name", pk))
    return payment


@act("correct_sitting")
@transaction.atomic
def correct_sitting(actor, sitting: AssessmentSitting | int, headcount: int | str | None,
                    reason: str = "") -> AssessmentSitting:
    """Correct the headcount of a college's first sitting before its payment is released.

    The assessment-held message was sent once and is not sent again: a payment already due is
    recomputed on the corrected headcount (据实列支), one still waiting computes on it.
    """
    sitting, payment = _locked_for_change(actor, sitting)
    headcount = inputs.headcount(headcount)
    before = sitting.first_headcount
    total = headcount + sitting.makeup_headcount
    issued = sitting.certificates.count()
    if total < issued:
        raise RuleViolation(
            "headcount_below_issued",
            _("%(issued)s certificate(s) are issued for this sitting; the corrected headcount %(total)s cannot "
              "be below that."),
            409,
            issued=issued,
            total=total,
        )
    reason = _bounded_text(reason, "reason", 500)
    _change_headcount(sitting, payment, total)
    _audit_outside(sitting.agreement.negotiation, actor, "assessment_corrected", {
        "sitting": sitting.pk, "college": sitting.college_id, "before": before, "after": headcount,
        "assessed": total, "payment": payment.pk, "amount": f"{payment.amount or 0:.2f}", "reason": reason})
    return sitting


@act("record_makeup")
@transaction.atomic
def record_makeup(actor, sitting: AssessmentSitting | int, headcount: int | str | None,
                  held_on: date | str | None) -> MakeUpSitting:
    """Record a make-up sitting (补考): its people are added to the college's assessed headcount."""
    sitting, payment = _locked_for_change(actor, sitting)
    headcount = inputs.headcount(headcount)
    held_on = inputs.day(held_on, "held_on")
    rules.check_held_on(held_on, today(), _filed_on(sitting.agreement))
    if held_on < sitting.held_on:
        raise RuleViolation(
            "makeup_before_sitting",
            _("A make-up sitting on %(held_on)s cannot come before the first sitting on %(first)s."),
            held_on=f"{held_on:%Y-%m-%d}", first=f"{sitting.held_on:%Y-%m-%d}")
    total = sitting.headcount + headcount
    rules.check_headcount(total)  # the college's assessed people stay within the bound too
    makeup = MakeUpSitting.objects.create(sitting=sitting, headcount=headcount, held_on=held_on,
                                          recorded_by=actor, recorded_at=timezone.now())
    _change_headcount(sitting, payment, total)
    _audit_outside(sitting.agreement.negotiation, actor, "makeup_recorded", {
        "sitting": sitting.pk, "college": sitting.college_id, "makeup": makeup.pk, "added": headcount,
        "held_on": held_on.isoformat(), "assessed": total, "payment": payment.pk,
        "amount": f"{payment.amount or 0:.2f}"})
    return makeup


def _locked_for_change(actor, sitting: AssessmentSitting) -> tuple[AssessmentSitting, Payment]:
    """Lock the sitting and its payment; refuse once the payment is released on the old headcount."""
    sitting = _sitting(actor, sitting)
    _assessable(actor, sitting.agreement)
    payment = Payment.objects.select_for_update().get(agreement_id=sitting.agreement_id, college_id=sitting.college_id)
    sitting = AssessmentSitting.objects.select_for_update(of=("self",)).select_related(
        "agreement__negotiation", "college").get(pk=sitting.pk)
    if payment.state == Payment.State.RELEASED:
        # Released on actuals: changing the headcount now would need a new payment (not offered).
        raise RuleViolation(
            "payment_released",
            _("%(college)s's payment of %(amount)s was released on %(headcount)s assessed; the sitting can no "
              "longer be corrected or made up."),
            409,
            college=sitting.college.name,
            amount=payment.amount,
            headcount=sitting.headcount,
        )
    return sitting, payment


def _change_headcount(sitting: AssessmentSitting, payment: Payment, total: int) -> None:
    sitting.headcount = total
    sitting.save(update_fields=["headcount"])
    if payment.state == Payment.State.DUE:
        payment.sitting = sitting
        payment.recompute()
        payment.save()


def _bounded_text(value, field: str, limit: int) -> str:
    text = str(value or "").strip()
    if len(text) > limit:
        raise RuleViolation(f"{field}_too_long", _("The %(field)s is at most %(limit)s characters, given %(given)s."),
                            field=FIELD_LABELS.get(field, field), limit=limit, given=len(text))
    return text


def serial_no(certificate_code: str, sitting_pk: int, index: int) -> str:
    """A certificate's serial: its code (which carries the 'X-' already), the sitting, the number."""
    prefix = certificate_code if certificate_code.upper().startswith("X-") else f"X-{certificate_code}"
    return f"{prefix}-{sitting_pk:05d}-{index:04d}"


@act("issue_certificates")
@transaction.atomic
def issue_certificates(actor, sitting: AssessmentSitting | int, holders: list) -> list[IssuedCertificate]:
    """Issue certificates online with the TEO's electronic seal, at most one per person assessed.

    Each holder is a student record of the sitting's college (`workflows.students`: a student
    number, or the national ID's last 4 characters with the name), found or created: the
    certificate belongs to the record, and only the record's own account reads it.
    Never conditional on payment (不得强行把证书发放与费用支付问题挂钩): this function does not
    read the payment at all.
    """
    sitting = _sitting(actor, sitting)
    teo = sitting.agreement.negotiation.certificate.teo
    _require(actor, Role.TEO, teo)
    holders = students.read_holders(holders)
    sitting = AssessmentSitting.objects.select_for_update().get(pk=sitting.pk)  # serials are numbered in turn
    issued_before = sitting.certificates.count()
    rules.check_certificates_within_assessed(sitting.headcount, issued_before, len(holders))
    records = [students.record_for(sitting.college, holder) for holder in holders]
    code = sitting.agreement.negotiation.certificate.code
    now = timezone.now()
    issued = []
    for index, (holder, record) in enumerate(zip(holders, records, strict=True), start=issued_before + 1):
        certificate = IssuedCertificate(sitting=sitting, holder=record, holder_name=holder.name,
                                        serial_no=serial_no(code, sitting.pk, index), issued_at=now)
        seals.seal(certificate)  # the TEO's Ed25519 signature, its key made on first use
        certificate.save()
        issued.append(certificate)
    return issued


def _beijing_day(moment) -> str:
    return f"{timezone.localtime(moment, ZoneInfo(settings.DISPLAY_TIME_ZONE)):%Y-%m-%d}"


@act("revoke_certificate")
@transaction.atomic
def revoke_certificate(actor, certificate: IssuedCertificate | int, reason: str) -> IssuedCertificate:
    """The certificate's TEO revokes an issued certificate with its reasons; verification answers revoked.

    Audited in the lifecycle it was issued under. The seal stays: a revoked certificate is still
    the TEO's, and verification tells it apart from a forged one.
    """
    certificate = _visible(permissions.visible_certificates(actor) | permissions.teo_certificates(actor),
                           certificate, "certificate_not_found", _("No such certificate, or not yours to see."))
    _require(actor, Role.TEO, certificate.sitting.agreement.negotiation.certificate.teo)
    reason = _order_text(reason, "reason", _("reason"), IssuedCertificate.REASON_MAX, required=True)
    certificate = IssuedCertificate.objects.select_for_update().get(pk=certificate.pk)
    if certificate.revoked_at is not None:
        raise RuleViolation("certificate_revoked", _("Certificate %(serial)s was revoked on %(on)s."), 409,
                            serial=certificate.serial_no, on=_beijing_day(certificate.revoked_at))
    certificate.revoked_at, certificate.revoked_by, certificate.revoke_reason = timezone.now(), actor, reason
    certificate.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
    _audit_outside(certificate.sitting.agreement.negotiation, actor, "certificate_revoked",
                   {"certificate": certificate.serial_no, "college": certificate.sitting.college_id,
                    "reason": reason})
    return certificate


def paper_copy_price(certificate: IssuedCertificate):
    """The TEO's published price of a paper copy of this certificate, or None when none is published."""
    schedule = FeeSchedule.objects.filter(certificate_id=certificate.sitting.agreement.negotiation.certificate_id,
                                          state=FeeSchedule.State.PUBLISHED).first()
    return schedule.paper_copy_price if schedule is not None else None


@act("order_paper_certificate")
@transaction.atomic
def order_paper_certificate(actor, certificate: IssuedCertificate | int, recipient: str, phone: str,
                            address: str) -> PaperCertificateOrder:
    """A student's optional paper copy of their own certificate, at the TEO's published price (≤ 40 CNY,
    delivery included), sent to the address given; one open order per certificate."""
    certificate = _visible(permissions.visible_certificates(actor), certificate, "certificate_not_yours",
                           _("Only the holder may order a paper copy."))
    _require(actor, Role.STUDENT)
    delivery = _delivery(recipient, phone, address)
    certificate = IssuedCertificate.objects.select_for_update().get(pk=certificate.pk)  # one open order at a time
    price = paper_copy_price(certificate)
    if price is None:
        raise RuleViolation(
            "paper_copy_price_not_published",
            _("The TEO has not published a paper-copy price for %(certificate)s yet."), 409,
            certificate=certificate.sitting.agreement.negotiation.certificate.code)
    rules.check_paper_certificate_price(price)
    open_order = certificate.paper_orders.filter(state__in=PaperCertificateOrder.OPEN).first()
    if open_order is not None:
        raise RuleViolation(
            "paper_order_open",
            _("A paper copy of this certificate was ordered on %(ordered_on)s (%(price)s) and is still open."),
            409,
            ordered_on=f"{timezone.localtime(open_order.ordered_at, ZoneInfo(settings.DISPLAY_TIME_ZONE)):%Y-%m-%d}",
            price=open_order.price,
        )
    order = PaperCertificateOrder.objects.create(certificate=certificate, price=price, ordered_at=timezone.now(),
                                                 ordered_by=actor, **delivery)
    _audit_paper_order(order, actor, "paper_order_placed", {})
    return order


def _delivery(recipient, phone, address) -> dict:
    fields = {"recipient": (recipient, PaperCertificateOrder.RECIPIENT_MAX),
              "phone": (phone, PaperCertificateOrder.PHONE_MAX),
              "address": (address, PaperCertificateOrder.ADDRESS_MAX)}
    clean = {}
    for field, (raw, limit) in fields.items():
        text = " ".join(str(raw or "").split()) if isinstance(raw, str | None) else None
        if not text:
            raise RuleViolation(f"{field}_required", _("The %(field)s is required for delivery."),
                                field=FIELD_LABELS[field])
        if len(text) > limit:
            raise RuleViolation(f"{field}_too_long",
                                _("The %(field)s is at most %(limit)s characters, given %(given)s."),
                                field=FIELD_LABELS[field], limit=limit, given=len(text))
        clean[field] = text
    rules.check_phone(clean["phone"])
    return clean


# --- paper copies: dispatch, receipt, cancellation -----------------------------------------


def paper_order_for(actor, pk) -> PaperCertificateOrder:
    """The paper order `pk` if the actor may see it; another's, or none at all, is not found."""
    order = None
    if str(pk).isdigit():
        order = permissions.visible_paper_orders(actor).filter(pk=int(pk)).first()
    if order is None:
        raise RuleViolation("paper_order_not_found", _("No such paper order, or not yours to see."), 404)
    return order


def _order_teo(order: PaperCertificateOrder) -> Organization:
    return order.certificate.sitting.agreement.negotiation.certificate.teo


def _open_for(actor, order, act: str, roles: tuple) -> tuple[PaperCertificateOrder, Person]:
    """Visibility (404), then the actor's role (403), then the state under the order's lock (409)."""
    order = paper_order_for(actor, getattr(order, "pk", order))
    person = acting_person(actor)
    if person.role not in roles:
        if roles == (Role.TEO,):
            _require(actor, Role.TEO, _order_teo(order))
        raise RuleViolation("actor_not_allowed",
                            _("Only the student who ordered it or the certificate's TEO may do this."), 403)
    order = permissions.visible_paper_orders(actor).select_for_update(of=("self",)).get(pk=order.pk)
    order.check_may(act)
    return order, person


def _order_text(value, field: str, label, limit: int, required: bool) -> str:
    text = " ".join(value.split()) if isinstance(value, str) else ""
    if required and not text:
        raise RuleViolation(f"{field}_required", _("The %(field)s is required."), field=label)
    if len(text) > limit:
        raise RuleViolation(f"{field}_too_long", _("The %(field)s is at most %(limit)s characters, given %(given)s."),
                            field=label, limit=limit, given=len(text))
    return text


@act("dispatch_paper_order")
@transaction.atomic
def dispatch_paper_order(actor, order: PaperCertificateOrder | int, tracking_no: str) -> PaperCertificateOrder:
    """The certificate's TEO sends the paper copy with the courier's tracking number; the student is told."""
    order, _person = _open_for(actor, order, "dispatch", (Role.TEO,))
    tracking_no = _order_text(tracking_no, "tracking_no", _("tracking number"), PaperCertificateOrder.TRACKING_NO_MAX,
                              required=True)
    order.dispatch(tracking_no, actor, timezone.now())
    order.save()
    _audit_paper_order(order, actor, "paper_order_dispatched", {"tracking_no": tracking_no})
    return order


@act("deliver_paper_order")
@transaction.atomic
def deliver_paper_order(actor, order: PaperCertificateOrder | int) -> PaperCertificateOrder:
    """The student confirms receipt of a dispatched copy, or the TEO marks it delivered; the order closes."""
    order, person = _open_for(actor, order, "deliver", (Role.STUDENT, Role.TEO))
    order.deliver(actor, timezone.now())
    order.save()
    _audit_paper_order(order, actor, "paper_order_delivered", {"by": person.role})
    return order


@act("cancel_paper_order")
@transaction.atomic
def cancel_paper_order(actor, order: PaperCertificateOrder | int, reason: str = "") -> PaperCertificateOrder:
    """Cancel an order not yet dispatched and refund its price: the student their own, the TEO with a reason."""
    order, person = _open_for(actor, order, "cancel", (Role.STUDENT, Role.TEO))
    # The student need not explain changing their mind; the TEO refusing a paid order must.
    reason = _order_text(reason, "reason", _("reason"), PaperCertificateOrder.REASON_MAX,
                         required=person.role == Role.TEO)
    order.cancel(actor, timezone.now(), reason)
    order.save()
    _audit_paper_order(order, actor, "paper_order_cancelled",
                       {"by": person.role, "reason": reason, "refund": f"{order.price:.2f}"})
    return order


def _audit_paper_order(order: PaperCertificateOrder, actor, action: str, data: dict) -> None:
    # In the lifecycle the certificate was issued under, without the delivery address: the
    # trail is read by the parties of the negotiation, the address is the student's own.
    negotiation = order.certificate.sitting.agreement.negotiation
    _audit_outside(negotiation, actor, action, {"order": order.pk, "certificate": order.certificate.serial_no,
                                                "college": order.certificate.sitting.college_id,
                                                "price": f"{order.price:.2f}", **data})
    reason = {"reason": data["reason"]} if action == "paper_order_cancelled" else {}
    events.emit(action, order=order, actor=actor, **reason)
