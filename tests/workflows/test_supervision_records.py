"""Supervision records and measures (动态调整): plans, training, the yellow-card rule's reading, delisting.

The speech: "培训评价组织制订并提交9—12月份考核计划安排，按月调度"; "对9月上旬仍未在全国及湖北启动师资培训的培训
评价组织进行黄牌警告，如还没有及时跟进，将进行摘牌处理，及时补充、吸纳相关领域第四批申报证书来替代". The 2020 rules:
a TEO leaving the pilot settles what is paid but not assessed and assessed but not certified first; the
certificates it issued stay valid.
"""
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests.workflows import supervision_records as records
from tests.workflows.walk import college, user
from workflows import services, supervision, teo_records
from workflows.errors import RuleViolation
from workflows.models import (
    AssessmentPlan,
    Certificate,
    FeeSchedule,
    Measure,
    Standing,
    SupervisionMeasure,
    TrainingSession,
)
from workflows.verification import verify

pytestmark = pytest.mark.django_db
BEIJING = ZoneInfo("Asia/Shanghai")


def refused(function, *args) -> RuleViolation:
    with pytest.raises(RuleViolation) as refusal:
        function(*args)
    return refusal.value


def session(teo: str, code: str, starts: date) -> TrainingSession:
    return TrainingSession.objects.create(teo=records.teo_of(teo), province=records.province(code), starts_on=starts,
                                          ends_on=starts, teachers_trained=10, recorded_by=user(teo),
                                          recorded_at=datetime(starts.year, starts.month, starts.day, tzinfo=BEIJING))


# --- the yellow-card rule's reading: 9月上旬, nationally and in 湖北省 ----------------------------------


def test_early_september_is_the_tenth_of_the_pilot_years_september(settings):
    assert supervision.training_start_deadline(2020) == date(2020, 9, 10)
    settings.SUPERVISION_TRAINING_START_DAY = 5
    assert supervision.training_start_deadline(2026) == date(2026, 9, 5)


def test_a_teo_with_no_session_has_started_neither_nationally_nor_in_hubei(world):
    start = supervision.training_start(records.teo_of("teo_2"), date(2026, 9, 10))
    assert (start.national, start.focus, start.started) == (False, False, False)
    assert str(start.missing()) == "在全国及湖北省"


def test_training_started_in_jiangsu_only_is_not_started_in_hubei(world):
    session("teo_2", records.JIANGSU, date(2026, 9, 1))
    start = supervision.training_start(records.teo_of("teo_2"), date(2026, 9, 10))
    assert (start.national, start.focus, start.started) == (True, False, False)
    assert str(start.missing()) == "在湖北省"


def test_training_started_in_hubei_by_the_tenth_counts_and_on_the_eleventh_does_not(world):
    session("teo_2", records.HUBEI, date(2026, 9, 11))
    assert not supervision.training_start(records.teo_of("teo_2"), date(2026, 9, 10)).started
    session("teo_2", records.HUBEI, date(2026, 9, 10))
    assert supervision.training_start(records.teo_of("teo_2"), date(2026, 9, 10)).started


def test_the_follow_up_deadline_is_thirty_days_after_the_card_by_default(settings):
    assert supervision.follow_up_deadline(date(2026, 9, 11)) == date(2026, 10, 11)
    settings.SUPERVISION_FOLLOW_UP_DAYS = 14
    assert supervision.follow_up_deadline(date(2026, 9, 11)) == date(2026, 9, 25)


# --- assessment plans (9—12月份考核计划安排) -----------------------------------------------------------


def test_a_teo_submits_a_month_and_a_second_submission_replaces_it(world):
    hubei = records.province(records.HUBEI).pk
    teo_records.submit_assessment_plan(user("teo_1"), hubei, services.today().year, "10", "4", "200")
    plan = teo_records.submit_assessment_plan(user("teo_1"), hubei, services.today().year, 10, 5, 260)
    assert AssessmentPlan.objects.filter(teo=records.teo_of("teo_1")).count() == 1
    assert (plan.sittings, plan.headcount) == (5, 260)
    totals = supervision.plan_totals(records.teo_of("teo_1"), services.today().year)
    assert (totals["sittings"], totals["headcount"]) == (5, 260)


