"""Complaints against a TEO (投诉), end to end: lodged, investigated, answered or not, decided or dismissed.

Every path runs warm and cold (`temperature`); time passes by time-machine, never by sleeping.
"""
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone, translation

from bpmn import engine
from bpmn.models import ProcessInstance
from notifications.models import Notification
from tests.workflows.complaint_walk import EVIDENCE, accept, answer, decide, do, instance_of, lodge, task_of, teo_of
from tests.workflows.walk import user
from workflows import audit_text, complaints, services, supervision
from workflows.errors import RuleViolation
from workflows.models import Certificate, Complaint, FeeSchedule, Ground, Measure, Standing, SupervisionMeasure

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("temperature")]


def _told(event: str) -> set[str]:
    return set(Notification.objects.filter(event=event).values_list("recipient__username", flat=True))


def _ended(complaint: Complaint) -> str:
    instance = instance_of(complaint)
    assert instance.status == ProcessInstance.Status.COMPLETED
    return instance.end_event


# --- lodging -------------------------------------------------------------------------------


@pytest.mark.parametrize("by", ["college_42_1", "reviewer_42", "student"])
def test_a_college_a_province_or_a_student_lodges_and_the_ministry_is_asked_to_investigate(world, by):
    complaint = lodge(by)
    assert complaint.state == Complaint.State.LODGED and complaint.evidence == EVIDENCE
    task = task_of(complaint, "investigate_complaint")
    assert task.role == "ministry" and task.data["complaint_id"] == complaint.pk
    assert _told("complaint_lodged") == {"teo_1"}
    assert "ministry" in _told("task_assigned")


@pytest.mark.parametrize("by", ["teo_2", "ministry", "finance_42_1", "institution_42"])
def test_a_role_that_does_not_complain_is_refused(world, by):
    with pytest.raises(RuleViolation) as refused:
        lodge(by)
    assert (refused.value.rule, refused.value.status) == ("actor_not_allowed", 403)
    assert not Complaint.objects.exists()


@pytest.mark.parametrize("changes, rule", [
    ({"ground": "rude_staff"}, "complaint_ground_unknown"),
    ({"evidence": []}, "complaint_evidence_required"),
    ({"evidence": ["  "]}, "complaint_evidence_required"),
    ({"evidence": "一份文件"}, "complaint_evidence_not_texts"),
    ({"evidence": [f"证据{i}" for i in range(11)]}, "complaint_evidence_too_many"),
    ({"evidence": ["证" * 501]}, "complaint_evidence_too_long"),
    ({"account": ""}, "complaint_account_required"),
    ({"account": "情" * 5001}, "complaint_account_too_long"),
])
def test_bad_input_is_refused_naming_the_rule_and_nothing_is_lodged(world, changes, rule):
    with pytest.raises(RuleViolation) as refused:
        lodge(**changes)
    assert refused.value.rule == rule and refused.value.status == 400
    assert not Complaint.objects.exists() and not ProcessInstance.objects.filter(
        business_key__startswith="complaint:").exists()


def test_the_refusals_quote_the_numbers_in_chinese(world):
    with pytest.raises(RuleViolation) as long_account:
        lodge(account="情" * 5001)
    with pytest.raises(RuleViolation) as many:
        lodge(evidence=[f"证据{i}" for i in range(11)])
    with translation.override("zh-hans"):
        assert "5000" in str(long_account.value.message) and "5001" in str(long_account.value.message)
        assert "10" in str(many.value.message) and "11" in str(many.value.message)
        assert "证据" in str(many.value.message)


def test_a_certificate_of_another_teo_is_refused(world):
    with pytest.raises(RuleViolation) as refused:
        lodge(certificate=Certificate.objects.filter(teo=teo_of("teo_2")).first().pk)
    assert refused.value.rule == "complaint_certificate_not_of_teo"


# --- the paths -----------------------------------------------------------------------------


