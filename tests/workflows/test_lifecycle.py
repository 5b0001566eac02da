"""Every path of the lifecycle through the services, with the rules and the projections."""
from datetime import timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone, translation

from bpmn import engine
from bpmn.errors import ActorNotAllowed
from bpmn.models import AuditEntry, OpenTask, PendingMessage, ProcessInstance, Timer
from tryout.simulation import actor_for
from workflows import services
from workflows.errors import RuleViolation
from workflows.models import (
    Agreement,
    Alliance,
    Baseline,
    Filing,
    Membership,
    Negotiation,
    Payment,
)

from .walk import Walk, college, neighbours_agreed, user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("temperature")]


def test_alliance_forms_when_enough_members_accept_and_is_filed_not_approved(world):
    walk = Walk()
    walk.form(accept=(True, False))
    alliance = walk.negotiation.alliance
    alliance.refresh_from_db()
    assert alliance.state == Alliance.State.FORMED
    assert alliance.registration_no.startswith("LM-42-")
    assert walk.negotiation.state == Negotiation.State.SCREENING
    assert [t.task_name for t in walk.tasks()] == ["screen_services"]
    states = set(alliance.memberships.values_list("state", flat=True))
    assert states == {Membership.State.ACCEPTED, Membership.State.DECLINED}


def test_alliance_dissolves_when_too_few_accept(world):
    walk = Walk()
    walk.form(accept=(False, False))
    walk.negotiation.alliance.refresh_from_db()
    assert walk.negotiation.alliance.state == Alliance.State.DISSOLVED
    assert walk.negotiation.state == Negotiation.State.ABANDONED
    assert walk.instance.status == ProcessInstance.Status.COMPLETED
    assert walk.tasks() == []


def test_response_deadline_closes_the_round_and_expires_silent_colleges(world):
    walk = Walk()
    walk.do("invite_members", {"college_ids": [c.pk for c in walk.invitees]})
    first = walk.tasks("respond_invitation")[0]
    services.complete(first.task_id, actor_for(first), {"decision": "accept"})
    assert Timer.objects.filter(instance=walk.instance).exists()
    with time_machine.travel(timezone.now() + timedelta(days=8), tick=False):
        assert engine.fire_due_timers() == 1
    walk.negotiation.refresh_from_db()
    assert walk.negotiation.alliance.state == Alliance.State.FORMED  # lead + one acceptance
    assert walk.negotiation.alliance.memberships.filter(state=Membership.State.EXPIRED).count() == 1
    assert [t.task_name for t in walk.tasks()] == ["screen_services"]


def test_timer_not_due_yet_moves_nothing(world):
    walk = Walk()
    walk.do("invite_members", {"college_ids": [c.pk for c in walk.invitees]})
    assert engine.fire_due_timers() == 0
    assert len(walk.tasks("respond_invitation")) == 2


def test_open_tasks_are_assigned_to_the_lane_and_organization(world):
    walk = Walk()
    invite = walk.task("invite_members")
    assert (invite.role, invite.organization_id) == ("alliance_lead", walk.negotiation.alliance.lead_id)
    walk.do("invite_members", {"college_ids": [c.pk for c in walk.invitees]})
    holders = sorted(t.organization_id for t in walk.tasks("respond_invitation"))
    assert holders == sorted(c.pk for c in walk.invitees)
    assert all(t.role == "college" and t.due_at for t in walk.tasks("respond_invitation"))


def test_negotiation_accepted_in_round_one_takes_the_published_fee(world):
    walk = Walk()
    walk.form()
    walk.agree()
    assert walk.negotiation.state == Negotiation.State.AGREED
    assert walk.negotiation.agreed_fee == walk.negotiation.schedule.fee
    assert [t.task_name for t in walk.tasks()] == ["verify_baseline", "verify_baseline_finance"]


def test_counter_offers_alternate_between_parties(world):
    walk = Walk()
    walk.form()
    walk.do("screen_services", {"training_content": "师资培训"})
    walk.do("alliance_responds", {"decision": "counter", "fee": "170.00", "lines": walk.offer_lines(Decimal("170"))})
    teo_task = walk.task("teo_responds")
    assert teo_task.role == "teo" and teo_task.organization_id == walk.certificate.teo_id
    walk.do("teo_responds", {"decision": "counter", "fee": "175.00", "lines": walk.offer_lines(Decimal("175"))})
    walk.do("alliance_responds", {"decision": "accept"})
    assert walk.negotiation.agreed_fee == Decimal("175.00")
    rounds = list(walk.negotiation.proposals.values_list("round_no", "party", "state"))
    assert rounds == [(1, "teo", "countered"), (2, "alliance", "countered"), (3, "teo", "accepted")]


