"""Writes of leader reception: sessions from the rules, absences, bookings with the eligibility rule,
invitations and the outcome of each visit (seeds/002 党政领导信访接待日制度; 条例 §18¶2, LD-1).

Anything that changes a petition case goes through the workflow services (case_register, case_accept,
case_assign, case_attach_leader); the module's own case events go through event_record.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q

from huiyin.cases.choices import Channel, PetitionType, Status
from huiyin.cases.events import event_record
from huiyin.cases.models import Case, Opinion
from huiyin.cases.services import CaseIn, PetitionerIn, validate_id_number
from huiyin.core import timeutil
from huiyin.core.errors import ApplicationError, PermissionDenied, ValidationFailed
from huiyin.intake.services import case_register
from huiyin.notify.choices import Medium
from huiyin.notify.services import enqueue_delivery, make_notification
from huiyin.org.choices import Role, RuleKey, TerritoryLevel, UnitKind
from huiyin.org.models import Territory, Unit, User
from huiyin.org.selectors import rules_for
from huiyin.reception import permissions
from huiyin.reception.choices import (
    EVENT_INVITE,
    EVENT_VISIT,
    RANK,
    BookingChannel,
    BookingStatus,
    Level,
    Outcome,
    SessionKind,
    SessionStatus,
)
from huiyin.reception.events import EVENT_AGENDA, EVENT_BOOKED, EVENT_CANCELLED
from huiyin.reception.models import Absence, Booking, Invitation, ReceptionLeader, Session
from huiyin.reception.rules import dates_for, is_workday, rule_for
from huiyin.reception.transitions import BOOKING_TABLE, SESSION_TABLE, WHO, Action

NOTICE_KIND = "reception"  # the kind of the messages to citizens about their appointment
LIVE = ~Q(status=SessionStatus.CANCELLED)
MOVE_HORIZON_DAYS = 60
# seeds/002 rule 5 一次办结率: a visit is resolved at once unless the same matter comes back within 90 days
REPEAT_WINDOW_DAYS = 90


# --- the organisation ----------------------------------------------------------------------------


def office_for(territory: Territory) -> Unit:
    """The petition office that arranges a territory's receptions: its own, or the nearest above."""
    for node in reversed(territory.ancestors()):
        office = Unit.objects.filter(territory=node, kind=UnitKind.PETITION_OFFICE, is_active=True).first()
        if office is not None:
            return office
    raise ValidationFailed("本辖区及上级均未设信访部门，无法安排领导接待")


def unit_rank(unit: Unit) -> int:
    """The reception rank of the organ that answered (分级负责): township and departments are the base."""
    level = unit.territory.level
    leading = unit.kind in (UnitKind.PARTY_COMMITTEE, UnitKind.GOVERNMENT)
    if level >= TerritoryLevel.TOWNSHIP:
        return 1
    if level == TerritoryLevel.COUNTY:
        return 2 if leading else 1
    if level == TerritoryLevel.CITY:
        return 3 if leading else 2
    return 4


FIRST_LEVEL_LABEL = {1: "乡镇（街道）或有关部门", 2: "县级", 3: "市级"}


# --- sessions ------------------------------------------------------------------------------------


def _absence_on(user_id: int, day: date) -> Absence | None:
    return Absence.objects.filter(leader_id=user_id, start__lte=day, end__gte=day).order_by("-id").first()


def _busy(user_id: int, day: date, *, excluding: int | None = None) -> bool:
    qs = Session.objects.filter(LIVE, leader_id=user_id, date=day)
    if excluding is not None:
        qs = qs.exclude(pk=excluding)
    return qs.exists()


def _free_day_after(user_id: int, day: date, *, excluding: int | None = None) -> date:
    """The first working day after `day` on which the leader is neither away nor already receiving."""
    d = day
    for _ in range(MOVE_HORIZON_DAYS):
        d += timedelta(days=1)
        if is_workday(d) and _absence_on(user_id, d) is None and not _busy(user_id, d, excluding=excluding):
            return d
    raise ValidationFailed("六十日内找不到可改期的工作日，请手工安排")


def _resolve(user_id: int, day: date, *, excluding: int | None = None) -> tuple[int, date, str]:
    """Who receives and when, for a session the rule puts on `day` for leader `user_id`: the leader;
    if away, the named deputy (when free that day) or the leader on the first free working day after
    the absence; if already receiving that day, the next free working day. Never a double booking."""
    absence = _absence_on(user_id, day)
    if absence is not None:
        deputy = absence.deputy_id
        if (
            deputy is not None
            and _absence_on(deputy, day) is None
            and not _busy(deputy, day, excluding=excluding)
        ):
            return deputy, day, f"原定领导{absence.reason}，由{User.objects.get(pk=deputy)}代为接待"
        return (
            user_id,
            _free_day_after(user_id, absence.end, excluding=excluding),
            f"领导{absence.reason}，改期接待",
        )
    if _busy(user_id, day, excluding=excluding):
        return user_id, _free_day_after(user_id, day, excluding=excluding), "原定日期已有接待安排，顺延"
    return user_id, day, ""


