"""The supervision of a TEO (`teo_supervision`, 动态调整): the monthly dispatch and the yellow card.

"我们将对9月上旬仍未在全国及湖北启动师资培训的培训评价组织进行黄牌警告，如还没有及时跟进，将进行摘牌处理":
a TEO that has not started teacher training nationally and in 湖北省 by September 10 is proposed for a
yellow card, the ministry decides with reasons; a TEO still not followed up 30 days after the card is
proposed for delisting, decided the same way. Its progress is dispatched month by month (按月调度),
September to December. Every path runs warm and cold (every cache dropped before each step, every
instance restored and checked after it); the clock is moved with time-machine, never slept on.
"""
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.utils import translation

from bpmn import engine
from bpmn.errors import ActorNotAllowed
from bpmn.models import OpenTask, ProcessInstance, Timer
from notifications.models import Notification
from notifications.reminders import send_reminders
from tests.workflows import complaint_walk
from tests.workflows.walk import user
from workflows import audit_text, inbox, services, supervision, supervision_process
from workflows.errors import RuleViolation
from workflows.models import (
    Measure,
    Organization,
    Person,
    ProgressReport,
    Province,
    Standing,
    SupervisionMeasure,
    TrainingSession,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("temperature")]

YEAR = 2026
SHOW = {"decision": "show", "reasons": "9月上旬仍未在全国及湖北启动师资培训"}
DELIST = {"decision": "delist", "reasons": "黄牌警告后仍未及时跟进"}
DECLINE = {"decision": "decline", "reasons": "已提交培训安排，暂不处理"}
REPORT = {"training_sessions": 2, "sittings": 3, "assessed": 120, "certified": 100, "note": "按计划推进"}


def at(moment: str):
    """Travel to a Beijing wall-clock moment ('2026-09-11 00:00')."""
    return time_machine.travel(datetime.fromisoformat(f"{moment}+08:00"), tick=False)


def teo(username: str = "teo_1") -> Organization:
    return Person.objects.get(user__username=username).organization


def train(teo_org: Organization, province_code: str, starts_on: date) -> TrainingSession:
    return TrainingSession.objects.create(
        teo=teo_org, province=Province.objects.get(code=province_code), starts_on=starts_on, ends_on=starts_on,
        teachers_trained=40, recorded_by=user("teo_1"), recorded_at=datetime(2026, 8, 1, tzinfo=UTC))


class Supervision:
    """One TEO's supervision for 2026, driven step by step."""

    def __init__(self, username: str = "teo_1"):
        self.teo = teo(username)
        with at("2026-08-20 09:00"):
            self.instance_id = supervision_process.start_supervision(self.teo, YEAR).pk

    @property
    def instance(self) -> ProcessInstance:
        return ProcessInstance.objects.get(pk=self.instance_id)

    def tasks(self, name: str | None = None) -> list[OpenTask]:
        qs = OpenTask.objects.filter(instance_id=self.instance_id).order_by("pk")
        return list(qs.filter(task_name=name) if name else qs)

    def task(self, name: str) -> OpenTask:
        found = self.tasks(name)
        assert found, f"no open task {name}; open: {[t.task_name for t in self.tasks()]}"
        return found[0]

    def tick(self, moment: str) -> int:
        # SpiffWorkflow fires a timer once its instant has passed: the scheduler's pass comes a second later.
        with at(f"{moment}:01"):
            return engine.fire_due_timers()

    def do(self, name: str, data: dict, actor=None, moment: str | None = None):
        task = self.task(name)
        with at(moment) if moment else _nothing():
            return services.complete(task.task_id, actor or user("ministry" if task.role == "ministry" else "teo_1"),
                                     data)

    def ended(self) -> str:
        instance = self.instance
        return instance.end_event if instance.status == ProcessInstance.Status.COMPLETED else ""


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def standing(teo_org: Organization) -> str:
    return supervision.standing_of(teo_org).state


# --- the rule's numbers ---------------------------------------------------------------------


def test_early_september_is_september_10_and_ends_at_midnight_beijing_time():
    # "9月上旬": the first ten days of September; the timer fires when the 10th has ended in Beijing.
    assert supervision.training_start_deadline(YEAR) == date(2026, 9, 10)
    assert supervision_process.training_deadline_at(YEAR) == "2026-09-10T16:00:00+00:00"