def test_dismissed_as_unfounded_at_investigation_the_complainant_and_the_teo_hear(world):
    complaint = lodge()
    do(complaint, "investigate_complaint", {"decision": "dismiss", "findings": "所附证据与该机构无关。"})
    assert complaint.state == Complaint.State.DISMISSED and complaint.findings == "所附证据与该机构无关。"
    assert complaint.investigated_by == user("ministry")
    assert _ended(complaint) == "unfounded_end"
    assert _told("complaint_dismissed") == {"college_42_1", "teo_1"}
    assert not SupervisionMeasure.objects.exists()


def test_a_dismissal_at_investigation_needs_findings(world):
    complaint = lodge()
    with pytest.raises(RuleViolation) as refused:
        do(complaint, "investigate_complaint", {"decision": "dismiss"})
    assert refused.value.rule == "findings_required"
    assert Complaint.objects.get(pk=complaint.pk).state == Complaint.State.LODGED


def test_accepted_the_teo_is_asked_for_its_statement_within_fourteen_days(world):
    complaint = lodge("student")
    accept(complaint)
    assert complaint.state == Complaint.State.INVESTIGATING
    task = task_of(complaint, "answer_complaint")
    assert task.role == "teo" and task.organization_id == teo_of().pk
    assert timedelta(days=13, hours=23) < task.due_at - timezone.now() <= timedelta(days=14)
    assert _told("complaint_investigated") == {"student"}
    assert "teo_1" in _told("task_assigned")


def test_the_teo_answers_then_a_talk_is_decided_and_published_with_the_complaint(world):
    complaint = lodge()
    accept(complaint)
    answer(complaint)
    assert _told("complaint_answered") == {"college_42_1"}
    assert complaints.statement_of(complaint) == "设备为自愿选购，并非考核条件。"
    decide(complaint, Measure.TALK)
    assert complaint.state == Complaint.State.DECIDED and complaint.findings == "查明存在捆绑销售。"
    measure = SupervisionMeasure.objects.get()
    assert (measure.kind, measure.complaint, measure.teo, measure.proposed) == (
        Measure.TALK, complaint, teo_of(), False)
    assert supervision.standing_of(teo_of()).state == Standing.State.ACTIVE
    assert _ended(complaint) == "measure_end"
    assert _told("measure_decided") == {"college_42_1", "teo_1"}
    assert list(complaints.published(teo_of())) == [complaint]


def test_a_yellow_card_moves_the_teos_standing_and_a_second_is_refused(world):
    first, second = lodge(), lodge("reviewer_42", ground=Ground.EXCESSIVE_FEES)
    for complaint in (first, second):
        accept(complaint)
        answer(complaint)
    decide(first, Measure.YELLOW_CARD)
    assert supervision.standing_of(teo_of()).state == Standing.State.YELLOW_CARD
    with pytest.raises(RuleViolation) as refused:
        decide(second, Measure.YELLOW_CARD)
    assert refused.value.rule == "yellow_card_shown"
    assert Complaint.objects.get(pk=second.pk).state == Complaint.State.INVESTIGATING
    task_of(second, "decide_complaint")  # still open: nothing changed


def test_a_delisting_withdraws_the_schedules_and_refuses_new_negotiations_and_measures(world):
    first, second = lodge(), lodge("student", ground=Ground.LAX_ASSESSMENT)
    for complaint in (first, second):
        accept(complaint)
        answer(complaint)
    assert FeeSchedule.objects.filter(certificate__teo=teo_of(), state=FeeSchedule.State.PUBLISHED).exists()
    decide(first, Measure.DELISTING, reasons="严重违规，予以摘牌")
    assert supervision.is_delisted(teo_of())
    assert not FeeSchedule.objects.filter(certificate__teo=teo_of(), state=FeeSchedule.State.PUBLISHED).exists()
    with pytest.raises(RuleViolation) as no_lifecycle:
        services.start_lifecycle(user("college_42_1"), Certificate.objects.get(code="X-WEB-01"))
    assert no_lifecycle.value.rule == "teo_delisted"
    with pytest.raises(RuleViolation) as no_measure:
        decide(second, Measure.WARNING)
    assert no_measure.value.rule == "teo_already_delisted"
    do(second, "decide_complaint", {"decision": "dismiss", "findings": "已摘牌，不再处理。"})
    assert Complaint.objects.get(pk=second.pk).state == Complaint.State.DISMISSED
    with pytest.raises(RuleViolation) as no_complaint:
        lodge()
    assert no_complaint.value.rule == "teo_already_delisted"


