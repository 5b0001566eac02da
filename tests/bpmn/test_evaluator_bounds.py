"""Exhaustion: every attack on the evaluator's time and memory is refused within its bounds.

Each attack is refused with the bound it breaks and its number; counted in steps it stops within
the budget, its peak allocation stays under 50 MB, and run in a process limited to 50 MB more
address space and under 2 s more CPU time it is refused, not killed.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bpmn import evaluator
from bpmn.evaluator import EVALUATION_STEPS, MAX_ADVANCE_STEPS, MAX_ITEMS, MAX_STEPS, UnsafeExpression
from tests.bpmn.evaluator_attacks import ATTACKS, CONTROLS, measure

ROOT = Path(__file__).resolve().parents[2]
FIFTY_MB = 50 * 2**20


@pytest.fixture(autouse=True)
def _uncached():
    # A cached compile would hide a refusal made when the source is first compiled.
    evaluator._compiled.cache_clear()


def run_bounded(attack_id: str) -> subprocess.CompletedProcess:
    code = f"from tests.bpmn.evaluator_attacks import main; main({attack_id!r})"
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("attack_id", ATTACKS)
def test_attack_is_refused_naming_its_bound_within_the_step_budget_and_50_mb(attack_id):
    attack = ATTACKS[attack_id]
    outcome = measure(attack)
    assert outcome["refused"] is not None, f"{attack_id} was not refused"
    assert attack.refusal in outcome["refused"]
    assert " / " in outcome["refused"]  # Chinese / English
    limit = MAX_ADVANCE_STEPS if attack.kind == "loop" else MAX_STEPS + EVALUATION_STEPS
    assert outcome["steps"] <= limit + MAX_ITEMS  # the last charge may pass the limit by one value
    assert outcome["peak_bytes"] < FIFTY_MB


@pytest.mark.parametrize("attack_id", ATTACKS)
def test_attack_is_refused_in_a_process_bounded_to_50_mb_and_2_s_of_cpu(attack_id):
    finished = run_bounded(attack_id)
    assert finished.returncode == 0, finished.stderr[-2000:]  # SIGXCPU or MemoryError fails here
    refused = json.loads(finished.stdout)["refused"]
    assert refused is not None and ATTACKS[attack_id].refusal in refused


@pytest.mark.parametrize("control_id", CONTROLS)
def test_the_process_bounds_stop_what_breaks_them(control_id):
    # Proves the bounded process above can fail: 100 MB at once, or a busy loop, is stopped.
    finished = run_bounded(control_id)
    assert finished.returncode != 0 and "refused" not in finished.stdout


@pytest.mark.parametrize(
    "source",
    [
        "str(sorted(str(sorted(str(sorted('a' * 100000))))))",
        "'a' * 10**9",
        "9**9**9",
        "[0] * 10**9",
        "x if flag else [[0] * 1000] * 1000",
        "9" * 200,
        repr("a" * 1001),
    ],
)
def test_constant_parts_breaking_a_bound_are_refused_when_compiled(source):
    with pytest.raises(UnsafeExpression):
        evaluator.compile_expression(source)


def test_constant_parts_that_fail_otherwise_are_left_to_run_time():
    evaluator.compile_expression("1 / 0 if flag else min([])")  # a branch may never run


def test_values_up_to_the_bounds_are_built():
    assert len(evaluator.evaluate("'a' * 100000", {})) == MAX_ITEMS
    assert evaluator.evaluate("len(sorted(s))", {"s": "ba" * 25_000}) == 50_000
    assert evaluator.evaluate("str([1, 'a'])", {}) == "[1, 'a']"
    context = {"a": []}
    evaluator.execute("a = [a]\n" * 30, context)  # 31 levels with the innermost list


def test_a_registered_function_is_held_to_the_size_of_what_it_returns():
    functions = {"leak": lambda: "x" * (MAX_ITEMS + 1)}
    with pytest.raises(UnsafeExpression, match="string would be longer than 100000 characters"):
        evaluator.evaluate("leak()", {}, functions)


def test_evaluations_outside_a_shared_budget_each_have_their_own():
    for _ in range(MAX_ADVANCE_STEPS // EVALUATION_STEPS + 10):
        evaluator.evaluate("1 + 1", {})


def test_an_enclosing_budget_is_shared_by_the_budgets_inside():
    with evaluator.budget(10_000) as outer, evaluator.budget() as inner:
        assert inner is outer
        evaluator.evaluate("1 + 1", {})
    assert outer.spent == EVALUATION_STEPS + 4  # Expression body: BinOp, two constants, and the result
