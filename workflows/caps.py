"""The "2357" caps, asked of the deployed DMN table: the one source for engine, forms and API."""
from decimal import Decimal
from types import SimpleNamespace

from django.utils.translation import gettext_lazy as _

from bpmn import caches, engine, parser
from bpmn.models import ProcessDefinition
from workflows.errors import RuleViolation

DECISION_ID = "assessment_fee_cap"
_TABLES: dict[str, object] = {}
caches.register(_TABLES.clear)


def _table_now():
    """Return the decision table of the latest deployed version; parsed once per version."""
    definitions = ProcessDefinition.objects.filter(process_id="fee_verification")
    try:
        latest = definitions.only("content_hash").latest()
    except ProcessDefinition.DoesNotExist:
        latest = None  # nothing deployed yet: the files on disk
    key = latest.content_hash if latest else None
    if key not in _TABLES:
        sources = latest.sources if latest else parser.read_model_files()
        dmn_only = {name: text for name, text in sources.items() if name.endswith(".dmn")}
        _TABLES[key] = parser.build_parser(dmn_only).get_engine(DECISION_ID, None)
    return _TABLES[key]


def cap_for(mode: str) -> Decimal:
    """Return the cap in yuan per person per sitting for an assessment mode."""
    table = _table_now()
    task = SimpleNamespace(
        data={"assessment_mode": mode},
        workflow=SimpleNamespace(script_engine=engine.script_engine()),
    )
    result = table.result(task)
    if not result or result.get("cap_fen") is None:
        raise RuleViolation(
            "assessment_mode_unknown", _("Unknown assessment mode: %(mode)s"), mode=repr(mode)
        )
    return (Decimal(int(result["cap_fen"])) / 100).quantize(Decimal("0.01"))


def cap_table() -> dict[str, Decimal]:
    """Return every mode's cap, for forms and the public disclosure page."""
    from workflows.models import AssessmentMode

    return {mode.value: cap_for(mode.value) for mode in AssessmentMode}