def test_a_months_report_opens_when_it_has_ended_is_due_five_days_later_and_closes_with_the_next():
    assert supervision_process.report_opening(YEAR, 9) == "2026-09-30T16:00:00+00:00"  # Oct 1, 00:00 Beijing
    assert supervision_process.report_due(YEAR, 9) == "2026-10-05T16:00:00+00:00"
    assert supervision_process.report_closing(YEAR, 9) == supervision_process.report_opening(YEAR, 10)
    assert supervision_process.report_opening(YEAR, 12) == "2026-12-31T16:00:00+00:00"
    assert supervision_process.report_closing(YEAR, 12) == "2027-01-31T16:00:00+00:00"


def test_the_follow_up_deadline_is_30_days_after_the_card():
    assert supervision.follow_up_deadline(date(2026, 9, 11)) == date(2026, 10, 11)


def test_starting_twice_starts_one_instance_per_teo_and_year(world):
    first = supervision_process.start_supervision(teo(), YEAR)
    assert supervision_process.start_supervision(teo(), YEAR) == first
    assert first.business_key == f"supervision:{teo().pk}:{YEAR}"
    every = supervision_process.start_supervision_for_all(YEAR)
    assert first in every and len(every) == Organization.objects.filter(kind=Organization.Kind.TEO).count()
    assert len(supervision_process.start_supervision_for_all(YEAR)) == len(every)


# --- the monthly dispatch (按月调度) ---------------------------------------------------------------


def _notified(username: str, event: str) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user(username), event=event).order_by("pk"))


def _tick_until_stable(sv: Supervision, moment: str) -> None:
    """Fire every timer due by `moment`, as the scheduler does pass after pass."""
    for _pass in range(10):
        if not sv.tick(moment):
            return
    raise AssertionError(f"timers still due after 10 passes: {list(Timer.objects.values_list('task_name', 'due_at'))}")


def test_a_months_report_opens_for_the_teo_when_the_month_has_ended_with_its_due_date(world):
    sv = Supervision()
    _tick_until_stable(sv, "2026-09-30 23:59")
    assert not sv.tasks("report_progress")
    _tick_until_stable(sv, "2026-10-01 00:00")
    task = sv.task("report_progress")
    assert (task.role, task.organization_id) == ("teo", sv.teo.pk)
    assert task.due_at == datetime(2026, 10, 5, 16, 0, tzinfo=UTC)  # the 5th has ended in Beijing
    assert task.data["report_month"] == 9
    assert [t.task_name for t in inbox.inbox(user("teo_1"))] == ["report_progress"]
    assert not inbox.inbox(user("teo_2")).filter(task_name="report_progress").exists()


def test_a_report_on_time_is_recorded_against_the_plan_and_told_to_the_ministry(world):
    sv = Supervision()
    _tick_until_stable(sv, "2026-10-01 08:00")
    outcome = sv.do("report_progress", REPORT, moment="2026-10-03 10:00")
    report = ProgressReport.objects.get(teo=sv.teo, year=YEAR, month=9)
    assert (report.training_sessions, report.sittings, report.assessed, report.certified) == (2, 3, 120, 100)
    assert (report.note, report.late, report.submitted_by) == ("按计划推进", False, user("teo_1"))
    assert outcome.result["report_late"] is False and "planned_sittings" in outcome.result
    [told] = _notified("ministry", "progress_reported")
    assert told.title_zh == f"{sv.teo.name} 已报送 9 月进展"
    assert not _notified("teo_1", "progress_reported")  # the reporter is not told of their own report


def test_a_missed_report_is_reminded_then_escalated_to_the_ministry_and_reported_late(world):
    sv = Supervision()
    _tick_until_stable(sv, "2026-10-01 08:00")
    with at("2026-10-05 09:00"):  # within a day of its due date
        send_reminders(datetime.now(UTC))
    assert [n.title_zh for n in _notified("teo_1", "task_due_soon")] == ["待办即将到期：报送本月进展"]
    assert not _notified("ministry", "task_due_soon")
    with at("2026-10-06 09:00"):
        send_reminders(datetime.now(UTC))
        send_reminders(datetime.now(UTC))  # once per task
    assert len(_notified("teo_1", "task_overdue")) == 1
    assert [n.title_zh for n in _notified("ministry", "task_overdue")] == ["待办已逾期：报送本月进展"]
    sv.do("report_progress", REPORT, moment="2026-10-07 10:00")
    assert ProgressReport.objects.get(teo=sv.teo, month=9).late is True
    assert _notified("ministry", "progress_reported")[0].title_zh.endswith("（逾期）")


