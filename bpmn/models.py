"""Engine tables: versioned definitions, instance state, and the projections people query."""
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ProcessDefinition(models.Model):
    """One deployed version of a process and every file it needs (called processes, decisions)."""

    process_id = models.CharField(max_length=100)
    version = models.PositiveIntegerField()
    content_hash = models.CharField(max_length=64)
    name = models.CharField(max_length=200, blank=True)
    sources = models.JSONField(help_text="file name -> XML text of every file the process needs")
    deployed_at = models.DateTimeField(
        default=timezone.now,
        help_text="when these files were last deployed; the latest definition is the one deployed last",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["process_id", "version"], name="uniq_process_version"),
            models.UniqueConstraint(
                fields=["process_id", "content_hash"], name="uniq_process_content"
            ),
        ]
        ordering = ["process_id", "-version"]
        # Latest means deployed last, not numbered highest: redeploying older files rolls back.
        get_latest_by = ["deployed_at", "version"]

    def __str__(self) -> str:
        return f"{self.process_id} v{self.version}"


class ProcessInstance(models.Model):
    """A running or finished workflow; its serialized state is saved after every step."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        COMPLETED = "completed", _("Completed")

    definition = models.ForeignKey(ProcessDefinition, on_delete=models.PROTECT)
    business_key = models.CharField(max_length=100, db_index=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.RUNNING)
    # JSON text, not jsonb: SpiffWorkflow's restore depends on the order of keys, which jsonb sorts.
    state = models.TextField()
    state_format = models.PositiveSmallIntegerField(default=1)
    uid = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    revision = models.PositiveIntegerField(default=0, help_text="bumped by every saved step")
    waiting = models.JSONField(
        default=dict, help_text="ids of the timer and message rows last projected, to diff against"
    )
    end_event = models.CharField(max_length=100, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "updated_at"])]

    def __str__(self) -> str:
        return f"{self.definition.process_id} #{self.pk} ({self.business_key})"


class OpenTask(models.Model):
    """A user task that is READY now: the indexed table every inbox reads."""

    instance = models.ForeignKey(ProcessInstance, on_delete=models.CASCADE, related_name="open_tasks")
    task_id = models.UUIDField(unique=True)
    process_id = models.CharField(max_length=100, help_text="the process the task is drawn in")
    task_name = models.CharField(max_length=100, help_text="the task's id in the model")
    label = models.CharField(max_length=200)
    role = models.CharField(max_length=50, help_text="the lane")
    organization_id = models.BigIntegerField(null=True, blank=True)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    due_at = models.DateTimeField(null=True, blank=True)
    data = models.JSONField(default=dict, help_text="what the task shows its actor")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["role", "organization_id", "due_at"]),
            models.Index(fields=["due_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.label} [{self.role}:{self.organization_id}]"

    @property
    def overdue(self) -> bool:
        return self.due_at is not None and self.due_at < timezone.now()


class Timer(models.Model):
    """A waiting timer event, with its due time copied out of the state for the scheduler."""

    instance = models.ForeignKey(ProcessInstance, on_delete=models.CASCADE, related_name="timers")
    task_id = models.UUIDField(unique=True)
    task_name = models.CharField(max_length=100)
    due_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.task_name} due {self.due_at:%Y-%m-%d %H:%M}"


class MessageSubscription(models.Model):
    """A message catch event that is waiting, with its correlation computed from task data."""

    instance = models.ForeignKey(
        ProcessInstance, on_delete=models.CASCADE, related_name="subscriptions"
    )
    task_id = models.UUIDField(unique=True)
    message_name = models.CharField(max_length=100)
    correlation_key = models.CharField(max_length=255)

    class Meta:
        indexes = [models.Index(fields=["message_name", "correlation_key"])]

    def __str__(self) -> str:
        return f"{self.message_name} [{self.correlation_key}]"


class PendingMessage(models.Model):
    """A message that arrived before anyone waited for it; delivered when a subscriber appears."""

    message_name = models.CharField(max_length=100)
    correlation_key = models.CharField(max_length=255)
    payload = models.JSONField()
    received_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    delivered_to = models.ForeignKey(
        ProcessInstance, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["message_name", "correlation_key", "delivered_at"])]

    def __str__(self) -> str:
        return f"{self.message_name} [{self.correlation_key}]"


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("审计记录只能追加 / audit entries are append-only")

    def delete(self):
        raise TypeError("审计记录只能追加 / audit entries are append-only")


class AuditEntry(models.Model):
    """Who did what, when, with the data they submitted. Append-only."""

    instance = models.ForeignKey(
        ProcessInstance, on_delete=models.PROTECT, related_name="audit_entries"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=50)
    task_name = models.CharField(max_length=100, blank=True)
    task_id = models.UUIDField(null=True, blank=True)
    data = models.JSONField(default=dict)
    at = models.DateTimeField()

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["instance", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.action} {self.task_name}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("审计记录只能追加 / audit entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("审计记录只能追加 / audit entries are append-only")
