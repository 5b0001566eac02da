"""Deploy-time checks: every expression a model holds compiles under the safe evaluator.

The evaluator refuses unsafe constructs when an expression runs; these checks find the same
refusals when the files are deployed, so a bad model never becomes the latest version and
every new lifecycle fails on it. Expressions are read from the parsed SpiffWorkflow specs, where
the engine will find them, not from the XML. Loops are bounded too: a standard loop needs a
loopMaximum of at most MAX_LOOP_ROUNDS, and a multi-instance whose cardinality is a constant may
have at most MAX_INSTANCES instances.
"""

import ast
from collections.abc import Iterator
from dataclasses import dataclass

from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import MultiInstanceTask, StandardLoopTask
from SpiffWorkflow.dmn.engine.DMNEngine import DMNEngine
from SpiffWorkflow.operators import Operator

from bpmn import evaluator, parser, spiff
from bpmn.errors import ModelValidationError

# Task spec attributes holding an expression (evaluated) or a script (executed), with the
# words a refusal uses for them. Loops and multi-instances keep their completion test in
# `condition`; spiff tasks may carry pre- and post-scripts.
_EXPRESSION_ATTRIBUTES = {
    "condition": "loop/completion condition",
    "cardinality": "loop cardinality",
}
_SCRIPT_ATTRIBUTES = {"script": "script", "prescript": "pre-script", "postscript": "post-script"}
MAX_LOOP_ROUNDS = 100  # the longest loop of the real models is 30 negotiation rounds
MAX_INSTANCES = 1_000  # instances of a multi-instance with a constant cardinality


@dataclass(frozen=True)
class Expression:
    """One expression or script of a model, and where it lives."""

    file: str
    owner: str  # "process <id>" or "decision <id>"
    element: str
    what: str
    text: str
    script: bool = False

    def compile(self) -> None:
        """Refuse the expression as the evaluator would when it runs."""
        try:
            if self.script:
                evaluator.compile_script(self.text)
            else:
                evaluator.compile_expression(self.text)
        except evaluator.ExpressionError as exc:
            raise ModelValidationError(self._refusal(exc)) from None

    def _refusal(self, exc: evaluator.ExpressionError) -> str:
        where = f"{self.file}, {self.owner}, element {self.element} ({self.what})"
        if isinstance(exc, evaluator.UnsafeExpression):
            return f"模型含不安全的表达式 / model has an unsafe expression: {where}: {exc}"
        return f"模型含无效的表达式 / model has an invalid expression: {where}: {exc}"


def check_models(sources: dict[str, str], hash_: str | None = None) -> None:
    """Refuse the file set when any expression in it would be refused at run time, or a loop is unbounded."""
    for expression in model_expressions(sources, hash_):
        expression.compile()
    for process_spec in _process_specs(sources, hash_):
        _check_loops(process_spec)


def model_expressions(sources: dict[str, str], hash_: str | None = None) -> Iterator[Expression]:
    """Yield every expression of every decision and of every process and subprocess spec."""
    yield from _decision_expressions(sources)
    for process_spec in _process_specs(sources, hash_):
        yield from _process_expressions(process_spec)


def _process_specs(sources: dict[str, str], hash_: str | None) -> Iterator:
    seen = set()
    for process_id in parser.process_ids(sources):
        spec, subprocess_specs = parser.load_specs(process_id, sources, hash_)
        for process_spec in (spec, *subprocess_specs.values()):
            if process_spec.name not in seen:  # called processes recur under every caller
                seen.add(process_spec.name)
                yield process_spec


# --- loops ---------------------------------------------------------------------------------


def _check_loops(process_spec) -> None:
    for task_spec in process_spec.task_specs.values():
        where = f"{process_spec.file}, process {process_spec.name}, element {task_spec.bpmn_id or task_spec.name}"
        if isinstance(task_spec, StandardLoopTask) and not 0 < (task_spec.maximum or 0) <= MAX_LOOP_ROUNDS:
            raise ModelValidationError(
                f"模型的循环没有上限 / model has an unbounded loop: {where}: "
                f"loopMaximum must be 1 to {MAX_LOOP_ROUNDS}, it is {task_spec.maximum}"
            )
        if isinstance(task_spec, MultiInstanceTask) and isinstance(task_spec.cardinality, str):
            count = _constant(task_spec.cardinality)
            if isinstance(count, int) and count > MAX_INSTANCES:
                raise ModelValidationError(
                    f"模型的多实例过多 / model has too many instances: {where}: "
                    f"loopCardinality may be at most {MAX_INSTANCES}, it is {count}"
                )


def _constant(expression: str):
    """Return the value of an expression of constants alone, else None."""
    try:
        return evaluator.evaluate(expression, {})  # any name or function refuses here
    except evaluator.ExpressionError:
        return None