@pytest.mark.parametrize("month", [8, 13, 1, "九", "", None])
def test_a_plan_for_a_month_outside_september_to_december_is_refused(world, month):
    refusal = refused(teo_records.submit_assessment_plan, user("teo_1"), records.province("42").pk,
                      services.today().year, month, 1, 10)
    assert refusal.rule == "plan_month_september_to_december"
    assert "9" in str(refusal.message) and "12" in str(refusal.message)


@pytest.mark.parametrize("sittings, headcount, rule", [
    (-1, 10, "plan_sittings_out_of_range"), (10_001, 10, "plan_sittings_out_of_range"),
    (1, 1_000_001, "plan_headcount_out_of_range"), (0, 10, "plan_sittings_and_headcount"),
    (2, 0, "plan_sittings_and_headcount"), ("", 10, "plan_sittings_required")])
def test_a_plans_numbers_are_bounded_and_go_together(world, sittings, headcount, rule):
    assert refused(teo_records.submit_assessment_plan, user("teo_1"), records.province("42").pk,
                   services.today().year, 9, sittings, headcount).rule == rule


def test_a_month_of_no_assessment_is_a_plan_of_nought(world):
    plan = teo_records.submit_assessment_plan(user("teo_1"), records.province("42").pk, services.today().year, 12,
                                              0, 0)
    assert (plan.sittings, plan.headcount) == (0, 0)


def test_the_province_sees_the_plans_for_its_colleges_and_not_another_provinces(world):
    hubei, jiangsu = records.province("42").pk, records.province("32").pk
    teo_records.submit_assessment_plan(user("teo_1"), hubei, services.today().year, 9, 2, 80)
    teo_records.submit_assessment_plan(user("teo_1"), jiangsu, services.today().year, 9, 1, 30)
    assert [p.headcount for p in teo_records.visible_plans(user("reviewer_42"))] == [80]
    assert [p.headcount for p in teo_records.visible_plans(user("college_42_1"))] == [80]
    assert sorted(p.headcount for p in teo_records.visible_plans(user("ministry"))) == [30, 80]
    assert not teo_records.visible_plans(user("teo_2")).exists()
    assert not teo_records.visible_plans(user("student")).exists()


# --- training sessions and teachers sent ---------------------------------------------------------------


@time_machine.travel(datetime(2026, 9, 8, 10, 0, tzinfo=BEIJING), tick=False)
def test_a_session_is_recorded_once_started_never_in_advance(world):
    hubei = records.province("42").pk
    refusal = refused(teo_records.record_training_session, user("teo_1"), hubei, "2026-09-09", "2026-09-12", 30)
    assert refusal.rule == "training_not_started"
    assert "2026-09-09" in str(refusal.message) and "2026-09-08" in str(refusal.message)
    started = teo_records.record_training_session(user("teo_1"), hubei, "2026-09-08", "2026-09-12", 30)
    assert started.ends_on == date(2026, 9, 12)
    assert supervision.training_start(records.teo_of("teo_1"), date(2026, 9, 10)).started


@pytest.mark.parametrize("starts, ends, teachers, rule", [
    ("2026-09-05", "2026-09-04", 10, "training_dates"), ("2025-01-01", "2026-01-02", 10, "training_dates"),
    ("", "", 10, "starts_on_required"), ("2026-9-5", "", 10, "starts_on_not_a_date"),
    ("2026-09-01", "", 0, "teachers_trained_out_of_range"), ("2026-09-01", "", 100_001,
                                                            "teachers_trained_out_of_range")])
@time_machine.travel(datetime(2026, 9, 8, 10, 0, tzinfo=BEIJING), tick=False)
def test_a_sessions_dates_and_teachers_are_checked(world, starts, ends, teachers, rule):
    assert refused(teo_records.record_training_session, user("teo_1"), records.province("42").pk, starts, ends,
                   teachers).rule == rule


def test_colleges_send_no_more_teachers_than_the_session_trained(world):
    _plan, trained, sent = records.plan_and_train(teachers=30)
    refusal = refused(teo_records.record_teachers_sent, user("college_42_2"), trained.pk, 11)
    assert refusal.rule == "teachers_sent_within_trained"
    assert all(n in str(refusal.message) for n in ("40", "30", "10", "11"))
    assert teo_records.record_teachers_sent(user("college_42_2"), trained.pk, 10).teachers == 10
    again = refused(teo_records.record_teachers_sent, user("college_42_1"), trained.pk, 1)
    assert (again.rule, again.status) == ("teachers_already_sent", 409)


