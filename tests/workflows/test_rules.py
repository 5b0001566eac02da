"""The fee rules as pure functions: each refusal names the rule and the numbers."""
from decimal import Decimal

import pytest
from django.utils import translation

from workflows import roles, rules
from workflows.errors import RuleViolation
from workflows.funding import FundingPurpose
from workflows.money import from_fen, parse_amount, to_fen, yuan


def test_fee_above_cap_is_refused_with_rule_and_numbers():
    with pytest.raises(RuleViolation) as refusal:
        rules.check_fee_cap("computer", Decimal("301.00"), Decimal("300.00"))
    assert refusal.value.rule == "fee_cap_2357"
    assert "机考 上限 300.00 元/人次，拟定 301.00 元" in refusal.value.message
    assert refusal.value.params == {"mode": roles.EXAM_NAMES["computer"], "cap": Decimal("300.00"),
                                    "proposed": Decimal("301.00")}
    with translation.override("en"):
        assert refusal.value.message == (
            "The computer-based exam cap is 300.00 CNY per person per sitting; proposed 301.00.")


@pytest.mark.parametrize(
    "mode,cap", [("paper", "200"), ("computer", "300"), ("practical_general", "500"),
                 ("practical_special", "700")]
)
def test_fee_equal_to_cap_is_allowed(mode, cap):
    rules.check_fee_cap(mode, Decimal(cap), Decimal(cap))


def test_fee_one_cent_above_paper_cap_is_refused():
    with pytest.raises(RuleViolation, match="纸笔考试 上限 200.00 元/人次，拟定 200.01 元"):
        rules.check_fee_cap("paper", Decimal("200.01"), Decimal("200.00"))


def test_cost_lines_must_sum_to_fee():
    rules.check_lines_sum(Decimal("100.00"), [Decimal("60.00"), Decimal("40.00")])
    with pytest.raises(RuleViolation) as refusal:
        rules.check_lines_sum(Decimal("100.00"), [Decimal("60.00"), Decimal("39.99")])
    assert refusal.value.rule == "cost_lines_sum"
    assert "99.99" in refusal.value.message and "100.00" in refusal.value.message


@pytest.mark.parametrize(
    "raw,rule",
    [
        (None, "amount_required"),
        ("", "amount_required"),
        ("-1.00", "amount_negative"),
        ("abc", "amount_malformed"),
        ("NaN", "amount_malformed"),
        ("Infinity", "amount_malformed"),
        ("1e12", "amount_malformed"),
        ("100000000.01", "amount_too_large"),
        ("1.001", "amount_precision"),
        ([1.5], "amount_not_decimal"),
        (True, "amount_not_decimal"),
    ],
)
def test_bad_amounts_are_refused_with_their_rule(raw, rule):
    with pytest.raises(RuleViolation) as refusal:
        parse_amount(raw)
    assert refusal.value.rule == rule
    assert "金额" in refusal.value.message  # the page's language, Chinese by default
    with translation.override("en"):
        assert refusal.value.message.isascii()


def test_amounts_are_decimal_with_two_places():
    assert parse_amount("12.5") == Decimal("12.50")
    assert parse_amount(" 1,234.50 ") == Decimal("1234.50")
    assert parse_amount(7) == Decimal("7.00")
    assert str(parse_amount("3")) == "3.00"


def test_fen_round_trip_is_exact():
    for value in ["0.01", "199.99", "700.00", "12345678.90"]:
        assert from_fen(to_fen(Decimal(value))) == Decimal(value)
    assert yuan(Decimal("1234.5")) == "¥1,234.50"


def test_uniformity_reports_none_same_conflict():
    assert rules.uniformity(None, Decimal("150.00")) == "none"
    assert rules.uniformity(Decimal("150.00"), Decimal("150.00")) == "same"
    assert rules.uniformity(Decimal("150.00"), Decimal("160.00")) == "conflict"


def test_second_different_baseline_in_province_is_refused():
    with pytest.raises(RuleViolation) as refusal:
        rules.check_uniformity("湖北省", "Web 前端开发", Decimal("150.00"), Decimal("160.00"))
    assert refusal.value.rule == "one_standard_per_province"
    assert "150.00" in refusal.value.message and "160.00" in refusal.value.message
    assert refusal.value.status == 409


