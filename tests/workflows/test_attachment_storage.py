"""Where attachments are kept: files under XCERT_ATTACHMENT_DIR by default, an S3-compatible bucket when configured,
never a directory a URL serves; a storage that does not load stops start-up with its id."""
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import Resolver404, resolve

from webapp import settings as production
from workflows.checks import check_attachment_storage


def test_by_default_the_files_stay_on_disk_under_the_var_directory_not_under_the_static_files(monkeypatch):
    monkeypatch.delenv("XCERT_ATTACHMENT_STORAGE", raising=False)
    storage = production._attachment_storage()
    assert storage["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    assert storage["OPTIONS"]["location"] == production.ATTACHMENT_DIR
    assert production.STATIC_ROOT not in (storage["OPTIONS"]["location"], *storage["OPTIONS"]["location"].parents)
    assert storage["OPTIONS"]["file_permissions_mode"] == 0o640


def test_s3_is_django_storages_with_the_bucket_named_and_private_objects(monkeypatch):
    monkeypatch.setenv("XCERT_ATTACHMENT_STORAGE", "s3")
    monkeypatch.setenv("XCERT_S3_BUCKET", "xcert-attachments")
    monkeypatch.setenv("XCERT_S3_ENDPOINT_URL", "https://oss.example.org")
    storage = production._attachment_storage()
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    assert storage["OPTIONS"]["bucket_name"] == "xcert-attachments"
    assert storage["OPTIONS"]["endpoint_url"] == "https://oss.example.org"
    assert storage["OPTIONS"]["default_acl"] == "private" and storage["OPTIONS"]["file_overwrite"] is False
    assert not any("key" in name for name in storage["OPTIONS"])  # credentials come from boto3's own chain


@pytest.mark.parametrize("kind, bucket, named", [("s3", "", "XCERT_S3_BUCKET"),
                                                 ("ftp", "x", "XCERT_ATTACHMENT_STORAGE")])
def test_a_storage_setting_that_cannot_work_stops_start_up_naming_it(monkeypatch, kind, bucket, named):
    monkeypatch.setenv("XCERT_ATTACHMENT_STORAGE", kind)
    monkeypatch.setenv("XCERT_S3_BUCKET", bucket)
    with pytest.raises(ImproperlyConfigured, match=named):
        production._attachment_storage()


def test_a_backend_that_does_not_import_is_the_start_up_error_e004(settings):
    assert check_attachment_storage(None) == []
    settings.STORAGES = {**settings.STORAGES, "attachments": {"BACKEND": "storages.backends.nowhere.S3Storage"}}
    [error] = check_attachment_storage(None)
    assert error.id == "workflows.E004" and "pip install '.[s3]'" in error.msg


def test_no_url_serves_the_attachments_directory():
    for path in ("/attachments/agreement/1/x.pdf", "/var/attachments/agreement/2026/12/x.pdf", "/media/x.pdf"):
        with pytest.raises(Resolver404):
            resolve(path)
