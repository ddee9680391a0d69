"""The demo county's season of dispute work (deterministic with the demo's seed): for the last three
months every township holds a screening round — its villages file items or a 零报告, one point of the
latest round is still missing —; items are assigned, settled, or become 人民调解 cases; mediations
reach agreements at village level (most followed up as performed), one fails and goes to 行政调解 at a
county department, one is guided to the court; a petition goes to mediation. Written through the
services, the application's clock moved to each day like the case builder does."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db.models import F

from huiyin.core.timeutil import DemoClock
from huiyin.demo.org import DemoOrg, _DemoHasher, demo_password
from huiyin.mediation import services
from huiyin.mediation.choices import AgreementForm, Consent, CourtOutcome, MediationKind, Performance
from huiyin.org.choices import Role
from huiyin.org.models import Unit, User

STORIES = [
    ("neighbour", "两户因宅基地滴水檐越界发生争执", "张德明、李桂芳"),
    ("land", "承包地边界界桩被移动，双方各执一词", "王建国、赵小兵"),
    ("family", "老人赡养费分担不均，兄弟间矛盾", "刘大山、刘二山"),
    ("labour", "装修队拖欠三名工人工资", "陈师傅、某装修队"),
    ("environment", "养殖场气味影响周边住户", "周边住户代表、某养殖场"),
    ("property", "楼上漏水殃及楼下，维修费用争议", "孙丽、钱伟"),
    ("contract", "农资赊账款项多年未结", "吴老板、郑大伯"),
    ("expropriation", "道路拓宽占用果园补偿标准争议", "何家兄弟、镇村建办"),
]


def _month_start(day: date, back: int) -> date:
    d = day.replace(day=1)
    for _ in range(back):
        d = (d - timedelta(days=1)).replace(day=1)
    return d


def build_mediation(org: DemoOrg, rng: random.Random, today: date) -> dict[str, int]:
    """Build the season; returns counts for the demo's report."""
    clock = DemoClock()
    hasher = _DemoHasher()
    counts = {"rounds": 0, "items": 0, "mediations": 0, "agreements": 0}
    dept = org.departments.get("rs") or next(iter(org.departments.values()))
    dept_handler = User.objects.filter(unit=dept, role=Role.HANDLER).first()
    try:
        for t_index, township in enumerate(org.townships):
            committees = [Unit.objects.get(code=f"{v.code}-CW") for v in township.villages]
            mediators = []
            for c_index, committee in enumerate(committees):
                username = f"mediator_{township.pinyin}{c_index + 1}"
                mediators.append(User.objects.create(
                    username=username, full_name=f"{township.villages[c_index].name}调解员", unit=committee,
                    role=Role.MEDIATOR, password=make_password(demo_password(username), hasher=hasher),
                ))  # fmt: skip
            town_staff = User.objects.get(username=f"handler_{township.pinyin}")
            grid_worker = User.objects.get(username=f"grid_{township.pinyin}")
            for back in (2, 1, 0):
                period = _month_start(today, back)
                opened = period + timedelta(days=1)
                clock.set(min(opened, today))
                rnd = services.round_open(township=township.territory, period=period, actor=town_staff)
                counts["rounds"] += 1
                for v_index, (village, committee) in enumerate(
                    zip(township.villages, committees, strict=True)
                ):
                    reporter = grid_worker if committee.pk == grid_worker.unit_id else mediators[v_index]
                    n_items = rng.choice((0, 1, 1, 2))
                    if back == 0 and v_index == len(committees) - 1 and t_index % 2 == 0:
                        continue  # this month's report of the last village is still missing
                    day = min(period + timedelta(days=rng.randint(3, 12)), today)
                    clock.set(day)
                    if n_items == 0:
                        services.round_zero_report(round=rnd, point=village, actor=reporter)
                        continue
                    for _ in range(n_items):
                        kind, summary, parties = rng.choice(STORIES)
                        grids = [g for g in township.grids if g.parent_id == village.pk]
                        item = services.item_report(actor=reporter, territory=rng.choice(grids) if grids else village,
                                                    kind=kind, summary=summary, parties=parties,
                                                    risk=rng.choice(("ordinary", "ordinary", "serious", "major")),
                                                    round=rnd)  # fmt: skip
                        counts["items"] += 1
                        _follow(item, committee, mediators[v_index], town_staff, dept, dept_handler, rng, day,
                                today, clock, counts)  # fmt: skip
                if back != 0 or t_index % 2 == 1:
                    clock.set(min(period + timedelta(days=14), today))
                    services.round_zero_report(round=rnd, point=township.territory, actor=town_staff)
    finally:
        clock.restore()
    counts["petitions"] = _petition_mediated()
    counts["came_back"] = _came_back()
    return counts


