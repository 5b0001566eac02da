"""Negotiation rounds side by side: each offer's cost lines against the previous round's."""
from dataclasses import dataclass, field
from decimal import Decimal

from workflows.models import CostItem, FeeProposal, Negotiation
from workflows.proposals import shown_comment


@dataclass
class Line:
    code: str
    name_zh: str
    name_en: str
    amount: Decimal | None
    previous: Decimal | None

    @property
    def delta(self) -> Decimal | None:
        if self.amount is None or self.previous is None:
            return None
        return self.amount - self.previous

    @property
    def changed(self) -> bool:
        return self.amount != self.previous


@dataclass
class Round:
    proposal: FeeProposal
    previous_fee: Decimal | None
    lines: list[Line] = field(default_factory=list)

    @property
    def comment(self) -> str:
        return shown_comment(self.proposal.comment)

    @property
    def fee_delta(self) -> Decimal | None:
        return None if self.previous_fee is None else self.proposal.fee - self.previous_fee


def _amount(lines: dict, code: str) -> Decimal | None:
    return Decimal(lines[code]) if code in lines else None


def history(negotiation: Negotiation) -> list[Round]:
    """Every round in order, each with its line-item diff against the round before it."""
    items = list(CostItem.objects.order_by("position", "code"))
    proposals = list(negotiation.proposals.select_related("author__person").order_by("round_no"))
    used = {code for p in proposals for code in p.lines}
    items = [item for item in items if item.code in used or item.active]
    rounds, before = [], None
    for proposal in proposals:
        lines = [
            Line(item.code, item.name_zh, item.name_en, _amount(proposal.lines, item.code),
                 _amount(before.lines, item.code) if before else None)
            for item in items
        ]
        rounds.append(Round(proposal, before.fee if before else None, lines))
        before = proposal
    return rounds


def as_dict(round_: Round) -> dict:
    """The JSON shape of a round, for the API."""
    p = round_.proposal
    return {
        "round_no": p.round_no,
        "party": p.party,
        "state": p.state,
        "fee": f"{p.fee:.2f}",
        "fee_delta": None if round_.fee_delta is None else f"{round_.fee_delta:.2f}",
        "comment": shown_comment(p.comment),
        "deadline": p.deadline.isoformat() if p.deadline else None,
        "author": p.author.username if p.author else None,
        "lines": [
            {"code": line.code, "amount": None if line.amount is None else f"{line.amount:.2f}",
             "previous": None if line.previous is None else f"{line.previous:.2f}",
             "delta": None if line.delta is None else f"{line.delta:.2f}"}
            for line in round_.lines
        ],
    }