def test_a_report_never_given_closes_as_missed_when_the_next_month_opens(world):
    sv = Supervision()
    _tick_until_stable(sv, "2026-10-01 08:00")
    september = sv.task("report_progress")
    _tick_until_stable(sv, "2026-11-01 00:00")
    october = sv.task("report_progress")
    assert october.task_id != september.task_id and october.data["report_month"] == 10
    assert not ProgressReport.objects.filter(teo=sv.teo, month=9).exists()
    assert [n.title_zh for n in _notified("teo_1", "progress_report_missed")] == [f"{sv.teo.name} 未报送 9 月进展"]
    assert len(_notified("ministry", "progress_report_missed")) == 1


def test_the_dispatch_runs_september_to_december_and_the_instance_ends(world):
    sv = Supervision()
    train(sv.teo, "42", date(2026, 9, 1))
    for month, opens, reported in ((9, "2026-10-01 00:00", "2026-10-02 09:00"),
                                   (10, "2026-11-01 00:00", "2026-11-02 09:00"),
                                   (11, "2026-12-01 00:00", "2026-12-02 09:00"),
                                   (12, "2027-01-01 00:00", "2027-01-04 09:00")):
        _tick_until_stable(sv, opens)
        assert sv.task("report_progress").data["report_month"] == month
        sv.do("report_progress", REPORT, moment=reported)
    assert list(ProgressReport.objects.filter(teo=sv.teo).values_list("month", flat=True).order_by("month")) == [
        9, 10, 11, 12]
    assert not sv.tasks()
    assert sv.ended() in ("dispatch_done_end", "training_started_end")
    assert sv.instance.status == ProcessInstance.Status.COMPLETED


# --- the yellow card (黄牌警告) -----------------------------------------------------------------


def test_training_started_nationally_and_in_hubei_by_september_10_shows_no_card(world):
    sv = Supervision()
    train(sv.teo, "42", date(2026, 9, 10))  # on the last day of 9月上旬 still counts
    _tick_until_stable(sv, "2026-09-11 00:00")
    assert not sv.tasks("decide_yellow_card")
    assert standing(sv.teo) == Standing.State.ACTIVE
    assert not _notified("teo_1", "yellow_card_proposed")


def test_no_training_by_september_10_is_proposed_to_the_ministry_with_the_facts(world):
    sv = Supervision()
    train(sv.teo, "42", date(2026, 9, 11))  # a day late
    _tick_until_stable(sv, "2026-09-10 23:59")
    assert not sv.tasks("decide_yellow_card")
    _tick_until_stable(sv, "2026-09-11 00:00")
    task = sv.task("decide_yellow_card")
    assert task.role == "ministry"
    assert task.organization_id == Organization.objects.get(kind=Organization.Kind.MINISTRY).pk
    facts = task.data["training"]
    assert (facts["deadline"], facts["national"], facts["focus"], facts["province"]) == (
        "2026-09-10", False, False, "湖北省")
    assert facts["sessions"] == 1 and facts["listed"][0].startswith("湖北省 2026-09-11")
    assert [t.task_name for t in inbox.inbox(user("ministry"))] == ["decide_yellow_card"]
    assert [n.title_zh for n in _notified("teo_1", "yellow_card_proposed")] == [
        f"{sv.teo.name} 9月上旬未在全国及湖北启动师资培训，已提请黄牌警告"]


def test_training_started_elsewhere_but_not_in_hubei_is_still_proposed(world):
    sv = Supervision()
    train(sv.teo, "32", date(2026, 9, 1))  # 江苏省
    _tick_until_stable(sv, "2026-09-11 00:00")
    facts = sv.task("decide_yellow_card").data["training"]
    assert (facts["national"], facts["focus"], facts["started"]) == (True, False, False)


