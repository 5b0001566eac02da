"""The columns each page's list exports (`portal.exports`): the page's own columns, amounts as numbers.

Each reads only what its view's queryset selects or prefetches, so an export costs the same
queries for ten rows or ten thousand (the tests hold it).
"""
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from portal.exports import count, date, datetime, money, text
from workflows.funding import FundingSource
from workflows.permissions import display_name

NUMBER = _("No.")


def _in_language(zh: str, en: str) -> str:
    return en if (get_language() or "").startswith("en") else zh


ALLIANCES = (
    text(_("Alliance"), "name"),
    text(_("Lead college"), "lead.name"),
    text(_("Province"), "province.name"),
    text(_("State"), "get_state_display"),
    text(_("Registration no."), "registration_no"),
    date(_("Registered on"), "registered_at"),
)

NEGOTIATIONS = (
    text(_("Alliance"), "alliance.name"),
    text(_("Province"), "alliance.province.name"),
    text(_("Certificate"), "certificate.code"),
    text(_("Certificate name"), "certificate.name"),
    text(_("Organization"), "certificate.teo.name"),
    text(_("State"), "get_state_display"),
    money(_("Agreed fee"), "agreed_fee"),
    date(_("Started on"), "created_at"),
)

BASELINES = (
    text(_("Certificate"), "certificate.code"),
    text(_("Province"), "province.name"),
    text(_("Alliance"), "negotiation.alliance.name"),
    money(_("Fee"), "fee"),
    money(_("Cap"), "cap"),
    text(_("State"), "get_state_display"),
    date(_("Verified"), "verified_at"),
    text(_("Reviewer's reasons"), "reasons"),
)

FILINGS = (
    text(_("Filing no."), "filing_no"),
    text(_("Agreement no."), "agreement.number"),
    text(_("Alliance"), "agreement.negotiation.alliance.name"),
    text(_("Certificate"), "agreement.negotiation.certificate.code"),
    money(_("Fee"), "agreement.fee"),
    text(_("State"), "get_state_display"),
    datetime(_("Submitted"), "submitted_at"),
    text(_("Supervision note"), "supervision_note"),
)


def _funded_by(source: str):
    """What one funding source pays of a payment (its allocations, prefetched, summed), or nothing."""
    def read(payment):
        amounts = [a.amount for a in payment.allocations.all() if a.source == source]
        return sum(amounts) if amounts else None
    return read


PAYMENTS = (
    count(NUMBER, "pk"),
    text(_("College"), "college.name"),
    text(_("Certificate"), "agreement.negotiation.certificate.code"),
    money(_("Fee"), "agreement.fee"),
    count(_("Headcount"), "sitting.headcount"),
    money(_("Amount"), "amount"),
    text(_("State"), "get_state_display"),
    *(money(label, _funded_by(source)) for source, label in FundingSource.choices),
    datetime(_("Released at"), "released_at"),
)

PAPER_ORDERS = (
    count(NUMBER, "pk"),
    text(_("Certificate"), "certificate.sitting.agreement.negotiation.certificate.code"),
    text(_("Serial number"), "certificate.serial_no"),
    text(_("Holder"), "certificate.holder_name"),
    text(_("College"), "certificate.sitting.college.name"),
    money(_("Price"), "price"),
    date(_("Ordered on"), "ordered_at"),
    text(_("Recipient"), "recipient"),
    text(_("Phone"), "phone"),
    text(_("Delivery address"), "address"),
    text(_("State"), "get_state_display"),
    text(_("Tracking number"), "tracking_no"),
    date(_("Dispatched on"), "dispatched_at"),
    date(_("Delivered on"), "delivered_at"),
    date(_("Cancelled on"), "cancelled_at"),
    text(_("Reason"), "cancel_reason"),
)


def disclosure(caps: dict, cost_items) -> tuple:
    """The published schedules with the cap of their mode beside the fee, and one column per cost item."""
    return (
        text(_("Certificate"), "certificate.code"),
        text(_("Certificate name"), "certificate.name"),
        text(_("Organization"), "certificate.teo.name"),
        text(_("Assessment mode"), "certificate.get_assessment_mode_display"),
        money(_("Fee"), "fee"),
        money(_("Cap"), lambda s: caps[s.certificate.assessment_mode]),
        date(_("Published on"), "published_at"),
        *(money(_CostItemName(item), lambda s, code=item.code: s.lines.get(code)) for item in cost_items),
        text(_("Training plan"), "training_plan"),
    )


