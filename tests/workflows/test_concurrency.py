"""Two real connections complete the same task at once: exactly one succeeds (PostgreSQL)."""
import threading

import pytest
from django.db import connection, connections

from bpmn.errors import TaskNotReady
from bpmn.models import AuditEntry
from workflows import services
from workflows.simulation import actor_for

from .walk import Walk

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_two_connections_completing_one_task_exactly_one_succeeds(world):
    assert connection.vendor == "postgresql", "run with make test-services (DATABASE_URL)"
    walk = Walk()
    walk.form()
    task = walk.task("screen_services")
    actor = actor_for(task)
    barrier = threading.Barrier(2)
    outcomes = []

    def attempt():
        try:
            barrier.wait(timeout=10)
            services.complete(task.task_id, actor, {"training_content": "师资培训"})
            outcomes.append("ok")
        except TaskNotReady:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["ok", "refused"]
    assert AuditEntry.objects.filter(instance=walk.instance, task_name="screen_services").count() == 1
    assert walk.negotiation.proposals.count() == 1
    assert [t.task_name for t in walk.tasks()] == ["alliance_responds"]
