"""Drive whole lifecycles through the services with plausible random choices.

Used by `manage.py simulate` and `manage.py bench`; every step goes through the same door
as a person in the browser would (services.complete with the right actor).
"""
import random
from dataclasses import dataclass, field
from decimal import Decimal

from bpmn.models import OpenTask, ProcessInstance
from workflows import services
from workflows.caps import cap_for
from workflows.errors import RuleViolation
from workflows.joint_review import REVIEW_TASKS, province_experts
from workflows.models import Agreement, Baseline, Certificate, Negotiation, Organization, Payment, Person
from workflows.roles import LANE_ROLES, PERSONAL_LANES


@dataclass
class Tally:
    lifecycles: int = 0
    completed: int = 0
    tasks: int = 0
    rounds: int = 0
    payments: int = 0
    refusals: int = 0
    returns: int = 0
    outcomes: dict = field(default_factory=dict)


def actor_for(open_task: OpenTask):
    """Return a user who may act on the task: the one it is asked of, else the lane's role in the holding
    organization."""
    if open_task.role in PERSONAL_LANES:
        return open_task.claimed_by
    person = Person.objects.filter(
        organization_id=open_task.organization_id, role__in=LANE_ROLES[open_task.role]
    ).select_related("user").first()
    return person.user


def open_tasks(negotiation: Negotiation) -> list[OpenTask]:
    instance = ProcessInstance.objects.get(business_key=services.lifecycle_key(negotiation))
    return list(OpenTask.objects.filter(instance=instance).order_by("pk"))


def scaled_lines(lines: dict, fee: Decimal) -> dict:
    """Spread a fee across the schedule's cost items in proportion, exactly to the cent."""
    total = sum(Decimal(v) for v in lines.values())
    codes = list(lines)
    out = {c: (Decimal(lines[c]) * fee / total).quantize(Decimal("0.01")) for c in codes}
    out[codes[0]] += fee - sum(out.values())
    return {c: f"{v:.2f}" for c, v in out.items()}


