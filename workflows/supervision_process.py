"""The supervision process of a TEO (`teo_supervision`): its start, its month windows, the facts it reads.

One instance per TEO in the pilot and pilot year, business key `supervision:<teo id>:<year>`. Two
branches run side by side: the monthly dispatch (按月调度), September to December, and the
training start (9月上旬 → 黄牌警告 → 摘牌). The dates are Beijing days; the timers get UTC instants.

The report of a month opens when the month has ended (the 1st of the next month, 00:00 Beijing
time), is due SUPERVISION_REPORT_DAYS (5) days later (the task's due date: a reminder before it, an
escalation to the ministry after it, by `notifications.reminders` as for every deadline) and closes
when the next month's report opens; a report still not given then is recorded as missed.
"""
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from bpmn import engine
from bpmn.models import ProcessInstance
from workflows import events, supervision
from workflows.models import AssessmentPlan, Organization, Standing, TrainingSession

PROCESS_ID = "teo_supervision"
FIRST_MONTH, LAST_MONTH = AssessmentPlan.MONTHS[0], AssessmentPlan.MONTHS[-1]
SESSIONS_SHOWN = 10  # the sessions a proposal lists (the first ones)


def supervision_key(teo: Organization | int, year: int) -> str:
    return f"supervision:{getattr(teo, 'pk', teo)}:{year}"


def teo_id_of_key(business_key: str) -> int | None:
    """The inverse of supervision_key: the TEO of a supervision instance, or None."""
    prefix, _, rest = (business_key or "").partition(":")
    pk = rest.partition(":")[0]
    return int(pk) if prefix == "supervision" and pk.isdigit() else None


def _beijing() -> ZoneInfo:
    return ZoneInfo(settings.DISPLAY_TIME_ZONE)


def end_of_day(day: date) -> datetime:
    """The instant a Beijing day ends (the next day's 00:00, Beijing time), in UTC."""
    return datetime.combine(day + timedelta(days=1), datetime.min.time(), _beijing()).astimezone(ZoneInfo("UTC"))


def _first_of(year: int, month: int) -> date:
    return date(year + (month - 1) // 12, (month - 1) % 12 + 1, 1)


def report_opening(year: int, month: int) -> str:
    """When the month's report opens: the month has ended (the 1st of the next month, 00:00 Beijing)."""
    return end_of_day(_first_of(year, month + 1) - timedelta(days=1)).isoformat()


def report_due(year: int, month: int) -> str:
    """The report's due date: SUPERVISION_REPORT_DAYS days after it opens."""
    opens = datetime.fromisoformat(report_opening(year, month))
    return (opens + timedelta(days=settings.SUPERVISION_REPORT_DAYS)).isoformat()


def report_closing(year: int, month: int) -> str:
    """When a report not given is recorded as missed: the next month's report opens."""
    return report_opening(year, month + 1)


def training_deadline_at(year: int) -> str:
    return end_of_day(supervision.training_start_deadline(year)).isoformat()


def _facts(teo_id: int, by: date, kind: str) -> dict:
    """What the ministry reads on a proposal: the day, what had started by it, the sessions recorded."""
    start = supervision.training_start(teo_id, by)
    standing = supervision.standing_of(teo_id)
    sessions = TrainingSession.objects.filter(teo_id=teo_id).select_related("province").order_by("starts_on", "pk")
    return {"kind": kind, "deadline": by.isoformat(), "national": start.national, "focus": start.focus,
            "province": start.focus_province, "started": start.started, "standing": standing.state,
            "sessions": sessions.count(),
            "listed": [f"{s.province.name} {s.starts_on.isoformat()}–{s.ends_on.isoformat()} × {s.teachers_trained}"
                       for s in sessions[:SESSIONS_SHOWN]]}


def training_start_facts(teo_id: int, year: int) -> dict:
    """The facts at the training start day (9月上旬); a TEO proposed for a yellow card is told so.

    A TEO shown a yellow card already (on a complaint) and still not started is not proposed a second
    card: `follow_up_at` is when its follow-up ends, and the delisting is proposed then.
    """
    facts = _facts(teo_id, supervision.training_start_deadline(year), "yellow_card")
    carded = not facts["started"] and facts["standing"] == Standing.State.YELLOW_CARD
    facts["follow_up_at"] = follow_up_at(supervision.standing_of(teo_id).yellow_card_at, year) if carded else None
    if not facts["started"] and facts["standing"] == Standing.State.ACTIVE:
        events.emit("yellow_card_proposed", teo=Organization.objects.get(pk=teo_id))
    return facts


def follow_up_facts(teo_id: int, year: int) -> dict:
    """The facts at the follow-up day (follow_up_day of the card); a TEO proposed for delisting is told so."""
    standing = supervision.standing_of(teo_id)
    facts = _facts(teo_id, follow_up_day(standing.yellow_card_at or timezone.now(), year), "delisting")
    if not facts["started"] and facts["standing"] != Standing.State.DELISTED:
        events.emit("delisting_proposed", teo=Organization.objects.get(pk=teo_id))
    return facts


def follow_up_day(carded_at: datetime, year: int) -> date:
    """The day a yellow card's follow-up ends: SUPERVISION_FOLLOW_UP_DAYS after the card, and never before the
    training start day (a card shown earlier in the year, on a complaint, is followed up from that day)."""
    carded = supervision.follow_up_deadline(carded_at.astimezone(_beijing()).date())
    return max(carded, supervision.training_start_deadline(year))


def follow_up_at(carded_at: datetime, year: int) -> str:
    return end_of_day(follow_up_day(carded_at, year)).isoformat()


def teo_delisted(teo_id: int) -> bool:
    return supervision.is_delisted(teo_id)


def record_missed_report(teo_id: int, year: int, month: int) -> bool:
    """A month's report never given by the time the next opened: the TEO and the ministry are told."""
    events.emit("progress_report_missed", teo=Organization.objects.get(pk=teo_id), month=month)
    return True


# --- starting ------------------------------------------------------------------------------


def start_data(teo: Organization, year: int) -> dict:
    return {"teo_id": teo.pk, "year": year, "report_month": FIRST_MONTH - 1,
            "training_deadline_at": training_deadline_at(year)}


@transaction.atomic
def start_supervision(teo: Organization, year: int, actor=None) -> ProcessInstance:
    """Start the TEO's supervision for a pilot year, once: a second call returns the instance it started."""
    key = supervision_key(teo, year)
    existing = ProcessInstance.objects.filter(business_key=key).first()
    if existing is not None:
        return existing
    return engine.start(PROCESS_ID, business_key=key, data=start_data(teo, year), actor=actor)


def start_supervision_for_all(year: int, actor=None) -> list[ProcessInstance]:
    """Start the supervision of every TEO still in the pilot (not delisted) for a year; idempotent."""
    return [start_supervision(teo, year, actor) for teo in supervision.active_teos()]
