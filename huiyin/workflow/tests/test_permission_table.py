"""Who may take which action on a case: every action × every role × every side of the case.

The expected outcomes below are written out from the regulations (《信访工作条例》2022, docs/regulations.md),
not read from `transitions.TABLE` or `PERMISSIONS`: widening a rule in the code must break this test.

Each cell is one of three outcomes for a staff member of `role` working in the unit on `side`:
    INVISIBLE  the case is not theirs to see: `access_case` answers the missing-case 404
    REFUSED    they see the case, but the service refuses the action (PermissionDenied, HTTP 403)
    ALLOWED    the service lets them act (it may still stop on the case's data — a deadline passed,
               an objection pending — which is a TransitionNotAllowed, not a refusal of the person)

The case is an accusation (检举控告, 条例 §30) against a unit outside the routing chain, so the
accused side sits in the same table: the accused never sees it (§30¶3).

Org (on top of the root conftest's):
    示范县人民政府 county_gov ── 县自然资源局 nr_bureau ── 执法大队 accused (the accused unit)
                                                          ├── 第一中队 accused_sub (a sub-unit of the accused)
                                                          └── 执法大队信访室 accused_desk (its petition desk)
    示范市人民政府 city_gov ── 邻县人民政府 ── 邻县民政局 elsewhere (another county's unit)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction

from huiyin.cases.selectors import visible_to
from huiyin.cases.services import CaseIn, PetitionerIn
from huiyin.core import timeutil
from huiyin.core.errors import ApplicationError, NotFound, PermissionDenied
from huiyin.intake.services import case_register
from huiyin.org.choices import Role
from huiyin.org.choices import TerritoryLevel as L
from huiyin.org.choices import UnitKind as K
from huiyin.org.models import Territory, Unit, User
from huiyin.workflow import services as wf
from huiyin.workflow.tests.drive import REPLY, await_acceptance
from huiyin.workflow.transitions import Action as A

INVISIBLE, REFUSED, ALLOWED = "invisible", "refused", "allowed"

# --- the sides of a case (where the acting person's unit stands) --------------------------------------
OFFICE = "office"  # 示范县信访局: registered the case and routes it (条例 §22)
HANDLING = "handling"  # 住建局 (unit A): the responsible unit it is assigned to (once routed)
CO_UNIT = "co_unit"  # 东城镇人民政府: a co-handling unit (一揽子解决, §22¶1(三))
SUPERIOR = "superior"  # 示范县人民政府: above the handling unit — 复查 organ (§35), common superior (§24)
REREVIEW = "rereview"  # 示范市人民政府: above the 复查 organ — 复核 organ (§36)
PEER = "peer"  # 民政局 (unit B): another department of the same county, unrelated to the case
ELSEWHERE = "elsewhere"  # 邻县民政局: a unit of another county
ACCUSED = "accused"  # 执法大队: the accused unit itself (§30¶3)
ACCUSED_SUB = "accused_sub"  # a sub-unit of the accused
ACCUSED_DESK = "accused_desk"  # the accused unit's own petition desk

# The accused side (ADR 0005, issue 9 hole 4): the accused unit, its sub-units, its own petition desk.
SIDES = (OFFICE, HANDLING, CO_UNIT, SUPERIOR, REREVIEW, PEER, ELSEWHERE, ACCUSED, ACCUSED_SUB, ACCUSED_DESK)

# --- the scenes: a case in each status, built through the real services ----------------------------
SCENES = (
    "registered",
    "accepted",
    "in_handling",  # assigned to unit A with the township as co-handling unit, its task open
    "dispute",  # unit A objected and the office referred the competence dispute (§24)
    "replied",  # the co-unit reported, unit A replied; the opinion is not yet delivered
    "closed",
    "under_review",  # 复查 asked; the organ must first decide to accept it (山东 §43 profile)
    "review_replied",
    "under_rereview",  # 复核 asked; the 复核 organ must first decide to accept it
    "final",
)


# --- who sees the case (条例 §30¶3; SPEC §2: scope follows the unit's part in the case, and a leader's or
# supervisor's territory). A = every role, O = overseers only (leader, supervisor), · = nobody.
SEEN = """
                reg  acc  inh  dis  rep  clo  urv  rvr  urr  fin