def _home(user: User) -> Territory:
    """The territory a leader receives for: their unit's (the roster only lists leaders with a unit)."""
    assert user.unit is not None
    return user.unit.territory


def _roster_in(territory: Territory) -> list[ReceptionLeader]:
    return list(
        ReceptionLeader.objects.filter(
            is_active=True, user__is_active=True, user__unit__territory__path__startswith=territory.path
        ).select_related("user__unit__territory", "deputy")
    )


def _create_session(rl: ReceptionLeader, rule: Any, planned: date) -> Session | None:
    user = rl.user
    if Session.objects.filter(
        Q(leader=user) | Q(scheduled_leader=user), planned_date=planned, level=rl.level, kind=SessionKind.DAY
    ).exists():
        return None  # already generated (the generator may run again over the same period)
    leader_id, day, note = _resolve(user.pk, planned)
    territory = _home(user)
    office = office_for(territory)
    place = rule.place or (
        f"{office.name}群众来访接待大厅" if rl.level == Level.HALL else f"{office.name}领导接待室"
    )
    portfolio = rl.portfolio
    if leader_id != user.pk:
        deputy_rl = ReceptionLeader.objects.filter(user_id=leader_id).first()
        portfolio = deputy_rl.portfolio if deputy_rl else portfolio
    return Session.objects.create(
        leader_id=leader_id,
        scheduled_leader=user if leader_id != user.pk else None,
        level=rl.level,
        territory=territory,
        office=office,
        date=day,
        planned_date=planned,
        start_time=rule.start_time,
        end_time=rule.end_time,
        place=place,
        portfolio=portfolio,
        capacity=rule.slots,
        change_note=note,
    )


@transaction.atomic
def sessions_generate(*, territory: Territory, start: date, end: date, actor: User | None) -> list[Session]:
    """Turn the rules into sessions for every leader on the roster of `territory` and below, for the
    days from `start` to `end`. Running it again over the same days creates nothing new."""
    if actor is not None and not permissions.may(actor, permissions.MANAGE):
        raise PermissionDenied("您的岗位不能安排领导接待日")
    if end < start or (end - start).days > 400:
        raise ValidationFailed("请选择不超过一年的起止日期", extra={"fields": {"end": "起止日期有误"}})
    made: list[Session] = []
    roster = _roster_in(territory)
    for rl in [r for r in roster if r.level != Level.HALL]:
        rule = rule_for(_home(rl.user), rl.level)
        for planned in dates_for(rule, start, end, rl.weekday):
            session = _create_session(rl, rule, planned)
            if session is not None:
                made.append(session)
    # the hall's leader on duty: the roster of each territory takes the working days in turn
    halls: dict[int, list[ReceptionLeader]] = {}
    for rl in roster:
        if rl.level == Level.HALL:
            halls.setdefault(_home(rl.user).pk, []).append(rl)
    for group in halls.values():
        group.sort(key=lambda r: r.user_id)
        rule = rule_for(_home(group[0].user), Level.HALL)
        for planned in dates_for(rule, start, end):
            turn = sum(1 for d in range(1, planned.day) if is_workday(planned.replace(day=d)))
            session = _create_session(group[turn % len(group)], rule, planned)
            if session is not None:
                made.append(session)
    return made


def _tell_booked(session: Session, text: str, tag: str) -> int:
    """Tell everyone booked on `session` (an SMS to the phone they booked with)."""
    made = []
    for booking in session.bookings.filter(status=BookingStatus.BOOKED):
        n = make_notification(
            case=booking.case,
            event=None,
            kind=NOTICE_KIND,  # type: ignore[arg-type]
            medium=Medium.SMS,
            recipient=booking.phone,
            dedupe=f"reception:{tag}:{booking.pk}",
            rendered=("领导接待日变更", f"【回音】您预约的领导接待（预约号{booking.code}）{text}"),
        )
        if n is not None:
            made.append(n)
    if made:
        transaction.on_commit(lambda: enqueue_delivery(made))
    return len(made)


@transaction.atomic
def absence_record(
    *, leader: User, start: date, end: date, reason: str, actor: User, deputy: User | None = None
) -> tuple[Absence, list[Session]]:
    """A leader is away: each of their sessions in those days goes to the deputy (if named and free)
    or moves to the first free working day after the absence; the citizens booked are told."""
    if not permissions.may(actor, permissions.MANAGE):
        raise PermissionDenied("您的岗位不能安排领导接待日")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed("请填写外出事由", extra={"fields": {"reason": "请填写外出事由"}})
    if end < start:
        raise ValidationFailed(
            "结束日期不能早于开始日期", extra={"fields": {"end": "结束日期不能早于开始日期"}}
        )
    if deputy is not None and (deputy.pk == leader.pk or deputy.role != Role.LEADER or not deputy.is_active):
        raise ValidationFailed("代接待人须为另一位在岗领导", extra={"fields": {"deputy": "请选择另一位领导"}})
    absence = Absence.objects.create(
        leader=leader, start=start, end=end, deputy=deputy, reason=reason[:200], created_by=actor,
        created_at=timeutil.now(),
    )  # fmt: skip
    moved = []
    for session in Session.objects.select_for_update().filter(
        leader=leader, status=SessionStatus.SCHEDULED, date__gte=start, date__lte=end
    ):
        leader_id, day, note = _resolve(leader.pk, session.date, excluding=session.pk)
        if leader_id != leader.pk:
            session.scheduled_leader = session.scheduled_leader or leader
            session.leader_id = leader_id
            text = f"因{reason}，改由{User.objects.get(pk=leader_id)}接待，时间地点不变（{session.date:%Y年%m月%d日} {session.place}）。"
        else:
            text = f"因{reason}，改期至{day:%Y年%m月%d日}，地点不变（{session.place}）。"
        session.date = day
        session.change_note = note
        session.save(update_fields=["leader", "scheduled_leader", "date", "change_note"])
        _tell_booked(session, text, f"absence:{absence.pk}:{session.pk}")
        moved.append(session)
    return absence, moved


