"""Walk the audit chains and record the admin's changes of reference data.

`verify()` reads every chain (each process instance's audit rows, and the admin's changes) in
order and reports, per chain, the first row that breaks it: its content no longer matches its
hash (changed after it was written), or it does not link to the row before it (a row deleted,
inserted or reordered), or the chain ends short of its head (rows deleted at the end).
`manage.py verify_audit` prints the result.
"""

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from uuid import UUID

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction

from bpmn import chain
from bpmn.models import AdminChange, AuditChain, AuditEntry


@dataclass(frozen=True)
class Break:
    """The first row of a chain that does not verify, and why."""

    chain: str
    row_id: int | None
    seq: int | None
    reason: str

    def __str__(self) -> str:
        where = f"row {self.row_id} (entry {self.seq})" if self.row_id is not None else "end of the chain"
        return f"{self.chain}: {where}: {self.reason}"


@dataclass
class Report:
    chains: int = 0
    rows: int = 0
    breaks: list[Break] = field(default_factory=list)
    heads_digest: str = ""

    @property
    def intact(self) -> bool:
        return not self.breaks


def _content_problem(stored: str, computed: str) -> str | None:
    if stored == computed:
        return None
    return (
        f"content does not match its hash (stored {stored[:12] or '-'}…, computed {computed[:12]}…): "
        "changed after it was written"
    )


def _link_problem(row, seq: int, prev_id, prev_hash: str) -> str | None:
    if row.seq is None or row.seq < seq:
        return f"its position {row.seq} repeats or precedes entry {seq - 1}: the chain forks here"
    if row.seq > seq:
        missing = row.seq - seq
        return (
            f"{missing} row(s) missing before it (entry {seq}–{row.seq - 1}): it links to row {row.prev_id}, "
            f"but the row before it is {prev_id}"
        )
    if row.prev_id != prev_id or row.prev_hash != prev_hash:
        return (
            f"link broken: it links to row {row.prev_id} with hash {row.prev_hash[:12] or '-'}…, but the row "
            f"before it is {prev_id} with hash {prev_hash[:12] or '-'}…"
        )
    return None


def _walk(key: str, rows, head: AuditChain | None, fields_of, report: Report) -> None:
    """Verify one chain's rows (in seq order) against each other and against its head."""
    report.chains += 1
    seq, prev_id, prev_hash = 1, None, chain.GENESIS
    for row in rows:
        computed = chain.digest(fields_of(row))
        problem = _content_problem(row.hash, computed) or _link_problem(row, seq, prev_id, prev_hash)
        if problem:
            report.breaks.append(Break(key, row.pk, row.seq, problem))
            return
        report.rows += 1
        seq, prev_id, prev_hash = seq + 1, row.pk, row.hash
    length = seq - 1
    if head is None:
        report.breaks.append(Break(key, None, length, "the chain has no head row"))
    elif (head.length, head.head_id, head.head_hash) != (length, prev_id, prev_hash):
        reason = (
            f"the head records {head.length} row(s) ending with row {head.head_id}, but the chain ends after "
            f"{length} with row {prev_id}: rows missing at the end"
        )
        report.breaks.append(Break(key, None, length, reason))


def _chains_of_entries(heads: dict, report: Report) -> None:
    rows = AuditEntry.objects.order_by("instance_id", "seq", "pk").iterator(chunk_size=2000)
    current, batch = None, []
    for row in rows:
        if row.instance_id != current and batch:
            key = chain.instance_chain(current)
            _walk(key, batch, heads.pop(key, None), chain.entry_fields, report)
            batch = []
        current = row.instance_id
        batch.append(row)
    if batch:
        key = chain.instance_chain(current)
        _walk(key, batch, heads.pop(key, None), chain.entry_fields, report)


