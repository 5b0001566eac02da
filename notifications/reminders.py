"""Due-date reminders and overdue escalations, sent once per task by the timer scheduler."""
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction

from bpmn.models import OpenTask
from notifications.audience import Context
from notifications.events import negotiation_of_instance, notify
from notifications.models import Reminder


def send_reminders(now) -> int:
    """Remind the holders of tasks due within REMINDER_HOURS; escalate overdue ones. Returns the count."""
    window = now + timedelta(hours=getattr(settings, "REMINDER_HOURS", 24))
    sent = 0
    due = OpenTask.objects.select_related("instance").filter(due_at__isnull=False, due_at__lte=window)
    for task in due:
        kind = Reminder.Kind.OVERDUE if task.due_at < now else Reminder.Kind.DUE_SOON
        sent += _remind(task, kind, now)
    return sent


def _remind(task: OpenTask, kind: str, now) -> int:
    try:
        with transaction.atomic():
            Reminder.objects.create(task_id=task.task_id, kind=kind, sent_at=now)
            # A task of a TEO's supervision names its TEO (its data's teo_id): overdue, it reaches the ministry.
            ctx = Context(negotiation=negotiation_of_instance(task.instance), task_organization_id=task.organization_id,
                          task_lane=task.role, teo_id=(task.data or {}).get("teo_id"))
            event = "task_overdue" if kind == Reminder.Kind.OVERDUE else "task_due_soon"
            notify(event, ctx, link=f"/tasks/{task.task_id}/", task=task.label)
    except IntegrityError:  # already sent, perhaps by another scheduler process
        return 0
    return 1
