"""A case list longer than HUIYIN_EXPORT_STREAM_ROWS (issue 11 item 5: "large exports stream and show
progress"): the worker writes it while the user's page polls the rows written; the file holds the same
rows and the export keeps its audit (IDENTITY_VIEW per case shown in full, the EXPORT row). Only the
user who asked sees the job or its file."""

from __future__ import annotations

import io
from datetime import time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from huiyin.assist.tests.test_hot_issues import run_worker
from huiyin.cases import exports
from huiyin.cases.models import Case, ExportJob
from huiyin.core.models import AuditEntry

pytestmark = pytest.mark.django_db

NAME, PHONE, ID_NUMBER = "刘群众", "13800001234", "11010519491231002X"


@pytest.fixture(autouse=True)
def small_threshold(settings, tmp_path):
    settings.HUIYIN_EXPORT_STREAM_ROWS = 3  # more than three rows: the worker writes the file
    settings.MEDIA_ROOT = tmp_path


def ask(client, django_capture_on_commit_callbacks, **params):
    with django_capture_on_commit_callbacks(execute=True):  # the task is queued once the job commits
        response = client.get(reverse("workbench"), {"format": "xlsx", "queue": "to_route", **params})
    assert response.status_code == 302, response.status_code
    return response["Location"]


def test_a_long_list_runs_in_the_worker_its_page_shows_progress_and_the_file_holds_every_row(
    client, register_case, dispatcher_zhou, django_capture_on_commit_callbacks, monkeypatch
):
    cases = [register_case() for _ in range(5)]
    expected = [c.code for c in sorted(cases, key=lambda c: (c.registered_at, c.pk), reverse=True)]
    client.force_login(dispatcher_zhou)
    page_url = ask(client, django_capture_on_commit_callbacks, identity="full")
    job = ExportJob.objects.get()
    assert page_url == reverse("export_job", kwargs={"job": job.pk})
    assert (job.state, job.total_rows, job.done_rows, job.record_ids) == (
        "queued",
        5,
        0,
        [Case.objects.get(code=c).pk for c in expected],
    )
    assert not AuditEntry.objects.filter(kind=AuditEntry.Kind.IDENTITY_VIEW).exists()  # nothing shown yet
    page = client.get(page_url).content.decode()
    assert 'hx-trigger="every 1s"' in page and "已写入 0 / 5 行" in page and "排队中" in page
    # the worker reports after each batch: with batches of two, 2, 4 and then 5 rows written
    monkeypatch.setattr(exports, "BATCH", 2)
    reported: list[int] = []
    report = exports._report
    monkeypatch.setattr(exports, "_report", lambda pk, n: (reported.append(n), report(pk, n)))
    run_worker()
    assert reported == [2, 4, 5]
    partial = client.get(page_url, headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in partial and "已生成 5 行" in partial
    file_url = reverse("export_job_file", kwargs={"job": job.pk})
    assert f'href="{file_url}"' in partial
    response = client.get(file_url)
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    rows = [list(r) for r in load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.values]
    assert rows[0][0].startswith("工作队列-")  # the list's heading line
    assert rows[1][0] == "事项编号" and [r[0] for r in rows[2:]] == expected
    assert all(r[-3:] == [NAME, ID_NUMBER, PHONE] for r in rows[2:])
    # the audit of a full-identity export: one IDENTITY_VIEW per case, and the export's own row
    views = AuditEntry.objects.filter(kind=AuditEntry.Kind.IDENTITY_VIEW, actor=dispatcher_zhou)
    assert sorted(v.case.code for v in views) == sorted(expected)
    assert {v.detail["export"] for v in views} == {"workbench"}
    (entry,) = AuditEntry.objects.filter(kind=AuditEntry.Kind.EXPORT, actor=dispatcher_zhou)
    assert (entry.detail["rows"], entry.detail["full_identity"], entry.detail["job"]) == (5, True, job.pk)
    assert entry.detail["filters"]["queue"] == "to_route" and entry.ip_address == views[0].ip_address


def test_at_the_threshold_the_list_still_streams_at_once(client, register_case, dispatcher_zhou):
    for _ in range(3):
        register_case()
    client.force_login(dispatcher_zhou)
    response = client.get(reverse("workbench"), {"format": "xlsx", "queue": "to_route"})
    assert response.status_code == 200 and response.streaming and not ExportJob.objects.exists()


def test_a_masked_long_export_is_masked_in_the_file(
    client, register_case, dispatcher_zhou, django_capture_on_commit_callbacks
):
    for _ in range(4):
        register_case()
    client.force_login(dispatcher_zhou)
    ask(client, django_capture_on_commit_callbacks)
    run_worker()
    job = ExportJob.objects.get()
    response = client.get(reverse("export_job_file", kwargs={"job": job.pk}))
    data = b"".join(response.streaming_content)
    rows = [list(r) for r in load_workbook(io.BytesIO(data)).active.values][2:]
    assert len(rows) == 4 and all(r[-3][0] == "刘" and "*" in r[-3] for r in rows)
    assert NAME not in str(rows) and ID_NUMBER not in str(rows) and PHONE not in str(rows)
    assert not AuditEntry.objects.filter(kind=AuditEntry.Kind.IDENTITY_VIEW).exists()


def test_another_users_job_and_file_are_missing_even_in_the_same_office(
    client, register_case, dispatcher_zhou, clerk_li, django_capture_on_commit_callbacks
):
    """The file may hold full identity: only its own user may see the job or fetch it (a colleague of
    the same office, who sees the same cases, gets the same 404 as for a job that does not exist)."""
    for _ in range(4):
        register_case()
    client.force_login(dispatcher_zhou)
    ask(client, django_capture_on_commit_callbacks, identity="full")
    run_worker()
    job = ExportJob.objects.get()
    urls = [reverse("export_job", kwargs={"job": job.pk}), reverse("export_job_file", kwargs={"job": job.pk})]
    client.force_login(clerk_li)
    for url in urls:
        response = client.get(url)
        assert response.status_code == 404 and response.get("Content-Disposition") is None, url
        missing = client.get(url.replace(f"/{job.pk}/", f"/{job.pk + 99}/"))
        assert missing.status_code == 404
    client.force_login(dispatcher_zhou)
    assert [client.get(u).status_code for u in urls] == [200, 200]


def test_the_file_is_removed_after_the_keeping_hours(
    client, register_case, dispatcher_zhou, django_capture_on_commit_callbacks, settings, clock
):
    settings.HUIYIN_EXPORT_KEEP_HOURS = 24
    for _ in range(4):
        register_case()
    client.force_login(dispatcher_zhou)
    ask(client, django_capture_on_commit_callbacks)
    run_worker()
    job = ExportJob.objects.get()
    name, storage = job.file.name, job.file.storage  # storage-neutral: no .path on an S3 store
    clock.set(timezone.localdate(job.created_at) + timedelta(days=1), time(0, 0))  # within 24 hours
    assert exports.expire_old() == 0 and ExportJob.objects.get().state == "done"
    clock.set(timezone.localdate(job.created_at) + timedelta(days=2))  # 34 hours or more later
    assert exports.expire_old() == 1
    job.refresh_from_db()
    assert job.state == "expired" and not job.file
    assert not storage.exists(name)
    response = client.get(reverse("export_job_file", kwargs={"job": job.pk}))
    assert response.status_code == 404 and "已过期" in response.content.decode()


def test_the_export_links_open_the_progress_page_rather_than_saving_it_as_a_file(
    client, register_case, dispatcher_zhou
):
    """A `download` attribute would make the browser save the progress page of a long list as the
    file; without it a short list's attachment still downloads and the list page stays."""
    register_case()
    client.force_login(dispatcher_zhou)
    page = client.get(reverse("workbench"), {"queue": "to_route"}).content.decode()
    start = page.index('data-testid="xlsx-export"')
    links = page[start : page.index("</div>", start)]
    assert links.count("<a ") == 2 and " download" not in links


def test_the_worker_writes_only_the_cases_the_jobs_user_may_see(
    register_case, clock, org, dispatcher_zhou, handler_wang_unit_a, handler_zhao_unit_b
):
    """Scope attack on the long path: a job whose case ids name another unit's case (tampered, or a
    case taken away since) is written through the user's scope (`visible_to`), so unit B gets no row."""
    from datetime import date

    from huiyin.cases.tests.exporting import forged_job
    from huiyin.workflow import services as wf

    clock.set(date(2025, 3, 3))
    case = wf.case_accept(case=register_case(), actor=dispatcher_zhou)
    wf.case_assign(case=case, actor=dispatcher_zhou, unit=org.unit_a, deadline=date(2025, 3, 20))
    assert forged_job(handler_zhao_unit_b, "cases", [case.pk]) == []
    assert [r[0] for r in forged_job(handler_wang_unit_a, "cases", [case.pk])] == [case.code]
    views = AuditEntry.objects.filter(kind=AuditEntry.Kind.IDENTITY_VIEW)
    assert [v.actor for v in views] == [handler_wang_unit_a]  # the outsider's job revealed nobody
