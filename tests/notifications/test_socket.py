"""The notification socket: own events only, refused when anonymous or cross-origin, after commit only."""
from decimal import Decimal

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from django.db import transaction

from notifications.models import Notification
from tests.notifications.conftest import frames, items, socket
from tests.workflows.walk import Walk, user

pytestmark = pytest.mark.django_db(transaction=True)


def _counter(walk: Walk, fee: str = "170.00"):
    walk.do("alliance_responds", {"decision": "counter", "fee": fee, "lines": walk.offer_lines(Decimal(fee))})


def test_a_signed_in_client_gets_exactly_its_own_events_and_another_teo_hears_nothing(first_offer):
    walk = first_offer

    teo, other_teo, lead = socket("teo_1"), socket("teo_2"), socket("college_42_1")

    async def scenario():
        for communicator in (teo, other_teo, lead):
            connected, _ = await communicator.connect()
            assert connected
        await sync_to_async(_counter)(walk)
        got = await frames(teo)
        assert [f["type"] for f in got].count("notifications") == 1  # one frame for the whole change
        assert {n["event"] for n in items(got)} == {"offer_countered", "task_assigned"}
        assert all(n["object"] == f"negotiation:{walk.negotiation.pk}" for n in items(got))
        assert await frames(other_teo) == []
        lead_frames = await frames(lead)
        assert items(lead_frames) == []  # the actor is not told
        assert {"type": "changed", "object": f"negotiation:{walk.negotiation.pk}"} in lead_frames
        for communicator in (teo, other_teo, lead):
            await communicator.disconnect()

    async_to_sync(scenario)()
    rows = Notification.objects.filter(recipient=user("teo_1"), event="offer_countered")
    assert rows.count() == 1 and "¥170.00" in rows.get().title_zh


def test_an_anonymous_connection_is_refused(committed_world):
    async def scenario():
        connected, code = await socket(None).connect()
        assert not connected and code == 4401

    async_to_sync(scenario)()


def test_a_cross_origin_connection_is_refused(committed_world):
    foreign = socket("teo_1", origin=(b"origin", b"http://evil.example"))

    async def scenario():
        connected, _ = await foreign.connect()
        assert not connected

    async_to_sync(scenario)()


def test_a_rolled_back_transition_writes_and_pushes_nothing(first_offer):
    walk = first_offer
    before = Notification.objects.count()

    def counter_then_fail():
        try:
            with transaction.atomic():
                _counter(walk)
                raise RuntimeError("the rest of the request failed")
        except RuntimeError:
            pass

    teo = socket("teo_1")

    async def scenario():
        assert (await teo.connect())[0]
        await sync_to_async(counter_then_fail)()
        assert await frames(teo) == []
        await teo.disconnect()

    async_to_sync(scenario)()
    assert Notification.objects.count() == before


def test_a_reconnecting_client_catches_up_on_what_it_missed(first_offer):
    walk = first_offer
    seen = Notification.objects.filter(recipient=user("teo_1")).order_by("-pk").values_list("pk", flat=True).first()
    _counter(walk)  # while teo_1 is away

    teo = socket("teo_1")

    async def scenario():
        assert (await teo.connect())[0]
        await teo.send_json_to({"type": "since", "after": seen or 0})
        got = await frames(teo)
        events = [n["event"] for n in items(got)]
        assert "offer_countered" in events and all(n["replayed"] for n in items(got))
        assert got[-1]["type"] == "caught_up" and got[-1]["unread"] >= len(events)
        await teo.send_json_to({"type": "join", "group": "org.1"})
        refused = await teo.receive_json_from()
        assert refused["type"] == "error" and refused["rule"] == "unknown_request"
        await teo.disconnect()

    async_to_sync(scenario)()


def test_notifications_of_a_rolled_back_savepoint_are_not_pushed_with_the_rest(first_offer):
    walk = first_offer

    def counter_with_a_failed_inner_step():
        with transaction.atomic():
            try:
                with transaction.atomic():
                    walk.do("alliance_responds", {"decision": "reject"})
                    raise RuntimeError("the inner step failed")
            except RuntimeError:
                pass
            _counter(walk)

    teo = socket("teo_1")

    async def scenario():
        assert (await teo.connect())[0]
        await sync_to_async(counter_with_a_failed_inner_step)()
        pushed.extend(items(await frames(teo)))
        await teo.disconnect()

    pushed = []
    async_to_sync(scenario)()
    assert {n["event"] for n in pushed} == {"offer_countered", "task_assigned"}
    assert Notification.objects.filter(pk__in=[n["id"] for n in pushed]).count() == len(pushed)
    assert not Notification.objects.filter(event="offer_rejected").exists()
