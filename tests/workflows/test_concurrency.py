"""Two real connections complete the same task at once: exactly one succeeds (PostgreSQL)."""
from functools import partial

import pytest
from django.db import connection

from bpmn.errors import TaskNotReady
from bpmn.models import AuditEntry
from tests.concurrently import at_once, held_for_each_other
from tryout.simulation import actor_for
from workflows import services

from .walk import Walk

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_two_connections_completing_one_task_exactly_one_succeeds(world):
    assert connection.vendor == "postgresql", "run with make test-services (DATABASE_URL)"
    walk = Walk()
    walk.form()
    task = walk.task("screen_services")
    actor = actor_for(task)
    outcomes = []

    def attempt():
        try:
            services.complete(task.task_id, actor, {"training_content": "师资培训"})
            outcomes.append("ok")
        except TaskNotReady:
            outcomes.append("refused")

    at_once(attempt, attempt)
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
    monkeypatch.setattr(rules, "agreement_number", held_for_each_other(rules.agreement_number))
    outcomes = []

    def make(negotiation):
        try:
            with transaction.atomic():
                baseline = negotiation.baselines.get()
                outcomes.append(Agreement.objects.create_numbered(negotiation, baseline, baseline.fee).sequence)
        except Exception as error:  # noqa: BLE001 - the outcome is what the test reads
            outcomes.append(type(error).__name__)

    at_once(*(partial(make, walk.negotiation) for walk in walks))
    assert sorted(outcomes, key=str) == [1, 2]



def test_a_take_over_racing_the_holders_completion_ends_in_one_of_them_and_never_a_deadlock(world):
    from django.contrib.auth import get_user_model

    from bpmn import engine
    from bpmn.errors import EngineError
    from workflows.models import Person, Role

    assert connection.vendor == "postgresql", "run with make test-services (DATABASE_URL)"
    lead = Person.objects.get(user__username="college_42_1")
    colleague = get_user_model().objects.create(username="college_42_1_b")
    Person.objects.create(user=colleague, organization=lead.organization, role=Role.COLLEGE)
    walk = Walk()
    task = walk.task("invite_members")
    engine.claim(task.task_id, lead.user)
    invited = {"college_ids": [c.pk for c in walk.invitees]}
    outcomes = []

    def outcome(call, name):
        def run():
            try:
                call()
                outcomes.append(f"{name} done")
            except EngineError as refused:  # a refusal with its rule; a deadlock is not one
                outcomes.append(f"{name} refused: {refused.code}")
            except Exception as error:  # noqa: BLE001 - the outcome is what the test reads
                outcomes.append(f"{name} failed: {type(error).__name__}")
        return run

    at_once(outcome(lambda: services.complete(task.task_id, lead.user, invited), "complete"),
            outcome(lambda: services.take_over(colleague, task.task_id, "病假"), "take over"))
    assert sorted(outcomes) in (["complete done", "take over refused: task_not_ready"],
                                ["complete refused: task_claimed_by_other", "take over done"])


def test_two_sittings_of_one_college_creating_one_students_record_at_once_share_it(world, monkeypatch):
    from django.db import transaction

    from workflows import students
    from workflows.models import Organization, Student

    assert connection.vendor == "postgresql", "run with make test-services (DATABASE_URL)"
    college = Organization.objects.get(name="武汉职业技术学院")
    holder = students.Holder("赵六", student_no="S0001")
    # Hold each creation, after its lookup found no record, until the other arrives: both go on to
    # insert, and the unique constraint refuses the second.
    monkeypatch.setattr(students, "_create", held_for_each_other(students._create))
    records = []

    def issue():
        try:
            with transaction.atomic():
                records.append(students.record_for(college, holder).pk)
        except Exception as error:  # noqa: BLE001 - the outcome is what the test reads
            records.append(type(error).__name__)

    at_once(issue, issue)
    assert len(records) == 2 and records[0] == records[1], records
    assert Student.objects.filter(college=college, student_no="S0001").count() == 1
