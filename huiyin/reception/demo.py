"""Demo data of leader reception: the roster (county, city, township and hall leaders), a season of
sessions from the rules (two months back, two months ahead), bookings and recorded outcomes — all
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
from huiyin.reception.choices import BookingChannel, BookingStatus, Level, Outcome, Weekday
from huiyin.reception.models import Booking, ReceptionLeader, Session

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
    start, end = today - timedelta(days=60), today + timedelta(days=60)
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
            if outcome == Outcome.ASSIGNED and case.status != Status.IN_HANDLING:
                outcome = Outcome.EXPLAINED  # the demo keeps every case's status as the case builder left it
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
    return {"reception_sessions": len(made), "reception_booked": booked, "reception_received": received}
