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


def test_two_agreements_of_one_province_made_at_once_take_consecutive_numbers(world, monkeypatch):
    from django.db import transaction

    from workflows import rules
    from workflows.models import Agreement

    assert connection.vendor == "postgresql", "run with make test-services (DATABASE_URL)"
    walks = [Walk("X-WEB-01", lead="college_42_1", invite=("college_42_2", "college_42_3")),
             Walk("X-CLOUD-02", lead="college_42_2", invite=("college_42_1", "college_42_3"))]
    for walk in walks:
        walk.form()
        walk.agree()
    # Hold each numbering, after it has read the province's last sequence, until the other arrives
    # (or a second has passed): unlocked, both would read the same sequence and one would fail.
    meet = threading.Barrier(2, timeout=1)
    numbered = rules.agreement_number

    def held(*args):
        try:
            meet.wait()
        except threading.BrokenBarrierError:
            pass
        return numbered(*args)

    monkeypatch.setattr(rules, "agreement_number", held)
    outcomes = []

    def make(negotiation):
        try:
            with transaction.atomic():
                baseline = negotiation.baselines.get()
                outcomes.append(Agreement.objects.create_numbered(negotiation, baseline, baseline.fee).sequence)
        except Exception as error:  # noqa: BLE001 - the outcome is what the test reads
            outcomes.append(type(error).__name__)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=make, args=(walk.negotiation,)) for walk in walks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes, key=str) == [1, 2]