@transaction.atomic
def session_cancel(*, session: Session, actor: User, reason: str) -> Session:
    """Cancel a session; everyone booked is told (and may book another)."""
    if not permissions.may(actor, WHO[Action.CANCEL]):
        raise PermissionDenied("您的岗位不能安排领导接待日")
    if actor.unit is None or not session.territory.path.startswith(actor.unit.territory.path):
        raise PermissionDenied("只能取消本辖区的接待场次")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed("请填写取消原因", extra={"fields": {"reason": "请填写取消原因"}})
    session.status = SESSION_TABLE.step(session.status, Action.CANCEL, actor.role)
    session.change_note = reason[:200]
    session.save(update_fields=["status", "change_note"])
    _tell_booked(session, f"因{reason}取消，请另行预约。", f"cancel:{session.pk}")
    cancelled = BOOKING_TABLE.step(BookingStatus.BOOKED, Action.CANCEL, actor.role)
    for booking in session.bookings.filter(status=BookingStatus.BOOKED):
        booking.status = cancelled
        booking.save(update_fields=["status"])
        if booking.case_id is not None:  # the citizen's timeline says so (and the outbox tells them)
            event_record(
                case=booking.case_id,
                event_type=EVENT_CANCELLED,
                actor=actor,
                actor_unit=session.office,
                data={**_session_data(session), "booking": booking.code, "reason": reason[:200]},
            )
    return session


# --- 下访 and 约访 -------------------------------------------------------------------------------


def _may_arrange(actor: User, leader: User, *, session: Session | None = None) -> None:
    """A leader arranges their own visits; the office those of a leader in its territory."""
    if not permissions.may(actor, permissions.VISIT):
        raise PermissionDenied("您的岗位不能安排领导约访、下访")
    if actor.role == Role.LEADER and actor.pk != leader.pk:
        raise PermissionDenied("只能安排本人的约访、下访")
    if actor.role == Role.DISPATCHER:
        home = leader.unit.territory if leader.unit_id else None  # type: ignore[union-attr]
        mine = actor.unit.territory if actor.unit_id else None  # type: ignore[union-attr]
        if home is None or mine is None or not home.path.startswith(mine.path):
            raise PermissionDenied("只能安排本辖区领导的约访、下访")
        if session is not None and session.office_id != actor.unit_id:
            raise PermissionDenied("由安排该场次的信访部门邀请")


@dataclass
class VisitIn:
    kind: str  # SessionKind.DOWN or APPOINTMENT
    territory: Territory  # where: the township or village the leader goes down to
    day: date
    start_time: Any
    end_time: Any
    place: str
    purpose: str
    capacity: int = 10


@transaction.atomic
def visit_schedule(*, leader: User, data: VisitIn, actor: User) -> Session:
    """A leader's 下访 to a township or village, or a 约访 with named petitioners (条例 §18¶2 定期下访;
    seeds/000 大下访, seeds/004 约访): a session like a reception day, with the same agenda and outcomes,
    which never double-books the leader."""
    _may_arrange(actor, leader)
    rl = ReceptionLeader.objects.filter(user=leader, is_active=True).first()
    if rl is None or leader.unit is None:
        raise ValidationFailed("该领导不在接待领导名册中", extra={"fields": {"leader": "请选择接待领导"}})
    if data.kind not in (SessionKind.DOWN, SessionKind.APPOINTMENT):
        raise ValidationFailed("请选择下访或约访", extra={"fields": {"kind": "请选择下访或约访"}})
    home = leader.unit.territory
    if not data.territory.path.startswith(home.path):
        message = "下访地点须在该领导的辖区内"
        raise ValidationFailed(message, extra={"fields": {"territory": message}})
    if data.kind == SessionKind.DOWN and data.territory.level < TerritoryLevel.TOWNSHIP:
        message = "下访须到乡镇（街道）或村（社区）"
        raise ValidationFailed(message, extra={"fields": {"territory": message}})
    if data.day < timeutil.today():
        raise ValidationFailed("日期不能早于今天", extra={"fields": {"day": "日期不能早于今天"}})
    if data.end_time <= data.start_time:
        raise ValidationFailed("结束时间须晚于开始时间", extra={"fields": {"end_time": "时间有误"}})
    place, purpose = (data.place or "").strip(), (data.purpose or "").strip()
    if not place or not purpose:
        message = "请填写地点和事由"
        raise ValidationFailed(message, extra={"fields": {"place": message}})
    if _busy(leader.pk, data.day) or _absence_on(leader.pk, data.day) is not None:
        message = "该领导当天已有接待安排或外出，请另选日期"
        raise ValidationFailed(message, extra={"fields": {"day": message}})
    try:
        with transaction.atomic():
            return Session.objects.create(
                leader=leader,
                level=rl.level,
                kind=data.kind,
                territory=data.territory,
                office=office_for(home),
                date=data.day,
                planned_date=data.day,
                start_time=data.start_time,
                end_time=data.end_time,
                place=place[:200],
                purpose=purpose[:200],
                portfolio=rl.portfolio,
                capacity=max(1, min(int(data.capacity or 10), 200)),
            )
    except IntegrityError:  # a concurrent request took the day (the one-session-per-day constraint)
        raise ValidationFailed("该领导当天已有接待安排，请另选日期") from None


