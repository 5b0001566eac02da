"""SpiffWorkflow's script engine, wired to the safe evaluator instead of eval and exec.

Every expression Spiff evaluates goes through `SafeEnvironment`: gateway conditions, script
tasks, timer dates and durations, multi-instance settings, message correlations and DMN cells.
Functions callable from models come from this module's registry.
"""

from collections import ChainMap
from collections.abc import Callable, Mapping
from typing import Any

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment
from SpiffWorkflow.exceptions import SpiffWorkflowException

from bpmn import evaluator

_FUNCTIONS: dict[str, Callable] = {}


def register_function(name: str, func: Callable) -> Callable:
    """Make `func` callable by `name` from every expression and script; return `func`."""
    if not name.isidentifier() or name.startswith("_") or name in evaluator.DENIED_NAMES:
        raise ValueError(f"函数名不可用 / function name cannot be registered: {name!r}")
    if not callable(func):
        raise ValueError(f"只能注册可调用对象 / only callables can be registered: {name!r}")
    _FUNCTIONS[name] = func
    return func


class SafeEnvironment(BasePythonScriptEngineEnvironment):
    """Evaluate and execute with the safe evaluator; task data is the namespace."""

    def evaluate(
        self, expression: str, context: dict, external_context: Mapping | None = None
    ) -> Any:
        names, functions = self._namespace(context, external_context)
        return evaluator.evaluate(expression, names, functions)

    def execute(self, script: str, context: dict, external_context: Mapping | None = None) -> bool:
        names, functions = self._namespace(context, external_context)
        evaluator.execute(script, names, functions)
        return True  # Spiff completes a script task only when execute returns True

    def _namespace(self, context: dict, external_context: Mapping | None) -> tuple:
        """Split globals and external context into values (read-only) and functions."""
        # Spiff passes data objects (values) and DMN's `dmninputexpr` through
        # external_context, and callers may pass helper functions the same way.
        extra = {**self.globals, **(external_context or {})}
        values = {name: value for name, value in extra.items() if not callable(value)}
        functions = {name: value for name, value in extra.items() if callable(value)}
        # Assignments land in the task data (the first map); task data shadows other values.
        return ChainMap(context, values), {**_FUNCTIONS, **functions}


class SafeScriptEngine(PythonScriptEngine):
    """Spiff's engine, but a failed expression keeps the evaluator's reason in its message."""

    def evaluate(self, task, expression: str, external_context: Mapping | None = None) -> Any:
        # Spiff's own evaluate wraps errors as "Error evaluating expression '…'" and drops the
        # cause's text, which would hide the bilingual reason from users and logs.
        try:
            return self.environment.evaluate(expression, task.data, external_context)
        except SpiffWorkflowException as exc:
            exc.add_note(f"Error evaluating expression '{expression}'")
            raise
        except Exception as exc:
            raise WorkflowTaskException(
                f"Error evaluating expression '{expression}': {exc}", task=task, exception=exc
            ) from exc

    def get_error_line_number_and_content(self, script: str, err: Exception) -> tuple[int, str]:
        """Return the failing script line; Spiff's version looks for exec's '<string>' frames."""
        line_number = getattr(err, "lineno", None) or 0
        lines = script.splitlines()
        error_line = lines[line_number - 1] if 0 < line_number <= len(lines) else ""
        return line_number, error_line


def make_script_engine() -> PythonScriptEngine:
    """Return a script engine that evaluates everything with the safe evaluator."""
    return SafeScriptEngine(environment=SafeEnvironment())
