"""Joint verification (会签): the province's two divisions verify a baseline together, and either may
first ask an expert the province names (加签).

"职业教育与财务相关处室要紧密合作": both must verify; either may return it with reasons, and the other sees
why; a return by either goes back to the parties with both divisions' reasons. Every path runs warm
and cold (every cache dropped before each step, every instance restored and checked after it).
"""
import shutil
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import translation

from bpmn import engine, parser
from bpmn.errors import ActorNotAllowed
from bpmn.models import OpenTask, ProcessInstance
from notifications.models import Notification
from tests.workflows.walk import Walk, user
from workflows import inbox, rules, services
from workflows.errors import RuleViolation
from workflows.models import Baseline, BaselineReview, Division, ExpertOpinion, Negotiation, Person, Role

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("temperature")]

VERIFY = {"decision": "verify"}


def _agreed() -> Walk:
    walk = Walk()
    walk.form()
    walk.agree()
    return walk


def _baseline(walk: Walk) -> Baseline:
    return Baseline.objects.filter(negotiation=walk.negotiation).latest("pk")


def _consult(walk: Walk, task: str = "verify_baseline", expert: str = "expert_42", question: str = "测算是否合理？"):
    return walk.do(task, {"decision": "consult", "expert": user(expert).pk, "question": question})


def _second_expert() -> object:
    """Another expert named by Hubei, who was not asked."""
    account = get_user_model().objects.create_user("expert_42_b", password="x")
    Person.objects.create(user=account, name="黄河", role=Role.EXPERT,
                          organization=Person.objects.get(user__username="expert_42").organization)
    return account


# --- the rule ------------------------------------------------------------------------------


@pytest.mark.parametrize("vocational, finance, outcome", [
    ("verify", "verify", "verified"),
    ("verify", "return", "returned"), ("return", "verify", "returned"), ("return", "return", "returned"),
    ("reject", "verify", "rejected"), ("verify", "reject", "rejected"),
    ("reject", "return", "rejected"), ("return", "reject", "rejected"),
])
def test_joint_outcome_verifies_only_what_both_divisions_verify(vocational, finance, outcome):
    # "职业教育与财务相关处室要紧密合作": both verify, or the baseline is not verified.
    assert rules.joint_outcome(vocational, finance) == outcome


def test_joint_outcome_reads_no_other_decision():
    with pytest.raises(ValueError, match="consult"):
        rules.joint_outcome("consult", "verify")


def test_a_fourth_expert_opinion_is_refused_with_the_numbers_in_both_languages():
    rules.check_expert_opinions(rules.EXPERT_OPINIONS_MAX - 1, Division.FINANCE.label)
    with pytest.raises(RuleViolation) as refused:
        rules.check_expert_opinions(3, Division.FINANCE.label)
    assert (refused.value.rule, refused.value.status) == ("expert_opinions_max", 409)
    assert refused.value.message == "每个处室对同一基线最多请专家加签 3 次；财务处已请 3 次。"
    with translation.override("en"):
        assert refused.value.message == ("A division asks for at most 3 expert opinions on one baseline; "
                                         "Finance division has asked for 3.")


def test_the_model_draws_the_same_bound_as_the_rule():
    from bpmn import parser

    spec, _ = parser.load_specs("fee_verification", parser.read_model_files())
    for gateway in ("consult_gateway", "consult_gateway_finance"):
        [condition] = [str(c.args[0]) for c, _ in spec.task_specs[gateway].cond_task_specs if c is not None]
        assert condition.endswith(f"_opinions <= {rules.EXPERT_OPINIONS_MAX}")


# --- both divisions decide -----------------------------------------------------------------


def test_both_divisions_get_the_baseline_at_once_each_in_its_own_lane(world):
    walk = _agreed()
    vocational, finance = walk.task("verify_baseline"), walk.task("verify_baseline_finance")
    department = Person.objects.get(user__username="reviewer_42").organization_id
    assert (vocational.role, finance.role) == ("reviewer", "provincial_finance")
    assert vocational.organization_id == finance.organization_id == department
    assert [t.task_name for t in inbox.inbox(user("finance_div_42"))] == ["verify_baseline_finance"]
    assert [t.task_name for t in inbox.inbox(user("reviewer_42"))] == ["verify_baseline"]


