"""Attachments (附件): a file is what its first bytes say, bounded, stored whole or not at all, and audited."""
import hashlib

import pytest
from django.utils import translation

from bpmn.models import AuditEntry
from tests.workflows import complaint_walk
from tests.workflows.attached import PDF, PNG, PROGRAM, object_of, of_kind, signed_agreement, upload
from tests.workflows.walk import user
from workflows import attachments, audit_text, permissions
from workflows.errors import RuleViolation
from workflows.models import Attachment

KINDS = ("agreement", "plan", "complaint", "payment")
OWNER = {"agreement": "college_42_1", "plan": "teo_1", "complaint": "college_42_1", "payment": "finance_42_1"}


def stored_files(directory) -> list:
    return sorted(path for path in directory.rglob("*") if path.is_file()) if directory.exists() else []


def refused(*args) -> RuleViolation:
    with pytest.raises(RuleViolation) as refusal:
        attachments.attach(*args)
    return refusal.value


# --- the file's own rules --------------------------------------------------------------------------


@pytest.mark.parametrize("head, expected", [
    (b"%PDF-1.4", "application/pdf"), (b"\xff\xd8\xff\xdb", "image/jpeg"), (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"MZ\x90\x00", None), (b"PK\x03\x04", None), (b"%PDF", None), (b"\x89PNG\r\n", None), (b"", None),
    (b"<html>", None)])
def test_the_type_is_what_the_first_bytes_say(head, expected):
    assert attachments.detected_type(head) == expected


@pytest.mark.parametrize("raw, content_type, shown", [
    ("协议扫描件.pdf", "application/pdf", "协议扫描件.pdf"),
    ("C:\\Users\\王芳\\Desktop\\scan.PDF", "application/pdf", "scan.PDF"),
    ("../../etc/passwd", "application/pdf", "passwd.pdf"),
    ("photo.png", "image/jpeg", "photo.png.jpg"),
    ("invoice\u202efdp.exe", "application/pdf", "invoicefdp.exe.pdf"),
    ('a<b>:"c"|?*.jpeg', "image/jpeg", "a_b___c____.jpeg"),
    ("  ..  ", "image/png", "attachment.png"),
    ("x" * 300 + ".pdf", "application/pdf", "x" * 116 + ".pdf"),
])
def test_the_name_keeps_its_last_part_without_what_no_name_holds_and_ends_in_its_type(raw, content_type, shown):
    assert attachments.safe_name(raw, content_type) == shown
    assert len(attachments.safe_name(raw, content_type)) <= Attachment.NAME_MAX


def test_sizes_read_as_people_read_them():
    assert [attachments.shown_size(n) for n in (812, 36_045, 10 * 1024 * 1024)] == ["812 B", "35.2 KB", "10 MB"]


# --- kept, each kind, with its SHA-256 in the object's audit trail -----------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_is_stored_whole_and_its_sha256_is_in_the_audit_trail(hubei, attachment_dir, kind):
    target = object_of(kind, hubei)
    sent = of_kind(kind)
    content = sent.read()
    kept = attachments.attach(user(OWNER[kind]), kind, target.pk, sent)
    assert kept.sha256 == hashlib.sha256(content).hexdigest() and kept.size == len(content)
    assert kept.uploaded_by == user(OWNER[kind]) and getattr(kept, kind) == target and kept.kind == kind
    with attachments.open_file(kept) as stored:
        assert stored.read() == content
    [entry] = AuditEntry.objects.filter(action="attachment_added")
    assert entry.instance == attachments.trail_of(kind, target) and entry.actor == user(OWNER[kind])
    assert entry.data["sha256"] == kept.sha256 and entry.data["size"] == len(content)
    [line] = [line for line in audit_text.trail(entry.instance) if kept.sha256 in line.text]
    assert kept.original_name in line.text


def test_the_type_kept_is_the_detected_one_whatever_the_client_said(hubei, attachment_dir):
    agreement = signed_agreement(hubei)
    kept = attachments.attach(user("teo_1"), "agreement", agreement, upload("扫描.pdf", PNG, "application/pdf"))
    assert kept.content_type == "image/png" and kept.original_name == "扫描.pdf.png"


def test_a_voucher_entry_is_read_by_its_own_college_only(hubei, attachment_dir):
    payment = object_of("payment", hubei)
    attachments.attach(user("finance_42_1"), "payment", payment, of_kind("payment"))
    entries = list(attachments.trail_of("payment", payment).audit_entries.all())
    mine = permissions.own_college_only(user("finance_42_1"), entries, permissions.college_of_entry)
    theirs = permissions.own_college_only(user("finance_42_2"), entries, permissions.college_of_entry)
    assert "attachment_added" in [e.action for e in mine] and "attachment_added" not in [e.action for e in theirs]


# --- refused, and nothing stored --------------------------------------------------------------------


def test_a_program_renamed_pdf_is_refused_by_its_content_and_nothing_is_stored(hubei, attachment_dir):
    agreement = signed_agreement(hubei)
    refusal = refused(user("college_42_1"), "agreement", agreement, upload("协议.pdf", PROGRAM, "application/pdf"))
    assert (refusal.rule, refusal.status) == ("attachment_type_refused", 400)
    assert "协议.pdf" in refusal.message and "4D 5A 90 00" in refusal.message
    assert Attachment.objects.count() == 0 and stored_files(attachment_dir) == []
    assert not AuditEntry.objects.filter(action="attachment_added").exists()


