"""The persisted inbox: one row per person per event, written in the transaction of the change."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Notification(models.Model):
    """What happened, to whom, about which object; the id is the client's catch-up cursor.

    How it reaches its recipient (a push to their sockets, an e-mail, a line of the day's digest)
    is a `Delivery` each, written in the same transaction: the outbox.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    event = models.CharField(max_length=50)
    title_zh = models.CharField(max_length=300)
    title_en = models.CharField(max_length=300)
    object_type = models.CharField(max_length=40, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    link = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["recipient", "id"], name="notification_cursor"),
            models.Index(fields=["recipient", "read_at"], name="notification_unread"),
        ]

    def __str__(self) -> str:
        return f"{self.recipient} {self.event} {self.object_type}:{self.object_id}"

    def as_message(self) -> dict:
        """The JSON a client receives, on push and on catch-up alike."""
        return {
            "id": self.pk,
            "event": self.event,
            "title_zh": self.title_zh,
            "title_en": self.title_en,
            "object": f"{self.object_type}:{self.object_id}" if self.object_type else "",
            "link": self.link,
            "created_at": self.created_at.isoformat(),
            "read": self.read_at is not None,
        }


class Delivery(models.Model):
    """One way one notification reaches its recipient: an outbox entry, claimed by one sender.

    Pending until a sender claims it (`claim`, a token set by a conditional update, with
    `claimed_at`, the last attempt's moment), then sent once sent, or pending again after a failure until the last of
    NOTIFICATIONS_MAX_ATTEMPTS, then failed with its error. A claim older than CLAIM_MINUTES is a
    sender that stopped: the entry is pending again.
    """

    class Channel(models.TextChoices):
        PUSH = "push", pgettext_lazy("delivery", "Push to the browser")
        EMAIL = "email", pgettext_lazy("delivery", "E-mail")
        DIGEST = "digest", pgettext_lazy("delivery", "Daily digest")

    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("delivery", "Pending")
        SENT = "sent", pgettext_lazy("delivery", "Sent")
        FAILED = "failed", pgettext_lazy("delivery", "Failed")
        # A push left pending before a server with sockets was listening: its recipient reads it on catch-up.
        CAUGHT_UP = "caught_up", pgettext_lazy("delivery", "Left to the catch-up")

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    claim = models.UUIDField(null=True, blank=True, help_text="the token of the sender holding it")
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name_plural = "deliveries"
        constraints = [models.UniqueConstraint(fields=["notification", "channel"], name="one_delivery_per_channel")]
        indexes = [models.Index(fields=["channel", "id"], name="delivery_outbox",
                                condition=models.Q(status="pending"))]

    def __str__(self) -> str:
        return f"{self.channel} {self.status} of {self.notification_id}"


class Preference(models.Model):
    """A person's e-mail choice; e-mail as a whole is off unless NOTIFICATIONS_EMAIL is set."""

    class Email(models.TextChoices):
        NEVER = "never", _("Never")
        IMMEDIATE = "immediate", _("Immediately")
        DAILY = "daily", _("Daily digest")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    email = models.CharField(max_length=10, choices=Email.choices, default=Email.IMMEDIATE)

    def __str__(self) -> str:
        return f"{self.user} {self.email}"


class Reminder(models.Model):
    """A due-date reminder or overdue escalation already sent for one open task: sent once."""

    class Kind(models.TextChoices):
        DUE_SOON = "due_soon", _("Due soon")
        OVERDUE = "overdue", _("Overdue")

    task_id = models.UUIDField()
    kind = models.CharField(max_length=10, choices=Kind.choices)
    sent_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["task_id", "kind"], name="one_reminder_per_kind")]

    def __str__(self) -> str:
        return f"{self.task_id} {self.kind}"
