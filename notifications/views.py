"""The notification inbox page and the e-mail preference: what works without a socket."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from notifications.models import Notification, Preference


@login_required
def inbox(request):
    rows = Notification.objects.filter(recipient=request.user).order_by("-pk")[:200]
    return render(request, "notifications/inbox.html", {"nav": "notifications", "rows": rows})


@require_POST
@login_required
def read(request, pk):
    """Mark one notification read and follow its link."""
    row = get_object_or_404(Notification, pk=pk, recipient=request.user)
    if row.read_at is None:
        row.read_at = timezone.now()
        row.save(update_fields=["read_at"])
    safe = url_has_allowed_host_and_scheme(row.link, allowed_hosts={request.get_host()})
    return redirect(row.link if row.link and safe else "notifications")


@require_POST
@login_required
def read_all(request):
    Notification.objects.filter(recipient=request.user, read_at__isnull=True).update(read_at=timezone.now())
    return redirect("notifications")


@login_required
def preferences(request):
    preference, _created = Preference.objects.get_or_create(user=request.user)
    if request.method == "POST":
        choice = request.POST.get("email")
        if choice not in Preference.Email.values:
            messages.error(request, "请选择邮件方式 / choose how e-mail should reach you")
        else:
            preference.email = choice
            preference.save(update_fields=["email"])
            messages.success(request, _("Saved."))
            return redirect("notification-preferences")
    return render(request, "notifications/preferences.html", {
        "nav": "notifications", "preference": preference, "choices": Preference.Email.choices})