def test_verified_once_both_divisions_verify_and_only_then(world):
    walk = _agreed()
    walk.do("verify_baseline", VERIFY)
    baseline = _baseline(walk)
    assert baseline.state == Baseline.State.PENDING and not walk.tasks("sign_alliance")
    walk.do("verify_baseline_finance", {"decision": "verify", "reasons": "资金安排合规"})
    baseline.refresh_from_db()
    assert baseline.state == Baseline.State.VERIFIED and baseline.reviewer == user("finance_div_42")
    assert list(baseline.reviews.values_list("division", "decision", "reviewer__username")) == [
        ("vocational", "verify", "reviewer_42"), ("finance", "verify", "finance_div_42")]
    assert sorted(t.task_name for t in walk.tasks()) == ["sign_alliance", "sign_teo"]
    assert walk.negotiation.agreements.get().baseline == baseline


def test_finance_returning_while_vocational_verifies_returns_with_both_reasons(world):
    walk = _agreed()
    walk.do("verify_baseline", {"decision": "verify", "reasons": "符合上限"})
    walk.do("verify_baseline_finance", {"decision": "return", "reasons": "请说明资金来源"})
    baseline = _baseline(walk)
    assert baseline.state == Baseline.State.RETURNED
    assert baseline.reasons == "职成处：符合上限\n财务处：请说明资金来源"
    assert walk.negotiation.state == Negotiation.State.NEGOTIATING
    assert [t.task_name for t in walk.tasks()] == ["screen_services"]
    page = Client()
    page.force_login(walk.lead)  # the parties read both divisions' reasons
    shown = page.get(f"/negotiations/{walk.negotiation.pk}/").content.decode()
    assert "符合上限" in shown and "请说明资金来源" in shown and f"verification-record-{baseline.pk}" in shown


def test_a_return_by_the_first_division_still_waits_for_the_second_which_sees_why(world):
    walk = _agreed()
    walk.do("verify_baseline", {"decision": "return", "reasons": "考评员劳务偏高"})
    assert _baseline(walk).state == Baseline.State.PENDING
    finance = walk.task("verify_baseline_finance")
    told = Notification.objects.filter(event="baseline_reviewed").values_list("recipient__username", flat=True)
    assert list(told) == ["finance_div_42"]  # the other division, nobody else
    page = Client()
    page.force_login(user("finance_div_42"))
    shown = page.get(f"/tasks/{finance.task_id}/").content.decode()
    assert 'id="other-review"' in shown and "考评员劳务偏高" in shown and "退回重新协商" in shown
    walk.do("verify_baseline_finance", {"decision": "return", "reasons": "资金来源不明"})
    assert _baseline(walk).reasons == "职成处：考评员劳务偏高\n财务处：资金来源不明"


def test_a_refusal_by_either_division_rejects_whatever_the_other_decided(world):
    walk = _agreed()
    walk.do("verify_baseline_finance", {"decision": "reject", "reasons": "挪用专项资金"})
    walk.do("verify_baseline", {"decision": "return", "reasons": "请细化"})
    baseline = _baseline(walk)
    assert baseline.state == Baseline.State.REJECTED
    assert baseline.reasons == "职成处：请细化\n财务处：挪用专项资金"
    assert walk.instance.status == ProcessInstance.Status.COMPLETED
    walk.negotiation.refresh_from_db()
    assert walk.negotiation.state == Negotiation.State.NOT_VERIFIED


def test_a_return_then_a_second_joint_verification_on_the_new_fee(world):
    walk = _agreed()
    walk.verify({"decision": "return", "reasons": "请重新测算"})
    walk.agree()
    walk.verify()
    assert list(Baseline.objects.filter(negotiation=walk.negotiation).order_by("pk").values_list(
        "state", flat=True)) == ["returned", "verified"]
    assert BaselineReview.objects.filter(baseline__negotiation=walk.negotiation).count() == 4


def test_returning_or_rejecting_needs_reasons(world):
    walk = _agreed()
    task = walk.task("verify_baseline_finance")
    with pytest.raises(RuleViolation) as refused:
        services.complete(task.task_id, user("finance_div_42"), {"decision": "return", "reasons": " "})
    assert refused.value.rule == "reasons_required"
    assert not BaselineReview.objects.exists() and walk.task("verify_baseline_finance").task_id == task.task_id


# --- who may decide ------------------------------------------------------------------------


