"""Attachments on the pages: the block on the agreement and the complaint, the plans' and payments' files, the
upload form (multipart, with and without htmx), refusals shown in place, and downloads only for those who may."""
import hashlib

import pytest

from tests.workflows.attached import LESSER, OUTSIDER, OWNER, PDF, PROGRAM, object_of, of_kind, upload
from workflows.models import Attachment

from .conftest import Browser

pytestmark = pytest.mark.django_db
KINDS = ("agreement", "plan", "complaint", "payment")
HTMX = {"HTTP_HX_REQUEST": "true"}


def _post(browser: Browser, kind: str, target, sent, **extra):
    return browser.post(f"/attachments/{kind}/{target.pk}/", {"file": sent, **extra.pop("form", {})}, **extra)


def _stored(directory) -> list:
    return [path for path in directory.rglob("*") if path.is_file()] if directory.exists() else []


def test_the_lead_uploads_the_signed_scan_on_the_agreement_page_and_it_is_listed_with_its_hash(
        hubei, attachment_dir):
    agreement = object_of("agreement", hubei)
    browser = Browser().as_("college_42_1")
    page = browser.get(f"/agreements/{agreement.pk}/").content.decode()
    assert f'id="attachments-agreement-{agreement.pk}"' in page and 'enctype="multipart/form-data"' in page
    assert "已签署协议扫描件" in page and "尚未上传文件。" in page
    answer = _post(browser, "agreement", agreement, upload("协议扫描件.pdf"),
                   form={"next": f"/agreements/{agreement.pk}/"})
    assert answer.status_code == 302 and answer["Location"] == f"/agreements/{agreement.pk}/"
    kept = Attachment.objects.get()
    page = browser.get(f"/agreements/{agreement.pk}/").content.decode()
    assert "已上传 协议扫描件.pdf" in page and f'href="/attachments/{kept.pk}/download/"' in page
    assert hashlib.sha256(PDF).hexdigest()[:12] in page and "王芳（武汉职业技术学院）" in page
    download = browser.get(f"/attachments/{kept.pk}/download/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert download["Content-Type"] == "application/pdf" and download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Disposition"].startswith("attachment;")


def test_through_htmx_the_block_comes_back_with_the_file_or_the_refusal(hubei, attachment_dir):
    agreement = object_of("agreement", hubei)
    browser = Browser().as_("teo_1")
    kept = _post(browser, "agreement", agreement, upload("盖章页.pdf"), **HTMX)
    block = kept.content.decode()
    assert kept.status_code == 200 and block.startswith("<section") and "盖章页.pdf" in block
    refused = _post(browser, "agreement", agreement, upload("盖章页.pdf", PROGRAM), **HTMX)
    block = refused.content.decode()
    assert refused.status_code == 400 and 'data-rule="attachment_type_refused"' in block and "4D 5A 90 00" in block
    assert "盖章页.pdf" in block and Attachment.objects.count() == 1 and len(_stored(attachment_dir)) == 1


