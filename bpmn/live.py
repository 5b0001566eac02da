"""Committed workflows kept in memory, so the next step on a hot instance skips the restore.

An entry is added only after its transaction commits and is taken out (not shared) by the next
step, which checks the row's uid and revision: a step that rolls back leaves no entry, and another
process's step bumps the revision, so a stale copy is never used.
"""
import threading
from collections import OrderedDict
from uuid import UUID

from django.conf import settings

from bpmn import caches


class LiveWorkflows:
    def __init__(self, size: int):
        self.size = size
        self._entries: OrderedDict[UUID, tuple[int, object]] = OrderedDict()
        self._lock = threading.Lock()

    def keep(self, instance_id: UUID, revision: int, workflow) -> None:
        if self.size <= 0:
            return
        with self._lock:
            self._entries[instance_id] = (revision, workflow)
            self._entries.move_to_end(instance_id)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def take(self, instance_id: UUID, revision: int):
        with self._lock:
            entry = self._entries.pop(instance_id, None)
        if entry is None or entry[0] != revision:
            return None
        return entry[1]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


live_workflows = LiveWorkflows(getattr(settings, "BPMN_LIVE_WORKFLOWS", 256))
caches.register(live_workflows.clear)
