"""历史数据导入 pages: the batches of the user's office with the upload form and the template, and one
batch's progress (htmx polling while it runs) and its error report by row and column."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from huiyin.cases.exports import format_export
from huiyin.core.errors import NotFound, ValidationFailed
from huiyin.core.xlsx import xlsx_bytes_response
from huiyin.imports import selectors, services
from huiyin.imports.choices import FINISHED
from huiyin.imports.exports import BATCHES
from huiyin.imports.forms import UploadForm
from huiyin.imports.template import COLUMNS, template_bytes
from huiyin.org.views import nav_context

LIST_LIMIT = 50


def _refused(request: HttpRequest) -> HttpResponse | None:
    if not selectors.may_import(request.user):  # type: ignore[arg-type]
        return render(
            request, "403.html", {**nav_context(request), "message": selectors.MSG_NOT_IMPORTER}, status=403
        )
    return None


def _home(request: HttpRequest, form: UploadForm, *, error: str = "", status: int = 200) -> HttpResponse:
    context = {
        **nav_context(request, "imports"),
        "form": form,
        "error": error,
        "columns": COLUMNS,
        "batches": list(selectors.batches_for(request.user)[:LIST_LIMIT]),  # type: ignore[arg-type]
    }
    return render(request, "imports/home.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def imports_home(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """The office's import batches, the template and the upload (POST: store and run or queue it)."""
    refused = _refused(request)
    if refused is not None:
        return refused
    if request.method != "POST":
        exported = format_export(request, BATCHES.kind)  # ?format=xlsx: the office's batches
        if exported is not None:
            return exported
        return _home(request, UploadForm())
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _home(request, form, status=400)
    upload = form.cleaned_data["file"]
    try:
        batch = services.batch_submit(content=upload.read(), file_name=upload.name, actor=request.user)  # type: ignore[arg-type]
    except ValidationFailed as exc:
        return _home(request, form, error=exc.message, status=400)
    return redirect("imports_batch", pk=batch.pk)


@login_required
@require_GET
def imports_template(request: HttpRequest) -> HttpResponse:
    """The template: header row, a filled example row, and the notes sheet of every column."""
    refused = _refused(request)
    if refused is not None:
        return refused
    return xlsx_bytes_response(template_bytes(), "历史信访事项导入模板.xlsx")


@login_required
@require_GET
def imports_batch(request: HttpRequest, pk: int) -> HttpResponse:
    """One batch: its progress (the partial alone for htmx polling) and, if it failed, every error."""
    try:
        batch = selectors.batch_for(request.user, pk)  # type: ignore[arg-type]
    except NotFound as exc:
        raise Http404(exc.message) from None
    finished = batch.state in FINISHED
    percent = int(100 * batch.checked_rows / batch.total_rows) if batch.total_rows else 0
    context: dict[str, Any] = {
        **nav_context(request, "imports"),
        "batch": batch,
        "finished": finished,
        "percent": 100 if finished else percent,
        "cases": list(batch.cases.select_related("case")[:LIST_LIMIT]) if batch.imported_rows else [],
    }
    if getattr(request, "htmx", False):
        return render(request, "imports/_progress.html", context)
    return render(request, "imports/batch.html", context)
