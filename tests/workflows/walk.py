"""A small test driver: find a lifecycle's open task by name and complete it as its holder."""
from decimal import Decimal

from bpmn.models import AuditEntry, OpenTask, ProcessInstance
from tryout.simulation import actor_for, open_tasks, scaled_lines
from workflows import services
from workflows.models import Certificate, Organization, Person

WEB01_FEE = Decimal("180.00")  # X-WEB-01's published fee, which through_filing() accepts in round 1
DELIVERY = {"recipient": "李明", "phone": "13800000000", "address": "湖北省武汉市江夏区"}  # a paper copy's


def lifecycle_instance(negotiation) -> ProcessInstance:
    return ProcessInstance.objects.get(business_key=services.lifecycle_key(negotiation))


def open_task(negotiation, name: str, organization_id: int | None = None) -> OpenTask | None:
    """The first open task of that name in the negotiation's lifecycle (held by that organization)."""
    return next((task for task in open_tasks(negotiation) if task.task_name == name
                 and organization_id in (None, task.organization_id)), None)


def user(username: str):
    return Person.objects.select_related("user").get(user__username=username).user


def college(username: str) -> Organization:
    return Person.objects.get(user__username=username).organization


class Walk:
    """One alliance × certificate lifecycle, driven step by step."""

    def __init__(self, certificate_code: str = "X-WEB-01", lead: str = "college_42_1",
                 invite: tuple[str, ...] = ("college_42_2", "college_42_3")):
        self.certificate = Certificate.objects.get(code=certificate_code)
        self.lead = user(lead)
        self.invitees = [college(u) for u in invite]
        self.negotiation = services.start_lifecycle(self.lead, self.certificate)

    @property
    def instance(self) -> ProcessInstance:
        return lifecycle_instance(self.negotiation)

    def tasks(self, name: str | None = None) -> list[OpenTask]:
        qs = OpenTask.objects.filter(instance=self.instance).order_by("pk")
        return list(qs.filter(task_name=name) if name else qs)

    def task(self, name: str) -> OpenTask:
        found = self.tasks(name)
        assert found, f"no open task {name}; open: {[t.task_name for t in self.tasks()]}"
        return found[0]

    def do(self, name: str, data: dict | None = None, actor=None):
        task = self.task(name)
        services.complete(task.task_id, actor or actor_for(task), data or {})
        self.negotiation.refresh_from_db()
        return task

    def audit_actions(self) -> list[str]:
        return list(AuditEntry.objects.filter(instance=self.instance).values_list("action", flat=True))

    # -- common stretches -------------------------------------------------------------------

    def form(self, accept=(True, True)):
        self.do("invite_members", {"college_ids": [c.pk for c in self.invitees]})
        for task, yes in zip(self.tasks("respond_invitation"), accept, strict=False):
            services.complete(task.task_id, actor_for(task), {"decision": "accept" if yes else "decline"})
        self.negotiation.refresh_from_db()

    def to_first_offer(self) -> "Walk":
        """Form the alliance and screen the services: round 1 (the published fee) awaits the alliance."""
        self.form()
        self.do("screen_services", {"training_content": "师资培训"})
        return self

    def offer_lines(self, fee) -> dict:
        return scaled_lines(self.negotiation.schedule.lines, fee)

    def agree(self, counter_fee=None):
        self.do("screen_services", {"training_content": "师资培训 5 天"})
        if counter_fee is None:
            self.do("alliance_responds", {"decision": "accept"})
            return
        self.do("alliance_responds", {"decision": "counter", "fee": str(counter_fee),
                                      "lines": self.offer_lines(counter_fee)})
        self.do("teo_responds", {"decision": "accept"})

    def verify(self, vocational: dict | None = None, finance: dict | None = None):
        """Both divisions decide (会签): 职成处, then 财务处; each verifies unless told otherwise."""
        self.do("verify_baseline", vocational or {"decision": "verify"})
        self.do("verify_baseline_finance", finance or {"decision": "verify"})

    def through_filing(self, counter_fee=None, flagged_note: str = ""):
        """Carry the lifecycle to its filing; with a note the reviewer flags the filing for supervision."""
        self.form()
        self.agree(counter_fee)
        self.verify()
        self.do("sign_alliance")
        self.do("sign_teo")
        self.do("acknowledge_filing", {"flagged": True, "note": flagged_note} if flagged_note else {"flagged": False})


def neighbours_agreed(counter_fee=None) -> Walk:
    """A second Hubei alliance for X-WEB-01 (college_42_2 with college_42_3), formed and agreed on a fee."""
    second = Walk(lead="college_42_2", invite=("college_42_3",))
    second.form(accept=(True,))
    second.agree(counter_fee)
    return second
