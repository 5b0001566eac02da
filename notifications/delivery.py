"""After commit: push to the sockets, hint the parties' pages, send immediate e-mail; retry what is pending."""
import asyncio
import logging
import time

from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.conf import settings
from django.core.mail import send_mail

from notifications import outbox
from notifications.models import Delivery, Preference
from workflows.models import Role
from workflows.permissions import PROVINCE_DIVISIONS, negotiation_audience

log = logging.getLogger(__name__)


def user_group(user_id: int) -> str:
    return f"user.{user_id}"


def role_group(role: str, scope_id: int) -> str:
    """The people of one role in one organization (a province for its divisions; 0, the whole ministry;
    a user for an expert, who sees only what they were asked about).

    Hints go to these groups, never to a whole organization: a college's students see none of its
    negotiations, so they hear of none.
    """
    if role == Role.REVIEWER:
        return province_group(scope_id)
    if role in PROVINCE_DIVISIONS:
        return f"province.{scope_id}.{role}"
    if role == Role.EXPERT:
        return user_group(scope_id)
    return "ministry" if role == Role.MINISTRY else f"org.{scope_id}.{role}"


def province_group(province_id: int) -> str:
    """The provincial reviewers of a province: the only people of a province told of every change."""
    return f"province.{province_id}.reviewers"


def deliver(rows, negotiations, claim) -> None:
    """Runs on commit with the push entries the writer holds (`claim`); a delivery failure is kept on its
    entry and never undoes the committed change."""
    if not rows:
        return
    try:
        if not push(rows, negotiations, claim):
            outbox.release(claim)  # for the server's relay, or the next retry
    except Exception:  # the entries are pending again: the relay or the next retry pushes them
        log.exception("push of %d notification(s) failed", len(rows))
    if getattr(settings, "NOTIFICATIONS_EMAIL", False):
        send_email(Delivery.objects.filter(notification__in=[row.pk for row in rows], channel=Delivery.Channel.EMAIL))


def can_push_here(layer) -> bool:
    """Whether this process reaches the sockets: any process into Redis, only a server into its own memory."""
    if layer is None or _inside_event_loop():
        # Sync code running inside an event loop's thread cannot wait for the layer; the entries stay
        # pending for the relay or the retry, and every client gets the rows from its catch-up.
        return False
    return not isinstance(layer, InMemoryChannelLayer) or bool(layer.groups)


def push(rows, negotiations, claim) -> bool:
    """Send one frame per recipient of the rows' push entries held by `claim`, then hint the parties' groups;
    whether this process could push at all."""
    layer = get_channel_layer()
    if not can_push_here(layer):
        return False  # a command or the scheduler on the in-memory layer: the server's relay pushes them
    committed_at = time.time()
    held = list(Delivery.objects.filter(claim=claim, channel=Delivery.Channel.PUSH,
                                        notification__in=[row.pk for row in rows]))
    sent = {entry.notification_id for entry in held}
    messages = pushes([row for row in rows if row.pk in sent], committed_at) + hints(negotiations)
    _send_settled(layer, held, messages)
    return True


def pushes(rows, committed_at: float | None) -> list[tuple[str, dict]]:
    """One frame per recipient of `rows`, with all of their notifications."""
    by_recipient: dict[int, list[dict]] = {}
    for row in rows:
        by_recipient.setdefault(row.recipient_id, []).append(row.as_message())
    return [(user_group(user_id), batch(items, committed_at)) for user_id, items in by_recipient.items()]


def _send_settled(layer, claimed, messages) -> None:
    """Send from sync code, then settle the claimed entries: sent, or the error kept (and raised)."""
    try:
        async_to_sync(send_all)(layer, messages)
    except Exception as error:
        outbox.settle(claimed, error)
        raise
    outbox.settle(claimed)


