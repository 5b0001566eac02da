"""Content negotiation of the document endpoints: a PDF whatever the client accepts, a refusal as JSON."""
from rest_framework.negotiation import DefaultContentNegotiation


class DocumentOrRefusal(DefaultContentNegotiation):
    """Answer `Accept: application/pdf` (or anything) without 406: the document is the view's own response,
    and a refusal is rendered as JSON like every refusal of the API."""

    def select_renderer(self, request, renderers, format_suffix=None):
        json = next(renderer for renderer in renderers if renderer.media_type == "application/json")
        return json, json.media_type
