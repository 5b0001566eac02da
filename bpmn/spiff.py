"""The one place that leans on SpiffWorkflow 3.2 beyond its workflow-level API.

Each function names the behaviour it relies on; `tests/bpmn/test_spiff_adapter.py` holds one test
per behaviour, so an upgrade that changes one fails there before it fails in a lifecycle.
"""
from SpiffWorkflow import TaskState
from SpiffWorkflow.bpmn import BpmnEvent, BpmnWorkflow
from SpiffWorkflow.bpmn.serializer.migration.version_migration import MIGRATIONS
from SpiffWorkflow.bpmn.serializer.workflow import VERSION as SPIFF_FORMAT
from SpiffWorkflow.bpmn.specs.mixins.events.end_event import EndEvent
from SpiffWorkflow.util.task import TaskFilter

# --- decisions ---------------------------------------------------------------------------


class _DecisionWorkflow:
    def __init__(self, script_engine):
        self.script_engine = script_engine


class DecisionInput:
    """What SpiffWorkflow's DMN engine reads of a task: its data and its workflow's script engine.

    Its own DMN tests drive `DMNEngine.result` with the same two attributes; a decision asked
    outside any process needs no workflow beyond them.
    """

    task_spec = None  # read only when an error names the task

    def __init__(self, data: dict, script_engine):
        self.data = dict(data)
        self.workflow = _DecisionWorkflow(script_engine)


def decision_table(parser, decision_id: str):
    """Return the DMN engine of one decision from a parser holding the .dmn files."""
    return parser.get_engine(decision_id, None)


def decide(table, data: dict, script_engine) -> dict:
    """Return the outputs of the rule the data hits (a list per output under COLLECT), {} if none."""
    return table.result(DecisionInput(data, script_engine))


# --- events ------------------------------------------------------------------------------


def catch_at(task, payload: dict) -> None:
    """Hand a message to one waiting task and let it move on.

    The workflow's own `send_event` delivers to every task whose message name matches; the
    engine chooses the task by its own correlation table, so it does what the event manager
    does for each task it matched: catch, then update the task's state.
    """
    event = BpmnEvent(task.task_spec.event_definition, payload)
    task.task_spec.catch(task, event)
    task.task_spec._update(task)


def waiting_catch_tasks(workflow: BpmnWorkflow) -> list:
    """Return the tasks waiting for a timer or a message, in this workflow and its subprocesses."""
    return [t for t in workflow.event_manager.tasks.values() if t.state == TaskState.WAITING]


def timer_value(task):
    """Return what a waiting timer waits for: ISO text or a datetime; None before it started."""
    return task.task_spec.event_definition.details(task).value


def end_event_id(workflow: BpmnWorkflow) -> str:
    """Return the id of the last end event the top-level process reached, "" if none."""
    ends = [t for t in workflow.get_tasks(task_filter=TaskFilter(state=TaskState.COMPLETED, spec_class=EndEvent))
            if t.workflow is workflow and t.task_spec.bpmn_id]
    # The tree's order is not the order of arrival: parallel branches end at different times.
    return max(ends, key=lambda t: t.last_state_change).task_spec.bpmn_id if ends else ""


# --- stored format -----------------------------------------------------------------------

# SpiffWorkflow's migration table upgrades one version at a time from 1.2 on; 1.0 and 1.1 jump
# to 1.3 inside their own function. The step each leaves behind is not in the table itself.
_NEXT_FORMAT = {"1.2": "1.3", "1.3": "1.4", "1.4": "1.5"}


def migrate_state(state: dict, version: str, spec: dict, subprocess_specs: dict) -> dict:
    """Bring a spec-free state written in SpiffWorkflow format `version` up to SPIFF_FORMAT.

    Its migrations read each workflow's spec beside its tasks, so the current specs are lent to
    them and taken back. They are run once per workflow: SpiffWorkflow 3.2's own loop over
    subprocesses (1.3 and 1.4) names an undefined variable and fails on any state that has one.
    """
    while version != SPIFF_FORMAT:
        if version not in _NEXT_FORMAT:
            raise ValueError(f"SpiffWorkflow state format {version!r} cannot be upgraded here")
        for sub in state.get("subprocesses", {}).values():
            MIGRATIONS[version]({"tasks": sub["tasks"], "spec": subprocess_specs[sub["spec"]], "subprocesses": {}})
        top = {**state, "spec": spec, "subprocesses": {}}
        MIGRATIONS[version](top)
        state["tasks"] = top["tasks"]
        version = _NEXT_FORMAT[version]
    return state