def test_counter_above_cap_is_refused_and_leaves_no_trace(world):
    walk = Walk()
    walk.form()
    walk.do("screen_services", {"training_content": "师资培训"})
    before_state = walk.instance.state
    before_audit = AuditEntry.objects.count()
    task = walk.task("alliance_responds")
    with pytest.raises(RuleViolation) as refusal:
        services.complete(task.task_id, actor_for(task),
                          {"decision": "counter", "fee": "200.01", "lines": walk.offer_lines(Decimal("200.01"))})
    assert "纸笔考试 上限 200.00 元/人次，拟定 200.01 元" in refusal.value.message
    assert walk.instance.state == before_state
    assert AuditEntry.objects.count() == before_audit
    assert walk.negotiation.proposals.count() == 1
    assert [t.task_id for t in walk.tasks()] == [task.task_id]


def test_counter_whose_lines_do_not_sum_is_refused(world):
    walk = Walk()
    walk.form()
    walk.do("screen_services", {"training_content": "师资培训"})
    lines = walk.offer_lines(Decimal("150"))
    with translation.override("en"), pytest.raises(RuleViolation, match="cost lines add up to"):
        walk.do("alliance_responds", {"decision": "counter", "fee": "151.00", "lines": lines})


def test_rejection_goes_to_provincial_mediation(world):
    walk = Walk()
    walk.form()
    walk.do("screen_services", {"training_content": "师资培训"})
    walk.do("alliance_responds", {"decision": "reject"})
    mediate = walk.task("mediate")
    assert mediate.role == "reviewer"
    walk.do("mediate", {"decision": "agreed", "fee": "160.00", "lines": walk.offer_lines(Decimal("160"))})
    assert walk.negotiation.state == Negotiation.State.AGREED and walk.negotiation.mediated
    assert [t.task_name for t in walk.tasks()] == ["verify_baseline", "verify_baseline_finance"]


def test_failed_mediation_ends_the_lifecycle(world):
    walk = Walk()
    walk.form()
    walk.do("screen_services", {"training_content": "师资培训"})
    walk.do("alliance_responds", {"decision": "reject"})
    walk.do("mediate", {"decision": "failed"})
    assert walk.negotiation.state == Negotiation.State.FAILED
    assert walk.instance.status == ProcessInstance.Status.COMPLETED


def test_round_deadline_expires_the_offer_and_goes_to_mediation(world):
    walk = Walk()
    walk.form()
    walk.do("screen_services", {"training_content": "师资培训"})
    with time_machine.travel(timezone.now() + timedelta(days=8), tick=False):
        engine.fire_due_timers()
    assert walk.negotiation.proposals.get().state == "expired"
    assert [t.task_name for t in walk.tasks()] == ["mediate"]


def test_verified_baseline_then_signing_filing_and_payment_on_actuals(world):
    walk = Walk()
    walk.through_filing(counter_fee=Decimal("180.00"))
    agreement = Agreement.objects.get(negotiation=walk.negotiation)
    assert agreement.state == Agreement.State.FILED
    assert Filing.objects.get(agreement=agreement).state == Filing.State.ACKNOWLEDGED
    payments = Payment.objects.filter(agreement=agreement)
    assert payments.count() == 3  # lead + two members
    teo = user("teo_1")
    member = college("college_42_2")
    services.record_assessment(teo, agreement, member, 37, held_on=services.today())
    payment = payments.get(college=member)
    assert payment.state == Payment.State.DUE and payment.amount == Decimal("6660.00")
    release = walk.task("release_payment")
    assert release.role == "finance" and release.organization_id == member.pk
    walk.do("release_payment", {"funding": [{"source": "fiscal", "amount": "6000.00"},
                                            {"source": "own", "amount": "660.00"}]},
            actor=user("finance_42_2"))
    payment.refresh_from_db()
    assert payment.state == Payment.State.RELEASED


def test_whole_lifecycle_completes_with_payments_in_any_order(world):
    walk = Walk()
    walk.through_filing()
    agreement = Agreement.objects.get(negotiation=walk.negotiation)
    teo = user("teo_1")
    order = ["college_42_3", "college_42_1", "college_42_2"]
    for index, username in enumerate(order):
        services.record_assessment(teo, agreement, college(username), 10 + index, held_on=services.today())
    for username in order:
        member = college(username)
        payment = Payment.objects.get(agreement=agreement, college=member)
        assert payment.amount == agreement.fee * payment.sitting.headcount
        task = OpenTask.objects.get(instance=walk.instance, task_name="release_payment",
                                    organization_id=member.pk)
        services.complete(task.task_id, actor_for(task),
                          {"funding": [{"source": "special", "amount": f"{payment.amount:.2f}"}]})
    assert walk.instance.status == ProcessInstance.Status.COMPLETED
    assert Payment.objects.filter(agreement=agreement, state="released").count() == 3