# --- eligibility and booking ---------------------------------------------------------------------


@dataclass
class Refusal:
    """Why a matter cannot go to this leader yet, where to go first, and that level's next sessions."""

    reason: str
    first_level: str
    sessions: list[Session] = field(default_factory=list)


class BookingRefused(ApplicationError):
    status_code = 400

    def __init__(self, refusal: Refusal) -> None:
        super().__init__(
            refusal.reason,
            extra={"first_level": refusal.first_level, "sessions": [s.pk for s in refusal.sessions]},
        )
        self.refusal = refusal


def base_level_done(case: Case | None, rank: int) -> bool:
    """Whether a lower level has answered the matter (an opinion issued by an organ of a lower rank)
    or received it at a leader reception of a lower (non-hall) rank."""
    if case is None:
        return False
    for opinion in Opinion.objects.filter(case=case).select_related("issued_unit__territory"):
        if unit_rank(opinion.issued_unit) < rank:
            return True
    lower = [lv for lv, r in RANK.items() if 1 <= r < rank]
    return Booking.objects.filter(case=case, status=BookingStatus.RECEIVED, session__level__in=lower).exists()


def next_sessions(
    *, levels: list[str], within: Territory, near: Territory | None, limit: int = 6
) -> list[Session]:
    """The next bookable sessions of `levels` in `within`; those of the matter's own township first."""
    today = timeutil.today()
    qs = Session.objects.filter(
        status=SessionStatus.SCHEDULED,
        level__in=levels,
        date__gt=today,
        territory__path__startswith=within.path,
    ).select_related("leader", "territory")
    if near is not None and near.level >= TerritoryLevel.TOWNSHIP:
        township = next((t for t in near.ancestors() if t.level == TerritoryLevel.TOWNSHIP), None)
        if township is not None:
            local = list(qs.filter(Q(territory=township) | Q(level=Level.DEPARTMENT))[:limit])
            if local:
                return [
                    s for s in local if s.bookings.filter(status=BookingStatus.BOOKED).count() < s.capacity
                ]
    return [
        s for s in qs[: limit * 2] if s.bookings.filter(status=BookingStatus.BOOKED).count() < s.capacity
    ][:limit]


def eligibility(
    *, session: Session, case: Case | None, urgent: bool, territory: Territory | None
) -> Refusal | None:
    """seeds/002 rule 2 (分级负责、属地管理): 没有基层的答复、没有基层领导接待过的信访事项，不予安排上一级领导接待；
    突发性上访事项可随时安排领导接待. None: the matter may be received by this session's leader."""
    rank = RANK[session.level]
    if rank <= 1 or urgent or base_level_done(case, rank):
        return None
    first = rank - 1
    levels = [lv for lv, r in RANK.items() if r == first]
    scope = session.territory
    reason = (
        f"按照“分级负责、属地管理”的原则，{session.get_level_display()}接待须以基层已答复或基层领导已接待为前提。"
        f"您的事项尚无{FIRST_LEVEL_LABEL[first]}的答复，也未经{FIRST_LEVEL_LABEL[first]}领导接待，"
        f"请先预约{FIRST_LEVEL_LABEL[first]}领导接待（突发性事项请到信访部门说明，可随时安排）。"
    )
    return Refusal(
        reason, FIRST_LEVEL_LABEL[first], next_sessions(levels=levels, within=scope, near=territory)
    )


@dataclass
class BookingIn:
    name: str
    phone: str
    title: str
    content: str
    id_number: str = ""
    petition_type: str = PetitionType.COMPLAINT
    territory: Territory | None = None
    is_collective: bool = False
    headcount: int = 1
    representatives: int = 1
    urgent: bool = False
    case: Case | None = None


def _new_code() -> str:
    return "YY" + "".join(secrets.choice("23456789ABCDEFGHJKLMNPQRSTUVWXYZ") for _ in range(8))


