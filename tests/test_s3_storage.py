"""Case files on an S3-compatible store (issue 15 item 4): HUIYIN_S3_* switch the default storage to a
private bucket, and every file still leaves through Huiyin's permission-checked views (条例 §30).

The store is a real one over HTTP on this machine: moto's S3 server (ThreadedMotoServer on 127.0.0.1,
an ephemeral port), reached by boto3 exactly as an on-premises MinIO would be. moto is in the dev extra;
when it is missing these tests fail, they never skip (a skipped test would pass CI with S3 untested).
"""

from __future__ import annotations

import io
import socket
import tarfile
import uuid
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from huiyin.assist.tests.test_hot_issues import run_worker
from huiyin.cases import exports
from huiyin.cases.models import Case, ExportJob
from huiyin.cases.tests.test_views_intake import intake_data
from huiyin.core.env import env_default_storage
from tests.s3 import assert_no_store_url, objects, require_module
from tests.test_ops_backup import pg_tools
from tests.test_uploads import PDF, png

pytestmark = pytest.mark.django_db

S3_ENV = ("HUIYIN_S3_ENDPOINT_URL", "HUIYIN_S3_ACCESS_KEY_ID", "HUIYIN_S3_SECRET_ACCESS_KEY")


def test_an_attachment_at_intake_goes_to_the_bucket_private_and_never_to_the_local_disk(
    client, clerk_li, store
):
    client.force_login(clerk_li)
    data = intake_data()
    data["attachments"] = [SimpleUploadedFile("信.pdf", PDF, content_type="application/pdf")]
    assert client.post(reverse("case_new"), data).status_code == 302
    attachment = Case.objects.get().attachments.get()
    key = f"huiyin/{attachment.file.name}"
    assert objects(store) == {key: PDF}
    assert list(Path(store.media_root).rglob("*")) == []
    acl = store.get_object_acl(Bucket=store.bucket, Key=key)
    grantees = [g["Grantee"].get("URI", g["Grantee"].get("ID")) for g in acl["Grants"]]
    assert grantees == [acl["Owner"]["ID"]]  # the owner alone: no AllUsers, no AuthenticatedUsers


def test_an_allowed_user_downloads_the_attachment_streamed_from_the_store(client, clerk_li, store):
    client.force_login(clerk_li)
    data = intake_data()
    scan = PDF + b"%" + b"x" * 4096  # past the spool threshold
    data["attachments"] = [SimpleUploadedFile("信.pdf", scan, content_type="application/pdf")]
    client.post(reverse("case_new"), data)
    case = Case.objects.get()
    attachment = case.attachments.get()
    page = client.get(reverse("case_detail", args=[case.code]))
    assert page.status_code == 200
    download_url = reverse("attachment_download", args=[case.code, attachment.pk])
    assert f'href="{download_url}"' in assert_no_store_url(page, store).decode()
    response = client.get(download_url)
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"] == "application/pdf" and response["X-Content-Type-Options"] == "nosniff"
    assert "attachment" in response["Content-Disposition"]
    assert assert_no_store_url(response, store) == scan


def test_a_user_outside_the_case_is_refused_the_attachment(client, clerk_li, handler_zhao_unit_b, store):
    client.force_login(clerk_li)
    data = intake_data()
    data["attachments"] = [SimpleUploadedFile("信.pdf", PDF, content_type="application/pdf")]
    client.post(reverse("case_new"), data)
    case = Case.objects.get()
    url = reverse("attachment_download", args=[case.code, case.attachments.get().pk])
    client.force_login(handler_zhao_unit_b)
    response = client.get(url)
    assert response.status_code == 404
    assert PDF not in assert_no_store_url(response, store)
    client.logout()
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_a_citizens_portal_attachment_is_stored_in_the_bucket_and_fetched_by_staff(
    client, clerk_li, org, store
):
    data = {
        "petition_type": "complaint",
        "title": "楼道漏水无人维修",
        "content": "小区3栋楼道漏水半年。",
        "territory": str(org.village.pk),
        "address": "柳林村3组",
        "name": "刘群众",
        "phone": "13800001234",
        "truthful": "on",
        "idempotency_key": uuid.uuid4().hex,
        "attachments": [SimpleUploadedFile("漏水.png", png(), content_type="image/png")],
    }
    response = client.post("/public/submit/", data)
    assert response.status_code == 302
    assert_no_store_url(client.get(response["Location"]), store)  # the receipt page
    case = Case.objects.get()
    attachment = case.attachments.get()
    assert list(objects(store).values()) == [png()]
    client.force_login(clerk_li)
    response = client.get(reverse("attachment_download", args=[case.code, attachment.pk]))
    assert response.status_code == 200 and assert_no_store_url(response, store) == png()


