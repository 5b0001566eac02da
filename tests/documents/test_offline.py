"""A document is laid out offline: WeasyPrint fetches our own static files from disk and nothing else."""
import socket

import pytest
from weasyprint import HTML

from documents.fetcher import BASE_URL, OwnStaticFiles, ResourceRefused, static_path
from tests.documents.pdf_text import is_pdf, text_of

STYLESHEET = f"{BASE_URL}static/documents/document.css"


@pytest.fixture
def no_network(monkeypatch) -> list:
    """Every attempt to resolve a name or open a connection fails, and is noted."""
    attempts = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise OSError("the network is out of reach in this test")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    return attempts


@pytest.mark.parametrize("url, path", [
    (STYLESHEET, "documents/document.css"),
    (f"{BASE_URL}static/portal/site.css", "portal/site.css"),
    (f"{BASE_URL}static/../webapp/settings.py", None),
    (f"{BASE_URL}static/documents/%2e%2e/%2e%2e/webapp/settings.py", None),
    (f"{BASE_URL}static/documents/document.css?v=1", None),
    (f"{BASE_URL}static/", None),
    (f"{BASE_URL}media/seal.png", None),
    ("http://documents.invalid/static/documents/document.css", None),
    ("https://cdn.example.org/static/documents/document.css", None),
    ("file:///etc/passwd", None),
    ("data:text/css,body{color:red}", None),
])
def test_only_a_static_path_under_the_documents_base_names_a_static_file(url, path):
    assert static_path(url) == path


def test_the_fetcher_serves_our_stylesheet_from_disk_and_refuses_any_other_address(no_network):
    fetcher = OwnStaticFiles()
    served = fetcher.fetch(STYLESHEET)
    assert served.content_type == "text/css" and b"Noto Sans CJK SC" in served.read()
    for url in ("https://example.org/logo.png", f"{BASE_URL}static/documents/missing.css", "file:///etc/passwd"):
        with pytest.raises(ResourceRefused):
            fetcher.fetch(url)
    assert fetcher.refused == ["https://example.org/logo.png", f"{BASE_URL}static/documents/missing.css",
                               "file:///etc/passwd"]
    assert no_network == []


def test_a_document_linking_out_is_laid_out_without_touching_the_network(no_network):
    html = f"""<html><head><link rel="stylesheet" href="{STYLESHEET}">
    <link rel="stylesheet" href="https://cdn.example.org/site.css">
    <style>@import url("https://fonts.example.org/css"); @font-face {{ font-family: X;
      src: url("https://fonts.example.org/x.woff2"); }}</style></head>
    <body><p>协议编号：鄂-X-WEB-01-2026-0001</p><img src="https://example.org/seal.png">
    <img src="file:///etc/hostname"></body></html>"""
    fetcher = OwnStaticFiles()
    pdf = HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher).write_pdf()
    assert "鄂-X-WEB-01-2026-0001" in text_of(pdf)
    assert set(fetcher.refused) == {"https://cdn.example.org/site.css", "https://fonts.example.org/css",
                                    "https://fonts.example.org/x.woff2", "https://example.org/seal.png",
                                    "file:///etc/hostname"}
    assert no_network == []


@pytest.mark.django_db
def test_the_agreement_is_rendered_with_the_network_out_of_reach_its_stylesheet_read_from_disk(
        browser, hubei_filed, no_network, monkeypatch):
    fetched = []
    fetch = OwnStaticFiles.fetch
    monkeypatch.setattr(OwnStaticFiles, "fetch", lambda self, url, headers=None: fetched.append(url) or fetch(
        self, url, headers))
    agreement = hubei_filed.negotiation.agreements.get()
    # What people type is text in the document, never markup that links out.
    type(agreement.negotiation).objects.filter(pk=agreement.negotiation_id).update(
        training_content='<img src="https://example.org/track.png"> 师资培训')
    response = browser.as_("college_42_1").get(f"/agreements/{agreement.pk}/pdf/")
    assert response.status_code == 200 and is_pdf(response)
    assert fetched == [STYLESHEET] and no_network == []
    assert '<imgsrc="https://example.org/track.png">师资培训' in text_of(response.content)
