"""The fee rules as small pure functions. Each refuses with the rule's wording and the numbers."""
from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from workflows.errors import RuleViolation
from workflows.funding import OTHER_SPELLINGS, FundingPurpose, FundingSource
from workflows.money import parse_amount

MODE_NAMES = {
    "paper": ("纸笔考试", "paper-and-pencil exam"),
    "computer": ("机考", "computer-based exam"),
    "practical_general": ("一般设备的实操考试", "practical exam, general equipment"),
    "practical_special": ("特殊设备的实操考试", "practical exam, special equipment"),
}

# 专项资金 must never pay for these, per the 2019 minutes; nor may a working or management fee
# be drawn from them (不得提取工作经费和管理经费). The other sources may pay any purpose.
FORBIDDEN_SPECIAL_FUND_USES = frozenset({
    FundingPurpose.DEBT_REPAYMENT,
    FundingPurpose.INTEREST,
    FundingPurpose.EXTERNAL_INVESTMENT,
    FundingPurpose.OTHER_PROJECT_GAP,
    FundingPurpose.MANAGEMENT_FEE,
    FundingPurpose.WORKING_FEE,
})
_DRAWN_FEES = {FundingPurpose.MANAGEMENT_FEE, FundingPurpose.WORKING_FEE}


def _spelling(text: str) -> str:
    return " ".join(text.split()).casefold()


def _spellings() -> dict[str, FundingPurpose]:
    """Every spelling of every purpose: its code, its label, either half of it, and the others in use."""
    found = {_spelling(other): purpose for other, purpose in OTHER_SPELLINGS.items()}
    for purpose in FundingPurpose:
        zh, _, en = purpose.label.partition(" ")
        for text in (purpose.value, purpose.label, zh, en):
            found[_spelling(text)] = purpose
    return found


PURPOSE_SPELLINGS = _spellings()

PAPER_CERTIFICATE_MAX = Decimal("40.00")

# No sitting of one college comes near this; a number above it is a typo (an extra digit or two),
# and paying on it would be paying on a typo.
MAX_HEADCOUNT = 100_000


def check_fee_cap(mode: str, fee: Decimal, cap: Decimal) -> None:
    """Refuse a fee above its assessment mode's "2357" cap (元/人次)."""
    # The caps bind per person per sitting; equal to the cap is allowed, a cent more is not.
    if fee > cap:
        zh, en = MODE_NAMES.get(mode, (mode, mode))
        raise RuleViolation(
            "fee_cap_2357",
            f"{zh} 上限 {cap:.0f} 元/人次, proposed {fee:.2f} "
            f"(the {en} cap is {cap:.2f} CNY per person per sitting)",
        )


def check_lines_sum(fee: Decimal, lines: Iterable[Decimal]) -> None:
    """Refuse cost lines that do not add up to the fee exactly."""
    total = sum(lines, Decimal("0.00"))
    if total != fee:
        raise RuleViolation(
            "cost_lines_sum",
            f"成本明细合计 {total:.2f} 元与收费标准 {fee:.2f} 元不符 / cost lines add up to "
            f"{total:.2f}, the fee is {fee:.2f}",
        )


def parse_lines(raw_lines: dict, known_items: Iterable[str]) -> dict[str, Decimal]:
    """Return cost item code -> amount, refusing unknown items and bad amounts."""
    if not raw_lines:
        raise RuleViolation("cost_lines_required", "须列明成本明细 / cost lines are required")
    if not isinstance(raw_lines, dict):
        raise RuleViolation("cost_lines_malformed",
                            f"成本明细须为 项目→金额 / cost lines must map item codes to amounts: {raw_lines!r}"[:300])
    known = set(known_items)
    lines = {}
    for code, raw in raw_lines.items():
        if code not in known:
            raise RuleViolation(
                "cost_item_unknown", f"未知的成本项目 / unknown cost item: {code}"
            )
        lines[code] = parse_amount(raw, f"cost line {code}")
    return lines


