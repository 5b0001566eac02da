"""Sign-in throttling (django-axes): whose address a failure counts against, and the lockout answer.

Failures count per account and client address together (settings.AXES_LOCKOUT_PARAMETERS); after
AXES_FAILURE_LIMIT of them the pair is refused, without a password check, until AXES_COOLOFF_TIME
has passed since the last counted failure. The portal's sign-in page gets a page naming the rule and
the time it unlocks, the API's token endpoint the same refusal as JSON, both with status 429.
"""

from datetime import datetime

from axes.backends import AxesStandaloneBackend
from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from workflows.errors import RuleViolation
from workflows.refusals import refusal_of

LOCKED = _(
    "Sign-in locked: %(limit)s failed sign-ins to this account from your address within %(minutes)s minutes. "
    "Try again after %(until)s."
)


class AxesBackend(AxesStandaloneBackend):
    """Axes' gate before the password check, for every sign-in that comes with a request.

    Every sign-in from outside comes through a request (the portal's form, the API's token
    endpoint); only code of our own calls authenticate without one (the test client's login,
    a shell), and there is no client address to count against.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def client_address(request: HttpRequest) -> str | None:
    """The client's address as the proxy set-up defines it.

    No trusted proxy (the default): REMOTE_ADDR, whatever X-Forwarded-For says, since any client
    can send that header. With XCERT_TRUSTED_PROXIES=N each of the N proxies appends the address it
    saw to the header, so the Nth entry from the right is the one our outermost proxy saw; entries
    left of it were written by the client and are never believed. A header shorter than N means the
    request did not pass through all the proxies: REMOTE_ADDR then.
    """
    trusted = settings.XCERT_TRUSTED_PROXIES
    remote = request.META.get("REMOTE_ADDR")
    if trusted <= 0:
        return remote
    hops = [hop.strip() for hop in request.META.get(settings.XCERT_CLIENT_ADDRESS_HEADER, "").split(",")]
    hops = [hop for hop in hops if hop]
    return hops[-trusted] if len(hops) >= trusted else remote


def unlocks_at(request: HttpRequest, username: str | None) -> datetime:
    """When the account unlocks for this address: the cool-off after the last counted failure."""
    last = AccessAttempt.objects.filter(username=username, ip_address=client_address(request)).aggregate(
        last=Max("attempt_time")
    )["last"]
    return (last or timezone.now()) + get_cool_off(request)


def refusal(request: HttpRequest, username: str | None) -> RuleViolation:
    until = timezone.localtime(unlocks_at(request, username))
    return RuleViolation(
        "sign_in_locked",
        LOCKED,
        status=settings.AXES_HTTP_RESPONSE_CODE,
        limit=settings.AXES_FAILURE_LIMIT,
        minutes=int(get_cool_off(request).total_seconds() // 60),
        until=until.strftime("%Y-%m-%d %H:%M %Z"),
    )


def locked_out(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """Axes' lockout answer: JSON naming the rule on the API, the sign-in page's refusal elsewhere."""
    # Axes' async middleware passes the credentials where the response belongs: take them from the request.
    credentials = credentials if isinstance(credentials, dict) else getattr(request, "axes_credentials", None)
    found = refusal_of(refusal(request, get_client_username(request, credentials)))
    if request.path.startswith("/api/"):
        body = {
            **found.as_dict(),
            "params": {
                **found.params,
                "unlocks_at": unlocks_at(request, get_client_username(request, credentials)).isoformat(),
            },
        }
        return JsonResponse(body, status=found.status)
    return render(request, "portal/error.html", {"refusal": found, "status": found.status}, status=found.status)
