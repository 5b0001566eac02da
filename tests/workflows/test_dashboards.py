"""The dashboards' figures (`workflows.dashboards`): each an aggregate of the database, right and bounded in queries.

Every figure is checked against the rows it counts, on lifecycles walked through the engine; the
query count of each dashboard holds as the lifecycles behind it grow.
"""
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bpmn.models import OpenTask
from tests.workflows.walk import Walk, college, user
from tryout.simulation import actor_for
from workflows import dashboards, services
from workflows.models import (
    Alliance,
    AssessmentPlan,
    Baseline,
    Certificate,
    IssuedCertificate,
    Organization,
    ParticipationFiling,
    Payment,
    Person,
    ProgressReport,
    Province,
)

pytestmark = pytest.mark.django_db

HUBEI, JIANGSU = "42", "32"


def province(code: str) -> Province:
    return Province.objects.get(code=code)


def day(n: int, hour: int = 10):
    """Day n of a month of negotiating, from 2026-03-01, Beijing morning."""
    return time_machine.travel(datetime(2026, 3, 1, hour - 8, tzinfo=UTC) + timedelta(days=n), tick=False)


def jiangsu_web(counter_fee=None) -> Walk:
    """X-WEB-01 negotiated and verified in Jiangsu too (college_32_1 leading), at a fee of its own."""
    walk = Walk("X-WEB-01", lead="college_32_1", invite=("college_32_2", "college_32_3"))
    walk.form()
    walk.agree(counter_fee)
    walk.verify()
    return walk


def by_key(rows: list[dict]) -> dict:
    return {row["key"]: row["certificates"] for row in rows}


# --- a province --------------------------------------------------------------------------------


def test_coverage_counts_every_certificate_once_by_how_far_the_province_has_come(hubei):
    hubei.form()
    hubei.agree()
    before = by_key(dashboards.coverage(province(HUBEI).pk))
    assert sum(before.values()) == Certificate.objects.count()
    assert before["verifying"] == 1  # X-WEB-01's baseline is pending
    hubei.verify()
    after = by_key(dashboards.coverage(province(HUBEI).pk))
    assert (after["verified"], after["verifying"]) == (1, 0)
    assert sum(after.values()) == Certificate.objects.count()
    assert by_key(dashboards.coverage(province(JIANGSU).pk))["verified"] == 0


def test_each_verified_baseline_is_shown_with_its_cap_and_the_share_it_takes(hubei_filed):
    [row] = dashboards.baselines_against_caps(province(HUBEI).pk)
    baseline = Baseline.objects.get(province__code=HUBEI, state=Baseline.State.VERIFIED)
    assert (row["code"], row["fee"], row["cap"]) == ("X-WEB-01", baseline.fee, baseline.cap)
    assert row["share"] == round(baseline.fee * 100 / baseline.cap, 1)
    assert dashboards.baselines_against_caps(province(JIANGSU).pk) == []


def test_spells_give_the_median_and_the_slowest_from_first_offer_to_agreement_and_on_to_verification(world):
    first = Walk()
    second = Walk(lead="college_42_2", invite=("college_42_3",))
    with day(0):
        first.form()
        second.form(accept=(True,))
    with day(1):  # the published fee is offered: round 1
        first.do("screen_services", {"training_content": "师资培训 5 天"})
        second.do("screen_services", {"training_content": "师资培训 5 天"})
    with day(3):
        first.do("alliance_responds", {"decision": "accept"})
    with day(7):
        second.do("alliance_responds", {"decision": "accept"})
    with day(8):
        first.verify()
    spells = dashboards.spells(province(HUBEI).pk)
    agreed = spells["offer_to_agreement"]
    assert (agreed.count, agreed.median, agreed.slowest) == (2, timedelta(days=4), timedelta(days=6))
    assert agreed.slowest_of == f"{second.negotiation.alliance.name} × X-WEB-01"
    verified = spells["agreement_to_verification"]
    assert (verified.count, verified.median_days, verified.slowest_days) == (1, 5.0, 5.0)
    assert dashboards.spells(province(JIANGSU).pk)["offer_to_agreement"].count == 0