def test_a_card_declined_records_no_measure_and_tells_the_teo_why(world):
    sv = Supervision()
    _tick_until_stable(sv, "2026-09-11 00:00")
    sv.do("decide_yellow_card", DECLINE, moment="2026-09-11 10:00")
    assert standing(sv.teo) == Standing.State.ACTIVE and not SupervisionMeasure.objects.exists()
    [told] = _notified("teo_1", "measure_declined")
    assert told.title_zh == f"对 {sv.teo.name} 不予黄牌警告：已提交培训安排，暂不处理"
    assert not sv.tasks("decide_yellow_card") and not sv.tasks("decide_delisting")


def test_a_card_shown_is_published_and_followed_up_within_30_days_ends_without_delisting(world):
    sv = Supervision()
    _tick_until_stable(sv, "2026-09-11 00:00")
    sv.do("decide_yellow_card", SHOW, moment="2026-09-11 10:00")
    measure = SupervisionMeasure.objects.get(teo=sv.teo)
    assert (measure.kind, measure.proposed, measure.reasons, measure.decided_by) == (
        Measure.YELLOW_CARD, True, SHOW["reasons"], user("ministry"))
    assert standing(sv.teo) == Standing.State.YELLOW_CARD
    assert _notified("teo_1", "yellow_card_shown")[0].title_zh == f"{sv.teo.name} 被给予黄牌警告：{SHOW['reasons']}"
    train(sv.teo, "42", date(2026, 10, 8))
    _tick_until_stable(sv, "2026-10-11 23:59")  # the follow-up day (Sept 11 + 30) has not ended
    assert not sv.tasks("decide_delisting")
    _tick_until_stable(sv, "2026-10-12 00:00")
    assert not sv.tasks("decide_delisting") and standing(sv.teo) == Standing.State.YELLOW_CARD
    assert not _notified("teo_1", "delisting_proposed")


def _carded_without_follow_up(sv: Supervision) -> OpenTask:
    _tick_until_stable(sv, "2026-09-11 00:00")
    sv.do("decide_yellow_card", SHOW, moment="2026-09-11 10:00")
    train(sv.teo, "32", date(2026, 10, 1))  # Jiangsu only: still nothing in Hubei
    _tick_until_stable(sv, "2026-10-12 00:00")
    return sv.task("decide_delisting")


def test_no_follow_up_is_proposed_for_delisting_and_delisting_withdraws_and_tells_colleges(hubei_filed):
    sv = Supervision()
    task = _carded_without_follow_up(sv)
    assert task.data["training"]["deadline"] == "2026-10-11" and task.data["training"]["focus"] is False
    assert _notified("teo_1", "delisting_proposed")
    sv.do("decide_delisting", DELIST, moment="2026-10-12 10:00")
    assert standing(sv.teo) == Standing.State.DELISTED
    assert list(SupervisionMeasure.objects.filter(teo=sv.teo).values_list("kind", flat=True).order_by("pk")) == [
        Measure.YELLOW_CARD, Measure.DELISTING]
    for username in ("teo_1", "college_42_1", "college_42_2", "reviewer_42"):
        assert _notified(username, "teo_delisted"), username
    assert not _notified("college_32_1", "teo_delisted")  # no filed agreement of teo_1's certificates
    with pytest.raises(RuleViolation) as refused:
        services.start_lifecycle(user("college_42_3"), hubei_filed.certificate)
    assert refused.value.rule == "teo_delisted"


def test_a_delisting_declined_leaves_the_card_standing(world):
    sv = Supervision()
    _carded_without_follow_up(sv)
    sv.do("decide_delisting", DECLINE, moment="2026-10-12 10:00")
    assert standing(sv.teo) == Standing.State.YELLOW_CARD
    assert _notified("teo_1", "measure_declined")[0].title_zh.startswith(f"对 {sv.teo.name} 不予摘牌")


def test_a_teo_delisted_meanwhile_ends_the_card_branch_without_asking_and_stops_the_dispatch(world):
    sv = Supervision()
    with at("2026-09-05 10:00"):  # a complaint's decision, say
        supervision.decide_measure(user("ministry"), sv.teo, Measure.DELISTING, "考核放水")
    _tick_until_stable(sv, "2026-10-01 00:00")
    assert not sv.tasks()
    assert sv.instance.status == ProcessInstance.Status.COMPLETED
    assert not _notified("teo_1", "yellow_card_proposed")