def test_assessment_recorded_before_payment_waits_is_kept_and_delivered(world):
    walk = Walk()
    walk.through_filing()
    agreement = Agreement.objects.get(negotiation=walk.negotiation)
    # payment instances are already waiting here, so the message is delivered at once
    sitting = services.record_assessment(user("teo_1"), agreement, college("college_42_1"), 5, held_on=services.today())
    assert Payment.objects.get(sitting=sitting).state == Payment.State.DUE


def test_assessments_recorded_during_supervision_are_all_delivered_when_payment_starts(world):
    walk = Walk()
    walk.through_filing(flagged_note="抽查")
    agreement = Agreement.objects.get(negotiation=walk.negotiation)
    for username in ("college_42_1", "college_42_2", "college_42_3"):
        services.record_assessment(user("teo_1"), agreement, college(username), 12, held_on=services.today())
    assert PendingMessage.objects.filter(delivered_at=None).count() == 3  # no payment waits yet
    walk.do("record_supervision", {"supervision_note": "已核查"})
    assert PendingMessage.objects.filter(delivered_at=None).count() == 0
    assert Payment.objects.filter(agreement=agreement, state=Payment.State.DUE).count() == 3
    assert len(walk.tasks("release_payment")) == 3


def test_payment_twice_is_refused(world):
    walk = Walk()
    walk.through_filing()
    agreement = Agreement.objects.get(negotiation=walk.negotiation)
    services.record_assessment(user("teo_1"), agreement, college("college_42_1"), 5, held_on=services.today())
    task = walk.task("release_payment")
    amount = Payment.objects.get(agreement=agreement, college=college("college_42_1")).amount
    data = {"funding": [{"source": "own", "amount": f"{amount:.2f}"}]}
    services.complete(task.task_id, actor_for(task), data)
    with pytest.raises(RuleViolation) as twice:
        services.complete(task.task_id, actor_for(task), data)
    assert (twice.value.rule, twice.value.status) == ("task_not_ready", 409) and "finance_42_1" in twice.value.message


@pytest.mark.parametrize("purpose", ["debt_repayment", "interest", "external_investment",
                                     "other_project_gap", "management_fee", "working_fee"])
def test_special_funds_refuse_forbidden_use_at_release(world, purpose):
    walk = Walk()
    walk.through_filing()
    agreement = Agreement.objects.get(negotiation=walk.negotiation)
    services.record_assessment(user("teo_1"), agreement, college("college_42_1"), 4, held_on=services.today())
    amount = Payment.objects.get(agreement=agreement, college=college("college_42_1")).amount
    with pytest.raises(RuleViolation, match="专项资金不得用于"):
        walk.do("release_payment", {"funding": [{"source": "special", "amount": f"{amount:.2f}",
                                                 "purpose": purpose}]})
    assert Payment.objects.get(agreement=agreement, college=college("college_42_1")).allocations.count() == 0


def _due_payment(walk: Walk) -> Payment:
    walk.through_filing()
    agreement = Agreement.objects.get(negotiation=walk.negotiation)
    beijing_today = timezone.localtime(timezone.now(), ZoneInfo("Asia/Shanghai")).date()
    services.record_assessment(user("teo_1"), agreement, college("college_42_1"), 4, held_on=beijing_today)
    return Payment.objects.get(agreement=agreement, college=college("college_42_1"))


@pytest.mark.parametrize("spelling", ["管理费", "偿还债务", "支付利息", "Interest"])
def test_special_funds_refuse_a_forbidden_use_spelled_as_people_write_it_at_release(world, spelling):
    walk = Walk()
    payment = _due_payment(walk)
    with pytest.raises(RuleViolation) as refusal:
        walk.do("release_payment", {"funding": [{"source": "special", "amount": f"{payment.amount:.2f}",
                                                 "purpose": spelling}]})
    assert refusal.value.rule == "special_fund_forbidden_use"
    assert payment.allocations.count() == 0 and walk.task("release_payment")


