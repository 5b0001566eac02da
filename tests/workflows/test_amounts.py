"""Amounts mean what a clerk wrote: ASCII digits, commas between thousands, at most two decimals."""
import json
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import translation

from tests.api.test_one_door import Case, _api_answer, _certificate, _portal_answer
from workflows.errors import RuleViolation
from workflows.models import FeeSchedule
from workflows.money import parse_amount


def _refusal(raw, field="fee") -> RuleViolation:
    with pytest.raises(RuleViolation) as refused:
        parse_amount(raw, field)
    return refused.value


@pytest.mark.parametrize("raw, amount", [
    ("1,234.50", "1234.50"), (" 1,234.5 ", "1234.50"), ("1,234,567", "1234567.00"), ("100", "100.00"),
    ("0", "0.00"), ("0.5", "0.50"), ("1234.56", "1234.56"), ("100,000,000.00", "100000000.00"),
    (7, "7.00"), (0, "0.00"), (12.5, "12.50"), (0.1, "0.10"), (199.99, "199.99"),
])
def test_ascii_digits_with_thousands_groups_and_two_decimals_are_read_exactly(raw, amount):
    assert parse_amount(raw) == Decimal(amount)
    assert str(parse_amount(raw)) == amount


@pytest.mark.parametrize("raw", [
    "1,50", "12,34", ",100", "1,2345", "1234,567", "0,100", "1,,234", "1,234,", "1.234,50",
    "１００", "١٢٣", "۱۲۳", "१२३", "²", "1²", "٣.٥٠",
    "1e3", "1E3", "1e-2", "NaN", "nan", "Infinity", "-Infinity", "inf", "sNaN",
    "1 000", "1\u2009000", "1\u00a0000", "1. 5", "- 1", "+5", "1.", ".5", "abc", "0x10", "1_000", "¥100",
    float("nan"), float("inf"), float("-inf"),
])
def test_anything_else_is_refused_as_malformed(raw):
    assert _refusal(raw).rule == "amount_malformed"


@pytest.mark.parametrize("raw", ["-0", "-0.00", "-1.00", "-1,234.50", -0.0, -1, -0.01])
def test_negative_amounts_and_minus_zero_are_refused(raw):
    assert _refusal(raw).rule == "amount_negative"


@pytest.mark.parametrize("raw", ["1.001", "0.005", 1.005, 0.001, 1e-05])
def test_more_than_two_decimals_are_refused_in_text_and_in_json_numbers(raw):
    assert _refusal(raw).rule == "amount_precision"


@pytest.mark.parametrize("raw", ["100000000.01", 100_000_001, 1e16, "9" * 5000])
def test_absurdly_large_amounts_are_refused(raw):
    assert _refusal(raw).rule == "amount_too_large"


@pytest.mark.parametrize("raw", [True, False, [1], {"yuan": 1}])
def test_values_that_are_not_text_or_numbers_are_refused(raw):
    assert _refusal(raw).rule == "amount_not_decimal"


def test_the_malformed_refusal_names_the_field_and_what_was_typed_in_each_language():
    refusal = _refusal("1,50", "paper copy price")
    with translation.override("en"):
        assert refusal.message == ("The paper copy price must be written in ASCII digits, with commas only between "
                                   "groups of three and at most two decimals after a dot (1,234.50); given '1,50'.")
    with translation.override("zh-hans"):
        assert "paper copy price" in refusal.message and "'1,50'" in refusal.message
        assert "半角数字" in refusal.message


# --- both edges: a schedule published with such a fee is refused, and none is stored ------------


def _publish(fee: str, json_fee=None) -> tuple:
    def form(ids):
        return "/schedules/", {"certificate": ids["certificate"], "fee": fee, "paper_copy_price": "30.00",
                               "line_question_bank": fee, "services": "考核"}

    def body(ids):
        sent = fee if json_fee is None else json_fee
        return "/api/v1/fee-schedules/", {"certificate_id": ids["certificate"], "fee": sent,
                                          "lines": {"question_bank": sent}, "paper_copy_price": "30.00",
                                          "services": ["考核"]}
    return form, body


EDGE_CASES = [
    Case("publish_schedule", "a fee with a comma for a dot", "teo_1", _certificate, *_publish("1,50"),
         "amount_malformed", 400),
    Case("publish_schedule", "a fee in full-width digits", "teo_1", _certificate, *_publish("１００"),
         "amount_malformed", 400),
    Case("publish_schedule", "a fee in Arabic-Indic digits", "teo_1", _certificate, *_publish("١٢٣"),
         "amount_malformed", 400),
    Case("publish_schedule", "a fee with an exponent", "teo_1", _certificate, *_publish("1e2"),
         "amount_malformed", 400),
    Case("publish_schedule", "a fee of minus zero", "teo_1", _certificate, *_publish("-0", json_fee=-0.0),
         "amount_negative", 400),
    Case("publish_schedule", "a JSON fee with three decimals", "teo_1", _certificate,
         *_publish("100.001", json_fee=100.001), "amount_precision", 400),
]


@pytest.mark.django_db
@pytest.mark.parametrize("case", EDGE_CASES, ids=str)
def test_a_malformed_fee_is_refused_on_the_page_and_over_the_api_and_nothing_is_published(hubei, case):
    ids = case.state(hubei)
    before = FeeSchedule.objects.count()
    assert _portal_answer(case, ids) == (case.rule, case.status), "portal"
    assert _api_answer(case, ids) == (case.rule, case.status), "api"
    assert FeeSchedule.objects.count() == before


# --- the release form's running total reads amounts as the server does ----------------------

FUNDING_JS = Path(__file__).resolve().parents[2] / "portal" / "static" / "portal" / "funding.js"
TYPED = ["1,234.50", "1,50", "12,34", ",100", "１００", "١٢٣", "1e3", "1 000", "-0", "1.", "0.5", "12.345", "700"]


@pytest.mark.skipif(shutil.which("node") is None, reason="no node to run the page script")
def test_the_running_total_script_refuses_exactly_what_the_server_refuses():
    script = (f"const f = require({json.dumps(str(FUNDING_JS))});"
              f"console.log(JSON.stringify({json.dumps(TYPED)}.map(f.fen)));")
    shown = json.loads(subprocess.run(["node", "-e", script], capture_output=True, text=True, check=True).stdout)
    for typed, fen in zip(TYPED, shown, strict=True):
        try:
            expected = int(parse_amount(typed) * 100)
        except RuleViolation:
            expected = None
        assert fen == expected, typed


def test_the_services_name_each_amount_in_the_language_the_refusal_is_read_in(hubei):
    from workflows import rules
    from workflows.proposals import validated_offer

    with pytest.raises(RuleViolation) as fee:
        validated_offer(hubei.negotiation, "1,50", {})
    with pytest.raises(RuleViolation) as line:
        rules.parse_lines({"question_bank": "１００"}, ["question_bank"])
    with translation.override("zh-hans"):
        assert "考核费用" in fee.value.message and "成本项 question_bank" in line.value.message
    with translation.override("en"):
        assert "assessment fee" in fee.value.message and "cost line question_bank" in line.value.message
