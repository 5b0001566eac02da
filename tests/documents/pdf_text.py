"""A PDF answer read as a person copying its text would: pypdf, independent of WeasyPrint."""
import io
import re

from pypdf import PdfReader


def is_pdf(response) -> bool:
    return response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF-")


def text_of(pdf: bytes) -> str:
    """Every page's text, with the layout's line breaks and spaces taken out (a cell may wrap a name)."""
    pages = PdfReader(io.BytesIO(pdf)).pages
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in pages))


def flat(text: str) -> str:
    """A phrase as text_of gives it."""
    return re.sub(r"\s+", "", str(text))