def test_a_release_naming_a_purpose_outside_the_vocabulary_is_refused_and_saves_nothing(world):
    walk = Walk()
    payment = _due_payment(walk)
    with pytest.raises(RuleViolation) as refusal:
        walk.do("release_payment", {"funding": [{"source": "own", "amount": f"{payment.amount:.2f}",
                                                 "purpose": "办公用品"}]})
    assert refusal.value.rule == "funding_purpose_unknown" and "teacher_training" in refusal.value.message
    assert payment.allocations.count() == 0


def test_a_purpose_sent_as_its_label_is_stored_as_its_code(world):
    walk = Walk()
    payment = _due_payment(walk)
    half = payment.amount / 2
    walk.do("release_payment", {"funding": [
        {"source": "special", "amount": f"{half:.2f}", "purpose": "师资培训"},
        {"source": "own", "amount": f"{payment.amount - half:.2f}", "purpose": "Management fee"}]})
    assert sorted(payment.allocations.values_list("source", "purpose")) == [
        ("own", "management_fee"), ("special", "teacher_training")]


def test_release_more_than_fee_times_headcount_is_refused(world):
    walk = Walk()
    walk.through_filing()
    agreement = Agreement.objects.get(negotiation=walk.negotiation)
    services.record_assessment(user("teo_1"), agreement, college("college_42_1"), 4, held_on=services.today())
    amount = Payment.objects.get(agreement=agreement, college=college("college_42_1")).amount
    with pytest.raises(RuleViolation) as refusal:
        walk.do("release_payment", {"funding": [{"source": "own", "amount": f"{amount + 1:.2f}"}]})
    assert refusal.value.rule == "payment_on_actuals"


def test_unpaid_assessment_still_issues_certificates(world):
    walk = Walk()
    walk.through_filing()
    agreement = Agreement.objects.get(negotiation=walk.negotiation)
    sitting = services.record_assessment(user("teo_1"), agreement, college("college_42_1"), 2, held_on=services.today())
    payment = Payment.objects.get(sitting=sitting)
    assert payment.state != Payment.State.RELEASED
    issued = services.issue_certificates(user("teo_1"), sitting, ["李明,2023010001", "李四,S4"])
    assert [c.holder_name for c in issued] == ["李明", "李四"] and all(c.seal for c in issued)
    address = ("李明", "13800000000", "武汉市江夏区")
    order = services.order_paper_certificate(user("student"), issued[0], *address)
    assert order.price == Decimal("25.00") and order.ordered_by == user("student")  # the TEO's published price
    with pytest.raises(RuleViolation, match="只能申领本人的证书"):
        services.order_paper_certificate(user("student"), issued[1], *address)
    with translation.override("en"), pytest.raises(RuleViolation, match="longer than 100"):
        services.issue_certificates(user("teo_1"), sitting, ["名" * 101])


def test_verification_returned_goes_back_to_negotiation_then_verifies(world):
    walk = Walk()
    walk.form()
    walk.agree()
    walk.verify({"decision": "return", "reasons": "请细化测算"})
    assert walk.negotiation.state == Negotiation.State.NEGOTIATING
    assert Baseline.objects.get(negotiation=walk.negotiation).state == Baseline.State.RETURNED
    walk.agree(counter_fee=Decimal("170.00"))
    walk.verify()
    assert Baseline.objects.get(negotiation=walk.negotiation, state="verified").fee == Decimal("170.00")


def test_second_different_baseline_in_province_is_refused_until_superseded(world):
    first = Walk()
    first.through_filing()
    second = neighbours_agreed(Decimal("150.00"))
    second.do("verify_baseline", {"decision": "verify"})
    with pytest.raises(RuleViolation) as refusal:  # the second division to verify settles it: refused
        second.do("verify_baseline_finance", {"decision": "verify"})
    assert refusal.value.rule == "one_standard_per_province"
    old = Baseline.objects.get(negotiation=first.negotiation)
    reopened = services.supersede_baseline(user("reviewer_42"), old, "统一按新测算执行")
    assert [a.negotiation_id for a in reopened] == [first.negotiation.pk]
    assert Agreement.objects.get(negotiation=first.negotiation).state == Agreement.State.REOPENED
    second.do("verify_baseline_finance", {"decision": "verify"})
    assert Baseline.objects.get(negotiation=second.negotiation, state="verified").fee == Decimal("150.00")


def test_same_fee_in_another_alliance_adopts_the_one_provincial_baseline(world):
    first = Walk()
    first.through_filing()
    second = neighbours_agreed()
    second.verify()
    verified = Baseline.objects.get(state="verified")
    assert verified.negotiation == first.negotiation
    assert Baseline.objects.get(negotiation=second.negotiation).state == Baseline.State.ADOPTED
    assert Agreement.objects.get(negotiation=second.negotiation).baseline == verified