def test_a_teo_delisted_during_the_follow_up_is_not_proposed_again(world):
    sv = Supervision()
    _tick_until_stable(sv, "2026-09-11 00:00")
    sv.do("decide_yellow_card", SHOW, moment="2026-09-11 10:00")
    with at("2026-09-20 10:00"):
        supervision.decide_measure(user("ministry"), sv.teo, Measure.DELISTING, "捆绑销售")
    _tick_until_stable(sv, "2026-10-12 00:00")
    assert not sv.tasks("decide_delisting")
    assert not _notified("teo_1", "delisting_proposed")


def test_the_dispatch_stops_once_the_teo_is_delisted(world):
    sv = Supervision()
    _tick_until_stable(sv, "2026-10-01 00:00")
    sv.do("decide_yellow_card", SHOW, moment="2026-10-01 10:00")
    sv.do("report_progress", REPORT, moment="2026-10-02 10:00")
    with at("2026-10-20 10:00"):
        supervision.decide_measure(user("ministry"), sv.teo, Measure.DELISTING, "推进不力")
    _tick_until_stable(sv, "2026-11-01 00:00")
    assert not sv.tasks("report_progress")


def test_a_report_open_when_the_teo_is_delisted_on_a_complaint_closes_at_once_and_is_never_missed(world):
    sv = Supervision()
    train(sv.teo, "42", date(2026, 9, 1))
    _tick_until_stable(sv, "2026-10-01 00:00")
    assert sv.tasks("report_progress")
    complaint = complaint_walk.lodge()
    complaint_walk.accept(complaint)
    complaint_walk.answer(complaint)
    with at("2026-10-03 10:00"):
        complaint_walk.decide(complaint, Measure.DELISTING)
    assert not sv.tasks("report_progress")
    assert sv.instance.status == ProcessInstance.Status.COMPLETED and sv.ended() == "dispatch_stopped_end"
    _tick_until_stable(sv, "2026-11-01 00:00")
    assert not _notified("teo_1", "progress_report_missed") and not ProgressReport.objects.filter(teo=sv.teo)


def test_delisting_decided_by_the_supervision_closes_its_open_report_and_ends_the_instance(world):
    sv = Supervision()
    _carded_without_follow_up(sv)
    assert sv.tasks("report_progress")  # September's, open since October 1
    sv.do("decide_delisting", DELIST, moment="2026-10-12 10:00")
    assert not sv.tasks()
    assert sv.instance.status == ProcessInstance.Status.COMPLETED and sv.ended() == "delisted_end"
    assert not Timer.objects.filter(instance_id=sv.instance_id)


def _carded_on_a_complaint(sv: Supervision, moment: str) -> None:
    with at(moment):
        supervision.decide_measure(user("ministry"), sv.teo, Measure.YELLOW_CARD, "捆绑销售")


def test_a_teo_carded_before_september_10_and_not_started_is_proposed_for_delisting_30_days_after_the_card(world):
    sv = Supervision()
    _carded_on_a_complaint(sv, "2026-08-25 10:00")
    _tick_until_stable(sv, "2026-09-11 00:00")
    assert not sv.tasks("decide_yellow_card") and not sv.tasks("decide_delisting")
    assert not _notified("teo_1", "yellow_card_proposed")
    _tick_until_stable(sv, "2026-09-24 23:59")
    assert not sv.tasks("decide_delisting")
    _tick_until_stable(sv, "2026-09-25 00:00")
    facts = sv.task("decide_delisting").data["training"]
    assert (facts["kind"], facts["deadline"], facts["standing"]) == ("delisting", "2026-09-24", "yellow_card")
    assert _notified("teo_1", "delisting_proposed")
    sv.do("decide_delisting", DELIST, moment="2026-09-25 10:00")
    assert standing(sv.teo) == Standing.State.DELISTED


def test_a_card_older_than_30_days_on_september_10_is_proposed_for_delisting_that_day(world):
    sv = Supervision()
    _carded_on_a_complaint(sv, "2026-07-01 10:00")
    _tick_until_stable(sv, "2026-09-11 00:00")
    assert sv.task("decide_delisting").data["training"]["deadline"] == "2026-09-10"
    assert not sv.tasks("decide_yellow_card")


def test_a_teo_carded_before_september_10_that_started_training_is_not_proposed_anything(world):
    sv = Supervision()
    _carded_on_a_complaint(sv, "2026-08-25 10:00")
    train(sv.teo, "42", date(2026, 9, 5))
    _tick_until_stable(sv, "2026-10-12 00:00")
    assert not sv.tasks("decide_yellow_card") and not sv.tasks("decide_delisting")
    assert standing(sv.teo) == Standing.State.YELLOW_CARD


