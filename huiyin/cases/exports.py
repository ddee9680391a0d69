"""Case lists as .xlsx (issue 11 item 5): the columns of a case row and the petitioners' identity,
masked unless the user asked for full identity — and then each case's reveal is audited exactly as
the case page's "显示完整身份信息" is (`selectors.case_parties_with_audit`: one IDENTITY_VIEW row per
case naming its petitioners; SPEC §1.3, 条例 §30¶3). A case whose petitioners the user may not see at
all (`may_see_identity`: the accused side) shows none, masked or not.

Any list view of cases adds its export in three lines (see `case_list_export`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, StreamingHttpResponse

from huiyin.cases.confidentiality import may_see_identity
from huiyin.cases.models import Case, CasePetitioner, mask_id_number, mask_phone
from huiyin.core import net
from huiyin.core.audit import audit
from huiyin.core.models import AuditEntry
from huiyin.core.xlsx import Column, batched, mask_name, xlsx_response
from huiyin.org.models import User

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


def case_export_rows(
    user: User, qs: QuerySet[Case], *, full: bool, ip: str | None, where: str
) -> Iterator[dict[str, Any]]:
    """Rows of `qs` (already scoped and filtered by the caller), BATCH cases per query."""
    qs = qs.select_related("category", "territory", "office", "handling_unit")
    for batch in batched(qs.iterator(chunk_size=BATCH), BATCH):
        identity = identity_cells(user, batch, full=full, ip=ip, where=where)
        for case in batch:
            yield {**case_cells(case), **identity[case.pk]}


def export_audited(request: HttpRequest, *, what: str, full: bool = False) -> Any:
    """The on_done callback that writes the export's own audit row (kind EXPORT) once it is written."""

    def done(rows: int) -> None:
        filters = {k: v for k, v in request.GET.items() if v and k not in ("page", "before", "after")}
        audit(request, AuditEntry.Kind.EXPORT, what=what, rows=rows, full_identity=full, filters=filters)

    return done


def case_list_export(
    request: HttpRequest,
    qs: QuerySet[Case],
    *,
    filename: str,
    where: str,
    heading: Iterable[str] = (),
) -> StreamingHttpResponse:
    """A case list (scoped to the user, the list's filters applied) as a streaming .xlsx download.

    In a list view, after building the list's queryset `qs`:

        if request.GET.get("format") == "xlsx":
            return case_list_export(request, qs, filename="工作队列", where="workbench")
    """
    user: Any = request.user
    full = wants_full_identity(request)
    ip = net.audit_ip(request)
    return xlsx_response(
        filename=filename,
        sheet=filename,
        columns=CASE_COLUMNS,
        rows=case_export_rows(user, qs.order_by("-registered_at", "-id"), full=full, ip=ip, where=where),
        heading=list(heading),
        on_done=export_audited(request, what=where, full=full),
    )
