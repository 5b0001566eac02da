"""Push entries are an outbox like e-mail: claimed by one sender, sent once sent, retried to a bound."""
import asyncio
import json
import threading
from decimal import Decimal

import pytest
from asgiref.sync import sync_to_async
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from websockets.asyncio.client import connect

from notifications import delivery
from notifications.models import Delivery, Notification
from tests.concurrently import at_once
from tests.notifications.conftest import session_cookie
from tests.notifications.test_across_processes import _next_frame, _next_notification, _socket_url
from tests.servers import threaded_server
from tests.workflows.walk import user

pytestmark = pytest.mark.django_db(transaction=True)
IN_MEMORY = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}  # the layer the relay serves


def _counter(walk) -> None:
    walk.do("alliance_responds", {"decision": "counter", "fee": "170.00", "lines": walk.offer_lines(Decimal("170.00"))})


def _pushes(event: str):
    return Delivery.objects.filter(channel="push", notification__event=event)


def test_a_push_the_layer_refuses_stays_pending_with_its_error_is_retried_to_the_bound_then_shown_failed(
        first_offer, monkeypatch, settings):
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 3

    async def refused(layer, messages):
        raise ConnectionError("channel layer down")

    monkeypatch.setattr(delivery, "can_push_here", lambda layer: True)
    monkeypatch.setattr(delivery, "send_all", refused)
    _counter(first_offer)
    pushes = _pushes("offer_countered")
    assert pushes.exists()
    assert set(pushes.values_list("status", "attempts", "claim")) == {("pending", 1, None)}
    assert all("channel layer down" in error for error in pushes.values_list("error", flat=True))
    call_command("send_notifications")
    call_command("send_notifications")
    assert set(pushes.values_list("status", "attempts", "sent_at")) == {("failed", 3, None)}
    retried = []

    async def recorded(layer, messages):
        retried.extend(item["event"] for _, message in messages for item in message.get("items", []))

    monkeypatch.setattr(delivery, "send_all", recorded)
    call_command("send_notifications")
    assert set(pushes.values_list("status", flat=True)) == {"failed"} and "offer_countered" not in retried


def test_a_push_the_layer_took_is_sent_once_and_not_retried(first_offer, monkeypatch):
    sent = []

    async def recorded(layer, messages):
        sent.extend(group for group, message in messages if message["type"] == "notify"
                    for item in message["items"] if item["event"] == "offer_countered")

    monkeypatch.setattr(delivery, "can_push_here", lambda layer: True)
    monkeypatch.setattr(delivery, "send_all", recorded)
    _counter(first_offer)
    call_command("send_notifications")
    pushes = _pushes("offer_countered")
    assert set(pushes.values_list("status", "attempts")) == {("sent", 1)}
    assert sent == [f"user.{user('teo_1').pk}"]


def test_a_relay_polling_between_the_commit_and_the_writers_push_takes_none_of_the_writers_pushes(
        first_offer, monkeypatch):
    relay_took, sent = [], []
    writers_push = delivery.push

    def relay_polls_first(*args):
        relay_took.extend(delivery.claim_pending_pushes()[0])  # committed, not pushed yet
        return writers_push(*args)

    async def recorded(layer, messages):
        sent.extend(message.get("committed_at") for _, message in messages if message["type"] == "notify")

    monkeypatch.setattr(delivery, "can_push_here", lambda layer: True)
    monkeypatch.setattr(delivery, "send_all", recorded)
    monkeypatch.setattr(delivery, "push", relay_polls_first)
    _counter(first_offer)
    assert [entry for entry in relay_took if entry.notification.event == "offer_countered"] == []
    assert sent and None not in sent  # every frame is the writer's, timed from its commit
    assert set(_pushes("offer_countered").values_list("status", "attempts", "claim")) == {("sent", 1, None)}


