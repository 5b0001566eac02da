"""The business change bound to each user task: runs inside the engine's transaction.

An action reads the submitted data (held to the task's input contract, `workflows.contracts`,
before it arrives: only the declared keys, of their kinds and within their bounds), applies the
business rules, fires the state-machine transitions, and returns the task data the process
model's gateways read. Raising RuleViolation leaves nothing changed.
"""
from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from bpmn.hooks import TaskContext, bind
from workflows import contracts, events, inputs, joint_review, rules, services
from workflows.errors import RuleViolation
from workflows.formation import invitations_needed, lead_is_member, minimum_for_instance
from workflows.funding import FundingPurpose, FundingSource
from workflows.models import (
    Agreement,
    Alliance,
    Baseline,
    Division,
    FeeProposal,
    Filing,
    FundingAllocation,
    Membership,
    Negotiation,
    Organization,
    Payment,
)
from workflows.money import parse_amount, to_fen
from workflows.proposals import MEDIATED_COMMENT, offer_next_round, offer_published_schedule, validated_offer

INVITATION_DAYS = 7


def _decision(ctx: TaskContext) -> str:
    """The decision taken, one of the task's choices (its contract names them)."""
    return contracts.for_task(ctx.open_task).read(ctx.data, "decision")


def _emit(ctx: TaskContext, name: str, **payload) -> None:
    """Tell of the decision this task took, about its lifecycle's negotiation, by its actor."""
    events.emit(name, negotiation=events.negotiation_of_instance(ctx.instance), actor=ctx.actor, **payload)


def _text(ctx: TaskContext, key: str, required: bool | None = None) -> str:
    """A text the task takes, stripped; required and bounded as its contract says unless `required` is given."""
    return contracts.for_task(ctx.open_task).read(ctx.data, key, required)


# --- alliance formation ------------------------------------------------------------------


@bind("alliance_formation", "invite_members")
def invite_members(ctx: TaskContext) -> dict:
    alliance = Alliance.objects.select_for_update(of=("self",)).select_related("lead", "province").get(
        pk=ctx.task.data["alliance_id"])
    colleges = _invitable_colleges(alliance, ctx.data.get("college_ids") or [], minimum_for_instance(ctx.instance))
    for college in colleges:
        Membership.objects.create(alliance=alliance, college=college)
    deadline = _deadline(ctx.data.get("response_deadline"))
    return {
        "invited_college_ids": [c.pk for c in colleges],
        "response_deadline": deadline.isoformat(),
    }


def _invitable_colleges(alliance: Alliance, ids: list, minimum: int) -> list[Organization]:
    # A list of at most the contract's number of ids (workflows.contracts); each is read as the other
    # edges read ids ('²' is a digit to str.isdigit, and int() refuses it).
    ids = [pk for pk in (inputs.object_id(i, "college") for i in ids) if pk is not None and pk != alliance.lead_id]
    colleges = list(
        Organization.objects.filter(
            pk__in=ids, kind=Organization.Kind.COLLEGE, province=alliance.province
        )
    )
    if len(colleges) != len(set(ids)):
        raise RuleViolation(
            "invite_colleges_of_province",
            _("Invite only pilot colleges of %(province)s; got %(given)s."),
            province=str(alliance.province), given=str(ids)[:100],
        )
    needed = invitations_needed(alliance, minimum)
    if len(colleges) < needed and not lead_is_member(alliance):
        raise RuleViolation(
            "invite_enough_colleges",
            _("%(lead)s negotiates once %(minimum)s pilot colleges have accepted: invite at least %(minimum)s "
              "pilot college(s) of %(province)s, not %(invited)s."),
            lead=alliance.lead.name, minimum=minimum, province=str(alliance.province), invited=len(colleges),
        )
    if len(colleges) < needed:
        raise RuleViolation(
            "invite_enough_colleges",
            _("An alliance is registered once %(minimum)s colleges have accepted, the lead included: invite at "
              "least %(needed)s pilot college(s) of %(province)s, not %(invited)s."),
            minimum=minimum, needed=needed, province=str(alliance.province), invited=len(colleges),
        )
    return colleges


def _deadline(raw) -> datetime:
    if not raw:
        return timezone.now() + timedelta(days=INVITATION_DAYS)
    try:
        deadline = datetime.fromisoformat(str(raw))
    except ValueError:
        raise RuleViolation("deadline_invalid", _("The deadline is not a date: %(given)s"),
                            given=repr(raw)[:100]) from None
    if deadline.tzinfo is None:
        deadline = timezone.make_aware(deadline, timezone.get_fixed_timezone(480))
    if deadline <= timezone.now():
        raise RuleViolation("deadline_in_past", _("The deadline must be in the future: %(given)s"), given=str(raw))
    return deadline


