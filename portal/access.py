"""Page guards: sign-in, roles, and object lookups that go through the permission module.

Another organization's object is a 404, never a 403: a page must not confirm that it exists.
"""
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from workflows.permissions import person_of
from workflows.refusals import Refusal


def role_required(*roles, acts_by_service: bool = False):
    """Sign-in, then one of `roles` (any role when none are named).

    With `acts_by_service`, the roles gate what the page shows, not what is posted to it: the
    act's service refuses whoever may not do it, with the rule the API answers too.
    """
    def decorate(view):
        @login_required
        @wraps(view)
        def guarded(request, *args, **kwargs):
            person = person_of(request.user)
            if person is None and request.user.is_staff:
                return redirect("admin:index")  # the reference-data administrator has no role pages
            gated = roles and not (acts_by_service and request.method == "POST")
            if person is None or (gated and person.role not in roles):
                refusal = Refusal(403, "role_required", _("Your role may not open this page."))
                return render(request, "portal/refused.html", {"refusal": refusal}, status=403)
            request.person = person
            return view(request, *args, **kwargs)
        return guarded
    return decorate


def visible_or_404(queryset, **lookup):
    """Fetch one object from a visibility-filtered queryset; anything else is not found."""
    try:
        return get_object_or_404(queryset, **lookup)
    except (ValueError, TypeError):
        raise Http404 from None


def posted_pk(raw) -> int:
    """A primary key from a form field; anything but digits becomes 0, which matches nothing."""
    value = str(raw or "").strip()
    return int(value) if value.isdigit() else 0