def _existing_case(data: BookingIn, *, by_staff: bool) -> Case | None:
    """The person's own case, so the leader sees its history: the one named (verified by the caller,
    the receipt's code and 查询码), else the latest open case of a petitioner with the same ID number.

    An ID number is no proof of being that person (anyone may know it): on the portal it links a case
    only when the phone given is the one on that petitioner's record; at the office the clerk has seen
    the ID card. Otherwise the booking links nothing — it neither borrows another person's base-level
    answer for the eligibility rule nor writes on their timeline or puts their case on an agenda
    (the same rule as a submission's identity, docs/security.md)."""
    if data.case is not None:
        return data.case
    if not data.id_number:
        return None
    same_person = Q(parties__petitioner__id_number=data.id_number)
    if not by_staff:
        same_person &= Q(parties__petitioner__phone=data.phone.strip().replace(" ", ""))
    return (
        Case.objects.filter(same_person, merged_into__isnull=True)
        .exclude(status__in=[Status.CLOSED, Status.FINAL])
        .order_by("-registered_at")
        .first()
    )


@transaction.atomic
def checked_visitor(data: Any) -> tuple[str, str, str]:
    """The person and matter of a visit, as a booking and a hall walk-in both take them: a name, a
    phone that is digits, an ID number if given (GB 11643), a title and an account of the matter.
    Returns (name, phone, id_number) cleaned; refuses with the field's reason."""
    name, phone = data.name.strip(), data.phone.strip().replace(" ", "")
    if not name:
        raise ValidationFailed("请填写姓名", extra={"fields": {"name": "请填写姓名"}})
    if not (phone.isascii() and phone.isdigit() and 7 <= len(phone) <= 12):
        raise ValidationFailed("请填写正确的电话号码", extra={"fields": {"phone": "请填写正确的电话号码"}})
    id_number = validate_id_number("person", data.id_number) if data.id_number else ""
    if not data.title.strip() or not data.content.strip():
        raise ValidationFailed("请写明反映事项和情况简述", extra={"fields": {"title": "请写明反映事项"}})
    return name, phone, id_number


def booking_create(
    *, session: Session, data: BookingIn, actor: User | None, idempotency_key: str | None = None
) -> Booking:
    """Book a slot: by the citizen on the portal (actor None) or by the office for a walk-in.

    Raises BookingRefused when the eligibility rule refuses the matter for this leader (seeds/002
    rule 2); ValidationFailed for a full or past session or too many representatives (条例 §20¶3)."""
    if idempotency_key:
        done = Booking.objects.filter(idempotency_key=idempotency_key).first()
        if done is not None:
            return done
    session = Session.objects.select_for_update().get(pk=session.pk)
    invited = session.kind != SessionKind.DAY  # 约访、下访: the leader invites named petitioners
    if invited:
        if actor is None:
            raise ValidationFailed("领导约访、下访由领导或信访部门邀请，不接受网上预约")
        _may_arrange(actor, session.leader, session=session)
    elif actor is not None and not permissions.may(actor, permissions.BOOK):
        raise PermissionDenied("您的岗位不能代为预约领导接待")
    if data.urgent and actor is None:
        raise ValidationFailed("突发性事项由信访部门认定")
    if session.status != SessionStatus.SCHEDULED or session.date < timeutil.today():
        raise ValidationFailed("该场次已结束或已取消，请选择其他场次")
    if session.bookings.filter(status=BookingStatus.BOOKED).count() >= session.capacity:
        raise ValidationFailed("该场次已约满，请选择其他场次")
    name, phone, id_number = checked_visitor(data)
    representatives = max(1, int(data.representatives or 1))
    if data.is_collective:
        limit = rules_for(session.territory)[RuleKey.MAX_REPRESENTATIVES].value
        if representatives > limit:
            message = f"集体反映的事项，请推选不超过{limit}名代表参加接谈（《信访工作条例》第二十条第三款）"
            raise ValidationFailed(message, extra={"fields": {"representatives": message}})
    else:
        representatives = 1
    case = _existing_case(BookingIn(**{**data.__dict__, "id_number": id_number}), by_staff=actor is not None)
    # seeds/002 rule 2 governs arranging a higher leader's reception; a leader who goes down or invites
    # the person (下访、约访) meets them where they are
    refusal = (
        None
        if invited
        else eligibility(
            session=session,
            case=case,
            urgent=data.urgent,
            territory=data.territory or (case.territory if case else None),
        )
    )
    if refusal is not None:
        raise BookingRefused(refusal)
    if session.bookings.filter(status=BookingStatus.BOOKED, phone=phone).exists():
        raise ValidationFailed("您已预约本场次")
    try:
        with transaction.atomic():
            booking = Booking.objects.create(
                session=session,
                code=_new_code(),
                channel=BookingChannel.INVITED
                if invited
                else (BookingChannel.OFFICE if actor else BookingChannel.PORTAL),
                name=name[:50],
                phone=phone,
                id_number=id_number,
                petition_type=data.petition_type,
                title=data.title.strip()[:100],
                content=data.content.strip()[:5000],
                territory=data.territory or (case.territory if case else None),
                is_collective=data.is_collective,
                headcount=max(1, min(int(data.headcount or 1), 100_000)),
                representatives=representatives,
                urgent=data.urgent,
                case=case,
                created_by=actor,
                created_at=timeutil.now(),
                idempotency_key=idempotency_key or None,
            )
    except IntegrityError:
        done = Booking.objects.filter(idempotency_key=idempotency_key).first() if idempotency_key else None
        if done is None:
            raise
        return done
    if case is not None:
        event_record(
            case=case,
            event_type=EVENT_BOOKED,
            actor=actor,
            actor_unit=session.office,
            data=_session_data(session),
        )
    info = _session_data(session)
    if invited:
        text = (
            f"{info['leader_title']}约请您于{info['date']} {info['time']}在{session.place}面谈"
            f"（{session.get_kind_display()}：{session.purpose or booking.title}）。如不便前来，请回电告知。"
        )
    else:
        text = f"已预约{info['date']} {info['time']} {info['leader_title']}的领导接待，地点：{session.place}。请携带身份证件按时到场。"
    _tell(booking, text, "booked")
    return booking


