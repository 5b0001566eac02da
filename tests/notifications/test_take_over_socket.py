"""A task taken over is pushed to its previous holder's socket, after commit, and to nobody else."""

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from django.contrib.auth import get_user_model

from tests.notifications.conftest import frames, items, socket
from tests.workflows.walk import open_task, user
from workflows import services
from workflows.models import Person

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_previous_holder_hears_of_the_take_over_live_and_the_taker_does_not(first_offer):
    task = open_task(first_offer.negotiation, "alliance_responds")
    services.claim(user("college_42_1"), str(task.task_id))
    person = Person.objects.get(user__username="college_42_1")
    other = get_user_model().objects.create_user("college_42_1_b", password="demo12345")
    Person.objects.create(user=other, organization=person.organization, role=person.role)
    holder, taker, teo = socket("college_42_1"), socket("college_42_1_b"), socket("teo_1")

    async def scenario():
        for communicator in (holder, taker, teo):
            connected, _ = await communicator.connect()
            assert connected
        await sync_to_async(services.take_over)(other, str(task.task_id), "王芳出差")
        heard = items(await frames(holder))
        assert [n["event"] for n in heard] == ["task_taken_over"]
        assert "王芳出差" in heard[0]["title_zh"] and heard[0]["link"] == f"/tasks/{task.task_id}/"
        assert items(await frames(taker)) == [] and items(await frames(teo)) == []
        for communicator in (holder, taker, teo):
            await communicator.disconnect()

    async_to_sync(scenario)()
