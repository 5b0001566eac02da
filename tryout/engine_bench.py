"""Benchmark: one straight lifecycle through the services, and the same on bare SpiffWorkflow.

The bare run is the floor: the same process models and the same task data, in memory, with a
serialize/restore round trip at every wait, and stub script functions instead of the domain.
"""
import statistics
import time
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone
from SpiffWorkflow import TaskState
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.event_definitions import MessageEventDefinition
from SpiffWorkflow.util.task import TaskFilter

from bpmn import parser, serializer, spiff
from bpmn.models import OpenTask, ProcessInstance
from bpmn.scripting import SafeEnvironment, SafeScriptEngine
from tryout.simulation import actor_for, scaled_lines
from workflows import services
from workflows.models import Agreement, Certificate, Organization, Person, Role


def summary(samples: list[float]) -> dict:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return {"n": len(ordered), "median_ms": round(statistics.median(ordered) * 1000, 3),
            "p95_ms": round(p95 * 1000, 3)}


# --- through the services ----------------------------------------------------------------


class ServiceRun:
    def __init__(self):
        self.task_times: list[float] = []

    def complete(self, task: OpenTask, data: dict) -> None:
        actor = actor_for(task)
        started = time.perf_counter()
        services.complete(task.task_id, actor, data)
        self.task_times.append(time.perf_counter() - started)

    def to_first_offer(self, certificate: Certificate, lead, invitees: list[Organization]):
        """Start a lifecycle, form its alliance, screen the services: round 1 awaits the alliance.

        Returns the negotiation and a finder of its open tasks by name.
        """
        negotiation = services.start_lifecycle(lead, certificate)
        instance = ProcessInstance.objects.get(business_key=services.lifecycle_key(negotiation))

        def only(name):
            return OpenTask.objects.filter(instance=instance, task_name=name).order_by("pk")

        self.complete(only("invite_members").get(), {"college_ids": [c.pk for c in invitees]})
        for task in list(only("respond_invitation")):
            self.complete(task, {"decision": "accept"})
        self.complete(only("screen_services").get(), {"training_content": "师资培训"})
        return negotiation, only

    def lifecycle(self, certificate: Certificate, lead, invitees: list[Organization]) -> None:
        negotiation, only = self.to_first_offer(certificate, lead, invitees)
        instance = ProcessInstance.objects.get(business_key=services.lifecycle_key(negotiation))
        fee = negotiation.schedule.fee - Decimal("10.00")
        self.complete(only("alliance_responds").get(), {
            "decision": "counter", "fee": f"{fee:.2f}", "lines": scaled_lines(negotiation.schedule.lines, fee)})
        self.complete(only("teo_responds").get(), {"decision": "accept"})
        self.complete(only("verify_baseline").get(), {"decision": "verify"})
        self.complete(only("verify_baseline_finance").get(), {"decision": "verify"})  # 会签
        self.complete(only("sign_alliance").get(), {})
        self.complete(only("sign_teo").get(), {})
        self.complete(only("acknowledge_filing").get(), {"flagged": False})
        agreement = Agreement.objects.get(negotiation=negotiation)
        teo = Person.objects.filter(organization=certificate.teo, role=Role.TEO).first().user
        for payment in agreement.payments.all():
            services.record_assessment(teo, agreement, payment.college, 30, services.today())
        for task in list(only("release_payment")):
            amount = agreement.payments.get(pk=task.data["payment_id"]).amount
            self.complete(task, {"funding": [{"source": "fiscal", "amount": f"{amount:.2f}"}]})
        instance.refresh_from_db()
        assert instance.status == ProcessInstance.Status.COMPLETED, instance.status


# --- bare SpiffWorkflow ------------------------------------------------------------------

STUBS = {
    "count_accepted": lambda alliance_id: 3,
    "register_alliance": lambda alliance_id: "LM-00-000001",
    "dissolve_alliance": lambda alliance_id: True,
    "close_round_expired": lambda negotiation_id: True,
    "record_cap_check": lambda negotiation_id, cap_fen: True,
    "check_uniformity": lambda certificate_id, province_id, agreed_fee_fen: "none",
    "compute_payment": lambda payment_id: 510000,
}


def bare_task_data(name: str, deadline: str) -> dict:
    return {
        "invite_members": {"invited_college_ids": [2, 3], "response_deadline": deadline},
        "respond_invitation": {"accepted": True},
        "screen_services": {"turn": "alliance", "round_outcome": "open", "round_deadline": deadline},
        "alliance_responds": {"round_outcome": "countered", "turn": "teo", "round_deadline": deadline},
        "teo_responds": {"round_outcome": "accepted", "agreed_fee_fen": 17000},
        "verify_baseline": {"vocational_decision": "verify"},
        # The division that decides second writes the outcome, as its action does.
        "verify_baseline_finance": {"finance_decision": "verify", "verification_outcome": "verified",
                                    "agreement_id": 1},
        "sign_alliance": {}, "sign_teo": {},
        "acknowledge_filing": {"flagged": False, "member_college_ids": [1, 2, 3]},
        "release_payment": {"released": True},
    }[name]


class BareRun:
    def __init__(self):
        sources = parser.read_model_files()
        self.spec, self.subprocess_specs = parser.load_specs(services.LIFECYCLE, sources)
        self.script_engine = SafeScriptEngine(environment=SafeEnvironment(STUBS))
        self.task_times: list[float] = []

    def round_trip(self, workflow: BpmnWorkflow) -> BpmnWorkflow:
        state = serializer.dump_state(workflow)
        restored = serializer.load_state(state, serializer.STATE_FORMAT, self.spec, self.subprocess_specs)
        restored.script_engine = self.script_engine
        return restored

    def lifecycle(self) -> None:
        deadline = (timezone.now() + timedelta(days=7)).isoformat()
        workflow = BpmnWorkflow(self.spec, self.subprocess_specs, script_engine=self.script_engine)
        workflow.data.update({"negotiation_id": 1, "alliance_id": 1, "certificate_id": 1, "province_id": 1,
                              "assessment_mode": "paper", "alliance_formed": False,
                              "verification_returns": 0})
        workflow.get_next_task(state=TaskState.READY, manual=False).data.update(workflow.data)
        workflow.do_engine_steps()
        workflow = self.round_trip(workflow)
        while not workflow.completed:
            ready = workflow.get_tasks(task_filter=TaskFilter(state=TaskState.READY, manual=True))
            if not ready:
                workflow = self.deliver_messages(workflow)
                continue
            started = time.perf_counter()
            task = ready[0]
            task.data.update(bare_task_data(task.task_spec.bpmn_id, deadline))
            task.run()
            workflow.do_engine_steps()
            workflow = self.round_trip(workflow)
            self.task_times.append(time.perf_counter() - started)

    def deliver_messages(self, workflow: BpmnWorkflow) -> BpmnWorkflow:
        waiting = [t for t in spiff.waiting_catch_tasks(workflow)
                   if isinstance(t.task_spec.event_definition, MessageEventDefinition)]
        if not waiting:
            raise RuntimeError("bare lifecycle stalled")
        for number, task in enumerate(waiting, start=1):
            payload = {"college_id": task.data["college_id"], "agreement_id": 1, "headcount": 30,
                       "payment_id": number}
            spiff.catch_at(task, payload)
            workflow.do_engine_steps()
            workflow = self.round_trip(workflow)
        return workflow
