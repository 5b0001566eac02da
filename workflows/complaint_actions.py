"""The actions bound to the user tasks of `complaint.bpmn`: run inside the engine's transaction.

The ministry accepts a complaint for investigation or dismisses it as unfounded; the TEO states
its side (申辩) before its deadline; the ministry decides one measure (`supervision.decide_measure`)
or dismisses the complaint, with findings that are published. Each complaint's state follows:
lodged → investigating → decided or dismissed. Raising RuleViolation leaves nothing changed.
"""
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bpmn.hooks import TaskContext, bind
from workflows import complaints, contracts, events, supervision
from workflows.errors import RuleViolation
from workflows.models import Complaint, Measure

CARDS = {Measure.YELLOW_CARD: "yellow_card_shown", Measure.DELISTING: "teo_delisted"}


def _complaint(ctx: TaskContext) -> Complaint:
    return Complaint.objects.select_for_update(of=("self",)).select_related("teo").get(
        pk=ctx.task.data["complaint_id"])


def _read(ctx: TaskContext, key: str, required: bool | None = None):
    return contracts.for_task(ctx.open_task).read(ctx.data, key, required)


def _emit(name: str, ctx: TaskContext, complaint: Complaint, **payload) -> None:
    events.emit(name, complaint=complaint, teo=complaint.teo, actor=ctx.actor, **payload)


@bind("complaint", "investigate_complaint")
def investigate_complaint(ctx: TaskContext) -> dict:
    complaint = _complaint(ctx)
    decision = _read(ctx, "decision")
    complaint.investigate(ctx.actor)
    if decision == "dismiss":
        # Unfounded on its face: the findings say why, and they are published with the dismissal.
        complaint.dismiss(_read(ctx, "findings", required=True))
        complaint.save()
        _emit("complaint_dismissed", ctx, complaint)
        return {"investigation_outcome": "dismissed"}
    complaint.save()
    deadline = timezone.now() + complaints.ANSWER_DEADLINE
    _emit("complaint_investigated", ctx, complaint)
    return {"investigation_outcome": "accepted", "answer_deadline": deadline.isoformat()}


@bind("complaint", "answer_complaint")
def answer_complaint(ctx: TaskContext) -> dict:
    complaint = _complaint(ctx)
    _read(ctx, "statement")  # kept in the task data and the audit trail: what the ministry reads
    _emit("complaint_answered", ctx, complaint)
    return {"answered": True}


@bind("complaint", "decide_complaint")
def decide_complaint(ctx: TaskContext) -> dict:
    complaint = _complaint(ctx)
    decision = _read(ctx, "decision")
    findings = _read(ctx, "findings", required=True)
    if decision == "dismiss":
        complaint.dismiss(findings)
        complaint.save()
        _emit("complaint_dismissed", ctx, complaint)
        return {"complaint_outcome": "dismissed"}
    kind = _read(ctx, "measure")
    if not kind:
        raise RuleViolation("measure_required", _("Choose the measure decided, or dismiss the complaint."))
    measure = supervision.decide_measure(ctx.actor, complaint.teo, kind, _read(ctx, "reasons"), complaint=complaint,
                                         instance=ctx.instance)
    complaint.decide(findings)
    complaint.save()
    _emit("measure_decided", ctx, complaint, measure=measure)
    if kind in CARDS:  # a card decided on a complaint is news to whoever the supervision's card reaches
        events.emit(CARDS[kind], teo=complaint.teo, actor=ctx.actor, measure=measure)
    return {"complaint_outcome": "measure", "measure_id": measure.pk}
