"""Demo outreach (called once at the end of huiyin/demo/builder.py): a year of pairings and 民情日记 in
every village, a few problems turned into cases at the township offices, public commitments in every
state with progress and citizens' ratings. Deterministic with the demo's seed."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from huiyin.core import timeutil
from huiyin.outreach import services
from huiyin.outreach.choices import CommitmentAction, CommitmentStatus, PairingKind, PointKind
from huiyin.outreach.models import Commitment, CommitmentRating, CommitmentUpdate, LiaisonPoint, Pairing

HEARD = [
    ("反映村里灌溉渠堵塞，春耕用水困难", "灌溉渠堵塞需清淤"),
    ("询问新农合报销比例和办理地点", ""),
    ("反映村口道路雨后积水，老人出行不便", "村口道路积水需修排水沟"),
    ("反映低保评定结果没有张榜公示", "低保评定结果未公示"),
    ("希望增加公交班次方便学生上学", "公交班次少，学生上学不便"),
    ("反映邻居违建挡住采光，双方有矛盾", "相邻违建纠纷"),
    ("询问养老保险缴费档次", ""),
    ("反映企业拖欠三名工人工资两个月", "企业拖欠工资"),
    ("家中一切正常，感谢干部常来看看", ""),
    ("反映自来水水压不足", "自来水水压不足"),
]
COMMITMENTS = [
    ("完成村级道路硬化", "全镇群众", "新修水泥路8公里并通过验收"),
    ("解决梨树村饮水安全问题", "梨树村村民", "集中供水工程建成通水，水质检测合格"),
    ("为困难群众办理医疗救助", "在册低保户和特困人员", "符合条件的申请全部在15个工作日内办结"),
    ("开通城区至乡镇公交线路", "沿线群众和学生", "新开公交线路2条，每日班次不少于12班"),
    ("清理拖欠农民工工资", "在建工程项目农民工", "在建项目欠薪动态清零"),
    ("改造老旧小区雨污管网", "城关街道三个老旧小区居民", "管网改造完工，雨季不再内涝"),
]


def _day(today: date, days_ago: int) -> date:
    return today - timedelta(days=days_ago)


def build_outreach(org: Any, rng: random.Random, today: date | None = None) -> dict[str, int]:
    """The outreach season (receipt codes of the cases found on visits are seeded by the builder)."""
    return _build(org, rng, today or timeutil.today())


def _build(org: Any, rng: random.Random, today: date) -> dict[str, int]:
    users = org.users
    now = timezone.now()
    counts = {"points": 0, "pairings": 0, "entries": 0, "cases": 0, "commitments": 0, "ratings": 0}
    departments = list(org.departments.values())
    year_ago = _day(today, 365)
    for ti, t in enumerate(org.townships):
        grid = users[f"grid_{t.pinyin}"]
        handler = users[f"handler_{t.pinyin}"]
        for vi, village in enumerate(t.villages):
            kind = PointKind.VILLAGE
            v_point = LiaisonPoint.objects.create(kind=kind, name=village.name, territory=village)
            points = [v_point]
            pairings = [
                Pairing.objects.create(
                    kind=PairingKind.DEPT_VILLAGE,
                    point=v_point,
                    unit=departments[(ti * 3 + vi) % len(departments)],
                    starts_on=year_ago,
                    created_at=now,
                    created_by=users["admin"],
                )
            ]
            # households (a label, never a name: staff see who was met in the diary, nobody else)
            for h in range(2):
                hh = LiaisonPoint.objects.create(
                    kind=PointKind.HOUSEHOLD, name=f"{h + 2}组困难户{h + 1}", territory=village
                )
                points.append(hh)
                cadre = grid if vi == 0 else handler
                pairings.append(
                    Pairing.objects.create(
                        kind=PairingKind.CADRE_HOUSEHOLD,
                        point=hh,
                        unit=cadre.unit,
                        cadre=cadre,
                        starts_on=year_ago,
                        created_at=now,
                        created_by=users["admin"],
                    )
                )
            if vi == 1:
                firm = LiaisonPoint.objects.create(
                    kind=PointKind.ENTERPRISE, name=f"{village.name}农产品加工厂", territory=village
                )
                points.append(firm)
                pairings.append(
                    Pairing.objects.create(
                        kind=PairingKind.DEPT_ENTERPRISE,
                        point=firm,
                        unit=org.departments["rs"],
                        cadre=users["handler_rs"],
                        starts_on=year_ago,
                        created_at=now,
                        created_by=users["admin"],
                    )
                )
            counts["points"] += len(points)
            counts["pairings"] += len(pairings)
            # a year of visits: roughly the norm, some points missed in some periods
            for p in pairings:
                step = 30 if p.kind == PairingKind.CADRE_HOUSEHOLD else 90
                author = p.cadre or users.get("handler_" + _short(org, p.unit)) or handler
                offset = rng.randrange(0, 20)
                while offset < 365:
                    if rng.random() < 0.8:
                        heard, problem = HEARD[rng.randrange(len(HEARD))]
                        services.diary_entry_create(
                            data=services.EntryIn(
                                point=p.point,
                                pairing=p,
                                visited_on=_day(today, offset),
                                place=f"{village.name}{p.point.name if p.point.kind != 'village' else '村委会'}",
                                people_met="走访群众（演示）",
                                heard=heard,
                                problems=[problem] if problem else [],
                            ),
                            actor=author,
                        )
                        counts["entries"] += 1
                    offset += step + rng.randrange(-5, 10)
        # one problem per township becomes a case at its office (变上访为下访), with consent
        from huiyin.outreach.models import Problem

        found = Problem.objects.filter(entry__author=grid).order_by("pk").first()
        if found is not None and ti % 2 == 0:
            services.problem_to_case(
                problem=found,
                data=services.CaseFromProblemIn(
                    title=found.text[:60],
                    request="请尽快解决",
                    person_name="走访群众（演示）",
                    consent_given=True,
                    consent_note="当面口头同意登记（演示）",
                ),
                actor=grid,
            )
            counts["cases"] += 1
    counts.update(_commitments(org, rng, today))
    # a 民情恳谈会 in every other township: one issue answered on the spot, one still to answer
    for t in org.townships[::2]:
        grid = users[f"grid_{t.pinyin}"]
        meeting = services.meeting_create(
            data=services.MeetingIn(
                kind="talk",
                title=f"{t.villages[0].name}民情恳谈会",
                held_on=_day(today, 20 + rng.randrange(30)),
                place=f"{t.villages[0].name}村（居）委会会议室",
                territory=t.villages[0],
                attendees="村（居）民代表、驻村干部（演示）",
                issues=["希望增加路灯", "询问医保缴费时间"],
            ),
            actor=grid,
        )
        first = meeting.issues.order_by("pk").first()
        if first is not None:
            services.meeting_issue_answer(issue=first, answer="已纳入今年村级亮化计划（演示）", actor=grid)
        counts["meetings"] = counts.get("meetings", 0) + 1
    # 为民办实事: three proposals — one listed for the year, one declined with its reason, one pending
    from decimal import Decimal

    leader = users["leader"]
    village = org.townships[3].villages[0]
    ideas = [
        ("修建便民桥", "雨季河水上涨，学生绕行"),
        ("建设村级文化广场", "村里没有活动场地"),
        ("增设公交站台", "候车无遮挡"),
    ]
    made = [
        services.proposal_submit(contact=f"1370000{n:04d}", title=t, description=d, territory=village)
        for n, (t, d) in enumerate(ideas)
    ]
    services.proposal_select(
        proposal=made[0],
        data=services.SelectionIn(
            owner=org.departments["jt"],
            year=today.year,
            budget=Decimal("45.00"),
            measure="便民桥建成通行",
            due_on=today + timedelta(days=200),
            beneficiaries=f"{village.name}群众",
        ),
        actor=leader,
    )
    services.proposal_decline(proposal=made[1], reason="已纳入明年乡村振兴项目统筹建设（演示）", actor=leader)
    counts["proposals"] = len(made)
    # one consultation on a major decision: comments, the office's responses, a hearing
    head = users["head_zj"]
    c = services.consultation_publish(
        title="城关街道老旧小区改造方案（征求意见稿）",
        draft="拟对新华、人民路、文昌三个小区实施雨污分流、加装电梯和停车位改造，居民出资比例为……（演示）",
        territory=org.townships[0].territory,
        opens_on=today - timedelta(days=25),
        closes_on=today + timedelta(days=5),
        actor=head,
    )
    said = [
        ("建议加装电梯按楼栋征求意见", "李建国", "adopted", "已改为每栋楼三分之二以上住户同意后实施"),
        ("居民出资比例过高", "", "partly", "低保户和特困户出资全免，其余比例不变"),
        ("希望取消停车位收费", "", "not_adopted", "停车位维护费用须按物价部门标准收取"),
    ]
    for n, (text, name, response, reason) in enumerate(said):
        comment = services.consultation_comment(
            consultation=c, contact=f"1360000{n:04d}", text=text, public_name=name
        )
        services.comment_respond(comment=comment, response=response, reason=reason + "（演示）", actor=head)
    services.hearing_record(
        consultation=c,
        held_on=today - timedelta(days=3),
        place="城关街道办事处会议室",
        participants="居民代表15人、人大代表2人、政协委员1人（演示）",
        minutes="与会代表对改造方案逐项发表意见……（演示）",
        actor=head,
    )
    return counts


def _short(org: Any, unit: Any) -> str:
    return next((k for k, u in org.departments.items() if u.pk == unit.pk), "")


def _commitments(org: Any, rng: random.Random, today: date) -> dict[str, int]:
    """Six promises: kept on time, kept late, broken, overdue, ongoing, just published."""
    users = org.users
    heads = [users["head_zj"], users["head_jt"], users["head_mz"], users["head_rs"]]
    towns = org.townships
    plans = [  # (published days ago, due days ago (negative: ahead), closing action, closed days ago)
        (300, 120, CommitmentAction.FULFIL, 130),
        (280, 100, CommitmentAction.FULFIL, 80),
        (250, 60, CommitmentAction.BREAK, 55),
        (200, 20, None, 0),
        (120, -60, None, 0),
        (10, -150, None, 0),
    ]
    ratings = 0
    for i, ((title, who, measure), (pub, due, action, closed)) in enumerate(
        zip(COMMITMENTS, plans, strict=True)
    ):
        head = heads[i % len(heads)]
        c = Commitment.objects.create(
            unit=head.unit,
            territory=towns[i % len(towns)].territory,
            title=title,
            beneficiaries=who,
            measure=measure,
            due_on=_day(today, due),
            published_by=head,
            published_at=timezone.now() - timedelta(days=pub),
        )
        for k, pct in enumerate((30, 60)):
            CommitmentUpdate.objects.create(
                commitment=c,
                action=CommitmentAction.PROGRESS,
                text=f"第{k + 1}阶段工作完成（演示）",
                progress=pct,
                actor=head,
                created_at=timezone.now() - timedelta(days=pub - 30 * (k + 1)),
            )
        if action is not None:
            kept = action == CommitmentAction.FULFIL
            CommitmentUpdate.objects.create(
                commitment=c,
                action=action,
                text="已全部完成并通过验收（演示）" if kept else "因资金未落实未能兑现（演示）",
                progress=100 if kept else 60,
                actor=head,
                created_at=timezone.now() - timedelta(days=closed),
            )
            c.status = CommitmentStatus.FULFILLED if kept else CommitmentStatus.BROKEN
            c.closed_on = _day(today, closed)
            c.save(update_fields=["status", "closed_on"])
        if due >= 0:  # due: citizens have rated it
            for n in range(rng.randrange(5, 12)):
                good = rng.random() < (0.95 if action == CommitmentAction.FULFIL else 0.4)
                CommitmentRating.objects.create(
                    commitment=c,
                    voter_hash=services.voter_hash(f"1390000{i:02d}{n:02d}"),
                    fulfilment="yes" if action == CommitmentAction.FULFIL else ("partly" if good else "no"),
                    satisfaction="satisfied" if good else "dissatisfied",
                    created_at=timezone.now(),
                )
                ratings += 1
    return {"commitments": len(plans), "ratings": ratings}
