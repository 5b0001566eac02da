"""What each user task takes as input: one contract per (process id, task id).

A completion sends an object of keys (JSON from the API, a form that the task page turns into
the same object). The contract names the keys a person may set, each with its kind and bounds;
it is read by the services before anything reaches the engine, by the engine itself against the
live task data (`HOOKS.task_input`), by the API's request schema (`api.task_inputs`), by the task
pages' forms (`portal.tasks`) and, in words, by docs/processes.md (a test holds the two equal).

Every other key is refused, whatever its value: one the process owns (the ids of business
objects, anything the engine, a script or an earlier task wrote into the workflow data) with
`task_input_process_owned`, any other with `task_input_unknown_key`; both name the keys and what
the task takes. Only the declared keys reach the task data. The kinds and bounds are checked
here; the actions keep the business rules (a fee under the cap, services among the published).
"""
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from bpmn import names
from workflows.errors import RuleViolation

TEXT_MAX = 5000  # a comment, reasons or a note: a page of text, not a file
SHOWN_KEYS_MAX = 10  # a refusal names at most this many keys (a body may send thousands)


class Kind(StrEnum):
    CHOICE = "choice"
    TEXT = "text"
    BOOLEAN = "boolean"
    AMOUNT = "amount"
    COST_LINES = "cost_lines"
    IDS = "ids"
    ID = "id"
    DATETIME = "datetime"
    TEXTS = "texts"
    FUNDING = "funding"
    COUNT = "count"


FUNDING_SHARE_KEYS = ("source", "amount", "purpose")


@dataclass(frozen=True)
class Key:
    """One key a task takes: its kind, its bounds, its name in the reader's language."""

    name: str
    kind: Kind
    label: Promise
    choices: tuple[str, ...] = ()
    max_length: int | None = None  # a text's characters (each item's, for a list of texts)
    max_items: int | None = None  # a list's items, a cost-line object's entries
    required: bool = False
    maximum: int | None = None  # a count's largest value (its smallest is 0)

    def bounds(self) -> str:
        """The kind and bounds in words, as docs/processes.md lists them."""
        parts = [self.kind.value]
        if self.choices:
            parts.append(" / ".join(self.choices))
        if self.max_length:
            parts.append(f"≤ {self.max_length} chars")
        if self.max_items:
            parts.append(f"≤ {self.max_items} items")
        if self.maximum is not None:
            parts.append(f"0 … {self.maximum}")
        if self.required:
            parts.append("required")
        return ", ".join(parts)


