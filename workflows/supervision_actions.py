"""The business change bound to each user task of `teo_supervision` (动态调整): runs inside the engine's transaction.

As in `workflows.actions`: the submitted data arrives held to the task's contract; the action applies
the rules, records what was decided and returns the task data the model's gateways read. Raising
RuleViolation leaves nothing changed.
"""
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bpmn.hooks import TaskContext, bind
from workflows import contracts, events, supervision, supervision_process
from workflows.errors import RuleViolation
from workflows.models import Measure, Organization, ProgressReport, SupervisionMeasure


def _read(ctx: TaskContext, key: str):
    return contracts.for_task(ctx.open_task).read(ctx.data, key)


def _teo(ctx: TaskContext) -> Organization:
    return Organization.objects.get(pk=ctx.task.data["teo_id"])


# --- the monthly dispatch (按月调度) -------------------------------------------------------------


@bind("teo_supervision", "report_progress")
def report_progress(ctx: TaskContext) -> dict:
    """The TEO's report of one month, against its plan; given after its due date it is late."""
    teo, year, month = _teo(ctx), ctx.task.data["year"], ctx.task.data["report_month"]
    counts = {key: _read(ctx, key) for key in ("training_sessions", "sittings", "assessed", "certified")}
    _refuse_more_certified_than_assessed(counts)
    now = timezone.now()
    late = now > datetime.fromisoformat(ctx.task.data["report_deadline"])
    report = ProgressReport.objects.create(teo=teo, year=year, month=month, note=_read(ctx, "note"),
                                           submitted_by=ctx.actor, submitted_at=now, late=late, **counts)
    events.emit("progress_reported", teo=teo, actor=ctx.actor, month=month, decision="late" if late else "on_time")
    planned = supervision.plan_totals(teo, year)["months"].get(month, {})
    return {"report_id": report.pk, "report_late": late, "planned_sittings": planned.get("sittings", 0),
            "planned_headcount": planned.get("headcount", 0)}


def _refuse_more_certified_than_assessed(counts: dict) -> None:
    # People are assessed at a sitting (考点组织考核). Certificates are not held to the month's
    # assessed: a month certifies people assessed the month before as well.
    if counts["assessed"] and not counts["sittings"]:
        raise RuleViolation("progress_assessed_without_sitting",
                            _("%(assessed)s people assessed in the month need at least 1 sitting held; given 0."),
                            assessed=counts["assessed"])


# --- the yellow card (黄牌警告) and the delisting (摘牌) ---------------------------------------------


@bind("teo_supervision", "decide_yellow_card")
def decide_yellow_card(ctx: TaskContext) -> dict:
    decided, measure = _decide_proposal(ctx, Measure.YELLOW_CARD, "yellow_card_shown", "card_outcome", "shown")
    if measure is not None:  # the follow-up runs from the card's day
        decided["follow_up_at"] = supervision_process.follow_up_at(measure.decided_at, ctx.task.data["year"])
    return decided


@bind("teo_supervision", "decide_delisting")
def decide_delisting(ctx: TaskContext) -> dict:
    return _decide_proposal(ctx, Measure.DELISTING, "teo_delisted", "delisting_outcome", "delisted")[0]


def _decide_proposal(ctx: TaskContext, kind: str, event: str, outcome_key: str,
                     outcome: str) -> tuple[dict, SupervisionMeasure | None]:
    """The ministry decides what the supervision proposed: the measure with its published reasons, or not."""
    teo = _teo(ctx)
    reasons = _read(ctx, "reasons")
    if _read(ctx, "decision") == "decline":
        _declined(ctx, teo, kind, reasons)
        return {outcome_key: "declined"}, None
    measure = supervision.decide_measure(ctx.actor, teo, kind, reasons, proposed=True, instance=ctx.instance)
    events.emit(event, teo=teo, actor=ctx.actor, measure=measure)
    return {outcome_key: outcome, "measure_id": measure.pk}, measure


def _declined(ctx: TaskContext, teo: Organization, kind: str, reasons: str) -> None:
    """The ministry decides against the proposal: no measure, the reasons in the audit and told to the TEO."""
    events.emit("measure_declined", teo=teo, actor=ctx.actor, decision=kind, reason=reasons)
