"""The deliveries' outbox: each entry claimed by one sender with a conditional update, settled once tried.

A sender claims entries by writing its own token into those still pending and unclaimed; a second
sender's update finds them claimed and takes nothing, so no entry is sent twice. An entry is sent
only once its channel took it; a failure leaves it pending (tried again by the next sender) until
its last attempt, then failed, its error kept for the admin.

A writer's push entries are born claimed by its transaction's token and pushed by the writer once
it commits; only a writer that cannot push here releases them (`release`) for the relay or the
retry. So a relay polling between the commit and that push takes none of them.
"""
import logging
import uuid
from datetime import timedelta

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from notifications.models import Delivery

log = logging.getLogger(__name__)

CLAIM_MINUTES = 15  # a claim this old is a sender that stopped between its claim and its send
BATCH = 500


def max_attempts() -> int:
    return getattr(settings, "NOTIFICATIONS_MAX_ATTEMPTS", 3)


def claim(entries) -> list[Delivery]:
    """Claim the pending, unclaimed entries of `entries` (an unsliced queryset); return those now held here."""
    token = uuid.uuid4()
    entries.filter(status=Delivery.Status.PENDING, claim__isnull=True).update(
        claim=token, claimed_at=timezone.now(), attempts=F("attempts") + 1)
    return list(entries.filter(claim=token).select_related("notification__recipient").order_by("pk"))


def claim_pending(channel: str, limit: int = BATCH) -> list[Delivery]:
    """Claim the oldest pending entries of a channel, at most `limit`."""
    ids = list(Delivery.objects.filter(channel=channel, status=Delivery.Status.PENDING, claim__isnull=True)
               .order_by("pk").values_list("pk", flat=True)[:limit])
    return claim(Delivery.objects.filter(pk__in=ids)) if ids else []


def settle(claimed: list[Delivery], error: BaseException | None = None) -> None:
    """Mark the claimed entries sent; after a failure, pending again or, at the last attempt, failed."""
    if not claimed:
        return
    entries = Delivery.objects.filter(pk__in=[entry.pk for entry in claimed])
    if error is None:
        entries.update(status=Delivery.Status.SENT, sent_at=timezone.now(), claim=None, error="")
        return
    text = f"{type(error).__name__}: {error}"[:300]
    entries.filter(attempts__gte=max_attempts()).update(status=Delivery.Status.FAILED, claim=None, error=text)
    entries.filter(attempts__lt=max_attempts()).update(claim=None, error=text)
    log.warning("%d %s deliver(y/ies) failed: %s", len(claimed), claimed[0].channel, text)


def release(token) -> int:
    """Entries held under `token` and never tried are pending for any sender again."""
    return Delivery.objects.filter(status=Delivery.Status.PENDING, claim=token).update(
        claim=None, attempts=F("attempts") - 1)


def release_stale() -> int:
    """Entries claimed by a sender that stopped before settling them are pending again."""
    stale = timezone.now() - timedelta(minutes=CLAIM_MINUTES)
    return Delivery.objects.filter(status=Delivery.Status.PENDING, claim__isnull=False,
                                   claimed_at__lt=stale).update(claim=None)


def counts() -> dict[str, int]:
    """Pending and failed entries per channel, for the retry's report."""
    return {f"{channel} {status}": Delivery.objects.filter(channel=channel, status=status).count()
            for channel in Delivery.Channel.values
            for status in (Delivery.Status.PENDING, Delivery.Status.FAILED)}