@dataclass(frozen=True)
class Contract:
    process_id: str
    task_id: str
    keys: tuple[Key, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(key.name for key in self.keys)

    def key(self, name: str) -> Key:
        return next(key for key in self.keys if key.name == name)

    def accept(self, submitted, present: Iterable[str] = (), task: str = "") -> dict:
        """The submitted keys this task takes, each of its kind and within its bounds; anything else refused.

        `present` holds the keys already in the workflow data at this task: the process's own, as
        are the keys the process writes (PROCESS_KEYS) and the other tasks' inputs (INPUT_KEYS).
        """
        if not isinstance(submitted, Mapping):
            raise RuleViolation("malformed_request", _("The task data must be an object of keys."))
        shown = names.shown_lazy(task or self.task_id)
        undeclared = [str(name) for name in submitted if name not in self.names]
        # Another task's input is the process's here: once given, it is in the workflow data for good.
        owned = [name for name in undeclared if name in PROCESS_KEYS or name in INPUT_KEYS or name in set(present)]
        if owned:
            raise _refusal("task_input_process_owned",
                           _("The task “%(task)s” cannot set %(keys)s: the process keeps them itself. "
                             "It takes: %(allowed)s."), owned, self.names, shown)
        if undeclared:
            raise _refusal("task_input_unknown_key", _("The task “%(task)s” takes no %(keys)s. It takes: %(allowed)s."),
                           undeclared, self.names, shown)
        for name in self.names:
            self.read(submitted, name)
        return {name: submitted[name] for name in self.names if name in submitted}

    def read(self, data: Mapping, name: str, required: bool | None = None):
        """The value of one declared key, checked against its kind and bounds (a text comes stripped)."""
        key = self.key(name)
        return CHECKS[key.kind](key, data.get(name), key.required if required is None else required)


def _refusal(rule: str, message, keys: list[str], allowed: tuple[str, ...], task) -> RuleViolation:
    keys = sorted(keys)
    listed = ", ".join(keys[:SHOWN_KEYS_MAX]) + (" …" if len(keys) > SHOWN_KEYS_MAX else "")
    return RuleViolation(rule, message, task=task, keys=listed[:400],
                         allowed=", ".join(allowed) if allowed else _("no input"))


def refuse_unknown(keys: Iterable[str], allowed: tuple[str, ...], task: str) -> None:
    """Refuse keys outside `allowed` with the unknown-key rule (a request's or a form's own fields)."""
    unknown = [str(key) for key in keys if key not in allowed]
    if unknown:
        raise _refusal("task_input_unknown_key", _("The task “%(task)s” takes no %(keys)s. It takes: %(allowed)s."),
                       unknown, allowed, names.shown_lazy(task))


# --- kinds ---------------------------------------------------------------------------------


def _given(raw) -> str:
    return repr(raw)[:100]


def _choice(key: Key, raw, required: bool):
    if raw not in key.choices:
        raise RuleViolation(f"{key.name}_required", _("Choose a decision: %(allowed)s; got %(given)s."),
                            allowed=", ".join(key.choices), given=_given(raw))
    return raw


def _text(key: Key, raw, required: bool) -> str:
    if raw is not None and not isinstance(raw, str):
        raise RuleViolation(f"{key.name}_not_text", _("The %(field)s must be text, not %(kind)s."),
                            field=key.label, kind=type(raw).__name__)
    value = (raw or "").strip()
    if required and not value:
        raise RuleViolation(f"{key.name}_required", _("The %(field)s is required."), field=key.label)
    if len(value) > key.max_length:
        raise RuleViolation(f"{key.name}_too_long", _("The %(field)s is longer than %(limit)s characters."),
                            field=key.label, limit=key.max_length)
    return value


def _boolean(key: Key, raw, required: bool) -> bool:
    if raw is not None and not isinstance(raw, bool):  # "false" is a true string: only true or false
        raise RuleViolation(f"{key.name}_not_a_boolean", _("The %(field)s must be true or false, given %(given)s."),
                            field=key.label, given=_given(raw))
    return bool(raw)


def _amount(key: Key, raw, required: bool):
    # The amount itself (digits, decimals, the cap) is read by the action with workflows.money.
    if raw is not None and (isinstance(raw, bool) or not isinstance(raw, int | float | str)):
        raise RuleViolation("amount_not_decimal",
                            _("The %(field)s must be a decimal string or a number, not %(kind)s."),
                            field=key.label, kind=type(raw).__name__)
    return raw


def _too_many(key: Key, items) -> None:
    if len(items) > key.max_items:
        raise RuleViolation(f"{key.name}_too_many", _("The %(field)s holds at most %(max)s items, given %(given)s."),
                            field=key.label, max=key.max_items, given=len(items))


def _cost_lines(key: Key, raw, required: bool):
    if raw is None:
        return raw
    if not isinstance(raw, dict):
        raise RuleViolation("cost_lines_malformed", _("Cost lines must map item codes to amounts: %(given)s"),
                            given=_given(raw))
    _too_many(key, raw)
    for amount in raw.values():
        _amount(key, amount, False)
    return raw


def _list(key: Key, raw, item_ok) -> list | None:
    if raw is None:
        return raw
    if not isinstance(raw, list) or not all(item_ok(item) for item in raw):
        raise RuleViolation(f"{key.name}_not_a_list", _("The %(field)s must be a list, given %(given)s."),
                            field=key.label, given=_given(raw))
    _too_many(key, raw)
    return raw


def _ids(key: Key, raw, required: bool):
    # Each id is read by the action as the other edges read ids (workflows.inputs.object_id).
    return _list(key, raw, lambda item: True)


def _id(key: Key, raw, required: bool):
    # Read by the action as the other edges read ids (workflows.inputs.object_id): 7 or "7".
    if raw is not None and (isinstance(raw, bool) or not isinstance(raw, int | str)):
        raise RuleViolation(f"{key.name}_not_an_id", _("The %(field)s must be given by its id, a whole number, "
                                                       "given %(given)s."), field=key.label, given=_given(raw))
    return raw


def _texts(key: Key, raw, required: bool):
    items = _list(key, raw, lambda item: isinstance(item, str))
    for item in items or []:
        if len(item) > key.max_length:
            raise RuleViolation(f"{key.name}_too_long", _("The %(field)s is longer than %(limit)s characters."),
                                field=key.label, limit=key.max_length)
    return items


def _datetime(key: Key, raw, required: bool):
    # Whether it is a date-time in the future is the action's to say (deadline_invalid, deadline_in_past).
    if raw is not None and (not isinstance(raw, str) or len(raw) > key.max_length):
        # One rule with the action's own refusal of a date it cannot read.
        raise RuleViolation("deadline_invalid",
                            _("The %(field)s must be a date and time of at most %(limit)s characters, "
                              "given %(given)s."),
                            field=key.label, limit=key.max_length, given=_given(raw))
    return raw


def _funding(key: Key, raw, required: bool):
    if raw is None:
        return raw
    if not isinstance(raw, list) or not all(isinstance(item, dict) for item in raw):
        raise RuleViolation("funding_malformed", _("The funding must be a list of {source, amount} objects: %(given)s"),
                            given=_given(raw))
    _too_many(key, raw)
    for share in raw:
        unknown = [str(name) for name in share if name not in FUNDING_SHARE_KEYS]
        if unknown:
            raise RuleViolation("funding_share_unknown_key",
                                _("A share of the funding takes only %(allowed)s, given %(keys)s."),
                                allowed=", ".join(FUNDING_SHARE_KEYS), keys=", ".join(unknown))
        _amount(key, share.get("amount"), False)
    return raw


def _count(key: Key, raw, required: bool) -> int | None:
    # A whole number from 0 to the key's maximum: 7 from JSON, "7" from a form; never true, 7.5 or "七".
    if raw is None or raw == "":
        if required:
            raise RuleViolation(f"{key.name}_required", _("The %(field)s is required."), field=key.label)
        return None
    text = raw if isinstance(raw, str) else None
    if isinstance(raw, bool) or not (isinstance(raw, int) or (text is not None and text.strip().isascii()
                                                               and text.strip().isdigit())):
        raise RuleViolation(f"{key.name}_not_a_count",
                            _("The %(field)s must be a whole number from 0 to %(max)s, given %(given)s."),
                            field=key.label, max=key.maximum, given=_given(raw))
    value = int(raw)
    if not 0 <= value <= key.maximum:
        raise RuleViolation(f"{key.name}_out_of_range",
                            _("The %(field)s must be a whole number from 0 to %(max)s, given %(given)s."),
                            field=key.label, max=key.maximum, given=value)
    return value


CHECKS = {Kind.CHOICE: _choice, Kind.TEXT: _text, Kind.BOOLEAN: _boolean, Kind.AMOUNT: _amount,
          Kind.COST_LINES: _cost_lines, Kind.IDS: _ids, Kind.ID: _id, Kind.DATETIME: _datetime, Kind.TEXTS: _texts,
          Kind.FUNDING: _funding, Kind.COUNT: _count}


# --- the contracts -------------------------------------------------------------------------


def _decision(*choices: str) -> Key:
    return Key("decision", Kind.CHOICE, _("decision"), choices=choices, required=True)


def _note(name: str, label, required: bool = False) -> Key:
    return Key(name, Kind.TEXT, label, max_length=TEXT_MAX, required=required)


FEE = Key("fee", Kind.AMOUNT, _("assessment fee"))
LINES = Key("lines", Kind.COST_LINES, _("cost lines"), max_items=50)
OFFER = (_decision("accept", "counter", "reject"), FEE, LINES, _note("comment", _("comment")))
# 会签: each division verifies, returns or rejects, or first asks an expert (加签) a question.
REVIEW = (_decision("verify", "return", "reject", "consult"), _note("reasons", _("reasons")),
          Key("expert", Kind.ID, _("expert")), _note("question", _("question to the expert")))
OPINION = (_note("opinion", _("expert opinion"), required=True),)
# 按月调度: what the TEO did in the month, against its plan. The bounds are a month of one TEO's
# pilot at the speech's scale (452,000 people trained in a year by all TEOs together).
PROGRESS = (Key("training_sessions", Kind.COUNT, _("teacher-training sessions held"), required=True, maximum=1000),
            Key("sittings", Kind.COUNT, _("assessment sittings held"), required=True, maximum=100000),
            Key("assessed", Kind.COUNT, _("people assessed"), required=True, maximum=1000000),
            Key("certified", Kind.COUNT, _("certificates issued"), required=True, maximum=1000000),
            _note("note", _("note")))

CONTRACTS: dict[tuple[str, str], Contract] = {
    (contract.process_id, contract.task_id): contract for contract in (
        Contract("alliance_formation", "invite_members", (
            Key("college_ids", Kind.IDS, _("invited colleges"), max_items=500),
            Key("response_deadline", Kind.DATETIME, _("response deadline"), max_length=40))),
        Contract("alliance_formation", "respond_invitation", (_decision("accept", "decline"),)),
        Contract("fee_negotiation", "screen_services", (
            _note("training_content", _("training content"), required=True),
            Key("services", Kind.TEXTS, _("service"), max_length=200, max_items=200))),
        Contract("negotiation_round", "alliance_responds", OFFER),
        Contract("negotiation_round", "teo_responds", OFFER),
        Contract("fee_negotiation", "mediate", (_decision("agreed", "failed"), FEE, LINES)),
        Contract("fee_verification", "verify_baseline", REVIEW),
        Contract("fee_verification", "verify_baseline_finance", REVIEW),
        Contract("fee_verification", "expert_opinion", OPINION),
        Contract("fee_verification", "expert_opinion_finance", OPINION),
        Contract("agreement_signing", "sign_alliance", ()),
        Contract("agreement_signing", "sign_teo", ()),
        Contract("agreement_filing", "acknowledge_filing", (Key("flagged", Kind.BOOLEAN, _("flag for supervision")),
                                                            _note("note", _("note")))),
        Contract("agreement_filing", "record_supervision", (
            _note("supervision_note", _("supervision note"), required=True),)),
        Contract("payment", "release_payment", (Key("funding", Kind.FUNDING, _("funding"), max_items=10),)),
        Contract("teo_supervision", "report_progress", PROGRESS),
        Contract("teo_supervision", "decide_yellow_card", (_decision("show", "decline"),
                                                           _note("reasons", _("reasons"), required=True))),
        Contract("teo_supervision", "decide_delisting", (_decision("delist", "decline"),
                                                         _note("reasons", _("reasons"), required=True))),
        # 投诉: the ministry accepts or dismisses, the TEO states its side (申辩), the ministry decides.
        Contract("complaint", "investigate_complaint", (_decision("accept", "dismiss"),
                                                        _note("findings", _("findings")))),
        Contract("complaint", "answer_complaint", (_note("statement", _("statement"), required=True),)),
        Contract("complaint", "decide_complaint", (
            _decision("measure", "dismiss"), _note("findings", _("findings"), required=True),
            Key("measure", Kind.TEXT, _("measure"), max_length=20), _note("reasons", _("reasons")))),
    )
}

# What the processes write into the workflow data themselves: start data, scripts, message
# payloads, loop elements and the actions' answers (docs/processes.md). No task's input may set
# one; a test walks every task and finds every key of its data here or among the task inputs.
PROCESS_KEYS = frozenset({
    # started with (certificate_lifecycle, agreement_renewal)
    "negotiation_id", "alliance_id", "certificate_id", "province_id", "assessment_mode", "alliance_formed",
    "verification_returns", "agreement_id",
    # alliance_formation
    "invited_college_ids", "invited_college_id", "accepted", "responses", "accepted_count", "registration_no",
    "dissolved",
    # fee_negotiation and its rounds
    "turn", "round_outcome", "round_deadline", "agreed_fee_fen", "expired", "mediation_outcome",
    "negotiation_agreed",
    # fee_verification
    "cap_fen", "within_cap", "uniformity", "verification_outcome", "vocational_decision", "finance_decision",
    "vocational_opinions", "finance_opinions", "expert_user_id", "expert_opinion_id",
    # agreement_signing, agreement_filing
    "signed_by_alliance", "signed_by_teo", "member_college_ids",
    # payment
    "college_id", "assessment", "payment_id", "headcount", "amount_fen", "released",
    # agreement_renewal
    "new_baseline", "renewed_fee_fen", "baseline_id",
    # teo_supervision
    "teo_id", "year", "report_month", "training_deadline_at", "report_opens_at", "report_deadline",
    "report_closes_at", "delisted", "report_missed", "report_id", "report_late", "planned_sittings",
    "planned_headcount", "training", "training_started",
    "standing", "card_outcome", "follow_up_at", "delisting_outcome", "measure_id",
    # complaint (teo_id and measure_id as above)
    "complaint_id", "investigation_outcome", "answer_deadline", "answered", "complaint_outcome",
})

INPUT_KEYS = frozenset(name for contract in CONTRACTS.values() for name in contract.names)


def contract_for(process_id: str, task_id: str) -> Contract:
    """The task's contract; a user task with none takes no input at all."""
    return CONTRACTS.get((process_id, task_id)) or Contract(process_id, task_id, ())


def for_task(open_task) -> Contract:
    return contract_for(open_task.process_id, open_task.task_name)


def accept_task_input(open_task, task_data: Mapping, submitted) -> dict:
    """The engine's hook: the submitted data held to the contract against the live workflow data."""
    return for_task(open_task).accept(submitted, task_data, open_task.label)


def install() -> None:
    from bpmn.hooks import HOOKS

    HOOKS.task_input = accept_task_input
