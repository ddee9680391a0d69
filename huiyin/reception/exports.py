"""The 接访登记 as .xlsx (issue 11 item 5; huiyin.cases.exports.list_export runs it): the bookings of the
sessions the user works with (selectors.sessions_for), one session (?session=) or a span of days
(?date_from=&date_to=), cancelled ones left out, read as the agenda reads them (selectors.agenda):

* a booking the reader may not see (not theirs, the accused side, an accusation not yet registered)
  shows its session and code only, every other cell withheld (条例 §30¶3, seeds/002 rule 3);
* the accused's superior sees the matter without the petitioner (may_see_identity);
* otherwise the petitioner's name, phone and ID number are masked unless ?identity=full, and each
  booking so revealed gets its IDENTITY_VIEW audit row, as a case's reveal does (SPEC §1.3).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any

from django.db.models import QuerySet

from huiyin.cases.confidentiality import may_see_identity
from huiyin.cases.exports import WITHHELD
from huiyin.cases.models import mask_id_number, mask_phone
from huiyin.cases.selectors import visible_to
from huiyin.core.models import AuditEntry
from huiyin.core.parsing import parse_id
from huiyin.core.registry import ExportContext, ExportKind
from huiyin.core.xlsx import Column, mask_name
from huiyin.reception import selectors
from huiyin.reception.choices import BookingStatus
from huiyin.reception.models import Booking

COLUMNS = (
    Column("date", "接待日期", 12),
    Column("leader", "接待领导", 12),
    Column("code", "预约号", 14),
    Column("channel", "来访方式", 14),
    Column("name", "信访人", 12),
    Column("phone", "手机号码", 14),
    Column("id_number", "身份证号", 20),
    Column("petition_type", "类型", 10),
    Column("title", "反映事项", 30),
    Column("headcount", "人数", 6),
    Column("status", "状态", 8),
    Column("outcome", "接待结果", 16),
    Column("outcome_unit", "承办单位", 16),
    Column("case", "事项编号", 18),
)
MIN_DAY, MAX_DAY = date(2000, 1, 1), date(9998, 12, 31)
MSG_BAD_FILTERS = "筛选条件无效：场次须为编号，日期须为 YYYY-MM-DD（2000-01-01 至 9998-12-31）"


class BadRegisterFilters(ValueError):
    """The register's filters do not parse (the view answers 400 before anything is exported)."""


def _day(value: str) -> date | None:
    if not value:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise BadRegisterFilters(MSG_BAD_FILTERS) from None
    if not MIN_DAY <= day <= MAX_DAY:
        raise BadRegisterFilters(MSG_BAD_FILTERS)
    return day


def register_select(user: Any, filters: Mapping[str, str]) -> QuerySet[Booking]:
    """The bookings of the user's sessions with the register's filters, in the sessions' order."""
    qs = Booking.objects.filter(session__in=selectors.sessions_for(user).values("pk")).exclude(
        status=BookingStatus.CANCELLED
    )
    if filters.get("session"):
        session = parse_id(filters["session"])
        if session is None:
            raise BadRegisterFilters(MSG_BAD_FILTERS)
        qs = qs.filter(session_id=session)
    if start := _day(filters.get("date_from", "")):
        qs = qs.filter(session__date__gte=start)
    if end := _day(filters.get("date_to", "")):
        qs = qs.filter(session__date__lte=end)
    return qs.select_related("session__leader", "session__office", "case", "outcome_unit").order_by(
        "session__date", "session__start_time", "session_id", "created_at", "id"
    )