@bind("alliance_formation", "respond_invitation")
def respond_invitation(ctx: TaskContext) -> dict:
    membership = Membership.objects.select_for_update().get(
        alliance_id=ctx.task.data["alliance_id"], college_id=ctx.task.data["invited_college_id"]
    )
    decision = _decision(ctx)
    accepted = decision == "accept"
    (membership.accept if accepted else membership.decline)(timezone.now())
    membership.save()
    _emit(ctx, "invitation_answered", decision=decision)
    return {"accepted": accepted}


# --- fee negotiation ---------------------------------------------------------------------


def _negotiation(ctx: TaskContext) -> Negotiation:
    return Negotiation.objects.select_for_update(of=("self",)).select_related("certificate", "alliance").get(
        pk=ctx.task.data["negotiation_id"]
    )


@bind("fee_negotiation", "screen_services")
def screen_services(ctx: TaskContext) -> dict:
    negotiation = _negotiation(ctx)
    if negotiation.state == Negotiation.State.NEGOTIATING:  # back after a provincial return
        negotiation.begin_screening()
    services = _services(ctx.data.get("services"), list(negotiation.schedule.services))
    negotiation.open_rounds(_text(ctx, "training_content"), services)
    negotiation.save()
    proposal = negotiation.open_proposal() or offer_published_schedule(negotiation)
    return {"turn": "alliance", "round_outcome": "open", "round_deadline": proposal.deadline.isoformat()}


def _services(raw, offered: list[str]) -> list[str]:
    """The services the alliance keeps: a non-empty subset of the published schedule's (a list of texts)."""
    if raw is None:
        return offered
    unknown = [item for item in raw if item not in offered]
    if unknown:
        raise RuleViolation("services_not_published",
                            _("Choose among the published services; not published: %(unknown)s"),
                            unknown=", ".join(str(item) for item in unknown)[:200])
    if not raw:
        raise RuleViolation("services_required", _("Choose at least one service."))
    return list(dict.fromkeys(raw))


def _respond(ctx: TaskContext, party: str) -> dict:
    negotiation = _negotiation(ctx)
    proposal = negotiation.open_proposal()
    if proposal is None or proposal.party == party:
        raise RuleViolation("no_offer_to_answer", _("There is no offer to answer."), 409)
    decision = _decision(ctx)
    if decision == "accept":
        outcome = _accept(negotiation, proposal)
        _emit(ctx, "offer_accepted")
        return outcome
    if decision == "reject":
        proposal.reject()
        proposal.save()
        negotiation.escalate()
        negotiation.save()
        _emit(ctx, "offer_rejected")
        return {"round_outcome": "rejected"}
    return _counter(ctx, negotiation, proposal, party)


def _accept(negotiation: Negotiation, proposal: FeeProposal) -> dict:
    proposal.accept()
    proposal.save()
    negotiation.agree(proposal.fee)
    negotiation.save()
    return {"round_outcome": "accepted", "agreed_fee_fen": to_fen(proposal.fee)}


def _counter(ctx: TaskContext, negotiation: Negotiation, proposal: FeeProposal, party: str) -> dict:
    fee, lines = validated_offer(negotiation, ctx.data.get("fee"), ctx.data.get("lines"))
    proposal.counter()
    proposal.save()
    offer = offer_next_round(negotiation, party, fee, lines, ctx.actor, _text(ctx, "comment"))
    _emit(ctx, "offer_countered", fee=fee)
    other = "teo" if party == FeeProposal.Party.ALLIANCE else "alliance"
    return {"round_outcome": "countered", "turn": other, "round_deadline": offer.deadline.isoformat()}


@bind("negotiation_round", "alliance_responds")
def alliance_responds(ctx: TaskContext) -> dict:
    return _respond(ctx, FeeProposal.Party.ALLIANCE)


@bind("negotiation_round", "teo_responds")
def teo_responds(ctx: TaskContext) -> dict:
    return _respond(ctx, FeeProposal.Party.TEO)


@bind("fee_negotiation", "mediate")
def mediate(ctx: TaskContext) -> dict:
    negotiation = _negotiation(ctx)
    if negotiation.state == Negotiation.State.NEGOTIATING:  # rounds ran out or a deadline passed
        negotiation.escalate()
    if _decision(ctx) == "failed":
        negotiation.fail()
        negotiation.save()
        _emit(ctx, "mediation_failed")
        return {"mediation_outcome": "failed"}
    fee, lines = validated_offer(negotiation, ctx.data.get("fee"), ctx.data.get("lines"))
    proposal = offer_next_round(negotiation, FeeProposal.Party.TEO, fee, lines, ctx.actor,
                           MEDIATED_COMMENT)
    proposal.accept()
    proposal.save()
    negotiation.agree(fee, mediated=True)
    negotiation.save()
    _emit(ctx, "fee_mediated")
    return {"mediation_outcome": "agreed", "agreed_fee_fen": to_fen(fee)}


