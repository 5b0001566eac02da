"""The audit trail as sentences in the reader's language: who did what, with names and amounts.

One sentence per (action, task) and, where a task has several outcomes, per decision. The stored
data is read for names (organizations, the certificate) and amounts (¥1,234.50); data a sentence
cannot read falls back to the task's or the action's generic sentence, never to the data itself.
"""
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from bpmn import names
from bpmn.models import AuditEntry, ProcessDefinition
from workflows.attachments import shown_size
from workflows.funding import FundingPurpose, FundingSource
from workflows.models import Division, Measure, Negotiation, Organization
from workflows.money import from_fen, yuan
from workflows.permissions import display_name
from workflows.services import negotiation_id_of_key


class Unreadable(Exception):
    """The stored data is not what the sentence reads: say the generic sentence instead."""


@dataclass(frozen=True)
class Line:
    at: datetime
    who: str
    text: str


@dataclass
class Words:
    """What the sentences of one trail name, read once: organizations, the certificate, the model's names."""

    definition: ProcessDefinition
    organizations: dict[int, str]
    certificate: str = ""

    def organization(self, pk) -> str:
        try:
            return self.organizations[int(pk)]
        except (KeyError, TypeError, ValueError):
            raise Unreadable(pk) from None

    def colleges(self, ids) -> str:
        if not isinstance(ids, list) or not ids:
            raise Unreadable(ids)
        return pgettext("list separator", ", ").join(self.organization(pk) for pk in ids)

    def task(self, task_name: str) -> str:
        return names.element_name(self.definition, task_name) if task_name else ""


def who(user) -> str:
    """A person as the trail names them: 王芳（武汉职业技术学院）; the system when nobody acted."""
    if user is None:
        return _("The system")
    person = getattr(user, "person", None)
    if person is None:
        return display_name(user)
    return _("%(name)s (%(organization)s)") % {"name": display_name(user), "organization": person.organization.name}


def _amount(raw) -> str:
    try:
        return yuan(Decimal(str(raw)).quantize(Decimal("0.01")))
    except (InvalidOperation, ValueError, TypeError):
        raise Unreadable(raw) from None