def test_a_college_sends_teachers_only_to_a_session_in_its_province(world):
    _plan, trained, _sent = records.plan_and_train()
    refusal = refused(teo_records.record_teachers_sent, user("college_32_1"), trained.pk, 1)
    assert (refusal.rule, refusal.status) == ("training_session_unknown", 404)


def test_the_teo_sees_the_teachers_sent_to_its_sessions_and_another_teo_does_not(world):
    records.plan_and_train()
    assert [t.teachers for t in teo_records.visible_teachers_sent(user("teo_1"))] == [12]
    assert [t.teachers for t in teo_records.visible_teachers_sent(user("reviewer_42"))] == [12]
    assert not teo_records.visible_teachers_sent(user("teo_2")).exists()
    assert not teo_records.visible_teachers_sent(user("college_42_2")).exists()


# --- measures: a yellow card once, delisting final --------------------------------------------------


def test_a_yellow_card_is_shown_once_and_then_delisting_is_the_next_step(world):
    teo = records.teo_of("teo_2")
    card = supervision.decide_measure(user("ministry"), teo, Measure.YELLOW_CARD, "9月上旬仍未在湖北启动师资培训。",
                                      proposed=True)
    assert (card.kind, card.proposed, supervision.standing_of(teo).state) == (
        Measure.YELLOW_CARD, True, Standing.State.YELLOW_CARD)
    again = refused(supervision.decide_measure, user("ministry"), teo, Measure.YELLOW_CARD, "again")
    assert (again.rule, again.status) == ("yellow_card_shown", 409)
    records.delist()
    assert supervision.standing_of(teo).state == Standing.State.DELISTED
    after = refused(supervision.decide_measure, user("ministry"), teo, Measure.TALK, "约谈")
    assert (after.rule, after.status) == ("teo_already_delisted", 409)


@pytest.mark.parametrize("kind, reasons, rule", [
    ("expel", "理由", "measure_unknown"), (Measure.TALK, "  ", "measure_reasons_required"),
    (Measure.WARNING, "x" * 2001, "measure_reasons_too_long")])
def test_a_measure_names_one_of_the_measures_and_its_reasons(world, kind, reasons, rule):
    assert refused(supervision.decide_measure, user("ministry"), records.teo_of("teo_1"), kind, reasons).rule == rule
    assert not SupervisionMeasure.objects.exists()


def test_a_lighter_measure_leaves_the_teo_in_the_pilot(world):
    for kind in (Measure.TALK, Measure.WARNING, Measure.NOTICE, Measure.RECTIFICATION, Measure.LIMIT_SCALE,
                 Measure.REDUCED_FUNDS):
        supervision.decide_measure(user("ministry"), records.teo_of("teo_1"), kind, "整改期内按月报告。")
    assert supervision.standing_of(records.teo_of("teo_1")).state == Standing.State.ACTIVE
    assert [m.kind for m in supervision.measures_of(records.teo_of("teo_1"))][0] == Measure.REDUCED_FUNDS


# --- delisting: no new negotiation, schedules withdrawn, issued certificates valid, what is owed ---------


def test_a_delisted_teos_schedules_are_withdrawn_and_its_certificates_take_no_new_negotiation(world):
    plc = Certificate.objects.get(code="X-PLC-03")
    assert FeeSchedule.objects.filter(certificate=plc, state=FeeSchedule.State.PUBLISHED).exists()
    records.delist()
    assert not FeeSchedule.objects.filter(certificate=plc, state=FeeSchedule.State.PUBLISHED).exists()
    refusal = refused(services.start_lifecycle, user("college_42_3"), plc.pk, None, "新联盟")
    assert (refusal.rule, refusal.status) == ("teo_delisted", 409)
    assert "X-PLC-03" in str(refusal.message) and "摘牌" in str(refusal.message)
    publish = refused(lambda: services.publish_schedule(user("teo_2"), plc.pk, "100.00", {"question_bank": "100.00"},
                                                        paper_copy_price="20.00"))
    assert publish.rule == "teo_delisted"
    plan = refused(teo_records.submit_assessment_plan, user("teo_2"), records.province("42").pk,
                   services.today().year, 9, 1, 10)
    assert (plan.rule, plan.status) == ("teo_delisted_records", 409)