def _tell(booking: Booking, text: str, tag: str) -> bool:
    """One SMS to the phone the booking was made with (idempotent per booking and `tag`)."""
    n = make_notification(
        case=booking.case,
        event=None,
        kind=NOTICE_KIND,  # type: ignore[arg-type]
        medium=Medium.SMS,
        recipient=booking.phone,
        dedupe=f"reception:{tag}:{booking.pk}",
        rendered=("领导接待日", f"【回音】您的领导接待预约（预约号{booking.code}）：{text}"),
    )
    if n is not None:
        transaction.on_commit(lambda: enqueue_delivery([n]))
    return n is not None


def agendas_send(*, today: date | None = None) -> int:
    """The evening before a session, its leader's agenda: a work notice on each booked matter's case to
    the leader and to each head invited whose agenda shows the matter (the outbox delivers it to those
    who may see the case — never the accused side, 条例 §30¶3), and one SMS with the day's count to the leader's phone. Once per session."""
    from huiyin.reception.selectors import agenda

    today = today or timeutil.today()
    sent = 0
    for session in Session.objects.filter(
        status=SessionStatus.SCHEDULED, date=today + timedelta(days=1), agenda_sent_at__isnull=True
    ).select_related("leader"):
        with transaction.atomic():
            locked = Session.objects.select_for_update().get(pk=session.pk)
            if locked.agenda_sent_at is not None:
                continue
            info = _session_data(session)
            bookings = list(session.bookings.filter(status=BookingStatus.BOOKED))
            # an invited head hears of a matter only when their agenda shows it (their unit's item; never
            # another unit's matter, nor an accusation against their side, 条例 §30¶3): selectors.agenda
            heads = [
                i.user
                for i in session.invitations.select_related("user__unit")
                if i.user_id != session.leader_id
            ]
            shown_to = {
                head.pk: {r.booking.pk for r in agenda(session, head) if not r.hidden and r.case is not None}
                for head in heads
            }
            for b in bookings:
                if b.case_id is not None:
                    staff = sorted(
                        {session.leader_id, *(h for h, shown in shown_to.items() if b.pk in shown)}
                    )
                    event_record(
                        case=b.case_id,
                        event_type=EVENT_AGENDA,
                        actor=None,
                        actor_unit=session.office,
                        data={**info, "booking": b.code, "title": b.title, "notify_users": staff},
                    )
            if session.leader.phone:
                n = make_notification(
                    case=None,
                    event=None,
                    kind=NOTICE_KIND,  # type: ignore[arg-type]
                    medium=Medium.SMS,
                    recipient=session.leader.phone,
                    dedupe=f"reception:agenda:{session.pk}",
                    rendered=(
                        "明日领导接待议程",
                        f"【回音】明天（{info['date']}）{info['time']}您在{session.place}接待，"
                        f"已预约{len(bookings)}人，议程见系统“领导接待日”。",
                    ),
                )
                if n is not None:
                    transaction.on_commit(lambda n=n: enqueue_delivery([n]))  # type: ignore[misc]
            locked.agenda_sent_at = timeutil.now()
            locked.save(update_fields=["agenda_sent_at"])
            sent += 1
    return sent


def reminders_send(*, today: date | None = None) -> int:
    """The day before a session (its eve, the last working or non-working day before it), remind
    everyone booked on it. Idempotent: the periodic sweep may run it every minute."""
    today = today or timeutil.today()
    sent = 0
    for booking in Booking.objects.filter(
        status=BookingStatus.BOOKED,
        session__status=SessionStatus.SCHEDULED,
        session__date=today + timedelta(days=1),
    ).select_related("session"):
        info = _session_data(booking.session)
        with transaction.atomic():
            sent += _tell(
                booking,
                f"明天（{info['date']}）{info['time']}在{booking.session.place}接待，请按时到场。",
                "eve",
            )
    return sent


def _session_data(session: Session) -> dict[str, Any]:
    rl = ReceptionLeader.objects.filter(user_id=session.leader_id).first()
    title = f"{rl.title}{session.leader}" if rl else str(session.leader)
    return {
        "session": session.pk,
        "date": f"{session.date:%Y年%m月%d日}",
        "time": f"{session.start_time:%H:%M}",
        "place": session.place,
        "leader": session.leader_id,
        "leader_title": title,
    }


