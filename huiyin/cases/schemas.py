"""The JSON API's shared pieces (SPEC §3.10): the error shape, bounded ids, a case's list fields and
keyset pagination — used by every app's API router."""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime
from typing import Annotated, Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from ninja import Field, Schema

from huiyin.cases.models import Case
from huiyin.core.errors import ValidationFailed
from huiyin.core.parsing import DB_INT_MAX
from huiyin.org.api import UnitRef
from huiyin.org.models import Unit

DEFAULT_PAGE_SIZE = 50


MAX_PAGE_SIZE = 200


MSG_BAD_CURSOR = "分页游标无效，请从第一页重新开始"


# A database id: bounded so that a huge number is a 422, not an overflow inside the database driver.
DbId = Annotated[int, Field(ge=1, le=DB_INT_MAX)]


class ErrorOut(Schema):
    message: str
    extra: dict[str, Any]


ERRORS: dict[int, type[Schema]] = {code: ErrorOut for code in (400, 401, 403, 404, 409, 422)}


class CaseItem(Schema):
    id: int
    code: str
    status: str
    status_label: str
    channel: str
    petition_type: str
    title: str
    category: str | None
    office: UnitRef
    handling_unit: UnitRef | None
    major_urgent: bool
    is_collective: bool
    registered_at: datetime


class CasePage(Schema):
    items: list[CaseItem]
    next_cursor: str | None = Field(description="下一页游标；为空表示没有更多")


class QueuePage(CasePage):
    name: str
    label: str


class PageParams(Schema):
    cursor: str | None = None
    limit: int = Field(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)


def encode_cursor(case: Case) -> str:
    raw = f"{case.registered_at.isoformat()}|{case.pk}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        stamp, pk = raw.rsplit("|", 1)
        moment = datetime.fromisoformat(stamp)
        if timezone.is_naive(moment):
            raise ValueError("naive cursor")
        moment.astimezone(UTC)  # OverflowError at the calendar's edges
        number = int(pk)
        if not 0 < number <= DB_INT_MAX:
            raise ValueError("id out of range")
        return moment, number
    except (ValueError, OverflowError, UnicodeDecodeError, binascii.Error):
        raise ValidationFailed(MSG_BAD_CURSOR, extra={"fields": {"cursor": MSG_BAD_CURSOR}}) from None


def keyset_page(qs: QuerySet[Case], cursor: str | None, limit: int) -> dict[str, Any]:
    """One page, newest first on (registered_at, id); stable while cases are added or change status."""
    if cursor:
        moment, pk = decode_cursor(cursor)
        qs = qs.filter(Q(registered_at__lt=moment) | Q(registered_at=moment, pk__lt=pk))
    rows = list(qs.order_by("-registered_at", "-id")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return {
        "items": [case_item(c) for c in rows],
        "next_cursor": encode_cursor(rows[-1]) if more else None,
    }


def unit_ref(unit: Unit | None) -> dict[str, Any] | None:
    return {"id": unit.pk, "name": unit.name} if unit is not None else None


def case_item(case: Case) -> dict[str, Any]:
    """The list fields; reads only relations that `case_list` selects (no query per row)."""
    return {
        "id": case.pk,
        "code": case.code,
        "status": case.status,
        "status_label": case.get_status_display(),
        "channel": case.channel,
        "petition_type": case.petition_type,
        "title": case.title,
        "category": case.category.full_name if case.category else None,
        "office": unit_ref(case.office),
        "handling_unit": unit_ref(case.handling_unit),
        "major_urgent": case.major_urgent,
        "is_collective": case.is_collective,
        "registered_at": case.registered_at,
    }
