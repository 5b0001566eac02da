"""The public verification page: anyone, signed in or not, checks a certificate by its serial.

The answer comes from `workflows.verification` (the seal checked against the TEO's public key);
look-ups are counted per client address, and one over the limit is a 429 page naming the rule,
with Retry-After. The TEOs' public keys are listed at /verify/keys/ for checking seals offline.
"""
from django.shortcuts import render

from webapp.signin import client_address
from workflows import verification
from workflows.errors import RuleViolation
from workflows.models import SigningKey
from workflows.refusals import refusal_of


def page(request):
    """A form for a serial; with one (?serial=), its verdict."""
    serial = request.GET.get("serial")
    context = {"nav": "verify", "serial": (serial or "").strip()[: verification.SERIAL_MAX]}
    if serial is None:
        return render(request, "portal/verify.html", context)
    try:
        verification.count_look_up(client_address(request))
    except RuleViolation as error:
        response = render(request, "portal/verify.html", {**context, "refusal": refusal_of(error)}, status=429)
        response["Retry-After"] = str(error.params["retry_after"])
        return response
    return render(request, "portal/verify.html", {**context, "verdict": verification.verify(serial)})


def keys(request):
    """Every TEO's public signing keys, in use and retired, as raw Ed25519 keys in base64."""
    listed = SigningKey.objects.select_related("teo").order_by("teo__name", "-created_at")
    return render(request, "portal/verify_keys.html", {"nav": "verify", "keys": listed})
