"""What a process instance page draws: each model file's XML and the state of its elements.

Elements are marked `done` (completed at least once), `active` (a user task ready or a call
activity or subprocess running) or `waiting` (a timer or message catch, or a task waiting for
its turn); the strongest mark wins when a loop or multi-instance ran an element several times.
"""
import re
from dataclasses import dataclass, field

from SpiffWorkflow.util.task import TaskState

from bpmn import engine
from bpmn.models import ProcessInstance

STRENGTH = {"done": 1, "waiting": 2, "active": 3}
PROCESS_ID = re.compile(r"<(?:\w+:)?process\b[^>]*\bid=\"([^\"]+)\"")


@dataclass
class Diagram:
    file_name: str
    process_ids: list[str]
    xml: str
    marks: dict[str, str] = field(default_factory=dict)

    @property
    def touched(self) -> bool:
        return bool(self.marks)

    @property
    def live(self) -> bool:
        return any(mark != "done" for mark in self.marks.values())


def _mark(task) -> str | None:
    if task.state == TaskState.COMPLETED:
        return "done"
    if task.state in (TaskState.READY, TaskState.STARTED):
        return "active"
    if task.state == TaskState.WAITING:
        return "waiting"
    return None


def element_marks(instance: ProcessInstance) -> dict[str, dict[str, str]]:
    """Return process (or embedded subprocess) id -> element id -> mark, over every flow run."""
    workflow = engine.workflow_of(instance)
    marks: dict[str, dict[str, str]] = {}
    for flow in [workflow, *workflow.subprocesses.values()]:
        own = marks.setdefault(flow.spec.name, {})
        for task in flow.tasks.values():
            bpmn_id = getattr(task.task_spec, "bpmn_id", None)
            mark = _mark(task)
            if bpmn_id and mark and STRENGTH[mark] > STRENGTH.get(own.get(bpmn_id), 0):
                own[bpmn_id] = mark
    return marks


def _merge(into: dict[str, str], marks: dict[str, str]) -> None:
    for element, mark in marks.items():
        if STRENGTH[mark] > STRENGTH.get(into.get(element), 0):
            into[element] = mark


def diagrams(instance: ProcessInstance) -> list[Diagram]:
    """Every BPMN file of the instance's definition, the started process's own file first."""
    marks = element_marks(instance)
    files = {name: xml for name, xml in instance.definition.sources.items() if name.endswith(".bpmn")}
    pools = {name: PROCESS_ID.findall(xml) for name, xml in files.items()}
    every_pool = {pid for ids in pools.values() for pid in ids}
    result = []
    for name, xml in sorted(files.items()):
        own: dict[str, str] = {}
        for flow_id, flow_marks in marks.items():
            embedded_here = flow_id not in every_pool and f'id="{flow_id}"' in xml
            if flow_id in pools[name] or embedded_here:
                _merge(own, flow_marks)
        result.append(Diagram(name, pools[name], xml, own))
    root = instance.definition.process_id
    result.sort(key=lambda d: (root not in d.process_ids, not d.live, not d.touched, d.file_name))
    return result
