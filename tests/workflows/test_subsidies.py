"""A province allocates subsidy funds to its pilot colleges (完善分配因素，及时将有关资金拨付至试点院校).

The split by weighted factors to the fen, its adjustments with reasons, the release once the amounts
add up, who sees what, who hears of it, and what each college paid since (绩效考评).
"""
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from notifications.models import Notification
from tests.workflows.walk import college, user
from tryout.simulation import actor_for
from workflows import permissions, services, subsidies
from workflows.errors import RuleViolation
from workflows.models import (
    Certificate,
    ParticipationFiling,
    Payment,
    SubsidyAllocation,
    SubsidyFactor,
    SubsidyRound,
)

pytestmark = pytest.mark.django_db
FILED, ASSESSED, CERTIFIED, EQUAL = (SubsidyFactor.FILED_STUDENTS, SubsidyFactor.PEOPLE_ASSESSED,
                                     SubsidyFactor.CERTIFICATES_ISSUED, SubsidyFactor.EQUAL_SHARE)
HUBEI_COLLEGES = ("college_42_1", "college_42_2", "college_42_3")
TITLE = "鄂财教〔2026〕18号 1+X 证书制度试点补助资金"


def file(username: str, students: int, year: int = 2026) -> None:
    ParticipationFiling.objects.create(college=college(username), certificate=Certificate.objects.get(code="X-WEB-01"),
                                       year=year, planned_students=students,
                                       filed_at=datetime(2026, 3, 1, tzinfo=UTC), filed_by=user(username))


def filed_world() -> None:
    for username, students in zip(HUBEI_COLLEGES, (100, 200, 700), strict=True):
        file(username, students)


def opened(total="100000.00", weights=None) -> SubsidyRound:
    return subsidies.open_subsidy_round(user("finance_div_42"), 2026, TITLE, total, weights or {FILED: 100})


def shares(subsidy: SubsidyRound) -> dict[str, Decimal]:
    return {a.college.name: a.amount for a in subsidy.allocations.select_related("college")}


def refused(call) -> RuleViolation:
    with pytest.raises(RuleViolation) as caught:
        call()
    return caught.value


# --- the split ---------------------------------------------------------------------------------


def test_the_split_follows_the_weighted_factors_and_adds_up_to_the_total_to_the_fen():
    figures = {1: {FILED: 100, EQUAL: 1}, 2: {FILED: 200, EQUAL: 1}, 3: {FILED: 700, EQUAL: 1}}
    split = subsidies.split(Decimal("100000.00"), {FILED: 70, EQUAL: 30}, figures)
    # 70,000 by 1:2:7 and 30,000 in thirds
    assert split == {1: Decimal("17000.00"), 2: Decimal("24000.00"), 3: Decimal("59000.00")}


def test_the_fen_left_by_rounding_go_to_the_largest_remainders():
    split = subsidies.split(Decimal("100.00"), {EQUAL: 100}, {7: {EQUAL: 1}, 8: {EQUAL: 1}, 9: {EQUAL: 1}})
    assert split == {7: Decimal("33.34"), 8: Decimal("33.33"), 9: Decimal("33.33")}
    assert sum(split.values()) == Decimal("100.00")


def test_a_factor_no_college_has_is_refused_by_name():
    error = refused(lambda: subsidies.split(Decimal("10.00"), {ASSESSED: 100}, {1: {ASSESSED: 0}}))
    assert error.rule == "subsidy_factor_empty" and str(error.params["factor"]) == "考核人数"


@pytest.mark.parametrize("weights, rule", [
    ({}, "subsidy_weights_required"),
    ({"per_head_fee": 100}, "subsidy_factor_unknown"),
    ({FILED: 60, EQUAL: 30}, "subsidy_weights_total"),
    ({FILED: 101}, "subsidy_weight_out_of_range"),
    ({FILED: "七十"}, "subsidy_weight_out_of_range"),
    ({FILED: -10, EQUAL: 110}, "subsidy_weight_out_of_range"),
    ("filed_students", "subsidy_weights_required"),
])
def test_weights_are_known_factors_in_whole_percents_adding_up_to_100(weights, rule):
    assert refused(lambda: subsidies.weights(weights)).rule == rule


