"""Demo cases driven through the workflow services on past dates, so clocks are really yellow, red or met.

Each case follows a story (registered only, diverted, handled and closed, reviewed, final after
复核 …). The story's steps are spaced by plausible gaps and the whole story is placed in the past so
that its last step happened `tail` days ago; the application's clock (`core.timeutil.now`) is moved
to each step's day, exactly as the tests' `clock` fixture does. Nothing sets a status directly.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from huiyin.cases.choices import (
    OPEN_STATUSES,
    Adoption,
    Channel,
    Decision,
    DeliveryMethod,
    DivertTarget,
    NotAcceptedReason,
    PetitionType,
    Rating,
    RootCause,
    Status,
)
from huiyin.cases.choices import Outcome as CaseOutcome
from huiyin.cases.models import Case, Category
from huiyin.cases.services import CaseIn, PetitionerIn
from huiyin.core import timeutil
from huiyin.core.errors import ApplicationError
from huiyin.core.timeutil import DemoClock
from huiyin.demo.messages import Message, MessageSource
from huiyin.demo.org import DemoOrg, Township
from huiyin.demo.people import PetitionerPool
from huiyin.intake.services import case_register
from huiyin.org.models import Unit, User
from huiyin.workflow import services as wf

# Which county department answers a first-level class (the rest go to the township government).
UNITS_BY_LABEL = {
    "城乡建设": ("zj", "zr", "cg"),
    "劳动和社会保障": ("rs", "mz"),
    "教育文体": ("jy",),
    "商贸旅游": ("sj",),
    "环境保护": ("hb",),
    "卫生计生": ("wj",),
    "交通运输": ("jt",),
}
LEGAL_BASIS = {
    "城乡建设": "《物业管理条例》第三十五条；《中华人民共和国城乡规划法》第六十四条",
    "劳动和社会保障": "《中华人民共和国劳动合同法》第三十条；《保障农民工工资支付条例》第三条",
    "教育文体": "《中华人民共和国义务教育法》第十二条；《中小学服务性收费和代收费管理规定》",
    "商贸旅游": "《中华人民共和国消费者权益保护法》第二十四条",
    "环境保护": "《中华人民共和国噪声污染防治法》第六十一条；《中华人民共和国大气污染防治法》第八十一条",
    "卫生计生": "《中华人民共和国基本医疗卫生与健康促进法》第三十三条",
    "交通运输": "《中华人民共和国道路交通安全法》第二十八条",
}
REGULATION = "《信访工作条例》第三十二条"
REQUESTS = [
    "请求有关部门调查核实并依法处理：{title}",
    "希望尽快解决{title}的问题，并给予书面答复",
    "请求相关单位督促整改，保障合法权益",
    "请求政府出面协调解决",
]

# (story, weight): the mix of a county petition office's year, roughly.
STORIES: list[tuple[str, int]] = [
    ("registered", 8),
    ("not_accept", 3),
    ("divert", 3),
    ("merge", 2),
    ("transfer", 2),
    ("accepted", 5),
    ("in_handling", 22),
    ("replied", 9),
    ("closed", 24),
    ("mediated", 3),
    ("reopened", 2),
    ("under_review", 6),
    ("review_replied", 4),
    ("review_closed", 2),
    ("under_rereview", 3),
    ("final", 3),
]
REVIEW_STORIES = {"under_review", "review_replied", "review_closed", "under_rereview", "final"}
SIMPLE_STORIES = {"registered", "accepted", "in_handling", "replied", "closed", "divert", "not_accept"}
EARLIEST_DAYS_AGO = 330

# 条例 §29: how the demo's suggestions were answered (HD-2).
ADOPTION_REPLIES = {
    Adoption.ADOPTED: "该建议科学合理、具有现实可行性，予以采纳，已交相关部门落实。",
    Adoption.PARTLY_ADOPTED: "该建议部分内容具有可行性，予以部分采纳，其余部分将在后续工作中研究。",
    Adoption.NOT_ADOPTED: "该建议目前不具备实施条件，暂不予采纳，感谢您的关心和支持。",
}
# 条例 §42 (SV-5): the root causes recorded when demo cases close, roughly.
ROOT_CAUSE_WEIGHTS = {
    RootCause.NOT_FROM_DUTY: 62,
    RootCause.INACTION: 14,
    RootCause.WRONG_LAW_OR_PROCEDURE: 6,
    RootCause.NON_EXECUTION: 4,
    RootCause.ABUSE_OF_POWER: 2,
    RootCause.UNDETERMINED: 12,
}

Step = tuple[int, Callable[[Case], Case]]


@dataclass
class Plan:
    """Who is who for one case."""

    story: str
    message: Message
    label: str
    office: Unit
    township: Township
    front: User  # registers, delivers, records ratings and review requests (office side)
    dispatcher: User  # accepts and routes
    handling: Unit
    handler: User
    head: User | None
    accusation: bool = False
    identity_unclear: bool = False
    steps: list[Step] = field(default_factory=list)


@dataclass
class Outcome:
    stories: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)


class CaseBuilder:
    def __init__(self, org: DemoOrg, rng: random.Random, messages: MessageSource, today: date) -> None:
        self.org = org
        self.rng = rng
        self.messages = messages
        self.today = today
        self.people = PetitionerPool(rng)
        self.clock = DemoClock()
        self.categories = {c.name: c for c in Category.objects.filter(level=1)}
        # issue 10 (t10-types): its own draws (adoption, root cause, 诉访分离 while handling), seeded from the
        # main generator's state without consuming from it, so every other story stays as it was
        self.outcome_rng = random.Random(hash(tuple(rng.getstate()[1][:8])))
        self.outcome = Outcome()

    # --- the run ------------------------------------------------------------------------------

    def build(self, count: int) -> Outcome:
        # receipt codes are seeded by the builder (cases.services.seeded_case_codes)
        try:
            names = [name for name, _ in STORIES]
            weights = [w for _, w in STORIES]
            for i in range(count):
                # The first cases walk every story once, so even a small demo covers every status.
                story = names[i] if i < len(names) else self.rng.choices(names, weights)[0]
                self._one(story)
        finally:
            self.clock.restore()
        return self.outcome

    def _one(self, story: str) -> None:
        plan = self._plan(story)
        tail_low, tail_high = self._story(plan)
        tail = self.rng.randint(tail_low, tail_high)
        span = sum(gap for gap, _ in plan.steps) + tail
        start = self.today - timedelta(days=min(span, EARLIEST_DAYS_AGO))
        day = start
        self.clock.set(day)
        try:
            case = self._register(plan)
            for index, (gap, step) in enumerate(plan.steps, start=1):
                day = min(day + timedelta(days=gap), self.today)
                self.clock.set(day, index)
                case = step(case)
        except ApplicationError as exc:
            self.outcome.failures.append(f"{story}: {exc.message} {exc.extra}")
            return
        self.outcome.stories[story] += 1

    # --- who and what -------------------------------------------------------------------------

    def _plan(self, story: str) -> Plan:
        rng, org, users = self.rng, self.org, self.org.users
        answered = story not in {"registered", "not_accept", "divert", "merge", "transfer", "accepted"}
        message = self.messages.answered() if answered else self.messages.plain()
        township = rng.choice(org.townships)
        local = story in SIMPLE_STORIES | {"under_review", "final"} and rng.random() < 0.15
        if local:  # a township's 信访办 registers and its government answers
            office, front = township.office, users[f"dispatcher_{township.pinyin}"]
            dispatcher = front
        else:
            office, front, dispatcher = org.county_office, users["clerk"], users["dispatcher"]
        if local or rng.random() < 0.2:
            handling = township.government
            handler, head = users[f"handler_{township.pinyin}"], users[f"head_{township.pinyin}"]
        else:
            short = rng.choice(UNITS_BY_LABEL[message.label])
            handling = org.departments[short]
            handler, head = users[f"handler_{short}"], users[f"head_{short}"]
        plan = Plan(
            story, message, message.label, office, township, front, dispatcher, handling, handler, head
        )
        if story in SIMPLE_STORIES and not local:
            roll = rng.random()
            if roll < 0.08:
                plan.accusation = True
                plan.handling = org.departments["jw"]  # accusations go to discipline inspection
                plan.handler, plan.head = users["handler_jw"], users["head_jw"]
            elif roll < 0.13 and story != "not_accept":
                plan.identity_unclear = True
        return plan

    def _register(self, plan: Plan) -> Case:
        rng = self.rng
        village = rng.choice(plan.township.villages)
        address = f"{self.org.county.name}{plan.township.territory.name}{village.name}"
        territory = rng.choice([village, plan.township.territory, *plan.township.grids[:2]])
        channel, actor = self._channel(plan)
        # one online accusation at least names the accused only in words, as the portal does; the
        # office then sets its accused unit before routing it (ADR 0005)
        in_words = plan.accusation and (channel == Channel.ONLINE or not getattr(self, "_in_words", False))
        if in_words:
            channel, actor = Channel.ONLINE, plan.dispatcher
            self._in_words = True
        petitioners: list[PetitionerIn] = []
        collective = False
        headcount = 1
        if not plan.identity_unclear:
            if rng.random() < 0.07 and channel == Channel.VISIT:
                collective = True
                petitioners = self.people.group(f"{address}{rng.randint(1, 12)}组", rng.randint(2, 5))
                headcount = rng.randint(max(6, len(petitioners)), 60)
            else:
                petitioners = [self.people.person(f"{address}{rng.randint(1, 12)}组{rng.randint(1, 60)}号")]
        accused_unit = None
        accused_person = ""
        if plan.accusation:
            candidates = [u for k, u in self.org.departments.items() if k not in {"jw", "zfw"}]
            accused_unit = rng.choice([*candidates, plan.township.government])
            accused_person = f"{rng.choice('王李张刘陈杨黄赵')}某（{accused_unit.name}工作人员）"
        petition_type = (
            PetitionType.ACCUSATION
            if plan.accusation
            else PetitionType.SUGGESTION
            if rng.random() < 0.08
            else PetitionType.COMPLAINT
        )
        data = CaseIn(
            channel=channel,
            petition_type=petition_type,
            title=plan.message.title,
            content=plan.message.text,
            request=rng.choice(REQUESTS).format(title=plan.message.title),
            category_id=self.categories[plan.label].pk if plan.label in self.categories else None,
            territory_id=territory.pk,
            address=address,
            accused_person=accused_person,
            accused_unit_id=accused_unit.pk if accused_unit and not in_words else None,
            is_collective=collective,
            headcount=headcount,
            identity_unclear=plan.identity_unclear,
            major_urgent=collective and rng.random() < 0.3,
            petitioners=petitioners,
        )
        case, _ = case_register(data=data, office=plan.office, actor=actor)
        if in_words and accused_unit is not None:
            case = wf.case_set_accused(
                case=case, actor=plan.dispatcher, accused_unit=accused_unit, reason="据来信内容核定被反映单位"
            )
        return case

    def _channel(self, plan: Plan) -> tuple[str, User]:
        rng, users = self.rng, self.org.users
        if plan.office != self.org.county_office:
            if rng.random() < 0.5:
                return Channel.FOUND, users[f"grid_{plan.township.pinyin}"]
            return Channel.VISIT, plan.front
        if plan.identity_unclear:
            return rng.choice([Channel.LETTER, Channel.PHONE]), plan.front
        channel = rng.choices(
            [Channel.VISIT, Channel.LETTER, Channel.PHONE, Channel.ONLINE, Channel.MAILBOX, Channel.FAX],
            [35, 15, 15, 27, 6, 2],
        )[0]
        if channel == Channel.MAILBOX:
            return channel, users["leader"]
        if channel == Channel.ONLINE:
            return channel, plan.dispatcher
        return channel, plan.front

    # --- the stories --------------------------------------------------------------------------

    def _story(self, plan: Plan) -> tuple[int, int]:
        """Fill plan.steps; return the range of days the case has sat in its last state."""
        story, r, add = plan.story, self.rng.randint, plan.steps.append
        if story == "registered":
            return 0, 22  # routing clock: yellow from day 10, red after day 15
        if story == "not_accept":
            add((r(1, 12), self._not_accept(plan)))
            return 0, 200
        if story == "divert":
            add((r(1, 10), self._divert(plan)))
            return 0, 200
        if story == "merge":
            add((r(0, 6), self._merge(plan)))
            return 0, 120
        if story == "transfer":
            add((r(0, 6), self._transfer(plan)))
            return 0, 20
        add((r(0, 4), self._accept(plan)))
        if story == "accepted":
            return 0, 18
        add((r(0, 6), self._route(plan)))
        if story == "in_handling":
            mark = len(plan.steps)
            span = self._in_handling(plan)
            if self.outcome_rng.random() < 0.12:  # 诉访分离: a litigation matter found while handling
                del plan.steps[mark:]
                add((self.outcome_rng.randint(3, 20), self._divert_in_handling(plan)))
                return 0, 150
            return span
        # 条例 §23¶3: the unit accepts within its 15 days (a few late) and the 60 days start (§34)
        add((r(0, 10) if self.rng.random() < 0.9 else r(16, 20), self._accept_assignment(plan)))
        handling_days = r(8, 40) if self.rng.random() < 0.85 else r(45, 80)  # some answer late
        if story == "mediated":
            add((handling_days, self._mediate(plan)))
            add((r(0, 5), self._deliver(plan)))
            add((r(1, 5), self._close(plan)))
            return 0, 150
        decision = Decision.SUPPORT if story == "reopened" else self._decision()
        add((handling_days, self._reply(plan, decision)))
        if story == "replied":
            if self.rng.random() < 0.4:
                add((r(1, 5), self._deliver(plan)))
            return 0, 12
        add((r(1, 6), self._deliver(plan)))
        if story == "reopened":
            add((r(1, 8), self._rate(plan, Rating.DISSATISFIED)))
            add((r(1, 5), self._reopen(plan)))
            return 0, 45
        if story == "closed":
            if not plan.identity_unclear:
                add((r(1, 8), self._rate(plan, self._rating())))
            add((r(0, 5), self._close(plan)))
            return 0, 200
        # 复查 (条例 §35): within 30 days of delivery, to the organ above the one that answered.
        add((r(1, 8), self._rate(plan, Rating.DISSATISFIED)))
        add((r(2, 20), self._request_review(plan)))
        if story == "under_review":
            return 0, 40
        add((r(8, 28), self._review_reply(plan)))
        if story == "review_replied":
            if self.rng.random() < 0.5:
                add((r(1, 5), self._deliver(plan)))
            return 0, 35
        add((r(1, 5), self._deliver(plan)))
        if story == "review_closed":
            add((r(0, 5), self._close(plan)))
            return 0, 120
        # 复核 (条例 §36): within 30 days of the review answer, to the organ above the reviewer.
        add((r(3, 25), self._request_rereview(plan)))
        if story == "under_rereview":
            if self.rng.random() < 0.4:
                add(
                    (
                        r(3, 12),
                        self._act(wf.case_hearing_start, self.org.users["rereviewer"], reason="组织听证"),
                    )
                )
            return 0, 40
        if self.rng.random() < 0.4:
            rereviewer = self.org.users["rereviewer"]
            add((r(3, 10), self._act(wf.case_hearing_start, rereviewer, reason="组织听证")))
            add((r(2, 15), self._act(wf.case_hearing_end, rereviewer, reason="听证结束")))
        add((r(5, 25), self._rereview_reply(plan)))
        add((r(1, 5), self._deliver(plan)))
        return 0, 120

    def _in_handling(self, plan: Plan) -> tuple[int, int]:
        roll, r, add = self.rng.random(), self.rng.randint, plan.steps.append
        # even a small demo shows a matter waiting for its unit's acceptance (条例 §23¶3) and a handler's
        # extension request waiting for the head (§34): the first cases in handling take those stories
        shown = self.__dict__.setdefault("_shown", Counter())
        if not shown["_awaiting_acceptance"]:
            shown["_awaiting_acceptance"] += 1
            roll = 0.25
        elif not shown["_extension_requested"] and plan.head is not None:
            shown["_extension_requested"] += 1
            roll = 0.40
        if roll < 0.10:  # the unit objects within its 5 working days; the office has not decided yet
            add(
                (
                    r(1, 3),
                    self._act(
                        wf.case_object,
                        plan.handler,
                        reason="该事项属于其他单位职责范围，建议改由相关单位办理",
                    ),
                )
            )
            return 0, 4
        if roll < 0.17:
            add(
                (
                    r(1, 3),
                    self._act(wf.case_object, plan.handler, reason="事项涉及多个部门职责，请求重新分办"),
                )
            )
            add(
                (
                    r(1, 4),
                    self._act(
                        wf.case_dismiss_objection, plan.dispatcher, reason="经核实属于该单位职责，请继续办理"
                    ),
                )
            )
            return 0, 60
        if roll < 0.22:  # objection upheld: back to the office, accepted again (status 已受理)
            add((r(1, 3), self._act(wf.case_object, plan.handler, reason="该事项不属于本单位职责")))
            add((r(1, 4), self._act(wf.case_return, plan.dispatcher, reason="同意异议，重新分办")))
            return 0, 8
        if roll < 0.30:  # 条例 §23¶3: not yet accepted — the unit's 15-day acceptance notice runs
            return 0, 20
        add((r(0, 10), self._accept_assignment(plan)))
        if roll < 0.38 and plan.head is not None:
            add((r(35, 50), self._extend(plan)))
            return 0, 40
        if roll < 0.45 and plan.head is not None:  # a handler's request waiting for the head (§34)
            add((r(35, 50), self._request_extension(plan)))
            return 0, 6
        return 0, 80  # handling clock: yellow from day 40, red after day 60

    def _decision(self) -> Decision:
        return self.rng.choices([Decision.SUPPORT, Decision.EXPLAIN, Decision.NOT_SUPPORT], [35, 45, 20])[0]

    def _rating(self) -> Rating:
        return self.rng.choices([Rating.SATISFIED, Rating.BASICALLY, Rating.DISSATISFIED], [55, 30, 15])[0]

    # --- steps (each calls exactly one workflow service) ----------------------------------------

    @staticmethod
    def _act(service: Callable[..., Case], actor: User, **params: object) -> Callable[[Case], Case]:
        return lambda case: service(case=case, actor=actor, **params)

    def _accept(self, plan: Plan) -> Callable[[Case], Case]:
        return self._act(wf.case_accept, plan.dispatcher, reason="符合受理条件")

    def _not_accept(self, plan: Plan) -> Callable[[Case], Case]:
        code = self.rng.choice(
            [
                NotAcceptedReason.NOT_PETITION,
                NotAcceptedReason.LEGAL_CHANNEL,
                NotAcceptedReason.DUPLICATE_IN_TIME,
            ]
        )
        return self._act(
            wf.case_not_accept,
            plan.dispatcher,
            reason_code=code,
            reason=f"{NotAcceptedReason(code).label}，依据《信访工作条例》第二十三条书面告知信访人。",
            notice_method=DeliveryMethod.MAIL,
        )

    def _divert(self, plan: Plan) -> Callable[[Case], Case]:
        target = self.rng.choice(list(DivertTarget))
        return self._act(
            wf.case_divert,
            plan.dispatcher,
            target=target,
            guidance=f"该诉求应通过{DivertTarget(target).label}解决，已告知信访人相关途径、受理机关和时限。",
            to_unit=self._handover_organ(target),
        )

    def _handover_organ(self, target: DivertTarget) -> Unit | None:
        """条例 §22¶2: a 纪检监察 or 政法 matter is handed over to the county's organ."""
        organs = {
            DivertTarget.DISCIPLINE: self.org.departments["jw"],
            DivertTarget.POLITICAL_LEGAL: self.org.departments["zfw"],
        }
        return organs.get(target)

    def _divert_in_handling(self, plan: Plan) -> Callable[[Case], Case]:
        """诉访分离 (条例 §28¶2): the handler finds a matter already before the court while handling it."""
        target = self.outcome_rng.choice(
            [DivertTarget.POLITICAL_LEGAL, DivertTarget.LITIGATION, DivertTarget.DISCIPLINE]
        )
        return self._act(
            wf.case_divert_in_handling,
            plan.handler,
            target=target,
            guidance="办理中查明该事项涉及诉讼权利救济，已释法明理，告知信访人依法向人民法院或政法部门反映。"
            if target != DivertTarget.DISCIPLINE
            else "办理中查明该事项属于检举控告纪检监察机关受理的范围，已按管理权限移交并告知信访人。",
            to_unit=self._handover_organ(target),
        )

    def _merge(self, plan: Plan) -> Callable[[Case], Case]:
        def step(case: Case) -> Case:
            targets = list(
                Case.objects.filter(
                    office=plan.office, status__in=(*OPEN_STATUSES, Status.REPLIED), merged_into__isnull=True
                )
                .exclude(pk=case.pk)
                .order_by("id")
                .values_list("pk", flat=True)[:50]
            )
            if not targets:
                return self._not_accept(plan)(case)
            into = Case.objects.get(pk=self.rng.choice(targets))
            return wf.case_merge(
                case=case, actor=plan.dispatcher, into=into, reason="同一信访人就同一事项重复提出"
            )

        return step

    def _transfer(self, plan: Plan) -> Callable[[Case], Case]:
        to_office = plan.township.office if plan.office == self.org.county_office else self.org.county_office
        return self._act(
            wf.case_transfer,
            plan.dispatcher,
            to_office=to_office,
            reason="按照属地管理原则，移交属地信访部门办理",
        )

    def _route(self, plan: Plan) -> Callable[[Case], Case]:
        def step(case: Case) -> Case:
            instructions = f"请{plan.handling.name}依法调查处理，按时答复信访人。"
            if self.rng.random() < 0.4:  # 交办: a deadline and a completion report
                deadline = timeutil.today() + timedelta(days=self.rng.randint(30, 60))
                return wf.case_assign(
                    case=case,
                    actor=plan.dispatcher,
                    unit=plan.handling,
                    deadline=deadline,
                    instructions=instructions,
                )
            return wf.case_forward(
                case=case, actor=plan.dispatcher, unit=plan.handling, instructions=instructions
            )

        return step

    def _accept_assignment(self, plan: Plan) -> Callable[[Case], Case]:
        return self._act(
            wf.case_accept_assignment,
            plan.handler,
            notice_method=self.rng.choice([DeliveryMethod.ELECTRONIC, DeliveryMethod.MAIL]),
        )

    def _request_extension(self, plan: Plan) -> Callable[[Case], Case]:
        return self._act(
            wf.case_request_extension,
            plan.handler,
            days=self.rng.choice([10, 15, 20]),
            reason="需现场勘验并协调相关单位，请求延长办理期限",
        )

    def _extend(self, plan: Plan) -> Callable[[Case], Case]:
        assert plan.head is not None
        return self._act(
            wf.case_extend,
            plan.head,
            days=self.rng.choice([10, 15, 20, 30]),
            reason="情况复杂，需要进一步调查核实并协调相关单位",
        )

    def _reply(self, plan: Plan, decision: Decision) -> Callable[[Case], Case]:
        facts = plan.message.reply or f"经调查核实，{plan.message.title}一事已责成相关单位处理。"

        adoption = self.outcome_rng.choices(list(Adoption), [30, 45, 25])[0]

        def step(case: Case) -> Case:
            report = f"已办结。{facts[:120]}" if case.assignment_kind == "assign" else ""
            if case.petition_type == PetitionType.SUGGESTION:
                # 条例 §29: a suggestion is answered with whether it is adopted (HD-2)
                return wf.case_reply(
                    case=case,
                    actor=plan.handler,
                    facts_reasons=f"经研究论证，{ADOPTION_REPLIES[adoption]}",
                    adoption=adoption,
                    completion_report=report,
                )
            return wf.case_reply(
                case=case,
                actor=plan.handler,
                facts_reasons=facts,
                decision=decision,
                legal_basis=f"{LEGAL_BASIS.get(plan.label, '')}；{REGULATION}",
                completion_report=report,
            )

        return step

    def _mediate(self, plan: Plan) -> Callable[[Case], Case]:
        return self._act(
            wf.case_mediate,
            plan.handler,
            agreement="经人民调解委员会主持调解，双方自愿达成协议：被申请方于三十日内完成整改并赔偿相关损失。",
            facts_reasons=plan.message.reply or "经调解，双方就争议事项达成一致。",
        )

    def _deliver(self, plan: Plan) -> Callable[[Case], Case]:
        method = (
            DeliveryMethod.NOT_OWED
            if plan.identity_unclear
            else self.rng.choice([DeliveryMethod.IN_PERSON, DeliveryMethod.MAIL, DeliveryMethod.ELECTRONIC])
        )
        return self._act(wf.case_deliver, plan.front, method=method)

    def _rate(self, plan: Plan, rating: Rating) -> Callable[[Case], Case]:
        solved = rating == Rating.SATISFIED or (rating == Rating.BASICALLY and self.rng.random() < 0.5)
        comment = {
            Rating.SATISFIED: "处理及时，满意",
            Rating.BASICALLY: "基本解决",
            Rating.DISSATISFIED: "问题未解决",
        }
        return self._act(wf.case_rate, plan.front, rating=rating, solved=solved, comment=comment[rating])

    def _close(self, plan: Plan) -> Callable[[Case], Case]:
        # 条例 §42 (SV-5): most matters do not arise from an organ's conduct; some do
        cause = self.outcome_rng.choices(list(ROOT_CAUSE_WEIGHTS), list(ROOT_CAUSE_WEIGHTS.values()))[0]
        # 条例 §27 (JU-2): the outcome follows the answer, except where hardship assistance was arranged
        outcome = CaseOutcome.ASSISTED if self.outcome_rng.random() < 0.1 else ""
        return self._act(
            wf.case_close, plan.front, reason="已答复并送达，办结", root_cause=cause, outcome=outcome
        )

    def _reopen(self, plan: Plan) -> Callable[[Case], Case]:
        return self._act(
            wf.case_reopen, plan.dispatcher, reason="支持的处理意见未落实，信访人不满意，责成重新办理"
        )

    def _request_review(self, plan: Plan) -> Callable[[Case], Case]:
        return self._act(wf.case_request_review, plan.front, reason="对处理意见不服，请求复查")

    def _review_reply(self, plan: Plan) -> Callable[[Case], Case]:
        decision = self.rng.choice([Decision.NOT_SUPPORT, Decision.EXPLAIN, Decision.SUPPORT])
        return self._act(
            wf.case_review_reply,
            self.org.users["reviewer"],
            facts_reasons=f"经复查，{plan.handling.name}作出的处理意见认定事实清楚，程序合法，适用依据正确。",
            decision=decision,
            legal_basis="《信访工作条例》第三十五条",
        )

    def _request_rereview(self, plan: Plan) -> Callable[[Case], Case]:
        return self._act(wf.case_request_rereview, plan.front, reason="对复查意见不服，请求复核")

    def _rereview_reply(self, plan: Plan) -> Callable[[Case], Case]:
        return self._act(
            wf.case_rereview_reply,
            self.org.users["rereviewer"],
            facts_reasons="经复核，复查意见认定事实清楚，处理适当，予以维持。",
            decision=Decision.NOT_SUPPORT,
            legal_basis="《信访工作条例》第三十六条",
        )