class Driver:
    """Decide each open task of one lifecycle the way its people plausibly would."""

    def __init__(self, rng: random.Random, tally: Tally, on_step=None):
        self.rng = rng
        self.tally = tally
        self.on_step = on_step

    def run(self, lead_user, certificate: Certificate, invitees: list[Organization]) -> Negotiation:
        negotiation = services.start_lifecycle(lead_user, certificate)
        self.invitees = invitees
        self.tally.lifecycles += 1
        self.tried_over_cap = False
        for _ in range(500):
            fed = self.feed_assessments(negotiation)
            tasks = open_tasks(negotiation)
            if not tasks and not fed:
                break
            for task in tasks:
                self.step(negotiation, task)
        negotiation.refresh_from_db()
        instance = ProcessInstance.objects.get(business_key=services.lifecycle_key(negotiation))
        if instance.status == ProcessInstance.Status.COMPLETED:
            self.tally.completed += 1
            self.tally.outcomes[instance.end_event] = self.tally.outcomes.get(instance.end_event, 0) + 1
        return negotiation

    def step(self, negotiation: Negotiation, task: OpenTask) -> None:
        data = getattr(self, f"data_{task.task_name}")(negotiation, task)
        services.complete(task.task_id, actor_for(task), data)
        self.tally.tasks += 1
        if self.on_step:
            self.on_step()

    # -- the decisions ----------------------------------------------------------------------

    def data_invite_members(self, negotiation, task):
        return {"college_ids": [c.pk for c in self.invitees]}

    def data_respond_invitation(self, negotiation, task):
        return {"decision": "accept" if self.rng.random() < 0.85 else "decline"}

    def data_screen_services(self, negotiation, task):
        return {"training_content": "师资培训 5 天，含实操"}

    def _respond(self, negotiation, party):
        self.tally.rounds += 1
        offer = negotiation.open_proposal()
        baseline = self._province_baseline(negotiation)
        if baseline is not None:  # one standard per province: both sides settle on it
            if offer.fee == baseline.fee:
                return {"decision": "accept"}
            return {"decision": "counter", "fee": f"{baseline.fee:.2f}",
                    "lines": scaled_lines(offer.lines, baseline.fee), "comment": "按本省已核定基线 provincial baseline"}
        roll = self.rng.random()
        if roll < 0.45 or offer.round_no >= 6:
            return {"decision": "accept"}
        if roll < 0.5:
            return {"decision": "reject"}
        return self._counter(negotiation, offer, party)

    def _counter(self, negotiation, offer, party):
        cap = cap_for(negotiation.certificate.assessment_mode)
        step = Decimal(self.rng.randint(2, 10))
        fee = offer.fee - step if party == "alliance" else min(offer.fee + step / 2, cap)
        if not self.tried_over_cap:  # someone types a fee over the cap: refused, then corrected
            self.tried_over_cap = True
            try:
                services.complete(open_tasks(negotiation)[0].task_id, actor_for(open_tasks(negotiation)[0]),
                                  {"decision": "counter", "fee": f"{cap + 1:.2f}",
                                   "lines": scaled_lines(offer.lines, cap + 1)})
            except RuleViolation:
                self.tally.refusals += 1
        return {"decision": "counter", "fee": f"{fee:.2f}", "lines": scaled_lines(offer.lines, fee),
                "comment": "还价 counter-offer"}

    def data_alliance_responds(self, negotiation, task):
        return self._respond(negotiation, "alliance")

    def data_teo_responds(self, negotiation, task):
        return self._respond(negotiation, "teo")

    def data_mediate(self, negotiation, task):
        schedule = negotiation.schedule
        if self.rng.random() < 0.2:
            return {"decision": "failed"}
        fee = (schedule.fee * Decimal("0.95")).quantize(Decimal("1"))
        return {"decision": "agreed", "fee": f"{fee:.2f}", "lines": scaled_lines(schedule.lines, fee)}

    @staticmethod
    def _province_baseline(negotiation):
        return Baseline.objects.filter(
            province=negotiation.alliance.province, certificate=negotiation.certificate, state="verified"
        ).first()

    def data_verify_baseline(self, negotiation, task):
        """职成处 decides; now and then it first asks the province's expert (加签)."""
        negotiation.refresh_from_db()
        existing = self._province_baseline(negotiation)
        if existing and existing.fee != negotiation.agreed_fee:
            return {"decision": "return", "reasons": f"须与本省已核定基线 {existing.fee} 元一致"}
        if self._may_consult(negotiation, task) and self.rng.random() < 0.15:
            return self._consult(negotiation, "请评估考评员劳务测算 / assess the examiner fees")
        if self.rng.random() < 0.1:
            self.tally.returns += 1
            return {"decision": "return", "reasons": "请细化考评员劳务测算 / itemize examiner fees"}
        return {"decision": "verify"}

    def data_verify_baseline_finance(self, negotiation, task):
        """财务处 decides beside 职成处 (会签), consulting now and then too."""
        if self._may_consult(negotiation, task) and self.rng.random() < 0.1:
            return self._consult(negotiation, "请评估设备调试费用 / assess equipment commissioning")
        if self.rng.random() < 0.05:
            self.tally.returns += 1
            return {"decision": "return", "reasons": "请说明资金来源 / state the funding sources"}
        return {"decision": "verify"}

    @staticmethod
    def _may_consult(negotiation, task) -> bool:
        baseline = Baseline.objects.filter(negotiation=negotiation, state=Baseline.State.PENDING).first()
        division = REVIEW_TASKS[task.task_name]
        return baseline is not None and baseline.expert_opinions.filter(division=division).count() < 1

    @staticmethod
    def _consult(negotiation, question: str) -> dict:
        expert = province_experts(negotiation.alliance.province_id).first()
        return {"decision": "consult", "expert": expert.user_id, "question": question}

    def data_expert_opinion(self, negotiation, task):
        return {"opinion": "测算合理，建议核定 / reasonable, verify"}

    def data_expert_opinion_finance(self, negotiation, task):
        return {"opinion": "资金安排合规 / funding in order"}

    def data_sign_alliance(self, negotiation, task):
        return {}

    def data_sign_teo(self, negotiation, task):
        return {}

    def data_acknowledge_filing(self, negotiation, task):
        return {"flagged": self.rng.random() < 0.1, "note": "抽查 spot check"}

    def data_record_supervision(self, negotiation, task):
        return {"supervision_note": "已约谈 / met with the TEO"}

    def data_release_payment(self, negotiation, task):
        payment = Payment.objects.get(pk=task.data["payment_id"])
        self.tally.payments += 1
        if payment.amount and self.rng.random() < 0.5:
            half = (payment.amount / 2).quantize(Decimal("0.01"))
            return {"funding": [{"source": "fiscal", "amount": f"{half:.2f}"},
                                {"source": "own", "amount": f"{payment.amount - half:.2f}"}]}
        return {"funding": [{"source": "special", "amount": f"{payment.amount:.2f}"}]}

    # -- assessments: the TEO records a sitting per member college ---------------------------

    def feed_assessments(self, negotiation: Negotiation) -> int:
        fed = 0
        for agreement in Agreement.objects.filter(negotiation=negotiation, state=Agreement.State.FILED):
            teo_user = Person.objects.filter(organization=negotiation.certificate.teo, role="teo").first().user
            for payment in agreement.payments.filter(state=Payment.State.AWAITING_ASSESSMENT, sitting=None):
                if not agreement.sittings.filter(college=payment.college).exists():
                    services.record_assessment(teo_user, agreement, payment.college, self.rng.randint(10, 120),
                                               services.today())
                    fed += 1
        return fed