# --- the acts ----------------------------------------------------------------------------------


def test_the_finance_division_opens_a_round_and_every_college_of_the_province_gets_its_computed_share(world):
    filed_world()
    subsidy = opened(weights={FILED: 70, EQUAL: 30})
    assert subsidy.state == SubsidyRound.State.DRAFT and subsidy.weights == {FILED: 70, EQUAL: 30}
    got = shares(subsidy)
    assert got == {college("college_42_1").name: Decimal("17000.00"), college("college_42_2").name: Decimal("24000.00"),
                   college("college_42_3").name: Decimal("59000.00")}
    allocation = subsidy.allocations.get(college=college("college_42_3"))
    assert allocation.figures[FILED] == 700 and allocation.computed == allocation.amount


@pytest.mark.parametrize("who", ["reviewer_42", "college_42_1", "finance_42_1", "ministry", "teo_1"])
def test_only_a_provinces_finance_division_opens_a_round(world, who):
    filed_world()
    error = refused(lambda: subsidies.open_subsidy_round(user(who), 2026, TITLE, "1000.00", {FILED: 100}))
    assert (error.rule, error.status) == ("actor_not_allowed", 403)
    assert not SubsidyRound.objects.exists()


@pytest.mark.parametrize("field, value, rule", [
    ("title", "", "subsidy_title_required"),
    ("title", "文" * 201, "subsidy_title_required"),
    ("total", "0", "subsidy_total_positive"),
    ("total", "-5", "amount_negative"),
    ("total", "一万", "amount_malformed"),
    ("year", 2018, "participation_year_out_of_range"),
])
def test_a_bad_round_is_refused_with_its_rule_and_nothing_is_stored(world, field, value, rule):
    filed_world()
    given = {"year": 2026, "title": TITLE, "total": "1000.00", **{field: value}}
    error = refused(lambda: subsidies.open_subsidy_round(user("finance_div_42"), given["year"], given["title"],
                                                         given["total"], {FILED: 100}))
    assert error.rule == rule
    assert not SubsidyRound.objects.exists() and not SubsidyAllocation.objects.exists()


def test_an_adjusted_amount_needs_reasons_and_keeps_the_computed_one_beside_it(world):
    filed_world()
    subsidy = opened()
    allocation = subsidy.allocations.get(college=college("college_42_1"))
    error = refused(lambda: subsidies.adjust_subsidy_allocation(user("finance_div_42"), allocation.pk, "12000", ""))
    assert error.rule == "subsidy_adjustment_reasons_required"
    allocation.refresh_from_db()
    assert allocation.amount == Decimal("10000.00") and not allocation.adjusted
    subsidies.adjust_subsidy_allocation(user("finance_div_42"), allocation.pk, "12000", "新增实训基地，绩效考评优秀")
    allocation.refresh_from_db()
    assert (allocation.computed, allocation.amount, allocation.adjusted) == (Decimal("10000.00"), Decimal("12000.00"),
                                                                             True)


def test_a_round_whose_amounts_do_not_add_up_is_not_released_and_names_the_difference(world):
    filed_world()
    subsidy = opened()
    allocation = subsidy.allocations.get(college=college("college_42_1"))
    subsidies.adjust_subsidy_allocation(user("finance_div_42"), allocation.pk, "12000", "新增实训基地")
    error = refused(lambda: subsidies.release_subsidy_round(user("finance_div_42"), subsidy.pk))
    assert (error.rule, error.status, error.params["difference"]) == ("subsidy_allocations_not_total", 409,
                                                                      "2,000.00")
    other = subsidy.allocations.get(college=college("college_42_3"))
    subsidies.adjust_subsidy_allocation(user("finance_div_42"), other.pk, "68000", "调剂至武汉职业技术学院 2,000 元")
    released = subsidies.release_subsidy_round(user("finance_div_42"), subsidy.pk)
    assert released.state == SubsidyRound.State.RELEASED and released.released_by == user("finance_div_42")