def test_a_renamed_program_is_refused_on_the_page_in_the_pages_language(hubei, attachment_dir):
    agreement = object_of("agreement", hubei)
    browser = Browser().as_("college_42_1")
    chinese = _post(browser, "agreement", agreement, upload("协议.pdf", PROGRAM)).content.decode()
    english = _post(browser, "agreement", agreement, upload("协议.pdf", PROGRAM),
                    HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-rule="attachment_type_refused"' in chinese and "仅接受 PDF、JPEG 和 PNG 文件" in chinese
    assert "Only PDF, JPEG and PNG files are accepted" in english and "仅接受" not in english
    assert Attachment.objects.count() == 0 and _stored(attachment_dir) == []


def test_an_over_size_file_is_refused_on_the_page_naming_the_limit(hubei, attachment_dir, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024
    agreement = object_of("agreement", hubei)
    page = _post(Browser().as_("teo_1"), "agreement", agreement, upload("scan.pdf", PDF + bytes(1024)))
    assert page.status_code == 400 and 'data-rule="attachment_too_large"' in page.content.decode()
    assert "1 KB（1,024 字节）" in page.content.decode() and _stored(attachment_dir) == []


@pytest.mark.parametrize("kind", KINDS)
def test_on_the_pages_the_owner_attaches_a_lesser_role_is_refused_and_an_outsider_finds_nothing(
        hubei, attachment_dir, kind):
    target = object_of(kind, hubei)
    browser = Browser()
    statuses = {who: _post(browser.as_(username), kind, target, of_kind(kind)).status_code for who, username in (
        ("owner", OWNER[kind]), ("lesser", LESSER[kind]), ("outsider", OUTSIDER[kind]))}
    assert statuses == {"owner": 302, "lesser": 403, "outsider": 404}
    assert Attachment.objects.count() == 1


@pytest.mark.parametrize("kind, lesser_reads", [("agreement", 200), ("plan", 200), ("complaint", 403),
                                                ("payment", 200)])
def test_on_the_pages_a_file_is_read_by_its_objects_readers_only(hubei, attachment_dir, kind, lesser_reads):
    target = object_of(kind, hubei)
    browser = Browser()
    _post(browser.as_(OWNER[kind]), kind, target, of_kind(kind))
    url = f"/attachments/{Attachment.objects.get().pk}/download/"
    statuses = {who: browser.as_(username).get(url).status_code for who, username in (
        ("owner", OWNER[kind]), ("lesser", LESSER[kind]), ("outsider", OUTSIDER[kind]))}
    assert statuses == {"owner": 200, "lesser": lesser_reads, "outsider": 404}
    assert browser.as_(OUTSIDER[kind]).get(f"/attachments/{kind}/{target.pk}/").status_code == 404


def test_the_complaint_page_shows_the_complainant_its_evidence_and_the_teo_only_how_many(hubei, attachment_dir):
    complaint = object_of("complaint", hubei)
    browser = Browser()
    _post(browser.as_("college_42_1"), "complaint", complaint, upload("现场照片.jpg", of_kind("complaint").read()))
    mine = browser.get(f"/complaints/{complaint.pk}/").content.decode()
    assert "现场照片.jpg" in mine and "证据材料" in mine and 'name="file"' in mine
    assert f'href="/complaints/{complaint.pk}/"' in browser.get("/complaints/").content.decode()
    theirs = browser.as_("teo_1").get(f"/complaints/{complaint.pk}/").content.decode()
    assert "现场照片.jpg" not in theirs and "证据材料 1 份，仅供投诉方和教育部查阅。" in theirs
    assert 'name="file"' not in theirs and "/download/" not in theirs


def test_the_supervision_page_lists_each_plans_documents_and_links_to_attach_more(hubei, attachment_dir):
    plan = object_of("plan", hubei)
    browser = Browser().as_("teo_1")
    _post(browser, "plan", plan, of_kind("plan"))
    page = browser.get("/supervision/").content.decode()
    kept = Attachment.objects.get()
    assert f'href="/attachments/{kept.pk}/download/"' in page and f'href="/attachments/plan/{plan.pk}/"' in page
    assert "考核计划.pdf" in browser.as_("reviewer_42").get("/supervision/").content.decode()


def test_the_payments_page_lists_the_voucher_to_its_college_not_to_another_member(hubei, attachment_dir):
    payment = object_of("payment", hubei)
    browser = Browser()
    _post(browser.as_("finance_42_1"), "payment", payment, of_kind("payment"))
    assert "付款凭证.png" in browser.get("/payments/").content.decode()
    assert "付款凭证.png" not in browser.as_("finance_42_2").get("/payments/").content.decode()
    form = browser.as_("finance_42_1").get(f"/attachments/payment/{payment.pk}/").content.decode()
    assert 'name="file"' in form and payment.college.name in form


def test_an_agreement_not_yet_signed_says_when_its_scan_is_taken_instead_of_a_form(hubei, attachment_dir):
    hubei.form()
    hubei.agree()
    hubei.verify()
    agreement = hubei.negotiation.agreements.get()
    page = Browser().as_("college_42_1").get(f"/agreements/{agreement.pk}/").content.decode()
    assert 'data-closed="agreement_scan_after_signing"' in page and 'name="file"' not in page
