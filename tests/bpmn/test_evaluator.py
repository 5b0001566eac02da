"""The safe evaluator: what it computes, what it refuses, and how it says so."""

import time
from decimal import Decimal

import pytest

from bpmn.evaluator import (
    MAX_NODES,
    MAX_SOURCE_CHARS,
    ExpressionError,
    UnsafeExpression,
    evaluate,
    execute,
)


def refused(expression: str, context: dict | None = None, functions=None) -> str:
    """Evaluate, expect a refusal, and return its message."""
    with pytest.raises(UnsafeExpression) as caught:
        evaluate(expression, context or {}, functions)
    return str(caught.value)


def is_bilingual(message: str) -> bool:
    has_chinese = any("\u4e00" <= char <= "\u9fff" for char in message)
    return has_chinese and " / " in message


# --- escapes ---------------------------------------------------------------------------------


def test_attribute_escape_via_class_is_refused():
    message = refused("().__class__.__base__.__subclasses__()")
    assert "表达式不允许访问属性" in message
    assert "attribute access is not allowed" in message
    assert "__class__" in message


def test_attribute_escape_via_module_in_context_is_refused():
    import random

    message = refused('random._os.popen("id")', {"random": random})
    assert "attribute access is not allowed" in message
    assert "_os" in message


def test_plain_attribute_access_is_refused():
    assert "attribute access" in refused("applicant.name", {"applicant": object()})


def test_open_is_refused():
    assert "open" in refused('open("/etc/passwd")')


def test_open_is_refused_even_when_registered():
    assert "open" in refused('open("/etc/passwd")', functions={"open": open})


def test_dunder_import_is_refused():
    assert "__import__" in refused('__import__("os")')


@pytest.mark.parametrize("name", ["exec", "eval", "getattr", "compile", "globals"])
def test_dangerous_builtin_names_are_refused(name):
    assert name in refused(f"{name}('1')")


def test_underscore_names_are_refused_even_if_in_context():
    assert "_secret" in refused("_secret", {"_secret": 1})


def test_unregistered_function_is_refused():
    assert "only registered functions may be called" in refused("launch(1)")


def test_calling_a_context_value_is_refused():
    assert "only registered functions" in refused("f(1)", {"f": print})


def test_functions_are_not_values():
    # A function name resolves only as a call target, so it cannot be handed on elsewhere.
    with pytest.raises(ExpressionError, match="name is not defined"):
        evaluate("len", {})


@pytest.mark.parametrize(
    ("expression", "construct"),
    [
        ("lambda: 1", "lambda"),
        ("[x for x in items]", "comprehensions"),
        ("{x: 1 for x in items}", "comprehensions"),
        ("sum(x for x in items)", "generator"),
        ("(y := 3)", "walrus"),
        ('f"{items}"', "f-strings"),
        ("[*items]", "star unpacking"),
        ("{**mapping}", "dict unpacking"),
        ("len(**mapping)", "keyword unpacking"),
        ("items[0]()", "only functions named directly"),
        ("1j", "literal type"),
        ("b'x'", "literal type"),
        ("items @ items", "MatMult"),
    ],
)
def test_unsupported_constructs_are_refused(expression, construct):
    context = {"items": [1, 2], "mapping": {"a": 1}}
    assert construct in refused(expression, context)


@pytest.mark.parametrize(
    ("script", "construct"),
    [
        ("import os", "imports"),
        ("from os import system", "imports"),
        ("del x", "del"),
        ("for i in x:\n    y = i", "loops"),
        ("while True:\n    y = 1", "loops"),
        ("def f():\n    return 1", "function definitions"),
        ("class A:\n    pass", "class definitions"),
        ("if x:\n    y = 1", "if statements"),
        ("a, b = 1, 2", "only plain names"),
        ("x[0] = 1", "only plain names"),
        ("x.y = 1", "attribute access"),
        ("x", "must be a function call"),
        ("_hidden = 1", "underscore"),
    ],
)
def test_unsupported_statements_are_refused(script, construct):
    with pytest.raises(UnsafeExpression, match=construct):
        execute(script, {"x": [1]})


def test_refused_script_has_no_partial_effect():
    context = {}
    with pytest.raises(UnsafeExpression):
        execute("a = 1\nb = ().__class__", context)
    assert context == {}


# --- bounds ----------------------------------------------------------------------------------


