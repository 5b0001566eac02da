"""Changes committed by other processes reach this server's sockets through the database.

With Redis every process (server, scheduler, management command) pushes into the shared layer
itself. The in-memory layer reaches only its own process, so each server process polls the
inbox table for rows written elsewhere (another `origin`) and pushes them to its own clients.
"""
import asyncio
import logging

from channels.db import database_sync_to_async
from channels.layers import InMemoryChannelLayer
from django.conf import settings

log = logging.getLogger(__name__)
_task: asyncio.Task | None = None


def ensure_running(layer) -> None:
    global _task
    if not isinstance(layer, InMemoryChannelLayer):
        return
    if _task is None or _task.done():
        _task = asyncio.get_running_loop().create_task(_relay(layer))


def _newest_id() -> int:
    from notifications.models import Notification

    return Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def _written_elsewhere(after: int) -> list:
    from notifications.events import ORIGIN
    from notifications.models import Notification

    return list(Notification.objects.filter(pk__gt=after).exclude(origin=ORIGIN).order_by("pk")[:500])


async def _relay(layer) -> None:
    from notifications.delivery import user_group

    interval = getattr(settings, "NOTIFICATIONS_RELAY_INTERVAL", 0.5)
    cursor = await database_sync_to_async(_newest_id)()
    while True:
        await asyncio.sleep(interval)
        try:
            rows = await database_sync_to_async(_written_elsewhere)(cursor)
        except Exception:
            log.exception("notification relay poll failed")
            continue
        for row in rows:
            await layer.group_send(user_group(row.recipient_id),
                                   {"type": "notify", "message": row.as_message(), "committed_at": None})
            cursor = max(cursor, row.pk)
