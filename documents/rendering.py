"""Documents as PDF: a Django template of `documents/templates/`, laid out by WeasyPrint, offline.

The active language is the document's (the request's, Chinese by default); times are shown in
DISPLAY_TIME_ZONE, amounts as the pages show them. The fonts are the system's, found by fontconfig:
Noto Sans CJK SC and Noto Serif CJK SC from Debian's fonts-noto-cjk (scripts/install-documents).
"""
from zoneinfo import ZoneInfo

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.http import content_disposition_header

PDF = "application/pdf"


def render_pdf(template: str, context: dict) -> bytes:
    """Render the template in the active language and lay it out as PDF, fetching nothing but our static files."""
    from weasyprint import HTML

    from documents.fetcher import BASE_URL, OwnStaticFiles

    with timezone.override(ZoneInfo(settings.DISPLAY_TIME_ZONE)):
        html = render_to_string(template, {**context, "generated_at": timezone.localtime()})
    return HTML(string=html, base_url=BASE_URL, url_fetcher=OwnStaticFiles()).write_pdf()


def pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    """A PDF to download, named (in Chinese too: RFC 5987) and kept by nobody's cache but the reader's."""
    response = HttpResponse(pdf, content_type=PDF)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "private, no-store"
    return response
