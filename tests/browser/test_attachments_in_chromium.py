"""The signed agreement's scan in the browser: the lead college uploads a PDF on the agreement page (htmx posts the
form multipart and swaps the block in place), sees it listed with its hash, and downloads the same bytes back;
a program renamed .pdf is refused in place, in Chinese, and nothing more is kept."""
import hashlib

import pytest
from playwright.sync_api import expect

from tests.browser.steps import signed_in
from tests.workflows.attached import PDF, PROGRAM
from tests.workflows.walk import Walk
from workflows.models import Attachment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_lead_uploads_the_signed_scan_on_the_agreement_page_and_downloads_it_back(page, tmp_path):
    walk = Walk("X-WEB-01", lead="college_42_1", invite=("college_42_2", "college_42_3"))
    walk.through_filing()
    agreement = walk.negotiation.agreements.get()
    signed_in(page, "college_42_1")
    page.goto(f"{page.base}/agreements/{agreement.pk}/")
    block = page.locator(f"#attachments-agreement-{agreement.pk}")
    expect(block).to_contain_text("尚未上传文件。")
    block.locator("input[type=file]").set_input_files(
        {"name": "协议扫描件.pdf", "mimeType": "application/pdf", "buffer": PDF})
    block.get_by_role("button", name="上传").click()
    row = page.locator(f"#attachments-agreement-{agreement.pk} tr[data-attachment]")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("协议扫描件.pdf")
    expect(row).to_contain_text(hashlib.sha256(PDF).hexdigest()[:12])
    expect(page.locator(f"#attachments-agreement-{agreement.pk} .notice")).to_contain_text("已上传 协议扫描件.pdf")
    assert page.url == f"{page.base}/agreements/{agreement.pk}/"  # swapped in place, no reload

    with page.expect_download() as started:
        row.get_by_role("link", name="协议扫描件.pdf").click()
    download = started.value
    assert download.suggested_filename == "协议扫描件.pdf"
    saved = tmp_path / "back.pdf"
    download.save_as(saved)
    assert saved.read_bytes() == PDF

    block = page.locator(f"#attachments-agreement-{agreement.pk}")
    block.locator("input[type=file]").set_input_files(
        {"name": "补充协议.pdf", "mimeType": "application/pdf", "buffer": PROGRAM})
    block.get_by_role("button", name="上传").click()
    refusal = page.locator(f"#attachments-agreement-{agreement.pk} [data-rule='attachment_type_refused']")
    expect(refusal).to_contain_text("仅接受 PDF、JPEG 和 PNG 文件")
    expect(page.locator(f"#attachments-agreement-{agreement.pk} tr[data-attachment]")).to_have_count(1)
    assert Attachment.objects.count() == 1
