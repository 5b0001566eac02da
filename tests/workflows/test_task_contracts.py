"""Every user task takes only its declared input: no key of the workflow data can be set by a user.

The walk carries a Hubei lifecycle through every user task of every deployed process (a counter, a
rejection, mediation, expert opinions asked by both divisions, a return, a flagged filing, three
payments) beside a Jiangsu lifecycle carried through filing with a payment due. At each open task it
sends every key of the workflow data there, with another value, beside a valid completion, through
the services, the API and the engine's own door: each is refused with task_input_process_owned and
nothing changes anywhere.
"""
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.test import Client

from bpmn import engine
from bpmn.errors import EngineError
from bpmn.hooks import HOOKS
from bpmn.models import AuditEntry, OpenTask, ProcessInstance
from portal.tasks import form_fields
from tests.api.clients import api
from tests.workflows.complaint_walk import lodge as lodge_complaint
from tests.workflows.complaint_walk import task_of as complaint_task
from tests.workflows.walk import Walk, user
from tryout.simulation import actor_for
from workflows import contracts, services
from workflows.errors import RuleViolation
from workflows.models import (
    Agreement,
    Alliance,
    Baseline,
    Complaint,
    FeeProposal,
    Filing,
    FundingAllocation,
    Membership,
    Negotiation,
    Payment,
    ProgressReport,
    Standing,
    SupervisionMeasure,
)

pytestmark = pytest.mark.django_db

DOCS = Path(__file__).resolve().parents[2] / "docs" / "processes.md"


# --- the contract, the model bindings and the docs agree -----------------------------------


def test_every_bound_user_task_has_a_contract_and_every_contract_a_bound_task():
    assert set(contracts.CONTRACTS) == set(HOOKS.actions)


def test_no_task_takes_a_key_the_process_writes_itself():
    assert not contracts.INPUT_KEYS & contracts.PROCESS_KEYS