# --- provincial verification -------------------------------------------------------------


@bind("fee_verification", "verify_baseline")
def verify_baseline(ctx: TaskContext) -> dict:
    return _review(ctx, Division.VOCATIONAL)


@bind("fee_verification", "verify_baseline_finance")
def verify_baseline_finance(ctx: TaskContext) -> dict:
    return _review(ctx, Division.FINANCE)


def _pending_baseline(negotiation: Negotiation) -> Baseline:
    return Baseline.objects.select_for_update().get(negotiation=negotiation, state=Baseline.State.PENDING)


def _review(ctx: TaskContext, division: str) -> dict:
    """One division's decision (会签); the second to decide settles the baseline for both."""
    negotiation = _negotiation(ctx)
    baseline = _pending_baseline(negotiation)
    decision = _decision(ctx)
    if decision == "consult":
        return _ask_expert(ctx, baseline, division)
    reasons = _text(ctx, "reasons", required=decision != "verify")
    reviews = joint_review.record_review(baseline, division, decision, reasons, ctx.actor)
    _emit(ctx, "baseline_reviewed", division=division, decision=decision)
    decided = {f"{name}_decision": review.decision for name, review in reviews.items()}
    divisions = _divisions_of(ctx)
    if set(divisions) - set(reviews):
        return decided
    # The join takes the data of the branch that arrives last, this one: it carries both decisions.
    return {**decided, **_decide(ctx, negotiation, baseline, {name: reviews[name] for name in divisions})}


def _divisions_of(ctx: TaskContext) -> list[str]:
    """The divisions that verify in this instance's version of the model: both (会签), or the reviewer
    alone in a version deployed before joint verification, which the instances started on it keep."""
    drawn = ctx.task.workflow.spec.task_specs
    return [division for task, division in joint_review.REVIEW_TASKS.items() if task in drawn]


def _decide(ctx: TaskContext, negotiation: Negotiation, baseline: Baseline, reviews: dict) -> dict:
    """Settle the baseline on the divisions' decisions (a version with the reviewer alone: on its one)."""
    decisions = [review.decision for review in reviews.values()]  # 职成处 first
    outcome = rules.joint_outcome(decisions[0], decisions[-1])
    if outcome == "verified":
        return _verified(ctx, negotiation, baseline)
    reasons = joint_review.joint_reasons(reviews)
    if outcome == "returned":
        baseline.return_for_revision(ctx.actor, reasons)
        negotiation.reopen()
        negotiation.save()
    else:
        baseline.reject(ctx.actor, reasons)
    baseline.save()
    _emit(ctx, "baseline_returned" if outcome == "returned" else "baseline_rejected")
    return {"verification_outcome": outcome}


def _verified(ctx: TaskContext, negotiation: Negotiation, baseline: Baseline) -> dict:
    now = timezone.now()
    existing = baseline.verified_in_province()
    if existing is not None and existing.fee == baseline.fee:
        baseline.adopt(ctx.actor, now)
    else:
        baseline.verify(ctx.actor, now)
    baseline.save()
    agreement = Agreement.objects.create_numbered(negotiation, existing or baseline, baseline.fee, now)
    if existing is None:  # a new provincial standard: agreements re-opened for it sign again
        services.announce_baseline(baseline, ctx.actor)
    _emit(ctx, "baseline_verified")
    return {"verification_outcome": "verified", "agreement_id": agreement.pk}


def _ask_expert(ctx: TaskContext, baseline: Baseline, division: str) -> dict:
    """加签: the division names an expert of its province and asks; it decides once the opinion is in."""
    expert = joint_review.province_expert(ctx.data.get("expert"), baseline)
    question = _text(ctx, "question", required=True)
    opinion = joint_review.ask_expert(baseline, division, ctx.actor, expert, question)
    _emit(ctx, "expert_opinion_requested", division=division, expert_id=expert.user_id)
    asked = baseline.expert_opinions.filter(division=division).count()
    return {f"{division}_decision": "consult", f"{division}_opinions": asked, "expert_user_id": expert.user_id,
            "expert_opinion_id": opinion.pk}


@bind("fee_verification", "expert_opinion")
def expert_opinion(ctx: TaskContext) -> dict:
    return _give_opinion(ctx, Division.VOCATIONAL)


@bind("fee_verification", "expert_opinion_finance")
def expert_opinion_finance(ctx: TaskContext) -> dict:
    return _give_opinion(ctx, Division.FINANCE)