class _CostItemName:
    """A cost item's name in the language active when the header is written (data, not the catalogue)."""

    def __init__(self, item):
        self.item = item

    def __str__(self) -> str:
        return _in_language(self.item.name_zh, self.item.name_en)


SCHEDULES = (
    text(_("Certificate"), "certificate.code"),
    text(_("Certificate name"), "certificate.name"),
    text(_("Organization"), "certificate.teo.name"),
    text(_("Assessment mode"), "certificate.get_assessment_mode_display"),
    money(_("Cap"), "cap"),
    money(_("Published fee"), "current.fee"),
    date(_("Published on"), "current.published_at"),
    money(_("Paper copy price"), "current.paper_copy_price"),
)

PARTICIPATION_TOTALS = (
    text(_("Province"), "province"),
    text(_("Certificate"), "certificate"),
    text(_("Certificate name"), "certificate_name"),
    count(_("Pilot year"), "year"),
    count(_("Colleges"), "colleges"),
    count(_("Planned students"), "planned"),
    count(_("Assessed so far"), "assessed"),
)

PARTICIPATION_FILINGS = (
    text(_("College"), "college.name"),
    text(_("Province"), "college.province.name"),
    text(_("Certificate"), "certificate.code"),
    count(_("Pilot year"), "year"),
    count(_("Planned students"), "planned_students"),
    date(_("Filed on"), "filed_at"),
)


def _training_started(row) -> str:
    start = row["start"]
    return str(_("Yes")) if start.started else str(_("Not %(where)s") % {"where": start.missing()})


SUPERVISION_OVERVIEW = (
    text(_("TEO"), "teo.name"),
    text(_("Standing"), "standing.get_state_display"),
    count(_("Planned sittings"), "plan.sittings"),
    count(_("Planned headcount"), "plan.headcount"),
    text(_("Training started"), _training_started),
    count(_("Teachers trained"), "sessions"),
    count(_("Progress reports"), "reports"),
    count(_("Measures"), "measures"),
)

ASSESSMENT_PLANS = (
    text(_("TEO"), "teo.name"),
    text(_("Province"), "province.name"),
    count(_("Year"), "year"),
    count(_("Month"), "month"),
    count(_("Sittings"), "sittings"),
    count(_("People to assess"), "headcount"),
)

TRAINING_SESSIONS = (
    text(_("TEO"), "teo.name"),
    text(_("Province"), "province.name"),
    date(_("Starts on"), "starts_on"),
    date(_("Ends on"), "ends_on"),
    count(_("Teachers trained"), "teachers_trained"),
)

TEACHERS_SENT = (
    text(_("College"), "college.name"),
    text(_("TEO"), "session.teo.name"),
    text(_("Province"), "session.province.name"),
    date(_("Starts on"), "session.starts_on"),
    count(_("Teachers"), "teachers"),
)

OWED_TO_US = (
    text(_("Agreement"), "agreement_no"),
    text(_("Certificate"), "certificate"),
    count(_("Planned students"), "planned"),
    count(_("Not yet assessed"), "not_assessed"),
    count(_("Assessed, not certified"), "assessed_not_certified"),
)


def complaints(sees_complainant: bool) -> tuple:
    """The complaints, naming who lodged each only to those who may see it (never to the TEO)."""
    lodged_by = (text(_("Lodged by"), lambda c: display_name(c.lodged_by)),) if sees_complainant else ()
    return (
        count(NUMBER, "pk"),
        text(_("Organization"), "teo.name"),
        text(_("Certificate"), "certificate.code"),
        text(_("Ground"), "get_ground_display"),
        date(_("Lodged on"), "lodged_at"),
        *lodged_by,
        text(_("State"), "get_state_display"),
        text(_("Measure"), lambda c: "、".join(str(m.get_kind_display()) for m in c.measures.all())),
        text(_("Findings"), "findings"),
    )


def _payment_of(sitting):
    """The college's payment under the sitting's agreement (prefetched), as the assessments page pairs them."""
    return next((p for p in sitting.agreement.payments.all() if p.college_id == sitting.college_id), None)


