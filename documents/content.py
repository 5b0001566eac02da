"""What each document shows, read from the domain: the agreement, the filing register, a payment voucher.

The objects come in through `workflows.permissions` (the edges look them up); nothing here decides
who may read them, except that a voucher exists only for a released payment.
"""
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from bpmn.models import AuditEntry
from workflows import services
from workflows.errors import RuleViolation
from workflows.filters import FilingFilter
from workflows.models import Agreement, AssessmentMode, BaselineReview, CostItem, Filing, Organization, Payment
from workflows.permissions import display_name

# The register is one document, not a page of 50, laid out in the request: WeasyPrint takes about 14 ms a row
# (500 rows, 42 pages: 7 s on the 2-core machine), so this many rows at most, the count of the rest said.
REGISTER_MAX_ROWS = 500


def agreement_document(agreement: Agreement) -> dict:
    """The agreement as signed: number, parties, certificate, verified terms, training, signatories, filing."""
    negotiation = agreement.negotiation
    alliance = negotiation.alliance
    filing = Filing.objects.select_related("acknowledged_by__person").filter(agreement=agreement).first()
    return {
        "agreement": agreement, "negotiation": negotiation, "alliance": alliance,
        "certificate": negotiation.certificate, "teo": negotiation.certificate.teo,
        "mode": AssessmentMode(negotiation.certificate.assessment_mode).label,
        "led_by_institution": alliance.lead.kind == Organization.Kind.PROVINCIAL_INSTITUTION,
        "members": [m.college for m in alliance.accepted_members().select_related("college")
                    .order_by("-is_lead", "college__name")],
        "baseline": agreement.baseline,
        "reviews": [{"division": r.get_division_display(), "decision": r.get_decision_display(),
                     "reviewer": display_name(r.reviewer), "at": r.decided_at}
                    for r in BaselineReview.objects.filter(baseline=agreement.baseline)
                    .select_related("reviewer__person").order_by("decided_at", "pk")],
        "lines": _cost_lines(agreement),
        "signatures": agreement.signatures(),
        "filing": filing,
        "acknowledged_at": _acknowledged_at(agreement, filing),
    }


def _cost_lines(agreement: Agreement) -> list[tuple[CostItem, str]]:
    """The accepted offer's cost items, when the agreement's fee is still that offer's (a renewal may change it)."""
    accepted = agreement.negotiation.proposals.filter(state="accepted").order_by("-round_no").first()
    if accepted is None or accepted.fee != agreement.fee:
        return []
    items = {item.code: item for item in CostItem.objects.all()}
    return [(items[code], amount) for code, amount in accepted.lines.items() if code in items]


def _acknowledged_at(agreement: Agreement, filing: Filing | None):
    """When the reviewer last acknowledged (or flagged) the filing: its task's completion in the lifecycle."""
    if filing is None or filing.state == Filing.State.SUBMITTED:
        return None
    key = services.lifecycle_key(agreement.negotiation)
    entry = AuditEntry.objects.filter(
        Q(instance__business_key=key) | Q(instance__business_key__startswith=f"{key}/"),
        task_name="acknowledge_filing", action="completed").order_by("-at").first()
    return entry.at if entry else None


def filing_register(found: FilingFilter, reader) -> dict:
    """The register as the reader's list shows it: the filings the (valid) filters leave, and the filters."""
    rows: QuerySet[Filing] = found.qs.select_related(
        "agreement__negotiation__alliance__lead", "agreement__negotiation__alliance__province",
        "agreement__negotiation__certificate__teo", "acknowledged_by__person").order_by("-submitted_at", "-pk")
    total = rows.count()
    return {"filings": rows[:REGISTER_MAX_ROWS], "total": total, "shown": min(total, REGISTER_MAX_ROWS),
            "filters": applied_filters(found), "reader": display_name(reader)}


def applied_filters(found) -> list[tuple[str, str]]:
    """(label, value as shown) of each filter the reader set, in the form's order."""
    applied = []
    for name, field in found.form.fields.items():
        value = found.form.cleaned_data.get(name)
        if value in (None, ""):
            continue
        if isinstance(value, str) and hasattr(field, "choices"):  # a state: its label, not its stored value
            value = dict(field.choices).get(value, value)
        applied.append((str(field.label), str(value)))
    return applied


VOUCHER_AFTER_RELEASE = _("A payment voucher is issued once the payment is released (now: %(state)s).")


def payment_voucher(payment: Payment) -> dict:
    """The voucher of a released payment: who paid whom, under which agreement, on what headcount, from which funds."""
    if payment.state != Payment.State.RELEASED:
        raise RuleViolation("voucher_after_release", VOUCHER_AFTER_RELEASE, 409,
                            state=Payment.State(payment.state).label)
    agreement = payment.agreement
    return {
        "payment": payment, "agreement": agreement, "college": payment.college,
        "certificate": agreement.negotiation.certificate, "teo": agreement.negotiation.certificate.teo,
        "filing": Filing.objects.filter(agreement=agreement).first(),
        "sitting": payment.sitting, "makeups": list(payment.sitting.makeups.all()) if payment.sitting else [],
        "allocations": [{"source": a.get_source_display(), "purpose": a.get_purpose_display(), "amount": a.amount}
                        for a in payment.allocations.order_by("pk")],
        "released_by": display_name(payment.released_by),
    }