def test_payments_by_college_count_and_sum_what_is_due_and_what_was_released(hubei_filed):
    agreement = hubei_filed.negotiation.agreements.get()
    services.record_assessment(user("teo_1"), agreement, college("college_42_1"), 10, held_on=services.today())
    services.record_assessment(user("teo_1"), agreement, college("college_42_2"), 4, held_on=services.today())
    released = Payment.objects.get(agreement=agreement, college=college("college_42_1"))
    task = OpenTask.objects.get(task_name="release_payment", organization_id=released.college_id)
    funding = {"funding": [{"source": "own", "amount": f"{released.amount:.2f}"}]}
    services.complete(task.task_id, actor_for(task), funding)
    rows = {row["college_name"]: row for row in dashboards.payments_by_college(province(HUBEI).pk)}
    due = Payment.objects.get(agreement=agreement, college=college("college_42_2"))
    assert rows[college("college_42_1").name] == {
        "college_id": released.college_id, "college_name": college("college_42_1").name, "due": 0, "released": 1,
        "due_amount": Decimal("0.00"), "released_amount": released.amount}
    assert (rows[college("college_42_2").name]["due"], rows[college("college_42_2").name]["due_amount"]) == (
        1, due.amount)
    assert due.amount == agreement.fee * 4


def test_colleges_show_their_filed_plan_beside_the_people_assessed_and_certified(certificates):
    lead = college("college_42_1")
    ParticipationFiling.objects.create(college=lead, certificate=Certificate.objects.get(code="X-WEB-01"), year=2026,
                                       planned_students=120, filed_at=datetime(2026, 3, 1, tzinfo=UTC),
                                       filed_by=user("college_42_1"))
    rows = {row["name"]: row for row in dashboards.assessed_against_plans(province(HUBEI).pk)}
    assert {k: rows[lead.name][k] for k in ("planned", "assessed", "certified")} == {
        "planned": 120, "assessed": 2, "certified": IssuedCertificate.objects.filter(sitting__college=lead).count()}
    assert rows[lead.name]["certified"] == 2
    assert all(rows[name]["assessed"] == 0 for name in rows if name != lead.name)


def _plan(teo: Organization, province_code: str, month: int = 9) -> None:
    AssessmentPlan.objects.create(teo=teo, province=province(province_code), year=2026, month=month, sittings=2,
                                  headcount=80, submitted_by=user("teo_1"),
                                  submitted_at=datetime(2026, 8, 1, tzinfo=UTC))


def _report(teo: Organization, month: int, late: bool = False) -> None:
    ProgressReport.objects.create(teo=teo, year=2026, month=month, training_sessions=1, sittings=1, assessed=30,
                                  certified=20, submitted_by=user("teo_1"),
                                  submitted_at=datetime(2026, month % 12 + 1, 3, tzinfo=UTC), late=late)


def test_a_teo_at_work_in_the_province_is_flagged_for_a_missed_report_and_not_once_it_reported(world):
    teo_1 = Person.objects.get(user__username="teo_1").organization
    _plan(teo_1, HUBEI)
    with time_machine.travel(datetime(2026, 11, 15, tzinfo=UTC), tick=False):  # September's report has closed
        [row] = [r for r in dashboards.flagged_teos(province(HUBEI).pk, 2026) if r["pk"] == teo_1.pk]
        assert (row["missed"], row["late"], row["planned_headcount"], row["standing_state"]) == (1, 0, 80, "active")
        _report(teo_1, 9)
        assert teo_1.pk not in {r["pk"] for r in dashboards.flagged_teos(province(HUBEI).pk, 2026)}
        _report(teo_1, 10, late=True)
        [row] = [r for r in dashboards.flagged_teos(province(HUBEI).pk, 2026) if r["pk"] == teo_1.pk]
        assert (row["missed"], row["late"], row["reports"], row["reported_assessed"]) == (0, 1, 2, 60)