def test_each_division_decides_only_its_own_task(world):
    walk = _agreed()
    with pytest.raises(ActorNotAllowed, match="财务处"):  # the colleague of the other division
        walk.do("verify_baseline_finance", VERIFY, actor=user("reviewer_42"))
    with pytest.raises(ActorNotAllowed):
        walk.do("verify_baseline", VERIFY, actor=user("finance_div_42"))
    with pytest.raises(ActorNotAllowed):  # a party to the negotiation sees the task, never acts on it
        walk.do("verify_baseline_finance", VERIFY, actor=user("college_42_1"))
    for outsider in ("finance_div_32", "expert_42"):  # another province's division; an expert not asked
        with pytest.raises(RuleViolation) as refused:
            walk.do("verify_baseline_finance", VERIFY, actor=user(outsider))
        assert (refused.value.rule, refused.value.status) == ("task_not_found", 404), outsider
    assert not BaselineReview.objects.exists()


# --- expert opinions (加签) ------------------------------------------------------------------


def test_a_division_asks_an_expert_and_decides_after_the_opinion(world):
    walk = _agreed()
    _consult(walk, question="考评员劳务 80 元是否合理？")
    opinion = ExpertOpinion.objects.get()
    assert (opinion.division, opinion.expert, opinion.asked_by) == ("vocational", user("expert_42"),
                                                                     user("reviewer_42"))
    task = walk.task("expert_opinion")
    assert (task.role, task.claimed_by) == ("expert", user("expert_42"))
    assert sorted(t.task_name for t in walk.tasks()) == ["expert_opinion", "verify_baseline_finance"]
    assert Notification.objects.filter(event="task_assigned", recipient=user("expert_42")).exists()
    walk.do("expert_opinion", {"opinion": "合理，建议核定"})
    opinion.refresh_from_db()
    assert opinion.opinion == "合理，建议核定" and opinion.given_at is not None
    assert Notification.objects.filter(event="expert_opinion_given", recipient=user("reviewer_42")).exists()
    walk.do("verify_baseline", VERIFY)
    walk.do("verify_baseline_finance", VERIFY)
    assert _baseline(walk).state == Baseline.State.VERIFIED
    page = Client()
    page.force_login(user("teo_1"))
    assert "合理，建议核定" in page.get(f"/negotiations/{walk.negotiation.pk}/").content.decode()


def test_both_divisions_may_consult_at_the_same_time(world):
    walk = _agreed()
    _consult(walk)
    _consult(walk, "verify_baseline_finance", question="资金来源？")
    assert sorted(t.task_name for t in walk.tasks()) == ["expert_opinion", "expert_opinion_finance"]
    walk.do("expert_opinion_finance", {"opinion": "合规"})
    walk.do("verify_baseline_finance", VERIFY)
    walk.do("expert_opinion", {"opinion": "合理"})
    walk.do("verify_baseline", {"decision": "return", "reasons": "专家建议细化"})
    assert _baseline(walk).state == Baseline.State.RETURNED
    assert list(ExpertOpinion.objects.order_by("pk").values_list("division", "opinion")) == [
        ("vocational", "合理"), ("finance", "合规")]


def test_the_consult_loop_stops_at_three_opinions_per_division(world):
    walk = _agreed()
    for round_no in range(rules.EXPERT_OPINIONS_MAX):
        _consult(walk, question=f"第 {round_no + 1} 问")
        walk.do("expert_opinion", {"opinion": f"第 {round_no + 1} 答"})
    task = walk.task("verify_baseline")
    with pytest.raises(RuleViolation) as refused:
        _consult(walk, question="第 4 问")
    assert refused.value.rule == "expert_opinions_max" and "已请 3 次" in refused.value.message
    assert ExpertOpinion.objects.count() == 3 and walk.task("verify_baseline").task_id == task.task_id
    _consult(walk, "verify_baseline_finance")  # the other division's own three are untouched
    walk.do("expert_opinion_finance", {"opinion": "可"})
    walk.verify()
    assert _baseline(walk).state == Baseline.State.VERIFIED


def test_only_an_expert_of_the_province_may_be_named(world):
    walk = _agreed()
    for named in ("expert_32", "reviewer_42"):
        with pytest.raises(RuleViolation) as refused:
            _consult(walk, expert=named)
        assert refused.value.rule == "expert_of_province", named
    with pytest.raises(RuleViolation) as refused:
        walk.do("verify_baseline", {"decision": "consult", "question": "？"})
    assert refused.value.rule == "expert_required"
    with pytest.raises(RuleViolation) as refused:
        walk.do("verify_baseline", {"decision": "consult", "expert": user("expert_42").pk})
    assert refused.value.rule == "question_required"
    assert not ExpertOpinion.objects.exists()


