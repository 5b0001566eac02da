"""Money: Decimal yuan with two places, never float; integer fen inside task data."""
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext_lazy as _

from workflows.errors import RuleViolation

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("100000000.00")  # 1亿元: no single fee, payment or line comes near it


def parse_amount(value, field: str = "amount") -> Decimal:
    """Return a non-negative Decimal with two places, or refuse the value with the rule."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise RuleViolation("amount_required", _("An amount is required (%(field)s)."), field=field)
    if isinstance(value, float | bool):
        raise RuleViolation(
            "amount_not_decimal",
            _("The %(field)s must be a decimal string, not %(kind)s."),
            field=field,
            kind=type(value).__name__,
        )
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        raise RuleViolation(
            "amount_not_numeric", _("The %(field)s is not a number: %(value)s"), field=field, value=repr(value)
        ) from None
    return _checked(amount, field, value)


def _checked(amount: Decimal, field: str, raw) -> Decimal:
    if not amount.is_finite():
        raise RuleViolation("amount_not_numeric", _("The %(field)s is not a number: %(value)s"),
                            field=field, value=repr(raw))
    if amount < 0:
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
