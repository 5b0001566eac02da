"""Money: Decimal yuan with two places, never float; integer fen inside task data."""
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from workflows.errors import RuleViolation

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("100000000.00")  # 1亿元: no single fee, payment or line comes near it


def parse_amount(value, field: str = "amount") -> Decimal:
    """Return a non-negative Decimal with two places, or refuse the value with the rule."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise RuleViolation("amount_required", f"金额必填 / {field} is required")
    if isinstance(value, float | bool):
        raise RuleViolation(
            "amount_not_decimal",
            f"金额须为十进制数字字符串 / {field} must be a decimal string, not {type(value).__name__}",
        )
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        raise RuleViolation(
            "amount_not_numeric", f"金额不是数字 / {field} is not a number: {value!r}"
        ) from None
    return _checked(amount, field, value)


def _checked(amount: Decimal, field: str, raw) -> Decimal:
    if not amount.is_finite():
        raise RuleViolation("amount_not_numeric", f"金额不是数字 / {field} is not a number: {raw!r}")
    if amount < 0:
        raise RuleViolation("amount_negative", f"金额不能为负 / {field} must not be negative: {raw}")
    if amount > MAX_AMOUNT:
        raise RuleViolation(
            "amount_too_large",
            f"金额过大 / {field} is absurdly large: {raw} exceeds {MAX_AMOUNT} 元",
        )
    if amount != amount.quantize(CENT):
        raise RuleViolation(
            "amount_precision",
            f"金额最多两位小数 / {field} has more than two decimal places: {raw}",
        )
    return amount.quantize(CENT)


def to_fen(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value(rounding=ROUND_HALF_UP))


def from_fen(fen: int) -> Decimal:
    return (Decimal(int(fen)) / 100).quantize(CENT)


def yuan(amount: Decimal) -> str:
    """Format as ¥1,234.50."""
    return f"¥{amount:,.2f}"
