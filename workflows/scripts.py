"""Functions the process models' script tasks may call; registered with the safe environment."""
from django.utils import timezone

from bpmn.scripting import register_function
from workflows import rules, supervision_process
from workflows.errors import RuleViolation
from workflows.models import Agreement, Alliance, Baseline, Membership, Negotiation, Payment
from workflows.money import from_fen, to_fen


def count_accepted(alliance_id: int) -> int:
    return Alliance.objects.get(pk=alliance_id).accepted_members().count()


def register_alliance(alliance_id: int) -> str:
    """File the alliance with the province (备案, not an approval) and return the filing number."""
    alliance = _formation_closed(alliance_id)
    number = f"LM-{alliance.province.code}-{alliance.pk:06d}"
    alliance.register(number, timezone.now())
    _save_with_waiting_negotiations(alliance, Negotiation.begin_screening)
    return number


def dissolve_alliance(alliance_id: int) -> bool:
    alliance = _formation_closed(alliance_id)
    alliance.dissolve()
    _save_with_waiting_negotiations(alliance, Negotiation.abandon)
    return True


def _formation_closed(alliance_id: int) -> Alliance:
    """The alliance, locked, its invitations still open expired: formation ends either way."""
    alliance = Alliance.objects.select_for_update().get(pk=alliance_id)
    for membership in alliance.memberships.filter(state=Membership.State.INVITED):
        membership.expire()
        membership.save()
    return alliance


def _save_with_waiting_negotiations(alliance: Alliance, transition) -> None:
    alliance.save()
    for negotiation in alliance.negotiations.filter(state=Negotiation.State.AWAITING_ALLIANCE):
        transition(negotiation)
        negotiation.save()


def close_round_expired(negotiation_id: int) -> bool:
    negotiation = Negotiation.objects.select_for_update().get(pk=negotiation_id)
    proposal = negotiation.open_proposal()
    if proposal is not None:
        proposal.expire()
        proposal.save()
    return True


def record_cap_check(negotiation_id: int, cap_fen: int) -> bool:
    """Open the pending baseline for the agreed fee; return whether it is within the cap."""
    negotiation = Negotiation.objects.select_related("alliance", "certificate").get(pk=negotiation_id)
    baseline = Baseline.objects.create(
        province=negotiation.alliance.province,
        certificate=negotiation.certificate,
        negotiation=negotiation,
        fee=negotiation.agreed_fee,
        cap=from_fen(cap_fen),
    )
    try:
        rules.check_fee_cap(negotiation.certificate.assessment_mode, baseline.fee, baseline.cap)
    except RuleViolation as refusal:
        # Refused by the engine before any reviewer sees it; the reason stays on the baseline.
        baseline.reject(None, refusal.message)
        baseline.save()
        return False
    return True


def check_uniformity(certificate_id: int, province_id: int, agreed_fee_fen: int) -> str:
    existing = Baseline.objects.filter(
        province_id=province_id, certificate_id=certificate_id, state=Baseline.State.VERIFIED
    ).first()
    return rules.uniformity(existing.fee if existing else None, from_fen(agreed_fee_fen))


def compute_payment(payment_id: int) -> int:
    payment = Payment.objects.select_for_update().get(pk=payment_id)
    payment.compute(payment.agreement.sittings.get(college=payment.college))
    payment.save()
    return to_fen(payment.amount)


def renew_agreement(agreement_id: int, baseline_id: int) -> int:
    """Put a re-opened agreement on the newly verified baseline; return the new fee in fen."""
    agreement = Agreement.objects.select_for_update().get(pk=agreement_id)
    agreement.renew(Baseline.objects.get(pk=baseline_id, state=Baseline.State.VERIFIED))
    agreement.save()
    return to_fen(agreement.fee)


def close_unverified(negotiation_id: int) -> bool:
    """The lifecycle ends without a verified fee (rejected, over the cap, or returned too often):
    the negotiation closes, so its alliance may negotiate the certificate afresh."""
    negotiation = Negotiation.objects.select_for_update().get(pk=negotiation_id)
    negotiation.close_unverified()
    negotiation.save()
    return True


for _function in (count_accepted, register_alliance, dissolve_alliance, close_round_expired,
                  record_cap_check, check_uniformity, compute_payment, renew_agreement, close_unverified):
    register_function(_function.__name__, _function)

# teo_supervision (动态调整): the month windows of the dispatch, the facts of the yellow-card rule.
for _function in (supervision_process.report_opening, supervision_process.report_due,
                  supervision_process.report_closing, supervision_process.teo_delisted,
                  supervision_process.record_missed_report, supervision_process.training_start_facts,
                  supervision_process.follow_up_facts):
    register_function(_function.__name__, _function)
