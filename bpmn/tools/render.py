"""Draw the process models as SVG pictures from their BPMN DI, with nothing but lxml.

    .venv/bin/python -m bpmn.tools.render                    # every bpmn/processes/*.bpmn -> docs/diagrams/
    .venv/bin/python -m bpmn.tools.render FILE.bpmn -o DIR   # some files, elsewhere

One picture per BPMNDiagram plane, named after what the plane shows: `<process id>.svg` for a
collaboration or process plane, `<subprocess id>.svg` for the plane of a (collapsed) subprocess.
An embedded subprocess drawn *expanded* and without a plane of its own also gets its own
picture, cut out of its parent's plane with the lanes it crosses.

The look is the usual BPMN one (bpmn.io-like): pools and lanes with vertical headers, thin start
circles, thick end circles, double-ringed intermediate and boundary events with a clock or an
envelope, rounded tasks with a type marker, diamonds with X or +. Shapes and waypoints come
from the DI as they are; only labels are placed here (names inside tasks, names of events and
gateways near the shape, flow names near the flow's first segment), each where it covers the
least of the drawing. Everything odd found in the DI on the way (flows through shapes, shared
flow segments, nodes outside their lane, labels that could not be placed cleanly) is printed as
a warning so the generator (bpmn/tools/modelgen.py) can be improved.
"""
from __future__ import annotations

import argparse
import math
import re
import sys
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from lxml import etree

from bpmn.xml import parse_model_xml

ROOT = Path(__file__).resolve().parents[2]
PROCESSES = ROOT / "bpmn" / "processes"
OUT = ROOT / "docs" / "diagrams"

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"

FONT = "'Noto Sans CJK SC', 'WenQuanYi Micro Hei', sans-serif"
FONT_SIZE = 11.0
LINE = 1.25                      # line height, in font sizes
LABEL_WRAP = 150.0               # external labels: about 14 CJK or 22 latin characters a line
FLOW_WRAP = 120.0
HEADER = 30.0                    # width of a pool's or lane's vertical header
INK = "#222"
MUTED = "#666"
POOL_FILL = "#eef2f6"
LANE_FILL = "#f6f8fa"

EVENTS = {"startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent"}
GATEWAYS = {"exclusiveGateway", "parallelGateway", "inclusiveGateway", "eventBasedGateway", "complexGateway"}
ACTIVITIES = {"task", "userTask", "scriptTask", "businessRuleTask", "serviceTask", "sendTask", "receiveTask",
              "manualTask", "callActivity", "subProcess", "transaction", "adHocSubProcess"}
CONTAINERS = {"participant", "lane"}
DATA = {"dataObjectReference", "dataStoreReference"}


def local(el: etree._Element) -> str:
    return etree.QName(el).localname


def num(v: float) -> str:
    """A coordinate as short text: 2 decimals at most, no trailing zeros."""
    s = f"{v:.2f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def tag(name: str, attrs: dict | None = None, body: str | None = None) -> str:
    parts = [name] + [f"{k}={quoteattr(v if isinstance(v, str) else num(v))}" for k, v in (attrs or {}).items()]
    head = " ".join(parts)
    return f"<{head}/>" if body is None else f"<{head}>{body}</{name}>"


# --------------------------------------------------------------------------- geometry


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    w: float
    h: float

    @property
    def right(self) -> float:
        return self.x + self.w

    @property
    def bottom(self) -> float:
        return self.y + self.h

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        return self.y + self.h / 2

    def inflate(self, d: float) -> Box:
        return Box(self.x - d, self.y - d, self.w + 2 * d, self.h + 2 * d)

    def overlap(self, o: Box) -> float:
        w = min(self.right, o.right) - max(self.x, o.x)
        h = min(self.bottom, o.bottom) - max(self.y, o.y)
        return w * h if w > 0 and h > 0 else 0.0

    def contains(self, o: Box) -> bool:
        return o.x >= self.x and o.y >= self.y and o.right <= self.right and o.bottom <= self.bottom

    def outside_area(self, o: Box) -> float:
        """How much of `o` lies outside this box."""
        return o.w * o.h - self.overlap(o)


def union(boxes: Iterable[Box]) -> Box:
    bs = list(boxes)
    x, y = min(b.x for b in bs), min(b.y for b in bs)
    return Box(x, y, max(b.right for b in bs) - x, max(b.bottom for b in bs) - y)


Point = tuple[float, float]


