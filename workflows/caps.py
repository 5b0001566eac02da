"""The "2357" caps, asked of the deployed DMN table: the one source for engine, forms and API."""
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from bpmn import engine
from workflows.errors import RuleViolation
from workflows.roles import AssessmentMode

DECISION_ID = "assessment_fee_cap"


def cap_for(mode: str) -> Decimal:
    """Return the cap in yuan per person per sitting for an assessment mode."""
    result = engine.decide(DECISION_ID, {"assessment_mode": mode})
    if not result or result.get("cap_fen") is None:
        raise RuleViolation(
            "assessment_mode_unknown", _("Unknown assessment mode: %(mode)s"), mode=repr(mode)
        )
    return (Decimal(int(result["cap_fen"])) / 100).quantize(Decimal("0.01"))


def cap_table() -> dict[str, Decimal]:
    """Return every mode's cap, for forms and the public disclosure page."""
    return {mode.value: cap_for(mode.value) for mode in AssessmentMode}
