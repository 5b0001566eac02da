"""The API's error bodies: every refusal is JSON naming the rule, in the request's language."""
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_handler

from workflows.refusals import REFUSED, refusal_of

DRF_RULES = {
    exceptions.NotAuthenticated: ("not_authenticated", _("Authentication is required.")),
    exceptions.AuthenticationFailed: ("authentication_failed", _("Authentication failed.")),
    exceptions.PermissionDenied: ("role_required", _("Your role may not do this.")),
    exceptions.NotFound: ("not_found", _("Not found, or not yours to see.")),
    exceptions.MethodNotAllowed: ("method_not_allowed", _("Method not allowed.")),
    exceptions.ParseError: ("malformed_request", _("The request body is malformed.")),
    exceptions.Throttled: ("throttled", _("Too many requests.")),
}


def exception_handler(exc, context):
    if isinstance(exc, REFUSED):
        refusal = refusal_of(exc)
        return Response(refusal.as_dict(), status=refusal.status)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    response = drf_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = {"rule": "invalid_input",
                         "message": str(_("The input is invalid.")), "params": {}, "fields": response.data}
        response.status_code = status.HTTP_400_BAD_REQUEST
        return response
    for kind, (rule, message) in DRF_RULES.items():
        if isinstance(exc, kind):
            response.data = {"rule": rule, "message": str(message), "params": {}, "detail": str(exc.detail)}
            break
    return response
