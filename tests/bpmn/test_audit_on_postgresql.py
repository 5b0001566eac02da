"""On PostgreSQL the audit tables refuse UPDATE and DELETE, and writers on real connections never fork a chain."""

import threading

import pytest
from django.db import DatabaseError, connection, connections, models, transaction

from bpmn import audit, chain
from bpmn.models import AdminChange, AuditChain, AuditEntry, ProcessDefinition, ProcessInstance

pytestmark = pytest.mark.services


def _instance() -> ProcessInstance:
    definition = ProcessDefinition.objects.create(process_id="p", version=1, content_hash="x", sources={})
    return ProcessInstance.objects.create(definition=definition, business_key="audit", state="{}")


def _refused(attempt) -> bool:
    try:
        with transaction.atomic():
            attempt()
    except DatabaseError as error:
        assert "append-only" in str(error)
        return True
    return False


@pytest.mark.django_db
def test_the_database_refuses_every_update_and_delete_of_an_audit_row():
    assert connection.vendor == "postgresql", "run with make test-services (DATABASE_URL)"
    entry = AuditEntry.objects.create(instance=_instance(), action="started", data={"n": 1})
    change = AdminChange.objects.create(
        action="changed",
        model="workflows.province",
        object_id="1",
        object_repr="湖北省",
        changes={"name": ["湖北省", "湖北"]},
    )

    def sql(statement, pk):
        return lambda: connection.cursor().execute(statement, [pk])

    attempts = [
        sql("UPDATE bpmn_auditentry SET action = 'claimed' WHERE id = %s", entry.pk),
        sql("UPDATE bpmn_auditentry SET data = '{}', hash = '' WHERE id = %s", entry.pk),
        sql("DELETE FROM bpmn_auditentry WHERE id = %s", entry.pk),
        sql("UPDATE bpmn_adminchange SET changes = '{}' WHERE id = %s", change.pk),
        sql("DELETE FROM bpmn_adminchange WHERE id = %s", change.pk),
        # the ORM past the append-only manager: a plain queryset, and Model.save on a stored row
        lambda: models.QuerySet(AuditEntry).filter(pk=entry.pk).update(action="claimed"),
        lambda: models.QuerySet(AuditEntry).filter(pk=entry.pk).delete(),
        lambda: models.QuerySet(AdminChange).all().delete(),
        lambda: models.Model.save(AuditEntry.objects.get(pk=entry.pk)),
    ]
    refused = sum(_refused(attempt) for attempt in attempts)
    assert (len(attempts), refused) == (9, 9)
    assert audit.verify().intact
    assert AuditEntry.objects.get(pk=entry.pk).action == "started"


@pytest.mark.django_db(transaction=True)
def test_writers_on_their_own_connections_never_fork_a_chain(monkeypatch):
    assert connection.vendor == "postgresql", "run with make test-services (DATABASE_URL)"
    instance = _instance()
    # Hold each writer's first hash, computed after it has read its chain's head, until the other
    # writer of that chain arrives (or a second has passed): unlocked, both would read the same head.
    meets = {
        chain.instance_chain(instance.pk): threading.Barrier(2, timeout=1),
        chain.ADMIN_CHAIN: threading.Barrier(2, timeout=1),
    }
    digest = chain.digest

    def held(fields):
        try:
            meets[fields["chain"]].wait()
        except threading.BrokenBarrierError:
            pass
        return digest(fields)

    monkeypatch.setattr(chain, "digest", held)
    start = threading.Barrier(4, timeout=10)
    errors, written = [], []

    def write(writer: int, count: int, admin: bool):
        try:
            start.wait()
            for n in range(count):
                with transaction.atomic():
                    if admin:
                        AdminChange.objects.create(
                            action="changed",
                            model="workflows.province",
                            object_id="1",
                            object_repr="x",
                            changes={"n": [writer, n]},
                        )
                    else:
                        AuditEntry.objects.create(instance_id=instance.pk, action="x", data={"writer": writer, "n": n})
                written.append(admin)
        except Exception as error:  # noqa: BLE001 - the outcome is what the test reads
            errors.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(w, 150, w >= 2)) for w in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert (written.count(False), written.count(True)) == (300, 300)
    assert list(AuditEntry.objects.order_by("seq").values_list("seq", flat=True)) == list(range(1, 301))
    assert list(AdminChange.objects.order_by("seq").values_list("seq", flat=True)) == list(range(1, 301))
    report = audit.verify()
    assert report.intact, report.breaks
    assert (report.chains, report.rows) == (2, 600)
    assert AuditChain.objects.get(key=chain.instance_chain(instance.pk)).length == 300
