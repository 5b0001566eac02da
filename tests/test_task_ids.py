"""Task ids come from the model files: every task id the code names is a user task of a model.

The tables keyed by task id (the bound actions, the contracts, the task pages' forms, the audit
trail's sentences, the finance lane's tasks) and every `task_name=` a query filters on, in any
module of the product, name a user task that bpmn/processes/ has.
"""
import ast
from pathlib import Path

from django.conf import settings

from bpmn import checks
from bpmn.hooks import HOOKS
from portal.tasks import FORMS
from workflows.audit_text import TASK_SENTENCES
from workflows.contracts import CONTRACTS
from workflows.permissions import PAYMENT_TASKS

PACKAGES = ("api", "bpmn", "notifications", "portal", "webapp", "workflows")


def _model_task_ids() -> set[str]:
    return {task for _process, task in checks.user_tasks()}


def filtered_task_names(root: Path) -> list[tuple[str, str]]:
    """Each constant a query filters `task_name` on, as (file:line, task id)."""
    found = []
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
                if isinstance(node, ast.keyword) and node.arg in ("task_name", "task_name__in"):
                    values = node.value.elts if isinstance(node.value, ast.List | ast.Tuple | ast.Set) else [node.value]
                    found += [(f"{path.relative_to(root)}:{node.value.lineno}", value.value) for value in values
                              if isinstance(value, ast.Constant) and isinstance(value.value, str)]
    return found


def test_every_table_keyed_by_task_id_names_tasks_of_the_models():
    tasks = _model_task_ids()
    assert {task for _process, task in HOOKS.actions} <= tasks
    assert {task for _process, task in CONTRACTS} <= tasks
    assert set(FORMS) - tasks == set()
    assert set(TASK_SENTENCES) - tasks == set()
    assert PAYMENT_TASKS - tasks == set()


def test_every_task_name_a_query_filters_on_is_a_task_of_the_models():
    found = filtered_task_names(Path(settings.BASE_DIR))
    assert found, "the product filters open tasks by name somewhere"
    assert [(where, task) for where, task in found if task not in _model_task_ids()] == []


def test_a_filter_on_a_task_no_model_has_is_found_with_its_line(tmp_path):
    for package in PACKAGES:
        (tmp_path / package).mkdir()
    (tmp_path / "portal" / "views.py").write_text(
        "rows = OpenTask.objects.filter(\n    task_name='release_paymnet')\nmore = Q(task_name__in=('a', x))\n")
    assert filtered_task_names(tmp_path) == [("portal/views.py:2", "release_paymnet"), ("portal/views.py:3", "a")]