def _text(data: dict, key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise Unreadable(key)
    return value.strip()


def _choice(choices, value) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        raise Unreadable(value) from None


# --- completed user tasks: task id -> sentence of (who, data, words) -------------------------

Sentence = Callable[[str, dict, "Words"], str]


def _invite(actor: str, data: dict, words: Words) -> str:
    return _("%(who)s invited %(colleges)s.") % {"who": actor, "colleges": words.colleges(data.get("college_ids"))}


def _respond_invitation(actor: str, data: dict, words: Words) -> str:
    return {
        "accept": _("%(who)s accepted the invitation to the alliance."),
        "decline": _("%(who)s declined the invitation to the alliance."),
    }[data.get("decision")] % {"who": actor}


def _respond_offer(actor: str, data: dict, words: Words) -> str:
    decision = data.get("decision")
    if decision == "counter":
        return _("%(who)s countered with %(fee)s.") % {"who": actor, "fee": _amount(data.get("fee"))}
    return {
        "accept": _("%(who)s accepted the offer on the table."),
        "reject": _("%(who)s rejected the offer; the province mediates."),
    }[decision] % {"who": actor}


def _mediate(actor: str, data: dict, words: Words) -> str:
    if data.get("decision") == "failed":
        return _("%(who)s closed the mediation without an agreement.") % {"who": actor}
    if data.get("decision") == "agreed":
        return _("%(who)s set the fee by mediation at %(fee)s.") % {"who": actor, "fee": _amount(data.get("fee"))}
    raise Unreadable(data.get("decision"))


def _screen(actor: str, data: dict, words: Words) -> str:
    return _("%(who)s screened the services and agreed the training content.") % {"who": actor}


def _verify_as(division: Division) -> Sentence:
    """The sentence of one division's decision (会签) or its request for an expert opinion (加签)."""
    def sentence(actor: str, data: dict, words: Words) -> str:
        shown = {"who": actor, "division": str(division.label)}
        decision = data.get("decision")
        if decision == "verify":
            return _("%(who)s verified the fee as the province's baseline for the %(division)s.") % shown
        if decision == "consult":
            return _("%(who)s asked %(expert)s for an expert opinion for the %(division)s: %(question)s") % {
                **shown, "expert": _expert(data.get("expert")), "question": _text(data, "question")}
        return {
            "return": _("%(who)s returned the fee for renegotiation for the %(division)s: %(reasons)s"),
            "reject": _("%(who)s refused to verify the fee for the %(division)s: %(reasons)s"),
        }[decision] % {**shown, "reasons": _text(data, "reasons")}
    return sentence


def _expert(pk) -> str:
    expert = get_user_model().objects.select_related("person__organization").filter(
        pk=pk if isinstance(pk, int) or str(pk).isdigit() else None).first()
    if expert is None:
        raise Unreadable(pk)
    return who(expert)


def _opinion(actor: str, data: dict, words: Words) -> str:
    return _("%(who)s gave the expert opinion asked for: %(opinion)s") % {"who": actor,
                                                                          "opinion": _text(data, "opinion")}


def _sign_alliance(actor: str, data: dict, words: Words) -> str:
    return _("%(who)s signed the agreement for the alliance.") % {"who": actor}


def _sign_teo(actor: str, data: dict, words: Words) -> str:
    return _("%(who)s signed the agreement for the training evaluation organization.") % {"who": actor}


def _acknowledge(actor: str, data: dict, words: Words) -> str:
    if data.get("flagged"):
        return _("%(who)s acknowledged the filing and flagged it for supervision.") % {"who": actor}
    return _("%(who)s acknowledged the filing.") % {"who": actor}


def _supervise(actor: str, data: dict, words: Words) -> str:
    return _("%(who)s recorded the supervision: %(note)s") % {"who": actor, "note": _text(data, "supervision_note")}


def _release(actor: str, data: dict, words: Words) -> str:
    funding = data.get("funding")
    if not isinstance(funding, list) or not funding or not all(isinstance(share, dict) for share in funding):
        raise Unreadable(funding)
    shares = [_("%(source)s %(amount)s for %(purpose)s") % {
        "source": _choice(FundingSource, share.get("source")), "amount": _amount(share.get("amount")),
        "purpose": _choice(FundingPurpose, share.get("purpose", FundingPurpose.ASSESSMENT_FEE))} for share in funding]
    total = sum((Decimal(str(share.get("amount"))) for share in funding), Decimal("0.00"))
    return _("%(who)s released %(amount)s: %(shares)s.") % {
        "who": actor, "amount": yuan(total), "shares": pgettext("list separator", ", ").join(shares)}


def _count(data: dict, key: str) -> int:
    value = data.get(key)
    if isinstance(value, bool) or not (isinstance(value, int) or (isinstance(value, str) and value.isdigit())):
        raise Unreadable(key)
    return int(value)


def _report(actor: str, data: dict, words: Words) -> str:
    return _("%(who)s reported the month's progress: %(sessions)s teacher-training sessions, %(sittings)s "
             "sittings, %(assessed)s assessed, %(certified)s certificates issued.") % {
        "who": actor, "sessions": _count(data, "training_sessions"), "sittings": _count(data, "sittings"),
        "assessed": _count(data, "assessed"), "certified": _count(data, "certified")}


def _yellow_card(actor: str, data: dict, words: Words) -> str:
    return {
        "show": _("%(who)s showed the yellow card: %(reasons)s"),
        "decline": _("%(who)s decided against the yellow card: %(reasons)s"),
    }[data.get("decision")] % {"who": actor, "reasons": _text(data, "reasons")}


def _delisting(actor: str, data: dict, words: Words) -> str:
    return {
        "delist": _("%(who)s delisted the training evaluation organization: %(reasons)s"),
        "decline": _("%(who)s decided against the delisting: %(reasons)s"),
    }[data.get("decision")] % {"who": actor, "reasons": _text(data, "reasons")}
def _investigate(actor: str, data: dict, words: Words) -> str:
    if data.get("decision") == "dismiss":
        return _("%(who)s dismissed the complaint as unfounded: %(findings)s") % {
            "who": actor, "findings": _text(data, "findings")}
    if data.get("decision") == "accept":
        return _("%(who)s accepted the complaint for investigation; the TEO is asked for its statement.") % {
            "who": actor}
    raise Unreadable(data.get("decision"))


def _answer(actor: str, data: dict, words: Words) -> str:
    return _("%(who)s stated the TEO's side: %(statement)s") % {"who": actor, "statement": _text(data, "statement")}


def _decide_complaint(actor: str, data: dict, words: Words) -> str:
    if data.get("decision") == "dismiss":
        return _("%(who)s dismissed the complaint after investigation: %(findings)s") % {
            "who": actor, "findings": _text(data, "findings")}
    if data.get("decision") == "measure":
        return _("%(who)s decided the measure %(measure)s on the complaint: %(findings)s (reasons: %(reasons)s)") % {
            "who": actor, "measure": _choice(Measure, data.get("measure")), "findings": _text(data, "findings"),
            "reasons": _text(data, "reasons")}
    raise Unreadable(data.get("decision"))


TASK_SENTENCES: dict[str, Sentence] = {
    "invite_members": _invite,
    "respond_invitation": _respond_invitation,
    "screen_services": _screen,
    "alliance_responds": _respond_offer,
    "teo_responds": _respond_offer,
    "mediate": _mediate,
    "verify_baseline": _verify_as(Division.VOCATIONAL),
    "verify_baseline_finance": _verify_as(Division.FINANCE),
    "expert_opinion": _opinion,
    "expert_opinion_finance": _opinion,
    "sign_alliance": _sign_alliance,
    "sign_teo": _sign_teo,
    "acknowledge_filing": _acknowledge,
    "record_supervision": _supervise,
    "release_payment": _release,
    "report_progress": _report,
    "decide_yellow_card": _yellow_card,
    "decide_delisting": _delisting,
    "investigate_complaint": _investigate,
    "answer_complaint": _answer,
    "decide_complaint": _decide_complaint,
}


# --- everything else the trail records: action -> sentence -----------------------------------


def _started(actor: str, entry: AuditEntry, words: Words) -> str:
    if words.certificate:
        return _("%(who)s started the fee negotiation for %(certificate)s.") % {
            "who": actor, "certificate": words.certificate}
    return _("%(who)s started %(process)s.") % {
        "who": actor, "process": names.element_name(words.definition, words.definition.process_id)}


def _completed(actor: str, entry: AuditEntry, words: Words) -> str:
    sentence = TASK_SENTENCES.get(entry.task_name)
    try:
        if sentence is None:
            raise Unreadable(entry.task_name)
        return sentence(actor, entry.data or {}, words)
    except (Unreadable, KeyError):
        return _("%(who)s completed “%(task)s”.") % {"who": actor, "task": words.task(entry.task_name)}


def _claimed(actor: str, entry: AuditEntry, words: Words) -> str:
    return _("%(who)s claimed “%(task)s”.") % {"who": actor, "task": words.task(entry.task_name)}


def _unclaimed(actor: str, entry: AuditEntry, words: Words) -> str:
    return _("%(who)s gave back “%(task)s”.") % {"who": actor, "task": words.task(entry.task_name)}


def _taken_over(actor: str, entry: AuditEntry, words: Words) -> str:
    data = entry.data or {}
    previous = get_user_model().objects.select_related("person__organization").filter(
        pk=data.get("previous_holder")).first()
    return _("%(who)s took over “%(task)s” from %(previous)s: %(reason)s") % {
        "who": actor, "task": words.task(entry.task_name), "previous": who(previous) if previous else
        _text(data, "previous_holder_name"), "reason": _text(data, "reason")}


def _timer(actor: str, entry: AuditEntry, words: Words) -> str:
    return _("A deadline passed.")


def _message(actor: str, entry: AuditEntry, words: Words) -> str:
    data = entry.data or {}
    payload = data.get("payload") if isinstance(data.get("payload"), dict) else {}
    if data.get("message") == "assessment_held":
        college = words.organization(payload.get("college_id"))
        if isinstance(payload.get("headcount"), int):
            return _("%(college)s held the assessment: %(n)s assessed.") % {
                "college": college, "n": payload["headcount"]}
        return _("%(college)s held the assessment.") % {"college": college}
    if data.get("message") == "baseline_verified":
        return _("A new provincial baseline was verified: %(fee)s.") % {"fee": yuan(from_fen(payload["fee_fen"]))}
    raise Unreadable(data.get("message"))


def _ended(actor: str, entry: AuditEntry, words: Words) -> str:
    end = (entry.data or {}).get("end_event")
    if not end:
        raise Unreadable(end)
    return _("The process ended: %(end)s.") % {"end": names.element_name(words.definition, end)}


def _superseded(actor: str, entry: AuditEntry, words: Words) -> str:
    data = entry.data or {}
    reopened = data.get("reopened") if isinstance(data.get("reopened"), list) else []
    return _("%(who)s superseded the baseline; agreements re-opened: %(n)s. Reasons: %(reasons)s") % {
        "who": actor, "n": len(reopened), "reasons": _text(data, "reasons")}


def _corrected(actor: str, entry: AuditEntry, words: Words) -> str:
    data = entry.data or {}
    return _("%(who)s corrected the headcount at %(college)s from %(before)s to %(after)s; "
             "the payment is %(amount)s.") % {
        "who": actor, "college": words.organization(data.get("college")), "before": int(data["before"]),
        "after": int(data["after"]), "amount": _amount(data.get("amount"))}


def _makeup(actor: str, entry: AuditEntry, words: Words) -> str:
    data = entry.data or {}
    return _("%(who)s recorded a make-up sitting at %(college)s on %(date)s: %(added)s more assessed; "
             "the payment is %(amount)s.") % {
        "who": actor, "college": words.organization(data.get("college")), "date": _text(data, "held_on"),
        "added": int(data["added"]), "amount": _amount(data.get("amount"))}


def _attached(actor: str, entry: AuditEntry, words: Words) -> str:
    data = entry.data or {}
    shown = {"who": actor, "name": _text(data, "name"), "size": shown_size(_count(data, "size")),
             "sha256": _text(data, "sha256")}
    kind = data.get("kind")
    if kind == "agreement":
        return _("%(who)s attached the signed agreement's scan %(name)s (%(size)s, SHA-256 %(sha256)s).") % shown
    if kind == "plan":
        return _("%(who)s attached %(name)s to the assessment plan for %(province)s, %(month)s (%(size)s, SHA-256 "
                 "%(sha256)s).") % {**shown, "province": _text(data, "province"), "month": _text(data, "month")}
    if kind == "complaint":
        return _("%(who)s added %(name)s to the complaint's evidence (%(size)s, SHA-256 %(sha256)s).") % shown
    if kind == "payment":
        return _("%(who)s attached %(name)s as the voucher of %(college)s's payment (%(size)s, SHA-256 "
                 "%(sha256)s).") % {**shown, "college": words.organization(data.get("college"))}
    raise Unreadable(kind)


ACTION_SENTENCES: dict[str, Callable[[str, AuditEntry, Words], str]] = {
    "started": _started,
    "completed": _completed,
    "claimed": _claimed,
    "unclaimed": _unclaimed,
    "taken_over": _taken_over,
    "timer_fired": _timer,
    "message": _message,
    "completed_process": _ended,
    "baseline_superseded": _superseded,
    "assessment_corrected": _corrected,
    "makeup_recorded": _makeup,
    "attachment_added": _attached,
}


def _generic(actor: str, entry: AuditEntry, words: Words) -> str:
    if entry.task_name:
        return _("%(who)s acted on “%(task)s”.") % {"who": actor, "task": words.task(entry.task_name)}
    return _("%(who)s made a change to this process.") % {"who": actor}


def sentence(entry: AuditEntry, words: Words) -> str:
    """Return what one audit entry says, in the active language."""
    actor = who(entry.actor)
    say = ACTION_SENTENCES.get(entry.action, _generic)
    try:
        return say(actor, entry, words)
    except (Unreadable, KeyError, TypeError, ValueError, InvalidOperation):
        return _generic(actor, entry, words)


def _organization_ids(entries: Iterable[AuditEntry]) -> set[int]:
    found = set()
    for entry in entries:
        data = entry.data if isinstance(entry.data, dict) else {}
        payload = data.get("payload") if isinstance(data.get("payload"), dict) else {}
        ids = [*(data.get("college_ids") if isinstance(data.get("college_ids"), list) else []),
               data.get("college"), payload.get("college_id")]
        found |= {int(pk) for pk in ids if str(pk).isdigit()}
    return found


def trail(instance, entries: list[AuditEntry] | None = None) -> list[Line]:
    """Return an instance's audit trail as lines (when, who, what), oldest first."""
    if entries is None:
        entries = list(AuditEntry.objects.filter(instance=instance).select_related(
            "actor__person__organization").order_by("at", "pk"))
    negotiation_id = negotiation_id_of_key(instance.business_key)
    certificate = (Negotiation.objects.filter(pk=negotiation_id).values_list("certificate__name", flat=True).first()
                   if negotiation_id else None)
    words = Words(instance.definition, dict(Organization.objects.filter(
        pk__in=_organization_ids(entries)).values_list("pk", "name")), certificate or "")
    return [Line(entry.at, who(entry.actor), sentence(entry, words)) for entry in entries]