def test_a_writer_that_cannot_push_leaves_its_pushes_untried_for_the_relay(first_offer, monkeypatch):
    monkeypatch.setattr(delivery, "can_push_here", lambda layer: False)
    _counter(first_offer)
    pushes = _pushes("offer_countered")
    assert set(pushes.values_list("status", "attempts", "claim")) == {("pending", 0, None)}
    claimed, messages = delivery.claim_pending_pushes()
    assert {entry.pk for entry in claimed} >= set(pushes.values_list("pk", flat=True)) and messages


@pytest.mark.services
def test_two_senders_claiming_the_same_pending_pushes_push_each_once(first_offer, monkeypatch):
    assert connection.vendor == "postgresql", "run with make test-services (DATABASE_URL)"
    monkeypatch.setattr(delivery, "can_push_here", lambda layer: False)
    _counter(first_offer)
    pending = set(Delivery.objects.filter(channel="push", status="pending").values_list("notification", flat=True))
    pushed, lock = [], threading.Lock()

    async def recorded(layer, messages):
        with lock:
            pushed.extend(item["id"] for _, message in messages for item in message.get("items", []))

    monkeypatch.setattr(delivery, "can_push_here", lambda layer: True)
    monkeypatch.setattr(delivery, "send_all", recorded)
    at_once(delivery.push_pending, delivery.push_pending)
    assert sorted(pushed) == sorted(pending) and len(pending) > 1
    assert set(Delivery.objects.filter(notification__in=pending, channel="push")
               .values_list("status", "attempts")) == {("sent", 1)}


def _written_elsewhere(recipient, title: str) -> Notification:
    """A row another process committed and could not push: its entry pending."""
    row = Notification.objects.create(recipient=recipient, event="task_assigned", title_zh=title, title_en=title,
                                      created_at=timezone.now())
    return row


def test_a_push_committed_after_a_newer_one_still_reaches_the_client_through_the_relay(committed_world, settings):
    """Ids are handed out before commit: a lower id may commit later. The relay claims entries, not an id range."""
    settings.CHANNEL_LAYERS = IN_MEMORY
    teo = user("teo_1")
    cookie = session_cookie("teo_1").decode()
    older, newer = _written_elsewhere(teo, "先分配的编号"), _written_elsewhere(teo, "后分配的编号")

    async def scenario(base):
        async with connect(_socket_url(base), additional_headers={"Cookie": cookie}, origin=base) as ws:
            await ws.send(json.dumps({"type": "since", "after": 10**9}))
            await _next_frame(ws, "caught_up")
            await sync_to_async(Delivery.objects.create)(notification=newer, channel="push")
            assert (await _next_notification(ws, "task_assigned"))["id"] == newer.pk
            await sync_to_async(Delivery.objects.create)(notification=older, channel="push")  # commits last
            assert (await _next_notification(ws, "task_assigned"))["id"] == older.pk

    with threaded_server() as base:
        asyncio.run(scenario(base))
    assert set(Delivery.objects.values_list("notification", "status")) == {(older.pk, "sent"), (newer.pk, "sent")}


def test_pushes_left_pending_before_any_socket_listened_are_left_to_the_catch_up_not_pushed(committed_world, settings):
    settings.CHANNEL_LAYERS = IN_MEMORY
    teo = user("teo_1")
    cookie = session_cookie("teo_1").decode()
    waiting = _written_elsewhere(teo, "服务器启动前")
    Delivery.objects.create(notification=waiting, channel="push")

    async def scenario(base):
        async with connect(_socket_url(base), additional_headers={"Cookie": cookie}, origin=base) as ws:
            await ws.send(json.dumps({"type": "since", "after": waiting.pk - 1}))
            caught_up = await _next_frame(ws, "notifications")
            assert [item["id"] for item in caught_up["items"]] == [waiting.pk] and caught_up["replayed"]
            after_catch_up = await _next_frame(ws, "caught_up")
            assert after_catch_up["type"] == "caught_up"
            with pytest.raises(TimeoutError):  # two relay intervals: nothing is pushed again
                await asyncio.wait_for(_next_frame(ws, "notifications"), 1.0)

    with threaded_server() as base:
        asyncio.run(scenario(base))
    assert Delivery.objects.get(notification=waiting).status == "caught_up"