# --- processes -----------------------------------------------------------------------------


def _process_expressions(process_spec) -> Iterator[Expression]:
    owner = f"process {process_spec.name}"
    completion = getattr(process_spec, "completion_condition", None)  # ad hoc subprocesses
    if isinstance(completion, str):
        yield Expression(process_spec.file, owner, process_spec.name, "completion condition", completion)
    for task_spec in process_spec.task_specs.values():
        element = getattr(task_spec, "bpmn_id", None) or task_spec.name
        for what, text, script in _task_expressions(task_spec):
            yield Expression(process_spec.file, owner, element, what, text, script)


def _task_expressions(task_spec) -> Iterator[tuple[str, str, bool]]:
    """Yield (what, text, is_script) for each expression a task spec evaluates."""
    # Exclusive and inclusive gateways keep their outgoing flows' conditions here.
    for condition, target in getattr(task_spec, "cond_task_specs", ()):
        if isinstance(condition, Operator) and isinstance(condition.args[0], str):
            yield f"condition to {target}", condition.args[0], False
    for attribute, what in _EXPRESSION_ATTRIBUTES.items():
        if isinstance(value := getattr(task_spec, attribute, None), str):
            yield what, value, False
    for attribute, what in _SCRIPT_ATTRIBUTES.items():
        if isinstance(value := getattr(task_spec, attribute, None), str):
            yield what, value, True
    for name, param in (getattr(task_spec, "operation_params", None) or {}).items():
        if isinstance(param.get("value"), str):  # service task parameters
            yield f"parameter {name}", param["value"], False
    event_definition = getattr(task_spec, "event_definition", None)
    if event_definition is not None:
        yield from _event_expressions(event_definition)


def _event_expressions(event_definition) -> Iterator[tuple[str, str, bool]]:
    # Timers and conditional events keep their expression in `expression`; so do spiff's
    # message and signal definitions, for the payload they throw.
    if isinstance(expression := getattr(event_definition, "expression", None), str):
        yield f"{type(event_definition).__name__} expression", expression, False
    for prop in getattr(event_definition, "correlation_properties", None) or ():
        yield f"correlation {prop.name}", prop.retrieval_expression, False
    for prop in getattr(event_definition, "process_correlations", None) or ():
        yield f"process correlation {prop.name}", prop.retrieval_expression, False
    for inner in getattr(event_definition, "event_definitions", None) or ():  # multiple events
        yield from _event_expressions(inner)


# --- decisions -----------------------------------------------------------------------------


def _decision_expressions(sources: dict[str, str]) -> Iterator[Expression]:
    """Yield every cell of every decision table, as Spiff's DMN engine would evaluate it.

    Decisions are read from their files rather than through business rule tasks, so a table
    the application asks directly (workflows.caps) is checked too.
    """
    dmn_only = {name: text for name, text in sources.items() if name.endswith(".dmn")}
    if not dmn_only:
        return
    for dmn_parser in parser.build_parser(dmn_only).dmn_parsers.values():
        dmn_parser.parse()
        owner = f"decision {dmn_parser.decision.id}"
        for table in dmn_parser.decision.decisionTables:
            for element, what, text in _table_cells(table):
                yield Expression(dmn_parser.filename, owner, element, what, text)


def _table_cells(table) -> Iterator[tuple[str, str, str]]:
    for rule in table.rules:
        for entry in rule.inputEntries:
            for match in entry.lhs:
                for text in _input_cell(table, entry.input.expression, match):
                    yield entry.id, f"input entry of rule {rule.id}", text
        for entry in rule.outputEntries:
            if entry.text:
                yield entry.id, f"output entry of rule {rule.id}", entry.text


def _input_cell(table, input_expression: str | None, match: str | None) -> list[str]:
    """Return the expressions Spiff builds from an input cell: `'x' == (cell)`, `x < 5`, `? > 3`."""
    if match is None:  # "-" matches anything and is never evaluated
        return []
    # Without an input expression Spiff compares the value of a data item named by the label.
    recorder = _Recorder()
    try:
        DMNEngine(table).evaluate(input_expression or "dmninputexpr", match, recorder.task)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return [match]  # not Python at all: compiling the cell itself names the reason
    return recorder.texts


class _Recorder:
    """Stands in for the script engine: collects what the DMN engine would evaluate."""

    def __init__(self):
        self.texts: list[str] = []
        self.task = spiff.DecisionInput({}, script_engine=self)

    def validate(self, text: str) -> None:
        ast.parse(text)  # what Spiff's engine does to decide whether a cell needs `==`

    def evaluate(self, task, expression: str, external_context=None) -> bool:
        self.texts.append(expression)
        return True
