"""Engine tables: versioned definitions, instance state, and the projections people query."""
import uuid

from django.conf import settings
from django.db import connections, models, router, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bpmn import chain


class ProcessDefinition(models.Model):
    """One deployed version of a process and every file it needs (called processes, decisions)."""

    process_id = models.CharField(max_length=100)
    version = models.PositiveIntegerField()
    content_hash = models.CharField(max_length=64)
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
    last_projected = models.JSONField(
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


class AuditChain(models.Model):
    """The head of one audit chain: locked by every writer, so two writers never fork the chain.

    One row per process instance (`instance:<id>`) and one for the admin's changes (`admin`).
    """

    key = models.CharField(max_length=50, unique=True)
    length = models.PositiveBigIntegerField(default=0, help_text="rows in the chain")
    head_hash = models.CharField(max_length=64, blank=True, help_text="hash of the chain's last row")
    head_id = models.BigIntegerField(null=True, blank=True, help_text="id of the chain's last row")

    def __str__(self) -> str:
        return f"{self.key} ({self.length})"


def _append_to_chain(row, using: str | None, save) -> None:
    """Link `row` after the head of its chain and save it, holding the head's row lock."""
    key = row.chain_key()
    using = using or router.db_for_write(type(row), instance=row)
    with transaction.atomic(using=using):
        row.share_chain_owner(using)
        heads = AuditChain.objects.using(using).select_for_update()
        head = heads.filter(key=key).first()
        if head is None:
            # Two first writers of one chain: one inserts, the other waits for it and does nothing.
            AuditChain.objects.using(using).bulk_create([AuditChain(key=key)], ignore_conflicts=True)
            head = heads.get(key=key)
        row.seq, row.prev_id, row.prev_hash = head.length + 1, head.head_id, head.head_hash
        if row.at is None:
            row.at = timezone.now()
        row.hash = chain.digest(row.chained_fields())
        save()
        AuditChain.objects.using(using).filter(pk=head.pk).update(length=row.seq, head_hash=row.hash, head_id=row.pk)


APPEND_ONLY = "审计记录只能追加 / audit entries are append-only"


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError(APPEND_ONLY)

    def delete(self):
        raise TypeError(APPEND_ONLY)

    def bulk_create(self, objs, *args, **kwargs):
        raise TypeError("审计记录逐条写入并链接前一条 / audit entries are written one by one, each linked to the last")


class ChainedRow(models.Model):
    """An append-only audit row linked into a hash chain (see bpmn/chain.py)."""

    seq = models.PositiveBigIntegerField(help_text="position in its chain, from 1")
    prev_id = models.BigIntegerField(null=True, blank=True, help_text="id of the row before it in its chain")
    prev_hash = models.CharField(max_length=64, blank=True, help_text="hash of the row before it in its chain")
    hash = models.CharField(max_length=64, help_text="SHA-256 of the row's canonical content, prev_hash included")

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError(APPEND_ONLY)
        _append_to_chain(self, kwargs.get("using"), lambda: super(ChainedRow, self).save(*args, **kwargs))

    def delete(self, *args, **kwargs):
        raise TypeError(APPEND_ONLY)

    def chain_key(self) -> str:
        raise NotImplementedError

    def chained_fields(self) -> dict:
        raise NotImplementedError

    def share_chain_owner(self, using: str) -> None:
        """Take the lock the row's foreign key to its chain's owner takes anyway, before the head's."""


class AuditEntry(ChainedRow):
    """Who did what, when, with the data they submitted. Append-only, chained per instance."""

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

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["instance", "at"])]
        constraints = [models.UniqueConstraint(fields=["instance", "seq"], name="uniq_audit_entry_seq")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.action} {self.task_name}"

    def chain_key(self) -> str:
        return chain.instance_chain(self.instance_id)

    def share_chain_owner(self, using: str) -> None:
        # PostgreSQL checks the foreign key at commit with FOR KEY SHARE on the instance, which waits
        # for whoever holds the instance FOR UPDATE (the engine, mid-step). Taken after the chain's
        # head, that wait closed a cycle with the engine waiting for the head (a claim against a
        # completion deadlocked on four workers). Taken first, the head is held only with the instance
        # shared: a writer holding the instance for update never waits for the head.
        connection = connections[using]
        if connection.vendor == "postgresql":
            table = connection.ops.quote_name(ProcessInstance._meta.db_table)
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT 1 FROM {table} WHERE id = %s FOR KEY SHARE", [self.instance_id])

    def chained_fields(self) -> dict:
        return chain.entry_fields(self)


class AdminChange(ChainedRow):
    """A change of reference data made in the admin: who, which object, each field from what to what.

    One chain for the whole site (`admin`). `changes` maps a field's name to [before, after]; an
    added object has every field from None, a deleted one every field to None.
    """

    class Action(models.TextChoices):
        ADDED = "added", _("added")
        CHANGED = "changed", _("changed")
        DELETED = "deleted", _("deleted")

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=10, choices=Action.choices)
    model = models.CharField(max_length=100, help_text="app_label.model_name")
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(max_length=200)
    changes = models.JSONField(default=dict)
    at = models.DateTimeField()

    class Meta:
        ordering = ["seq"]
        indexes = [models.Index(fields=["model", "object_id"])]
        constraints = [models.UniqueConstraint(fields=["seq"], name="uniq_admin_change_seq")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.action} {self.model} {self.object_id}"

    def chain_key(self) -> str:
        return chain.ADMIN_CHAIN

    def chained_fields(self) -> dict:
        return chain.change_fields(self)