def verify() -> Report:
    """Walk every audit chain; return the counts and each broken chain's first break."""
    report = Report()
    heads = {head.key: head for head in AuditChain.objects.all()}
    report.heads_digest = heads_digest(heads.values())
    _chains_of_entries(heads, report)
    changes = AdminChange.objects.order_by("seq", "pk").iterator(chunk_size=2000)
    admin = heads.pop(chain.ADMIN_CHAIN, None)
    if admin is not None or AdminChange.objects.exists():
        _walk(chain.ADMIN_CHAIN, changes, admin, chain.change_fields, report)
    for key, head in sorted(heads.items()):  # heads whose rows are all gone
        _walk(key, [], head, chain.entry_fields, report)
    return report


def heads_digest(heads) -> str:
    """Return one hash over every chain's head: recorded elsewhere, it shows a history rewritten whole."""
    lines = sorted(f"{h.key} {h.length} {h.head_id} {h.head_hash}" for h in heads)
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def anchors() -> dict[str, list]:
    """Every chain's head as it is now, {key: [length, hash of its last row]}: kept outside the
    database (another machine, a signed mail), it pins the history up to here."""
    return {head.key: [head.length, head.head_hash] for head in AuditChain.objects.order_by("key") if head.length}


def anchor_breaks(kept: dict) -> list[str]:
    """Each anchored chain whose row at the anchored position no longer carries the anchored hash.

    A chain verifies row by row from its start, so one row still matching its anchor shows that
    nothing before it was rewritten, even by someone who recomputed every hash and head since.
    """
    breaks = []
    for key, (length, hashed) in sorted(kept.items()):
        rows = AdminChange.objects.all() if key == chain.ADMIN_CHAIN else AuditEntry.objects.filter(
            instance_id=int(key.removeprefix("instance:")))
        found = rows.filter(seq=length).values_list("hash", flat=True).first()
        if found != hashed:
            now = "is gone" if found is None else f"now has hash {found[:16]}…"
            breaks.append(f"{key}: entry {length} was anchored with hash {hashed[:16]}…, {now}")
    return breaks


# --- the admin's changes ------------------------------------------------------------------


def _plain(value):
    """Return a field's value as JSON holds it (ids for relations, ISO text for times)."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Decimal | UUID):
        return str(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder, default=str))


# Kept out of the audit as they are: a fingerprint shows that they changed, not what they hold.
# The project names them (keep_secret); the engine knows no model of its own that holds a secret.
SECRET_FIELDS: dict[str, tuple[str, ...]] = {}


def keep_secret(label: str, *fields: str) -> None:
    """Audit these fields of the model `label` ("app.model") by a fingerprint, never by their value."""
    SECRET_FIELDS[label.lower()] = tuple(dict.fromkeys((*SECRET_FIELDS.get(label.lower(), ()), *fields)))


def snapshot(obj: models.Model) -> dict:
    """Return every field of `obj` by name: concrete fields as stored, many-to-many as sorted ids."""
    values = {f.name: _plain(f.value_from_object(obj)) for f in obj._meta.concrete_fields}
    for name in SECRET_FIELDS.get(obj._meta.label_lower, ()):
        if values.get(name):
            values[name] = "sha256:" + hashlib.sha256(str(values[name]).encode()).hexdigest()[:16]
    for f in obj._meta.many_to_many:
        values[f.name] = sorted(related.pk for related in f.value_from_object(obj)) if obj.pk else []
    return values


def differences(before: dict, after: dict) -> dict:
    """Return {field: [before, after]} for every field whose value differs."""
    names = list(dict.fromkeys([*before, *after]))
    return {n: [before.get(n), after.get(n)] for n in names if before.get(n) != after.get(n)}


@transaction.atomic
def record_admin_change(actor, obj: models.Model, action: str, before: dict, after: dict) -> AdminChange | None:
    """Append who changed which object how to the admin's chain; nothing when no field changed."""
    changes = differences(before, after)
    if not changes:
        return None
    return AdminChange.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        model=obj._meta.label_lower,
        object_id=str(obj.pk if obj.pk is not None else before.get(obj._meta.pk.name)),
        object_repr=str(obj)[:200],
        changes=changes,
    )
