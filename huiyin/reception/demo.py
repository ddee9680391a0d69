"""Demo data of leader reception: the roster (county, city, township and hall leaders), a season of
sessions from the rules (four months back, two months ahead), bookings and recorded outcomes, the hall's
windows and walk-ins sent to them, 下访 and 约访 — all
through the services, so the demo is what the product does. Deterministic with the demo's seed."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from django.contrib.auth.hashers import make_password

from huiyin.cases.choices import PetitionType, Status
from huiyin.cases.models import Case
from huiyin.core import timeutil
from huiyin.org.choices import Role
from huiyin.org.models import User
from huiyin.reception import services
from huiyin.reception.choices import (
    BookingChannel,
    BookingStatus,
    Level,
    Outcome,
    SessionKind,
    SessionStatus,
    Weekday,
)
from huiyin.reception.models import Booking, HallReferral, ReceptionLeader, Session

MATTERS = [
    ("安置房屋顶漏水", "安置小区房屋顶层漏水多年，多次报修无人处理。"),
    ("拖欠农民工工资", "在工地务工半年，工资至今未结清。"),
    ("低保资格复核", "家中老人患病，低保被取消，请求重新核定。"),
    ("土地征收补偿", "承包地被征收，补偿款未按标准发放。"),
    ("道路积水出行难", "村口道路每逢下雨积水严重，学生上学不便。"),
    ("子女入学", "随迁子女就近入学申请未获批准。"),
]
NAMES = ["王秀英", "李建国", "张桂兰", "刘德华", "陈玉梅", "杨志强", "赵淑芬", "黄国平"]


def _user(username: str, full_name: str, unit: Any) -> User:
    from huiyin.demo.org import _DemoHasher, demo_password

    return User.objects.create(
        username=username, full_name=full_name, unit=unit, role=Role.LEADER,
        password=make_password(demo_password(username), hasher=_DemoHasher()),
    )  # fmt: skip


def build(org: Any, rng: random.Random, today: date) -> dict[str, int]:
    """Roster, sessions and bookings for the demo county (called once at the end of build_demo)."""
    county_head = org.users["leader"]
    deputy = _user("leader_deputy", "孙副县长", org.county_gov)
    city = _user("leader_city", "韩副市长", org.city_gov)
    ReceptionLeader.objects.create(
        user=county_head,
        title="县长",
        level=Level.COUNTY,
        portfolio="城乡建设、征地拆迁、重大信访事项",
        deputy=deputy,
    )
    ReceptionLeader.objects.create(
        user=deputy,
        title="副县长",
        level=Level.COUNTY,
        portfolio="民政、人社、教育卫健",
        weekday=Weekday.THURSDAY,
        deputy=county_head,
    )
    ReceptionLeader.objects.create(
        user=city, title="副市长", level=Level.CITY, portfolio="全市重大疑难信访事项"
    )
    hall = [
        _user("leader_hall1", "钱常委", org.county_party),
        _user("leader_hall2", "周常委", org.county_party),
    ]
    for u in hall:
        ReceptionLeader.objects.create(
            user=u, title="县委常委", level=Level.HALL, portfolio="当日来访群众反映的各类事项"
        )
    townships = []
    for i, t in enumerate(org.townships):
        name = "街道主任" if t.territory.name.endswith("街道") else "镇长"
        u = _user(f"leader_{t.pinyin}", f"{NAMES[i % len(NAMES)][0]}{name}", t.government)
        ReceptionLeader.objects.create(
            user=u,
            title=name,
            level=Level.TOWNSHIP,
            portfolio=f"{t.territory.name}辖区信访事项",
            weekday=i % 5,
        )
        townships.append((t, u))
    # a season: four months back (so the 90-day windows of 一次办结 have closed for the first ones), two ahead
    start, end = today - timedelta(days=130), today + timedelta(days=60)
    made = services.sessions_generate(territory=org.city, start=start, end=end, actor=None)
    # an absence next week: the deputy takes the county head's sessions
    services.absence_record(
        leader=county_head, start=today + timedelta(days=7), end=today + timedelta(days=11), reason="到省里参加会议",
        deputy=deputy, actor=org.users["dispatcher"],
    )  # fmt: skip
    booked = received = 0
    cases_of: dict[int, list[Case]] = {}
    for session in Session.objects.filter(level__in=[Level.TOWNSHIP, Level.COUNTY, Level.HALL]).order_by(
        "date", "id"
    ):
        if session.level == Level.HALL and rng.random() < 0.7:
            continue
        office_staff = User.objects.filter(unit=session.office, role=Role.DISPATCHER, is_active=True).first()
        for n in range(rng.randint(1, 3)):
            title, content = rng.choice(MATTERS)
            person = rng.choice(NAMES)
            phone = f"139{rng.randint(10_000_000, 99_999_999)}"
            if session.date >= today:
                data = services.BookingIn(
                    name=person,
                    phone=phone,
                    title=title,
                    content=content,
                    urgent=session.level == Level.COUNTY,
                )
                try:
                    services.booking_create(
                        session=session, data=data, actor=office_staff if data.urgent else None
                    )
                except services.ApplicationError:
                    continue
                booked += 1
                continue
            # a past session: the booking as it was made, on one of the office's own open matters (the
            # demo registers no new cases here), then the outcome recorded through the workflow services
            open_cases = cases_of.setdefault(
                session.office_id,
                list(
                    Case.objects.filter(office=session.office, merged_into__isnull=True)
                    .exclude(petition_type=PetitionType.ACCUSATION)
                    .exclude(status__in=[Status.CLOSED, Status.FINAL])
                    .order_by("id")
                ),
            )
            if office_staff is None or not open_cases:
                continue
            case = rng.choice(open_cases)
            booking = Booking.objects.create(
                session=session, code=services._new_code(), channel=BookingChannel.PORTAL if n else BookingChannel.OFFICE,
                name=person, phone=phone, title=case.title[:100], content=content, urgent=session.level == Level.COUNTY,
                case=case, created_at=timeutil.now() - timedelta(days=(today - session.date).days + 3),
                status=BookingStatus.BOOKED,
            )  # fmt: skip
            case.refresh_from_db()
            outcome = rng.choice([Outcome.RESOLVED, Outcome.EXPLAINED, Outcome.ASSIGNED, Outcome.LEADER_CASE])
            if outcome == Outcome.ASSIGNED and (
                case.status != Status.ACCEPTED or case.handling_unit_id is None
            ):
                # 交办 goes through case_assign, which the workflow allows only on an accepted case (a
                # case already in handling is refused, services._refuse_assign_around_workflow)
                outcome = Outcome.EXPLAINED
            unit = case.handling_unit if outcome == Outcome.ASSIGNED else None
            try:
                services.visit_record(
                    booking=booking, actor=office_staff, outcome=outcome,
                    note="" if outcome == Outcome.LEADER_CASE else "当场答复并说明政策依据（演示）",
                    unit=unit, deadline=case.assignment_deadline or today + timedelta(days=15) if unit else None,
                )  # fmt: skip
                received += 1
            except services.ApplicationError:
                continue
    hall_counts = _hall(org, rng, today)
    visit_counts = _visits(org, rng, today, county_head, deputy, townships)
    return {
        "reception_sessions": len(made),
        "reception_booked": booked,
        "reception_received": received,
        **hall_counts,
        **visit_counts,
        **_instructions_and_a_cancellation(org, today, county_head),
    }


def _instructions_and_a_cancellation(org: Any, today: date, head: User) -> dict[str, int]:
    """领导批示 on two cases in handling — one answered, one past its deadline and unanswered, so the
    督办 page lists it — and a township session next month cancelled, its booked citizens told."""
    from huiyin.core.timeutil import DemoClock
    from huiyin.reception import instructions

    handled = list(
        Case.objects.filter(status=Status.IN_HANDLING, handling_unit__isnull=False, merged_into__isnull=True)
        .exclude(petition_type=PetitionType.ACCUSATION)
        .order_by("registered_at", "id")[:2]
    )
    issued = 0
    clock = DemoClock()
    try:
        for n, case in enumerate(handled):
            clock.set(today - timedelta(days=25))  # issued three and a half weeks ago, due in two
            assert case.handling_unit is not None
            i = instructions.instruction_issue(
                case=case, actor=head, unit=case.handling_unit, deadline=today - timedelta(days=11),
                text="请主要负责同志亲自过问，查清事实，依法依规限期解决，并将落实情况报县政府。",
            )  # fmt: skip
            issued += 1
            answerer = User.objects.filter(unit=case.handling_unit, role=Role.HANDLER, is_active=True).first()
            if n == 0 and answerer is not None:
                clock.set(today - timedelta(days=14))
                instructions.instruction_answer(
                    instruction=i, actor=answerer, answer="已约见群众并现场核查，问题已按政策解决，群众表示认可。"
                )  # fmt: skip
    finally:
        clock.restore()
    ahead = (
        Session.objects.filter(level=Level.TOWNSHIP, date__gt=today + timedelta(days=14))
        .exclude(status=SessionStatus.CANCELLED)
        .order_by("date", "id")
        .first()
    )
    cancelled = 0
    if ahead is not None:
        services.session_cancel(
            session=ahead, actor=org.users["dispatcher"], reason="接待领导临时参加防汛工作"
        )
        cancelled = 1
    return {"reception_instructions": issued, "reception_cancelled": cancelled}


WINDOW_MATTERS = ["住房保障、物业维修、房屋质量", "社会救助、低保、养老服务", "劳动报酬、社会保险、就业", "征地补偿、不动产登记",
                  "环境污染、噪声扰民", "入学、学籍、教育收费"]  # fmt: skip
WEEKDAYS = ["01234", "024", "13", "01234", "02", "14"]


def _hall(org: Any, rng: random.Random, today: date) -> dict[str, int]:
    """The county hall's windows (一站式接待), a season of walk-ins sent to them: most registered and
    handled at the window through the workflow services, one returned, today's still waiting."""
    from huiyin.reception import hall

    dispatcher, clerk = org.users["dispatcher"], org.users["clerk"]
    windows = []
    for i, (short, unit) in enumerate(list(org.departments.items())[:6]):
        windows.append(
            (
                short,
                hall.window_save(
                    office=org.county_office,
                    unit=unit,
                    number=str(i + 1),
                    weekdays=WEEKDAYS[i],
                    matters=WINDOW_MATTERS[i],
                    actor=dispatcher,
                ),
            )
        )
    taken = returned = waiting = 0
    for n in range(8):
        short, window = windows[n % len(windows)]
        title, content = rng.choice(MATTERS)
        referral = HallReferral.objects.create(
            window=window, code=hall._new_code(), name=rng.choice(NAMES), phone=f"137{rng.randint(10_000_000, 99_999_999)}",
            title=title, content=content, sent_by=clerk, sent_at=timeutil.now() - timedelta(days=3 * n + 1),
        )  # fmt: skip
        officer = org.users.get(f"handler_{short}")
        if officer is None:
            continue
        if n == 5:
            hall.referral_return(
                referral=referral, actor=officer, note="不属本部门职责，请分流至相关窗口（演示）"
            )
            returned += 1
        elif n < 3:
            hall.referral_take(
                referral=referral,
                actor=officer,
                guidance="在窗口登记受理，由本部门依法办理并书面答复（演示）",
            )
            taken += 1
        else:
            waiting += 1
    return {"reception_windows": len(windows), "reception_referrals_taken": taken,
            "reception_referrals_returned": returned, "reception_referrals_waiting": waiting}  # fmt: skip