def test_an_attachment_missing_from_the_store_is_a_404_not_a_500(client, clerk_li, store):
    client.force_login(clerk_li)
    data = intake_data()
    data["attachments"] = [SimpleUploadedFile("信.pdf", PDF, content_type="application/pdf")]
    client.post(reverse("case_new"), data)
    case = Case.objects.get()
    attachment = case.attachments.get()
    store.delete_object(Bucket=store.bucket, Key=f"huiyin/{attachment.file.name}")
    client.raise_request_exception = False
    response = client.get(reverse("attachment_download", args=[case.code, attachment.pk]))
    assert response.status_code == 404
    assert_no_store_url(response, store)


def test_an_export_job_writes_its_file_to_the_bucket_and_only_its_owner_fetches_it(
    client,
    register_case,
    dispatcher_zhou,
    clerk_li,
    django_capture_on_commit_callbacks,
    settings,
    store,
    clock,
):
    settings.HUIYIN_EXPORT_STREAM_ROWS = 1  # more than one row: the worker writes the file
    cases = [register_case() for _ in range(3)]
    client.force_login(dispatcher_zhou)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse("workbench"), {"format": "xlsx", "queue": "to_route"})
    assert response.status_code == 302
    run_worker()
    job = ExportJob.objects.get()
    assert job.state == ExportJob.State.DONE
    assert list(objects(store)) == [f"huiyin/{job.file.name}"]
    assert list(Path(store.media_root).rglob("*")) == []
    file_url = reverse("export_job_file", kwargs={"job": job.pk})
    assert_no_store_url(client.get(reverse("export_job", kwargs={"job": job.pk})), store)
    response = client.get(file_url)
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    rows = list(load_workbook(io.BytesIO(assert_no_store_url(response, store))).active.values)
    assert sorted(r[0] for r in rows[2:]) == sorted(c.code for c in cases)
    client.force_login(clerk_li)  # not the one who asked
    response = client.get(file_url)
    assert response.status_code == 404
    assert_no_store_url(response, store)
    # past HUIYIN_EXPORT_KEEP_HOURS the object is deleted from the bucket (it may hold full identity)
    clock.set(timezone.localdate(job.created_at) + timedelta(days=2))
    assert exports.expire_old() == 1
    assert objects(store) == {}


def test_the_store_makes_no_url_for_a_file(store):
    from huiyin.core.objectstore import ObjectUrlRefused

    name = default_storage.save("probe.txt", ContentFile(b"probe"))
    assert default_storage.open(name).read() == b"probe"
    with pytest.raises(ObjectUrlRefused):
        default_storage.url(name)


def test_a_second_file_of_the_same_name_does_not_replace_the_first(store):
    first = default_storage.save("attachments/same", ContentFile(b"one"))
    second = default_storage.save("attachments/same", ContentFile(b"two"))
    assert first != second
    assert default_storage.open(first).read() == b"one" and default_storage.open(second).read() == b"two"


# --- the settings: a half-configured store refuses to start -----------------------------------------


