"""The audit trail's hash chains: what a row's hash covers, computed the same on every database.

Every audit row carries `hash`, the SHA-256 of its canonical content, and that content includes
`prev_hash` and `prev_id`, the hash and id of the row before it in its chain (empty and None for
the first). Changing a row's content breaks its own hash; recomputing the hash breaks the next
row's link; deleting a row breaks the next row's link (or, for the last row, the chain's head).

The canonical content is the values as the database gives them back (JSON data, UTC times with
microseconds, UUIDs as text), so a row hashed when written verifies when read on SQLite and
PostgreSQL alike. This module touches no database; the migration that hashes the rows written
before chaining uses it too.
"""

import hashlib
import json
import uuid
from datetime import UTC, datetime

GENESIS = ""  # the prev_hash of a chain's first row
ADMIN_CHAIN = "admin"


def instance_chain(instance_id: int) -> str:
    """Return the key of one process instance's chain."""
    return f"instance:{instance_id}"


def digest(fields: dict) -> str:
    """Return the SHA-256 hex digest of the canonical JSON of `fields`."""
    text = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False)
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def _time(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def _json(value):
    # What the JSON column gives back: tuples become lists, keys strings.
    return json.loads(json.dumps(value))


def _link(row) -> dict:
    return {"seq": row.seq, "prev_id": row.prev_id, "prev_hash": row.prev_hash}


def entry_fields(row) -> dict:
    """Return what the hash of a process instance's audit row covers."""
    return {
        **_link(row),
        "chain": instance_chain(row.instance_id),
        "actor": row.actor_id,
        "action": row.action,
        "task_name": row.task_name,
        "task_id": str(uuid.UUID(str(row.task_id))) if row.task_id else None,
        "data": _json(row.data),
        "at": _time(row.at),
    }


def change_fields(row) -> dict:
    """Return what the hash of an admin change row covers."""
    return {
        **_link(row),
        "chain": ADMIN_CHAIN,
        "actor": row.actor_id,
        "action": row.action,
        "model": row.model,
        "object_id": row.object_id,
        "object_repr": row.object_repr,
        "changes": _json(row.changes),
        "at": _time(row.at),
    }
