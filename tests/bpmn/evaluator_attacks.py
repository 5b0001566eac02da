"""Expressions and scripts that try to exhaust the evaluator, and a bounded process to run one in.

`python -c "from tests.bpmn.evaluator_attacks import main; main('<id>')"` builds the attack's task
data, then limits its own address space to 50 MB above what it uses and its CPU time to under
2 s more, runs the attack and prints what came of it as JSON. A breach of either bound kills the
process (SIGXCPU) or fails the attack with MemoryError, so the test that reads the output fails.
"""

import json
import math
import resource
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass, field

from bpmn import evaluator

HEADROOM_BYTES = 50 * 2**20
CPU_SECONDS = 2


@dataclass(frozen=True)
class Attack:
    source: str
    refusal: str  # the words of the bound that refuses it, with its number
    kind: str = "expression"  # or "script", or "loop": the expression evaluated again and again
    context: Callable[[], dict] = field(default=dict)

    def run(self, context: dict) -> None:
        if self.kind == "expression":
            evaluator.evaluate(self.source, context)
        elif self.kind == "script":
            evaluator.execute(self.source, context)
        else:
            with evaluator.budget():  # as the engine runs one process step
                for _ in range(10**7):
                    evaluator.evaluate(self.source, context)


ATTACKS = {
    "reported_nested_str_sorted": Attack(
        "str(sorted(str(sorted(str(sorted('a' * 100000))))))", "sorted() would produce more than 100000 items"
    ),
    "reported_over_task_data": Attack(
        "str(sorted(str(sorted(str(sorted(s))))))",
        "sorted() would produce more than 100000 items",
        context=lambda: {"s": "a" * 100_000},
    ),
    "string_repetition": Attack("'a' * 10**9", "repetition would produce more than 100000 items"),
    "string_repetition_from_data": Attack(
        "s * n", "repetition would produce more than 100000 items", context=lambda: {"s": "a", "n": 10**9}
    ),
    "power_tower": Attack("9**9**9", "power result would exceed 10**100"),
    "list_repetition": Attack("[0] * 10**9", "repetition would produce more than 100000 items"),
    "shift": Attack("1 << 10**9", "shift result would exceed 10**100"),
    "product": Attack("10**60 * 10**60", "product would exceed 10**100"),
    "huge_integer_literal": Attack("9" * 1500, "integer literal exceeds 10**100"),
    "long_string_literal": Attack(repr("a" * 1500), "string literal is longer than 1000 characters"),
    "percent_format": Attack('"%0999999999d" % 1', "string formatting with % is not allowed"),
    "deep_source_nesting": Attack("[" * 100 + "]" * 100, "nests deeper than 64 levels"),
    "deep_value_nesting": Attack(
        "a = [a]\n" * 40, "value nests deeper than 32 levels", "script", context=lambda: {"a": []}
    ),
    "long_run_of_calls": Attack(
        "n = len(sorted(s))\n" * 60,
        "one evaluation exceeded the budget of 1000000 steps",
        "script",
        context=lambda: {"s": "ab" * 2_500},
    ),
    "loop_of_evaluations": Attack(
        "len(s) + 1",
        "evaluations of one process step exceeded the budget of 1000000 steps",
        "loop",
        context=lambda: {"s": "a"},
    ),
    "str_of_nested_lists": Attack(
        "a = [0] * 20000\nb = [a, a]\nc = str(b)", "str() would produce more than 100000 characters", "script"
    ),
    "str_of_shared_nested_data": Attack(
        "str(big)", "str() would produce more than 100000 characters", context=lambda: {"big": [[0] * 300] * 300}
    ),
    "sorted_of_huge": Attack(
        "sorted(big)", "sorted() would produce more than 100000 items", context=lambda: {"big": list(range(10**6))}
    ),
    "dict_growth": Attack(
        "d = {'k0': s}\nd = d | {'k1': s}\nd = d | {'k2': s}\nd = d | {'k3': s}",
        "container would hold more than 100000 items",
        "script",
        context=lambda: {"s": "a" * 30_000},
    ),
    "concatenation_growth": Attack(
        "s = 'a' * 60000\ns += s", "concatenation would produce more than 100000 items", "script"
    ),
}


def measure(attack: Attack) -> dict:
    """Run an attack once in this process; return its refusal, steps spent and peak allocation."""
    context = attack.context()
    tracemalloc.start()
    try:
        # A counter only, except for the loop, whose own bound is the budget of one process step.
        with evaluator.budget(evaluator.MAX_ADVANCE_STEPS if attack.kind == "loop" else 10**12) as steps:
            attack.run(context)
    except evaluator.UnsafeExpression as exc:
        refusal = str(exc)
    else:
        refusal = None
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return {"refused": refusal, "steps": steps.spent, "peak_bytes": peak}


def limit_resources() -> None:
    """Allow this process 50 MB more address space and under CPU_SECONDS more CPU time."""
    with open("/proc/self/statm") as statm:
        in_use = int(statm.read().split()[0]) * resource.getpagesize()
    resource.setrlimit(resource.RLIMIT_AS, (in_use + HEADROOM_BYTES, in_use + HEADROOM_BYTES))
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu = math.ceil(usage.ru_utime + usage.ru_stime) + CPU_SECONDS - 1
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))


def main(attack_id: str) -> None:
    attack = CONTROLS.get(attack_id) or ATTACKS[attack_id]
    context = attack.context()
    limit_resources()
    try:
        attack.run(context)
    except evaluator.UnsafeExpression as exc:
        print(json.dumps({"refused": str(exc)}))
    else:
        print(json.dumps({"refused": None}))


class _Unbounded(Attack):
    """What the bounds are there to stop, run without the evaluator: the limits must stop it."""

    def run(self, context: dict) -> None:
        if self.kind == "memory":
            context["kept"] = bytearray(100 * 2**20)
        else:
            while True:
                pass


CONTROLS = {
    "control_memory": _Unbounded("", "", "memory"),
    "control_cpu": _Unbounded("", "", "cpu"),
}