def _came_back() -> int:
    """One village dispute settled by agreement came back as a petition at the county office (矛盾不上交
    counts it against the village): linked by the county's dispatcher, who sees both."""
    from huiyin.cases.models import Case
    from huiyin.mediation.models import Mediation
    from huiyin.org.choices import TerritoryLevel, UnitKind

    dispatcher = (
        User.objects.filter(role=Role.DISPATCHER, unit__kind=UnitKind.PETITION_OFFICE,
                            unit__territory__level=TerritoryLevel.COUNTY)
        .order_by("pk")
        .first()
    )  # fmt: skip
    if dispatcher is None or dispatcher.unit is None:
        return 0
    for m in (
        Mediation.objects.filter(dispute_id=F("pk"), item__isnull=False)
        .exclude(resolution_level="")
        .order_by("opened_at", "pk")
    ):
        case = (
            Case.objects.filter(
                office=dispatcher.unit, registered_at__gte=m.opened_at, accused_unit__isnull=True
            )
            .order_by("registered_at", "pk")
            .first()
        )
        if case is not None:
            services.dispute_link_petition(mediation=m, case=case, actor=dispatcher)
            return 1
    return 0


def _petition_mediated() -> int:
    """One petition in handling at a county department goes to 行政调解 there today; the agreement
    answers it through the workflow (条例 §33)."""
    from huiyin.cases.choices import Status
    from huiyin.cases.models import Case

    case = (
        Case.objects.filter(
            status=Status.IN_HANDLING,
            accused_unit__isnull=True,
            handling_unit__staff__role=Role.HANDLER,
            handling_unit__territory__level=3,
        )
        .order_by("registered_at", "pk")
        .first()
    )
    if case is None:
        return 0
    handler = User.objects.filter(unit=case.handling_unit, role=Role.HANDLER).order_by("pk").first()
    assert handler is not None and handler.unit is not None
    m = services.mediation_from_case(
        case=case,
        actor=handler,
        organ=handler.unit,
        kind=MediationKind.ADMINISTRATIVE,
        respondents=["用人单位"],
    )
    for p in m.parties.all():
        services.party_consent(party=p, actor=handler, consent=Consent.GIVEN)
    services.mediation_start(mediation=m, actor=handler)
    services.session_record(mediation=m, actor=handler, held_on=timeutil_today(), place=f"{handler.unit.name}调解室",
                            attendees="信访人、用人单位代表、承办人", record="双方陈述，依法释明。")  # fmt: skip
    services.agreement_sign(mediation=m, actor=handler, form=AgreementForm.WRITTEN, facts=case.title,
                            obligations="用人单位于十日内支付所欠款项。", performance_terms="十日内一次性支付",
                            signed_on=timeutil_today(), follow_up_on=timeutil_today() + timedelta(days=10),
                            parties_signed=True, sealed=True)  # fmt: skip
    services.mediation_answer_petition(mediation=m, actor=handler)
    return 1


def timeutil_today() -> date:
    from huiyin.core import timeutil

    return timeutil.today()


