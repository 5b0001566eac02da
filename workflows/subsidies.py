"""A province allocates subsidy funds to its pilot colleges (完善分配因素，及时将有关资金拨付至试点院校).

The province's finance division weighs the factors it chooses (the students its colleges filed to take
part, the people assessed, the certificates issued, an equal share) and the split is computed to the
fen; it may set a college's amount otherwise, with reasons, and releases the round once the amounts
add up to the total. What each college received and what it has paid from public funds (财政资金,
专项资金) since is the basis of its performance evaluation (绩效考评). The subsidy is a grant to the
college, never a fee per head (不是参与试点的人头费): headcounts may weigh, nothing is paid per person.
"""
from collections.abc import Mapping
from decimal import ROUND_FLOOR, Decimal
from fractions import Fraction

from django.db import transaction
from django.db.models import DecimalField, F, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from workflows import dashboards, events, inputs, participation
from workflows.aggregates import per_row, quantized
from workflows.errors import RuleViolation
from workflows.funding import FundingSource
from workflows.models import (
    MONEY,
    FundingAllocation,
    SubsidyAllocation,
    SubsidyFactor,
    SubsidyRound,
)
from workflows.money import parse_amount
from workflows.roles import Role
from workflows.services import _beijing_day, _require, _visible, act, today

WEIGHTS_TOTAL = 100
TITLE_MAX = 200
REASONS_MAX = 2000
FEN = Decimal("0.01")
# The sources a subsidy pays from; own and social funds are the college's and its partners' money.
PUBLIC_FUNDS = (FundingSource.FISCAL, FundingSource.SPECIAL)


# --- the rules -------------------------------------------------------------------------------------


def weights(raw) -> dict[str, int]:
    """The factors weighed, each a whole percent from 0 to 100, together 100; the factors weighed 0 left out."""
    allowed = ", ".join(SubsidyFactor.values)
    if not isinstance(raw, Mapping) or not raw:
        raise RuleViolation("subsidy_weights_required",
                            _("Weigh at least one factor (in percent, together 100): %(allowed)s."), allowed=allowed)
    unknown = sorted(str(key) for key in raw if key not in SubsidyFactor.values)
    if unknown:
        raise RuleViolation("subsidy_factor_unknown", _("Unknown factor %(given)s; the factors are %(allowed)s."),
                            given=", ".join(unknown)[:80], allowed=allowed)
    chosen = {}
    for factor, weight in raw.items():
        value = inputs.whole_number(weight) if weight not in (None, "") else 0
        if value is None or not 0 <= value <= WEIGHTS_TOTAL:
            raise RuleViolation("subsidy_weight_out_of_range",
                                _("The weight of %(factor)s is a whole percent from 0 to 100, given %(given)s."),
                                factor=SubsidyFactor(factor).label, given=repr(weight)[:40])
        if value:
            chosen[factor] = value
    if sum(chosen.values()) != WEIGHTS_TOTAL:
        raise RuleViolation("subsidy_weights_total", _("The weights add up to %(sum)s%%; they must add up to 100%%."),
                            sum=sum(chosen.values()))
    return chosen


def figures(province_id: int, year: int) -> dict[int, dict[str, int]]:
    """Each pilot college of the province, by id, and its figure for every factor in the year: the
    dashboard's colleges against their plans (`dashboards.assessed_against_plans`), of that year."""
    rows = sorted(dashboards.assessed_against_plans(province_id, year), key=lambda row: row["pk"])
    return {row["pk"]: {SubsidyFactor.FILED_STUDENTS: row["planned"], SubsidyFactor.PEOPLE_ASSESSED: row["assessed"],
                        SubsidyFactor.CERTIFICATES_ISSUED: row["certified"], SubsidyFactor.EQUAL_SHARE: 1}
            for row in rows}


def split(total: Decimal, chosen: dict[str, int], by_college: dict[int, dict[str, int]]) -> dict[int, Decimal]:
    """The total shared by the weighted factors, to the fen, adding up to the total exactly.

    Each factor's weight of the total is shared in proportion to the colleges' figures; the fen left by
    rounding down go one each to the largest remainders (the lower college id first on a tie).
    """
    sums = {factor: sum(figures_[factor] for figures_ in by_college.values()) for factor in chosen}
    empty = [factor for factor, amount in sums.items() if not amount]
    if empty:
        raise RuleViolation("subsidy_factor_empty",
                            _("%(factor)s is 0 for every college of the province: weigh it 0 or choose another "
                              "factor."), factor=SubsidyFactor(empty[0]).label)
    fen = int(total / FEN)
    exact = {college: sum(Fraction(fen * weight, WEIGHTS_TOTAL) * Fraction(figures_[factor], sums[factor])
                          for factor, weight in chosen.items()) for college, figures_ in by_college.items()}
    floors = {college: int(share) for college, share in exact.items()}
    left = fen - sum(floors.values())
    for college in sorted(exact, key=lambda c: (floors[c] - exact[c], c))[:left]:
        floors[college] += 1
    return {college: (Decimal(amount) * FEN).quantize(FEN, rounding=ROUND_FLOOR) for college, amount in floors.items()}


def _title(raw) -> str:
    text = raw.strip() if isinstance(raw, str) else ""
    if not text or len(text) > TITLE_MAX:
        raise RuleViolation("subsidy_title_required",
                            _("Name the round (the document it follows, say): 1 to %(max)s characters, given "
                              "%(given)s."), max=TITLE_MAX, given=len(text))
    return text


