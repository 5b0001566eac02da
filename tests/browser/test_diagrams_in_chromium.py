"""The README's pictures of the process models are bpmn-js's own drawing of the committed model files.

Each picture is what the process page draws: the vendored viewer, the model's names in the
default language, lanes named for who handles them (`names.translated_xml`, as the page gives
it), saved with bpmn-js's `saveSVG`. An expanded subprocess also gets a picture of its own, the
same drawing cut to its frame. The drawing depends on the file and the fonts (scripts/install-
browser installs them); the only random part, bpmn-js's marker ids, is numbered in order here.
A picture that differs from the committed one fails; `make diagrams` writes them all again.
"""
import os
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from bpmn import names, parser
from workflows.roles import lane_label

pytestmark = pytest.mark.browser

ROOT = Path(settings.BASE_DIR)
DIAGRAMS = ROOT / "docs" / "diagrams"
WRITE = os.environ.get("XCERT_WRITE_DIAGRAMS") == "1"
FRAME_MARGIN = 10

DRAW = """async (xml) => {
  const viewer = new BpmnJS({container: document.getElementById("diagram")});
  const {warnings} = await viewer.importXML(xml);
  const {svg} = await viewer.saveSVG();
  const frames = viewer.get("elementRegistry")
    .filter((e) => e.type === "bpmn:SubProcess" && e.di.isExpanded)
    .map((e) => ({id: e.id, x: e.x, y: e.y, width: e.width, height: e.height}));
  return {svg, frames, warnings: warnings.map((w) => w.message)};
}"""


def _viewer_script() -> Path:
    (script,) = (ROOT / "portal" / "static" / "vendor").glob("bpmn-js-*/bpmn-navigated-viewer.production.min.js")
    return script


def _numbered_markers(svg: str) -> str:
    ids: dict[str, str] = {}
    return re.sub(r"marker-[0-9a-z]+", lambda m: ids.setdefault(m[0], f"marker-{len(ids) + 1}"), svg)


def _cut(svg: str, frame: dict) -> str:
    """The same drawing, its view cut to one element's frame."""
    x, y = frame["x"] - FRAME_MARGIN, frame["y"] - FRAME_MARGIN
    width, height = frame["width"] + 2 * FRAME_MARGIN, frame["height"] + 2 * FRAME_MARGIN
    return re.sub(r'width="[^"]*" height="[^"]*" viewBox="[^"]*"',
                  f'width="{width}" height="{height}" viewBox="{x} {y} {width} {height}"', svg, count=1)


def drawn_pictures(chromium) -> dict[str, str]:
    """Return picture file name -> SVG of every model file as the process page draws it."""
    page = chromium.new_page()
    try:
        page.set_content('<div id="diagram" style="width: 1200px; height: 800px"></div>')
        page.add_script_tag(path=str(_viewer_script()))
        pictures = {}
        for file_name, xml in sorted(parser.read_model_files().items()):
            if not file_name.endswith(".bpmn"):
                continue
            with translation.override(settings.LANGUAGE_CODE):
                shown = names.translated_xml(xml, lane_label, file_name)
            drawn = page.evaluate(DRAW, shown)
            assert drawn["warnings"] == [], (file_name, drawn["warnings"])
            svg = _numbered_markers(drawn["svg"]) + "\n"
            pictures[file_name.removesuffix(".bpmn") + ".svg"] = svg
            for frame in drawn["frames"]:
                pictures[frame["id"] + ".svg"] = _cut(svg, frame)
        return pictures
    finally:
        page.close()


def test_the_readme_pictures_are_what_bpmn_js_draws_of_the_committed_models(chromium):
    drawn = drawn_pictures(chromium)
    if WRITE:
        for stale in DIAGRAMS.glob("*.svg"):
            stale.unlink()
        for name, svg in drawn.items():
            (DIAGRAMS / name).write_text(svg, encoding="utf-8")
    committed = {path.name: path.read_text(encoding="utf-8") for path in DIAGRAMS.glob("*.svg")}
    assert sorted(committed) == sorted(drawn), "run `make diagrams` to draw the pictures again"
    differ = sorted(name for name in drawn if committed[name] != drawn[name])
    assert differ == [], f"{differ} differ from the models: run `make diagrams` to draw them again"


def test_the_same_model_is_drawn_the_same_twice(chromium):
    assert drawn_pictures(chromium) == drawn_pictures(chromium)
