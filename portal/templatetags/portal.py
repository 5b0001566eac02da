"""Display helpers: money as ¥1,234.50, signed deltas, and names (people, processes, tasks, lanes) for people."""
from decimal import Decimal

from django import template

from bpmn import names
from workflows.attachments import shown_size
from workflows.money import yuan as _yuan
from workflows.permissions import display_name
from workflows.roles import lane_label

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
def get(mapping, key):
    return (mapping or {}).get(key)


@register.filter
def lane(value) -> str:
    """Who handles a lane's tasks (承办方), never the lane's id."""
    return lane_label(value)


@register.filter
def person(user) -> str:
    """A person by name (姓名), never by user name while they have one."""
    return display_name(user)


@register.filter
def model_name(value) -> str:
    """A name drawn in a process model (a task's label), in the active language."""
    return names.shown(value)


@register.filter
def process_name(process_id) -> str:
    """A process's name, in the active language, never its id."""
    return names.process_name(process_id)


@register.filter
def filesize(size) -> str:
    """A file's size as people read it: 812 B, 35.2 KB, 10 MB."""
    return shown_size(int(size or 0))