def uniformity(existing_fee: Decimal | None, fee: Decimal) -> str:
    """Return 'none', 'same' or 'conflict' against the province's verified baseline."""
    if existing_fee is None:
        return "none"
    return "same" if existing_fee == fee else "conflict"


def check_uniformity(province: str, certificate: str, existing: Decimal | None, fee: Decimal):
    """Refuse a second, different baseline for one certificate in one province."""
    if uniformity(existing, fee) == "conflict":
        raise RuleViolation(
            "one_standard_per_province",
            f"同一证书在同一省域内标准统一：{province} 已核定 {certificate} 基线 {existing:.2f} 元，"
            f"不能另核定 {fee:.2f} 元，须先明确替代原基线 / one certificate has one standard per "
            f"province: {certificate} already has a verified baseline of {existing:.2f} in "
            f"{province}; verifying {fee:.2f} requires superseding it explicitly",
            status=409,
        )


def payment_amount(fee: Decimal, headcount: int) -> Decimal:
    """Return the amount charged on actuals (据实列支): verified fee × people assessed."""
    if isinstance(headcount, bool) or not isinstance(headcount, int) or headcount < 0:
        raise RuleViolation(
            "headcount_invalid", f"实际考核人数须为非负整数 / headcount must be a whole number ≥ 0: {headcount!r}"
        )
    return (fee * headcount).quantize(Decimal("0.01"))


def check_headcount(headcount) -> int:
    """Refuse a headcount that is not a whole number from 1 to MAX_HEADCOUNT; return it."""
    # A sitting with nobody assessed pays ¥0.00 and bounds no certificate: it was not held.
    if isinstance(headcount, bool) or not isinstance(headcount, int):
        raise RuleViolation(
            "headcount_invalid", f"考核人数须为整数 / headcount must be a whole number: {headcount!r}"[:200])
    if headcount < 1:
        raise RuleViolation(
            "headcount_at_least_one",
            f"考核人数至少为 1，填写的是 {headcount} / a sitting assesses at least 1 person, given {headcount}")
    if headcount > MAX_HEADCOUNT:
        raise RuleViolation(
            "headcount_too_large",
            f"单场考核人数不超过 {MAX_HEADCOUNT:,}，填写的是 {headcount:,} / a sitting assesses at most "
            f"{MAX_HEADCOUNT:,} people, given {headcount:,}")
    return headcount


def check_held_on(held_on: date | None, today: date, filed_on: date) -> None:
    """Refuse a sitting date that is missing, in the future, or before the agreement was filed."""
    # Payment is on actuals: a sitting is recorded once held, under an agreement already filed.
    if held_on is None:
        raise RuleViolation("held_on_required", "须填写考核日期 / the date the sitting was held is required")
    if not isinstance(held_on, date):
        raise RuleViolation("held_on_invalid", f"考核日期须为日期 / the sitting date must be a date: {held_on!r}"[:200])
    if held_on > today:
        raise RuleViolation(
            "held_on_in_future",
            f"考核日期 {held_on:%Y-%m-%d} 晚于今天 {today:%Y-%m-%d} / the sitting date {held_on:%Y-%m-%d} is "
            f"after today, {today:%Y-%m-%d}: record a sitting once it is held")
    if held_on < filed_on:
        raise RuleViolation(
            "held_on_before_filing",
            f"考核日期 {held_on:%Y-%m-%d} 早于协议备案日期 {filed_on:%Y-%m-%d} / the sitting date "
            f"{held_on:%Y-%m-%d} is before the agreement was filed on {filed_on:%Y-%m-%d}")


def check_certificates_within_assessed(assessed: int, issued: int, requested: int) -> None:
    """Refuse issuing more certificates than people assessed at the sitting."""
    if issued + requested > assessed:
        raise RuleViolation(
            "certificates_exceed_assessed",
            f"该场考核 {assessed} 人，已发证 {issued} 张，不能再发 {requested} 张 / the sitting assessed "
            f"{assessed}, {issued} certificate(s) are issued already: {requested} more would exceed it",
        )


