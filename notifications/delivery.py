"""After commit: push to the recipients' sockets, hint the parties' pages, send immediate e-mail."""
import asyncio
import logging
import time

from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone

from workflows.models import Role
from workflows.permissions import negotiation_audience

log = logging.getLogger(__name__)


def user_group(user_id: int) -> str:
    return f"user.{user_id}"


def role_group(role: str, scope_id: int) -> str:
    """The people of one role in one organization (a province for reviewers; 0, the whole ministry).

    Hints go to these groups, never to a whole organization: a college's students see none of its
    negotiations, so they hear of none.
    """
    if role == Role.REVIEWER:
        return province_group(scope_id)
    return "ministry" if role == Role.MINISTRY else f"org.{scope_id}.{role}"


def province_group(province_id: int) -> str:
    """The provincial reviewers of a province: the only people of a province told of every change."""
    return f"province.{province_id}.reviewers"


def deliver(rows, negotiations=()) -> None:
    """Runs on commit; a delivery failure is logged and never undoes the committed change."""
    if not rows:
        return
    try:
        push(rows, negotiations)
    except Exception:  # the rows are saved: a reconnecting client catches up from them
        log.exception("push of %d notification(s) failed", len(rows))
    if getattr(settings, "NOTIFICATIONS_EMAIL", False):
        email_immediately(rows)


def push(rows, negotiations=()) -> None:
    """One frame per recipient with all of their notifications, then a hint to the parties' groups."""
    layer = get_channel_layer()
    if layer is None or _inside_event_loop():
        # Sync code running inside an event loop's thread cannot wait for the layer; the rows
        # are committed and every client gets them from its catch-up request.
        return
    if isinstance(layer, InMemoryChannelLayer) and not layer.groups:
        return  # no socket in this process (a command, the scheduler): the servers' relays deliver
    committed_at = time.time()
    by_recipient: dict[int, list[dict]] = {}
    for row in rows:
        by_recipient.setdefault(row.recipient_id, []).append(row.as_message())
    messages = [(user_group(user_id), batch(items, committed_at)) for user_id, items in by_recipient.items()]
    async_to_sync(_send_all)(layer, messages + hints(negotiations))


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


async def _send_all(layer, messages) -> None:
    for group, message in messages:
        await layer.group_send(group, message)


def email_immediately(rows) -> None:
    """Mail each row to its recipient unless they chose the daily digest or no e-mail."""
    from django.contrib.auth import get_user_model

    from notifications.models import Notification, Preference

    users = {row.recipient_id for row in rows}
    not_now = set(Preference.objects.filter(user_id__in=users).exclude(
        email=Preference.Email.IMMEDIATE).values_list("user_id", flat=True))
    addresses = dict(get_user_model().objects.filter(pk__in=users - not_now).exclude(email="")
                     .values_list("pk", "email"))
    sent = []
    for row in rows:
        if row.recipient_id in addresses:
            # One language: the product's (people keep no language of their own for mail yet).
            body = f"{row.title_zh}\n\n{site_url(row.link)}"
            send_mail(subject=f"[1+X] {row.title_zh}", message=body, from_email=None,
                      recipient_list=[addresses[row.recipient_id]], fail_silently=True)
            sent.append(row.pk)
    Notification.objects.filter(pk__in=sent).update(emailed_at=timezone.now())


def site_url(link: str) -> str:
    return f"{getattr(settings, 'SITE_URL', 'http://127.0.0.1:8000').rstrip('/')}{link}"
