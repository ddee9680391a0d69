"""The import batches as .xlsx (issue 11 item 5; huiyin.cases.exports.list_export runs it): the batches of
the user's office, newest first, as the 历史数据导入 page lists them. No identity: a batch row holds its
file name, its importer and its counts, never the rows' petitioners."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from django.db.models import QuerySet

from huiyin.core.registry import ExportContext, ExportKind
from huiyin.core.xlsx import Column
from huiyin.imports import selectors
from huiyin.imports.models import ImportBatch


def batches_select(user: Any, filters: Mapping[str, str]) -> QuerySet[ImportBatch]:
    """The office's batches (`selectors.batches_for`: another unit's never), without the stored file or
    its error report."""
    return selectors.batches_for(user).defer("content", "errors")


def batch_rows(user: Any, records: list[ImportBatch], ctx: ExportContext) -> Iterator[dict[str, Any]]:
    for b in records:
        importer = b.uploaded_by
        yield {
            "created_at": b.created_at,
            "file_name": b.file_name,
            "uploaded_by": (importer.full_name or importer.username) if importer else "",
            "state": b.get_state_display(),
            "total_rows": b.total_rows,
            "imported_rows": b.imported_rows,
            "skipped_rows": b.skipped_rows,
            "error_count": b.error_count,
            "finished_at": b.finished_at,
            "message": b.message,
        }


BATCHES = ExportKind(
    kind="import_batches",
    title="历史数据导入记录",
    columns=(
        Column("created_at", "上传时间", 18),
        Column("file_name", "文件", 30),
        Column("uploaded_by", "导入人", 12),
        Column("state", "状态", 10),
        Column("total_rows", "行数", 8),
        Column("imported_rows", "导入", 8),
        Column("skipped_rows", "跳过（已导入过）", 10),
        Column("error_count", "错误", 8),
        Column("finished_at", "完成时间", 18),
        Column("message", "说明", 40),
    ),
    select=batches_select,
    rows=batch_rows,
)
EXPORTS = (BATCHES,)
