"""One lifecycle carried over /api/v1 from the alliance to released payments and issued certificates.

The driver knows the steps, their data and who takes them; not how a request travels.
`call(username, method, path, body)` answers `(status, json)`: the in-process APIClient in
test_lifecycle_via_api, a real HTTP client with a token in test_multiprocess. `together(*steps)`
runs the steps the process lets happen side by side (the invitees' answers, the two divisions'
verifications, the two signatures,
each member's assessment and payment): one after another in-process, in threads against a server.
"""
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from itertools import groupby
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from tryout.demo import CERTIFICATES
from tryout.simulation import scaled_lines

Call = Callable[[str | None, str, str, dict | None], tuple[int, object]]
TEO_OF = {code: f"teo_{teo + 1}" for code, _name, teo, *_rest in CERTIFICATES}
# The alliance counters this far under the published fee, and the TEO accepts.
DISCOUNT = Decimal("10.00")


def in_turn(*steps: Callable[[], object]) -> None:
    for step in steps:
        step()


@dataclass(frozen=True)
class Cast:
    """Who acts in one lifecycle, by demo account: a lead college and the colleges it invites."""

    certificate: str
    lead: str
    invitees: tuple[str, ...]

    @property
    def members(self) -> tuple[str, ...]:
        return (self.lead, *self.invitees)

    @property
    def teo(self) -> str:
        return TEO_OF[self.certificate]

    @property
    def reviewer(self) -> str:
        return f"reviewer_{self.lead.split('_')[1]}"

    @property
    def provincial_finance(self) -> str:
        """The province's finance division (财务处), verifying beside the reviewer (职成处)."""
        return f"finance_div_{self.lead.split('_')[1]}"

    @staticmethod
    def finance(member: str) -> str:
        """The finance officer of a member college: college_42_2 pays through finance_42_2."""
        return member.replace("college_", "finance_", 1)


def _today() -> str:
    """Today where the sittings are held (the display time zone): a sitting is recorded once held."""
    return timezone.localtime(timezone.now(), ZoneInfo(settings.DISPLAY_TIME_ZONE)).date().isoformat()