def test_a_file_over_the_limit_is_refused_naming_the_limit_and_its_size(hubei, attachment_dir, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024
    agreement = signed_agreement(hubei)
    refusal = refused(user("teo_1"), "agreement", agreement, upload("大文件.pdf", PDF + bytes(1024)))
    assert (refusal.rule, refusal.status) == ("attachment_too_large", 400)
    assert refusal.params["max"] == "1 KB" and refusal.params["max_bytes"] == "1,024"
    assert refusal.params["size"] == f"{len(PDF) + 1024:,}" and "1,024" in refusal.message
    with translation.override("en"):
        assert refusal.message == (f"A file is at most 1 KB (1,024 bytes); 大文件.pdf has {len(PDF) + 1024:,} bytes.")
    assert stored_files(attachment_dir) == []


def test_the_ten_megabyte_default_is_the_limit(hubei, attachment_dir):
    agreement = signed_agreement(hubei)
    refusal = refused(user("teo_1"), "agreement", agreement, upload("scan.pdf", PDF + bytes(10 * 1024 * 1024)))
    assert refusal.rule == "attachment_too_large" and refusal.params["max"] == "10 MB"


def test_an_empty_file_and_no_file_are_refused(hubei, attachment_dir):
    agreement = signed_agreement(hubei)
    assert refused(user("teo_1"), "agreement", agreement, upload("空.pdf", b"")).rule == "attachment_empty"
    missing = refused(user("teo_1"), "agreement", agreement, None)
    assert missing.rule == "attachment_required" and "10 MB" in missing.message


def test_an_object_keeps_at_most_the_files_the_setting_allows(hubei, attachment_dir, settings):
    settings.ATTACHMENTS_PER_OBJECT = 2
    agreement = signed_agreement(hubei)
    for _ in range(2):
        attachments.attach(user("teo_1"), "agreement", agreement, upload())
    refusal = refused(user("college_42_1"), "agreement", agreement, upload())
    assert (refusal.rule, refusal.status) == ("attachments_per_object", 409)
    assert agreement.number in refusal.message and refusal.shown_params()["count"] == "2"
    assert len(stored_files(attachment_dir)) == 2


def test_an_agreement_takes_its_scan_once_both_have_signed(hubei, attachment_dir):
    hubei.form()
    hubei.agree()
    hubei.verify()
    agreement = hubei.negotiation.agreements.get()
    refusal = refused(user("college_42_1"), "agreement", agreement, upload())
    assert (refusal.rule, refusal.status) == ("agreement_scan_after_signing", 409)


def test_a_payment_takes_its_voucher_once_it_is_due(hubei, attachment_dir):
    agreement = signed_agreement(hubei)
    waiting = agreement.payments.get(college=hubei.negotiation.alliance.lead)
    refusal = refused(user("finance_42_1"), "payment", waiting, of_kind("payment"))
    assert (refusal.rule, refusal.status) == ("voucher_before_due", 409)


def test_a_decided_complaint_takes_no_more_evidence(world, attachment_dir):
    complaint = complaint_walk.lodge(by="college_42_1")
    complaint_walk.do(complaint, "investigate_complaint", {"decision": "dismiss", "findings": "查无实据"})
    refusal = refused(user("college_42_1"), "complaint", complaint, of_kind("complaint"))
    assert (refusal.rule, refusal.status) == ("complaint_closed_to_evidence", 409)


def test_a_plan_takes_its_document_once_the_supervision_of_its_year_has_started(world, attachment_dir):
    from tests.workflows import supervision_records

    plan, _session, _sent = supervision_records.plan_and_train()
    refusal = refused(user("teo_1"), "plan", plan, of_kind("plan"))
    assert (refusal.rule, refusal.status) == ("plan_supervision_not_started", 409)
    assert str(plan.year) in refusal.message and stored_files(attachment_dir) == []


def test_a_failure_after_the_file_was_stored_removes_it(hubei, attachment_dir, monkeypatch):
    agreement = signed_agreement(hubei)

    def broken(*args, **kwargs):
        raise RuntimeError("the audit could not be written")

    monkeypatch.setattr(attachments, "_audit", broken)
    with pytest.raises(RuntimeError):
        attachments.attach(user("teo_1"), "agreement", agreement, upload())
    assert stored_files(attachment_dir) == [] and Attachment.objects.count() == 0


@pytest.mark.parametrize("kind, who, rule, status", [
    ("agreement", "finance_42_1", "actor_not_allowed", 403), ("agreement", "teo_2", "agreement_not_found", 404),
    ("plan", "college_42_1", "actor_not_allowed", 403), ("plan", "teo_2", "assessment_plan_not_found", 404),
    ("complaint", "teo_1", "actor_not_allowed", 403), ("complaint", "ministry", "actor_not_allowed", 403),
    ("complaint", "college_32_1", "complaint_not_found", 404),
    ("payment", "college_42_1", "actor_not_allowed", 403), ("payment", "finance_42_2", "payment_not_found", 404),
])
def test_only_the_party_the_file_is_for_attaches_it(hubei, attachment_dir, kind, who, rule, status):
    target = object_of(kind, hubei)
    refusal = refused(user(who), kind, target.pk, of_kind(kind))
    assert (refusal.rule, refusal.status) == (rule, status)
    assert stored_files(attachment_dir) == []


def test_the_schema_holds_an_attachment_to_exactly_one_object(hubei, attachment_dir):
    from django.db import IntegrityError, transaction

    agreement = signed_agreement(hubei)
    kept = attachments.attach(user("teo_1"), "agreement", agreement, upload())
    fields = {"file": "x.pdf", "original_name": "x.pdf", "content_type": "application/pdf", "size": 1,
              "sha256": "0" * 64, "uploaded_by": kept.uploaded_by, "uploaded_at": kept.uploaded_at}
    for objects in ({}, {"agreement": agreement, "payment": agreement.payments.first()}):
        with pytest.raises(IntegrityError), transaction.atomic():
            Attachment.objects.create(**objects, **fields)
