"""The packages import in one direction: engine <- domain <- notifications <- edges <- tryout.

bpmn (the engine) imports nothing of the product; workflows (the domain) imports only the engine;
notifications hears the domain; the edges (api, portal, webapp, documents) serve all of it; tryout (the demo
world, the simulation, the benchmarks) may use everything and nothing of the product imports it.
Every import counts, at the top of a module or inside a function.
"""
import ast
from pathlib import Path

from django.conf import settings

# A package may import its own rank and the ranks below it.
RANKS = {"bpmn": 0, "workflows": 1, "notifications": 2, "api": 3, "portal": 3, "webapp": 3, "documents": 3,
         "tryout": 4}


def imports_against_the_direction(root: Path) -> list[str]:
    """Each import of a higher-ranked package from a lower one, as `file:line imports package`."""
    found = []
    for package, rank in RANKS.items():
        for path in sorted((root / package).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
                for name in _imported(node):
                    top = name.split(".")[0]
                    if RANKS.get(top, -1) > rank:
                        found.append(f"{path.relative_to(root)}:{node.lineno} imports {name}")
    return found


def _imported(node) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
        return [node.module]
    return []


def test_no_package_imports_against_the_direction_of_the_layers():
    assert imports_against_the_direction(Path(settings.BASE_DIR)) == []


def test_every_package_of_the_product_has_a_rank():
    root = Path(settings.BASE_DIR)
    packages = {path.parent.name for path in root.glob("*/__init__.py")} - {"tests"}
    assert packages == set(RANKS)


def test_an_engine_module_importing_the_domain_is_named_with_its_line(tmp_path):
    for package in RANKS:
        (tmp_path / package).mkdir()
    (tmp_path / "bpmn" / "engine.py").write_text("import json\n\n\ndef f():\n    from workflows.models import Role\n")
    (tmp_path / "workflows" / "models.py").write_text("from notifications import delivery\nimport bpmn.engine\n")
    assert imports_against_the_direction(tmp_path) == [
        "bpmn/engine.py:5 imports workflows.models", "workflows/models.py:1 imports notifications"]