def test_a_released_round_stands(world):
    filed_world()
    subsidy = subsidies.release_subsidy_round(user("finance_div_42"), opened().pk)
    allocation = subsidy.allocations.first()
    assert refused(lambda: subsidies.adjust_subsidy_allocation(user("finance_div_42"), allocation.pk, "1", "x")
                   ).rule == "subsidy_round_released"
    assert refused(lambda: subsidies.release_subsidy_round(user("finance_div_42"), subsidy.pk)
                   ).rule == "subsidy_round_released"


def test_another_provinces_finance_division_finds_no_round_of_hubei(world):
    filed_world()
    subsidy = opened()
    assert refused(lambda: subsidies.release_subsidy_round(user("finance_div_32"), subsidy.pk)).status == 404
    allocation = subsidy.allocations.first()
    assert refused(lambda: subsidies.adjust_subsidy_allocation(user("finance_div_32"), allocation.pk, "1", "x")
                   ).status == 404


def test_each_college_is_told_its_own_grant_when_the_round_is_released(world):
    filed_world()
    subsidies.release_subsidy_round(user("finance_div_42"), opened().pk)
    for username, amount in (("college_42_1", "¥10,000.00"), ("finance_42_3", "¥70,000.00")):
        [told] = Notification.objects.filter(recipient=user(username), event="subsidy_released")
        assert told.title_zh == f"补助资金已拨付：{TITLE}，本校 {amount}"
    assert not Notification.objects.filter(recipient=user("college_32_1"), event="subsidy_released").exists()


# --- who sees what ----------------------------------------------------------------------------------


def test_a_college_sees_only_released_rounds_and_only_its_own_share(world):
    filed_world()
    subsidy = opened()
    assert not permissions.visible_subsidy_rounds(user("college_42_1")).exists()
    subsidies.release_subsidy_round(user("finance_div_42"), subsidy.pk)
    assert list(permissions.visible_subsidy_rounds(user("college_42_1")).distinct()) == [subsidy]
    own = permissions.visible_subsidy_allocations(user("finance_42_1"))
    assert [a.college for a in own] == [college("college_42_1")]
    assert permissions.visible_subsidy_allocations(user("reviewer_42")).count() == 3
    assert not permissions.visible_subsidy_rounds(user("reviewer_32")).exists()
    assert permissions.visible_subsidy_rounds(user("ministry")).count() == 1


# --- 绩效考评 -----------------------------------------------------------------------------------------


def test_performance_sets_what_a_college_paid_from_public_funds_against_its_grant(hubei_filed):
    filed_world()
    subsidies.release_subsidy_round(user("finance_div_42"), opened().pk)
    agreement = hubei_filed.negotiation.agreements.get()
    services.record_assessment(user("teo_1"), agreement, college("college_42_1"), 10, held_on=services.today())
    payment = Payment.objects.get(agreement=agreement, college=college("college_42_1"))
    fiscal = payment.amount - Decimal("100.00")
    task = hubei_filed.task("release_payment")
    services.complete(task.task_id, actor_for(task), {"funding": [
        {"source": "fiscal", "amount": f"{fiscal:.2f}"}, {"source": "own", "amount": "100.00"}]})
    rows = {row["name"]: row for row in subsidies.performance(permissions.visible_subsidy_colleges(user("reviewer_42")),
                                                              agreement.year)}
    lead = rows[college("college_42_1").name]
    assert (lead["allocated"], lead["fiscal"], lead["own"], lead["public"]) == (
        Decimal("10000.00"), fiscal, Decimal("100.00"), fiscal)
    assert lead["balance"] == Decimal("10000.00") - fiscal
    assert set(rows) == {college(u).name for u in HUBEI_COLLEGES}
    mine = subsidies.performance(permissions.visible_subsidy_colleges(user("finance_42_1")), agreement.year)
    assert [row["name"] for row in mine] == [college("college_42_1").name]
