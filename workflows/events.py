"""The domain's events: what was decided about a negotiation, an agreement, a payment or a paper order.

The action or service that takes the decision emits its event (`emit`) inside the transaction of
the change; listeners (notifications) write their rows in that same transaction, so a rolled-back
change leaves nothing behind. EVENTS names each event and the payload it carries.
"""
from dataclasses import dataclass
from decimal import Decimal

from django.dispatch import Signal

from workflows.models import Negotiation, PaperCertificateOrder

# sender: the event's name; kwargs: event (DomainEvent). Sent inside the transaction of the change.
happened = Signal()

_PARTIES = ("negotiation", "actor")
_ORDER = ("order", "actor")
_COMPLAINT = ("complaint", "teo", "actor")
EVENTS: dict[str, tuple[str, ...]] = {
    "invitation_answered": (*_PARTIES, "decision"),
    "offer_countered": (*_PARTIES, "fee"),
    "offer_accepted": _PARTIES,
    "offer_rejected": _PARTIES,
    "fee_mediated": _PARTIES,
    "mediation_failed": _PARTIES,
    "baseline_verified": _PARTIES,
    "baseline_returned": _PARTIES,
    "baseline_rejected": _PARTIES,
    "baseline_superseded": _PARTIES,
    "baseline_reviewed": (*_PARTIES, "division", "decision"),
    "expert_opinion_requested": (*_PARTIES, "division", "expert_id"),
    "expert_opinion_given": (*_PARTIES, "division"),
    "agreement_signed": _PARTIES,
    "agreement_filed": _PARTIES,
    "assessment_held": (*_PARTIES, "college_id"),
    "payment_released": (*_PARTIES, "college_id"),
    "deadline_passed": ("negotiation",),
    "task_taken_over": (*_PARTIES, "task_id", "task_label", "previous_holder_id", "reason"),
    "paper_order_placed": _ORDER,
    "paper_order_dispatched": _ORDER,
    "paper_order_delivered": _ORDER,
    "paper_order_cancelled": (*_ORDER, "reason"),
    # teo_supervision (动态调整): the monthly dispatch, the yellow card and the delisting
    "progress_reported": ("teo", "actor", "month", "decision"),
    "progress_report_missed": ("teo", "month"),
    "yellow_card_proposed": ("teo",),
    "yellow_card_shown": ("teo", "actor", "measure"),
    "delisting_proposed": ("teo",),
    "teo_delisted": ("teo", "actor", "measure"),
    "measure_declined": ("teo", "actor", "decision", "reason"),
    # 投诉: a complaint against a TEO and what the ministry decided on it
    "complaint_lodged": _COMPLAINT,
    "complaint_investigated": _COMPLAINT,
    "complaint_answered": _COMPLAINT,
    "complaint_unanswered": _COMPLAINT,
    "complaint_dismissed": _COMPLAINT,
    "measure_decided": (*_COMPLAINT, "measure"),
    # 补助资金分配: a province released a subsidy round; each college hears of its own grant
    "subsidy_released": ("subsidy", "actor"),
}


@dataclass(frozen=True)
class DomainEvent:
    """One decision, with the payload its name declares in EVENTS (the rest stays empty)."""

    name: str
    negotiation: Negotiation | None = None
    actor: object = None
    decision: str = ""
    fee: Decimal | None = None
    college_id: int | None = None
    order: PaperCertificateOrder | None = None
    task_id: str = ""
    task_label: str = ""
    previous_holder_id: int | None = None
    reason: str = ""
    division: str = ""  # the division of the province that decided or asked (会签, 加签)
    expert_id: int | None = None  # the user an expert opinion is asked of
    teo: object = None  # the TEO a supervision or complaint event is about (an Organization)
    complaint: object = None  # the complaint an event is about
    measure: object = None  # the measure the ministry decided (a SupervisionMeasure)
    month: int | None = None  # the month a progress report is of (按月调度)
    subsidy: object = None  # the subsidy round a province released (a SubsidyRound)

    @property
    def actor_id(self) -> int | None:
        return getattr(self.actor, "pk", None)


def emit(name: str, **payload) -> DomainEvent:
    """Tell the listeners of one decision, inside the transaction that takes it."""
    undeclared = set(payload) - set(EVENTS[name])
    if undeclared:
        raise TypeError(f"{name} carries no {', '.join(sorted(undeclared))}")
    event = DomainEvent(name, **payload)
    happened.send(sender=name, event=event)
    return event


def negotiation_of_instance(instance) -> Negotiation | None:
    """The negotiation a lifecycle or renewal instance is about; read once per instance object (one step)."""
    from workflows.services import negotiation_id_of_key

    if instance is None:
        return None
    if not hasattr(instance, "_negotiation_of_key"):
        pk = negotiation_id_of_key(instance.business_key)
        instance._negotiation_of_key = (
            Negotiation.objects.select_related("alliance", "certificate").filter(pk=pk).first() if pk else None
        )
    return instance._negotiation_of_key


def deadline_passed(sender, instance, **kwargs) -> None:
    """A timer of a lifecycle fired (an invitation's or a round's deadline): its parties are told.

    A complaint's timer is the TEO's answer deadline: the complaint goes on to the ministry without
    its statement, and the TEO is told. A process about no negotiation (a TEO's supervision) tells of
    its own deadlines with events of its own.
    """
    from workflows.complaints import complaint_id_of_key
    from workflows.models import Complaint

    complaint_id = complaint_id_of_key(getattr(instance, "business_key", ""))
    if complaint_id is not None:
        complaint = Complaint.objects.select_related("teo").get(pk=complaint_id)
        emit("complaint_unanswered", complaint=complaint, teo=complaint.teo)
        return
    negotiation = negotiation_of_instance(instance)
    if negotiation is not None:
        emit("deadline_passed", negotiation=negotiation)


def install() -> None:
    """Hear the engine's timers, which decide a deadline without any action of the domain."""
    from bpmn.signals import timer_fired

    timer_fired.connect(deadline_passed, dispatch_uid="workflows.deadline_passed", weak=False)