SITTINGS = (
    text(_("Agreement no."), "agreement.number"),
    text(_("Alliance"), "agreement.negotiation.alliance.name"),
    text(_("Certificate"), "agreement.negotiation.certificate.code"),
    money(_("Fee"), "agreement.fee"),
    text(_("College"), "college.name"),
    date(_("Held on"), "held_on"),
    count(_("Assessed at the first sitting"), "first_headcount"),
    count(_("Make-up sittings"), lambda s: len(s.makeups.all())),
    count(_("Assessed"), "headcount"),
    count(_("Certificates issued"), "issued"),
    text(_("Payment"), lambda s: (p := _payment_of(s)) and p.get_state_display()),
    money(_("Amount"), lambda s: (p := _payment_of(s)) and p.amount),
)

CERTIFICATES = (
    text(_("Certificate"), "sitting.agreement.negotiation.certificate.code"),
    text(_("Certificate name"), "sitting.agreement.negotiation.certificate.name"),
    text(_("Holder"), "holder_name"),
    text(_("Student number"), "holder.student_no"),
    text(_("College"), "sitting.college.name"),
    text(_("Serial number"), "serial_no"),
    date(_("Issued on"), "issued_at"),
    date(_("Revoked on"), "revoked_at"),
)


# --- the dashboards' tables (统计) and the subsidies' performance (绩效考评) ------------------------

COVERAGE = (text(_("How far"), "label"), count(_("Certificates"), "certificates"))

BASELINES_AGAINST_CAPS = (
    text(_("Certificate"), "code"), text(_("Name"), "certificate"), text(_("Assessment mode"), "mode"),
    money(_("Verified fee"), "fee"), money(_("Cap"), "cap"),
    text(_("Share of the cap"), lambda row: f"{row['share']}%"),
)

PAYMENTS_BY_COLLEGE = (
    text(_("College"), "college_name"), count(_("Payments due"), "due"), money(_("Amount due"), "due_amount"),
    count(_("Payments released"), "released"), money(_("Amount released"), "released_amount"),
)

COLLEGES_AGAINST_PLANS = (
    text(_("College"), "name"), count(_("Planned students"), "planned"), count(_("People assessed"), "assessed"),
    count(_("Certificates issued"), "certified"),
)

SUPERVISION_BOARD = (
    text(_("TEO"), "name"), text(_("Standing"), "standing"), count(_("Planned sittings"), "planned_sittings"),
    count(_("Planned headcount"), "planned_headcount"), count(_("Reported assessed"), "reported_assessed"),
    count(_("Reported certified"), "reported_certified"), count(_("Progress reports"), "reports"),
    count(_("Late"), "late"), count(_("Missed"), "missed"), count(_("Measures"), "measures_decided"),
    count(_("Complaints open"), "complaints_open"), count(_("Complaints decided"), "complaints_decided"),
)

FEE_SPREAD = (
    text(_("Certificate"), "code"), text(_("Name"), "certificate_name"), text(_("Assessment mode"), "mode"),
    count(_("Provinces verified"), "provinces"), money(_("Lowest fee"), "lowest"), money(_("Highest fee"), "highest"),
    money(_("Spread"), "spread"), money(_("Cap"), "cap"),
)

FEES_BY_PROVINCE = (
    text(_("Certificate"), "code"), text(_("Province"), "province_name"), money(_("Verified fee"), "fee"),
    money(_("Cap"), "cap"),
)

SUBSIDY_PERFORMANCE = (
    text(_("Province"), "province_name"), text(_("College"), "name"), money(_("Granted"), "allocated"),
    *(money(label, value) for value, label in FundingSource.choices),
    money(_("Paid from public funds"), "public"), money(_("Balance"), "balance"),
)

OVERVIEW = (
    text(_("Province"), lambda row: row["name"] if row["province"] else str(_("National"))),
    count(_("Alliances"), "alliances"),
    text(_("Negotiations by state"), lambda row: "; ".join(f"{label} {n}" for _state, label, n in row["negotiations"])),
    count(_("Verified baselines"), "baselines_verified"), count(_("Agreements filed"), "filings"),
    count(_("Payments due"), "payments_due"), money(_("Amount due"), "payments_due_amount"),
    count(_("Payments released"), "payments_released"), money(_("Amount released"), "payments_released_amount"),
    count(_("People assessed"), "people_assessed"), count(_("Certificates issued"), "certificates_issued"),
)
