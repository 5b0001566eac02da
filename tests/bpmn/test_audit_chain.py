"""The audit trail is hash-chained: verify_audit names the first row changed, removed or forged behind the back."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from bpmn import audit, chain
from bpmn.models import AdminChange, AuditChain, AuditEntry
from tests.bpmn.commands import command_result

pytestmark = pytest.mark.django_db


def verify_audit() -> tuple[int, str]:
    return command_result("verify_audit")


def behind_the_back(sql: str, params: list) -> None:
    """Run SQL the application never sends, as someone with the database's password would.

    On PostgreSQL, where a trigger refuses it, as the database's owner switching triggers off.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")
        try:
            cursor.execute(sql.replace("?", "%s"), params)
        finally:
            if connection.vendor == "postgresql":
                cursor.execute("SET session_replication_role = DEFAULT")


def entries(walk) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(instance=walk.instance).order_by("seq"))


@pytest.fixture
def formed(hubei):
    hubei.form()
    assert len(entries(hubei)) >= 4
    return hubei


def test_an_untouched_trail_verifies_with_its_counts(formed, jiangsu):
    jiangsu.form()
    status, out = verify_audit()
    assert status == 0, out
    rows = AuditEntry.objects.count()
    assert f"audit trail intact: 2 chain(s), {rows} row(s)" in out
    assert [e.seq for e in entries(formed)] == list(range(1, len(entries(formed)) + 1))


def test_each_row_links_to_the_one_before_it_in_its_instance(formed):
    rows = entries(formed)
    assert rows[0].prev_id is None and rows[0].prev_hash == chain.GENESIS
    for before, row in zip(rows, rows[1:], strict=False):
        assert (row.prev_id, row.prev_hash) == (before.pk, before.hash)
        assert row.hash == chain.digest(chain.entry_fields(row))
    head = AuditChain.objects.get(key=chain.instance_chain(formed.instance.pk))
    assert (head.length, head.head_id, head.head_hash) == (len(rows), rows[-1].pk, rows[-1].hash)


def test_a_row_edited_by_sql_is_named_and_verify_exits_non_zero(formed):
    edited = entries(formed)[1]
    behind_the_back("UPDATE bpmn_auditentry SET data = ? WHERE id = ?", [json.dumps({"college_ids": [1]}), edited.pk])
    status, out = verify_audit()
    assert status == 1
    assert f"instance:{formed.instance.pk}: row {edited.pk} (entry 2): content does not match its hash" in out
    assert "1 of 1 chain(s) broken" in out


@pytest.mark.parametrize(
    "column, value",
    [
        ("actor_id", None),
        ("action", "claimed"),
        ("task_name", "x"),
        ("at", "2020-01-01 00:00:00"),
        ("seq", 99),
        ("prev_hash", "0" * 64),
    ],
)
def test_every_column_the_hash_covers_is_checked(formed, column, value):
    edited = entries(formed)[2]
    behind_the_back(f"UPDATE bpmn_auditentry SET {column} = ? WHERE id = ?", [value, edited.pk])
    status, out = verify_audit()
    assert status == 1 and f"row {edited.pk}" in out  # named as broken, or as the row the next one links to


def test_a_row_deleted_in_the_middle_is_named_by_the_row_after_it(formed):
    rows = entries(formed)
    gone, after = rows[1], rows[2]
    behind_the_back("DELETE FROM bpmn_auditentry WHERE id = ?", [gone.pk])
    status, out = verify_audit()
    assert status == 1
    assert f"row {after.pk} (entry 3): 1 row(s) missing before it (entry 2–2): it links to row {gone.pk}" in out


def test_the_last_row_deleted_is_found_by_the_chain_head(formed):
    rows = entries(formed)
    behind_the_back("DELETE FROM bpmn_auditentry WHERE id = ?", [rows[-1].pk])
    status, out = verify_audit()
    assert status == 1
    assert f"the head records {len(rows)} row(s) ending with row {rows[-1].pk}" in out


def test_a_row_rewritten_with_its_hash_recomputed_breaks_the_next_link(formed):
    rows = entries(formed)
    forged = rows[1]
    forged.data = {"college_ids": [1]}
    behind_the_back(
        "UPDATE bpmn_auditentry SET data = ?, hash = ? WHERE id = ?",
        [json.dumps(forged.data), chain.digest(chain.entry_fields(forged)), forged.pk],
    )
    status, out = verify_audit()
    assert status == 1
    assert f"row {rows[2].pk} (entry 3): link broken: it links to row {forged.pk}" in out


def test_a_row_inserted_by_sql_breaks_the_chain(formed):
    last = entries(formed)[-1]
    behind_the_back(
        "INSERT INTO bpmn_auditentry (instance_id, action, task_name, data, at, seq, prev_id, prev_hash, hash) "
        "VALUES (?, 'completed', 'verify_baseline', '{}', ?, ?, ?, ?, ?)",
        [formed.instance.pk, last.at, last.seq + 1, last.pk, last.hash, "f" * 64],
    )
    status, out = verify_audit()
    assert status == 1 and f"(entry {last.seq + 1}): content does not match its hash" in out