def test_payment_is_fee_times_headcount():
    assert rules.payment_amount(Decimal("180.00"), 37) == Decimal("6660.00")
    assert rules.payment_amount(Decimal("180.00"), 0) == Decimal("0.00")
    for bad in (-1, 2.5, "3", True):
        with pytest.raises(RuleViolation):
            rules.payment_amount(Decimal("180.00"), bad)


@pytest.mark.parametrize("purpose", sorted(rules.FORBIDDEN_SPECIAL_FUND_USES))
def test_special_funds_refuse_forbidden_uses(purpose):
    with pytest.raises(RuleViolation) as refusal:
        rules.check_special_fund_use("special", purpose)
    assert refusal.value.rule == "special_fund_forbidden_use"
    assert "专项资金不得用于" in refusal.value.message


def test_other_sources_may_pay_any_purpose_and_special_may_pay_assessment():
    rules.check_special_fund_use("own", "management_fee")
    rules.check_special_fund_use("special", "assessment_fee")


@pytest.mark.parametrize("spelling", ["管理费", "偿还债务", "management_fee", "debt_repayment", "管理经费",
                                      "Management fee", "  Debt   repayment ", "INTEREST", "提取工作经费",
                                      "利息", "弥补其他项目资金缺口"])
def test_special_funds_refuse_a_forbidden_use_whatever_its_spelling(spelling):
    with pytest.raises(RuleViolation) as refusal:
        rules.check_special_fund_use("special", spelling)
    assert refusal.value.rule == "special_fund_forbidden_use"
    assert "专项资金不得用于" in refusal.value.message


@pytest.mark.parametrize("raw", ["随便", "management", "考核", "", None, 5, ["management_fee"]])
def test_a_purpose_outside_the_vocabulary_is_refused_naming_every_allowed_purpose(raw):
    with pytest.raises(RuleViolation) as refusal:
        rules.check_special_fund_use("own", raw)
    assert refusal.value.rule == "funding_purpose_unknown"
    assert all(code in refusal.value.message for code in FundingPurpose.values)


@pytest.mark.parametrize("spelling,code", [("考核费", "assessment_fee"), ("Teacher training", "teacher_training"),
                                           ("Equipment purchase", "equipment_purchase"),
                                           ("管理费", "management_fee"), ("working_fee", "working_fee")])
def test_every_spelling_of_the_vocabulary_comes_back_as_its_code(spelling, code):
    assert rules.funding_purpose(spelling) == code
    assert rules.check_special_fund_use("own", spelling) == code


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_label_of_every_purpose_in_either_language_comes_back_as_its_code(language):
    for purpose in FundingPurpose:
        with translation.override(language):
            label = str(purpose.label)
        assert rules.funding_purpose(label) == purpose.value, label


def test_a_purpose_label_holds_one_language():
    with translation.override("zh-hans"):
        assert str(FundingPurpose.MANAGEMENT_FEE.label) == "管理经费"
    with translation.override("en"):
        assert str(FundingPurpose.MANAGEMENT_FEE.label) == "Management fee"


def test_special_funds_may_pay_only_assessment_training_and_equipment_and_others_may_pay_any():
    assert {p for p in FundingPurpose if rules.may_pay("special", p)} == {
        "assessment_fee", "teacher_training", "equipment_purchase"}
    assert rules.sources_for("management_fee") == ["fiscal", "social", "own"]
    assert rules.sources_for("teacher_training") == ["fiscal", "social", "own", "special"]


def test_allocations_must_equal_amount_never_more():
    rules.check_allocations(Decimal("100.00"), [Decimal("60.00"), Decimal("40.00")])
    with pytest.raises(RuleViolation, match="核定收费 × 实际考核人数 = 100.00 元") as refusal:
        rules.check_allocations(Decimal("100.00"), [Decimal("60.00"), Decimal("40.01")])
    assert refusal.value.rule == "payment_on_actuals"
    with translation.override("en"):
        assert "verified fee × assessed headcount = 100.00" in refusal.value.message


def test_paper_certificate_costs_at_most_40():
    rules.check_paper_certificate_price(Decimal("40.00"))
    with pytest.raises(RuleViolation, match="40"):
        rules.check_paper_certificate_price(Decimal("40.01"))
