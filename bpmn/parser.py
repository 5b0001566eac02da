"""The parser seam: model files in, SpiffWorkflow specs out, cached per content hash."""
import hashlib
from pathlib import Path

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import LoopTask
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser

from bpmn import caches, spiff
from bpmn.errors import ModelValidationError
from bpmn.xml import parse_model_xml

PROCESS_DIR = Path(__file__).resolve().parent / "processes"
BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"


def read_model_files(directory: Path = PROCESS_DIR) -> dict[str, str]:
    """Return file name -> text of every .bpmn and .dmn file below the directory."""
    files = sorted([*directory.rglob("*.bpmn"), *directory.rglob("*.dmn")])
    return {str(p.relative_to(directory)): p.read_text(encoding="utf-8") for p in files}


def content_hash(sources: dict[str, str]) -> str:
    """Return a stable hash of a set of model files."""
    digest = hashlib.sha256()
    for name in sorted(sources):
        digest.update(name.encode() + b"\0" + sources[name].encode() + b"\0")
    return digest.hexdigest()


def build_parser(sources: dict[str, str]) -> SpiffBpmnParser:
    """Parse and validate every file against the OMG schemas; any failure is a validation error.

    SpiffBpmnParser is the parser that binds a businessRuleTask to its DMN decision
    (`spiffworkflow:calledDecisionId`); its validator is the OMG BPMN XSD plus that extension.
    """
    parser = SpiffBpmnParser(validator=VALIDATOR)
    try:
        for name, text in sources.items():
            root = parse_model_xml(text, name)
            if name.endswith(".dmn"):
                parser.add_dmn_xml(root, filename=name)
            else:
                parser.add_bpmn_xml(root, filename=name)
    except (ValidationException, etree.LxmlError) as exc:
        raise ModelValidationError(
            f"模型文件未通过 BPMN/DMN 校验 / model file failed BPMN/DMN validation: {exc}"
        ) from None
    return parser


def process_ids(sources: dict[str, str]) -> list[str]:
    """Return the executable process ids declared in the files."""
    ids = []
    for name, text in sources.items():
        if name.endswith(".bpmn"):
            root = parse_model_xml(text, name)
            ids += root.xpath("//b:process[@isExecutable='true']/@id", namespaces={"b": BPMN_NS})
    return sorted(ids)


def decision_table(sources: dict[str, str], decision_id: str):
    """Return the DMN engine of one decision in the files; an unknown id is a validation error."""
    dmn_only = {name: text for name, text in sources.items() if name.endswith(".dmn")}
    try:
        return spiff.decision_table(build_parser(dmn_only), decision_id)
    except ValidationException as exc:
        raise ModelValidationError(f"没有该决策表 / no such decision table: {decision_id}: {exc}") from None


_SPEC_CACHE: dict[tuple[str, str], tuple] = {}
caches.register(_SPEC_CACHE.clear)


def load_specs(process_id: str, sources: dict[str, str], hash_: str | None = None) -> tuple:
    """Return (spec, subprocess_specs) for a process; parsed once per content hash."""
    key = (hash_ or content_hash(sources), process_id)
    if key not in _SPEC_CACHE:
        parser = build_parser(sources)
        try:
            spec, subprocess_specs = parser.get_spec(process_id), parser.get_subprocess_specs(process_id)
        except ValidationException as exc:
            raise ModelValidationError(
                f"流程模型无法解析 / process model cannot be parsed: {process_id}: {exc}"
            ) from None
        for process_spec in (spec, *subprocess_specs.values()):
            wire_loop_completions(process_spec)
        _SPEC_CACHE[key] = (spec, subprocess_specs)
    return _SPEC_CACHE[key]


def wire_loop_completions(process_spec) -> None:
    """Connect each loop or multi-instance child's completion to its parent's merge, as restored specs are.

    SpiffWorkflow 3.2 makes this connection lazily, when a loop first creates a child in this
    process; its spec converter makes it on restore. Specs fresh from the parser therefore cannot
    advance a loop whose children were created by another process (the parent stays STARTED with
    every child done), so the connection is made here, once per parse, for every loop.
    """
    for task_spec in process_spec.task_specs.values():
        if isinstance(task_spec, LoopTask):
            child_spec = process_spec.task_specs[task_spec.task_spec]
            if not child_spec.completed_event.is_connected(task_spec.merge_child):
                child_spec.completed_event.connect(task_spec.merge_child)