def test_a_teo_with_no_plan_nor_negotiation_in_the_province_is_on_the_dashboard_of_its_own_only(world):
    newcomer = Organization.objects.create(name="新设培训评价组织", kind=Organization.Kind.TEO)
    _plan(newcomer, JIANGSU)
    with time_machine.travel(datetime(2026, 11, 15, tzinfo=UTC), tick=False):
        assert newcomer.pk not in {r["pk"] for r in dashboards.flagged_teos(province(HUBEI).pk, 2026)}
        assert newcomer.pk in {r["pk"] for r in dashboards.flagged_teos(province(JIANGSU).pk, 2026)}


# --- the nation --------------------------------------------------------------------------------


def test_the_spread_of_a_certificate_is_its_lowest_and_highest_verified_fee_across_provinces(hubei_filed):
    hubei_fee = Baseline.objects.get(province__code=HUBEI, state=Baseline.State.VERIFIED).fee
    jiangsu = jiangsu_web(counter_fee=hubei_fee - 20)
    [row] = dashboards.fee_spread()
    assert (row["code"], row["provinces"], row["lowest"], row["highest"], row["spread"]) == (
        "X-WEB-01", 2, hubei_fee - 20, hubei_fee, Decimal("20.00"))
    assert [(r["province_name"], r["fee"]) for r in dashboards.fees_by_province()] == [
        (jiangsu.negotiation.alliance.province.name, hubei_fee - 20), (province(HUBEI).name, hubei_fee)]


def test_the_reviewer_compares_with_the_same_certificate_in_the_other_provinces_only(hubei_filed):
    hubei_fee = Baseline.objects.get(province__code=HUBEI, state=Baseline.State.VERIFIED).fee
    certificate = Certificate.objects.get(code="X-WEB-01")
    assert dashboards.other_provinces(certificate.pk, province(HUBEI).pk) == []
    [row] = dashboards.other_provinces(certificate.pk, province(JIANGSU).pk)
    assert (row["province_name"], row["fee"]) == (province(HUBEI).name, hubei_fee)


def test_the_national_counts_are_the_rows_they_count(certificates):
    counts = dashboards.national_counts()
    assert counts == {
        "teos": Organization.objects.filter(kind="teo").count(), "certificates": Certificate.objects.count(),
        "alliances": Alliance.objects.filter(state="formed").count(), "agreements": 1, "people_assessed": 2,
        "certificates_issued": 2, "paid": Decimal("0.00")}


def test_the_supervision_board_lists_every_teo_with_its_plan_and_progress(world):
    teo_1 = Person.objects.get(user__username="teo_1").organization
    _plan(teo_1, HUBEI, month=10)
    _report(teo_1, 9)
    with time_machine.travel(datetime(2026, 12, 2, tzinfo=UTC), tick=False):
        board = {row["pk"]: row for row in dashboards.supervision_board(2026)}
    assert set(board) == set(Organization.objects.filter(kind="teo").values_list("pk", flat=True))
    planned = sum(AssessmentPlan.objects.filter(teo=teo_1, year=2026).values_list("headcount", flat=True))
    assert (board[teo_1.pk]["planned_headcount"], board[teo_1.pk]["reports"], board[teo_1.pk]["missed"]) == (
        planned, 1, 1)


# --- bounded ---------------------------------------------------------------------------------


def _queries(call) -> int:
    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured)


def test_each_dashboard_takes_the_same_queries_whatever_the_lifecycles_behind_it(hubei_filed):
    hubei_id = province(HUBEI).pk
    before = (_queries(lambda: dashboards.province_dashboard(hubei_id, 2026)),
              _queries(lambda: dashboards.ministry_dashboard(2026)))
    jiangsu_web()
    neighbours = Walk(lead="college_42_2", invite=("college_42_3",))
    neighbours.form(accept=(True,))
    neighbours.agree()
    agreement = hubei_filed.negotiation.agreements.get()
    services.record_assessment(user("teo_1"), agreement, college("college_42_2"), 6, held_on=services.today())
    after = (_queries(lambda: dashboards.province_dashboard(hubei_id, 2026)),
             _queries(lambda: dashboards.ministry_dashboard(2026)))
    assert after == before
    assert before[0] <= 14 and before[1] <= 12