def _give_opinion(ctx: TaskContext, division: str) -> dict:
    _pending_baseline(_negotiation(ctx))  # the baseline is still undecided: nothing else holds it
    opinion = joint_review.give_opinion(ctx.task.data["expert_opinion_id"], ctx.actor, _text(ctx, "opinion"))
    _emit(ctx, "expert_opinion_given", division=division)
    return {"expert_opinion_id": opinion.pk}


# --- agreement signing and filing --------------------------------------------------------


def _sign(ctx: TaskContext, party: str) -> dict:
    agreement = Agreement.objects.select_for_update().get(pk=ctx.task.data["agreement_id"])
    agreement.record_signature(party, timezone.now(), ctx.actor)
    if agreement._both_signed():
        agreement.complete_signing()
        agreement.save()
        _submit_filing(agreement)
    agreement.save()
    _emit(ctx, "agreement_signed")
    return {f"signed_by_{party}": True}


def _submit_filing(agreement: Agreement) -> None:
    filing = Filing.objects.select_for_update().filter(agreement=agreement).first()
    if filing is None:
        Filing.objects.create(agreement=agreement, filing_no=f"BA-{agreement.pk:06d}")
        return
    filing.resubmit()  # signed again after a renewal: the same filing goes back to the department
    filing.save()


@bind("agreement_signing", "sign_alliance")
def sign_alliance(ctx: TaskContext) -> dict:
    return _sign(ctx, "alliance")


@bind("agreement_signing", "sign_teo")
def sign_teo(ctx: TaskContext) -> dict:
    return _sign(ctx, "teo")


@bind("agreement_filing", "acknowledge_filing")
def acknowledge_filing(ctx: TaskContext) -> dict:
    agreement = Agreement.objects.select_for_update().get(pk=ctx.task.data["agreement_id"])
    filing = Filing.objects.select_for_update().get(agreement=agreement)
    flagged = contracts.for_task(ctx.open_task).read(ctx.data, "flagged")
    if flagged:
        filing.flag(ctx.actor, _text(ctx, "note"))
    else:
        filing.acknowledge(ctx.actor)
    filing.save()
    agreement.file()
    agreement.save()
    members = list(agreement.negotiation.alliance.accepted_members().values_list("college_id", flat=True))
    for college_id in members:
        Payment.objects.get_or_create(agreement=agreement, college_id=college_id)
    for payment in agreement.payments.select_for_update().filter(state=Payment.State.DUE):
        payment.recompute()  # filed again after a renewal: what is still due follows the new fee
        payment.save()
    _emit(ctx, "agreement_filed")
    return {"flagged": flagged, "member_college_ids": members}


@bind("agreement_filing", "record_supervision")
def record_supervision(ctx: TaskContext) -> dict:
    filing = Filing.objects.select_for_update().get(agreement_id=ctx.task.data["agreement_id"])
    note = _text(ctx, "supervision_note")
    filing.supervision_note = f"{filing.supervision_note}\n{note}".strip()
    filing.save()
    return {"supervision_note": note}


# --- payment -----------------------------------------------------------------------------


@bind("payment", "release_payment")
def release_payment(ctx: TaskContext) -> dict:
    payment = Payment.objects.select_for_update().get(pk=ctx.task.data["payment_id"])
    funding = _allocations(payment, ctx.data.get("funding") or [])
    payment.release(ctx.actor, timezone.now())
    payment.save()
    _emit(ctx, "payment_released", college_id=payment.college_id)
    return {"released": True, "funding": funding}


def _allocations(payment: Payment, raw: list) -> list[dict]:
    if not raw:  # a list of {source, amount, purpose} objects (the contract's kind)
        raise RuleViolation("funding_required", _("Choose at least one funding source."))
    sources = set(FundingAllocation.Source.values)
    saved = []
    for item in raw:
        # A source that is not text (a list, an object) is unknown too, not a set lookup that fails.
        if not isinstance(item.get("source"), str) or item.get("source") not in sources:
            raise RuleViolation("funding_source_unknown", _("Unknown funding source: %(given)s"),
                                given=repr(item.get("source"))[:100])
        amount = parse_amount(item.get("amount"), format_lazy(_("share of {source}"),
                                                               source=FundingSource(item["source"]).label))
        # Stored as the vocabulary's code, whatever spelling was sent; Payment.release checks it again.
        purpose = rules.check_special_fund_use(item["source"], item.get("purpose") or FundingPurpose.ASSESSMENT_FEE)
        FundingAllocation.objects.create(payment=payment, source=item["source"], amount=amount, purpose=purpose)
        saved.append({"source": item["source"], "amount": f"{amount:.2f}", "purpose": purpose.value})
    return saved
