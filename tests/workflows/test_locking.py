"""Row locks take only the rows they mean to: PostgreSQL's FOR UPDATE locks every joined table's rows too."""
import ast
from pathlib import Path

from django.conf import settings

APPS = ("bpmn", "workflows", "api", "portal", "notifications")


def _chain(node: ast.AST) -> list[ast.Call]:
    """The calls of one method chain, outermost first (qs.a().b().c() -> c, b, a)."""
    calls = []
    while isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        calls.append(node)
        node = node.func.value
    return calls


def test_a_lock_on_a_query_that_joins_names_the_table_it_locks():
    # select_related joins the related tables into the locking query: without of=("self",) every
    # lifecycle step locked the shared process definition and certificate rows, and steps of six
    # lifecycles on four PostgreSQL workers deadlocked (found by tests/api/test_multiprocess.py).
    found = []
    for app in APPS:
        for path in (Path(settings.BASE_DIR) / app).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                calls = _chain(node)
                names = {call.func.attr: call for call in calls}
                lock = names.get("select_for_update")
                if lock is not None and "select_related" in names and not any(k.arg == "of" for k in lock.keywords):
                    found.append(f"{path.relative_to(settings.BASE_DIR)}:{node.lineno}")
    assert sorted(set(found)) == []
