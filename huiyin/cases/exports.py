"""Staff lists as .xlsx (issue 11 item 5): one path for every list that exports.

Each app declares its lists once (`registry.ExportKind` in its `Module.exports`: the columns, the
scoped and filtered queryset given the user and the list's filters, the rows of a batch). A list view
checks its own permission and filters, then calls `list_export(request, kind, ...)`:

* a list of at most HUIYIN_EXPORT_STREAM_ROWS rows streams while the user waits;
* a longer one becomes an ExportJob (its kind, filters and record ids, fixed as the user sees the list
  now) that the worker writes (`job_run`), and the user is sent to the job's page, which polls how many
  rows are written and then offers the file. The worker re-applies the kind's scope for the job's user
  (`ExportKind.select`) and writes only the job's records still inside it.

Both paths write the same rows and the same audit: IDENTITY_VIEW per record shown in full (the kind's
rows builder), and the export's own EXPORT row (kind, filters, rows; the job's id) once every row is
written.

This module also holds the case lists' kind ("cases"): the columns of a case row and the petitioners'
identity, masked unless the user asked for full identity — and then each case's reveal is audited
exactly as the case page's "显示完整身份信息" is (`selectors.case_parties_with_audit`: one IDENTITY_VIEW
row per case naming its petitioners; SPEC §1.3, 条例 §30¶3). A case whose petitioners the user may not
see at all (`may_see_identity`: the accused side) shows none, masked or not. Any list view of cases adds
its export in three lines (see `case_list_export`).
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.urls import reverse

from huiyin.cases.confidentiality import may_see_identity
from huiyin.cases.models import Case, CasePetitioner, ExportJob, mask_id_number, mask_phone
from huiyin.core import net, registry, timeutil, xlsx
from huiyin.core.audit import audit
from huiyin.core.models import AuditEntry
from huiyin.core.xlsx import Column, batched, mask_name, xlsx_chunks, xlsx_response
from huiyin.org.models import User

log = logging.getLogger(__name__)

BATCH = 1000
FULL_IDENTITY_PARAM = "identity"  # ?identity=full asks for the petitioners' full identity
WITHHELD = "（不予显示）"

IDENTITY_COLUMNS = (
    Column("petitioners", "信访人", 16),
    Column("id_numbers", "身份证号码", 22),
    Column("phones", "联系电话", 16),
)
CASE_COLUMNS = (
    Column("code", "事项编号", 18),
    Column("registered_at", "登记时间", 18),
    Column("channel", "渠道", 10),
    Column("petition_type", "类型", 10),
    Column("category", "问题分类", 24),
    Column("title", "标题", 40),
    Column("territory", "问题属地", 14),
    Column("office", "登记单位", 16),
    Column("handling_unit", "承办单位", 16),
    Column("status", "状态", 10),
    *IDENTITY_COLUMNS,
)


def wants_full_identity(request: HttpRequest) -> bool:
    return request.GET.get(FULL_IDENTITY_PARAM) == "full"


def identity_cells(
    user: User, cases: list[Any], *, full: bool, ip: str | None, where: str
) -> dict[int, dict[str, str]]:
    """The three identity cells of each case in `cases` (one query for the batch). With `full`, each
    case whose petitioners are shown unmasked gets its IDENTITY_VIEW audit row (bulk-written)."""
    parties: dict[int, list[CasePetitioner]] = {}
    rows = CasePetitioner.objects.filter(case_id__in=[c.pk for c in cases]).select_related("petitioner")
    for p in rows.order_by("case_id", "id"):
        parties.setdefault(p.case_id, []).append(p)
    cells: dict[int, dict[str, str]] = {}
    audits: list[AuditEntry] = []
    for case in cases:
        if not may_see_identity(user, case):
            cells[case.pk] = dict.fromkeys(("petitioners", "id_numbers", "phones"), WITHHELD)
            continue
        people = parties.get(case.pk, [])
        if full:
            names = [p.petitioner.name for p in people]
            ids = [p.petitioner.id_number for p in people]
            phones = [p.phone or p.petitioner.phone for p in people]
            if people:
                audits.append(
                    AuditEntry(
                        kind=AuditEntry.Kind.IDENTITY_VIEW,
                        actor=user,
                        case_id=case.pk,
                        ip_address=ip,
                        detail={"petitioners": [p.petitioner_id for p in people], "export": where},
                    )
                )
        else:
            names = [mask_name(p.petitioner.name) for p in people]
            ids = [mask_id_number(p.petitioner.id_number) for p in people if p.petitioner.id_number]
            phones = [
                mask_phone(p.phone or p.petitioner.phone) for p in people if p.phone or p.petitioner.phone
            ]
        cells[case.pk] = {
            "petitioners": "、".join(names),
            "id_numbers": "、".join(x for x in ids if x),
            "phones": "、".join(x for x in phones if x),
        }
    if audits:
        AuditEntry.objects.bulk_create(audits)
    return cells


def case_cells(case: Case) -> dict[str, Any]:
    """The non-identity cells of a case row."""
    return {
        "code": case.code,
        "registered_at": case.registered_at,
        "channel": case.get_channel_display(),
        "petition_type": case.get_petition_type_display(),
        "category": case.category.full_name if case.category else "",
        "title": case.title,
        "territory": case.territory.name if case.territory else "",
        "office": case.office.name if case.office else "",
        "handling_unit": case.handling_unit.name if case.handling_unit else "",
        "status": case.get_status_display(),
    }


def case_rows(user: User, cases: list[Case], ctx: registry.ExportContext) -> Iterator[dict[str, Any]]:
    """The rows of a batch of cases: the case's cells and the petitioners' identity (`identity_cells`)."""
    identity = identity_cells(user, cases, full=ctx.full, ip=ctx.ip, where=ctx.where)
    for case in cases:
        yield {**case_cells(case), **identity[case.pk]}


def case_scope(user: User, filters: Mapping[str, str]) -> QuerySet[Case]:
    """The cases a case list may export: those the user may see (each list view filters them further;
    a long list's job keeps the list's ids and the worker re-checks them against this scope)."""
    from huiyin.cases.selectors import visible_to

    return visible_to(user).select_related("category", "territory", "office", "handling_unit")


CASES = registry.ExportKind(
    kind="cases",
    title="事项列表",
    columns=CASE_COLUMNS,
    select=case_scope,
    rows=case_rows,
    identity=True,
)


def followup_scope(user: User, filters: Mapping[str, str]) -> QuerySet[Any]:
    """终结后跟进 (条例 §37¶3): the open follow-ups of the user's unit on cases they may see, earliest first
    (`aftercare.followups_due`, the list page's own selector); another unit's are never in it."""
    from huiyin.workflow.aftercare import followups_due

    return followups_due(user)


def followup_rows(user: User, records: list[Any], ctx: registry.ExportContext) -> Iterator[dict[str, Any]]:
    """A batch of follow-ups (their case already joined): the plan and its date, no identity."""
    today = timeutil.today()
    for f in records:
        yield {
            "due_on": f.due_on,
            "overdue": "已过计划日期" if f.due_on < today else "",
            "code": f.case.code,
            "title": f.case.title,
            "plan": f.plan,
        }


FOLLOWUPS = registry.ExportKind(
    kind="followups",
    title="终结后跟进",
    columns=(
        Column("due_on", "计划日期", 12),
        Column("overdue", "提示", 12),
        Column("code", "事项编号", 18),
        Column("title", "标题", 40),
        Column("plan", "跟进内容", 60),
    ),
    select=followup_scope,
    rows=followup_rows,
)


def _filters(request: HttpRequest) -> dict[str, Any]:
    return {k: v for k, v in request.GET.items() if v and k not in ("page", "before", "after")}


def export_audited(request: HttpRequest, *, what: str, full: bool = False, kind: str = "") -> Any:
    """The on_done callback that writes the export's own audit row (kind EXPORT) once it is written."""

    def done(rows: int) -> None:
        detail: dict[str, Any] = {
            "what": what,
            "rows": rows,
            "full_identity": full,
            "filters": _filters(request),
        }
        if kind and kind != what:  # a case list names its list (`what`) and the kind "cases"
            detail["export_kind"] = kind
        audit(request, AuditEntry.Kind.EXPORT, **detail)

    return done


def stream_rows() -> int:
    """Up to this many rows a list streams while the user waits; a longer one runs in the worker."""
    return int(getattr(settings, "HUIYIN_EXPORT_STREAM_ROWS", 5000))


def _rows(
    spec: registry.ExportKind, user: User, qs: QuerySet[Any], ctx: registry.ExportContext
) -> Iterator[dict[str, Any]]:
    """Rows of `qs` (already scoped and filtered), BATCH records per query."""
    for batch in batched(qs.iterator(chunk_size=BATCH), BATCH):
        yield from spec.rows(user, batch, ctx)


def job_create(
    request: HttpRequest,
    qs: QuerySet[Any],
    *,
    kind: str,
    filename: str,
    where: str,
    heading: Iterable[str] = (),
    full: bool = False,
) -> ExportJob:
    """The ExportJob of a long list, queued for the worker once it commits. The list's records are fixed
    now, as the user may see them now; the worker keeps only those still in the user's scope."""
    from huiyin.cases.tasks import export_job_task

    user: Any = request.user  # a signed-in staff member (the list views are behind the login)
    ids = list(qs.values_list("pk", flat=True)[: xlsx.MAX_ROWS])
    job = ExportJob.objects.create(
        user=user,
        kind=kind,
        where=where,
        filename=filename[:120],
        heading=list(heading),
        full_identity=full,
        ip_address=net.audit_ip(request),
        filters=_filters(request),
        record_ids=ids,
        total_rows=len(ids),
        created_at=timeutil.now(),
    )
    transaction.on_commit(lambda: export_job_task.enqueue(job_id=job.pk))
    return job


def _report(job_id: int, done: int) -> None:
    """The job's progress, seen by its page's next poll (one UPDATE per batch of rows)."""
    ExportJob.objects.filter(pk=job_id).update(done_rows=done)


def _job_rows(job: ExportJob) -> Iterator[dict[str, Any]]:
    """The job's rows, BATCH ids at a time: each batch read through the kind's scope for the job's user
    (a record the user may no longer see, or an id that was never theirs, is left out), in the job's
    order."""
    user = job.user
    spec = registry.export_kind(job.kind)
    scope = spec.select(user, job.filters)
    ctx = registry.ExportContext(full=job.full_identity and spec.identity, ip=job.ip_address, where=job.where)
    done = 0
    for ids in batched(job.record_ids, BATCH):
        found = {r.pk: r for r in scope.filter(pk__in=ids)}
        records = [found[pk] for pk in ids if pk in found]
        yield from spec.rows(user, records, ctx)
        done += len(ids)
        _report(job.pk, done)


def job_run(job_id: int) -> str:
    """The worker's part: write the job's rows to its file (openpyxl write-only, spooled to a temporary
    file: memory stays flat), reporting progress per batch, then the export's audit row."""
    expire_old()
    job = ExportJob.objects.select_related("user").get(pk=job_id)
    if job.state != ExportJob.State.QUEUED:
        return job.state
    ExportJob.objects.filter(pk=job.pk).update(state=ExportJob.State.RUNNING)
    written: list[int] = []
    try:
        spec = registry.export_kind(job.kind)
        with tempfile.TemporaryFile() as out:
            for chunk in xlsx_chunks(
                sheet=job.filename,
                columns=spec.columns,
                rows=_job_rows(job),
                heading=job.heading,
                on_done=written.append,
            ):
                out.write(chunk)
            out.seek(0)
            job.file.save(f"{job.pk}-{timeutil.now():%Y%m%d%H%M%S}.xlsx", File(out), save=False)
    except Exception:
        log.exception("export job %s failed", job.pk)
        ExportJob.objects.filter(pk=job.pk).update(
            state=ExportJob.State.FAILED, message="生成失败，请重新导出或缩小范围", finished_at=timeutil.now()
        )
        return ExportJob.State.FAILED
    rows = written[0] if written else 0
    ExportJob.objects.filter(pk=job.pk).update(
        file=job.file.name, state=ExportJob.State.DONE, done_rows=rows, finished_at=timeutil.now()
    )
    detail: dict[str, Any] = {
        "what": job.where,
        "rows": rows,
        "full_identity": job.full_identity,
        "filters": job.filters,
        "job": job.pk,
    }
    if job.kind != job.where:
        detail["export_kind"] = job.kind
    AuditEntry.objects.create(
        kind=AuditEntry.Kind.EXPORT, actor=job.user, ip_address=job.ip_address, detail=detail
    )
    return ExportJob.State.DONE


def keep_hours() -> int:
    return int(getattr(settings, "HUIYIN_EXPORT_KEEP_HOURS", 24))


def expire_old() -> int:
    """Remove the files of finished jobs older than HUIYIN_EXPORT_KEEP_HOURS (a file may hold full
    identity; it is not kept longer than the user needs to fetch it). Returns how many."""
    cutoff = timeutil.now() - timedelta(hours=keep_hours())
    old = ExportJob.objects.filter(created_at__lt=cutoff).exclude(state=ExportJob.State.EXPIRED)
    n = 0
    for job in old:
        if job.file:
            job.file.delete(save=False)
        ExportJob.objects.filter(pk=job.pk).update(file="", state=ExportJob.State.EXPIRED)
        n += 1
    return n


def list_export(
    request: HttpRequest,
    kind: str,
    *,
    qs: QuerySet[Any] | None = None,
    filename: str = "",
    where: str = "",
    heading: Iterable[str] = (),
) -> StreamingHttpResponse | HttpResponse:
    """The list `kind` (a declared `registry.ExportKind`) as a streaming .xlsx download, or, when longer
    than `stream_rows()`, a redirect to the page of its ExportJob (progress, then the file).

    The caller has checked the user's permission for the list and refused bad filters (a 4xx); the rows
    are `qs` when given (a view that built its own scoped queryset), else the kind's
    `select(user, request.GET)`. ?identity=full unmasks identity where the kind has any (audited)."""
    spec = registry.export_kind(kind)
    user: Any = request.user
    if qs is None:
        qs = spec.select(user, _filters(request))
    filename = filename or spec.title
    where = where or kind
    full = spec.identity and wants_full_identity(request)
    heading = list(heading)
    if qs.count() > stream_rows():  # a long list: the worker writes it, the user watches its progress
        job = job_create(request, qs, kind=kind, filename=filename, where=where, heading=heading, full=full)
        return HttpResponseRedirect(reverse("export_job", kwargs={"job": job.pk}))
    ctx = registry.ExportContext(full=full, ip=net.audit_ip(request), where=where)
    return xlsx_response(
        filename=filename,
        sheet=filename,
        columns=spec.columns,
        rows=_rows(spec, user, qs, ctx),
        heading=heading,
        on_done=export_audited(request, what=where, full=full, kind=kind),
    )


def format_export(request: HttpRequest, kind: str) -> StreamingHttpResponse | HttpResponse | None:
    """A list page's ?format=: `xlsx` is the list `kind` (`list_export`, with the page's filters),
    another value a 400, none at all None (the caller renders its page)."""
    fmt = request.GET.get("format")
    if fmt == "xlsx":
        return list_export(request, kind)
    return bad_format(fmt) if fmt else None


def bad_format(fmt: str) -> HttpResponse:
    return HttpResponse(
        f"format 只能是 xlsx（收到 {fmt[:20]}）", status=400, content_type="text/plain; charset=utf-8"
    )


def case_list_export(
    request: HttpRequest,
    qs: QuerySet[Case],
    *,
    filename: str,
    where: str,
    heading: Iterable[str] = (),
) -> StreamingHttpResponse | HttpResponse:
    """A case list (scoped to the user, the list's filters applied) through `list_export`.

    In a list view, after building the list's queryset `qs`:

        if request.GET.get("format") == "xlsx":
            return case_list_export(request, qs, filename="工作队列", where="workbench")
    """
    qs = qs.order_by("-registered_at", "-id").select_related(
        "category", "territory", "office", "handling_unit"
    )
    return list_export(request, CASES.kind, qs=qs, filename=filename, where=where, heading=heading)
