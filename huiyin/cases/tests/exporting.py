"""Helpers for the export tests of every list (issue 11 item 5): the short path (the .xlsx streams at
once) and the long path (an ExportJob: its page shows the progress, the worker writes the file, the
file holds the rows). A module's tests call both on its list and compare them with what its page shows."""

from __future__ import annotations

import io
from typing import Any

from django.urls import reverse
from openpyxl import load_workbook

from huiyin.assist.tests.test_hot_issues import run_worker
from huiyin.cases.models import ExportJob


def workbook_rows(data: bytes) -> list[list[Any]]:
    return [list(r) for r in load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True)]


def short_export(client: Any, url: str, params: dict[str, Any] | None = None) -> list[list[Any]]:
    """The list as a short export: streamed at once (no job), the header row first."""
    jobs = ExportJob.objects.count()
    response = client.get(url, params or {})
    assert response.status_code == 200, response.status_code
    assert response.streaming and response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert ExportJob.objects.count() == jobs  # nothing queued
    return workbook_rows(b"".join(response.streaming_content))


def long_export(
    client: Any,
    url: str,
    params: dict[str, Any] | None,
    *,
    kind: str,
    settings: Any,
    capture: Any,
) -> tuple[ExportJob, list[list[Any]]]:
    """The same list as a long export (the threshold lowered to 0 rows: any row makes it long): the
    redirect to the job's page, the job's kind and filters, its progress before and after the worker,
    then the file's rows (header first)."""
    settings.HUIYIN_EXPORT_STREAM_ROWS = 0
    with capture(execute=True):  # the task is queued once the job commits
        response = client.get(url, params or {})
    assert response.status_code == 302, response.status_code
    job = ExportJob.objects.order_by("-id").first()
    assert job is not None and response["Location"] == reverse("export_job", kwargs={"job": job.pk})
    assert job.kind == kind and job.state == "queued"
    for key, value in (params or {}).items():
        assert job.filters.get(key) == str(value), (key, job.filters)
    page = client.get(response["Location"]).content.decode()
    assert f"已写入 0 / {job.total_rows} 行" in page and 'hx-trigger="every 1s"' in page
    run_worker()
    job.refresh_from_db()
    assert job.state == "done", (job.state, job.message)
    partial = client.get(response["Location"], headers={"HX-Request": "true"}).content.decode()
    assert f"已生成 {job.done_rows} 行" in partial and "hx-trigger" not in partial
    file = client.get(reverse("export_job_file", kwargs={"job": job.pk}))
    assert file.status_code == 200 and file["Cache-Control"] == "no-store"
    return job, workbook_rows(b"".join(file.streaming_content))


def forged_job(
    user: Any, kind: str, record_ids: list[int], filters: dict[str, str] | None = None
) -> list[Any]:
    """A job for `user` naming records chosen by an attacker (say, a tampered row or a stale one): the
    worker must write only those inside the kind's scope for `user`. Returns the file's data rows."""
    from huiyin.cases import exports
    from huiyin.core import timeutil

    job = ExportJob.objects.create(
        user=user,
        kind=kind,
        where=kind,
        filename="forged",
        full_identity=True,
        filters=filters or {},
        record_ids=record_ids,
        total_rows=len(record_ids),
        created_at=timeutil.now(),
    )
    assert exports.job_run(job.pk) == "done"
    job.refresh_from_db()
    with job.file.open("rb") as f:
        rows = workbook_rows(f.read())
    return rows[1:]


def counted_get(
    client: Any, url: str, params: dict[str, Any] | None = None, *, skip: int = 0
) -> tuple[int, Any]:
    """The queries of one GET (issue 15's two-size query counts) and its response; a streamed .xlsx is
    read to its end inside the count (its rows are queried as it streams) and its rows, after the first
    `skip` (the header), are left on the response as `sheet_rows`."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
        assert response.status_code == 200, response.status_code
        if response.streaming:
            response.sheet_rows = workbook_rows(b"".join(response.streaming_content))[skip:]
    return len(ctx.captured_queries), response


def measure_sizes(sizes: tuple[int, ...], grow: Any, get: Any, rows_of: Any) -> tuple[list[int], list[int]]:
    """At each size: grow the data to it, then count the queries of `get()` (a `counted_get`) and the
    rows `rows_of(response)` finds listed."""
    counts, rows = [], []
    for n in sizes:
        grow(n)
        count, response = get()
        counts.append(count)
        rows.append(rows_of(response))
    return counts, rows