def _free_day(leader: User, day: date, step: int) -> date:
    """The first working day from `day` (stepping by `step`) on which the leader neither receives nor
    is away: the same test visit_schedule applies, so the demo never asks for a day it would refuse."""
    from huiyin.reception.rules import is_workday

    while (
        not is_workday(day)
        or Session.objects.filter(leader=leader, date=day).exclude(status="cancelled").exists()
        or services._absence_on(leader.pk, day) is not None
    ):
        day += timedelta(days=step)
    return day


def _visits(
    org: Any, rng: random.Random, today: date, head: User, deputy: User, townships: list[Any]
) -> dict[str, int]:
    """下访 and 约访: the county head's visit down to a village last month (its invited petitioners
    received, outcomes recorded), an announced visit down next week, the deputy's appointment."""
    from datetime import time

    dispatcher = org.users["dispatcher"]
    t, _township_leader = townships[0]
    village = t.villages[0]
    past = _free_day(head, today - timedelta(days=20), -1)
    rl = ReceptionLeader.objects.get(user=head)
    down = Session.objects.create(
        leader=head, level=rl.level, kind=SessionKind.DOWN, territory=village, office=org.county_office, date=past,
        planned_date=past, start_time=time(14), end_time=time(17), place=f"{village.name}村民委员会",
        purpose="大下访：安置小区房屋质量和征地补偿", portfolio=rl.portfolio, capacity=10,
    )  # fmt: skip
    open_cases = list(
        Case.objects.filter(office=org.county_office, merged_into__isnull=True)
        .exclude(petition_type=PetitionType.ACCUSATION)
        .exclude(status__in=[Status.CLOSED, Status.FINAL])
        .order_by("id")[:2]
    )
    received = 0
    for case, outcome in zip(open_cases, [Outcome.LEADER_CASE, Outcome.EXPLAINED], strict=False):
        booking = Booking.objects.create(
            session=down, code=services._new_code(), channel=BookingChannel.INVITED, name=rng.choice(NAMES),
            phone=f"136{rng.randint(10_000_000, 99_999_999)}", title=case.title[:100], content="领导下访约谈",
            case=case, created_at=timeutil.now() - timedelta(days=(today - past).days + 5),
        )  # fmt: skip
        services.visit_record(
            booking=booking, actor=dispatcher, outcome=outcome,
            note="" if outcome == Outcome.LEADER_CASE else "到村里当面答复并说明政策依据（演示）",
        )  # fmt: skip
        received += 1
    ahead = _free_day(head, today + timedelta(days=6), 1)
    services.visit_schedule(
        leader=head,
        data=services.VisitIn(
            kind=SessionKind.DOWN, territory=t.territory, day=ahead, start_time=time(9), end_time=time(12),
            place=f"{t.territory.name}人民政府会议室", purpose="大下访：听取群众对道路积水、子女入学的意见",
        ),
        actor=dispatcher,
    )  # fmt: skip
    soon = _free_day(deputy, today + timedelta(days=3), 1)
    appointment = services.visit_schedule(
        leader=deputy,
        data=services.VisitIn(
            kind=SessionKind.APPOINTMENT, territory=t.villages[-1], day=soon, start_time=time(15), end_time=time(16),
            place="县信访局领导接待室", purpose="约访：低保资格复核", capacity=3,
        ),
        actor=dispatcher,
    )  # fmt: skip
    services.booking_create(
        session=appointment,
        data=services.BookingIn(
            name="张桂兰", phone="13912345678", title="低保资格复核", content="家中老人患病，低保被取消"
        ),
        actor=dispatcher,
    )
    return {"reception_visits_down": 2, "reception_appointments": 1, "reception_visit_received": received}