def test_without_a_statement_the_timer_passes_and_the_ministry_decides(world):
    complaint = lodge()
    accept(complaint)
    with time_machine.travel(timezone.now() + timedelta(days=13), tick=False):
        assert engine.fire_due_timers() == 0
    with time_machine.travel(timezone.now() + timedelta(days=15), tick=False):
        assert engine.fire_due_timers() == 1
    assert _told("complaint_unanswered") == {"college_42_1", "teo_1"}
    assert not Notification.objects.filter(event="deadline_passed").exists()
    assert complaints.statement_of(complaint) == ""
    decide(complaint, Measure.WARNING)
    assert complaint.state == Complaint.State.DECIDED and _ended(complaint) == "measure_end"


def test_dismissed_after_investigation(world):
    complaint = lodge()
    accept(complaint)
    answer(complaint)
    do(complaint, "decide_complaint", {"decision": "dismiss", "findings": "证据不足。"})
    assert complaint.state == Complaint.State.DISMISSED and _ended(complaint) == "dismissed_end"
    assert not SupervisionMeasure.objects.exists()
    assert _told("complaint_dismissed") == {"college_42_1", "teo_1"}


@pytest.mark.parametrize("data, rule", [
    ({"decision": "measure", "findings": "属实", "reasons": "属实"}, "measure_required"),
    ({"decision": "measure", "findings": "属实", "measure": "fine", "reasons": "属实"}, "measure_unknown"),
    ({"decision": "measure", "findings": "属实", "measure": "talk"}, "measure_reasons_required"),
    ({"decision": "measure", "measure": "talk", "reasons": "属实"}, "findings_required"),
    ({"decision": "measure", "findings": "属实", "measure": "talk", "reasons": "属实", "teo_id": 1},
     "task_input_process_owned"),
    ({"decision": "measure", "findings": "属实", "measure": "talk", "reasons": "属实", "fine_yuan": 1},
     "task_input_unknown_key"),
])
def test_a_decision_without_what_it_needs_or_with_unknown_keys_is_refused_and_nothing_changes(world, data, rule):
    complaint = lodge()
    accept(complaint)
    answer(complaint)
    with pytest.raises(RuleViolation) as refused:
        do(complaint, "decide_complaint", data)
    assert refused.value.rule == rule
    assert Complaint.objects.get(pk=complaint.pk).state == Complaint.State.INVESTIGATING
    assert not SupervisionMeasure.objects.exists()


def test_only_the_ministry_decides_and_only_the_teo_complained_about_answers(world):
    complaint = lodge()
    with pytest.raises(RuleViolation) as refused:
        do(complaint, "investigate_complaint", {"decision": "accept"}, actor=user("college_42_1"))
    assert refused.value.status == 404  # the complainant does not see the ministry's task
    accept(complaint)
    with pytest.raises(RuleViolation) as other_teo:
        do(complaint, "answer_complaint", {"statement": "与我无关"}, actor=user("teo_2"))
    assert other_teo.value.status == 404


def test_the_audit_trail_reads_each_step_as_a_sentence(world):
    complaint = lodge()
    accept(complaint)
    answer(complaint)
    decide(complaint, Measure.RECTIFICATION, reasons="限期整改")
    with translation.override("zh-hans"):
        lines = [line.text for line in audit_text.trail(instance_of(complaint))]
    joined = "\n".join(lines)
    assert "受理" in joined and "设备为自愿选购" in joined and "整改" in joined and "限期整改" in joined
    assert not any("办结了" in line for line in lines)


def test_a_delisting_decided_on_a_complaint_reaches_the_colleges_with_agreements_as_the_supervisions_does(hubei):
    hubei.through_filing()
    complaint = lodge()
    accept(complaint)
    answer(complaint)
    decide(complaint, Measure.DELISTING, reasons="查实捆绑销售，予以摘牌")
    told = _told("teo_delisted")
    assert {"college_42_1", "reviewer_42", "teo_1"} <= told
