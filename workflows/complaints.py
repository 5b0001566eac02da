"""Complaints against a TEO (投诉): who may lodge one, what it holds, and what of it is shown to whom.

"涉及捆绑销售、高收费、考核放水、推进不力等…坚决予以清退": a pilot college, a province's education
department or a student complains on one of those grounds, with an account and evidence; the
ministry investigates (`complaint.bpmn`), the TEO states its side (申辩) within ANSWER_DAYS, and
the ministry decides one of the supervision measures or dismisses it. A decided complaint is
published on the TEO's supervision page without the complainant; an undecided one is never shown.
"""
from datetime import timedelta

from django.utils.translation import gettext_lazy as _

from workflows.errors import RuleViolation
from workflows.models import Complaint, Ground, Role

PROCESS = "complaint"
ANSWER_DAYS = 14  # the TEO's time to state its side before the ministry decides without it
ANSWER_DEADLINE = timedelta(days=ANSWER_DAYS)
ACCOUNT_MAX = 5000
EVIDENCE_MAX_ITEMS = 10
EVIDENCE_ITEM_MAX = 500
# Who may complain: a pilot college, a province (either division of its education department), a student.
COMPLAINANT_ROLES = (Role.COLLEGE, Role.REVIEWER, Role.PROVINCIAL_FINANCE, Role.STUDENT)
DECIDED = (Complaint.State.DECIDED, Complaint.State.DISMISSED)


def complaint_key(complaint: Complaint) -> str:
    return f"complaint:{complaint.pk}"


def complaint_id_of_key(business_key: str) -> int | None:
    """The inverse of complaint_key: the complaint id of a complaint instance, or None."""
    prefix, _sep, pk = (business_key or "").partition(":")
    return int(pk) if prefix == "complaint" and pk.isdigit() else None


def ground(raw) -> str:
    """One of the grounds the speech names (捆绑销售、高收费、考核放水、推进不力)."""
    if raw not in Ground.values:
        raise RuleViolation("complaint_ground_unknown",
                            _("Choose one of the grounds of a complaint: %(grounds)s; given %(given)s."),
                            grounds="、".join(str(label) for label in Ground.labels), given=repr(raw)[:40])
    return raw


def account(raw) -> str:
    """What happened, in the complainant's words: required, at most ACCOUNT_MAX characters."""
    text = raw.strip() if isinstance(raw, str) else ""
    if not text:
        raise RuleViolation("complaint_account_required", _("Say what happened: the account is required."))
    if len(text) > ACCOUNT_MAX:
        raise RuleViolation("complaint_account_too_long",
                            _("The account is at most %(max)s characters, given %(given)s."),
                            max=ACCOUNT_MAX, given=len(text))
    return text


def evidence(raw) -> list[str]:
    """The evidence: 1 to EVIDENCE_MAX_ITEMS texts of at most EVIDENCE_ITEM_MAX characters, blank ones dropped."""
    if raw is None:
        raw = []
    if not isinstance(raw, list | tuple) or not all(isinstance(item, str) for item in raw):
        raise RuleViolation("complaint_evidence_not_texts",
                            _("The evidence is a list of texts (a document number, a link, what a witness "
                              "said), given %(given)s."), given=repr(raw)[:40])
    items = [item.strip() for item in raw if item.strip()]
    if not items:
        # A complaint is investigated on what it shows: an account alone is not evidence.
        raise RuleViolation("complaint_evidence_required",
                            _("Give at least one item of evidence, at most %(max)s."), max=EVIDENCE_MAX_ITEMS)
    if len(items) > EVIDENCE_MAX_ITEMS:
        raise RuleViolation("complaint_evidence_too_many",
                            _("Give at most %(max)s items of evidence, given %(given)s."),
                            max=EVIDENCE_MAX_ITEMS, given=len(items))
    longest = max(len(item) for item in items)
    if longest > EVIDENCE_ITEM_MAX:
        raise RuleViolation("complaint_evidence_too_long",
                            _("Each item of evidence is at most %(max)s characters, given %(given)s."),
                            max=EVIDENCE_ITEM_MAX, given=longest)
    return items


def statement_of(complaint: Complaint) -> str:
    """The TEO's statement (申辩) as it answered the task, or '' when it did not answer in time."""
    from bpmn.models import AuditEntry

    entry = AuditEntry.objects.filter(instance__business_key=complaint_key(complaint), action="completed",
                                      task_name="answer_complaint").order_by("-at").first()
    statement = (entry.data or {}).get("statement") if entry else ""
    return statement if isinstance(statement, str) else ""


def published(teo=None):
    """The decided complaints as the public page shows them: ground, findings and measure, never who lodged them."""
    qs = Complaint.objects.filter(state__in=DECIDED).select_related("teo", "certificate").prefetch_related(
        "measures").order_by("-pk")
    return qs.filter(teo=teo) if teo is not None else qs