def push_pending() -> int:
    """Push what its writer left pending (a failure, a process that could not push); how many were pushed."""
    layer = get_channel_layer()
    if not can_push_here(layer):
        return 0
    claimed, messages = claim_pending_pushes()
    if not claimed:
        return 0
    try:
        _send_settled(layer, claimed, messages)
    except Exception:  # settled as failed: pending again, or failed at the bound
        log.exception("retried push of %d notification(s) failed", len(claimed))
        return 0
    return len(claimed)


def claim_pending_pushes() -> tuple[list, list]:
    """The pending push entries this caller now holds, and their frames with the hints of their negotiations."""
    claimed = outbox.claim_pending(Delivery.Channel.PUSH)
    rows = [entry.notification for entry in claimed]
    return claimed, pushes(rows, None) + hints(negotiations_of(rows)) if rows else []


def negotiations_of(rows) -> list:
    """The negotiations that notification rows concern, for their page hints."""
    from workflows.models import Negotiation

    ids = {int(row.object_id) for row in rows if row.object_type == "negotiation" and row.object_id.isdigit()}
    return list(Negotiation.objects.filter(pk__in=ids).select_related("alliance", "certificate")) if ids else []


def hints(negotiations) -> list[tuple[str, dict]]:
    """'This negotiation changed', for the people who may see it (the permission module's audience), by role."""
    messages = []
    for negotiation in negotiations:
        hint = {"type": "changed", "object": f"negotiation:{negotiation.pk}"}
        for role, scopes in negotiation_audience(negotiation).items():
            messages.extend((role_group(role, scope), hint) for scope in sorted(scopes))
    return messages


def batch(items: list[dict], committed_at: float | None) -> dict:
    """The layer message a consumer turns into one `notifications` frame."""
    return {"type": "notify", "items": items, "committed_at": committed_at}


def _inside_event_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


async def send_all(layer, messages) -> None:
    for group, message in messages:
        await layer.group_send(group, message)


def email_channels(users: set[int]) -> dict[int, str]:
    """How each of these people is e-mailed: immediately or in the daily digest; absent, not at all."""
    from django.contrib.auth import get_user_model

    chosen = dict(Preference.objects.filter(user_id__in=users).values_list("user_id", "email"))
    channels = {Preference.Email.IMMEDIATE: Delivery.Channel.EMAIL, Preference.Email.DAILY: Delivery.Channel.DIGEST}
    with_address = get_user_model().objects.filter(pk__in=users).exclude(email="").values_list("pk", flat=True)
    wanted = {user_id: channels.get(chosen.get(user_id, Preference.Email.IMMEDIATE)) for user_id in with_address}
    return {user_id: channel for user_id, channel in wanted.items() if channel}


def send_email(entries) -> int:
    """Send each e-mail entry of `entries` (a queryset) this caller claims, one by one; how many were sent."""
    sent = 0
    for entry in outbox.claim(entries):
        row = entry.notification
        try:
            # One language: the product's (people keep no language of their own for mail yet).
            send_mail(subject=f"[1+X] {row.title_zh}", message=f"{row.title_zh}\n\n{site_url(row.link)}",
                      from_email=None, recipient_list=[row.recipient.email])
        except Exception as error:  # any failure of the mail server: kept for the next attempt, or failed
            outbox.settle([entry], error)
            continue
        outbox.settle([entry])
        sent += 1
    return sent


def send_pending() -> dict[str, int]:
    """One retry pass (the scheduler's, or `send_notifications`): free stale claims, push and e-mail what is pending."""
    outbox.release_stale()
    sent = {"push": push_pending()}
    if getattr(settings, "NOTIFICATIONS_EMAIL", False):
        sent["email"] = send_email(Delivery.objects.filter(
            channel=Delivery.Channel.EMAIL, status=Delivery.Status.PENDING))
    return sent


def site_url(link: str) -> str:
    return f"{getattr(settings, 'SITE_URL', 'http://127.0.0.1:8000').rstrip('/')}{link}"