office           A    A    A    A    A    A    A    A    A    A    registered it and routes it (§22)
handling         O    O    A    A    A    A    A    A    A    A    once it is forwarded or assigned (§22¶1)
co_unit          ·    ·    A    A    A    A    A    A    A    A    once named a co-handling unit (§22¶1(三))
superior         O    O    O    A    O    O    A    A    A    A    deciding the dispute (§24), the 复查 organ (§35)
rereview         O    O    O    O    O    O    O    O    A    A    the 复核 organ (§36)
peer             O    O    O    O    O    O    O    O    O    O    no part in the case: only its territory's overseers
elsewhere        ·    ·    ·    ·    ·    ·    ·    ·    ·    ·    another county: nobody
accused          ·    ·    ·    ·    ·    ·    ·    ·    ·    ·    §30¶3: never the accused
accused_sub      ·    ·    ·    ·    ·    ·    ·    ·    ·    ·    §30¶3: nor its sub-units
accused_desk     ·    ·    ·    ·    ·    ·    ·    ·    ·    ·    §30¶3: nor its own petition desk
"""
OVERSEERS = frozenset({Role.LEADER, Role.SUPERVISOR})
_SEEN_CODES = {"A": frozenset(Role), "O": OVERSEERS, "·": frozenset()}


def _parse_seen(text: str) -> dict[tuple[str, str], frozenset[Role]]:
    lines = [line.split() for line in text.strip().splitlines()]
    header, rows = lines[0], lines[1:]
    assert len(header) == len(SCENES)
    return {
        (row[0], scene): _SEEN_CODES[code]
        for row in rows
        for scene, code in zip(SCENES, row[1:], strict=False)
    }


SEES = _parse_seen(SEEN)

# --- who may act, by the regulations. Roles per side; a side not named may not act. ------------------
DISPATCHER = frozenset({Role.DISPATCHER})  # 信访部门办理员: the petition office's routing desk
FRONT_DESK = frozenset({Role.CLERK, Role.DISPATCHER})  # the window records what the petitioner does
WORKERS = frozenset({Role.HANDLER, Role.UNIT_HEAD})  # the staff of an organ that handles the case
HEAD = frozenset({Role.UNIT_HEAD})
HANDLERS = frozenset({Role.HANDLER})
DELIVERERS = frozenset({Role.CLERK, Role.DISPATCHER, Role.HANDLER, Role.UNIT_HEAD})
LEADER = frozenset({Role.LEADER})
# 包案 (条例 §18¶2): the office's dispatcher names a leader, or a leader whose territory covers the
# registering office takes the case (属地管理、分级负责); the township's leader is below it.
TAKE_CHARGE = {
    OFFICE: DISPATCHER | LEADER,
    HANDLING: LEADER,
    SUPERIOR: LEADER,
    REREVIEW: LEADER,
    PEER: LEADER,
}
ATTACH = "§18¶2 包案 by a leader of the office's territory or above"

SET_ACCUSED = "§30¶3 (CF-1): the office that registered it records the accused before routing (ADR 0005)"
# 条例 §28¶3 and ADR 0005: a staff member who bears the accused person's name is barred until a supervisor
# of the territory, of another unit, clears them. This accusation names nobody on the staff, so there is
# no bar and nobody may clear one; the walk with a namesake (and that the accused person never clears a
# bar) is test_accused_side.py::test_only_a_supervisor_of_another_unit_clears_a_namesake_28_3
CLEARERS: dict[str, frozenset[Role]] = {}
CLEAR_BAR = "§28¶3, ADR 0005: no namesake on the case, no bar to clear"

MAY: dict[tuple[str, A], tuple[dict[str, frozenset[Role]], str]] = {
    # 登记后区分处理: the petition office that registered the case decides what becomes of it
    ("registered", A.ACCEPT): ({OFFICE: DISPATCHER}, "§22¶1 the petition office routes"),
    ("registered", A.NOT_ACCEPT): ({OFFICE: DISPATCHER}, "§22¶1, §23¶2 the office decides, with notice"),
    ("registered", A.DIVERT): ({OFFICE: DISPATCHER}, "§22¶2, §28¶2 guided to the legal channel"),
    ("registered", A.MERGE): ({OFFICE: DISPATCHER}, "§22¶1 the office registers once"),
    ("registered", A.TRANSFER): ({OFFICE: DISPATCHER}, "§22¶1(二) 属地管理: to the competent office"),
    ("registered", A.ATTACH_LEADER): (TAKE_CHARGE, ATTACH),
    ("registered", A.SET_ACCUSED): ({OFFICE: FRONT_DESK}, SET_ACCUSED),
    ("accepted", A.ASSIGN): ({OFFICE: DISPATCHER}, "§22¶1(三) 交办 by the petition office"),
    ("accepted", A.FORWARD): ({OFFICE: DISPATCHER}, "§22¶1(一)(二) 转送 by the petition office"),
    ("accepted", A.ATTACH_LEADER): (TAKE_CHARGE, ATTACH),
    ("accepted", A.SET_ACCUSED): ({OFFICE: FRONT_DESK}, SET_ACCUSED),
    # 办理: the receiving unit objects or answers; the office that sent it verifies the objection
    ("in_handling", A.OBJECT): (
        {HANDLING: WORKERS},
        "§23¶3 the receiving unit objects within 5 working days",
    ),
    ("in_handling", A.RETURN): ({OFFICE: DISPATCHER}, "§23¶3 the forwarding office verifies and agrees"),
    ("in_handling", A.DISMISS_OBJECTION): ({OFFICE: DISPATCHER}, "§23¶3 the forwarding office verifies"),
    ("in_handling", A.EXTEND): ({HANDLING: HEAD}, "§34 extension approved by the head of the handling organ"),
    ("in_handling", A.MEDIATE): ({HANDLING: WORKERS}, "§31(四), §32 the handling organ mediates"),
    ("in_handling", A.REPLY): ({HANDLING: WORKERS}, "§32 the handling organ issues the opinion"),
    ("in_handling", A.CO_REPORT): ({CO_UNIT: WORKERS}, "§22¶1(三) a co-handling unit reports its part"),
    ("in_handling", A.REFER_DISPUTE): ({OFFICE: DISPATCHER}, "§24 the office refers a competence dispute"),
    ("in_handling", A.RECUSE): ({HANDLING: WORKERS, CO_UNIT: WORKERS}, "§28¶3 those who work the case"),
    ("in_handling", A.ACKNOWLEDGE_CONFLICT): (
        {HANDLING: WORKERS, CO_UNIT: WORKERS},
        "§28¶3 those who work the case",
    ),
    ("in_handling", A.ATTACH_LEADER): (TAKE_CHARGE, ATTACH),
    ("in_handling", A.CLEAR_CONFLICT_BAR): (CLEARERS, CLEAR_BAR),
    # issue 10 items 1 and 5: the receiving unit accepts and tells the petitioner; a handler asks for an
    # extension, the head decides (a head extends directly: EXTEND)
    ("in_handling", A.ACCEPT_ASSIGNMENT): ({HANDLING: WORKERS}, "§23¶3 the receiving organ accepts, §34"),
    ("in_handling", A.REQUEST_EXTENSION): ({HANDLING: HANDLERS}, "§34 the handler asks the head"),
    ("in_handling", A.APPROVE_EXTENSION): ({HANDLING: HEAD}, "§34 经本机关负责人批准"),
    ("in_handling", A.REFUSE_EXTENSION): ({HANDLING: HEAD}, "§34 the head may refuse"),
    # a profile may ask the head's sign-off of the 意见书 (off nationally, §32): a handler submits it
    ("in_handling", A.SUBMIT_OPINION): (
        {HANDLING: HANDLERS},
        "§32 profile opinion_signoff: draft to the head",
    ),
    ("dispute", A.DECIDE_DISPUTE): (
        {SUPERIOR: WORKERS | LEADER},
        "§24 the common superior decides (never the disputing units)",
    ),
    # 答复之后: delivery by the office or the issuing organ; the window records rating and requests
    ("replied", A.DELIVER): ({OFFICE: DELIVERERS, HANDLING: DELIVERERS}, "§32 the office or the issuer"),
    ("replied", A.RATE): ({OFFICE: FRONT_DESK}, "§21¶2 the petitioner's evaluation, at the window"),
    ("replied", A.REOPEN): ({OFFICE: DISPATCHER}, "§22¶1(三), §40 the office sends it back"),
    ("replied", A.CLOSE): ({OFFICE: FRONT_DESK}, "§32 closed by the registering office"),
    ("replied", A.REQUEST_REVIEW): ({OFFICE: FRONT_DESK}, "§35 the request, recorded at the window"),
    ("replied", A.ATTACH_LEADER): (TAKE_CHARGE, ATTACH),
    ("closed", A.RATE): ({OFFICE: FRONT_DESK}, "§21¶2 evaluation after closing"),
    ("closed", A.REQUEST_REVIEW): ({OFFICE: FRONT_DESK}, "§35 within 30 days of receipt of the opinion"),
    # 复查: the organ above the handling organ; never the handling unit or the office (§35)
    ("under_review", A.ACCEPT_REVIEW): ({SUPERIOR: WORKERS}, "§35; 山东 §43 the 复查 organ decides"),
    ("under_review", A.REVIEW_REPLY): ({SUPERIOR: WORKERS}, "§35 the organ one level above answers"),
    ("under_review", A.RECUSE): ({HANDLING: WORKERS, SUPERIOR: WORKERS}, "§28¶3 those who work the case"),
    ("under_review", A.ACKNOWLEDGE_CONFLICT): (
        {HANDLING: WORKERS, SUPERIOR: WORKERS},
        "§28¶3 those who work the case",
    ),
    ("under_review", A.ATTACH_LEADER): (TAKE_CHARGE, ATTACH),
    ("under_review", A.CLEAR_CONFLICT_BAR): (CLEARERS, CLEAR_BAR),
    ("review_replied", A.DELIVER): (
        {OFFICE: DELIVERERS, SUPERIOR: DELIVERERS},
        "§35 the office or the issuer",
    ),
    ("review_replied", A.RATE): ({OFFICE: FRONT_DESK}, "§21¶2"),
    ("review_replied", A.CLOSE): ({OFFICE: FRONT_DESK}, "§35"),
    ("review_replied", A.REQUEST_REREVIEW): ({OFFICE: FRONT_DESK}, "§36¶1 the request, at the window"),
    ("review_replied", A.ATTACH_LEADER): (TAKE_CHARGE, ATTACH),
    # 复核: the organ above the 复查 organ; only the organ the request went to decides to accept it
    ("under_rereview", A.ACCEPT_REVIEW): (
        {REREVIEW: WORKERS},
        "§36¶1; 山东 §44 the 复核 organ, not the 复查 organ",
    ),
    ("under_rereview", A.HEARING_START): ({REREVIEW: WORKERS}, "§36¶2 the 复核 organ holds the hearing"),
    ("under_rereview", A.HEARING_END): ({REREVIEW: WORKERS}, "§36¶2"),
    ("under_rereview", A.REREVIEW_REPLY): ({REREVIEW: WORKERS}, "§36¶1 the 复核 organ answers, finally"),
    ("under_rereview", A.RECUSE): (
        {HANDLING: WORKERS, SUPERIOR: WORKERS, REREVIEW: WORKERS},
        "§28¶3 those who work the case",
    ),
    ("under_rereview", A.ACKNOWLEDGE_CONFLICT): (
        {HANDLING: WORKERS, SUPERIOR: WORKERS, REREVIEW: WORKERS},
        "§28¶3 those who work the case",
    ),
    ("under_rereview", A.ATTACH_LEADER): (TAKE_CHARGE, ATTACH),
    ("under_rereview", A.CLEAR_CONFLICT_BAR): (CLEARERS, CLEAR_BAR),
    ("final", A.DELIVER): ({OFFICE: DELIVERERS, REREVIEW: DELIVERERS}, "§36 the office or the issuer"),
    ("final", A.RATE): ({OFFICE: FRONT_DESK}, "§21¶2"),
    # issue 10 (t10-types), 诉访分离: a matter for a legal procedure leaves the petition procedure when found
    ("accepted", A.DIVERT): ({OFFICE: DISPATCHER}, "§22¶2, §28¶2 found after acceptance, before routing"),
    ("in_handling", A.DIVERT_IN_HANDLING): (
        {OFFICE: DISPATCHER, HANDLING: WORKERS},
        "§28¶2, §31(一)–(五) the handling organ (or the office) finds a litigation or discipline matter",
    ),
}

# t10-rules, RG-3 (条例 §23¶1): the triage of a petition a unit other than the petition office received
# directly belongs to that unit; this accusation was registered by the petition office, so nobody may
# (the office routes it under §22). The unit's own walk: huiyin/workflow/tests/test_direct_intake.py.
DIRECT = "§23¶1 only the unit (not the petition office) that registered what it received directly"
MAY[("registered", A.DIRECT_HANDLE)] = ({}, DIRECT)
MAY[("registered", A.DIRECT_ROUTE)] = ({}, DIRECT)
MAY[("registered", A.DIRECT_REDIRECT)] = ({}, DIRECT)


def expected(scene: str, action: A, side: str, role: Role) -> str:
    if role not in SEES[(side, scene)]:
        return INVISIBLE
    may, _article = MAY[(scene, action)]
    return ALLOWED if role in may.get(side, frozenset()) else REFUSED


# --- the world -----------------------------------------------------------------------------------


@dataclass
class World:
    org: Any
    units: dict[str, Unit]
    people: dict[tuple[str, Role], User]
    other_case: Any = None

    def person(self, side: str, role: Role) -> User:
        return self.people[(side, role)]


@pytest.fixture
def world(org) -> World:
    county = org.county
    nr_bureau = Unit.objects.create(
        code="X-ZR",
        name="示范县自然资源局",
        kind=K.NATURAL_RESOURCES,
        territory=county,
        parent=org.county_gov,
    )
    accused = Unit.objects.create(
        code="X-ZR-ZF",
        name="县自然资源局执法大队",
        kind=K.NATURAL_RESOURCES,
        territory=county,
        parent=nr_bureau,
    )
    accused_sub = Unit.objects.create(
        code="X-ZR-ZF1", name="执法大队第一中队", kind=K.NATURAL_RESOURCES, territory=county, parent=accused
    )
    accused_desk = Unit.objects.create(
        code="X-ZR-ZF-XF", name="执法大队信访室", kind=K.PETITION_OFFICE, territory=county, parent=accused
    )
    other_county = Territory.objects.create(code="430122", name="邻县", level=L.COUNTY, parent=org.city)
    other_gov = Unit.objects.create(
        code="Y-GOV", name="邻县人民政府", kind=K.GOVERNMENT, territory=other_county, parent=org.city_gov
    )
    elsewhere = Unit.objects.create(
        code="Y-MZ", name="邻县民政局", kind=K.CIVIL_AFFAIRS, territory=other_county, parent=other_gov
    )
    units = {
        OFFICE: org.county_office,
        HANDLING: org.unit_a,
        CO_UNIT: org.township_gov,
        SUPERIOR: org.county_gov,
        REREVIEW: org.city_gov,
        PEER: org.unit_b,
        ELSEWHERE: elsewhere,
        ACCUSED: accused,
        ACCUSED_SUB: accused_sub,
        ACCUSED_DESK: accused_desk,
    }
    User.objects.bulk_create(
        User(username=f"{side}-{role}", full_name=f"{side}/{role}", password="!", unit=unit, role=role)
        for side, unit in units.items()
        for role in Role
    )
    people = {
        (u.username.split("-")[0], Role(u.role)): u for u in User.objects.filter(username__contains="-")
    }
    return World(org=org, units=units, people=people)


def _register(w: World) -> Any:
    data = CaseIn(
        channel="visit",
        petition_type="accusation",
        title="执法大队违规收费",
        content="县自然资源局执法大队在办理宅基地审批时违规收取费用。",
        request="请依法查处",
        accused_unit_id=w.units[ACCUSED].pk,
        petitioners=[
            PetitionerIn(
                name="刘群众", id_number="11010519491231002X", phone="13800001234", address="东城镇柳林村"
            )
        ],
    )
    case, _ = case_register(data=data, office=w.units[OFFICE], actor=w.person(OFFICE, Role.CLERK))
    return case


def build(scene: str, w: World) -> Any:
    """The accusation driven into `scene` by the people whose job each step is."""
    clerk, dispatcher = w.person(OFFICE, Role.CLERK), w.person(OFFICE, Role.DISPATCHER)
    handler, co_handler = w.person(HANDLING, Role.HANDLER), w.person(CO_UNIT, Role.HANDLER)
    reviewer, rereviewer = w.person(SUPERIOR, Role.HANDLER), w.person(REREVIEW, Role.HANDLER)
    w.other_case = _register(w)  # a live case of the same office to merge into
    case = _register(w)
    if scene == "registered":
        return case
    case = wf.case_accept(case=case, actor=dispatcher)
    if scene == "accepted":
        return case
    case = wf.case_assign(
        case=case,
        actor=dispatcher,
        unit=w.units[HANDLING],
        deadline=timeutil.today() + timedelta(days=20),
        instructions="请核实",
        co_units=[w.units[CO_UNIT]],
    )
    if scene == "in_handling":
        return case
    if scene == "dispute":
        case = wf.case_object(case=case, actor=handler, reason="属东城镇职责")
        return wf.case_refer_dispute(
            case=case, actor=dispatcher, units=[w.units[CO_UNIT]], reason="两家均认为不属本单位"
        )
    case = wf.case_co_report(case=case, actor=co_handler, report="已完成本单位负责的部分")
    case = wf.case_accept_assignment(case=case, actor=handler)  # 条例 §23¶3
    case = wf.case_reply(case=case, actor=handler, **REPLY)
    if scene == "replied":
        return case
    case = wf.case_deliver(case=case, actor=clerk, method="in_person")
    if scene == "closed":
        return wf.case_close(case=case, actor=clerk, root_cause="not_from_duty")
    case = await_acceptance(wf.case_request_review(case=case, actor=clerk, reason="不服"))
    if scene == "under_review":
        return case
    case = wf.case_accept_review(case=case, actor=reviewer)
    case = wf.case_review_reply(case=case, actor=reviewer, **_NO_COMPLETION)
    if scene == "review_replied":
        return case
    case = wf.case_deliver(case=case, actor=clerk, method="in_person")
    case = await_acceptance(wf.case_request_rereview(case=case, actor=clerk, reason="仍不服"))
    if scene == "under_rereview":
        return case
    case = wf.case_accept_review(case=case, actor=rereviewer)
    case = wf.case_rereview_reply(case=case, actor=rereviewer, **_NO_COMPLETION)
    assert scene == "final"
    return case


_NO_COMPLETION = {k: v for k, v in REPLY.items() if k != "completion_report"}


def params(action: A, w: World) -> dict[str, Any]:
    """Well-formed parameters for each action, so that only the question of who acts remains."""
    later = timeutil.today() + timedelta(days=20)
    return {
        A.ACCEPT: {},
        A.NOT_ACCEPT: {"reason_code": "not_petition", "reason": "不属于信访事项"},
        A.DIVERT: {"target": "litigation", "guidance": "请向人民法院提起诉讼"},
        A.MERGE: {"into": w.other_case},
        A.TRANSFER: {"to_office": w.org.city_office, "reason": "属市级职权"},
        A.ASSIGN: {"unit": w.units[PEER], "deadline": later, "instructions": "请核实"},
        A.FORWARD: {"unit": w.units[PEER]},
        A.OBJECT: {"reason": "不属本单位职责"},
        A.RETURN: {},
        A.DISMISS_OBJECTION: {"reason": "属你单位职责"},
        A.EXTEND: {"days": 10, "reason": "情况复杂"},
        A.MEDIATE: {"agreement": "双方同意……", "facts_reasons": "经调解达成一致"},
        A.REPLY: REPLY,
        A.DELIVER: {"method": "in_person"},
        A.RATE: {"rating": "satisfied", "solved": True},
        A.REOPEN: {"reason": "支持意见未落实"},
        A.CLOSE: {"root_cause": "not_from_duty"},
        A.REQUEST_REVIEW: {"reason": "不服"},
        A.REVIEW_REPLY: _NO_COMPLETION,
        A.REQUEST_REREVIEW: {"reason": "仍不服"},
        A.HEARING_START: {},
        A.HEARING_END: {},
        A.REREVIEW_REPLY: _NO_COMPLETION,
        A.CO_REPORT: {"report": "已完成本单位负责的部分"},
        A.REFER_DISPUTE: {"units": [w.units[CO_UNIT]], "reason": "两家均认为不属本单位"},
        A.DECIDE_DISPUTE: {"unit": w.units[HANDLING], "reason": "属住建职责"},
        A.ATTACH_LEADER: {},
        A.RECUSE: {"reason": "与信访人系亲属"},
        A.ACKNOWLEDGE_CONFLICT: {"reason": "同名不同人，已核实"},
        A.ACCEPT_REVIEW: {},
        A.SET_ACCUSED: {"accused_unit": w.units[ACCUSED], "reason": "核实被反映单位"},
        A.CLEAR_CONFLICT_BAR: {"staff": w.person(HANDLING, Role.HANDLER), "reason": "同名不同人"},
        A.ACCEPT_ASSIGNMENT: {"notice_method": "electronic"},
        A.REQUEST_EXTENSION: {"days": 10, "reason": "需现场勘验"},
        A.APPROVE_EXTENSION: {},
        A.REFUSE_EXTENSION: {"reason": "可在期限内办结"},
        A.SUBMIT_OPINION: REPLY,
        A.DIVERT_IN_HANDLING: {"target": "discipline", "guidance": "属纪检监察机关受理的检举控告，已告知"},
        # t10-rules, RG-3
        A.DIRECT_HANDLE: {"guidance": "由本单位办理，60日内答复"},
        A.DIRECT_ROUTE: {"unit": w.units[PEER]},
        A.DIRECT_REDIRECT: {"organ": "县人民法院", "guidance": "请向人民法院提出"},
    }[action]


class _Undo(Exception):
    pass


def sees(case: Any, user: User) -> bool:
    """Whether the case is among those the user may see (`access_case` answers 404 otherwise)."""
    return visible_to(user).filter(pk=case.pk).exists()


def may_act(case: Any, action: A, user: User, sides: set[Any]) -> str:
    """The permission check the services and `allowed_actions` make: role and side, then who-guards."""
    try:
        wf.ensure_actor_may(user, action, case, sides)
        if action in wf.ACTOR_GUARDS:
            wf.ACTOR_GUARDS[action](case, user, wf.interest_of(user, case))
    except PermissionDenied:
        return REFUSED
    except ApplicationError:
        return ALLOWED  # past the who-may check, stopped by the case's own data
    return ALLOWED


def service_outcome(case: Any, action: A, user: User, w: World) -> str:
    """What the real service answers when `user` tries `action` (rolled back afterwards)."""
    try:
        with transaction.atomic():
            wf.perform(action, case=case, actor=user, **params(action, w))
            raise _Undo  # it went through: roll it back so the next person meets the same case
    except _Undo:
        return ALLOWED
    except PermissionDenied:
        return REFUSED
    except NotFound as exc:
        return f"error: {exc.message}"
    except ApplicationError:
        return ALLOWED  # past the who-may check, stopped by the case's own data (a clock, an objection)


def _near_miss(scene: str, action: A, side: str, role: Role) -> bool:
    """Cells worth the full service call: allowed ones, and the right role on the wrong side or the
    wrong role on the right side."""
    may, _article = MAY[(scene, action)]
    return side in may or any(role in roles for roles in may.values())


def _mismatches(scene: str, case: Any, sides: tuple[str, ...], w: World, *, services: bool) -> list[str]:
    wrong = []
    rows = [(action, article) for (row_scene, action), (_may, article) in MAY.items() if row_scene == scene]
    for side in sides:
        for role in Role:
            user = w.person(side, role)
            visible = sees(case, user)
            actor_sides = wf.actor_sides(user, case) if visible else set()
            for action, article in rows:
                want = expected(scene, action, side, role)
                got = may_act(case, action, user, actor_sides) if visible else INVISIBLE
                if got != want:
                    wrong.append(f"{action} by {role} at {side}: expected {want}, got {got}  [{article}]")
                elif services and visible and _near_miss(scene, action, side, role):
                    got = service_outcome(case, action, user, w)
                    if got != want:
                        wrong.append(
                            f"{action} by {role} at {side} (service): expected {want}, got {got}  [{article}]"
                        )
    return wrong


def test_the_table_covers_every_action_and_every_side():
    assert {action for _scene, action in MAY} == set(A)
    assert {scene for scene, _action in MAY} == set(SCENES)
    assert {side for side, _scene in SEES} == set(SIDES)


@pytest.mark.parametrize("scene", SCENES)
def test_who_may_take_each_action_follows_the_regulations(scene, world):
    # given the accusation in `scene`, when each role on each side of it tries each action possible there
    case = build(scene, world)
    # then each is allowed, refused or never sees the case exactly as the regulations say
    wrong = _mismatches(scene, case, SIDES, world, services=True)
    assert not wrong, f"{len(wrong)} cells differ from the regulations:\n" + "\n".join(wrong)


# --- the same rules through the public API (a representative slice; the table above is the whole) ----
# (action, side, role, body, HTTP status), tried in this order on one case in handling.
API_SLICE = [
    (A.REPLY, OFFICE, Role.DISPATCHER, REPLY, 403),  # §32: the office does not answer for the unit
    (A.RETURN, HANDLING, Role.HANDLER, {}, 403),  # §23¶3: the unit does not accept its own objection
    (A.FORWARD, HANDLING, Role.UNIT_HEAD, {"unit": "peer"}, 409),  # §22: routing is over (not in the table)
    (A.EXTEND, HANDLING, Role.HANDLER, {"days": 10, "reason": "情况复杂"}, 403),  # §34: the head only
    (A.DECIDE_DISPUTE, SUPERIOR, Role.HANDLER, {"unit": "handling", "reason": "属住建"}, 404),  # no part yet
    (A.REPLY, ACCUSED, Role.UNIT_HEAD, REPLY, 404),  # §30¶3: the accused gets the missing-case answer
    (A.REPLY, ELSEWHERE, Role.UNIT_HEAD, REPLY, 404),
    (A.EXTEND, HANDLING, Role.UNIT_HEAD, {"days": 10, "reason": "情况复杂"}, 200),  # §34
    (A.CO_REPORT, CO_UNIT, Role.HANDLER, {"report": "已完成本单位负责的部分"}, 200),  # §22¶1(三)
    (A.ATTACH_LEADER, SUPERIOR, Role.LEADER, {}, 200),  # §18¶2
]


def test_the_api_answers_who_may_act_as_the_regulations_say(world, client):
    # given the accusation in handling at unit A, the township co-handling
    case = build("in_handling", world)
    # and accepted by unit A (条例 §23¶3), so that its head may extend its 60 days (§34)
    case = wf.case_accept_assignment(case=case, actor=world.person(HANDLING, Role.UNIT_HEAD))
    for action, side, role, body, status in API_SLICE:
        body = {k: world.units[v].pk if k == "unit" else v for k, v in body.items()}
        client.force_login(world.person(side, role))
        # when that person posts the action with a well-formed body
        response = client.post(
            f"/api/cases/{case.code}/actions/{action}", data=body, content_type="application/json"
        )
        # then the API answers as the table says: 200 done, 403 refused, 404 as for a missing case
        assert response.status_code == status, (action, side, role, response.content.decode()[:300])
        if status == 404:
            missing = client.post(
                f"/api/cases/HY000000AAAAAA/actions/{action}", data=body, content_type="application/json"
            )
            assert (missing.status_code, missing.json()) == (404, response.json())
