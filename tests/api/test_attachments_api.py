"""Attachments over the API: each kind uploaded (multipart) and downloaded, refused by content and size, and read
only by those who may (owner / lesser role / outsider: 201 / 403 / 404 to attach, and to read as the rules say)."""
import hashlib

import pytest

from bpmn.models import AuditEntry
from tests.workflows.attached import API_PATHS, LESSER, OUTSIDER, OWNER, PDF, PROGRAM, object_of, of_kind, upload
from workflows.models import Attachment

from .clients import api

pytestmark = pytest.mark.django_db
KINDS = tuple(API_PATHS)


def _post(username: str, kind: str, target, sent, **headers):
    return api(username).post(f"/api/v1/{API_PATHS[kind]}/{target.pk}/attachments/", {"file": sent},
                              format="multipart", **headers)


def _stored(directory) -> list:
    return [path for path in directory.rglob("*") if path.is_file()] if directory.exists() else []


@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_is_uploaded_listed_and_downloaded_with_its_detected_type(hubei, attachment_dir, kind):
    target = object_of(kind, hubei)
    sent = of_kind(kind)
    content = sent.read()
    sent.seek(0)
    answer = _post(OWNER[kind], kind, target, sent)
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert body["kind"] == kind and body["object_id"] == target.pk and body["size"] == len(content)
    assert body["sha256"] == hashlib.sha256(content).hexdigest() and body["name"] == sent.name
    listed = api(OWNER[kind]).get(f"/api/v1/{API_PATHS[kind]}/{target.pk}/attachments/").json()
    assert [item["id"] for item in listed] == [body["id"]]
    download = api(OWNER[kind]).get(body["download"])
    assert download.status_code == 200 and b"".join(download.streaming_content) == content
    assert download["Content-Type"] == Attachment.objects.get().content_type != "application/octet-stream"
    assert download["Content-Disposition"].startswith("attachment;") and "filename*=utf-8''" in \
        download["Content-Disposition"]
    assert download["X-Content-Type-Options"] == "nosniff" and "no-store" in download["Cache-Control"]


def test_the_audit_entry_holds_the_sha256_and_the_uploader(hubei, attachment_dir):
    agreement = object_of("agreement", hubei)
    body = _post("teo_1", "agreement", agreement, upload()).json()
    instance = api("college_42_1").get(f"/api/v1/process-instances/{hubei.instance.pk}/").json()
    [entry] = [e for e in instance["audit"] if e["action"] == "attachment_added"]
    assert entry["actor"] == "teo_1" and entry["data"]["sha256"] == body["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert AuditEntry.objects.filter(action="attachment_added").count() == 1


@pytest.mark.parametrize("kind", KINDS)
def test_the_party_the_file_is_for_attaches_a_lesser_role_is_refused_and_an_outsider_finds_nothing(
        hubei, attachment_dir, kind):
    target = object_of(kind, hubei)
    answers = {who: _post(username, kind, target, of_kind(kind)) for who, username in (
        ("owner", OWNER[kind]), ("lesser", LESSER[kind]), ("outsider", OUTSIDER[kind]))}
    assert {who: answer.status_code for who, answer in answers.items()} == {
        "owner": 201, "lesser": 403, "outsider": 404}
    assert answers["lesser"].json()["rule"] == "actor_not_allowed"
    assert Attachment.objects.count() == 1 and len(_stored(attachment_dir)) == 1


@pytest.mark.parametrize("kind, lesser_reads", [("agreement", 200), ("plan", 200), ("complaint", 403),
                                                ("payment", 200)])
def test_a_file_is_read_by_those_who_see_its_object_and_a_complaints_evidence_not_by_its_teo(
        hubei, attachment_dir, kind, lesser_reads):
    target = object_of(kind, hubei)
    pk = _post(OWNER[kind], kind, target, of_kind(kind)).json()["id"]
    read = {who: api(username).get(f"/api/v1/attachments/{pk}/download/").status_code for who, username in (
        ("owner", OWNER[kind]), ("lesser", LESSER[kind]), ("outsider", OUTSIDER[kind]))}
    assert read == {"owner": 200, "lesser": lesser_reads, "outsider": 404}
    assert api(OUTSIDER[kind]).get(f"/api/v1/attachments/{pk}/").status_code == 404
    listed = [item["id"] for item in api(LESSER[kind]).get("/api/v1/attachments/").json()["results"]]
    assert (pk in listed) is (lesser_reads == 200)


def test_the_teo_complained_about_is_told_the_evidence_is_not_its_to_read(hubei, attachment_dir):
    complaint = object_of("complaint", hubei)
    _post("college_42_1", "complaint", complaint, of_kind("complaint"))
    refused = api("teo_1").get(f"/api/v1/complaints/{complaint.pk}/attachments/")
    assert refused.status_code == 403 and refused.json()["rule"] == "attachment_not_yours"
    assert api("ministry").get(f"/api/v1/complaints/{complaint.pk}/attachments/").status_code == 200


def test_a_program_renamed_pdf_is_refused_in_the_requests_language_and_nothing_is_stored(hubei, attachment_dir):
    agreement = object_of("agreement", hubei)
    chinese = _post("teo_1", "agreement", agreement, upload("协议.pdf", PROGRAM))
    english = _post("teo_1", "agreement", agreement, upload("协议.pdf", PROGRAM), HTTP_ACCEPT_LANGUAGE="en")
    assert (chinese.status_code, english.status_code) == (400, 400)
    assert chinese.json()["rule"] == english.json()["rule"] == "attachment_type_refused"
    assert "仅接受 PDF、JPEG 和 PNG 文件" in chinese.json()["message"]
    assert english.json()["message"] == ("Only PDF, JPEG and PNG files are accepted, recognised by their first bytes "
                                         "and not by their name: 协议.pdf begins with 4D 5A 90 00.")
    assert Attachment.objects.count() == 0 and _stored(attachment_dir) == []


def test_a_file_over_the_limit_is_refused_naming_it(hubei, attachment_dir, settings):
    settings.ATTACHMENT_MAX_BYTES = 2048
    agreement = object_of("agreement", hubei)
    refused = _post("college_42_1", "agreement", agreement, upload("scan.pdf", PDF + bytes(2048)))
    assert refused.status_code == 400 and refused.json()["rule"] == "attachment_too_large"
    assert refused.json()["params"]["max"] == "2 KB" and refused.json()["params"]["max_bytes"] == "2,048"
    assert "2,048" in refused.json()["message"] and _stored(attachment_dir) == []


def test_a_json_body_without_a_file_is_refused_with_the_rule(hubei, attachment_dir):
    agreement = object_of("agreement", hubei)
    refused = api("teo_1").post(f"/api/v1/agreements/{agreement.pk}/attachments/", {"file": "scan.pdf"},
                                format="json")
    assert refused.status_code == 400 and refused.json()["rule"] == "attachment_required"
