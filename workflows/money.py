"""Money: Decimal yuan with two places, never float; integer fen inside task data."""
import math
import re
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_lazy as _

from workflows.errors import RuleViolation

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("100000000.00")  # 1亿元: no single fee, payment or line comes near it


# What a clerk writes for an amount: ASCII digits, commas only between groups of three, and at
# most two decimals after a dot. Python's Decimal reads far more ("1e3", "NaN", "١٢٣", "１００"),
# and stripping every comma read "1,50" as 150.00: an amount that means something else is refused.
AMOUNT_TEXT = re.compile(r"(?P<sign>-?)(?P<whole>[1-9][0-9]{0,2}(?:,[0-9]{3})+|[0-9]+)(?P<cents>\.[0-9]+)?")


def parse_amount(value, field: str = "amount") -> Decimal:
    """Return a non-negative Decimal with two places, or refuse the value with the rule."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise RuleViolation("amount_required", _("An amount is required (%(field)s)."), field=field)
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise RuleViolation(
            "amount_not_decimal",
            _("The %(field)s must be a decimal string or a number, not %(kind)s."),
            field=field,
            kind=type(value).__name__,
        )
    if isinstance(value, int):
        return _checked(Decimal(value), field, value)
    if isinstance(value, float):
        # A JSON number: its shortest decimal form is what the client wrote (0.1 is "0.1").
        return _checked(_float_amount(value, field), field, value)
    return _checked(_text_amount(value, field), field, value)


def _text_amount(text: str, field: str) -> Decimal:
    match = AMOUNT_TEXT.fullmatch(text.strip())
    if match is None:
        raise _malformed(field, text)
    # The sign stays in the text: negating Decimal("0") gives 0, and "-0" would pass as zero.
    return Decimal(match["sign"] + match["whole"].replace(",", "") + (match["cents"] or ""))


def _float_amount(number: float, field: str) -> Decimal:
    if not math.isfinite(number):
        raise _malformed(field, number)
    return Decimal(repr(number))


def _malformed(field: str, raw) -> RuleViolation:
    return RuleViolation(
        "amount_malformed",
        _("The %(field)s must be written in ASCII digits, with commas only between groups of three "
          "and at most two decimals after a dot (1,234.50); given %(value)s."),
        field=field,
        value=repr(raw)[:40],
    )


def _checked(amount: Decimal, field: str, raw) -> Decimal:
    if amount.is_signed():  # -0 as well: stored, it would read -0.00
        raise RuleViolation("amount_negative", _("The %(field)s must not be negative: %(value)s"),
                            field=field, value=str(raw))
    if amount > MAX_AMOUNT:
        raise RuleViolation(
            "amount_too_large",
            _("The %(field)s is absurdly large: %(value)s exceeds %(max)s CNY."),
            field=field,
            value=str(raw),
            max=MAX_AMOUNT,
        )
    if amount != amount.quantize(CENT):
        raise RuleViolation(
            "amount_precision",
            _("The %(field)s has more than two decimal places: %(value)s"),
            field=field,
            value=str(raw),
        )
    return amount.quantize(CENT)


def to_fen(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value(rounding=ROUND_HALF_UP))


def from_fen(fen: int) -> Decimal:
    return (Decimal(int(fen)) / 100).quantize(CENT)


def yuan(amount: Decimal) -> str:
    """Format as ¥1,234.50."""
    return f"¥{amount:,.2f}"