# --- refusals ---------------------------------------------------------------------------------


@pytest.mark.parametrize("data, rule", [
    ({**REPORT, "sittings": -1}, "sittings_out_of_range"),
    ({**REPORT, "sittings": "3.5"}, "sittings_not_a_count"),
    ({**REPORT, "assessed": "一百"}, "assessed_not_a_count"),
    ({**REPORT, "certified": True}, "certified_not_a_count"),
    ({**REPORT, "assessed": 1000001}, "assessed_out_of_range"),
    ({k: v for k, v in REPORT.items() if k != "training_sessions"}, "training_sessions_required"),
    ({**REPORT, "sittings": 0}, "progress_assessed_without_sitting"),
    ({**REPORT, "report_month": 10}, "task_input_process_owned"),
])
def test_a_bad_report_is_refused_with_its_rule_and_nothing_is_recorded(world, data, rule):
    sv = Supervision()
    _tick_until_stable(sv, "2026-10-01 08:00")
    with pytest.raises(RuleViolation) as refused:
        sv.do("report_progress", data, moment="2026-10-02 10:00")
    assert refused.value.rule == rule
    assert not ProgressReport.objects.exists() and sv.tasks("report_progress")


def test_a_count_out_of_range_names_the_field_and_its_bounds():
    from workflows import contracts

    contract = contracts.contract_for("teo_supervision", "report_progress")
    with pytest.raises(RuleViolation) as refused:
        contract.read({"assessed": 1000001}, "assessed")
    assert refused.value.message == "考核人数须为 0 至 1000000 的整数，实为 1000001。"
    with translation.override("en"):
        assert refused.value.message == ("The people assessed must be a whole number from 0 to 1000000, "
                                         "given 1000001.")


@pytest.mark.parametrize("task_name, data", [("decide_yellow_card", {"decision": "show"}),
                                             ("decide_yellow_card", {"decision": "show", "reasons": "  "}),
                                             ("decide_yellow_card", {"decision": "delist", "reasons": "x"})])
def test_a_decision_without_reasons_or_of_another_kind_is_refused(world, task_name, data):
    sv = Supervision()
    _tick_until_stable(sv, "2026-09-11 00:00")
    with pytest.raises(RuleViolation) as refused:
        sv.do(task_name, data, moment="2026-09-11 10:00")
    assert refused.value.rule in ("reasons_required", "decision_required")
    assert standing(sv.teo) == Standing.State.ACTIVE


def test_only_the_teos_own_people_report_and_only_the_ministry_decides(world):
    sv = Supervision()
    _tick_until_stable(sv, "2026-10-01 08:00")
    with at("2026-10-02 10:00"):
        report, card = sv.task("report_progress"), sv.task("decide_yellow_card")
        with pytest.raises(RuleViolation) as hidden:  # another TEO does not see it
            services.complete(report.task_id, user("teo_2"), REPORT)
        assert (hidden.value.rule, hidden.value.status) == ("task_not_found", 404)
        with pytest.raises(RuleViolation):
            services.complete(card.task_id, user("college_42_1"), SHOW)
        with pytest.raises(ActorNotAllowed):  # the ministry sees the report but does not give it
            services.complete(report.task_id, user("ministry"), REPORT)
        with pytest.raises(ActorNotAllowed):
            services.complete(card.task_id, user("teo_1"), SHOW)
    assert not ProgressReport.objects.exists() and standing(sv.teo) == Standing.State.ACTIVE


# --- the audit trail --------------------------------------------------------------------------


def test_the_trail_reads_as_sentences_of_the_report_and_the_decisions(world):
    sv = Supervision()
    _tick_until_stable(sv, "2026-10-01 08:00")
    sv.do("report_progress", REPORT, moment="2026-10-02 10:00")
    sv.do("decide_yellow_card", SHOW, moment="2026-10-02 11:00")
    lines = [line.text for line in audit_text.trail(sv.instance)]
    assert f"杨帆（{sv.teo.name}）报送了本月进展：师资培训 2 期、考核 3 场、考核 120 人、发证 100 张。" in lines
    assert f"马建国（教育部职业教育与成人教育司）给予黄牌警告：{SHOW['reasons']}" in lines