def test_certificates_issued_before_delisting_stay_valid(hubei_filed):
    sitting = services.record_assessment(user("teo_1"), hubei_filed.negotiation.agreements.get(),
                                         hubei_filed.negotiation.alliance.lead, 2, held_on=services.today())
    [issued, _other] = services.issue_certificates(user("teo_1"), sitting, ["李明,2023010001", "王五,2023010099"])
    records.delist("teo_1")
    assert verify(issued.serial_no).status == "valid"


def test_what_a_delisted_teo_owes_is_listed_per_college_until_assessed_and_certified(hubei_filed):
    agreement = hubei_filed.negotiation.agreements.get()
    lead = hubei_filed.negotiation.alliance.lead
    services.file_participation(user("college_42_1"), hubei_filed.certificate, agreement.year, 5)
    records.delist("teo_1")
    owed = {row.college: row for row in supervision.owed(records.teo_of("teo_1"))}
    assert lead.name in owed and college("college_42_2").name not in owed  # it filed no students
    assert (owed[lead.name].planned, owed[lead.name].not_assessed) == (5, 5)
    sitting = services.record_assessment(user("teo_1"), agreement, lead, 5, held_on=services.today())
    row = next(r for r in supervision.owed(records.teo_of("teo_1")) if r.college == lead.name)
    assert (row.not_assessed, row.assessed_not_certified) == (0, 5)
    services.issue_certificates(user("teo_1"), sitting, [f"学生{i},20249900{i:02d}" for i in range(5)])
    assert lead.name not in {r.college for r in supervision.owed(records.teo_of("teo_1"))}
    assert supervision.owed(records.teo_of("teo_1"), lead) == []


# --- the hand-over to a TEO of the next batch --------------------------------------------------------


def test_a_delisted_teos_certificate_passes_to_a_successor_whose_schedule_starts_new_negotiations(world):
    records.delist("teo_2")
    replacement = records.hand_over("teo_2", "teo_1", "X-PLC-03B")
    successor = replacement.successor
    assert (successor.teo, successor.assessment_mode, successor.name) == (
        records.teo_of("teo_1"), replacement.withdrawn.assessment_mode, replacement.withdrawn.name)
    refusal = refused(services.start_lifecycle, user("college_42_3"), replacement.withdrawn.pk, None, "新联盟")
    assert "X-PLC-03B" in str(refusal.message)
    services.publish_schedule(user("teo_1"), successor.pk, "150.00", {"question_bank": "150.00"},
                              paper_copy_price="20.00")
    negotiation = services.start_lifecycle(user("college_42_3"), successor.pk, None, "湖北省工业机器人新联盟")
    assert negotiation.certificate == successor


def test_a_certificate_is_handed_over_once_only_after_delisting_and_to_a_teo_in_the_pilot(world):
    plc = Certificate.objects.get(code="X-PLC-03")
    teo_1, teo_2 = records.teo_of("teo_1").pk, records.teo_of("teo_2").pk
    early = refused(teo_records.hand_over, user("ministry"), plc.pk, teo_1, "X-PLC-03B")
    assert (early.rule, early.status) == ("hand_over_delisted_only", 409)
    records.delist("teo_2")
    assert refused(teo_records.hand_over, user("ministry"), plc.pk, teo_2, "X-PLC-03B").rule == "successor_in_pilot"
    assert refused(teo_records.hand_over, user("ministry"), plc.pk, teo_1, "X-WEB-01").rule == "successor_code"
    teo_records.hand_over(user("ministry"), plc.pk, teo_1, "X-PLC-03B")
    twice = refused(teo_records.hand_over, user("ministry"), plc.pk, teo_1, "X-PLC-03C")
    assert (twice.rule, twice.status) == ("certificate_handed_over", 409)
    assert refused(teo_records.hand_over, user("teo_1"), plc.pk, teo_1, "X-PLC-03D").rule == "actor_not_allowed"


def test_what_is_owed_is_read_in_three_queries_however_many_agreements_and_colleges(hubei_filed,
                                                                                   django_assert_num_queries):
    services.file_participation(user("college_42_1"), hubei_filed.certificate, services.today().year, 5)
    records.delist("teo_1")
    teo = records.teo_of("teo_1")
    with django_assert_num_queries(3):  # the payments, the sittings with their certificates, the filings
        rows = supervision.owed(teo)
    assert [row.planned for row in rows] == [5]