class Lifecycle:
    """One alliance × certificate lifecycle; `run(until=...)` stops before the step of that name."""

    def __init__(self, call: Call, cast: Cast, college_id: Callable[[str], int], together=in_turn):
        self.call, self.cast, self.college_id, self.together = call, cast, college_id, together
        self.schedule: dict = {}
        self.negotiation_id = self.instance_id = self.agreement_id = None
        self.done: list[str] = []
        self.completed: list[str] = []  # task names, appended by concurrent steps (list.append is atomic)
        self.outcomes: dict[str, dict] = {}  # task name -> the last completion's answer
        self.issued: list[dict] = []

    def steps(self) -> list[tuple[str, Callable[[], object]]]:
        """Every step in order; steps named `group:who` run together with the rest of their group."""
        cast, act = self.cast, self.act
        return [
            ("start", self.start),
            ("invite", self.invite),
            *((f"respond:{u}", partial(act, u, "respond_invitation", {"decision": "accept"})) for u in cast.invitees),
            ("screen", partial(act, cast.lead, "screen_services", {"training_content": "师资培训 5 天"})),
            ("counter", lambda: act(cast.lead, "alliance_responds", self.counter_offer())),
            ("accept", partial(act, cast.teo, "teo_responds", {"decision": "accept"})),
            # 会签: the two divisions of the province verify side by side.
            ("verify:vocational", partial(act, cast.reviewer, "verify_baseline", {"decision": "verify"})),
            ("verify:finance",
             partial(act, cast.provincial_finance, "verify_baseline_finance", {"decision": "verify"})),
            ("sign:alliance", partial(act, cast.lead, "sign_alliance")),
            ("sign:teo", partial(act, cast.teo, "sign_teo")),
            ("file", self.file),
            *((f"pay:{m}", partial(self.assess_and_release, i, m)) for i, m in enumerate(cast.members)),
        ]

    def run(self, until: str | None = None) -> "Lifecycle":
        """Carry on from the last step done up to the step named `until` (to the end without one)."""
        pending = self.steps()[len(self.done):]
        stop = [name for name, _ in pending].index(until) if until else len(pending)
        for _group, batch in groupby(pending[:stop], key=lambda step: step[0].split(":")[0]):
            batch = list(batch)
            self.together(*(step for _, step in batch))
            self.done += [name for name, _ in batch]
        return self

    # -- the steps ----------------------------------------------------------------------------

    def start(self) -> None:
        schedules = self.expect(200, self.cast.lead, "GET", "/api/v1/fee-schedules/")["results"]
        self.schedule = next(s for s in schedules if s["certificate"] == self.cast.certificate)
        name = f"{self.cast.lead} {self.cast.certificate} 联盟"
        created = self.expect(201, self.cast.lead, "POST", "/api/v1/alliances/",
                              {"certificate_id": self.schedule["certificate_id"], "name": name})
        self.negotiation_id = created["id"]

    def invite(self) -> None:
        self.act(self.cast.lead, "invite_members", {"college_ids": [self.college_id(u) for u in self.cast.invitees]})

    @property
    def counter_fee(self) -> Decimal:
        return Decimal(self.schedule["fee"]) - DISCOUNT

    def counter_offer(self) -> dict:
        fee = self.counter_fee
        return {"decision": "counter", "fee": f"{fee:.2f}", "lines": scaled_lines(self.schedule["lines"], fee)}

    def file(self) -> None:
        self.act(self.cast.reviewer, "acknowledge_filing", {"flagged": False})
        agreements = self.expect(200, self.cast.teo, "GET", "/api/v1/agreements/")["results"]
        self.agreement_id = next(a["id"] for a in agreements if a["negotiation_id"] == self.negotiation_id)

    def assess_and_release(self, index: int, member: str) -> None:
        """The TEO holds the member's sitting and issues its certificates; the member's finance pays."""
        teo, finance = self.cast.teo, Cast.finance(member)
        sitting = self.expect(201, teo, "POST", f"/api/v1/agreements/{self.agreement_id}/assessments/",
                              {"college_id": self.college_id(member), "headcount": 10 + index, "held_on": _today()})
        self.issued.extend(self.expect(201, teo, "POST", f"/api/v1/sittings/{sitting['id']}/certificates/",
                                        {"holders": [f"学生{index},S{index:04d}"]}))
        payments = self.expect(200, finance, "GET", "/api/v1/payments/")["results"]
        payment = next(p for p in payments if p["agreement_id"] == self.agreement_id)
        assert payment["state"] == "due", payment
        self.act(finance, "release_payment", {"funding": [{"source": "fiscal", "amount": payment["amount"]}]})

    # -- calls ----------------------------------------------------------------------------------

    def act(self, username: str, name: str, data: dict | None = None) -> dict:
        """Find the task in the holder's inbox, claim it, complete it; return its outcome.

        The outcome names the task, what its action returned and the lifecycle's next open tasks
        the holder may see; the instance itself, with its audit trail, is not in it.
        """
        task = self.inbox_task(username, name)
        claimed = self.expect(200, username, "POST", f"/api/v1/tasks/{task['task_id']}/claim/")
        assert claimed["claimed_by"] == username and claimed["can_act"], claimed
        outcome = self.expect(200, username, "POST", f"/api/v1/tasks/{task['task_id']}/complete/",
                              {"data": data or {}})
        assert (outcome["task_id"], outcome["task_name"], outcome["instance"]) == (
            task["task_id"], name, task["instance"]), outcome
        assert task["task_id"] not in {t["task_id"] for t in outcome["next_tasks"]}, outcome
        self.completed.append(name)
        self.outcomes[name] = outcome
        return outcome

    def inbox_task(self, username: str, name: str) -> dict:
        listed = self.expect(200, username, "GET", "/api/v1/tasks/")["results"]
        found = [t for t in listed if t["task_name"] == name and t["negotiation_id"] == self.negotiation_id]
        assert found, f"{username} has no {name} for negotiation {self.negotiation_id}: {listed}"
        self.instance_id = found[0]["instance"]
        return found[0]

    def instance(self) -> dict:
        return self.expect(200, self.cast.lead, "GET", f"/api/v1/process-instances/{self.instance_id}/")

    def expect(self, status: int, username: str | None, method: str, path: str, body: dict | None = None):
        got, answer = self.call(username, method, path, body)
        assert got == status, f"{username} {method} {path} (negotiation {self.negotiation_id}): {got} {answer}"
        return answer
