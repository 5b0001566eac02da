"""What a person typed or a client sent, read once for both edges.

A form posts text ("12", "2026-05-01", "7"); a JSON body may hold a number, a string, null or
nothing. The services read both through these functions, so the same bad input is refused with
the same rule on the page and over the API: one rule per field and kind (`headcount_required`,
`headcount_not_a_number`, `held_on_not_a_date`, `college_not_an_id`), the message naming the
field and, for a number, its bounds. Missing is None: the caller says what is required.
"""
from datetime import date

from django.utils.translation import gettext_lazy as _

from workflows import rules
from workflows.errors import RuleViolation

LABELS = {"headcount": _("headcount"), "held_on": _("date held"), "certificate": _("certificate"),
          "college": _("college"), "teo": _("training evaluation organization")}
DIGITS_MAX = 18  # no 5,000-digit numbers: beyond any bound, and slow to convert


def _missing(raw) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def _shown(raw) -> str:
    return repr(raw)[:40]


def _integer(raw) -> int | None:
    """A whole number given as a JSON integer or as ASCII digits (a sign allowed); anything else is None."""
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    if not isinstance(raw, str):
        return None  # true, 3.5, [], {}: not a whole number, whatever Python would make of them
    text = raw.strip()
    digits = text[1:] if text[:1] in "+-" else text
    if not (digits.isascii() and digits.isdigit()) or len(digits) > DIGITS_MAX:
        return None  # '²' and '٣' are digits to Python, not to a clerk
    return int(text)


def whole_number(raw) -> int | None:
    """A whole number as a form's text or a JSON integer sends it, or None for anything else."""
    return _integer(raw)


def headcount(raw) -> int:
    """The people assessed at a sitting: a whole number from 1 to MAX_HEADCOUNT."""
    bounds = {"field": LABELS["headcount"], "min": 1, "max": f"{rules.MAX_HEADCOUNT:,}"}
    if _missing(raw):
        raise RuleViolation("headcount_required",
                            _("The %(field)s is required: a whole number from %(min)s to %(max)s."), **bounds)
    value = _integer(raw)
    if value is None:
        raise RuleViolation("headcount_not_a_number",
                            _("The %(field)s must be a whole number from %(min)s to %(max)s, given %(given)s."),
                            given=_shown(raw), **bounds)
    return rules.check_headcount(value)


def day(raw, field: str) -> date | None:
    """A date as YYYY-MM-DD (what <input type=date> and JSON send), or a date already; missing is None."""
    if _missing(raw):
        return None
    if isinstance(raw, date):
        return raw
    text = raw.strip() if isinstance(raw, str) else ""
    try:
        if len(text) == 10:  # fromisoformat also reads '20260501' and week dates: not what a form sends
            return date.fromisoformat(text)
    except ValueError:
        pass
    raise RuleViolation(f"{field}_not_a_date", _("The %(field)s must be a date as YYYY-MM-DD, given %(given)s."),
                        field=LABELS.get(field, field), given=_shown(raw))


def object_id(raw, field: str) -> int | None:
    """The id of a chosen object (an object itself gives its pk); missing is None."""
    if _missing(raw):
        return None
    if hasattr(raw, "pk"):
        return raw.pk
    value = _integer(raw)
    if value is None:
        raise RuleViolation(f"{field}_not_an_id", _("The %(field)s must be given by its id, a whole number, "
                                                    "given %(given)s."),
                            field=LABELS.get(field, field), given=_shown(raw))
    return value
