"""Run the process models on bare SpiffWorkflow, in memory: no Django, no database.

`Run` drives one workflow the way the engine does (complete a READY user task, then
`do_engine_steps()`), and in `roundtrip` mode serializes and restores the whole workflow at
every wait, re-attaching the script engine, so each test proves its path survives a restart
anywhere. The script functions of the contract are stubs on a `Domain` object that records
every call.

`make_script_engine` is the one place where the script engine is built: swap it for the
safe evaluator's engine when that lands.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from lxml import etree
from SpiffWorkflow.bpmn import BpmnEvent, BpmnWorkflow
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.defaults import EndEvent
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser
from SpiffWorkflow.spiff.serializer import DEFAULT_CONFIG  # the Spiff spec classes, not bpmn's
from SpiffWorkflow.util.task import TaskFilter, TaskState

from workflows.roles import Lane

PROCESS_DIR = Path(os.environ.get("XCERT_PROCESS_DIR")
                   or Path(__file__).resolve().parents[2] / "bpmn" / "processes")
PROCESS_IDS = (
    "alliance_formation",
    "fee_negotiation",
    "fee_verification",
    "agreement_signing",
    "agreement_filing",
    "payment",
    "agreement_renewal",
    "certificate_lifecycle",
    "teo_supervision",
    "complaint",
)
ROLES = set(Lane.values)  # the lanes a model may have


def bpmn_files(directory: Path = PROCESS_DIR) -> list[Path]:
    return sorted(directory.glob("*.bpmn"))


def dmn_files(directory: Path = PROCESS_DIR) -> list[Path]:
    return sorted(directory.rglob("*.dmn"))


def build_parser(directory: Path = PROCESS_DIR) -> SpiffBpmnParser:
    """Every model file into one parser, validated against the OMG XSDs (+ Spiff extensions)."""
    parser = SpiffBpmnParser(validator=VALIDATOR)
    for path in bpmn_files(directory):
        parser.add_bpmn_xml(etree.parse(str(path)).getroot(), filename=path.name)
    parser.add_dmn_files([str(p) for p in dmn_files(directory)])
    return parser


@cache
def _parser() -> SpiffBpmnParser:
    return build_parser()


@cache
def specs(process_id: str):
    """(spec, subprocess_specs) of a process; subprocess specs include called processes."""
    parser = _parser()
    return parser.get_spec(process_id), parser.get_subprocess_specs(process_id)


SERIALIZER = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(DEFAULT_CONFIG))


# --- the domain, stubbed ------------------------------------------------------------------


@dataclass
class Domain:
    """Stand-ins for the contract's script functions, with knobs for each path."""

    accepted: int = 2                 # what count_accepted answers
    agreed_fee_fen: int | None = None  # record_cap_check compares it with the cap; None: within
    uniformity: str = "none"
    fee_fen: int = 18000              # compute_payment = fee × headcount of the payment
    headcounts: dict = field(default_factory=dict)   # payment_id -> headcount
    baseline_fees: dict = field(default_factory=dict)  # baseline_id -> fee in fen, for renew_agreement
    calls: list = field(default_factory=list)

    def _record(self, name, *args):
        self.calls.append((name, *args))

    def called(self, name) -> list[tuple]:
        return [c[1:] for c in self.calls if c[0] == name]

    def count_accepted(self, alliance_id):
        self._record("count_accepted", alliance_id)
        return self.accepted

    def register_alliance(self, alliance_id):
        self._record("register_alliance", alliance_id)
        return f"LM-{alliance_id:04d}"

    def dissolve_alliance(self, alliance_id):
        self._record("dissolve_alliance", alliance_id)
        return True

    def close_round_expired(self, negotiation_id):
        self._record("close_round_expired", negotiation_id)
        return True

    def check_uniformity(self, certificate_id, province_id, agreed_fee_fen):
        self._record("check_uniformity", certificate_id, province_id, agreed_fee_fen)
        return self.uniformity

    def record_cap_check(self, negotiation_id, cap_fen):
        self._record("record_cap_check", negotiation_id, cap_fen)
        return self.agreed_fee_fen is None or self.agreed_fee_fen <= cap_fen

    def compute_payment(self, payment_id):
        self._record("compute_payment", payment_id)
        return self.fee_fen * self.headcounts.get(payment_id, 1)

    def renew_agreement(self, agreement_id, baseline_id):
        self._record("renew_agreement", agreement_id, baseline_id)
        return self.baseline_fees.get(baseline_id, self.fee_fen)

    def close_unverified(self, negotiation_id):
        self._record("close_unverified", negotiation_id)
        return True

    def functions(self) -> dict:
        names = ("count_accepted", "register_alliance", "dissolve_alliance", "close_round_expired",
                 "check_uniformity", "record_cap_check", "compute_payment", "renew_agreement",
                 "close_unverified")
        return {name: getattr(self, name) for name in names}


def make_script_engine(functions: dict) -> PythonScriptEngine:
    """The script engine the models run on. The one place to swap in the safe evaluator."""
    return PythonScriptEngine(environment=TaskDataEnvironment(dict(functions)))