def _follow(item: Any, committee: Unit, mediator: User, town_staff: User, dept: Unit, dept_handler: User | None,
            rng: random.Random, day: date, today: date, clock: DemoClock, counts: dict[str, int]) -> None:  # fmt: skip
    """What happened to an item after it was filed (a few days per step, never past today)."""
    fate = rng.random()
    if fate < 0.15:
        return  # waiting for the township
    clock.set(min(day + timedelta(days=1), today))
    services.item_assign(item=item, actor=town_staff, unit=committee, person=mediator,
                         due_on=min(day + timedelta(days=1), today) + timedelta(days=rng.choice((7, 15, 30))))  # fmt: skip
    if fate < 0.30:
        return  # being worked on (some of these run past their date: the overdue list)
    if fate < 0.40:
        services.item_settle(item=item, actor=mediator, note="经村干部释法说理，双方谅解")
        return
    m = services.mediation_from_item(item=item, actor=mediator)
    counts["mediations"] += 1
    for p in m.parties.all():
        services.party_consent(party=p, actor=mediator, consent=Consent.GIVEN)
    services.mediation_start(mediation=m, actor=mediator)
    step = min(day + timedelta(days=3), today)
    clock.set(step)
    services.session_record(mediation=m, actor=mediator, held_on=step, place=f"{committee.name[:-5]}村部调解室",
                            attendees=f"{item.parties}、{mediator.full_name}", record="听取双方陈述，释法明理。")  # fmt: skip
    if fate < 0.88:
        step = min(step + timedelta(days=4), today)
        clock.set(step)
        services.session_record(mediation=m, actor=mediator, held_on=step, place="纠纷现场",
                                attendees=f"{item.parties}、{mediator.full_name}", record="现场查看，提出调解方案。")  # fmt: skip
        services.agreement_sign(
            mediation=m, actor=mediator, form=AgreementForm.WRITTEN if fate < 0.8 else AgreementForm.ORAL,
            facts=item.summary, obligations="双方同意按调解方案处理，互不追究。", performance_terms="协议签订后十五日内履行完毕",
            signed_on=step, follow_up_on=step + timedelta(days=15), parties_signed=True, sealed=True,
        )  # fmt: skip
        counts["agreements"] += 1
        if step + timedelta(days=15) <= today:
            clock.set(step + timedelta(days=15))
            services.follow_up_record(mediation=m, actor=mediator,
                                      performance=Performance.PERFORMED if fate < 0.84 else Performance.PARTLY,
                                      note="电话回访，当事人确认。")  # fmt: skip
        return
    services.mediation_terminate(mediation=m, actor=mediator, reason="双方分歧较大，调解不成",
                                 routes_told=services.DEFAULT_ROUTES)  # fmt: skip
    if fate < 0.95 and dept_handler is not None:
        nxt = services.mediation_hand_off(
            mediation=m, actor=mediator, kind=MediationKind.ADMINISTRATIVE, organ=dept
        )
        counts["mediations"] += 1
        for p in nxt.parties.all():
            services.party_consent(party=p, actor=dept_handler, consent=Consent.GIVEN)
        services.mediation_start(mediation=nxt, actor=dept_handler)
        step = min(step + timedelta(days=5), today)
        clock.set(step)
        services.session_record(mediation=nxt, actor=dept_handler, held_on=step, place=f"{dept.name}调解室",
                                attendees=item.parties, record="依政策解释，提出处理意见。")  # fmt: skip
        services.agreement_sign(mediation=nxt, actor=dept_handler, form=AgreementForm.WRITTEN, facts=item.summary,
                                obligations="按政策标准处理。", performance_terms="三十日内履行",
                                signed_on=step, follow_up_on=step + timedelta(days=30),
                                parties_signed=True, sealed=True)  # fmt: skip
        counts["agreements"] += 1
    else:
        court = services.mediation_hand_off(mediation=m, actor=mediator, kind=MediationKind.JUDICIAL,
                                            court_name="示范县人民法院")  # fmt: skip
        if rng.random() < 0.5:
            step = min(step + timedelta(days=10), today)
            clock.set(step)
            services.court_outcome_record(mediation=court, actor=mediator, outcome=CourtOutcome.MEDIATED,
                                          on=step, note="法院调解结案")  # fmt: skip
