"""JSON API of the caller's own work notices (the 通知 inbox)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

from huiyin.cases.schemas import ERRORS, DbId
from huiyin.core import access
from huiyin.core.access import STAFF
from huiyin.notify import staff
from huiyin.org.api import api_user

router = Router(tags=["notices"])
LIST_LIMIT = 200


class NoticeOut(Schema):
    id: int
    case_id: int | None = Field(description="所涉事项；模块自己的通知（如领导接待邀请）没有事项")
    case_code: str = Field(description="所涉事项编号；没有事项时为空")
    link: str = Field(description="没有事项的通知打开的本站页面；有事项的为空（打开事项页）")
    kind: str = Field(description="事件类型（如 supervision_order、assign、object）")
    title: str
    text: str
    due_on: date | None
    created_at: datetime
    read_at: datetime | None


class NoticesOut(Schema):
    unread: int
    items: list[NoticeOut]


class ReadIn(Schema):
    ids: list[DbId] | None = Field(
        None, max_length=1000, description="要标为已读的通知 id；不填则全部标为已读"
    )


class ReadOut(Schema):
    marked: int
    unread: int


@router.get(
    "/notices",
    response={200: NoticesOut, **ERRORS},
    url_name="notices_api",
    summary="我的工作通知（最新在前）",
)
def notices(request: HttpRequest, unread: bool = False) -> dict[str, Any]:
    user = api_user(request)
    items = [
        {
            "id": n.pk,
            "case_id": n.case_id,
            "case_code": n.case.code if n.case is not None else "",
            "link": n.link if n.case is None else "",
            "kind": n.kind,
            "title": n.title,
            "text": n.text,
            "due_on": n.due_on,
            "created_at": n.created_at,
            "read_at": n.read_at,
        }
        for n in staff.inbox(user, unread_only=unread)[:LIST_LIMIT]
    ]
    return {"unread": staff.unread_count(user), "items": items}


@router.post(
    "/notices/read",
    response={200: ReadOut, **ERRORS},
    url_name="notices_read_api",
    summary="把我的通知标为已读",
)
def read(request: HttpRequest, payload: ReadIn) -> dict[str, int]:
    user = api_user(request)
    marked = staff.mark_read(user, payload.ids)
    return {"marked": marked, "unread": staff.unread_count(user)}


# Who may open each route (huiyin/core/access.py; checked by tests/test_permission_sweep.py).
access.declare(
    __name__,
    {
        "notices_api": STAFF,
        "notices_read_api": STAFF,
    },
)