# --- the pages and the API --------------------------------------------------------------------


def _client(username: str):
    from django.test import Client

    client = Client()
    client.force_login(user(username))
    return client


def test_the_proposal_page_shows_the_facts_and_the_ministry_decides_on_it(world):
    sv = Supervision()
    train(sv.teo, "32", date(2026, 9, 1))
    _tick_until_stable(sv, "2026-09-11 00:00")
    task = sv.task("decide_yellow_card")
    with at("2026-09-11 10:00"):
        page = _client("ministry").get(f"/tasks/{task.task_id}/")
        assert page.status_code == 200
        text = page.content.decode()
        assert "2026-09-10" in text and "在湖北省" in text and "江苏省 2026-09-01" in text
        assert "决定是否黄牌警告" in text
        listed = _client("ministry").get("/tasks/").content.decode()
        assert str(task.task_id) in listed and f"{sv.teo.name} · 2026" in listed
        assert _client("college_42_1").get(f"/tasks/{task.task_id}/").status_code == 404
        trail = _client("ministry").get(f"/processes/{sv.instance_id}/")
        assert trail.status_code == 200 and "培训评价组织动态调整" in trail.content.decode()
        assert _client("teo_2").get(f"/processes/{sv.instance_id}/").status_code == 404
        done = _client("ministry").post(f"/tasks/{task.task_id}/", SHOW)
    assert done.status_code == 302 and standing(sv.teo) == Standing.State.YELLOW_CARD


def test_the_teo_reports_on_its_page_and_a_refusal_keeps_what_was_typed(world):
    sv = Supervision()
    _tick_until_stable(sv, "2026-10-01 08:00")
    task = sv.task("report_progress")
    with at("2026-10-02 10:00"):
        page = _client("teo_1").get(f"/tasks/{task.task_id}/")
        assert page.status_code == 200 and "报送本月进展" in page.content.decode()
        refused = _client("teo_1").post(f"/tasks/{task.task_id}/", {**REPORT, "sittings": "0"})
        assert refused.status_code in (400, 409, 422) and "至少组织 1 场考核" in refused.content.decode()
        done = _client("teo_1").post(f"/tasks/{task.task_id}/", {**REPORT, "sittings": "3"})
    assert done.status_code == 302
    assert ProgressReport.objects.get(teo=sv.teo, month=9).sittings == 3


def test_the_api_completes_the_report_and_the_decision_with_their_contracts(world):
    from tests.api.clients import api

    sv = Supervision()
    _tick_until_stable(sv, "2026-10-01 08:00")
    with at("2026-10-02 10:00"):
        listed = api("ministry").get("/api/v1/tasks/").json()["results"]
        assert [t["task_name"] for t in listed] == ["decide_yellow_card"]
        report = api("teo_1").post(f"/api/v1/tasks/{sv.task('report_progress').task_id}/complete/",
                                   {"data": REPORT}, format="json")
        assert report.status_code == 200, report.json()
        refused = api("ministry").post(f"/api/v1/tasks/{sv.task('decide_yellow_card').task_id}/complete/",
                                       {"data": {"decision": "show"}}, format="json")
        assert refused.status_code >= 400 and refused.json()["rule"] == "reasons_required"
        shown = api("ministry").post(f"/api/v1/tasks/{sv.task('decide_yellow_card').task_id}/complete/",
                                     {"data": SHOW}, format="json")
    assert shown.status_code == 200, shown.json()
    assert standing(sv.teo) == Standing.State.YELLOW_CARD


def test_the_command_and_the_demo_start_each_teos_supervision_once(world):
    from io import StringIO

    from django.core.management import call_command

    from tryout.demo import load_demo_supervision

    out = StringIO()
    with at("2026-08-20 09:00"):
        call_command("start_supervision", year=YEAR, stdout=out)
        assert load_demo_supervision(YEAR)
        call_command("start_supervision", stdout=StringIO())
    teos = Organization.objects.filter(kind=Organization.Kind.TEO).count()
    assert out.getvalue().strip() == f"{teos} TEO(s) under supervision for {YEAR}"
    assert ProcessInstance.objects.filter(business_key__startswith="supervision:").count() == teos
    assert TrainingSession.objects.filter(teo=teo("teo_1"), province__code="42").exists()
