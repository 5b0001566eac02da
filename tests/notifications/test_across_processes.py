"""Real sockets on real servers: a change committed elsewhere reaches a connected browser."""
import asyncio
import json
from decimal import Decimal

import pytest
from asgiref.sync import sync_to_async
from websockets.asyncio.client import connect

from notifications import delivery
from tests.notifications.conftest import session_cookie
from tests.servers import server_process, threaded_server
from tests.workflows.walk import user
from tryout.notifications_bench import HttpClient

pytestmark = pytest.mark.django_db(transaction=True)


async def _next_notification(ws, event: str, timeout: float = 15) -> dict:
    async def wait():
        while True:
            frame = json.loads(await ws.recv())
            for item in frame.get("items", []):
                if item["event"] == event:
                    return {**item, "committed_at": frame["committed_at"]}
    return await asyncio.wait_for(wait(), timeout)


async def _next_frame(ws, kind: str) -> dict:
    while True:
        frame = json.loads(await ws.recv())
        if frame.get("type") == kind:
            return frame


def _socket_url(base: str) -> str:
    return base.replace("http://", "ws://") + "/ws/notifications/"


def test_a_change_committed_by_another_process_reaches_a_client_through_the_database_relay(
        first_offer, monkeypatch, settings):
    """In-memory layer: the other process (scheduler, command) cannot push; the server's relay does."""
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    walk = first_offer
    cookie = session_cookie("teo_1").decode()

    def counter_as_another_process():
        # A process without sockets on the in-memory layer leaves its push entries pending.
        monkeypatch.setattr(delivery, "can_push_here", lambda layer: False)
        walk.do("alliance_responds", {"decision": "counter", "fee": "170.00",
                                      "lines": walk.offer_lines(Decimal("170.00"))})

    reviewer = session_cookie("reviewer_42").decode()

    async def scenario(base):
        async with connect(_socket_url(base), additional_headers={"Cookie": cookie}, origin=base) as ws, \
                connect(_socket_url(base), additional_headers={"Cookie": reviewer}, origin=base) as watcher:
            await ws.send(json.dumps({"type": "since", "after": 10**9}))
            await sync_to_async(counter_as_another_process)()
            frame = await _next_notification(ws, "offer_countered")
            assert frame["object"] == f"negotiation:{walk.negotiation.pk}" and frame["committed_at"] is None
            # The province's reviewer is told of nothing here but sees the negotiation change.
            hint = await asyncio.wait_for(_next_frame(watcher, "changed"), 15)
            assert hint["object"] == f"negotiation:{walk.negotiation.pk}"

    with threaded_server() as base:
        asyncio.run(scenario(base))


@pytest.mark.services
def test_two_server_processes_on_redis_deliver_an_event_caused_on_one_to_a_client_of_the_other(first_offer):
    from django.conf import settings

    if "redis" not in str(settings.CHANNEL_LAYERS["default"]["BACKEND"]).lower():
        pytest.fail("make test-services sets REDIS_URL: this test needs the Redis channel layer")
    walk = first_offer
    respond = walk.task("alliance_responds")
    lines = {f"line_{code}": amount for code, amount in walk.offer_lines(Decimal("170.00")).items()}

    with server_process() as server_a, server_process() as server_b:
        lead = HttpClient(server_a, user("college_42_1"))
        teo = HttpClient(server_b, user("teo_1"))

        async def scenario():
            async with connect(_socket_url(server_b), additional_headers={"Cookie": teo.cookie},
                               origin=server_b) as ws:
                await ws.send(json.dumps({"type": "since", "after": 10**9}))
                caught_up = json.loads(await asyncio.wait_for(ws.recv(), 15))
                assert caught_up["type"] == "caught_up"
                status = await sync_to_async(lead.post)(
                    f"/tasks/{respond.task_id}/", {"decision": "counter", "fee": "170.00", **lines})
                assert status == 200  # redirected to the negotiation page
                frame = await _next_notification(ws, "offer_countered")
                assert frame["committed_at"] is not None

        asyncio.run(scenario())
