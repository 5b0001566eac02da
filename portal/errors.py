"""The product's own error pages, in the user's language; the API's unknown paths answer JSON.

`refused` is the portal's one answer to a refusal of an act, as `api.errors` is the API's.
"""
from collections.abc import Callable

from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from portal import drafts
from workflows.refusals import Refusal, refusal_of

Page = Callable[[dict, int], object]  # (the refusal's context, its status) -> the form page again


def refused(request, error: Exception, page: Page | None = None):
    """Answer a refused act with the rule and the API's status for it.

    `page` shows the form again with what was typed; what the user may not see (404) never
    shows a form: it is the refusal page (or, for htmx, the fragment `page` renders).
    """
    refusal = refusal_of(error)
    if page is None or (refusal.status == 404 and not request.headers.get("HX-Request")):
        return render(request, "portal/refused.html", {"refusal": refusal}, status=refusal.status)
    return page({"refusal": refusal}, refusal.status)


def again(request, template: str, context: dict | Callable[[], dict]) -> Page:
    """The form page again, its context built only when it is shown."""
    def page(shown: dict, status: int):
        base = context() if callable(context) else context
        return render(request, template, {**base, **shown}, status=status)
    return page


def _api(request) -> bool:
    return request.path.startswith("/api/")


def _page(request, status: int, rule: str, message: str, template: str = "portal/error.html"):
    refusal = Refusal(status, rule, message)
    if _api(request):
        return JsonResponse(refusal.as_dict(), status=status)
    return render(request, template, {"refusal": refusal, "status": status}, status=status)


def not_found(request, exception=None):
    return _page(request, 404, "not_found", _("This page does not exist, or it is not yours to see."))


def forbidden(request, exception=None):
    return _page(request, 403, "forbidden", _("Your role may not open this page."))


def bad_request(request, exception=None):
    return _page(request, 400, "bad_request", _("The request could not be understood."))


def server_error(request):
    # Nothing here may touch the database or the session: the failure may be theirs.
    if _api(request):
        return JsonResponse({"rule": "server_error", "message": _("Something went wrong on our side.")}, status=500)
    return HttpResponseServerError(render_to_string("portal/server_error.html"))


def csrf_failure(request, reason=""):
    """The form's security token was missing or stale (cookies cleared, a long-open page)."""
    kept = drafts.keep(request)
    if kept and not request.user.is_authenticated:
        return redirect(f"{reverse('login')}?{urlencode({'next': request.path})}")
    if kept:
        return redirect(request.path)
    return _page(request, 403, "csrf_failed",
                 _("The form had expired. Open the page again and repeat what you did."))
