"""What WeasyPrint may fetch while it lays out a document: our own static files, read from disk.

Imported only when a document is rendered, so the product starts where Pango is missing and only a
PDF fails there.
"""
import mimetypes
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from weasyprint.urls import URLFetcher, URLFetcherResponse

# The documents' base address. Nobody answers at .invalid (RFC 2606) and nobody is asked: the fetcher
# serves its static paths from disk and refuses every other address, whatever a template links to.
BASE_URL = "https://documents.invalid/"


class ResourceRefused(ValueError):
    """A document linked to something that is not one of our static files; WeasyPrint leaves it out."""


def static_path(url: str) -> str | None:
    """The static file a URL names under BASE_URL (e.g. 'documents/document.css'), or None for any other URL."""
    prefix = urljoin(BASE_URL, settings.STATIC_URL)
    if not url.startswith(prefix) or "?" in url or "#" in url:
        return None
    relative = unquote(urlsplit(url).path)[len(urlsplit(prefix).path):]
    parts = relative.split("/")
    if not relative or any(part in ("", ".", "..") or "\\" in part for part in parts):
        return None
    return relative


class OwnStaticFiles(URLFetcher):
    """A WeasyPrint URL fetcher that answers from the static files of our apps and refuses anything else."""

    def __init__(self):
        super().__init__(allowed_protocols=("https",), allow_redirects=False)
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        relative = static_path(url)
        found = finders.find(relative) if relative else None
        if not found:
            self.refused.append(url)
            raise ResourceRefused(f"not one of our static files: {url}")
        kind = mimetypes.guess_type(found)[0] or "application/octet-stream"
        return URLFetcherResponse(url, Path(found).read_bytes(), {"Content-Type": kind})