def test_only_the_broken_chain_is_reported(formed, jiangsu):
    jiangsu.form()
    behind_the_back("UPDATE bpmn_auditentry SET action = 'claimed' WHERE id = ?", [entries(jiangsu)[0].pk])
    report = audit.verify()
    assert [b.chain for b in report.breaks] == [chain.instance_chain(jiangsu.instance.pk)]
    assert report.rows == len(entries(formed))


def test_the_orm_refuses_to_change_delete_or_bulk_write_audit_rows(formed):
    row = entries(formed)[0]
    for attempt in (
        row.save,
        row.delete,
        lambda: AuditEntry.objects.filter(pk=row.pk).update(action="x"),
        lambda: AuditEntry.objects.filter(pk=row.pk).delete(),
        lambda: AuditEntry.objects.bulk_create([AuditEntry(instance=formed.instance, action="x")]),
        lambda: AdminChange.objects.all().delete(),
    ):
        with pytest.raises(TypeError):
            attempt()
    assert verify_audit()[0] == 0


def test_the_heads_digest_changes_with_every_row(formed):
    before = audit.verify().heads_digest
    formed.do("screen_services", {"training_content": "师资培训"})
    assert audit.verify().heads_digest != before


@pytest.mark.django_db(transaction=True)
def test_rows_written_before_chaining_are_linked_in_order_by_the_migration():
    executor = MigrationExecutor(connection)
    executor.migrate([("bpmn", "0004_english_task_labels")])
    apps = MigrationExecutor(connection).loader.project_state([("bpmn", "0004_english_task_labels")]).apps
    try:
        definition = apps.get_model("bpmn", "ProcessDefinition").objects.create(
            process_id="p", version=1, content_hash="x", sources={}
        )
        instances = [
            apps.get_model("bpmn", "ProcessInstance").objects.create(definition=definition, business_key=k, state="{}")
            for k in ("a", "b")
        ]
        old = apps.get_model("bpmn", "AuditEntry").objects
        for n, instance in enumerate([instances[0], instances[1], instances[0]]):
            old.create(
                instance=instance,
                action="completed",
                task_name=f"t{n}",
                data={"n": n, "名": "李明"},
                at="2026-03-01T02:00:00.123456+00:00",
            )
    finally:
        MigrationExecutor(connection).migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    status, out = verify_audit()
    assert status == 0, out
    assert "2 chain(s), 3 row(s)" in out
    first = AuditEntry.objects.filter(instance_id=instances[0].pk).order_by("seq")
    assert [(e.seq, e.task_name) for e in first] == [(1, "t0"), (2, "t2")]


def test_every_row_of_an_instance_deleted_is_found_by_its_head(formed):
    count = len(entries(formed))
    behind_the_back("DELETE FROM bpmn_auditentry WHERE instance_id = ?", [formed.instance.pk])
    status, out = verify_audit()
    assert status == 1
    assert f"instance:{formed.instance.pk}: end of the chain: the head records {count} row(s)" in out


def _rewrite_whole(walk, position: int, data: dict) -> None:
    """Edit one row and recompute its hash, every later row's links and hashes and the head, as
    someone holding the database could: every chain then verifies on its own."""
    rows = entries(walk)
    prev_hash = rows[position - 2].hash if position > 1 else chain.GENESIS
    for row in rows[position - 1:]:
        if row.seq == position:
            row.data = data
        row.prev_hash = prev_hash
        row.hash = chain.digest(chain.entry_fields(row))
        behind_the_back("UPDATE bpmn_auditentry SET data = ?, prev_hash = ?, hash = ? WHERE id = ?",
                        [json.dumps(row.data), row.prev_hash, row.hash, row.pk])
        prev_hash = row.hash
    behind_the_back("UPDATE bpmn_auditchain SET head_hash = ? WHERE key = ?",
                    [prev_hash, chain.instance_chain(walk.instance.pk)])


def test_a_history_rewritten_whole_verifies_on_its_own_but_not_against_the_anchors_kept_outside(
        formed, jiangsu, tmp_path):
    jiangsu.form()
    kept = tmp_path / "anchors.json"
    call_command("verify_audit", "--write-anchors", str(kept), stdout=StringIO())
    assert set(json.loads(kept.read_text())) == {chain.instance_chain(formed.instance.pk),
                                                 chain.instance_chain(jiangsu.instance.pk)}
    formed.do("screen_services", {"training_content": "师资培训"})  # the trail grows: the anchors still hold
    out = StringIO()
    call_command("verify_audit", "--anchors", str(kept), stdout=out)
    assert "anchors hold: 2 chain(s)" in out.getvalue()
    _rewrite_whole(formed, 2, {"college_ids": [1]})
    assert verify_audit()[0] == 0  # consistent in itself
    out = StringIO()
    with pytest.raises(CommandError, match="1 of 2 anchored chain"):
        call_command("verify_audit", "--anchors", str(kept), stdout=out)
    assert f"instance:{formed.instance.pk}: entry " in out.getvalue()
