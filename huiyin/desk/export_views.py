"""The page of a long case list's export (huiyin/cases/exports.py): the rows written so far (the htmx
partial alone while it runs, polled every second), then the file. Only the user who asked sees the job
or its file; anyone else gets the missing-record 404 (OWN, huiyin/core/access.py)."""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from huiyin.cases.exports import keep_hours
from huiyin.cases.models import ExportJob
from huiyin.core.middleware import MSG_STORE_DOWN
from huiyin.core.xlsx import XLSX_CONTENT_TYPE
from huiyin.org.views import nav_context

log = logging.getLogger(__name__)
MSG_NO_JOB = "没有这个导出任务"
MSG_EXPIRED = "导出文件已过期删除，请重新导出"
FINISHED = frozenset({ExportJob.State.DONE, ExportJob.State.FAILED, ExportJob.State.EXPIRED})


def _job(request: HttpRequest, job: int) -> ExportJob:
    user: Any = request.user  # behind the login
    found = ExportJob.objects.filter(pk=job, user=user).first()
    if found is None:
        raise Http404(MSG_NO_JOB)
    return found


@login_required
@require_GET
def export_job(request: HttpRequest, job: int) -> HttpResponse:
    j = _job(request, job)
    finished = j.state in FINISHED
    percent = int(100 * j.done_rows / j.total_rows) if j.total_rows else 100
    context: dict[str, Any] = {
        **nav_context(request, "workbench"),
        "job": j,
        "finished": finished,
        "percent": 100 if j.state == ExportJob.State.DONE else min(percent, 99),
        "keep_hours": keep_hours(),
    }
    if getattr(request, "htmx", False):
        return render(request, "cases/_export_progress.html", context)
    return render(request, "cases/export_job.html", context)


@login_required
@require_GET
def export_job_file(request: HttpRequest, job: int) -> HttpResponse | FileResponse:
    j = _job(request, job)
    if j.state == ExportJob.State.EXPIRED:
        return render(request, "404.html", {**nav_context(request), "message": MSG_EXPIRED}, status=404)
    if j.state != ExportJob.State.DONE or not j.file:
        return render(
            request, "404.html", {**nav_context(request), "message": "导出文件尚未生成"}, status=404
        )
    try:
        handle = j.file.open("rb")
    except (FileNotFoundError, IsADirectoryError):
        return render(request, "404.html", {**nav_context(request), "message": MSG_EXPIRED}, status=404)
    except OSError:  # the disk or the object store failed (huiyin/core/objectstore.py StoreUnavailable)
        log.exception("the file of export job %s could not be read", j.pk)
        return render(request, "503.html", {**nav_context(request), "message": MSG_STORE_DOWN}, status=503)
    day = timezone.localtime(j.created_at)
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=f"{j.filename}-{day:%Y%m%d}.xlsx",
        content_type=XLSX_CONTENT_TYPE,
    )
    response["Cache-Control"] = "no-store"  # a list with identity never sits in a shared cache
    return response
