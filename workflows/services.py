"""The one door for every change in the negotiation domain.

Pages, the API, commands and tests call these functions; each opens one transaction,
checks the actor, fires transitions and leaves an audit row. Task completions go through
`complete`, which hands over to the engine (lock, action, advance, save, projections).
"""
import hashlib
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from bpmn import engine
from bpmn.models import AuditEntry, ProcessInstance
from workflows import permissions, rules
from workflows.errors import RuleViolation
from workflows.models import (
    Agreement,
    Alliance,
    AssessmentSitting,
    Baseline,
    Certificate,
    FeeSchedule,
    IssuedCertificate,
    Membership,
    Negotiation,
    Organization,
    PaperCertificateOrder,
    Payment,
    Person,
    Role,
)
from workflows.money import parse_amount, to_fen
from workflows.proposals import validated_offer

LIFECYCLE = "certificate_lifecycle"
RENEWAL = "agreement_renewal"


def person_of(user) -> Person:
    """The acting person, or a refusal: the services act only for someone with an organization."""
    person = permissions.person_of(user)
    if person is None:
        raise RuleViolation("not_a_participant", "当前用户未登记所属单位 / the user has no organization", 403)
    return person


def _require(user, role: str, organization: Organization | None = None) -> Person:
    person = person_of(user)
    if person.role != role or (organization is not None and person.organization_id != organization.pk):
        raise RuleViolation(
            "actor_not_allowed",
            f"仅{Role(role).label.split(' ')[0]}可办理 / only a {Role(role).label.split(' ', 1)[1]}"
            f"{' of ' + organization.name if organization else ''} may do this",
            403,
        )
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


@transaction.atomic
def publish_schedule(actor, certificate: Certificate, fee, lines: dict, training_plan: str = "",
                     services: list | None = None) -> FeeSchedule:
    """Publish a TEO's fee standard in advance (提前公示); replaces its previous schedule."""
    _require(actor, Role.TEO, certificate.teo)
    probe = Negotiation(certificate=certificate)
    fee_value, clean_lines = validated_offer(probe, fee, lines)
    for old in FeeSchedule.objects.select_for_update().filter(
        certificate=certificate, state=FeeSchedule.State.PUBLISHED
    ):
        old.withdraw()
        old.save()
    schedule = FeeSchedule(certificate=certificate, fee=fee_value, lines=clean_lines,
                           training_plan=training_plan, services=services or [])
    schedule.publish(timezone.now())
    schedule.save()
    return schedule


# --- starting a lifecycle ----------------------------------------------------------------


@transaction.atomic
def start_lifecycle(actor, certificate: Certificate, alliance: Alliance | None = None,
                    alliance_name: str = "") -> Negotiation:
    """Begin negotiating a certificate: form a new alliance, or use one already registered."""
    person = _require(actor, Role.COLLEGE)
    schedule = _published_schedule(certificate)
    alliance = alliance or _new_alliance(person, alliance_name)
    if alliance.lead_id != person.organization_id:
        raise RuleViolation(
            "alliance_lead_only", "仅牵头院校可发起协商 / only the lead college may start a negotiation", 403
        )
    if alliance.state == Alliance.State.DISSOLVED:
        raise RuleViolation("alliance_dissolved", "联盟未组建成功 / the alliance was not formed", 409)
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
            f"培训评价组织须提前公示收费标准：{certificate.name} 尚无公示 / the TEO must publish its fee "
            f"schedule in advance; {certificate.code} has none",
            409,
        )
    return schedule


def _new_alliance(person: Person, name: str) -> Alliance:
    lead = person.organization
    if lead.kind != Organization.Kind.COLLEGE or lead.province_id is None:
        raise RuleViolation("alliance_lead_college", "牵头单位须为试点院校 / the lead must be a pilot college", 403)
    alliance = Alliance.objects.create(name=name or f"{lead.name}牵头联盟", lead=lead, province=lead.province)
    membership = Membership.objects.create(alliance=alliance, college=lead, is_lead=True)
    membership.accept(timezone.now())
    membership.save()
    return alliance