@pytest.mark.parametrize("expression", ["9**9**9**9", "10**10**10", "2 ** 1000", "2.0 ** 400"])
def test_huge_powers_are_refused_promptly(expression):
    started = time.monotonic()
    assert "power result would exceed 10**100" in refused(expression)
    assert time.monotonic() - started < 0.5


def test_power_of_context_value_beyond_float_range_is_refused():
    assert "power" in refused("2 ** n", {"n": 10**400})


def test_moderate_powers_are_computed():
    assert evaluate("10 ** 100", {}) == 10**100
    assert evaluate("2 ** -1", {}) == 0.5
    assert evaluate("rate ** 2", {"rate": Decimal("1.1")}) == Decimal("1.21")


def test_string_repetition_beyond_limit_is_refused():
    assert "repetition would produce more than 100000 items" in refused('"a" * 10**9')


def test_list_repetition_beyond_limit_is_refused():
    assert "repetition" in refused("10**6 * [0]")


def test_nested_repetition_counts_inner_items():
    assert "more than 100000 items" in refused("[[0] * 50000] * 3")


def test_display_of_shared_big_list_is_refused():
    context = {"big": [0] * 60_000}
    assert "container would hold more than 100000 items" in refused("[big, big]", context)


def test_concatenation_beyond_limit_is_refused():
    with pytest.raises(UnsafeExpression, match="concatenation"):
        execute("s = 'a' * 60000\ns += s", {})


def test_huge_products_and_shifts_are_refused():
    assert "product" in refused("10**60 * 10**60")
    assert "shift" in refused("1 << 10**6")


def test_percent_formatting_is_refused():
    assert "formatting" in refused('"%0999999999d" % 1')


def test_round_with_huge_ndigits_is_refused():
    assert "round" in refused("round(5, -10**9)")


def test_sum_of_lists_is_refused():
    assert "sum() only adds numbers" in refused("sum([[1], [2]], [])")


def test_long_source_is_refused():
    assert str(MAX_SOURCE_CHARS) in refused("1" + " + 1" * MAX_SOURCE_CHARS)


def test_too_many_nodes_is_refused():
    expression = " + ".join(["a"] * (MAX_NODES // 2))
    assert "syntax nodes" in refused(expression, {"a": 1})


def test_deep_nesting_is_refused():
    assert "nests deeper" in refused("-" * 100 + "1")


# --- the allowed subset ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("1 + 2 * 3 - 4 / 2", 5.0),
        ("7 // 2, 7 % 2, -7, +7", (3, 1, -7, 7)),
        ("'ab' + 'c'", "abc"),
        ("[1, 2] + [3]", [1, 2, 3]),
        ("{'a': 1, 'b': [2, 3]}['b'][1]", 3),
        ("{1, 2} | {3}", {1, 2, 3}),
        ("(1, 2, 3)[::-1]", (3, 2, 1)),
        ("'abcdef'[1:3]", "bc"),
        ("None is None and 1 is not None", True),
        ("'a' in 'cat' and 3 not in [1, 2]", True),
        ("'yes' if 2 > 1 else 'no'", "yes"),
        ("not 0", True),
        ("0 or '' or 'last'", "last"),
        ("1 and 2 and 3", 3),
        ("True, False, None", (True, False, None)),
    ],
)
def test_allowed_subset_computes_like_python(expression, expected):
    assert evaluate(expression, {}) == expected


def test_chained_comparison_evaluates_each_link():
    assert evaluate("1 < x <= 3 < y", {"x": 3, "y": 4}) is True
    assert evaluate("1 < x <= 3 < y", {"x": 3, "y": 3}) is False


def test_chained_comparison_stops_at_first_false_link():
    calls = []
    probe = {"probe": lambda: calls.append(1) or 0}
    assert evaluate("5 < 1 < probe()", {}, probe) is False
    assert calls == []


def test_and_does_not_evaluate_right_side_when_left_is_false():
    assert evaluate("x is not None and x['k'] > 1", {"x": None}) is False


def test_or_does_not_evaluate_right_side_when_left_is_true():
    assert evaluate("True or missing_name", {}) is True


def test_conditional_evaluates_only_the_chosen_branch():
    assert evaluate("1 if ok else 1 / 0", {"ok": True}) == 1