# --- the session: invitations and outcomes -------------------------------------------------------


def _may_record(actor: User, session: Session) -> None:
    if not permissions.may(actor, WHO[Action.RECORD]):
        raise PermissionDenied("您的岗位不能记录接待结果")
    if actor.role == Role.LEADER and actor.pk != session.leader_id:
        raise PermissionDenied("只能记录本人接待场次的结果")
    if actor.role == Role.DISPATCHER and actor.unit_id != session.office_id:
        raise PermissionDenied("由安排该场次的信访部门记录")


@transaction.atomic
def booking_register(*, booking: Booking, actor: User) -> Case:
    """Register the visit's matter as a new case at the session's office (case_register), unless the
    booking already has one."""
    if booking.case_id:
        assert booking.case is not None
        return booking.case
    _may_record(actor, booking.session)
    if actor.role == Role.LEADER:
        raise PermissionDenied("由信访部门登记")
    case, _created = case_register(
        data=CaseIn(
            channel=Channel.VISIT,
            petition_type=booking.petition_type,
            title=booking.title,
            content=booking.content,
            territory_id=booking.territory_id,
            is_collective=booking.is_collective,
            headcount=booking.headcount,
            petitioners=[
                PetitionerIn(
                    name=booking.name,
                    id_number=booking.id_number,
                    phone=booking.phone,
                    is_representative=booking.is_collective,
                )
            ],
        ),
        office=booking.session.office,
        actor=actor,
        idempotency_key=f"reception:{booking.code}",
    )
    booking.case = case
    booking.save(update_fields=["case"])
    return case


NOTICE_INVITE = "reception_invite"  # the kind of the head's session notice (notify.staff.notice_direct)


@transaction.atomic
def invitation_create(
    *, session: Session, user: User, actor: User, booking: Booking | None = None
) -> Invitation:
    """Ask a department head to attend (现场办公, seeds/002 rule 4). Every new invitation tells the head
    by a work notice about the session itself — when, where, whose reception, the agenda's link — whether
    or not any booking has a case yet, and naming no matter. A booked matter is named to the head (a
    `reception_invite` event on its case) only when the head's own agenda shows it (selectors.agenda:
    their unit's item; never the accused side nor the accuser, 条例 §30¶3)."""
    from django.urls import reverse

    from huiyin.notify.staff import notice_direct
    from huiyin.reception.selectors import agenda

    _may_record(actor, session)
    if user.role not in (Role.UNIT_HEAD, Role.LEADER) or not user.is_active:
        raise ValidationFailed("请选择部门主要负责人", extra={"fields": {"user": "请选择部门主要负责人"}})
    if session.status == SessionStatus.CANCELLED:
        raise ValidationFailed("该场次已取消，不能邀请")
    invitation, created = Invitation.objects.get_or_create(
        session=session, user=user, defaults={"invited_by": actor, "invited_at": timeutil.now()}
    )
    if not created:
        return invitation  # told once, when first invited
    info = _session_data(session)
    notice_direct(
        user=user,
        kind=NOTICE_INVITE,
        title=f"邀请参加领导接待（现场办公）｜{info['date']}",
        text=(
            f"请于{info['date']} {info['time']}到{session.place}参加{info['leader_title']}的"
            "领导接待日现场办公，协助处理信访事项（议程见“领导接待日”）。"
        ),
        link=f"{reverse('reception_agenda')}?session={session.pk}",
        due_on=session.date,
    )
    shown = {row.booking.pk for row in agenda(session, user) if not row.hidden and row.case is not None}
    targets = [booking] if booking is not None else list(session.bookings.filter(status=BookingStatus.BOOKED))
    for b in targets:
        if b.case_id is None or b.pk not in shown:
            continue
        event_record(
            case=b.case_id,
            event_type=EVENT_INVITE,
            actor=actor,
            data={**info, "title": b.title, "notify_users": [user.pk]},
        )
    return invitation


@transaction.atomic
def invitation_attendance(*, invitation: Invitation, attended: bool, actor: User) -> Invitation:
    """Record whether an invited head came to the session (seeds/002 rule 4), by the petition office
    that arranges it, on the session's day or after; it may be corrected, and who recorded it is kept."""
    session = invitation.session
    if not permissions.may(actor, WHO[Action.RECORD]) or actor.role == Role.LEADER:
        raise PermissionDenied("由安排该场次的信访部门记录到场情况")
    if actor.unit_id != session.office_id:
        raise PermissionDenied("由安排该场次的信访部门记录到场情况")
    if session.status == SessionStatus.CANCELLED:
        raise ValidationFailed("该场次已取消，无需记录到场情况")
    if session.date > timeutil.today():
        raise ValidationFailed("接待日尚未到，不能记录到场情况")
    invitation.attended = bool(attended)
    invitation.attendance_by = actor
    invitation.attendance_at = timeutil.now()
    invitation.save(update_fields=["attended", "attendance_by", "attendance_at"])
    return invitation