# --- driving a workflow --------------------------------------------------------------------


class Run:
    """One workflow of one process, driven in memory."""

    def __init__(self, process_id: str, data: dict | None = None, domain: Domain | None = None,
                 roundtrip: bool = False):
        spec, subprocess_specs = specs(process_id)
        self.process_id = process_id
        self.domain = domain or Domain()
        self.engine = make_script_engine(self.domain.functions())
        self.roundtrip = roundtrip
        self.roundtrips = 0
        self.workflow = BpmnWorkflow(spec, subprocess_specs, script_engine=self.engine)
        for task in self.workflow.get_tasks(state=TaskState.READY):  # the start task
            task.data.update(data or {})
        self.workflow.do_engine_steps()
        self.wait()

    # -- waits -----------------------------------------------------------------------------

    def wait(self):
        """Where the engine would save the instance: optionally serialize and restore here."""
        if not self.roundtrip:
            return
        text = SERIALIZER.serialize_json(self.workflow)
        json.loads(text)  # plain JSON, nothing Python-specific
        self.workflow = SERIALIZER.deserialize_json(text)
        self.workflow.script_engine = self.engine  # the engine is not serialized
        self.roundtrips += 1

    # -- user tasks ------------------------------------------------------------------------

    def ready(self) -> list:
        return self.workflow.get_tasks(task_filter=TaskFilter(state=TaskState.READY, manual=True))

    def ready_names(self) -> list[str]:
        return sorted(t.task_spec.bpmn_id for t in self.ready())

    def tasks(self, name: str, **where) -> list:
        found = [t for t in self.ready() if t.task_spec.bpmn_id == name]
        return [t for t in found if all(t.data.get(k) == v for k, v in where.items())]

    def task(self, name: str, **where):
        found = self.tasks(name, **where)
        assert len(found) == 1, f"want one READY {name} {where}; READY: {self.ready_names()}"
        return found[0]

    def complete(self, name: str, data: dict | None = None, **where):
        """Complete the READY user task `name` (matching `where` in its data) with `data`."""
        task = self.task(name, **where)
        task.data.update(data or {})
        task.run()
        self.workflow.do_engine_steps()
        self.wait()
        return task

    # -- timers and messages ---------------------------------------------------------------

    def fire_timers(self):
        self.workflow.refresh_timers()
        self.workflow.do_engine_steps()
        self.wait()

    def waiting_messages(self) -> list:
        """The WAITING message catch tasks, anywhere in the workflow tree."""
        return [t for t in self.workflow.get_tasks(state=TaskState.WAITING)
                if getattr(getattr(t.task_spec, "event_definition", None), "correlation_properties", None)
                is not None]

    def send_message(self, name: str, payload: dict):
        """Deliver a message the BPMN way: `send_event` with the correlations computed from the
        payload by the message's own correlation properties. Only the instance whose process
        correlation (computed from its task data while it waits) is equal catches it."""
        definition = self._message_definition(name)
        correlations = definition.calculate_correlations(
            self.workflow.script_engine, definition.correlation_properties, payload)
        self.workflow.send_event(BpmnEvent(definition, payload, correlations))
        self.workflow.do_engine_steps()
        self.wait()

    def deliver_to(self, task, payload: dict):
        """Deliver a message to one specific waiting task (what the engine does from its
        subscription table): `catch` on that task's spec, then `_update` so it can run."""
        event = BpmnEvent(task.task_spec.event_definition, payload)
        task.task_spec.catch(task, event)
        task.task_spec._update(task)
        self.workflow.do_engine_steps()
        self.wait()

    def _message_definition(self, name):
        for task in self.waiting_messages():
            if task.task_spec.event_definition.name == name:
                return task.task_spec.event_definition
        raise AssertionError(f"nothing waits for {name}")

    # -- outcome ---------------------------------------------------------------------------

    @property
    def data(self) -> dict:
        return self.workflow.last_task.data if self.workflow.last_task else self.workflow.data

    def ends(self, process_id: str | None = None) -> list[str]:
        """bpmn ids of the end events reached in `process_id` (default: this run's process)."""
        pid = process_id or self.process_id
        return [t.task_spec.bpmn_id for t in self.workflow.get_tasks(state=TaskState.COMPLETED)
                if isinstance(t.task_spec, EndEvent) and t.workflow.spec.name == pid]

    def completed_specs(self, process_id: str) -> list[str]:
        return [t.task_spec.bpmn_id for t in self.workflow.get_tasks(state=TaskState.COMPLETED)
                if t.workflow.spec.name == process_id and t.task_spec.bpmn_id]

    def json_size(self) -> dict:
        """Bytes of the serialized workflow: all of it, and without the specs."""
        full = json.loads(SERIALIZER.serialize_json(self.workflow))
        state = {k: v for k, v in full.items() if k not in ("spec", "subprocess_specs")}
        return {"full": len(json.dumps(full)), "state": len(json.dumps(state))}