def test_the_expert_task_goes_to_the_named_expert_alone(world):
    other = _second_expert()
    walk = _agreed()
    _consult(walk)
    task = walk.task("expert_opinion")
    assert [t.task_name for t in inbox.inbox(user("expert_42"))] == ["expert_opinion"]
    for status in ("", "mine", "claimable", "claimed_by_others"):
        assert not inbox.inbox(other, status=status).exists(), status
    assert not Notification.objects.filter(recipient=other).exists()
    with pytest.raises(RuleViolation) as refused:
        services.complete(task.task_id, other, {"opinion": "我来"})
    assert refused.value.status == 404  # never asked: the negotiation is none of theirs
    with pytest.raises(ActorNotAllowed, match="谢明"):  # the division that asked does not answer itself
        services.complete(task.task_id, user("reviewer_42"), {"opinion": "我来"})
    with pytest.raises(RuleViolation) as refused:
        services.unclaim(user("expert_42"), task.task_id)
    assert refused.value.rule == "personal_task"
    assert OpenTask.objects.get(pk=task.pk).claimed_by == user("expert_42")
    assert ExpertOpinion.objects.get().given_at is None


def test_an_expert_sees_only_the_negotiations_they_were_asked_about(world):
    walk = _agreed()
    page = Client()
    page.force_login(user("expert_42"))
    assert page.get(f"/negotiations/{walk.negotiation.pk}/").status_code == 404
    _consult(walk)
    task = walk.task("expert_opinion")
    shown = page.get(f"/tasks/{task.task_id}/").content.decode()
    assert "测算是否合理？" in shown and 'name="opinion"' in shown
    assert page.get(f"/negotiations/{walk.negotiation.pk}/").status_code == 200


def test_the_opinion_is_required(world):
    walk = _agreed()
    _consult(walk)
    with pytest.raises(RuleViolation) as refused:
        walk.do("expert_opinion", {"opinion": ""})
    assert refused.value.rule == "opinion_required"


def test_the_api_gives_each_baseline_with_both_decisions_and_the_opinions(world):
    from tests.api.clients import api

    walk = _agreed()
    _consult(walk, "verify_baseline_finance", question="资金来源？")
    walk.do("expert_opinion_finance", {"opinion": "合规"})
    walk.verify(finance={"decision": "return", "reasons": "请说明资金来源"})
    [baseline] = api("reviewer_42").get("/api/v1/baselines/").json()["results"]
    assert baseline["state"] == "returned" and baseline["reasons"] == "财务处：请说明资金来源"
    assert [(r["division"], r["decision"], r["reviewer"]) for r in baseline["reviews"]] == [
        ("vocational", "verify", "reviewer_42"), ("finance", "return", "finance_div_42")]
    [opinion] = baseline["expert_opinions"]
    assert (opinion["division"], opinion["expert"], opinion["question"], opinion["opinion"]) == (
        "finance", "expert_42", "资金来源？", "合规")


def test_the_finance_division_reads_the_provinces_baselines_and_an_expert_does_not(world):
    walk = _agreed()
    walk.verify({"decision": "return", "reasons": "请细化"})
    pages = {}
    for username in ("finance_div_42", "finance_div_32", "expert_42"):
        page = Client()
        page.force_login(user(username))
        pages[username] = page.get("/baselines/")
    assert pages["finance_div_42"].status_code == 200 and "职成处：请细化" in pages["finance_div_42"].content.decode()
    assert pages["finance_div_32"].status_code == 200 and "请细化" not in pages["finance_div_32"].content.decode()
    assert pages["expert_42"].status_code == 403


SOLE_REVIEWER = Path(__file__).parent / "models" / "fee_verification_sole_reviewer.bpmn"


def test_a_lifecycle_started_before_joint_verification_is_verified_by_the_reviewer_alone(world, tmp_path):
    """A running instance keeps its model's version: drawn with the reviewer alone, the reviewer settles it."""
    earlier = tmp_path / "models"
    shutil.copytree(parser.PROCESS_DIR, earlier)
    shutil.copy(SOLE_REVIEWER, earlier / "fee_verification.bpmn")
    engine.deploy(earlier)
    walk = _agreed()
    engine.deploy()  # the joint verification is the latest again; this lifecycle keeps its version
    assert [t.task_name for t in walk.tasks()] == ["verify_baseline"]
    walk.do("verify_baseline", {"decision": "return", "reasons": "请细化"})
    assert _baseline(walk).state == Baseline.State.RETURNED and _baseline(walk).reasons == "职成处：请细化"
    walk.agree()
    walk.do("verify_baseline", VERIFY)
    assert _baseline(walk).state == Baseline.State.VERIFIED
    assert sorted(t.task_name for t in walk.tasks()) == ["sign_alliance", "sign_teo"]