def _refuse_assign_around_workflow(case: Case, unit: Unit) -> None:
    """交办 at a session is the workflow's 交办 (case_accept + case_assign, 条例 §22¶1(三)), which the
    workflow allows only on a case not yet routed. For a case already in handling (or answered) the
    workflow has no action that re-assigns it or sets a new deadline — a deadline changes only through
    the statutory 延期 (条例 §34) asked by the handling unit — so the visit is refused with the reason,
    never recorded by writing the unit or deadline beside the case."""
    if case.status in (Status.REGISTERED, Status.ACCEPTED):
        return
    if case.status == Status.IN_HANDLING and case.handling_unit_id == unit.pk:
        due = f"，期限{case.assignment_deadline:%Y年%m月%d日}" if case.assignment_deadline else ""
        message = (
            f"该事项已交{unit.name}办理{due}，办理流程中没有另定交办期限的环节；"
            "领导要求限期办理的，请记录“领导批示”写明期限（案件页“领导批示”）"
        )
    else:
        message = (
            f"该事项当前为“{case.get_status_display()}”，办理流程不允许在此状态交办或改交其他单位；"
            "请选择其他接待结果，或由承办单位按流程办理（如提出异议、退回后重新交办）"
        )
    raise ValidationFailed(message, extra={"fields": {"outcome": message}, "status": case.status})


@transaction.atomic
def visit_record(
    *,
    booking: Booking,
    actor: User,
    outcome: str,
    note: str = "",
    unit: Unit | None = None,
    deadline: date | None = None,
) -> Booking:
    """Record what came of a visit (seeds/002 rule 5) through the workflow services:
    resolved on the spot or explained — recorded on the case; 交办 — case_accept (if still registered)
    and case_assign with the deadline; 领导包案 — case_attach_leader for the session's leader.
    A visit without a case becomes a new case first (case_register)."""
    session = booking.session
    _may_record(actor, session)
    if outcome not in Outcome.values:
        raise ValidationFailed("请选择接待结果", extra={"fields": {"outcome": "请选择接待结果"}})
    received = BOOKING_TABLE.step(booking.status, Action.RECORD, actor.role)
    held = SESSION_TABLE.step(session.status, Action.RECORD, actor.role)
    if session.date > timeutil.today():
        raise ValidationFailed("接待日尚未到，不能记录结果")
    note = (note or "").strip()
    if outcome == Outcome.ASSIGNED and (unit is None or deadline is None):
        raise ValidationFailed("交办须选择承办单位和办结期限", extra={"fields": {"unit": "请选择承办单位"}})
    if outcome in (Outcome.RESOLVED, Outcome.EXPLAINED) and not note:
        raise ValidationFailed("请简要记录解决或解释的情况", extra={"fields": {"note": "请填写接待情况"}})
    registrar = actor if actor.role != Role.LEADER else None
    if booking.case_id is None:
        if registrar is None:
            raise ValidationFailed("该事项尚未登记，请由信访部门记录结果")
        booking_register(booking=booking, actor=actor)
    assert booking.case_id is not None
    case = Case.objects.get(pk=booking.case_id)
    from huiyin.workflow import services as wf

    if outcome == Outcome.ASSIGNED:
        assert unit is not None and deadline is not None
        _refuse_assign_around_workflow(case, unit)
        if case.status == Status.REGISTERED:
            case = wf.case_accept(case=case, actor=actor, reason="领导接待日交办")
        case = wf.case_assign(
            case=case, actor=actor, unit=unit, deadline=deadline, instructions=note or "领导接待日交办"
        )
    elif outcome == Outcome.LEADER_CASE and case.leader_id != session.leader_id:
        leader = User.objects.get(pk=session.leader_id)
        case = wf.case_attach_leader(case=case, actor=actor, leader=leader, reason=note or "领导接待日包案")
    booking.status = received
    booking.outcome = outcome
    # 一次办结 is decided on the day (resolved on the spot) or when the 90-day window closes
    booking.settled_on = (
        session.date if outcome == Outcome.RESOLVED else session.date + timedelta(days=REPEAT_WINDOW_DAYS)
    )
    booking.outcome_note = note
    booking.outcome_unit = unit if outcome == Outcome.ASSIGNED else None
    booking.outcome_deadline = deadline if outcome == Outcome.ASSIGNED else None
    booking.outcome_by = actor
    booking.outcome_at = timeutil.now()
    booking.save()
    if session.status != held:
        session.status = held
        session.save(update_fields=["status"])
    event_record(
        case=case,
        event_type=EVENT_VISIT,
        actor=actor,
        data={
            **_session_data(session),
            "booking": booking.code,
            "outcome": outcome,
            "outcome_label": Outcome(outcome).label,
            "unit_name": unit.name if unit and outcome == Outcome.ASSIGNED else "",
            "deadline": f"{deadline:%Y年%m月%d日}" if deadline and outcome == Outcome.ASSIGNED else "",
            "notify_users": [session.leader_id],
        },
        reason=note,  # staff only: the citizen's text never shows it
    )
    return booking
