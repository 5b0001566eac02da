"""Complaints against a TEO (投诉) and the TEOs' public supervision page.

A pilot college, a province or a student lodges a complaint on the complaints page and follows its
state there; the TEO reads the complaints against it without who lodged them; the ministry reads
every one and acts on them through its tasks. The supervision page is public, like the fee
disclosure: each TEO's standing, every measure decided against it and every decided complaint
(ground, findings, measure), never a complainant and never a complaint still undecided.
"""
from django.contrib import messages
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal import attachments, columns, exports
from portal.access import role_required, visible_or_404
from portal.views import _refused
from workflows import complaints, permissions, services, supervision
from workflows.models import Certificate, Ground, Measure, Organization, Role, Standing, SupervisionMeasure
from workflows.refusals import REFUSED

LODGING_ROLES = complaints.COMPLAINANT_ROLES


def complaint_shown(request, complaint_id: int) -> dict:
    """A complaint as the reader may see it: the complainant only to the complainant's side and the ministry."""
    complaint = permissions.visible_complaints(request.user).get(pk=complaint_id)
    return {"complaint": complaint, "sees_complainant": permissions.sees_complainant(request.user),
            "statement": complaints.statement_of(complaint), "measures": Measure.choices,
            "teo_standing": supervision.standing_of(complaint.teo),
            **attachments.block(request, "complaint", complaint)}


def _complaints(request):
    """The complaints the person may see, newest first, with their measures."""
    return permissions.visible_complaints(request.user).prefetch_related("measures").order_by("-lodged_at", "-pk")


def _context(request) -> dict:
    person = request.person
    return {"nav": "complaints", "complaints": _complaints(request),
            "sees_complainant": permissions.sees_complainant(request.user),
            "may_lodge": person.role in LODGING_ROLES, "grounds": Ground.choices,
            "teos": Organization.objects.filter(kind=Organization.Kind.TEO).order_by("name"),
            "certificates": Certificate.objects.select_related("teo").order_by("code"),
            "evidence_rows": range(complaints.EVIDENCE_MAX_ITEMS),
            "limits": {"account": complaints.ACCOUNT_MAX, "items": complaints.EVIDENCE_MAX_ITEMS,
                       "item": complaints.EVIDENCE_ITEM_MAX}}


@role_required(*LODGING_ROLES, Role.TEO, Role.MINISTRY, acts_by_service=True)
def complaints_page(request):
    """Lodge a complaint (a college, a province, a student) and follow it; the TEO's and the ministry's list."""
    if exports.asked(request):
        return exports.export_response(request, "complaints", columns.complaints(
            permissions.sees_complainant(request.user)), _complaints(request), title=gettext_lazy("Complaints"))
    context = _context(request)
    if request.method == "POST":
        try:
            complaint = services.lodge_complaint(
                request.user, request.POST.get("teo"), request.POST.get("ground"), request.POST.get("account"),
                request.POST.getlist("evidence"), certificate=request.POST.get("certificate") or None)
        except REFUSED as error:
            return _refused(request, "portal/complaints.html", context, error)
        messages.success(request, _("Complaint against %(teo)s lodged; the ministry will investigate it.") % {
            "teo": complaint.teo.name})
        return redirect("complaints")
    return render(request, "portal/complaints.html", context)


@role_required(*LODGING_ROLES, Role.TEO, Role.MINISTRY)
def complaint_page(request, pk: int):
    """One complaint as the reader may see it, with its evidence files (the complainant adds them while it is
    open; the TEO complained about is told how many, not what they are)."""
    complaint = visible_or_404(permissions.visible_complaints(request.user), pk=pk)
    return render(request, "portal/complaint.html", {"nav": "complaints", **complaint_shown(request, complaint.pk)})


def public_teos():
    """Every TEO with its standing, its measures and its decided complaints, as the public page shows them."""
    measures = SupervisionMeasure.objects.select_related("complaint").order_by("-decided_at", "-pk")
    decided = complaints.published().prefetch_related("measures")
    return (Organization.objects.filter(kind=Organization.Kind.TEO).select_related("standing")
            .prefetch_related(Prefetch("measures", measures, "published_measures"),
                              Prefetch("complaints", decided, "published_complaints")).order_by("name"))


def teo_disclosure(request):
    """The TEOs' standing and the measures decided against them (公开): no sign-in, no complainant."""
    teos = [{"teo": teo, "standing": getattr(teo, "standing", None) or Standing(teo=teo)} for teo in public_teos()]
    return render(request, "portal/teo_disclosure.html", {"nav": "teo_disclosure", "teos": teos})
