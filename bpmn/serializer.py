"""The serializer seam: workflow state to JSON and back, without the specs.

Specs are rebuilt from the definition's stored model files (parsed once per version), so an
instance row holds only its own state. Two formats are versioned: a row carries `state_format`
(ours: `from_version_N` functions upgrade older rows when they are read) and, inside the state,
`spiff_format`, SpiffWorkflow's serializer version, whose own migrations run on a row written by
an earlier SpiffWorkflow, so an upgrade of the library carries stored instances with it.
"""
import json
from collections.abc import Callable
from decimal import Decimal
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, TaskConverter, WorkflowConverter
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.task import Task

from bpmn import spiff
from bpmn.spiff import SPIFF_FORMAT

STATE_FORMAT = 1
# The most characters of state one instance row may hold: the engine refuses a step that would
# store more. The longest lifecycle in the tests (30 negotiation rounds) stores about 64,000.
MAX_STATE_CHARS = 1_000_000


class SpecFreeWorkflowConverter(BpmnWorkflowConverter):
    """Convert a top-level workflow without its specs; they are supplied on restore."""

    def to_dict(self, workflow: BpmnWorkflow) -> dict:
        dct = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        dct["spiff_format"] = SPIFF_FORMAT
        return dct

    def from_dict(self, dct: dict, spec=None, subprocess_specs=None) -> BpmnWorkflow:
        workflow = self.target_class(spec, subprocess_specs, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


class ConvertingTaskConverter(TaskConverter):
    """Pass task data through the registry, as the restore already does.

    SpiffWorkflow 3.2 stores each task's data as a delta from its parent and skips the registry
    on the way out, so a Decimal in task data would reach json.dumps unconverted.
    """

    def to_dict(self, task) -> dict:
        dct = super().to_dict(task)
        dct["data"] = self.registry.convert(self.registry.clean(dct["data"]))
        if dct.get("delta"):
            dct["delta"]["updates"] = self.registry.convert(self.registry.clean(dct["delta"]["updates"]))
        return dct


def _registry():
    # The parser is SpiffBpmnParser, so its own converters: an uncaught event kept in the state
    # carries a spiff event definition.
    config = dict(SPIFF_CONFIG)
    config[BpmnWorkflow] = SpecFreeWorkflowConverter
    config[Task] = ConvertingTaskConverter
    registry = BpmnWorkflowSerializer.configure(config)
    # Money may travel through task data as Decimal; keep it exact, never a float.
    registry.register(Decimal, lambda v: {"value": str(v)}, lambda v: Decimal(v["value"]))
    return registry


_REGISTRY = _registry()

# Upgrades from older state formats: from_version_N turns a format-N dict into format N+1.
UPGRADES: dict[int, Callable[[dict], dict]] = {}


def dump_state(workflow: BpmnWorkflow) -> str:
    """Return the workflow's state as JSON text (key order kept: the restore depends on it)."""
    return json.dumps(_REGISTRY.convert(workflow), ensure_ascii=False, separators=(",", ":"))


def load_state(state: str | dict, state_format: int, spec, subprocess_specs) -> BpmnWorkflow:
    """Restore a workflow from its stored state and the specs of its definition version."""
    state = upgrade(json.loads(state) if isinstance(state, str) else dict(state), state_format)
    state = upgrade_spiff_format(state, spec, subprocess_specs)
    return _REGISTRY.restore(state, spec=spec, subprocess_specs=subprocess_specs)


def upgrade_spiff_format(state: dict, spec, subprocess_specs) -> dict:
    """Run SpiffWorkflow's own migrations on a state written by an earlier version of it."""
    # Rows from before the mark was read were all written by the SpiffWorkflow pinned then (1.5).
    version = state.pop("spiff_format", SPIFF_FORMAT)
    if version == SPIFF_FORMAT:
        return state
    specs = {name: _REGISTRY.convert(s) for name, s in subprocess_specs.items()}
    return spiff.migrate_state(state, version, _REGISTRY.convert(spec), specs)


def upgrade(state: dict, state_format: int) -> dict:
    """Bring a stored state up to STATE_FORMAT, one version at a time."""
    while state_format < STATE_FORMAT:
        state = UPGRADES[state_format](state)
        state_format += 1
    return state
