"""Pushes left pending by other processes reach this server's sockets through the outbox.

With Redis every process (server, scheduler, management command) pushes into the shared layer
itself. The in-memory layer reaches only its own process, so a scheduler or a command leaves its
push entries pending, and the server's relay claims them (`notifications.outbox`) and pushes them
to its own clients, in any order of commit. One server process serves the in-memory layer; more
than one need Redis, or each would push to its own sockets what the other's clients wait for.
"""
import asyncio
import logging

from channels.db import database_sync_to_async
from channels.layers import InMemoryChannelLayer
from django.conf import settings
from django.utils import timezone

from notifications import outbox
from notifications.models import Delivery

log = logging.getLogger(__name__)
_tasks: dict[int, asyncio.Task] = {}  # one relay per event loop (one per server in a process)


async def ensure_running(layer) -> None:
    """Start this loop's relay if needed; returns once the backlog is set aside, so nothing after is missed."""
    if not isinstance(layer, InMemoryChannelLayer):
        return
    loop = asyncio.get_running_loop()
    task = _tasks.get(id(loop))
    if task is None or task.done() or task.get_loop() is not loop:
        await database_sync_to_async(_leave_backlog_to_catch_up)()
        task = _tasks.get(id(loop))
        if task is None or task.done() or task.get_loop() is not loop:
            _tasks[id(loop)] = loop.create_task(_relay(layer))


def _leave_backlog_to_catch_up() -> int:
    """Pushes pending from before any socket listened here: their recipients read them on connecting."""
    return Delivery.objects.filter(channel=Delivery.Channel.PUSH, status=Delivery.Status.PENDING,
                                   claim__isnull=True).update(status=Delivery.Status.CAUGHT_UP,
                                                              sent_at=timezone.now())


async def _relay(layer) -> None:
    from notifications.delivery import claim_pending_pushes, send_all

    interval = getattr(settings, "NOTIFICATIONS_RELAY_INTERVAL", 0.5)
    while True:
        await asyncio.sleep(interval)
        try:
            claimed, messages = await database_sync_to_async(claim_pending_pushes)()
            if not claimed:
                continue
            try:
                await send_all(layer, messages)
            except Exception as error:
                await database_sync_to_async(outbox.settle)(claimed, error)  # pending again, or failed at the bound
                raise
            await database_sync_to_async(outbox.settle)(claimed)
        except Exception:
            log.exception("notification relay poll failed")
