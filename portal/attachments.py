"""Attachments (附件) on the pages: an object's files with their upload form, and every download.

The block (`portal/parts/attachments.html`) stands on the agreement's page and the complaint's, and on the
attachments page of each object (`/attachments/<kind>/<id>/`), which the supervision page's plans and the
payments list link to. The form posts multipart to that page, through htmx where there is JavaScript (the block
alone comes back, with the new file or the refusal) and without it (the page it came from, or this one with the
refusal). The file is kept by `workflows.attachments.attach`, the act the API calls too; a download is
`webapp.downloads.attachment_response` after `attachments.readable`, the API's check.
"""
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from portal.access import role_required
from portal.errors import refused
from webapp.downloads import attachment_response
from workflows import attachments
from workflows.refusals import REFUSED

TITLES = {"agreement": gettext_lazy("Scan of the signed agreement"),
          "plan": gettext_lazy("Assessment plan document"),
          "complaint": gettext_lazy("Evidence files"),
          "payment": gettext_lazy("Payment voucher")}
NAV = {"agreement": "negotiations", "plan": "supervision", "complaint": "complaints", "payment": "payments"}


def back_to(kind: str, target) -> str:
    """The page the object is shown on."""
    if kind == "agreement":
        return reverse("agreement", args=[target.pk])
    if kind == "complaint":
        return reverse("complaint", args=[target.pk])
    return reverse("supervision" if kind == "plan" else "payments")


def block(request, kind: str, target, **shown) -> dict:
    """What the attachments block of an object shows this person, for a page's context."""
    return {"files": attachments.listing(request.user, kind, target), "files_title": TITLES[kind],
            "files_next": shown.pop("next", None) or request.get_full_path(), **shown}


@role_required()
def object_files(request, kind: str, pk: int):
    """The files of one object (GET), or one more kept with it (POST, multipart)."""
    try:
        target = attachments.target_for(request.user, kind, pk)
    except REFUSED as error:
        return refused(request, error)
    if request.method == "POST":
        return _upload(request, kind, target)
    return render(request, "portal/attachments.html", _page(request, kind, target))


def _page(request, kind: str, target, **shown) -> dict:
    return {"nav": NAV[kind], "label": attachments.label(kind, target), "back": back_to(kind, target),
            **block(request, kind, target, **shown)}


def _upload(request, kind: str, target):
    htmx = bool(request.headers.get("HX-Request"))
    after = _safe(request, request.POST.get("next", ""))
    try:
        kept = attachments.attach(request.user, kind, target.pk, request.FILES.get("file"))
    except REFUSED as error:
        def again(shown: dict, status: int):
            if htmx:
                context = block(request, kind, target, next=after, block_refusal=shown["refusal"])
                return render(request, "portal/parts/attachments.html", context, status=status)
            return render(request, "portal/attachments.html", {**_page(request, kind, target), **shown},
                          status=status)
        return refused(request, error, again)
    done = _("%(name)s attached; its SHA-256 is recorded in the audit trail.") % {"name": kept.original_name}
    if htmx:
        return render(request, "portal/parts/attachments.html", block(request, kind, target, next=after, done=done))
    messages.success(request, done)
    return redirect(after or reverse("attachments", args=[kind, target.pk]))


def _safe(request, target: str) -> str:
    ok = url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure())
    return target if target and ok else ""


@require_GET
@role_required()
def download(request, pk: int):
    """The file back to someone who may read it: 404 for what they do not see, 403 where it is not theirs."""
    try:
        attachment = attachments.readable(request.user, pk)
    except REFUSED as error:
        return refused(request, error)
    return attachment_response(attachment, request)