def _reasons(raw, required: bool) -> str:
    text = raw.strip() if isinstance(raw, str) else ""
    if required and not text:
        raise RuleViolation("subsidy_adjustment_reasons_required",
                            _("Give the reasons for an amount other than the computed one."))
    if len(text) > REASONS_MAX:
        raise RuleViolation("subsidy_reasons_too_long", _("The reasons are at most %(max)s characters, given "
                                                          "%(given)s."), max=REASONS_MAX, given=len(text))
    return text


def _refuse_released(subsidy: SubsidyRound) -> None:
    if subsidy.state == SubsidyRound.State.RELEASED:
        raise RuleViolation("subsidy_round_released",
                            _("%(title)s was released on %(on)s: its allocations stand."), 409,
                            title=subsidy.title, on=_beijing_day(subsidy.released_at))


def _finance_division(actor):
    person = _require(actor, Role.PROVINCIAL_FINANCE)
    if person.organization.province_id is None:
        raise RuleViolation("subsidy_by_province", _("Only a province's finance division allocates subsidies."), 403)
    return person


# --- the acts ----------------------------------------------------------------------------------


@act("open_subsidy_round")
@transaction.atomic
def open_subsidy_round(actor, year, title, total, weighed) -> SubsidyRound:
    """The province's finance division opens a round: the total, the factors weighed, the split computed."""
    person = _finance_division(actor)
    province_id = person.organization.province_id
    year = participation.batch_year(year, today().year)
    title = _title(title)
    total = parse_amount(total, _("subsidy amount"))
    if not total:
        raise RuleViolation("subsidy_total_positive", _("The subsidy amount must be more than ¥0.00."))
    chosen = weights(weighed)
    by_college = figures(province_id, year)
    if not by_college:
        raise RuleViolation("subsidy_no_colleges", _("The province has no pilot college to allocate to."), 409)
    amounts = split(total, chosen, by_college)
    subsidy = SubsidyRound.objects.create(province_id=province_id, year=year, title=title, total=total,
                                          weights=chosen, created_by=actor, created_at=timezone.now())
    SubsidyAllocation.objects.bulk_create(
        SubsidyAllocation(round=subsidy, college_id=college, figures=by_college[college], computed=amount,
                          amount=amount) for college, amount in amounts.items())
    return subsidy


@act("adjust_subsidy_allocation")
@transaction.atomic
def adjust_subsidy_allocation(actor, allocation, amount, reasons) -> SubsidyAllocation:
    """The finance division sets one college's amount of a draft round, with reasons when it differs."""
    person = _finance_division(actor)
    mine = SubsidyAllocation.objects.filter(round__province_id=person.organization.province_id)
    found = _visible(mine.select_related("round", "college"), allocation, "subsidy_allocation_unknown")
    subsidy = SubsidyRound.objects.select_for_update().get(pk=found.round_id)
    _refuse_released(subsidy)
    found.amount = parse_amount(amount, _("allocation"))
    found.reasons = _reasons(reasons, required=found.amount != found.computed)
    found.adjusted_by, found.adjusted_at = actor, timezone.now()
    found.save(update_fields=["amount", "reasons", "adjusted_by", "adjusted_at"])
    return found


@act("release_subsidy_round")
@transaction.atomic
def release_subsidy_round(actor, subsidy) -> SubsidyRound:
    """Release a round whose amounts add up to its total: each college is told its grant."""
    person = _finance_division(actor)
    mine = SubsidyRound.objects.filter(province_id=person.organization.province_id)
    subsidy = _visible(mine.select_for_update(), subsidy, "subsidy_round_unknown")
    _refuse_released(subsidy)
    allocated = quantized(subsidy.allocations.aggregate(n=Sum("amount"))["n"])
    if allocated != subsidy.total:
        raise RuleViolation("subsidy_allocations_not_total",
                            _("The allocations add up to ¥%(allocated)s and the round's amount is ¥%(total)s: set "
                              "them to add up before releasing (a difference of ¥%(difference)s)."), 409,
                            allocated=f"{allocated:,.2f}", total=f"{subsidy.total:,.2f}",
                            difference=f"{abs(subsidy.total - allocated):,.2f}")
    subsidy.release(actor, timezone.now())
    subsidy.save()
    events.emit("subsidy_released", subsidy=subsidy, actor=actor)
    return subsidy


# --- what the colleges received and spent (绩效考评) ----------------------------------------------


def performance(colleges, year: int) -> list[dict]:
    """Per college: the grants released to it for the year and what it paid since, by funding source (one query)."""
    money = DecimalField(**MONEY)
    released = SubsidyAllocation.objects.filter(round__state=SubsidyRound.State.RELEASED, round__year=year)
    paid = FundingAllocation.objects.filter(payment__state="released", payment__agreement__year=year)
    by_source = {source: per_row(paid.filter(source=source), "payment__college", Sum("amount"), money)
                 for source in FundingSource.values}
    rows = colleges.annotate(allocated=per_row(released, "college", Sum("amount"), money), **by_source).order_by(
        "province__code", "name").values("pk", "name", "allocated", *FundingSource.values,
                                         province_name=F("province__name"))
    return [_performance_row(row) for row in rows]


def _performance_row(row: dict) -> dict:
    amounts = {key: quantized(row[key]) for key in ("allocated", *FundingSource.values)}
    public = sum((amounts[source] for source in PUBLIC_FUNDS), Decimal("0.00"))
    return {**row, **amounts, "public": public, "balance": amounts["allocated"] - public}
