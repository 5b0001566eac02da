"""Display helpers: money as ¥1,234.50, bilingual labels in the active language, signed deltas."""
from decimal import Decimal

from django import template
from django.utils import translation

from workflows.assignment import LANE_LABELS
from workflows.labels import pick
from workflows.money import yuan as _yuan

register = template.Library()


@register.filter
def yuan(value) -> str:
    if value in (None, ""):
        return "—"
    return _yuan(Decimal(str(value)))


@register.filter
def delta(value) -> str:
    """A change between rounds: +¥10.00, −¥5.00, or nothing when unchanged."""
    if value in (None, ""):
        return ""
    amount = Decimal(str(value))
    if amount == 0:
        return "±0"
    return f"{'+' if amount > 0 else '−'}{_yuan(abs(amount))}"


@register.filter
def label(value) -> str:
    """The active language's half of a '中文 English' label."""
    return pick(value, translation.get_language() or "zh-hans")


@register.filter
def get(mapping, key):
    return (mapping or {}).get(key)


@register.filter
def lane(value) -> str:
    return label(LANE_LABELS.get(value, value))
