"""Typed input read once for both edges: one rule per field and kind, the message naming the field and its bounds."""
from datetime import date

import pytest
from django.utils import translation

from workflows import inputs
from workflows.errors import RuleViolation


def _refusal(read, *args) -> RuleViolation:
    with pytest.raises(RuleViolation) as refused:
        read(*args)
    return refused.value


@pytest.mark.parametrize("raw, expected", [("12", 12), (" 7 ", 7), (3, 3), ("100000", 100_000)])
def test_a_headcount_as_a_form_types_it_or_as_json_sends_it_reads_the_same(raw, expected):
    assert inputs.headcount(raw) == expected


@pytest.mark.parametrize("raw", ["abc", "2.5", 2.5, True, "١٢", "²", [3], {"n": 3}, "9" * 19])
def test_anything_but_a_whole_number_is_headcount_not_a_number(raw):
    assert _refusal(inputs.headcount, raw).rule == "headcount_not_a_number"


def test_the_headcount_refusal_names_the_field_and_its_bounds_in_each_language():
    refusal = _refusal(inputs.headcount, "abc")
    with translation.override("en"):
        assert refusal.message == "The headcount must be a whole number from 1 to 100,000, given 'abc'."
    with translation.override("zh-hans"):
        assert refusal.message.startswith("考核人数须为1至100,000之间的整数")
    assert _refusal(inputs.headcount, None).rule == "headcount_required"


@pytest.mark.parametrize("raw", ["yesterday", "2026-02-30", "20260501", "01/05/2026", 20260501])
def test_a_date_not_as_yyyy_mm_dd_is_not_a_date(raw):
    assert _refusal(inputs.day, raw, "held_on").rule == "held_on_not_a_date"


def test_a_date_reads_from_text_or_a_date_and_missing_is_none():
    assert inputs.day("2026-05-01", "held_on") == inputs.day(date(2026, 5, 1), "held_on") == date(2026, 5, 1)
    assert inputs.day("", "held_on") is None and inputs.day(None, "held_on") is None


@pytest.mark.parametrize("raw", ["abc", "1.0", 1.0, True, [1]])
def test_an_id_that_is_not_a_whole_number_is_refused_naming_the_field(raw):
    assert _refusal(inputs.object_id, raw, "college").rule == "college_not_an_id"
    assert inputs.object_id("42", "college") == inputs.object_id(42, "college") == 42
