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
_tasks: dict[int, asyncio.Task] = {}  # one relay per event loop (one per server in a process)


async def ensure_running(layer) -> None:
    """Start this loop's relay if needed; returns once its cursor is set, so nothing after is missed."""
    if not isinstance(layer, InMemoryChannelLayer):
        return
    from notifications.events import ORIGIN

    loop = asyncio.get_running_loop()
    task = _tasks.get(id(loop))
    if task is None or task.done() or task.get_loop() is not loop:
        cursor = await database_sync_to_async(_newest_id)()
        task = _tasks.get(id(loop))
        if task is None or task.done() or task.get_loop() is not loop:
            _tasks[id(loop)] = loop.create_task(_relay(layer, ORIGIN, cursor))


def _newest_id() -> int:
    from notifications.models import Notification

    return Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


# Ids are handed out before commit, so on PostgreSQL a lower id can commit after a higher one:
# each poll looks this many ids behind the newest it has seen, and skips what it already relayed.
TRAILING_IDS = 1000


def _written_elsewhere(after: int, floor: int, own_origin: str, relayed: set[int]) -> tuple[list, list]:
    """New rows from other processes, and the hints for the negotiations they concern."""
    from notifications.delivery import hints
    from notifications.models import Notification
    from workflows.models import Negotiation

    rows = Notification.objects.filter(pk__gt=max(after - TRAILING_IDS, floor)).exclude(origin=own_origin)
    rows = list(rows.exclude(pk__in=relayed).order_by("pk")[:500])
    ids = {int(row.object_id) for row in rows if row.object_type == "negotiation" and row.object_id.isdigit()}
    negotiations = Negotiation.objects.filter(pk__in=ids).select_related("alliance", "certificate")
    return rows, hints(negotiations)


async def _relay(layer, own_origin: str, cursor: int) -> None:
    from notifications.delivery import batch, user_group

    interval = getattr(settings, "NOTIFICATIONS_RELAY_INTERVAL", 0.5)
    relayed: set[int] = set()
    floor = cursor  # what was there before this relay started is caught up by the clients themselves
    while True:
        await asyncio.sleep(interval)
        try:
            rows, hint_messages = await database_sync_to_async(_written_elsewhere)(cursor, floor, own_origin, relayed)
        except Exception:
            log.exception("notification relay poll failed")
            continue
        for row in rows:
            await layer.group_send(user_group(row.recipient_id), batch([row.as_message()], None))
            relayed.add(row.pk)
            cursor = max(cursor, row.pk)
        for group, hint in hint_messages:
            await layer.group_send(group, hint)
        relayed = {pk for pk in relayed if pk > cursor - TRAILING_IDS}