def register_rows(user: Any, bookings: list[Booking], ctx: ExportContext) -> Iterator[dict[str, Any]]:
    """One row per booking, withheld and masked as the module docstring says (one query for the batch's
    cases, one bulk insert for the reveals' audit rows)."""
    case_ids = [b.case_id for b in bookings if b.case_id]
    visible = {c.pk: c for c in visible_to(user).filter(pk__in=case_ids)}
    audits: list[AuditEntry] = []
    out: list[dict[str, Any]] = []
    for b in bookings:
        session = b.session
        office = (user.is_superuser and not user.unit_id) or (
            user.unit_id is not None and user.unit_id == session.office_id
        )
        case = visible.get(b.case_id or 0)
        why = selectors._withheld(b, case, user, selectors.arranges(session, user), office)
        row: dict[str, Any] = {
            "date": session.date,
            "leader": session.leader.full_name or session.leader.username,
            "code": b.code,
        }
        if why:
            out.append({**row, **dict.fromkeys([c.key for c in COLUMNS[3:]], WITHHELD)})
            continue
        identity = case is None or may_see_identity(user, case)
        if not identity:
            person = dict.fromkeys(("name", "phone", "id_number"), WITHHELD)
        elif ctx.full:
            person = {"name": b.name, "phone": b.phone, "id_number": b.id_number}
            audits.append(
                AuditEntry(
                    kind=AuditEntry.Kind.IDENTITY_VIEW,
                    actor=user,
                    case_id=b.case_id,
                    ip_address=ctx.ip,
                    detail={"booking": b.code, "export": ctx.where},
                )
            )
        else:
            person = {
                "name": mask_name(b.name),
                "phone": mask_phone(b.phone) if b.phone else "",
                "id_number": mask_id_number(b.id_number) if b.id_number else "",
            }
        out.append(
            {
                **row,
                **person,
                "channel": b.get_channel_display(),
                "petition_type": b.get_petition_type_display(),
                "title": b.title,
                "headcount": b.headcount,
                "status": b.get_status_display(),
                "outcome": b.get_outcome_display() if b.outcome else "",
                "outcome_unit": b.outcome_unit.name if b.outcome_unit else "",
                "case": case.code if case else "",
            }
        )
    if audits:  # written before the rows go out, as a case list's reveals are
        AuditEntry.objects.bulk_create(audits)
    yield from out


REGISTER = ExportKind(
    kind="reception_register",
    title="接访登记",
    columns=COLUMNS,
    select=register_select,
    rows=register_rows,
    identity=True,
)


def sessions_select(user: Any, filters: Mapping[str, str]) -> QuerySet[Any]:
    """接待日程: the coming sessions the staff member works with (selectors.sessions_for: their
    territory's and below, their own, those they are invited to), from today, earliest first, each with
    its bookings counted, as the reception home lists them."""
    from huiyin.core import timeutil

    upcoming = selectors.sessions_for(user).filter(date__gte=timeutil.today())
    return selectors.with_counts(upcoming).order_by("date", "start_time", "id")


def session_rows(user: Any, records: list[Any], ctx: ExportContext) -> Iterator[dict[str, Any]]:
    """A batch of sessions: who receives, when, where, how many booked; no visitor (the 接访登记 is the
    export that names them, masked)."""
    for s in records:
        leader = str(s.leader) + (f"（代{s.scheduled_leader}）" if s.scheduled_leader_id else "")
        yield {
            "date": s.date,
            "time": f"{s.start_time:%H:%M}—{s.end_time:%H:%M}",
            "leader": leader,
            "level": s.get_level_display(),
            "kind": s.get_kind_display(),
            "place": s.place,
            "portfolio": s.portfolio,
            "booked": s.booked,
            "capacity": s.capacity,
            "status": s.get_status_display(),
            "change_note": s.change_note,
        }


SESSIONS = ExportKind(
    kind="reception_sessions",
    title="领导接待日程",
    columns=(
        Column("date", "日期", 12),
        Column("time", "时间", 12),
        Column("leader", "接待领导", 20),
        Column("level", "层级", 8),
        Column("kind", "方式", 8),
        Column("place", "地点", 24),
        Column("portfolio", "分管领域", 20),
        Column("booked", "已预约", 8),
        Column("capacity", "名额", 6),
        Column("status", "状态", 8),
        Column("change_note", "变更说明", 24),
    ),
    select=sessions_select,
    rows=session_rows,
)
EXPORTS = (REGISTER, SESSIONS)
