"""Display helpers: money as ¥1,234.50, bilingual labels in the active language, signed deltas."""
from decimal import Decimal

from django import template
from django.utils import translation

from bpmn import names
from workflows.assignment import lane_label
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
    """Who handles a lane's tasks (承办方), never the lane's id."""
    return lane_label(value)


@register.filter
def model_name(value) -> str:
    """A name drawn in a process model (a task's label), in the active language."""
    return names.shown(value)


@register.filter
def process_name(process_id) -> str:
    """A process's name, in the active language, never its id."""
    return names.process_name(process_id)