def test_filing_flagged_for_supervision_records_the_note(world):
    walk = Walk()
    walk.form()
    walk.agree()
    walk.verify()
    walk.do("sign_teo")
    walk.do("sign_alliance")
    walk.do("acknowledge_filing", {"flagged": True, "note": "收费偏高"})
    walk.do("record_supervision", {"supervision_note": "已约谈"})
    filing = Filing.objects.get(agreement__negotiation=walk.negotiation)
    assert filing.state == Filing.State.UNDER_SUPERVISION and "已约谈" in filing.supervision_note


def test_existing_alliance_skips_formation(world):
    first = Walk()
    first.form()
    negotiation = services.start_lifecycle(first.lead, first.certificate.teo.certificate_set.exclude(
        pk=first.certificate.pk).first(), alliance=first.negotiation.alliance)
    instance = ProcessInstance.objects.get(business_key=services.lifecycle_key(negotiation))
    assert [t.task_name for t in instance.open_tasks.all()] == ["screen_services"]


# --- actors -------------------------------------------------------------------------------


def test_a_college_not_yet_invited_does_not_find_the_alliances_task(world):
    walk = Walk()
    with pytest.raises(RuleViolation) as refused:
        walk.do("invite_members", {"college_ids": [c.pk for c in walk.invitees]}, actor=user("college_42_2"))
    assert (refused.value.rule, refused.value.status) == ("task_not_found", 404)


def test_other_teo_does_not_find_the_offer_to_answer(world):
    walk = Walk()
    walk.form()
    walk.do("screen_services", {"training_content": "x"})
    walk.do("alliance_responds", {"decision": "counter", "fee": "170.00", "lines": walk.offer_lines(Decimal("170"))})
    with pytest.raises(RuleViolation) as refused:
        walk.do("teo_responds", {"decision": "accept"}, actor=user("teo_2"))
    assert (refused.value.rule, refused.value.status) == ("task_not_found", 404)


def test_reviewer_of_another_province_cannot_verify(world):
    walk = Walk()
    walk.form()
    walk.agree()
    with pytest.raises(RuleViolation) as refused:
        walk.do("verify_baseline", {"decision": "verify"}, actor=user("reviewer_32"))
    assert (refused.value.rule, refused.value.status) == ("task_not_found", 404)
    with pytest.raises(RuleViolation) as refused:
        walk.do("verify_baseline_finance", {"decision": "verify"}, actor=user("finance_div_32"))
    assert (refused.value.rule, refused.value.status) == ("task_not_found", 404)
    assert Baseline.objects.get(negotiation=walk.negotiation).state == Baseline.State.PENDING


def test_finance_officer_cannot_answer_an_offer_and_college_cannot_release(world):
    walk = Walk()
    walk.form()
    walk.do("screen_services", {"training_content": "x"})
    with pytest.raises(ActorNotAllowed):
        walk.do("alliance_responds", {"decision": "accept"}, actor=user("finance_42_1"))


def test_reviewer_of_another_province_cannot_supersede(world):
    walk = Walk()
    walk.through_filing()
    baseline = Baseline.objects.get(negotiation=walk.negotiation)
    with pytest.raises(RuleViolation) as refusal:
        services.supersede_baseline(user("reviewer_32"), baseline, "x")
    assert refusal.value.status == 404


def test_only_the_certificates_teo_records_assessments(world):
    walk = Walk()
    walk.through_filing()
    agreement = Agreement.objects.get(negotiation=walk.negotiation)
    with pytest.raises(RuleViolation) as unseen:
        services.record_assessment(user("teo_2"), agreement, college("college_42_1"), 3, held_on=services.today())
    assert (unseen.value.rule, unseen.value.status) == ("agreement_not_found", 404)
    with pytest.raises(RuleViolation) as member:
        services.record_assessment(user("college_42_1"), agreement, walk.negotiation.alliance.lead, 3,
                                   held_on=services.today())
    assert (member.value.rule, member.value.status) == ("actor_not_allowed", 403)


def test_audit_trail_records_who_did_what_with_the_data(world):
    walk = Walk()
    walk.form()
    entry = AuditEntry.objects.filter(instance=walk.instance, task_name="invite_members").get()
    assert entry.actor == walk.lead and entry.data["college_ids"] == [c.pk for c in walk.invitees]
    with pytest.raises(TypeError):
        entry.save()
    with pytest.raises(TypeError):
        AuditEntry.objects.filter(pk=entry.pk).delete()
