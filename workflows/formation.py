"""How many accepting members register an alliance: the number the deployed model's gateway says.

The gateway `enough_members` of `alliance_formation` registers the alliance when
`accepted_count >= N`, and `count_accepted` counts the lead college too. Pages, refusals and the
model's own condition therefore say one number, read here from the stored model files.
"""
import ast

from bpmn import caches, engine
from bpmn.errors import ModelValidationError
from bpmn.models import ProcessDefinition, ProcessInstance
from bpmn.parser import BPMN_NS
from bpmn.xml import parse_model_xml

PROCESS_ID = "alliance_formation"
GATEWAY_ID = "enough_members"
COUNT = "accepted_count"

_MINIMUMS: dict[str, int] = {}
caches.register(_MINIMUMS.clear)


def minimum_members(definition: ProcessDefinition | None = None) -> int:
    """Return the accepting members (the lead included) that register an alliance.

    Read from the definition's stored files (any definition whose files hold `alliance_formation`,
    e.g. a lifecycle's), else from the latest deployed `alliance_formation`; parsed once per hash.
    """
    definition = definition or engine.latest_definition(PROCESS_ID)
    if definition.content_hash not in _MINIMUMS:
        _MINIMUMS[definition.content_hash] = minimum_in(definition.sources)
    return _MINIMUMS[definition.content_hash]


def minimum_for_instance(instance: ProcessInstance | None) -> int:
    """The minimum of the model an instance runs on (a running lifecycle keeps its version)."""
    return minimum_members(instance.definition if instance is not None else None)


def minimum_in(sources: dict[str, str]) -> int:
    """Find the gateway's condition in the model files and return its number."""
    for name, text in sources.items():
        if not name.endswith(".bpmn"):
            continue
        root = parse_model_xml(text, name)
        if root.xpath(f"//b:process[@id='{PROCESS_ID}']", namespaces={"b": BPMN_NS}):
            return _threshold(_condition(root, name), name)
    raise ModelValidationError(f"模型中没有流程 {PROCESS_ID} / no process {PROCESS_ID} in the model files")


def _condition(root, name: str) -> str:
    ns = {"b": BPMN_NS}
    gateway = root.xpath(f"//b:process[@id='{PROCESS_ID}']//b:exclusiveGateway[@id='{GATEWAY_ID}']", namespaces=ns)
    if not gateway:
        raise ModelValidationError(f"{name}: 没有网关 {GATEWAY_ID} / no gateway {GATEWAY_ID}")
    default = gateway[0].get("default")
    conditions = [
        flow.xpath("string(b:conditionExpression)", namespaces=ns).strip()
        for flow in root.xpath(f"//b:sequenceFlow[@sourceRef='{GATEWAY_ID}']", namespaces=ns)
        if flow.get("id") != default
    ]
    if len(conditions) != 1 or not conditions[0]:
        raise ModelValidationError(f"{name}: {GATEWAY_ID} 须有一个条件分支 / needs one conditional flow: {conditions}")
    return conditions[0]


def _threshold(condition: str, name: str) -> int:
    """`accepted_count >= 2` gives 2; `accepted_count > 1` gives 2 as well."""
    try:
        compare = ast.parse(condition, mode="eval").body
    except SyntaxError:
        compare = None
    if (isinstance(compare, ast.Compare) and isinstance(compare.left, ast.Name) and compare.left.id == COUNT
            and len(compare.ops) == 1 and isinstance(compare.ops[0], ast.GtE | ast.Gt)
            and isinstance(compare.comparators[0], ast.Constant) and type(compare.comparators[0].value) is int):
        return compare.comparators[0].value + (1 if isinstance(compare.ops[0], ast.Gt) else 0)
    raise ModelValidationError(
        f"{name}: {GATEWAY_ID} 的条件须为 {COUNT} >= 数字 / the condition must read `{COUNT} >= N`: {condition!r}")


def minimum_for_alliance(alliance) -> int:
    """The minimum of the lifecycle that forms the alliance: its first negotiation's."""
    from workflows.services import lifecycle_key

    first = alliance.negotiations.order_by("pk").first()
    instance = (ProcessInstance.objects.select_related("definition").filter(business_key=lifecycle_key(first)).first()
                if first is not None else None)
    return minimum_for_instance(instance)


def lead_is_member(alliance) -> bool:
    """Whether the lead is one of the colleges: a lead college is; a provincial pilot institution is not."""
    from workflows.models import Organization

    return alliance.lead.kind != Organization.Kind.PROVINCIAL_INSTITUTION


def invitations_needed(alliance, minimum: int) -> int:
    """How many invited colleges must accept for the model's minimum: the lead college counts toward it
    (one invitation at least: an alliance is colleges banding together); an institution does not."""
    return max(minimum - 1, 1) if lead_is_member(alliance) else minimum
