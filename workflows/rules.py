"""The fee rules as small pure functions. Each refuses with the rule's wording and the numbers."""
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from functools import cache

from django.utils import translation
from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _lazy

from workflows.errors import RuleViolation
from workflows.funding import OTHER_SPELLINGS, FundingPurpose, FundingSource
from workflows.money import parse_amount
from workflows.roles import EXAM_NAMES

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


@cache
def purpose_spellings() -> dict[str, FundingPurpose]:
    """Every spelling of every purpose: its code, its Chinese and English label, and the others in use."""
    found = {_spelling(other): purpose for other, purpose in OTHER_SPELLINGS.items()}
    for purpose in FundingPurpose:
        found[_spelling(purpose.value)] = purpose
        for language in ("zh-hans", "en"):
            with translation.override(language):
                found[_spelling(str(purpose.label))] = purpose
    return found


PAPER_CERTIFICATE_MAX = Decimal("40.00")

# No sitting of one college comes near this; a number above it is a typo (an extra digit or two),
# and paying on it would be paying on a typo.
MAX_HEADCOUNT = 100_000


def check_fee_cap(mode: str, fee: Decimal, cap: Decimal) -> None:
    """Refuse a fee above its assessment mode's "2357" cap (元/人次)."""
    # The caps bind per person per sitting; equal to the cap is allowed, a cent more is not.
    if fee > cap:
        raise RuleViolation(
            "fee_cap_2357",
            _lazy("The %(mode)s cap is %(cap)s CNY per person per sitting; proposed %(proposed)s."),
            mode=EXAM_NAMES.get(mode, mode), cap=cap, proposed=fee,
        )


def check_lines_sum(fee: Decimal, lines: Iterable[Decimal]) -> None:
    """Refuse cost lines that do not add up to the fee exactly."""
    total = sum(lines, Decimal("0.00"))
    if total != fee:
        raise RuleViolation(
            "cost_lines_sum",
            _lazy("The cost lines add up to %(total)s; the fee is %(fee)s."),
            total=total, fee=fee,
        )


def parse_lines(raw_lines: dict, known_items: Iterable[str]) -> dict[str, Decimal]:
    """Return cost item code -> amount, refusing unknown items and bad amounts."""
    if not raw_lines:
        raise RuleViolation("cost_lines_required", _lazy("Cost lines are required."))
    if not isinstance(raw_lines, dict):
        raise RuleViolation("cost_lines_malformed", _lazy("Cost lines must map item codes to amounts: %(given)s"),
                            given=repr(raw_lines)[:200])
    known = set(known_items)
    lines = {}
    for code, raw in raw_lines.items():
        if code not in known:
            raise RuleViolation("cost_item_unknown", _lazy("Unknown cost item: %(item)s"), item=code)
        lines[code] = parse_amount(raw, format_lazy(_lazy("cost line {item}"), item=code))
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
            _lazy("One certificate has one standard per province: %(certificate)s already has a verified "
                  "baseline of %(existing)s in %(province)s; verifying %(fee)s requires superseding it explicitly."),
            status=409,
            province=str(province), certificate=str(certificate), existing=existing, fee=fee,
        )


def payment_amount(fee: Decimal, headcount: int) -> Decimal:
    """Return the amount charged on actuals (据实列支): verified fee × people assessed."""
    if isinstance(headcount, bool) or not isinstance(headcount, int) or headcount < 0:
        raise RuleViolation("headcount_invalid", _lazy("The headcount must be a whole number ≥ 0: %(given)s"),
                            given=repr(headcount)[:100])
    return (fee * headcount).quantize(Decimal("0.01"))


def check_headcount(headcount) -> int:
    """Refuse a headcount that is not a whole number from 1 to MAX_HEADCOUNT; return it."""
    # A sitting with nobody assessed pays ¥0.00 and bounds no certificate: it was not held.
    if isinstance(headcount, bool) or not isinstance(headcount, int):
        raise RuleViolation("headcount_invalid", _lazy("The headcount must be a whole number: %(given)s"),
                            given=repr(headcount)[:100])
    if headcount < 1:
        raise RuleViolation(
            "headcount_at_least_one",
            _lazy("A sitting assesses at least 1 person, given %(given)s."), given=headcount)
    if headcount > MAX_HEADCOUNT:
        raise RuleViolation(
            "headcount_too_large",
            _lazy("A sitting assesses at most %(max)s people, given %(given)s."),
            max=f"{MAX_HEADCOUNT:,}", given=f"{headcount:,}")
    return headcount


