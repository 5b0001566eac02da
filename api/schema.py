"""The schema says every status an operation answers, and each body as it is sent.

drf-spectacular documents the success of an operation; a refusal (`api.errors`) can come from any
of them. Each operation gets the refusals it can answer, unless its view names them itself:
401 everywhere (a token that is wrong, even on a public list), 403 for an act (a role, a lane, or
a signed-in session without its CSRF token), 404 for an object in the path or a page past the
last, 400 for a body or a list's filters, 409 for an act the state refuses. Only lists
answered with GET are paginated: an act that answers several objects answers them as an array.
"""
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiResponse

WHY = {
    400: "the input is refused, naming the rule (the body, or a filter's value)",
    401: "not signed in, or the credentials are not good",
    403: "your role may not do this (or a signed-in session sent no CSRF token)",
    404: "not found, or not yours to see",
    409: "the state does not allow it",
}


class AutoSchema(SpectacularAutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        from api.serializers import RefusalSerializer

        for code in self.refusal_codes():
            if str(code) not in responses:
                refusal = OpenApiResponse(RefusalSerializer, description=WHY[code])
                responses[str(code)] = self._get_response_for_code(refusal, str(code), direction=direction)
        return dict(sorted(responses.items()))

    def refusal_codes(self) -> list[int]:
        act = self.method != "GET"
        paged = self.method == "GET" and self._is_list_view() and self._get_paginator() is not None
        in_path = "{" in self.path
        return [code for code, applies in ((400, act or bool(self._get_filter_parameters())), (401, True),
                                           (403, act), (404, in_path or paged), (409, act)) if applies]

    def _get_paginator(self):
        # A POST answering several objects (the certificates it issued) answers a plain array.
        return super()._get_paginator() if self.method == "GET" else None