def _refuse_second_active(alliance: Alliance, certificate: Certificate) -> None:
    if alliance.negotiations.filter(certificate=certificate, state__in=Negotiation.ACTIVE).exists():
        raise RuleViolation(
            "one_active_negotiation",
            f"联盟与该证书已有进行中的协商 / {alliance} already has an active negotiation for {certificate.code}",
            409,
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


def complete(task_id, actor, data: dict | None = None) -> ProcessInstance:
    """Complete a task through the engine: the same guards whoever calls."""
    return engine.complete_task(task_id, actor=actor, data=data or {})


# --- verification: superseding a baseline ------------------------------------------------


@transaction.atomic
def supersede_baseline(actor, baseline: Baseline, reasons: str) -> list[Agreement]:
    """Explicitly supersede a verified baseline; every agreement on it is re-opened.

    Each re-opened agreement gets a renewal (重新签署) that waits for the province's next verified
    baseline of the certificate, then has both sides sign it again on those terms and files it.
    """
    person = _require(actor, Role.REVIEWER)
    if person.organization.province_id != baseline.province_id:
        raise RuleViolation(
            "reviewer_own_province", "只能办理本省事项 / a reviewer acts only in their own province", 404
        )
    if not reasons.strip():
        raise RuleViolation("reasons_required", "替代基线须说明理由 / superseding a baseline needs reasons")
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
    return agreements


def _refuse_unfiled(agreements: list[Agreement]) -> None:
    # An agreement still being signed or filed has its lifecycle's tasks open on the old terms; a
    # renewal beside them would have both sides sign twice. It is superseded once it is filed.
    unfiled = [a for a in agreements if a.state != Agreement.State.FILED]
    if unfiled:
        numbers = ", ".join(f"#{a.pk}" for a in unfiled)
        raise RuleViolation(
            "agreements_filed_before_supersede",
            f"该基线上的协议 {numbers} 尚在签署或备案中，备案后方可替代 / agreement(s) {numbers} on this "
            "baseline are still being signed or filed; supersede it once they are filed",
            409,
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


def _audit_outside(negotiation: Negotiation, actor, action: str, data: dict) -> None:
    instance = ProcessInstance.objects.filter(business_key=lifecycle_key(negotiation)).first()
    if instance is not None:
        AuditEntry.objects.create(instance=instance, actor=actor, action=action, data=data, at=timezone.now())


# --- assessment, certificates, payment ---------------------------------------------------


@transaction.atomic
def record_assessment(actor, agreement: Agreement, college: Organization, headcount: int,
                      held_on: date | None = None) -> AssessmentSitting:
    """Record an assessment sitting: the 'assessment held' message the payment waits for."""
    negotiation = agreement.negotiation
    _require(actor, Role.TEO, negotiation.certificate.teo)
    if agreement.state != Agreement.State.FILED:
        raise RuleViolation(
            "agreement_filed_first", "协议备案后方可组织考核 / assess only under a filed agreement", 409
        )
    payment = Payment.objects.filter(agreement=agreement, college=college).first()
    if payment is None:
        raise RuleViolation("college_not_member", f"{college} 不是该联盟成员 / {college} is not a member college", 404)
    sitting = AssessmentSitting.objects.create(
        agreement=agreement, college=college, headcount=_headcount(headcount),
        held_on=held_on or timezone.localdate(), recorded_by=actor,
    )
    engine.correlate_message(
        "assessment_held",
        payload={"college_id": college.pk, "agreement_id": agreement.pk,
                 "headcount": sitting.headcount, "payment_id": payment.pk},
        correlation={"college_id": college.pk, "agreement_id": agreement.pk},
        actor=actor,
    )
    return sitting


def _headcount(value) -> int:
    rules.payment_amount(Decimal("0"), value)  # refuses non-integers and negatives
    if value > 100_000:
        raise RuleViolation("headcount_too_large", f"考核人数过大 / headcount is absurdly large: {value}")
    return value


@transaction.atomic
def issue_certificates(actor, sitting: AssessmentSitting, holders: list[str]) -> list[IssuedCertificate]:
    """Issue certificates online with the TEO's electronic seal.

    Never conditional on payment (不得强行把证书发放与费用支付问题挂钩): this function does not
    read the payment at all.
    """
    teo = sitting.agreement.negotiation.certificate.teo
    _require(actor, Role.TEO, teo)
    holders = [_holder(name) for name in holders]
    sitting = AssessmentSitting.objects.select_for_update().get(pk=sitting.pk)  # serials are numbered in turn
    now = timezone.now()
    issued = []
    for index, holder in enumerate(holders, start=sitting.certificates.count() + 1):
        serial = f"X-{sitting.agreement.negotiation.certificate.code}-{sitting.pk:05d}-{index:04d}"
        seal = hashlib.sha256(f"{teo.pk}:{serial}:{holder}".encode()).hexdigest()
        issued.append(IssuedCertificate.objects.create(
            sitting=sitting, holder_name=holder, serial_no=serial, seal=seal, issued_at=now))
    return issued


@transaction.atomic
def order_paper_certificate(actor, certificate: IssuedCertificate, price) -> PaperCertificateOrder:
    """A student's optional paper copy of their own certificate: at most 40 CNY, delivery included."""
    _require(actor, Role.STUDENT)
    if not permissions.own_certificates(actor).filter(pk=certificate.pk).exists():
        raise RuleViolation("certificate_not_yours", "只能申领本人的证书 / only the holder may order a paper copy", 404)
    amount = parse_amount(price, "price")
    rules.check_paper_certificate_price(amount)
    return PaperCertificateOrder.objects.create(certificate=certificate, price=amount, ordered_at=timezone.now(),
                                                ordered_by=actor)


def _holder(name) -> str:
    if not isinstance(name, str) or not name.strip():
        raise RuleViolation("holder_name_required", f"持证人姓名不能为空 / a holder's name is required: {name!r}")
    if len(name.strip()) > 100:
        raise RuleViolation("holder_name_too_long",
                            f"持证人姓名过长 / a holder's name is longer than 100 characters: {name[:20]}…")
    return name.strip()


def agreed_fee_fen(negotiation: Negotiation) -> int | None:
    return to_fen(negotiation.agreed_fee) if negotiation.agreed_fee is not None else None