def check_held_on(held_on: date | None, today: date, filed_on: date) -> None:
    """Refuse a sitting date that is missing, in the future, or before the agreement was filed."""
    # Payment is on actuals: a sitting is recorded once held, under an agreement already filed.
    if held_on is None:
        raise RuleViolation("held_on_required", _lazy("The date the sitting was held is required."))
    if not isinstance(held_on, date):
        raise RuleViolation("held_on_invalid", _lazy("The sitting date must be a date: %(given)s"),
                            given=repr(held_on)[:100])
    if held_on > today:
        raise RuleViolation(
            "held_on_in_future",
            _lazy("The sitting date %(held_on)s is after today, %(today)s: record a sitting once it is held."),
            held_on=f"{held_on:%Y-%m-%d}", today=f"{today:%Y-%m-%d}")
    if held_on < filed_on:
        raise RuleViolation(
            "held_on_before_filing",
            _lazy("The sitting date %(held_on)s is before the agreement was filed on %(filed_on)s."),
            held_on=f"{held_on:%Y-%m-%d}", filed_on=f"{filed_on:%Y-%m-%d}")


def check_certificates_within_assessed(assessed: int, issued: int, requested: int) -> None:
    """Refuse issuing more certificates than people assessed at the sitting."""
    if issued + requested > assessed:
        raise RuleViolation(
            "certificates_exceed_assessed",
            _lazy("The sitting assessed %(assessed)s, %(issued)s certificate(s) are issued already: "
                  "%(requested)s more would exceed it."),
            assessed=assessed, issued=issued, requested=requested,
        )


def funding_purpose(raw) -> FundingPurpose:
    """Return the purpose of the vocabulary that a code or label names; refuse anything else."""
    # A free-text purpose let "管理费" slip past a check that knew only the codes: every
    # spelling now resolves to one code of the closed vocabulary, or is refused.
    purpose = purpose_spellings().get(_spelling(raw)) if isinstance(raw, str) else None
    if purpose is None:
        raise RuleViolation(
            "funding_purpose_unknown",
            _lazy("Unknown funding purpose %(given)s; the allowed purposes are %(allowed)s."),
            given=repr(str(raw)[:40]), allowed=", ".join(p.value for p in FundingPurpose),
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
            "phone_invalid", _lazy("The phone number must be digits (spaces, '-', a leading '+'): %(given)s"),
            given=repr(phone)[:100])


# A label inside a sentence: lower case in English, the same in Chinese; decided when shown.
_in_sentence = lazy(lambda label: str(label).lower(), str)


def check_special_fund_use(source: str, purpose) -> FundingPurpose:
    """Refuse special funds (专项资金) for a forbidden use, however spelled; return the purpose."""
    resolved = funding_purpose(purpose)
    if not may_pay(source, resolved):
        message = (_lazy("Special funds must never be drawn for %(purpose)s (%(code)s).") if resolved in _DRAWN_FEES
                   else _lazy("Special funds must never pay for %(purpose)s (%(code)s)."))
        raise RuleViolation("special_fund_forbidden_use", message,
                            purpose=_in_sentence(resolved.label), code=resolved.value)
    return resolved


def check_allocations(amount: Decimal, allocations: Iterable[Decimal]) -> None:
    """Refuse funding splits that do not add up to the amount due, never more."""
    total = sum(allocations, Decimal("0.00"))
    if total != amount:
        raise RuleViolation(
            "payment_on_actuals",
            _lazy("The funding adds up to %(total)s; it must equal verified fee × assessed headcount = %(amount)s."),
            total=total, amount=amount,
        )


def check_paper_certificate_price(price: Decimal) -> None:
    """Refuse a paper certificate price above 40 CNY, delivery included."""
    if price > PAPER_CERTIFICATE_MAX:
        raise RuleViolation(
            "paper_certificate_price",
            _lazy("A paper certificate costs the student at most %(max)s CNY including delivery, asked %(price)s."),
            max=PAPER_CERTIFICATE_MAX, price=price,
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


# --- joint verification (会签) and expert opinions (加签) -----------------------------------

# A division may ask for an opinion, read it and ask again (another expert, a follow-up), but not
# without end: three rounds per division and baseline, the bound the process model draws too.
EXPERT_OPINIONS_MAX = 3
JOINT_DECISIONS = ("verify", "return", "reject")


def joint_outcome(vocational: str, finance: str) -> str:
    """Return the baseline's outcome once both divisions decided: verified, returned or rejected."""
    # "职业教育与财务相关处室要紧密合作": the province verifies only what both divisions verify. A refusal
    # by either ends the lifecycle, whatever the other decided: renegotiating could not cure what one
    # division refuses to verify at all. Short of a refusal, a return by either goes back to the parties.
    decisions = {vocational, finance}
    if not decisions <= set(JOINT_DECISIONS):
        raise ValueError(f"not a division's decision: {sorted(decisions - set(JOINT_DECISIONS))}")
    if "reject" in decisions:
        return "rejected"
    return "returned" if "return" in decisions else "verified"


def check_expert_opinions(asked: int, division) -> None:
    """Refuse a division's request for one more expert opinion than EXPERT_OPINIONS_MAX on a baseline."""
    if asked >= EXPERT_OPINIONS_MAX:
        raise RuleViolation(
            "expert_opinions_max",
            _lazy("A division asks for at most %(max)s expert opinions on one baseline; %(division)s has "
                  "asked for %(asked)s."),
            status=409, max=EXPERT_OPINIONS_MAX, division=division, asked=asked,
        )