def funding_purpose(raw) -> FundingPurpose:
    """Return the purpose of the vocabulary that a code or label names; refuse anything else."""
    # A free-text purpose let "管理费" slip past a check that knew only the codes: every
    # spelling now resolves to one code of the closed vocabulary, or is refused.
    purpose = PURPOSE_SPELLINGS.get(_spelling(raw)) if isinstance(raw, str) else None
    if purpose is None:
        allowed = "、".join(f"{p.value}（{p.label.partition(' ')[0]}）" for p in FundingPurpose)
        allowed_en = ", ".join(p.value for p in FundingPurpose)
        raise RuleViolation(
            "funding_purpose_unknown",
            f"未知的资金用途 {str(raw)[:40]!r}，可选：{allowed} / unknown funding purpose "
            f"{str(raw)[:40]!r}; the allowed purposes are {allowed_en}",
        )
    return purpose


def may_pay(source: str, purpose: str) -> bool:
    """Whether a funding source may pay for a purpose of the vocabulary."""
    return not (source == FundingSource.SPECIAL and purpose in FORBIDDEN_SPECIAL_FUND_USES)


def sources_for(purpose: str) -> list[FundingSource]:
    """The funding sources that may pay for a purpose, in the vocabulary's order."""
    return [source for source in FundingSource if may_pay(source, purpose)]


def check_phone(phone: str) -> None:
    """Refuse a delivery phone number that is not 5 to 20 digits, spaces, hyphens, a leading +."""
    digits = phone[1:] if phone.startswith("+") else phone
    if not all(c in "0123456789 -" for c in digits) or sum(c in "0123456789" for c in digits) < 5:
        raise RuleViolation(
            "phone_invalid", f"联系电话须为数字 / the phone number must be digits (spaces, '-', a leading '+'): "
            f"{phone!r}"[:200])


def check_special_fund_use(source: str, purpose) -> FundingPurpose:
    """Refuse special funds (专项资金) for a forbidden use, however spelled; return the purpose."""
    resolved = funding_purpose(purpose)
    if not may_pay(source, resolved):
        zh, _, en = resolved.label.partition(" ")
        drawn = "提取" if resolved in _DRAWN_FEES else ""
        raise RuleViolation(
            "special_fund_forbidden_use",
            f"专项资金不得用于{drawn}{zh}（{resolved.value}）/ special funds must never pay for "
            f"{en.lower()} ({resolved.value})",
        )
    return resolved


def check_allocations(amount: Decimal, allocations: Iterable[Decimal]) -> None:
    """Refuse funding splits that do not add up to the amount due, never more."""
    total = sum(allocations, Decimal("0.00"))
    if total != amount:
        raise RuleViolation(
            "payment_on_actuals",
            f"拨付合计 {total:.2f} 元须等于核定收费 × 实际考核人数 = {amount:.2f} 元 / the funding "
            f"adds up to {total:.2f}; it must equal verified fee × assessed headcount = {amount:.2f}",
        )


def check_paper_certificate_price(price: Decimal) -> None:
    """Refuse a paper certificate price above 40 CNY, delivery included."""
    if price > PAPER_CERTIFICATE_MAX:
        raise RuleViolation(
            "paper_certificate_price",
            f"纸质证书收费不超过 40 元（含邮寄），填写的是 {price:.2f} 元 / a paper certificate costs the "
            f"student at most 40.00 CNY including delivery, asked {price:.2f}",
        )


def agreement_number(abbreviation: str, certificate_code: str, year: int, sequence: int) -> str:
    """Return an agreement's formal number, e.g. 鄂-X-CLOUD-02-2026-0001."""
    # The province's abbreviation first, as its documents are numbered; the sequence restarts
    # every batch year within the province.
    return f"{abbreviation}-{certificate_code}-{year}-{sequence:04d}"


def term_end(year: int) -> date:
    """Return the last day of an agreement's term: 31 December of its batch year."""
    # A batch's assessments are planned for September to December of its year; the next batch
    # negotiates and signs anew, so an agreement never runs into another batch's year.
    return date(year, 12, 31)