@pytest.fixture
def s3_env(monkeypatch, tmp_path):
    require_module("storages")
    values = {
        "HUIYIN_S3_BUCKET": "huiyin",
        "HUIYIN_S3_ENDPOINT_URL": "https://minio.intranet:9000",
        "HUIYIN_S3_ACCESS_KEY_ID": "key",
        "HUIYIN_S3_SECRET_ACCESS_KEY": "secret",
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return monkeypatch


def test_no_bucket_keeps_the_local_disk(monkeypatch):
    for name in ("HUIYIN_S3_BUCKET", *S3_ENV):
        monkeypatch.delenv(name, raising=False)
    assert env_default_storage(max_memory_size=1) == {
        "BACKEND": "django.core.files.storage.FileSystemStorage"
    }


def test_a_complete_configuration_gives_the_private_store(s3_env, tmp_path):
    bundle = tmp_path / "ca.pem"
    bundle.write_text("-----BEGIN CERTIFICATE-----\n")
    s3_env.setenv("HUIYIN_S3_VERIFY", str(bundle))
    s3_env.setenv("HUIYIN_S3_ADDRESSING_STYLE", "virtual")
    config = env_default_storage(max_memory_size=7)
    assert config["BACKEND"] == "huiyin.core.objectstore.PrivateS3Storage"
    options = config["OPTIONS"]
    assert (options["bucket_name"], options["endpoint_url"], options["use_ssl"]) == (
        "huiyin",
        "https://minio.intranet:9000",
        True,
    )
    assert (options["addressing_style"], options["verify"], options["max_memory_size"]) == (
        "virtual",
        str(bundle),
        7,
    )
    assert (options["region_name"], options["location"]) == ("us-east-1", "")


@pytest.mark.parametrize(
    ("name", "value", "words"),
    [
        ("HUIYIN_S3_ENDPOINT_URL", "", "HUIYIN_S3_ENDPOINT_URL"),
        ("HUIYIN_S3_ENDPOINT_URL", "minio.intranet:9000", "http(s)://"),
        ("HUIYIN_S3_ENDPOINT_URL", "https://minio.intranet/bucket", "http(s)://"),
        ("HUIYIN_S3_SECRET_ACCESS_KEY", "", "HUIYIN_S3_SECRET_ACCESS_KEY"),
        ("HUIYIN_S3_ADDRESSING_STYLE", "dns", "path, virtual, auto"),
        ("HUIYIN_S3_VERIFY", "/no/such/ca.pem", "CA bundle"),
    ],
)
def test_a_malformed_value_refuses_to_start(s3_env, name, value, words):
    s3_env.setenv(name, value)
    with pytest.raises(ImproperlyConfigured, match=words.replace("(", r"\(").replace(")", r"\)")):
        env_default_storage(max_memory_size=1)


@pytest.mark.parametrize(("value", "verify"), [("", True), ("1", True), ("off", False)])
def test_verify_is_on_unless_turned_off(s3_env, value, verify):
    s3_env.setenv("HUIYIN_S3_VERIFY", value)
    assert env_default_storage(max_memory_size=1)["OPTIONS"]["verify"] is verify


def test_a_store_variable_without_a_bucket_refuses_to_start(monkeypatch):
    monkeypatch.delenv("HUIYIN_S3_BUCKET", raising=False)
    monkeypatch.setenv("HUIYIN_S3_ENDPOINT_URL", "http://minio.intranet:9000")
    with pytest.raises(ImproperlyConfigured, match="without HUIYIN_S3_BUCKET"):
        env_default_storage(max_memory_size=1)


def test_no_admin_page_shows_a_file_field():
    """The admin renders a FileField as a link to its storage URL: on S3 that would be a presigned link
    (or, with the refusing storage, a crash). Every admin leaves file fields out."""
    from django.contrib import admin
    from django.db import models

    shown = []
    for model, model_admin in admin.site._registry.items():
        excluded = set(model_admin.exclude or ())
        for field in model._meta.get_fields():
            if isinstance(field, models.FileField) and field.name not in excluded:
                shown.append(f"{model._meta.label}.{field.name}")
    assert shown == []


@pg_tools
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_backup_holds_the_stores_files_and_a_restore_puts_them_back(client, clerk_li, store, tmp_path):
    # given an attachment in the bucket
    client.force_login(clerk_li)
    data = intake_data()
    data["attachments"] = [SimpleUploadedFile("信.pdf", PDF, content_type="application/pdf")]
    client.post(reverse("case_new"), data)
    case = Case.objects.get()
    attachment = case.attachments.get()
    target = tmp_path / "backup" / "huiyin.tar"
    out = StringIO()
    call_command("backup_db", str(target), stdout=out)
    assert "1 个附件" in out.getvalue()
    with tarfile.open(target) as tar:
        member = tar.extractfile(f"media/{attachment.file.name}")
        assert member is not None and member.read() == PDF
    # when the object is lost and the backup restored
    store.delete_object(Bucket=store.bucket, Key=f"huiyin/{attachment.file.name}")
    out = StringIO()
    call_command("restore_db", str(target), yes=True, stdout=out)
    # then it is in the bucket under its name again, and downloads
    assert "1 个附件" in out.getvalue()
    assert objects(store) == {f"huiyin/{attachment.file.name}": PDF}
    client.force_login(clerk_li)
    response = client.get(reverse("attachment_download", args=[case.code, attachment.pk]))
    assert response.status_code == 200 and assert_no_store_url(response, store) == PDF


@pg_tools
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_backup_taken_on_the_local_disk_restores_into_a_bucket(client, clerk_li, store, settings, tmp_path):
    # given an office on the local disk with one attachment, and its backup
    s3_storage = settings.STORAGES["default"]
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    settings.MEDIA_ROOT = tmp_path / "media"
    client.force_login(clerk_li)
    data = intake_data()
    data["attachments"] = [SimpleUploadedFile("信.pdf", PDF, content_type="application/pdf")]
    client.post(reverse("case_new"), data)
    case = Case.objects.get()
    attachment = case.attachments.get()
    assert (tmp_path / "media" / attachment.file.name).read_bytes() == PDF
    call_command("backup_db", str(tmp_path / "disk.tar"), stdout=StringIO())
    # when the office moves to the store and restores the backup there
    settings.STORAGES = {**settings.STORAGES, "default": s3_storage}
    call_command("restore_db", str(tmp_path / "disk.tar"), yes=True, stdout=StringIO())
    # then the attachment is in the bucket under its name and downloads from there
    assert objects(store) == {f"huiyin/{attachment.file.name}": PDF}
    (tmp_path / "media" / attachment.file.name).unlink()
    response = client.get(reverse("attachment_download", args=[case.code, attachment.pk]))
    assert response.status_code == 200 and assert_no_store_url(response, store) == PDF


def test_a_store_that_does_not_answer_is_a_503_page_not_a_500(client, clerk_li, store, settings):
    # given an attachment in the bucket, and then the store going away (nothing listens on its port)
    client.force_login(clerk_li)
    data = intake_data()
    data["attachments"] = [SimpleUploadedFile("信.pdf", PDF, content_type="application/pdf")]
    client.post(reverse("case_new"), data)
    case = Case.objects.get()
    attachment = case.attachments.get()
    dead = _dead_store(settings)
    # when the clerk downloads it, then a 503 page says the store is unavailable (not a 500)
    client.raise_request_exception = False
    response = client.get(reverse("attachment_download", args=[case.code, attachment.pk]))
    assert response.status_code == 503
    from huiyin.core.middleware import MSG_STORE_DOWN

    assert MSG_STORE_DOWN in assert_no_store_url(response, store).decode()
    assert dead.split("//")[1] not in response.content.decode()


def test_the_store_gives_up_in_seconds_not_minutes(store):
    config = default_storage.client_config
    assert (config.connect_timeout, config.read_timeout, config.retries["max_attempts"]) == (5, 30, 3)
    assert config.s3 == {"addressing_style": "path"} and config.signature_version == "s3v4"


def _dead_store(settings) -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{probe.getsockname()[1]}"
    options = {**settings.STORAGES["default"]["OPTIONS"], "endpoint_url": dead}
    settings.STORAGES = {**settings.STORAGES, "default": {**settings.STORAGES["default"], "OPTIONS": options}}
    return dead


def test_an_intake_while_the_store_is_down_is_a_503_page_and_registers_nothing(
    client, clerk_li, store, settings
):
    from huiyin.core.middleware import MSG_STORE_DOWN

    dead = _dead_store(settings)
    client.force_login(clerk_li)
    client.raise_request_exception = False
    data = intake_data()
    data["attachments"] = [SimpleUploadedFile("信.pdf", PDF, content_type="application/pdf")]
    response = client.post(reverse("case_new"), data)
    assert response.status_code == 503
    body = assert_no_store_url(response, store).decode()
    assert MSG_STORE_DOWN in body and dead.split("//")[1] not in body
    assert not Case.objects.exists()