def test_decimal_arithmetic_and_comparison_work():
    context = {"fee": Decimal("1200.50"), "rate": Decimal("0.9"), "cap": 1100}
    assert evaluate("fee * rate", context) == Decimal("1080.450")
    assert evaluate("fee * rate < cap", context) is True
    assert evaluate("round(fee * rate, 1)", context) == Decimal("1080.4")
    assert evaluate("max(fee, cap) - min(fee, cap)", context) == Decimal("100.50")


def test_safe_builtins_are_callable_with_keywords():
    context = {"items": [3, 1, 2]}
    assert evaluate("sorted(items, reverse=True)", context) == [3, 2, 1]
    assert evaluate("len(items), sum(items), abs(-2), any(items), all([])", context) == (
        3,
        6,
        2,
        True,
        True,
    )
    assert evaluate("int('42') + int(str(8)) + bool(1)", {}) == 51


def test_registered_functions_are_callable_with_positional_and_keyword_args():
    functions = {"fee_for": lambda students, per_head=10: students * per_head}
    assert evaluate("fee_for(30, per_head=Decimal_free)", {"Decimal_free": 2}, functions) == 60
    assert evaluate("fee_for(3)", {}, functions) == 30


def test_registered_function_may_shadow_a_builtin():
    assert evaluate("len('abc')", {}, {"len": lambda value: -1}) == -1


def test_expression_surrounding_whitespace_is_ignored():
    assert evaluate("\n   amount > 3\n  ", {"amount": 4}) is True


# --- scripts ---------------------------------------------------------------------------------


def test_script_assigns_names_into_context():
    context = {"students": 40}
    execute("fee = students * 25\nlabel = 'big' if fee > 500 else 'small'", context)
    assert context == {"students": 40, "fee": 1000, "label": "big"}


def test_script_supports_augmented_and_multiple_assignment():
    context = {"total": 1}
    execute("total += 2\ntotal *= 10\na = b = total", context)
    assert context == {"total": 30, "a": 30, "b": 30}


def test_augmented_assignment_does_not_mutate_shared_list():
    shared = [1]
    context = {"items": shared}
    execute("items += [2]", context)
    assert context["items"] == [1, 2]
    assert shared == [1]


def test_script_may_call_registered_functions_as_statements():
    sent = []
    execute("notify('alliance', 3)", {}, {"notify": lambda *args: sent.append(args)})
    assert sent == [("alliance", 3)]


def test_indented_script_is_dedented():
    context = {}
    execute("\n    a = 1\n    b = a + 1\n", context)
    assert context == {"a": 1, "b": 2}


def test_empty_script_does_nothing():
    context = {"a": 1}
    execute("", context)
    assert context == {"a": 1}


# --- errors ----------------------------------------------------------------------------------


def test_missing_name_is_a_bilingual_expression_error_naming_it():
    with pytest.raises(ExpressionError) as caught:
        evaluate("amount > 3", {})
    assert not isinstance(caught.value, UnsafeExpression)
    assert "名称未定义 / name is not defined: amount" in str(caught.value)


def test_errors_are_value_errors():
    assert issubclass(ExpressionError, ValueError)
    assert issubclass(UnsafeExpression, ExpressionError)


@pytest.mark.parametrize(
    ("expression", "english"),
    [
        ("1 / 0", "division by zero"),
        ("{'a': 1}['b']", "key not found"),
        ("[1][5]", "index out of range"),
        ("'a' < 1", "type error"),
        ("min([])", "expression evaluation failed"),
        ("amount >", "syntax error"),
    ],
)
def test_runtime_errors_are_bilingual_expression_errors(expression, english):
    with pytest.raises(ExpressionError) as caught:
        evaluate(expression, {})
    assert english in str(caught.value)
    assert is_bilingual(str(caught.value))


def test_every_refusal_message_is_bilingual():
    for expression in ["().__class__", "open('x')", "9**9**9", "'a' * 10**9", "lambda: 0"]:
        assert is_bilingual(refused(expression))


def test_error_from_registered_function_is_wrapped_with_its_cause():
    def boom():
        raise RuntimeError("quota exhausted")

    with pytest.raises(ExpressionError, match="quota exhausted") as caught:
        evaluate("boom()", {}, {"boom": boom})
    assert isinstance(caught.value.__cause__, RuntimeError)


def test_script_error_records_its_line_number():
    with pytest.raises(ExpressionError) as caught:
        execute("a = 1\nb = missing + 1", {})
    assert caught.value.lineno == 2


def test_non_string_expression_is_an_expression_error():
    with pytest.raises(ExpressionError, match="must be a string"):
        evaluate(None, {})