def segment_boxes(a: Point, b: Point, pad: float = 1.5) -> list[Box]:
    """Thin boxes covering a segment (diagonals are cut into short pieces)."""
    (x1, y1), (x2, y2) = a, b
    if x1 == x2 or y1 == y2:
        return [Box(min(x1, x2) - pad, min(y1, y2) - pad, abs(x2 - x1) + 2 * pad, abs(y2 - y1) + 2 * pad)]
    n = max(1, int(math.hypot(x2 - x1, y2 - y1) // 8))
    pts = [(x1 + (x2 - x1) * i / n, y1 + (y2 - y1) * i / n) for i in range(n + 1)]
    return [Box(min(p[0], q[0]) - pad, min(p[1], q[1]) - pad, abs(q[0] - p[0]) + 2 * pad, abs(q[1] - p[1]) + 2 * pad)
            for p, q in zip(pts, pts[1:], strict=False)]


def segment_crosses_box(a: Point, b: Point, box: Box) -> bool:
    """Whether the segment a-b runs through the inside of box (Liang-Barsky clipping)."""
    (x1, y1), (x2, y2) = a, b
    dx, dy = x2 - x1, y2 - y1
    t0, t1 = 0.0, 1.0
    for p, q in ((-dx, x1 - box.x), (dx, box.right - x1), (-dy, y1 - box.y), (dy, box.bottom - y1)):
        if p == 0:
            if q <= 0:
                return False
            continue
        t = q / p
        if p < 0:
            t0 = max(t0, t)
        else:
            t1 = min(t1, t)
        if t0 >= t1:
            return False
    return (t1 - t0) * math.hypot(dx, dy) > 1.0


def distance_to_border(p: Point, box: Box) -> float:
    x, y = p
    dx = max(box.x - x, 0.0, x - box.right)
    dy = max(box.y - y, 0.0, y - box.bottom)
    if dx or dy:
        return math.hypot(dx, dy)
    return min(x - box.x, box.right - x, y - box.y, box.bottom - y)


def shared_length(a: tuple[Point, Point], b: tuple[Point, Point]) -> float:
    """Length two axis-parallel segments have in common when they lie on one line."""
    (a1, a2), (b1, b2) = a, b
    if a1[0] == a2[0] == b1[0] == b2[0]:
        lo, hi = max(min(a1[1], a2[1]), min(b1[1], b2[1])), min(max(a1[1], a2[1]), max(b1[1], b2[1]))
        return max(0.0, hi - lo)
    if a1[1] == a2[1] == b1[1] == b2[1]:
        lo, hi = max(min(a1[0], a2[0]), min(b1[0], b2[0])), min(max(a1[0], a2[0]), max(b1[0], b2[0]))
        return max(0.0, hi - lo)
    return 0.0


def segments_cross(a: tuple[Point, Point], b: tuple[Point, Point]) -> Point | None:
    """The point where a horizontal and a vertical segment cross inside both (not at ends)."""
    for h, v in ((a, b), (b, a)):
        (h1, h2), (v1, v2) = h, v
        if h1[1] == h2[1] and v1[0] == v2[0]:
            x, y = v1[0], h1[1]
            if min(h1[0], h2[0]) < x < max(h1[0], h2[0]) and min(v1[1], v2[1]) < y < max(v1[1], v2[1]):
                return (x, y)
    return None


# --------------------------------------------------------------------------- text


def char_width(c: str) -> float:
    """Rough advance of one character, in font sizes (Noto Sans / Helvetica like)."""
    if unicodedata.east_asian_width(c) in ("W", "F"):
        return 1.0
    if c == " ":
        return 0.28
    if c in "ijl.,:;'|!":
        return 0.27
    if c in "frt()[]/-\"“”":
        return 0.37
    if c in "mw":
        return 0.84
    if c in "MW":
        return 0.9
    if c.isupper():
        return 0.66
    if c.isdigit():
        return 0.56
    if c.islower():
        return 0.54
    return 0.6


def text_width(s: str, size: float) -> float:
    return sum(char_width(c) for c in s) * size


def is_cjk(c: str) -> bool:
    return unicodedata.east_asian_width(c) in ("W", "F")


_TOKEN = re.compile(
    r"[“‘（《「【]*[\u3400-\u9fff][，。、；：！？）》」】”’]*"   # one CJK character, punctuation kept on it
    r"|[^\s\u3400-\u9fff]+\s*"                                   # a latin word with its space
    r"|\s+"
)


def split_scripts(name: str) -> list[str]:
    """'中文名 English name' -> ['中文名', 'English name']: the English starts its own line."""
    last = max((i for i, c in enumerate(name) if is_cjk(c)), default=-1)
    if last < 0:
        return [name.strip()]
    cut = name.find(" ", last)
    if cut < 0 or not re.search(r"[A-Za-z]", name[cut:]):
        return [name.strip()]
    return [name[:cut].strip(), name[cut + 1:].strip()]


def _greedy(part: str, size: float, limit: Callable[[int], float], first: int) -> list[str]:
    lines: list[str] = []
    line = ""
    for token in _TOKEN.findall(part):
        trial = line + token
        if not line.strip() or text_width(trial.rstrip(), size) <= limit(first + len(lines)):
            line = trial
        else:
            lines.append(line.rstrip())
            line = token.lstrip()
        while len(line.rstrip()) > 1 and text_width(line.rstrip(), size) > limit(first + len(lines)):
            cut = len(line.rstrip()) - 1                              # a word longer than the line
            while cut > 1 and text_width(line[:cut], size) > limit(first + len(lines)):
                cut -= 1
            lines.append(line[:cut])
            line = line[cut:]
    if line.strip():
        lines.append(line.rstrip())
    return lines


def _balanced(part: str, size: float, width: float, count: int) -> list[str] | None:
    """`part` in exactly `count` lines of at most `width`, as even as possible (least squared slack)."""
    tokens = _TOKEN.findall(part)
    n = len(tokens)
    memo: dict[tuple[int, int], tuple[float, tuple[int, ...]] | None] = {}

    def best(i: int, left: int) -> tuple[float, tuple[int, ...]] | None:
        if i == n or left == 0:
            return (0.0, ()) if i == n and left == 0 else None
        if (i, left) not in memo:
            found = None
            for j in range(i + 1, n + 1):
                w = text_width("".join(tokens[i:j]).strip(), size)
                if w > width:
                    break
                rest = best(j, left - 1)
                if rest is not None and (found is None or (width - w) ** 2 + rest[0] < found[0]):
                    found = ((width - w) ** 2 + rest[0], (j, *rest[1]))
            memo[(i, left)] = found
        return memo[(i, left)]

    got = best(0, count)
    if got is None:
        return None
    cuts = (0, *got[1])
    return ["".join(tokens[i:j]).strip() for i, j in zip(cuts, cuts[1:], strict=False)]


def wrap(name: str, size: float, width: Callable[[int], float] | float) -> list[str]:
    """Line breaking: CJK may break between any two characters, latin between words; the English
    of a 'Chinese English' name starts a new line. Lines with the same room are balanced."""
    limit = width if callable(width) else (lambda _i, w=width: w)
    lines: list[str] = []
    for part in split_scripts(" ".join(name.split())):
        got = _greedy(part, size, limit, len(lines))
        rooms = {limit(len(lines) + i) for i in range(len(got))}
        if len(got) > 1 and len(rooms) == 1:
            got = _balanced(part, size, rooms.pop(), len(got)) or got
        lines += got
    return lines or [""]


@dataclass
class Label:
    lines: list[str]
    size: float
    box: Box
    anchor: str = "middle"            # middle | start | end
    cls: str = "label"

    def svg(self) -> str:
        x = {"middle": self.box.cx, "start": self.box.x, "end": self.box.right}[self.anchor]
        return text_svg(self.lines, x, self.box.y, self.size, self.anchor, self.cls)


def block_size(lines: list[str], size: float) -> tuple[float, float]:
    return max(text_width(s, size) for s in lines) + 2, len(lines) * size * LINE


def text_svg(lines: list[str], x: float, top: float, size: float, anchor: str, cls: str, extra: str = "") -> str:
    lh = size * LINE
    spans = "".join(
        tag("tspan", {"x": x, "y": top + i * lh + lh / 2 + size * 0.36}, escape(s)) for i, s in enumerate(lines)
    )
    attrs = {"class": cls, "text-anchor": anchor}
    if size != FONT_SIZE:
        attrs["style"] = f"font-size:{num(size)}px"
    return tag("text" + extra, attrs, spans)


# --------------------------------------------------------------------------- model


@dataclass
class Shape:
    id: str
    el: etree._Element | None
    kind: str
    box: Box
    expanded: bool = False
    horizontal: bool = True

    @property
    def name(self) -> str:
        return " ".join((self.el.get("name") or "").split()) if self.el is not None else ""


@dataclass
class Edge:
    id: str
    el: etree._Element | None
    kind: str
    points: list[Point]

    @property
    def name(self) -> str:
        return " ".join((self.el.get("name") or "").split()) if self.el is not None else ""

    def segments(self) -> list[tuple[Point, Point]]:
        return list(zip(self.points, self.points[1:], strict=False))


@dataclass
class View:
    """What one picture shows: shapes and edges of a plane, or a cut-out of one."""

    name: str
    title: str
    shapes: list[Shape]
    edges: list[Edge]
    frame: Box | None = None                    # the cut-out's region (lanes are clipped to it)
    lanes: list[tuple[Shape, Box]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


class Model:
    def __init__(self, root: etree._Element, filename: str):
        self.root = root
        self.filename = filename
        self.by_id = {el.get("id"): el for el in root.iter(f"{{{BPMN}}}*") if el.get("id")}

    def lane_of(self) -> dict[str, etree._Element]:
        out = {}
        for lane in self.root.iter(f"{{{BPMN}}}lane"):
            for ref in lane.iterfind(f"{{{BPMN}}}flowNodeRef"):
                out[(ref.text or "").strip()] = lane
        return out

    def planes(self) -> list[tuple[etree._Element, etree._Element]]:
        return [(d, p) for d in self.root.iter(f"{{{BPMNDI}}}BPMNDiagram") for p in d.iter(f"{{{BPMNDI}}}BPMNPlane")]

    def plane_target(self, plane: etree._Element) -> tuple[str, str]:
        """(picture name, title) for a plane."""
        ref = plane.get("bpmnElement") or plane.getparent().get("id") or "diagram"
        el = self.by_id.get(ref)
        if el is not None and local(el) == "collaboration":
            for part in el.iterfind(f"{{{BPMN}}}participant"):
                if part.get("processRef"):
                    proc = self.by_id.get(part.get("processRef"))
                    title = (proc.get("name") if proc is not None else None) or part.get("name") or ""
                    return part.get("processRef"), title
        return ref, (el.get("name") or ref) if el is not None else ref

    def read_plane(self, plane: etree._Element) -> tuple[list[Shape], list[Edge]]:
        shapes, edges = [], []
        for s in plane.iterfind(f"{{{BPMNDI}}}BPMNShape"):
            b = s.find(f"{{{DC}}}Bounds")
            if b is None:
                continue
            el = self.by_id.get(s.get("bpmnElement"))
            box = Box(*(float(b.get(k, "0")) for k in ("x", "y", "width", "height")))
            shapes.append(Shape(s.get("bpmnElement") or "", el, local(el) if el is not None else "", box,
                                s.get("isExpanded") == "true", s.get("isHorizontal", "true") != "false"))
        for e in plane.iterfind(f"{{{BPMNDI}}}BPMNEdge"):
            pts = [(float(w.get("x")), float(w.get("y"))) for w in e.iterfind(f"{{{DI}}}waypoint")]
            el = self.by_id.get(e.get("bpmnElement"))
            if len(pts) >= 2:
                edges.append(Edge(e.get("bpmnElement") or "", el, local(el) if el is not None else "", pts))
        drawn = {s.id for s in shapes}
        for s in shapes:  # a subprocess whose children are drawn on the same plane is expanded
            if s.kind in ("subProcess", "transaction", "adHocSubProcess") and not s.expanded and s.el is not None:
                s.expanded = any(c.get("id") in drawn for c in s.el)
        return shapes, edges

    def views(self) -> list[View]:
        out: list[View] = []
        own_plane = set()
        for _diagram, plane in self.planes():
            name, _ = self.plane_target(plane)
            own_plane.add(name)
        drawn: set[str] = set()
        for _diagram, plane in self.planes():
            name, title = self.plane_target(plane)
            shapes, edges = self.read_plane(plane)
            out.append(View(name, title, shapes, edges))
            drawn |= {s.id for s in shapes} | {e.id for e in edges}
            for sub in shapes:
                if sub.expanded and sub.kind in ("subProcess", "transaction", "adHocSubProcess") \
                        and sub.id not in own_plane:
                    out.append(self.cut_out(sub, shapes, edges))
        drawable = EVENTS | GATEWAYS | ACTIVITIES | {"sequenceFlow", "messageFlow", "lane", "participant"}
        missing = sorted(i for i, el in self.by_id.items() if local(el) in drawable and i not in drawn)
        if missing and out:
            out[0].problems.append(f"no DI (shape or edge) for: {', '.join(missing)}")
        return out

    def cut_out(self, sub: Shape, shapes: list[Shape], edges: list[Edge]) -> View:
        """The picture of an expanded subprocess on its own, with the lanes it crosses."""
        inside = [s for s in shapes if s is sub or (s.el is not None and sub.el in s.el.iterancestors())]
        flows = [e for e in edges if e.el is not None and sub.el in e.el.iterancestors()]
        lanes = [s for s in shapes if s.kind == "lane" and s.box.y < sub.box.bottom and s.box.bottom > sub.box.y]
        left = HEADER + 12 if lanes else 12
        frame = Box(sub.box.x - left, sub.box.y - 12, sub.box.w + left + 12, sub.box.h + 24)
        clipped = []
        for lane in lanes:
            top, bottom = max(lane.box.y, frame.y), min(lane.box.bottom, frame.bottom)
            if lane.box.y <= sub.box.y + 1:
                top = frame.y
            if lane.box.bottom >= sub.box.bottom - 1:
                bottom = frame.bottom
            clipped.append((lane, Box(frame.x, top, frame.w, bottom - top)))
        view = View(sub.id, sub.name, inside, flows, frame=frame, lanes=clipped)
        view.problems.append(
            f"{sub.id}: embedded subprocess is drawn expanded in its parent's plane and has no BPMNDiagram "
            "of its own; its picture is cut out of the parent's plane")
        return view


# --------------------------------------------------------------------------- drawing


def marker_defs() -> str:
    return (
        "<defs>"
        '<marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="10" markerHeight="10" '
        'markerUnits="userSpaceOnUse" orient="auto"><path d="M0,1 L10,5 L0,9 z" fill="#222"/></marker>'
        '<marker id="open-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="10" markerHeight="10" '
        'markerUnits="userSpaceOnUse" orient="auto"><path d="M0,1 L10,5 L0,9 z" fill="#fff" stroke="#222"/></marker>'
        '<marker id="condition" viewBox="0 0 16 10" refX="0" refY="5" markerWidth="16" markerHeight="10" '
        'markerUnits="userSpaceOnUse" orient="auto"><path d="M0,5 L8,1 L16,5 L8,9 z" fill="#fff" stroke="#222"/>'
        "</marker>"
        '<marker id="msg-start" viewBox="0 0 10 10" refX="5" refY="5" markerWidth="9" markerHeight="9" '
        'markerUnits="userSpaceOnUse"><circle cx="5" cy="5" r="4" fill="#fff" stroke="#222"/></marker>'
        "</defs>"
    )


STYLE = (
    "<style>"
    f"text{{font-family:{FONT};font-size:{num(FONT_SIZE)}px;fill:{INK}}}"
    ".label,.flow-label{paint-order:stroke;stroke:#fff;stroke-width:3px;stroke-linejoin:round}"
    f".flow-label{{fill:#333}}.role{{fill:{MUTED};font-size:10px}}"
    "</style>"
)


def lane_caption(lane: Shape) -> tuple[str, str]:
    """(Chinese role, role name) for a lane: the name is the role, its documentation says it in words."""
    doc = ""
    if lane.el is not None:
        d = lane.el.find(f"{{{BPMN}}}documentation")
        doc = " ".join((d.text or "").split()) if d is not None else ""
    words = split_scripts(doc)[0] if doc else ""
    name = lane.name
    if not words:
        return name, ""
    return (words, name) if words != name else (words, "")


def fit_one_line(candidates: list[str], room: float, size: float) -> tuple[str, float]:
    for text in candidates:
        if text_width(text, size) <= room:
            return text, size
    text = candidates[-1]
    fitted = max(8.5, 0.98 * size * room / max(text_width(text, size), 1))
    while len(text) > 1 and text_width(text, fitted) > room:
        text = text[:-2] + "…"
    return text, fitted


def header_svg(box: Box, first: str, second: str, fill: str, bold: bool = False) -> str:
    """A vertical header strip with one or two lines written bottom to top."""
    out = [tag("rect", {"x": box.x, "y": box.y, "width": HEADER, "height": box.h, "fill": fill, "stroke": "none"})]
    room = (box.h - 10) * (0.92 if bold else 1.0)     # bold runs wider than the estimate
    lines = []
    short = re.sub(r"[（(].*?[）)]", "", first).strip()
    one, size = fit_one_line([first, short] if short and short != first else [first], room, FONT_SIZE)
    if second:
        sec, size2 = fit_one_line([second], room, 10)
        lines = [(one, size, "label-h"), (sec, size2, "role")]
    else:
        parts = split_scripts(first)
        if len(parts) == 2 and text_width(first, FONT_SIZE) > room:
            a, s1 = fit_one_line([parts[0]], room, FONT_SIZE)
            b, s2 = fit_one_line([parts[1]], room, FONT_SIZE)
            lines = [(a, s1, "label-h"), (b, s2, "label-h")]
        else:
            lines = [(one, size, "label-h")]
    cx, cy = box.x + HEADER / 2, box.cy
    gap = 13.0
    offsets = [0.0] if len(lines) == 1 else [-gap / 2, gap / 2]
    for (text, size, cls), off in zip(lines, offsets, strict=True):
        attrs = {"transform": f"translate({num(cx + off + size * 0.36)},{num(cy)}) rotate(-90)",
                 "text-anchor": "middle"}
        if cls == "role":
            attrs["class"] = "role"
        if size != FONT_SIZE:
            attrs["style"] = f"font-size:{num(size)}px"
        if bold:
            attrs["font-weight"] = "bold"
        out.append(tag("text", attrs, escape(text)))
    return "".join(out)


def event_svg(s: Shape) -> str:
    b, el = s.box, s.el
    cx, cy, r = b.cx, b.cy, min(b.w, b.h) / 2
    defs = {local(d) for d in el if local(d).endswith("EventDefinition")} if el is not None else set()
    interrupting = el is None or el.get("cancelActivity", "true") != "false"
    dash = {} if interrupting else {"stroke-dasharray": "4,3"}
    throw = s.kind in ("endEvent", "intermediateThrowEvent")
    out = []
    if s.kind == "startEvent":
        out.append(tag("circle", {"cx": cx, "cy": cy, "r": r - 0.75, "fill": "#fff", "stroke": INK,
                                  "stroke-width": "1.5", **({} if el is None or el.get("isInterrupting", "true")
                                                           != "false" else {"stroke-dasharray": "4,3"})}))
    elif s.kind == "endEvent":
        out.append(tag("circle", {"cx": cx, "cy": cy, "r": r - 2, "fill": "#fff", "stroke": INK,
                                  "stroke-width": "4"}))
    else:
        out.append(tag("circle", {"cx": cx, "cy": cy, "r": r - 0.6, "fill": "#fff", "stroke": INK,
                                  "stroke-width": "1.2", **dash}))
        out.append(tag("circle", {"cx": cx, "cy": cy, "r": r - 3.6, "fill": "none", "stroke": INK,
                                  "stroke-width": "1.2", **dash}))
    if "timerEventDefinition" in defs:
        out.append(clock_svg(cx, cy, r * 0.58))
    if "messageEventDefinition" in defs:
        out.append(envelope_svg(cx, cy, r * 1.0, r * 0.68, filled=throw))
    if "terminateEventDefinition" in defs:
        out.append(tag("circle", {"cx": cx, "cy": cy, "r": r * 0.55, "fill": INK}))
    if "signalEventDefinition" in defs:
        h = r * 0.9
        out.append(tag("path", {"d": f"M{num(cx)},{num(cy - h * 0.6)} l{num(h * 0.55)},{num(h * 0.95)} "
                                     f"h{num(-h * 1.1)} z", "fill": INK if throw else "#fff", "stroke": INK}))
    if "errorEventDefinition" in defs:
        k = r / 18
        out.append(tag("path", {"d": f"M{num(cx - 8 * k)},{num(cy + 8 * k)} l{num(4 * k)},{num(-14 * k)} "
                                     f"l{num(5 * k)},{num(8 * k)} l{num(4 * k)},{num(-10 * k)} "
                                     f"l{num(-3 * k)},{num(14 * k)} l{num(-5 * k)},{num(-8 * k)} z",
                                "fill": INK if throw else "#fff", "stroke": INK, "stroke-linejoin": "round"}))
    return "".join(out)


def clock_svg(cx: float, cy: float, r: float) -> str:
    out = [tag("circle", {"cx": cx, "cy": cy, "r": r, "fill": "#fff", "stroke": INK, "stroke-width": "1.4"})]
    ticks = []
    for i in range(12):
        a = i * math.pi / 6
        r1 = r * (0.72 if i % 3 else 0.62)
        ticks.append(f"M{num(cx + r1 * math.sin(a))},{num(cy - r1 * math.cos(a))} "
                     f"L{num(cx + r * 0.9 * math.sin(a))},{num(cy - r * 0.9 * math.cos(a))}")
    out.append(tag("path", {"d": " ".join(ticks), "stroke": INK, "stroke-width": "0.8"}))
    hands = (f"M{num(cx)},{num(cy - r * 0.62)} L{num(cx)},{num(cy)} "
             f"L{num(cx + r * 0.45)},{num(cy - r * 0.22)}")
    out.append(tag("path", {"d": hands, "fill": "none", "stroke": INK, "stroke-width": "1.3",
                            "stroke-linecap": "round"}))
    return "".join(out)


def envelope_svg(cx: float, cy: float, w: float, h: float, filled: bool) -> str:
    x, y = cx - w / 2, cy - h / 2
    return (tag("rect", {"x": x, "y": y, "width": w, "height": h, "fill": INK if filled else "#fff",
                         "stroke": INK, "stroke-width": "1.2"})
            + tag("path", {"d": f"M{num(x)},{num(y)} L{num(cx)},{num(cy + h * 0.08)} L{num(x + w)},{num(y)}",
                           "fill": "none", "stroke": "#fff" if filled else INK, "stroke-width": "1.2"}))


def gateway_svg(s: Shape) -> str:
    b = s.box
    cx, cy = b.cx, b.cy
    pts = f"{num(cx)},{num(b.y)} {num(b.right)},{num(cy)} {num(cx)},{num(b.bottom)} {num(b.x)},{num(cy)}"
    out = [tag("polygon", {"points": pts, "fill": "#fff", "stroke": INK, "stroke-width": "1.5",
                           "stroke-linejoin": "round"})]
    k = b.w / 50
    if s.kind == "exclusiveGateway":
        d = 9.5 * k
        out.append(tag("path", {"d": f"M{num(cx - d)},{num(cy - d)} L{num(cx + d)},{num(cy + d)} "
                                     f"M{num(cx + d)},{num(cy - d)} L{num(cx - d)},{num(cy + d)}",
                                "stroke": INK, "stroke-width": num(4 * k), "stroke-linecap": "butt"}))
    elif s.kind == "parallelGateway":
        d = 13 * k
        out.append(tag("path", {"d": f"M{num(cx)},{num(cy - d)} L{num(cx)},{num(cy + d)} "
                                     f"M{num(cx - d)},{num(cy)} L{num(cx + d)},{num(cy)}",
                                "stroke": INK, "stroke-width": num(4 * k)}))
    elif s.kind == "inclusiveGateway":
        out.append(tag("circle", {"cx": cx, "cy": cy, "r": 10 * k, "fill": "none", "stroke": INK,
                                  "stroke-width": num(2.5 * k)}))
    elif s.kind in ("eventBasedGateway", "complexGateway"):
        out.append(tag("circle", {"cx": cx, "cy": cy, "r": 11 * k, "fill": "none", "stroke": INK}))
        out.append(tag("circle", {"cx": cx, "cy": cy, "r": 8.5 * k, "fill": "none", "stroke": INK}))
    return "".join(out)


def person_svg(x: float, y: float) -> str:
    return (tag("path", {"d": f"M{num(x + 1)},{num(y + 15)} v-3 a7 5.5 0 0 1 14 0 v3 z",
                         "fill": "#fff", "stroke": INK, "stroke-width": "1.1", "stroke-linejoin": "round"})
            + tag("circle", {"cx": x + 8, "cy": y + 4.5, "r": 3.6, "fill": "#fff", "stroke": INK,
                             "stroke-width": "1.1"}))


def script_svg(x: float, y: float) -> str:
    page = (f"M{num(x + 3)},{num(y)} h11 c-4,3.5 4,10.5 0,14 h-11 c4,-3.5 -4,-10.5 0,-14 z")
    lines = " ".join(f"M{num(x + 4.5 + dx)},{num(y + yy)} h6" for yy, dx in ((3.5, 0.6), (7, 1.5), (10.5, 0.6)))
    return (tag("path", {"d": page, "fill": "#fff", "stroke": INK, "stroke-width": "1.1", "stroke-linejoin": "round"})
            + tag("path", {"d": lines, "stroke": INK, "stroke-width": "1"}))


def table_svg(x: float, y: float) -> str:
    return (tag("rect", {"x": x, "y": y + 1, "width": 17, "height": 13, "fill": "#fff", "stroke": INK,
                         "stroke-width": "1.1"})
            + tag("rect", {"x": x, "y": y + 1, "width": 17, "height": 3.8, "fill": INK})
            + tag("path", {"d": f"M{num(x)},{num(y + 9.2)} h17 M{num(x + 5.5)},{num(y + 4.8)} v9.2",
                           "stroke": INK, "stroke-width": "1"}))


def gear_svg(x: float, y: float) -> str:
    cx, cy = x + 8, y + 8
    teeth = " ".join(f"M{num(cx + 4 * math.cos(a))},{num(cy + 4 * math.sin(a))} "
                     f"L{num(cx + 7.5 * math.cos(a))},{num(cy + 7.5 * math.sin(a))}"
                     for a in (i * math.pi / 4 for i in range(8)))
    return (tag("path", {"d": teeth, "stroke": INK, "stroke-width": "2.2"})
            + tag("circle", {"cx": cx, "cy": cy, "r": 5, "fill": "#fff", "stroke": INK, "stroke-width": "1.1"})
            + tag("circle", {"cx": cx, "cy": cy, "r": 2, "fill": "none", "stroke": INK}))


def bottom_markers(s: Shape) -> list[str]:
    el = s.el
    kinds = []
    if el is not None:
        mi = el.find(f"{{{BPMN}}}multiInstanceLoopCharacteristics")
        if mi is not None:
            kinds.append("mi-seq" if mi.get("isSequential") == "true" else "mi-par")
        elif el.find(f"{{{BPMN}}}standardLoopCharacteristics") is not None:
            kinds.append("loop")
    if s.kind in ("subProcess", "transaction", "adHocSubProcess") and not s.expanded:
        kinds.append("collapsed")
    if s.kind == "adHocSubProcess":
        kinds.append("adhoc")
    return kinds


def markers_box(kinds: list[str], b: Box, avoid: list[Box]) -> Box:
    """Where the bottom markers go: centred, or beside a boundary event sitting on the centre."""
    size, gap = 14.0, 4.0
    w = len(kinds) * size + (len(kinds) - 1) * gap
    box = Box(b.cx - w / 2, b.bottom - size - 3, w, size)
    for other in sorted(avoid, key=lambda o: o.x):
        if box.overlap(other.inflate(3)):
            left = Box(other.x - 5 - w, box.y, w, size)
            box = left if left.x >= b.x + 8 else Box(other.right + 5, box.y, w, size)
    return box


def markers_svg(kinds: list[str], box: Box) -> str:
    size, gap = 14.0, 4.0
    x, y = box.x, box.y
    out = []
    for k in kinds:
        mx, my = x + size / 2, y + size / 2
        if k == "collapsed":
            out.append(tag("rect", {"x": x, "y": y, "width": size, "height": size, "fill": "#fff", "stroke": INK,
                                    "stroke-width": "1.1"}))
            out.append(tag("path", {"d": f"M{num(mx)},{num(y + 3)} v8 M{num(x + 3)},{num(my)} h8",
                                    "stroke": INK, "stroke-width": "1.4"}))
        elif k in ("mi-par", "mi-seq"):
            for i in (-4.5, 0, 4.5):
                if k == "mi-par":
                    out.append(tag("rect", {"x": mx + i - 1, "y": y + 1, "width": 2, "height": 12, "fill": INK}))
                else:
                    out.append(tag("rect", {"x": x + 1, "y": my + i - 1, "width": 12, "height": 2, "fill": INK}))
        elif k == "loop":
            r = 5.8
            a0, a1 = math.radians(130), math.radians(50 + 360)   # clockwise from lower left round to lower right
            p0 = (mx + r * math.cos(a0), my + r * math.sin(a0))
            p1 = (mx + r * math.cos(a1), my + r * math.sin(a1))
            out.append(tag("path", {"d": f"M{num(p0[0])},{num(p0[1])} A{num(r)},{num(r)} 0 1 1 {num(p1[0])},"
                                         f"{num(p1[1])}", "fill": "none", "stroke": INK, "stroke-width": "1.4"}))
            # arrow head at the end, pointing along the clockwise tangent
            t = (-math.sin(a1), math.cos(a1))
            n = (-t[1], t[0])
            tip = (p1[0] + t[0] * 2.6, p1[1] + t[1] * 2.6)
            base = (p1[0] - t[0] * 1.6, p1[1] - t[1] * 1.6)
            pts = [tip, (base[0] + n[0] * 2.6, base[1] + n[1] * 2.6), (base[0] - n[0] * 2.6, base[1] - n[1] * 2.6)]
            out.append(tag("polygon", {"points": " ".join(f"{num(px)},{num(py)}" for px, py in pts), "fill": INK}))
        elif k == "adhoc":
            out.append(tag("text", {"x": mx, "y": my + 5, "text-anchor": "middle", "style": "font-size:14px"}, "~"))
        x += size + gap
    return "".join(out)


def fit_task_text(name: str, b: Box, blocked: list[Box]) -> tuple[list[str], float, float]:
    """(lines, font size, top y) for a name centred inside an activity, clear of its markers and of
    the boundary events on its border: a line beside a marker is narrower, none runs over one."""
    def limits(covering: Callable[[Box], bool]) -> tuple[float, float]:
        top, bottom = b.y + 3, b.bottom - 3
        for k in blocked:
            if covering(k):
                if k.cy > b.cy:
                    bottom = min(bottom, k.y - 1)
                else:
                    top = max(top, k.bottom + 1)
        return top, bottom

    def width(y0: float, y1: float) -> float:
        half = b.w / 2 - 5
        for k in blocked:
            if k.y < y1 and k.bottom > y0:
                if k.right <= b.cx:
                    half = min(half, b.cx - k.right - 3)
                elif k.x >= b.cx:
                    half = min(half, k.x - b.cx - 3)
                else:
                    half = 0
        return max(0.0, 2 * half)

    # first full lines between the markers; only then lines narrowed beside a corner marker
    clear = limits(lambda k: True)
    beside = limits(lambda k: k.x < b.cx + 10 and k.right > b.cx - 10)
    tries = [(size, clear) for size in (FONT_SIZE, 10.5, 10.0)] + [(size, beside) for size in (FONT_SIZE, 10.5, 10.0)]
    tries += [(size, lim) for size in (9.5, 9.0) for lim in (clear, beside)]
    for size, (top_limit, bottom_limit) in tries:
        lh = size * LINE
        for n in range(1, 10):
            if n * lh > bottom_limit - top_limit:
                break
            top = (top_limit + bottom_limit) / 2 - n * lh / 2
            lines = wrap(name, size, lambda i, t=top, h=lh: width(t + i * h + 1, t + (i + 1) * h - 1))
            if len(lines) == n:
                return lines, size, top
    size = 8.5
    lines = wrap(name, size, b.w - 10)
    return lines, size, max(b.y + 2, b.cy - len(lines) * size * LINE / 2)


def activity_svg(s: Shape, attached: list[Box]) -> str:
    b = s.box
    if s.expanded:
        out = [tag("rect", {"x": b.x, "y": b.y, "width": b.w, "height": b.h, "rx": 10, "fill": "#fff",
                            "fill-opacity": "0.6", "stroke": INK, "stroke-width": "1.5"})]
        if s.name:
            lines = wrap(s.name, FONT_SIZE, min(b.w - 20, 260))
            out.append(text_svg(lines, b.x + 8, b.y + 4, FONT_SIZE, "start", "label-in"))
        kinds = bottom_markers(s)
        if kinds:
            out.append(markers_svg(kinds, markers_box(kinds, b, attached)))
        return "".join(out)
    call = s.kind == "callActivity"
    width = 4.0 if call else 1.5
    inset = width / 2 if call else 0
    out = [tag("rect", {"x": b.x + inset, "y": b.y + inset, "width": b.w - 2 * inset, "height": b.h - 2 * inset,
                        "rx": 10, "fill": "#fff", "stroke": INK, "stroke-width": num(width)})]
    if s.kind == "transaction":
        out.append(tag("rect", {"x": b.x + 3, "y": b.y + 3, "width": b.w - 6, "height": b.h - 6, "rx": 8,
                                "fill": "none", "stroke": INK}))
    blocked = [Box(max(a.x, b.x), max(a.y, b.y), min(a.right, b.right) - max(a.x, b.x),
                   min(a.bottom, b.bottom) - max(a.y, b.y)) for a in attached if a.overlap(b)]
    glyph = {"userTask": person_svg, "scriptTask": script_svg, "businessRuleTask": table_svg,
             "serviceTask": gear_svg}.get(s.kind)
    if glyph:
        out.append(glyph(b.x + 7, b.y + 5))
        blocked.append(Box(b.x + 6, b.y + 4, 19, 17))
    elif s.kind in ("sendTask", "receiveTask"):
        out.append(envelope_svg(b.x + 15, b.y + 12, 16, 11, filled=s.kind == "sendTask"))
        blocked.append(Box(b.x + 6, b.y + 5, 18, 15))
    kinds = bottom_markers(s)
    if kinds:
        mbox = markers_box(kinds, b, attached)
        out.append(markers_svg(kinds, mbox))
        blocked.append(mbox.inflate(1))
    if s.name:
        lines, size, top = fit_task_text(s.name, b, blocked)
        out.append(text_svg(lines, b.cx, top, size, "middle", "label-in"))
    return "".join(out)


def data_svg(s: Shape) -> str:
    b = s.box
    if s.kind == "dataStoreReference":
        ry = b.h * 0.12
        return (tag("path", {"d": f"M{num(b.x)},{num(b.y + ry)} v{num(b.h - 2 * ry)} a{num(b.w / 2)},{num(ry)} 0 0 0 "
                                  f"{num(b.w)},0 v{num(-(b.h - 2 * ry))} a{num(b.w / 2)},{num(ry)} 0 0 0 "
                                  f"{num(-b.w)},0 a{num(b.w / 2)},{num(ry)} 0 0 0 {num(b.w)},0",
                             "fill": "#fff", "stroke": INK}))
    fold = min(10.0, b.w / 3)
    return tag("path", {"d": f"M{num(b.x)},{num(b.y)} h{num(b.w - fold)} l{num(fold)},{num(fold)} "
                             f"v{num(b.h - fold)} h{num(-b.w)} z M{num(b.right - fold)},{num(b.y)} v{num(fold)} "
                             f"h{num(fold)}", "fill": "#fff", "stroke": INK})


def edge_svg(e: Edge, model_source_kind: str | None, own: tuple[Point, Point]) -> str:
    """A flow; `own` is its first segment not shared with another flow, where a default mark goes."""
    pts = " ".join(f"{num(x)},{num(y)}" for x, y in e.points)
    attrs = {"points": pts, "fill": "none", "stroke": INK, "stroke-width": "1.3", "stroke-linejoin": "round"}
    out = []
    if e.kind == "messageFlow":
        attrs.update({"stroke-dasharray": "7,4", "marker-start": "url(#msg-start)", "marker-end": "url(#open-arrow)"})
    elif e.kind in ("association", "dataInputAssociation", "dataOutputAssociation"):
        attrs.update({"stroke-dasharray": "2,3", "stroke": MUTED})
        if e.kind != "association":
            attrs["marker-end"] = "url(#open-arrow)"
    else:
        attrs["marker-end"] = "url(#arrow)"
        el = e.el
        if el is not None and el.find(f"{{{BPMN}}}conditionExpression") is not None \
                and model_source_kind not in GATEWAYS and model_source_kind is not None:
            attrs["marker-start"] = "url(#condition)"
        source = el.getparent().find(f"*[@id={quoteattr(el.get('sourceRef') or '')}]") if el is not None else None
        if source is not None and source.get("default") == e.id:
            (x1, y1), (x2, y2) = own
            length = math.hypot(x2 - x1, y2 - y1) or 1
            ux, uy = (x2 - x1) / length, (y2 - y1) / length
            mx, my = x1 + ux * 10, y1 + uy * 10
            # a short slash across the line, tilted 45 degrees
            px, py = (ux - uy) * 5, (uy + ux) * 5
            out.append(tag("path", {"d": f"M{num(mx - px)},{num(my - py)} L{num(mx + px)},{num(my + py)}",
                                    "stroke": INK, "stroke-width": "1.3"}))
    return tag("polyline", attrs) + "".join(out)


# --------------------------------------------------------------------------- labels


@dataclass
class Obstacle:
    box: Box
    weight: float


class Placer:
    """Chooses, for each outside label, the candidate position that covers the least."""

    def __init__(self, obstacles: list[Obstacle], area: Box):
        self.obstacles = obstacles
        self.area = area

    def cost(self, box: Box) -> float:
        a = box.w * box.h or 1
        c = sum(o.weight * box.overlap(o.box) for o in self.obstacles) / a
        return c + 60 * self.area.outside_area(box) / a

    def place(self, candidates: list[tuple[Label, float]]) -> tuple[Label, float]:
        best, best_cost = candidates[0][0], math.inf
        for label, penalty in candidates:
            c = self.cost(label.box) + penalty
            if c < best_cost - 1e-9:
                best, best_cost = label, c
        self.obstacles.append(Obstacle(best.box.inflate(2), 100))
        return best, best_cost


def node_label_candidates(s: Shape) -> list[tuple[Label, float]]:
    b = s.box
    out = []
    for wi, width in enumerate((LABEL_WRAP, 100.0)):
        lines = wrap(s.name, FONT_SIZE, width)
        w, h = block_size(lines, FONT_SIZE)
        g = 4.0
        spots = [
            (Box(b.cx - w / 2, b.bottom + g, w, h), "middle", 0.0),
            (Box(b.cx - w / 2, b.y - g - h, w, h), "middle", 0.3),
            (Box(b.right + g, b.bottom - 2, w, h), "start", 0.5),
            (Box(b.x - g - w, b.bottom - 2, w, h), "end", 0.6),
            (Box(b.right + g, b.y + 2 - h, w, h), "start", 0.6),
            (Box(b.x - g - w, b.y + 2 - h, w, h), "end", 0.7),
            (Box(b.right + g, b.cy - h / 2, w, h), "start", 0.8),
            (Box(b.x - g - w, b.cy - h / 2, w, h), "end", 0.9),
            (Box(b.cx - 6 - w, b.bottom + g, w, h), "end", 0.35),        # below, beside a flow leaving down
            (Box(b.cx + 6, b.bottom + g, w, h), "start", 0.4),
            (Box(b.cx - 6 - w, b.y - g - h, w, h), "end", 0.45),          # above, beside a flow leaving up
            (Box(b.cx + 6, b.y - g - h, w, h), "start", 0.5),
            (Box(b.cx - w / 2, b.bottom + g + 14, w, h), "middle", 1.0),
            (Box(b.cx - w / 2, b.y - g - h - 14, w, h), "middle", 1.2),
        ]
        out += [(Label(lines, FONT_SIZE, box, anchor), pen + wi * 0.25) for box, anchor, pen in spots]
    return out


def label_segment(e: Edge, edges: list[Edge]) -> tuple[Point, Point]:
    """The flow's first segment that it does not share with another flow (a common trunk says nothing)."""
    for seg in e.segments():
        if not any(shared_length(seg, o) > 5 for other in edges if other is not e for o in other.segments()):
            return seg
    return e.segments()[0]


def flow_label_candidates(e: Edge, seg: tuple[Point, Point]) -> list[tuple[Label, float]]:
    (x1, y1), (x2, y2) = seg
    lines = wrap(e.name, FONT_SIZE, FLOW_WRAP)
    w, h = block_size(lines, FONT_SIZE)
    length = math.hypot(x2 - x1, y2 - y1)
    out = []
    g = 3.0
    if abs(y2 - y1) <= abs(x2 - x1):            # horizontal-ish: above or below, from the start onwards
        d = 1 if x2 >= x1 else -1
        for i, along in enumerate((6.0, 16.0, max(6.0, length / 2 - w / 2), 30.0)):
            if along + w > length + 20 and i:
                continue
            x = x1 + d * along if d > 0 else x1 - along - w
            ya = min(y1, y2)
            out.append((Label(lines, FONT_SIZE, Box(x, ya - g - h, w, h), "start" if d > 0 else "end",
                              "flow-label"), 0.1 * i))
            out.append((Label(lines, FONT_SIZE, Box(x, max(y1, y2) + g, w, h), "start" if d > 0 else "end",
                              "flow-label"), 0.15 + 0.1 * i))
    else:                                       # vertical: beside it, from the start onwards
        d = 1 if y2 >= y1 else -1
        for i, along in enumerate((5.0, 16.0, max(5.0, length / 2 - h / 2), 30.0)):
            if along + h > length + 20 and i:
                continue
            y = y1 + along if d > 0 else y1 - along - h
            out.append((Label(lines, FONT_SIZE, Box(x1 + 5, y, w, h), "start", "flow-label"), 0.1 * i))
            out.append((Label(lines, FONT_SIZE, Box(x1 - 5 - w, y, w, h), "end", "flow-label"), 0.15 + 0.1 * i))
    return out


# --------------------------------------------------------------------------- a picture


def check(view: View, model: Model) -> list[str]:
    """Things in the DI a reader would trip over."""
    problems = list(view.problems)
    nodes = [s for s in view.shapes if s.kind not in CONTAINERS and not s.expanded and s.kind]
    by_id = {s.id: s for s in view.shapes}
    for e in view.edges:
        if e.el is None:
            problems.append(f"{e.id}: edge for an unknown element")
            continue
        src, dst = by_id.get(e.el.get("sourceRef") or ""), by_id.get(e.el.get("targetRef") or "")
        for end, shape, point in (("starts", src, e.points[0]), ("ends", dst, e.points[-1])):
            if shape is not None and distance_to_border(point, shape.box) > 3 and shape.kind not in GATEWAYS | EVENTS:
                problems.append(f"{e.id}: {end} at {num(point[0])},{num(point[1])}, "
                                f"{num(distance_to_border(point, shape.box))} px off the border of {shape.id}")
            if shape is not None and shape.kind in GATEWAYS | EVENTS:
                r = shape.box.w / 2
                dist = (abs(point[0] - shape.box.cx) + abs(point[1] - shape.box.cy)) if shape.kind in GATEWAYS \
                    else math.hypot(point[0] - shape.box.cx, point[1] - shape.box.cy)
                if abs(dist - r) > 3:
                    problems.append(f"{e.id}: {end} {num(abs(dist - r))} px off the outline of {shape.id}")
        for a, b in e.segments():
            for n in nodes:
                if n is src or n is dst:
                    continue
                if n.kind == "boundaryEvent" and n.el is not None and src is not None and src.id == n.id:
                    continue
                if segment_crosses_box(a, b, n.box.inflate(-2)):
                    problems.append(f"{e.id}: segment {num(a[0])},{num(a[1])} -> {num(b[0])},{num(b[1])} "
                                    f"runs through {n.id}")
    seen = set()
    for e in view.edges:
        for f in view.edges:
            if e is f or (f.id, e.id) in seen:
                continue
            seen.add((e.id, f.id))
            shared = max((shared_length(a, b) for a in e.segments() for b in f.segments()), default=0)
            if shared > 5:
                same = e.el is not None and f.el is not None and (
                    e.el.get("sourceRef") == f.el.get("sourceRef") or e.el.get("targetRef") == f.el.get("targetRef"))
                what = "share a trunk of" if same else "run on top of each other for"
                problems.append(f"{e.id} and {f.id}: {what} {num(shared)} px")
            for a in e.segments():
                for b in f.segments():
                    p = segments_cross(a, b)
                    if p:
                        problems.append(f"{e.id} crosses {f.id} at {num(p[0])},{num(p[1])}")
    for i, s in enumerate(nodes):
        for t in nodes[i + 1:]:
            if s.box.overlap(t.box) > 0:
                host = s.el.get("attachedToRef") if s.el is not None else None
                host2 = t.el.get("attachedToRef") if t.el is not None else None
                if host != t.id and host2 != s.id:
                    problems.append(f"{s.id} and {t.id} overlap")
    lanes = {s.id: s for s in view.shapes if s.kind == "lane"}
    if lanes:
        for node_id, lane in model.lane_of().items():
            n, ls = by_id.get(node_id), lanes.get(lane.get("id"))
            if n is not None and ls is not None and not (ls.box.y <= n.box.cy <= ls.box.bottom):
                problems.append(f"{node_id}: listed in lane {lane.get('name')} but drawn outside it")
    return problems


def render_view(view: View, model: Model) -> tuple[str, list[str]]:
    body: list[str] = []
    obstacles: list[Obstacle] = []
    by_id = {s.id: s for s in view.shapes}
    pools = [s for s in view.shapes if s.kind == "participant"]
    lanes = [s for s in view.shapes if s.kind == "lane"]
    extents: list[Box] = [s.box for s in view.shapes]
    extents += [Box(min(x for x, _ in e.points), min(y for _, y in e.points),
                    max(x for x, _ in e.points) - min(x for x, _ in e.points),
                    max(y for _, y in e.points) - min(y for _, y in e.points)) for e in view.edges]

    # containers: pools, lanes (or the lanes a cut-out crosses)
    for p in pools:
        b = p.box
        body.append(tag("rect", {"x": b.x, "y": b.y, "width": b.w, "height": b.h, "fill": "#fff", "stroke": "none"}))
        body.append(header_svg(b, p.name, "", POOL_FILL, bold=True))
        obstacles.append(Obstacle(Box(b.x, b.y, HEADER, b.h), 100))
    lane_boxes = [(lane, lane.box) for lane in lanes] if view.frame is None else view.lanes
    for lane, b in lane_boxes:
        words, role = lane_caption(lane)
        body.append(header_svg(b, words, role, LANE_FILL))
        obstacles.append(Obstacle(Box(b.x, b.y, HEADER, b.h), 100))
        obstacles += [Obstacle(Box(b.x, b.y - 1, b.w, 2), 20), Obstacle(Box(b.x, b.bottom - 1, b.w, 2), 20)]
        if view.frame is not None:
            extents.append(b)
    for _lane, b in lane_boxes:
        body.append(tag("rect", {"x": b.x, "y": b.y, "width": b.w, "height": b.h, "fill": "none", "stroke": INK,
                                 "stroke-width": "1.2"}))
        body.append(tag("line", {"x1": b.x + HEADER, "y1": b.y, "x2": b.x + HEADER, "y2": b.bottom,
                                 "stroke": INK, "stroke-width": "1"}))
    for p in pools:
        b = p.box
        body.append(tag("rect", {"x": b.x, "y": b.y, "width": b.w, "height": b.h, "fill": "none", "stroke": INK,
                                 "stroke-width": "1.5"}))
        body.append(tag("line", {"x1": b.x + HEADER, "y1": b.y, "x2": b.x + HEADER, "y2": b.bottom,
                                 "stroke": INK, "stroke-width": "1.2"}))

    def depth(s: Shape) -> int:
        return sum(1 for _ in s.el.iterancestors()) if s.el is not None else 0

    attached: dict[str, list[Box]] = {}
    for s in view.shapes:
        if s.kind == "boundaryEvent" and s.el is not None:
            attached.setdefault(s.el.get("attachedToRef") or "", []).append(s.box)
    for s in sorted((s for s in view.shapes if s.expanded), key=depth):
        body.append(activity_svg(s, attached.get(s.id, [])))
        b = s.box
        obstacles += [Obstacle(Box(b.x, b.y - 1, b.w, 2), 30), Obstacle(Box(b.x, b.bottom - 1, b.w, 2), 30),
                      Obstacle(Box(b.x - 1, b.y, 2, b.h), 30), Obstacle(Box(b.right - 1, b.y, 2, b.h), 30)]
        if s.name:
            w, h = block_size(wrap(s.name, FONT_SIZE, min(b.w - 20, 260)), FONT_SIZE)
            obstacles.append(Obstacle(Box(b.x + 8, b.y + 4, w, h), 100))

    for e in view.edges:
        src = by_id.get(e.el.get("sourceRef") or "") if e.el is not None else None
        body.append(edge_svg(e, src.kind if src is not None else None, label_segment(e, view.edges)))
        for a, b in e.segments():
            obstacles += [Obstacle(x, 40) for x in segment_boxes(a, b)]

    nodes = [s for s in view.shapes if s.kind not in CONTAINERS and not s.expanded]
    for s in sorted(nodes, key=lambda s: s.kind == "boundaryEvent"):
        if s.kind in EVENTS:
            body.append(event_svg(s))
        elif s.kind in GATEWAYS:
            body.append(gateway_svg(s))
        elif s.kind in DATA:
            body.append(data_svg(s))
        elif s.kind in ACTIVITIES or s.kind:
            body.append(activity_svg(s, attached.get(s.id, [])))
        obstacles.append(Obstacle(s.box.inflate(1), 100))

    # outside labels: events, gateways, data first, then the flows
    area = view.frame or (union([p.box for p in pools]) if pools else union(extents).inflate(40))
    placer = Placer(obstacles, area)
    labels: list[Label] = []
    problems = check(view, model)
    for e in view.edges:                       # flow names first: they belong next to their first segment
        if e.name:
            label, cost = placer.place(flow_label_candidates(e, label_segment(e, view.edges)))
            labels.append(label)
            if cost > 8:
                problems.append(f"{e.id}: no clean place for its name (cost {cost:.1f})")
    for s in nodes:
        if s.name and (s.kind in EVENTS or s.kind in GATEWAYS or s.kind in DATA):
            label, cost = placer.place(node_label_candidates(s))
            labels.append(label)
            if cost > 8:
                problems.append(f"{s.id}: no clean place for its name (cost {cost:.1f})")
    body += [lb.svg() for lb in labels]
    extents += [lb.box for lb in labels]

    frame = (view.frame or union(extents)).inflate(10)
    if view.frame is None:
        frame = union([frame] + [lb.box.inflate(4) for lb in labels])
    head = tag("svg", {"xmlns": "http://www.w3.org/2000/svg", "version": "1.1",
                       "viewBox": f"{num(frame.x)} {num(frame.y)} {num(frame.w)} {num(frame.h)}",
                       "width": num(frame.w), "height": num(frame.h), "role": "img",
                       "aria-label": view.title or view.name}, "\x00")
    start, end = head.split("\x00")
    svg = "\n".join([
        start,
        tag("title", None, escape(view.title or view.name)),
        marker_defs(),
        STYLE,
        tag("rect", {"x": frame.x, "y": frame.y, "width": frame.w, "height": frame.h, "fill": "#fff"}),
        *body,
        end,
    ])
    return svg + "\n", problems


def render_file(path: Path, out: Path) -> list[tuple[Path, list[str]]]:
    model = Model(parse_model_xml(path.read_bytes(), path.name), path.name)
    results = []
    for view in model.views():
        svg, problems = render_view(view, model)
        target = out / f"{view.name}.svg"
        target.write_text(svg, encoding="utf-8")
        results.append((target, problems))
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bpmn.tools.render", description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path, help="BPMN files (default: bpmn/processes/*.bpmn)")
    parser.add_argument("-o", "--out", type=Path, default=OUT, help="output directory (default: docs/diagrams)")
    parser.add_argument("-q", "--quiet", action="store_true", help="do not print the DI warnings")
    args = parser.parse_args(argv)
    files = args.files or sorted(PROCESSES.glob("*.bpmn"))
    args.out.mkdir(parents=True, exist_ok=True)
    for path in files:
        for target, problems in render_file(path, args.out):
            print(target)
            if not args.quiet:
                for p in problems:
                    print(f"warning: {target.name}: {p}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
