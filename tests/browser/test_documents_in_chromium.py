"""The agreement's PDF in chromium: the lead college clicks 下载 PDF and the file holds the agreement's number."""
from pathlib import Path

import pytest

from tests.browser.steps import signed_in
from tests.documents.pdf_text import text_of
from tests.workflows.walk import Walk
from workflows.models import Agreement

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_lead_college_downloads_the_agreement_as_pdf_and_finds_its_number_in_it(page):
    walk = Walk("X-WEB-01", lead="college_42_1", invite=("college_42_2", "college_42_3"))
    walk.through_filing()
    agreement = Agreement.objects.select_related("filing").get(negotiation=walk.negotiation)
    signed_in(page, "college_42_1")
    page.goto(f"{page.base}/agreements/{agreement.pk}/")
    with page.expect_download() as started:
        page.click("#agreement-pdf")
    download = started.value
    assert download.failure() is None and download.suggested_filename == f"{agreement.number}.pdf"
    text = text_of(Path(download.path()).read_bytes())
    assert agreement.number in text and agreement.filing.filing_no in text and "王芳" in text