def _documented() -> dict[tuple[str, str], dict[str, str]]:
    section = DOCS.read_text(encoding="utf-8").split("## Task input", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `(\w+)` \| `(\w+)` \| (`\w+`|\(none\)) \| (.*?) \|$", section, re.M)
    documented: dict[tuple[str, str], dict[str, str]] = {}
    for process, task, key, bounds in rows:
        keys = documented.setdefault((process, task), {})
        if key != "(none)":
            keys[key.strip("`")] = bounds.strip()
    return documented


def test_docs_list_exactly_each_tasks_keys_with_their_kinds_and_bounds():
    expected = {pair: {key.name: key.bounds() for key in contract.keys}
                for pair, contract in contracts.CONTRACTS.items()}
    assert _documented() == expected


def test_the_api_schema_describes_each_tasks_input_and_allows_no_other_key(world):
    schema = api().get("/api/schema/", {"format": "json"}).json()
    body = schema["paths"]["/api/v1/tasks/{task_id}/complete/"]["post"]["requestBody"]["content"]["application/json"]
    ref = body["schema"]["$ref"].rsplit("/", 1)[1]
    branches = schema["components"]["schemas"][ref]["properties"]["data"]["anyOf"]
    described = {}
    for branch in branches:
        assert branch["additionalProperties"] is False
        for title in branch["title"].split(", "):
            described[tuple(title.split("."))] = set(branch["properties"])
    assert described == {pair: set(c.names) for pair, c in contracts.CONTRACTS.items()}


# --- the walk ------------------------------------------------------------------------------


def _state() -> dict:
    """What any completion could change: every business object's state, the engine's rows."""
    return {
        "negotiations": list(Negotiation.objects.order_by("pk").values_list(
            "pk", "state", "agreed_fee", "training_content", "services", "mediated")),
        "alliances": list(Alliance.objects.order_by("pk").values_list("pk", "state", "registration_no")),
        "memberships": list(Membership.objects.order_by("pk").values_list("pk", "state")),
        "proposals": list(FeeProposal.objects.order_by("pk").values_list("pk", "state", "fee")),
        "baselines": list(Baseline.objects.order_by("pk").values_list("pk", "state", "fee")),
        "agreements": list(Agreement.objects.order_by("pk").values_list("pk", "state")),
        "filings": list(Filing.objects.order_by("pk").values_list("pk", "state", "supervision_note")),
        "payments": list(Payment.objects.order_by("pk").values_list("pk", "state", "amount")),
        "allocations": FundingAllocation.objects.count(),
        "complaints": list(Complaint.objects.order_by("pk").values_list("pk", "state", "findings")),
        "measures": SupervisionMeasure.objects.count(),
        "instances": list(ProcessInstance.objects.order_by("pk").values_list("pk", "revision", "status")),
        "open_tasks": sorted(str(t) for t in OpenTask.objects.values_list("task_id", flat=True)),
        "audit": AuditEntry.objects.count(),
        "progress_reports": ProgressReport.objects.count(),
        "standings": list(Standing.objects.order_by("pk").values_list("pk", "state")),
    }


def _other(key: str, value, victim: dict):
    """Another value for a key: the Jiangsu lifecycle's where it has one, else a different one of the kind."""
    if key in victim and victim[key] != value:
        return victim[key]
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    if isinstance(value, str):
        return f"{value}x"
    if isinstance(value, list):
        return [*value, 1]
    if isinstance(value, dict):
        return {**value, "x": 1}
    return "x"


def _task_form_names(page: str) -> set[str]:
    """The input names of the page's task form (the one posting to the page itself)."""
    forms = re.findall(r'<form class="card" method="post"[^>]*>(.*?)</form>', page, re.S)
    assert len(forms) == 1, forms
    return set(re.findall(r'name="([^"]+)"', forms[0])) - {"csrfmiddlewaretoken"}


class Attacks:
    """Every key of the workflow data at each task, sent with another value, on three doors."""

    def __init__(self, victim: dict):
        self.victim = victim
        self.attempts = 0
        self.visited: set[tuple[str, str]] = set()
        self.keys_seen: set[str] = set()

    def at(self, task: OpenTask, valid: dict) -> None:
        task = OpenTask.objects.select_related("instance").get(pk=task.pk)
        contract = contracts.for_task(task)
        self.visited.add((task.process_id, task.task_name))
        data = engine.workflow_of(task.instance).get_task_from_id(task.task_id).data
        self.keys_seen |= set(data)
        holder = actor_for(task)
        self._form_matches_contract(task, holder)
        before = _state()
        for key in sorted(set(data) - set(contract.names)):  # a declared key in the data is the task's own input
            tampered = {**valid, key: _other(key, data[key], self.victim)}
            with pytest.raises(RuleViolation) as refused:
                services.complete(task.task_id, holder, tampered)
            assert refused.value.rule == "task_input_process_owned", (task.task_name, key)
            with pytest.raises(RuleViolation) as refused:
                engine.complete_task(task.task_id, actor=holder, data=tampered)
            assert refused.value.rule == "task_input_process_owned", (task.task_name, key)
            answer = api(holder.username).post(f"/api/v1/tasks/{task.task_id}/complete/", {"data": tampered},
                                               format="json")
            assert (answer.status_code, answer.json()["rule"]) == (400, "task_input_process_owned"), key
            self.attempts += 3
            assert _state() == before, (task.task_name, key)
        services.complete(task.task_id, holder, valid)

    def _form_matches_contract(self, task: OpenTask, holder) -> None:
        client = Client()
        client.force_login(holder)
        rendered = _task_form_names(client.get(f"/tasks/{task.task_id}/").content.decode())
        contract = contracts.for_task(task)
        assert rendered <= form_fields(task), task.task_name
        assert {key.name for key in contract.keys if key.required} <= rendered, task.task_name


def _open(walk: Walk, name: str) -> list[OpenTask]:
    return [t for t in OpenTask.objects.filter(instance__business_key__startswith=services.lifecycle_key(
        walk.negotiation)).order_by("pk") if t.task_name == name]


def _victim(jiangsu: Walk) -> dict:
    """The Jiangsu lifecycle's ids and data: what an attacker would put in place of their own."""
    data = dict(engine.workflow_of(jiangsu.instance).data)
    payment = Payment.objects.filter(agreement__negotiation=jiangsu.negotiation).first()
    return {**data, "payment_id": payment.pk, "college_id": payment.college_id,
            "invited_college_id": payment.college_id, "agreement_id": payment.agreement_id}


def _walk_supervision(attacks: Attacks) -> None:
    """teo_1's supervision of 2026: September's report, the yellow card, and the delisting 30 days on."""
    import time_machine

    from workflows import supervision_process
    from workflows.models import Organization

    teo_1, teo_2 = (Organization.objects.get(people__user__username=name) for name in ("teo_1", "teo_2"))
    attacks.victim = {**attacks.victim, "teo_id": teo_2.pk}

    def step(name: str, valid: dict) -> None:
        found = OpenTask.objects.filter(instance__business_key=supervision_process.supervision_key(teo_1, 2026),
                                        task_name=name).order_by("pk")
        assert found, f"no open {name}"
        attacks.at(found[0], valid)

    reasons = {"reasons": "9月上旬仍未在全国及湖北启动师资培训"}
    with time_machine.travel("2026-10-01T00:00:01+08:00", tick=False):  # after September 10; September has ended
        supervision_process.start_supervision(teo_1, 2026)
        step("report_progress", {"training_sessions": 0, "sittings": 1, "assessed": 30, "certified": 0})
        step("decide_yellow_card", {"decision": "show", **reasons})
    with time_machine.travel("2026-11-01T00:00:01+08:00", tick=False):  # the follow-up day (October 31) has ended
        engine.fire_due_timers()
        step("decide_delisting", {"decision": "delist", **reasons})


# --- the reported attack and the edges -------------------------------------------------------


def _jiangsu_negotiation(jiangsu: Walk) -> tuple:
    negotiation = Negotiation.objects.get(pk=jiangsu.negotiation.pk)
    return (negotiation.state, negotiation.training_content, list(negotiation.proposals.values_list("state", "fee")),
            ProcessInstance.objects.get(pk=jiangsu.instance.pk).revision)


def test_a_hubei_lead_screening_with_a_jiangsu_negotiation_id_is_refused_on_every_edge(hubei, jiangsu):
    hubei.form()
    jiangsu.to_first_offer()
    task = hubei.task("screen_services")
    before, everything = _jiangsu_negotiation(jiangsu), _state()
    attack = {"training_content": "师资培训", "negotiation_id": jiangsu.negotiation.pk}
    with pytest.raises(RuleViolation) as refused:
        services.complete(task.task_id, hubei.lead, attack)
    assert refused.value.rule == "task_input_process_owned"
    answer = api("college_42_1").post(f"/api/v1/tasks/{task.task_id}/complete/", {"data": attack}, format="json")
    assert (answer.status_code, answer.json()["rule"]) == (400, "task_input_process_owned")
    assert "negotiation_id" in answer.json()["message"] and "training_content, services" in answer.json()["message"]
    page = Client()
    page.force_login(hubei.lead)
    shown = page.post(f"/tasks/{task.task_id}/", {"training_content": "师资培训 typed", "services": [],
                                                  "negotiation_id": str(jiangsu.negotiation.pk)})
    assert shown.status_code == 400
    assert 'data-rule="task_input_process_owned"' in shown.content.decode()
    assert "师资培训 typed</textarea>" in shown.content.decode()  # nothing typed is lost
    assert _jiangsu_negotiation(jiangsu) == before and _state() == everything
    assert hubei.task("screen_services").task_id == task.task_id


def test_an_unknown_key_is_refused_naming_it_and_the_keys_the_task_takes_in_the_readers_language(hubei):
    hubei.form()
    url = f"/api/v1/tasks/{hubei.task('screen_services').task_id}/complete/"
    body = {"data": {"training_content": "师资培训", "discount": "50%"}}
    chinese = api("college_42_1").post(url, body, format="json").json()
    assert chinese["rule"] == "task_input_unknown_key"
    assert chinese["params"]["keys"] == "discount" and chinese["params"]["allowed"] == "training_content, services"
    assert "不接受 discount" in chinese["message"]
    english = api("college_42_1").post(url, body, format="json", HTTP_ACCEPT_LANGUAGE="en").json()
    assert "takes no discount. It takes: training_content, services." in english["message"]
    beside = api("college_42_1").post(url, {**body, "data": {"training_content": "x"}, "negotiation_id": 1},
                                      format="json").json()
    assert beside["rule"] == "task_input_unknown_key" and beside["params"]["keys"] == "negotiation_id"
    assert hubei.tasks("screen_services")


def test_a_field_added_to_a_task_form_is_refused_with_the_rule_and_the_form_keeps_what_was_typed(hubei):
    hubei.form()
    task = hubei.task("screen_services")
    page = Client()
    page.force_login(hubei.lead)
    shown = page.post(f"/tasks/{task.task_id}/", {"training_content": "两天实操培训", "discount": "50"})
    assert shown.status_code == 400
    assert 'data-rule="task_input_unknown_key"' in shown.content.decode()
    assert "discount" in shown.content.decode() and "两天实操培训</textarea>" in shown.content.decode()
    raw = page.post(f"/tasks/{hubei.task('screen_services').task_id}/", {"training_content": "x", "turn": "teo"})
    assert 'data-rule="task_input_process_owned"' in raw.content.decode()
    assert hubei.negotiation.proposals.count() == 0


@pytest.mark.parametrize("name, data, rule", [
    ("acknowledge_filing", {"flagged": "false"}, "flagged_not_a_boolean"),
    ("acknowledge_filing", {"flagged": False, "note": "x" * 5001}, "note_too_long"),
    ("release_payment", {"funding": [{"source": "own", "amount": "1.00", "college_id": 1}]},
     "funding_share_unknown_key"),
    ("release_payment", {"funding": [{"source": "own", "amount": "1.00"}] * 11}, "funding_too_many"),
])
def test_a_declared_key_of_the_wrong_kind_or_out_of_bounds_is_refused_with_its_rule(hubei, name, data, rule):
    hubei.form()
    hubei.agree()
    hubei.verify()
    hubei.do("sign_alliance")
    hubei.do("sign_teo")
    if name == "release_payment":
        hubei.do("acknowledge_filing", {"flagged": False})
        lead = hubei.negotiation.alliance.lead
        services.record_assessment(user("teo_1"), hubei.negotiation.agreements.get(), lead, 1, services.today())
    task = _open(hubei, name)[0]
    with pytest.raises(RuleViolation) as refused:
        services.complete(task.task_id, actor_for(task), data)
    assert refused.value.rule == rule
    assert _open(hubei, name)


def test_every_key_of_the_workflow_data_at_every_user_task_is_refused_and_nothing_changes(hubei, jiangsu):
    jiangsu.through_filing()
    services.record_assessment(user("teo_2"), jiangsu.negotiation.agreements.get(),
                               jiangsu.negotiation.alliance.lead, 3, services.today())
    attacks = Attacks(_victim(jiangsu))
    walk = hubei

    def step(name: str, valid: dict | None = None) -> None:
        found = _open(walk, name)
        assert found, f"no open {name}"
        for task in found:
            attacks.at(task, valid(task) if callable(valid) else valid or {})
        walk.negotiation.refresh_from_db()

    step("invite_members", {"college_ids": [c.pk for c in walk.invitees]})
    step("respond_invitation", {"decision": "accept"})
    step("screen_services", {"training_content": "师资培训"})
    step("alliance_responds", {"decision": "counter", "fee": "170.00", "lines": walk.offer_lines(Decimal("170.00"))})
    step("teo_responds", {"decision": "reject"})
    step("mediate", {"decision": "agreed", "fee": "170.00", "lines": walk.offer_lines(Decimal("170.00"))})
    expert = user("expert_42").pk
    step("verify_baseline", {"decision": "consult", "expert": expert, "question": "考评员劳务是否合理？"})
    step("expert_opinion", {"opinion": "偏高，建议细化"})
    step("verify_baseline", {"decision": "return", "reasons": "请细化考评员劳务测算"})
    step("verify_baseline_finance", {"decision": "consult", "expert": expert, "question": "资金来源是否合规？"})
    step("expert_opinion_finance", {"opinion": "合规"})
    step("verify_baseline_finance", {"decision": "verify"})
    step("screen_services", {"training_content": "师资培训 5 天"})
    step("alliance_responds", {"decision": "accept"})
    step("verify_baseline", {"decision": "verify"})
    step("verify_baseline_finance", {"decision": "verify"})
    step("sign_alliance")
    step("sign_teo")
    step("acknowledge_filing", {"flagged": True, "note": "抽查"})
    step("record_supervision", {"supervision_note": "已约谈"})
    agreement = walk.negotiation.agreements.get()
    for member in walk.negotiation.alliance.accepted_members():
        services.record_assessment(user("teo_1"), agreement, member.college, 2, services.today())
    step("release_payment", lambda task: {"funding": [
        {"source": "fiscal", "amount": f"{Payment.objects.get(pk=task.data['payment_id']).amount:.2f}"}]})
    # A complaint against the Hubei TEO, through its three tasks (投诉).
    complaint = lodge_complaint("student")
    for name, valid in (("investigate_complaint", {"decision": "accept"}),
                        ("answer_complaint", {"statement": "设备为自愿选购"}),
                        ("decide_complaint", {"decision": "measure", "measure": "talk", "findings": "属实",
                                              "reasons": "约谈负责人"})):
        attacks.at(complaint_task(complaint, name), valid)
    assert Complaint.objects.get(pk=complaint.pk).state == Complaint.State.DECIDED
    _walk_supervision(attacks)  # last: it delists the Hubei TEO, which then takes no complaint

    assert attacks.visited == set(contracts.CONTRACTS)
    assert attacks.keys_seen <= contracts.PROCESS_KEYS | contracts.INPUT_KEYS, (
        attacks.keys_seen - contracts.PROCESS_KEYS - contracts.INPUT_KEYS)
    assert walk.instance.status == ProcessInstance.Status.COMPLETED
    print(f"\n{attacks.attempts} tampered completions refused at {len(attacks.visited)} tasks")
    assert attacks.attempts >= 3 * 200


def test_without_an_installed_contract_the_engine_takes_no_input_at_all(hubei, monkeypatch):
    # A script or an app config that skipped contracts.install(): the engine's own door refuses.
    hubei.form()
    task = hubei.task("screen_services")
    everything = _state()
    monkeypatch.setattr(HOOKS, "task_input", None)
    with pytest.raises(EngineError) as refused:
        engine.complete_task(task.task_id, actor=hubei.lead, data={"negotiation_id": 1})
    assert refused.value.code == "task_input_unchecked"
    assert "不接受任何输入" in str(refused.value.message) and "未安装输入约定" in str(refused.value.message)
    assert _state() == everything and hubei.task("screen_services").task_id == task.task_id


def test_a_share_of_the_funding_with_an_unknown_key_is_refused_naming_the_keys_a_share_takes(hubei):
    with pytest.raises(RuleViolation) as refused:
        contracts.contract_for("payment", "release_payment").accept(
            {"funding": [{"source": "special_funds", "amount": "10.00", "rate": "1"}]})
    assert refused.value.rule == "funding_share_unknown_key"
    assert refused.value.message == "每一笔资金来源只接受 source, amount, purpose，收到 rate。"


def test_a_deadline_that_is_no_text_is_refused_naming_the_field_and_its_limit(hubei):
    from django.utils import translation

    with pytest.raises(RuleViolation) as refused:
        contracts.contract_for("alliance_formation", "invite_members").accept(
            {"college_ids": [], "response_deadline": 20261231})
    assert refused.value.rule == "deadline_invalid"
    assert refused.value.message == "答复截止时间须为不超过 40 个字符的日期时间，收到 20261231。"
    with translation.override("en"):
        assert "at most 40 characters, given 20261231" in refused.value.message
