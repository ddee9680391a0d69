"""Writes of the dispute ledger and mediation (keyword-only, typed; STYLE.md).

人民调解法 facts enforced here: mediation needs every party's consent and stops when one withdraws
(§17, §23); an agreement needs at least one recorded session (§27 work record); a written agreement
states the parties, facts, obligations and how and by when they are performed, signed and sealed
(§28–§29); termination tells the parties their legal routes (§26) — mediation never bars litigation or
arbitration (§3); the agreement is followed up (§31); 司法确认 within 30 days (§33). Where a dispute
ended is derived from the organ (or court) that reached the agreement, never typed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import transaction

from huiyin.cases.models import Case
from huiyin.core import timeutil
from huiyin.core.errors import NotFound, PermissionDenied, TransitionNotAllowed, ValidationFailed
from huiyin.mediation import transitions
from huiyin.mediation.choices import (
    AgreementForm,
    Consent,
    CourtOutcome,
    DisputeKind,
    ItemSource,
    ItemStatus,
    MediationKind,
    PartySide,
    Performance,
    ResolutionLevel,
    RiskLevel,
)
from huiyin.mediation.models import (
    Agreement,
    ItemNote,
    Mediation,
    MediationParty,
    RoundReport,
    ScreeningItem,
    ScreeningRound,
    Session,
)
from huiyin.mediation.transitions import Action, State
from huiyin.org.choices import Role, TerritoryLevel, UnitKind
from huiyin.org.models import Territory, Unit, User

# Organs that answer for a territory (and see its ledger); a department answers for what it is given.
TERRITORIAL: frozenset[str] = frozenset(
    {
        UnitKind.GOVERNMENT,
        UnitKind.PARTY_COMMITTEE,
        UnitKind.PETITION_OFFICE,
        UnitKind.JOINT_CONFERENCE,
        UnitKind.VILLAGE_COMMITTEE,
        UnitKind.POLITICAL_LEGAL,
    }
)
# 排查: who reports items and files a round's report for their point
REPORT: frozenset[str] = frozenset(
    {Role.GRID_WORKER, Role.MEDIATOR, Role.HANDLER, Role.UNIT_HEAD, Role.DISPATCHER, Role.LEADER}
)
# 交办: who at the township (or above) assigns an item a responsible unit, person and date
ASSIGN: frozenset[str] = frozenset({Role.UNIT_HEAD, Role.HANDLER, Role.DISPATCHER, Role.LEADER})

# 人民调解法 §26 — what the parties are told when mediation fails (editable before it is recorded)
DEFAULT_ROUTES = (
    "调解不成，当事人可以依法通过仲裁、行政、司法等途径维护自己的权利：可以向人民法院提起诉讼；"
    "属于劳动争议的可以申请劳动争议仲裁；属于行政机关职责的可以申请行政调解、行政裁决或行政复议。"
    "调解不影响当事人依法通过仲裁、诉讼等途径维护权利（《中华人民共和国人民调解法》第三条、第二十六条）。"
)
CONFIRMATION_DAYS = 30  # 人民调解法 §33: within 30 days of the agreement taking effect

MSG_ITEM_PLACE = "只能登记本单位所辖区域（村、网格）内的纠纷"
MSG_NOT_TOWNSHIP = "只有乡镇（街道）及以上机关可以交办排查事项"
MSG_PERSON_UNIT = "责任人须为责任单位的工作人员"
MSG_DUE_PAST = "化解期限不能早于今天"
MSG_ACCUSED_UNIT = "被反映单位及其下级不能作为该检举控告事项的责任单位（《信访工作条例》第三十条）"
MSG_CONSENT = "调解须经各方当事人同意（《人民调解法》第十七条）；尚有当事人未同意或已要求终止"
MSG_NO_SESSION = "请先记录至少一次调解（调解工作记录，《人民调解法》第二十七条）"
MSG_WRITTEN = (
    "书面调解协议须载明纠纷的主要事实、争议事项，协议内容，履行方式和期限，"
    "并经当事人签名盖章或按指印、调解员签名并加盖调解组织印章（《人民调解法》第二十九条）"
)
MSG_ALREADY_MEDIATING = "该事项已在调解中或已达成协议，请在调解页面继续（转调解、以协议答复）"
# a mediation still under way, or agreed and not yet answering its petition
LIVE_STATES = (State.PENDING, State.IN_PROGRESS, State.WITH_COURT, State.AGREED)
MSG_ROUTES = "终止调解应告知当事人可依法通过仲裁、行政、司法等途径维护权利（《人民调解法》第二十六条）"


@dataclass(frozen=True)
class PartyIn:
    name: str
    side: str = PartySide.APPLICANT
    phone: str = ""


def _text(value: str, message: str, field: str, limit: int | None = None) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationFailed(message, extra={"fields": {field: message}})
    if limit is not None and len(value) > limit:
        msg = f"不能超过{limit}个字"
        raise ValidationFailed(msg, extra={"fields": {field: msg}})
    return value


def _choice(value: str, choices: Any, message: str, field: str) -> str:
    if value not in choices.values:
        raise ValidationFailed(message, extra={"fields": {field: message}})
    return value


def covers(unit: Unit | None, territory: Territory) -> bool:
    """Whether a territorial organ answers for `territory` (its own territory or one below it)."""
    return unit is not None and unit.kind in TERRITORIAL and territory.path.startswith(unit.territory.path)


def level_of(territory: Territory) -> str:
    """The resolution level of an organ seated in `territory` (小事不出村、大事不出镇)."""
    if territory.level >= TerritoryLevel.VILLAGE:
        return ResolutionLevel.VILLAGE
    if territory.level == TerritoryLevel.TOWNSHIP:
        return ResolutionLevel.TOWNSHIP
    if territory.level == TerritoryLevel.COUNTY:
        return ResolutionLevel.COUNTY
    return ResolutionLevel.ABOVE


def township_of(territory: Territory) -> Territory | None:
    return next((t for t in territory.ancestors() if t.level == TerritoryLevel.TOWNSHIP), None)


def confirmation_deadline(agreement: Agreement) -> date:
    """人民调解法 §33: 自调解协议生效之日起三十日内 — the 30th calendar day after the day it took effect."""
    return agreement.signed_on + timedelta(days=CONFIRMATION_DAYS)


# ---------------------------------------------------------------------------------------- 大排查


@transaction.atomic
def item_report(
    *,
    actor: User,
    territory: Territory,
    kind: str,
    summary: str,
    parties: str,
    risk: str,
    source: str | None = None,
    case: Case | None = None,
    round: ScreeningRound | None = None,
) -> ScreeningItem:
    """Report a dispute found in screening, in the reporter's own area (a grid worker: her village)."""
    if actor.role not in REPORT:
        raise PermissionDenied("您的岗位不能登记排查事项")
    if not covers(actor.unit, territory) and not (case is not None and actor.role in ASSIGN):
        raise PermissionDenied(MSG_ITEM_PLACE)
    if source is None:
        source = (
            ItemSource.CASE
            if case is not None
            else ItemSource.GRID
            if actor.role == Role.GRID_WORKER
            else ItemSource.CADRE
            if actor.unit and actor.unit.kind == UnitKind.VILLAGE_COMMITTEE
            else ItemSource.UNIT
        )
    item = ScreeningItem.objects.create(
        territory=territory,
        round=round,
        source=_choice(source, ItemSource, "请选择来源", "source"),
        case=case,
        kind=_choice(kind, DisputeKind, "请选择纠纷类型", "kind"),
        summary=_text(summary, "请填写纠纷简要情况", "summary", 2000),
        parties=_text(parties, "请填写当事人", "parties", 300),
        risk=_choice(risk, RiskLevel, "请选择风险等级", "risk"),
        reported_by=actor,
        reported_at=timeutil.now(),
    )
    if round is not None:
        _file_in_round(round, territory, actor)
    return item


def _file_in_round(round: ScreeningRound, territory: Territory, actor: User) -> None:
    """An item filed in a round files its point's report (the first item's time is the report's)."""
    report, _ = RoundReport.objects.select_for_update().get_or_create(
        round=round, point=_point_of(round, territory)
    )
    report.zero = False  # an item filed after a 零报告 corrects it
    if report.filed_at is None:
        report.filed_by, report.filed_at = actor, timeutil.now()
    report.save()


# ------------------------------------------------------------------------- 从信访事项登记排查事项

MSG_NOT_CASE_UNIT = "只有办理单位或受理的信访部门可以从信访事项登记排查事项"
MSG_CASE_PLACE = "发现地点须在信访事项所属区域或本单位所辖区域内"
# what the parties line says of an accusation's accuser (条例 §30¶3: the identity stays with the case)
ACCUSER_WITHHELD = "检举控告人（身份保密）"
# a kind guessed from the case's category and title, where the words say it (the staff may change it)
KIND_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (DisputeKind.EXPROPRIATION, ("征地", "拆迁", "征收")),
    (DisputeKind.LABOUR, ("工资", "欠薪", "劳动", "社保")),
    (DisputeKind.LAND, ("土地", "山林", "宅基地", "承包")),
    (DisputeKind.ENVIRONMENT, ("污染", "环境", "噪音", "排污")),
    (DisputeKind.FAMILY, ("婚姻", "家庭", "赡养", "抚养", "继承")),
    (DisputeKind.PROPERTY, ("物业", "房屋", "住房", "漏水")),
    (DisputeKind.NEIGHBOUR, ("邻里", "相邻", "滴水", "排水")),
    (DisputeKind.CONTRACT, ("合同", "债务", "借款")),
    (DisputeKind.DAMAGES, ("赔偿", "损害", "伤害")),
)


def may_file_from_case(actor: User, case: Case) -> bool:
    """The handling unit or the office that took the case in puts its dispute on the ledger (seeds 000:
    items "from cases"); the same people who may send it to mediation."""
    return may_send_to_mediation(actor, case)


def item_prefill(case: Case, actor: User) -> dict[str, str]:
    """What a screening item filed from `case` starts with: where, what kind, who, what. The petitioners
    are named only where `actor` may see them, and never for an accusation (条例 §30¶3, ADR 0005): the
    ledger line outlives the case's masking rules, so an accuser's name is never copied onto it."""
    from huiyin.cases.choices import PetitionType
    from huiyin.cases.confidentiality import may_see_identity

    words = " ".join(filter(None, [case.category.name if case.category_id else "", case.title]))  # type: ignore[union-attr]
    kind = next((k for k, keys in KIND_WORDS if any(w in words for w in keys)), DisputeKind.OTHER)
    if case.petition_type == PetitionType.ACCUSATION:
        parties = ACCUSER_WITHHELD
    elif may_see_identity(actor, case):
        parties = "、".join(p.petitioner.name for p in case.parties.select_related("petitioner"))
    else:
        parties = ""
    return {
        "territory": str(case.territory_id or ""),
        "kind": str(kind),
        "parties": parties[:300],
        "summary": f"{case.title}\n{case.content}"[:2000],
        "risk": RiskLevel.ORDINARY,
    }


@transaction.atomic
def item_from_case(
    *, case: Case, actor: User, territory: Territory, kind: str, summary: str, parties: str, risk: str
) -> ScreeningItem:
    """A petition case's dispute goes on the screening ledger, linked to the case (item.case; listed on
    the case page). The item is visible only with the case (selectors.items_for), so an accusation's
    item never reaches the accused side; nor does it join the township's round, whose page the
    township's staff read whatever they may see of the case (条例 §30¶3)."""
    from huiyin.cases.choices import PetitionType
    from huiyin.cases.selectors import visible_to

    if not visible_to(actor).filter(pk=case.pk).exists():
        raise NotFound("未找到该信访事项")
    if not may_file_from_case(actor, case):
        raise PermissionDenied(MSG_NOT_CASE_UNIT)
    in_case_area = case.territory is not None and territory.path.startswith(case.territory.path)
    if not (in_case_area or covers(actor.unit, territory)):
        raise ValidationFailed(MSG_CASE_PLACE, extra={"fields": {"territory": MSG_CASE_PLACE}})
    township = township_of(territory) if territory.level != TerritoryLevel.TOWNSHIP else territory
    open_round = (
        ScreeningRound.objects.filter(township=township, period=timeutil.today().replace(day=1)).first()
        if township is not None and case.petition_type != PetitionType.ACCUSATION
        else None
    )
    return item_report(
        actor=actor, territory=territory, kind=kind, summary=summary, parties=parties, risk=risk,
        source=ItemSource.CASE, case=case, round=open_round,
    )  # fmt: skip


@transaction.atomic
def item_assign(*, item: ScreeningItem, actor: User, unit: Unit, person: User, due_on: date) -> ScreeningItem:
    """交办: the township (or an organ above it) names the responsible unit, person and date (seeds 000)."""
    item = ScreeningItem.objects.select_for_update().get(pk=item.pk)
    if actor.role not in ASSIGN or actor.unit is None or not covers(actor.unit, item.territory):
        raise PermissionDenied(MSG_NOT_TOWNSHIP)
    if actor.unit.territory.level > TerritoryLevel.TOWNSHIP:
        raise PermissionDenied(MSG_NOT_TOWNSHIP)
    if item.status == ItemStatus.SETTLED:
        raise TransitionNotAllowed("该事项已化解")
    if person.unit_id != unit.pk:
        raise ValidationFailed(MSG_PERSON_UNIT, extra={"fields": {"person": MSG_PERSON_UNIT}})
    if item.case is not None and item.case.accused_unit_id:
        from huiyin.cases.confidentiality import on_accused_side

        if on_accused_side(unit.pk, item.case.accused_unit_id):  # 条例 §30¶3
            raise ValidationFailed(MSG_ACCUSED_UNIT, extra={"fields": {"unit": MSG_ACCUSED_UNIT}})
    if due_on < timeutil.today():
        raise ValidationFailed(MSG_DUE_PAST, extra={"fields": {"due_on": MSG_DUE_PAST}})
    item.responsible_unit, item.responsible_person, item.due_on = unit, person, due_on
    item.assigned_by = actor
    if item.status == ItemStatus.REPORTED:
        item.status = ItemStatus.ASSIGNED
    item.save()
    ItemNote.objects.create(
        item=item,
        author=actor,
        created_at=timeutil.now(),
        text=f"交办{unit.name}，责任人{person.full_name or person.username}，{due_on:%Y-%m-%d}前化解。",
    )
    return item


def may_work_item(user: User, item: ScreeningItem) -> bool:
    return (
        item.responsible_person_id == user.pk
        or (item.responsible_unit_id is not None and item.responsible_unit_id == user.unit_id)
        or (user.role in ASSIGN and covers(user.unit, item.territory))
        # the 人民调解委员会 of the place takes up a dispute of its village
        or (user.role == Role.MEDIATOR and covers(user.unit, item.territory))
        or item.reported_by_id == user.pk
    )


@transaction.atomic
def item_note(*, item: ScreeningItem, actor: User, text: str) -> ItemNote:
    if not may_work_item(actor, item):
        raise PermissionDenied("您不是该事项的责任人或交办机关")
    return ItemNote.objects.create(
        item=item, author=actor, created_at=timeutil.now(), text=_text(text, "请填写进展情况", "text", 2000)
    )


@transaction.atomic
def item_settle(*, item: ScreeningItem, actor: User, note: str) -> ScreeningItem:
    """化解 without a mediation case (explained, fixed on the spot): the responsible side says how."""
    item = ScreeningItem.objects.select_for_update().get(pk=item.pk)
    responsible = (
        item.responsible_person_id == actor.pk
        or (item.responsible_unit_id is not None and item.responsible_unit_id == actor.unit_id)
        or (actor.role in ASSIGN | {Role.MEDIATOR} and covers(actor.unit, item.territory))
    )
    if not responsible:
        raise PermissionDenied("只有责任人或交办机关可以确认化解")
    if item.status == ItemStatus.SETTLED:
        raise TransitionNotAllowed("该事项已化解")
    text = _text(note, "请填写化解情况", "note", 2000)
    item.status, item.settled_on = ItemStatus.SETTLED, timeutil.today()
    item.save(update_fields=["status", "settled_on"])
    ItemNote.objects.create(item=item, author=actor, created_at=timeutil.now(), text=f"已化解：{text}")
    return item


def reporting_points(township: Territory) -> list[Territory]:
    """The points that report in a township's round: the township itself and each of its villages."""
    return [township, *Territory.objects.filter(parent=township, level=TerritoryLevel.VILLAGE)]


def _point_of(round: ScreeningRound, territory: Territory) -> Territory:
    """The reporting point an item's place belongs to (its village, else the township)."""
    for point in reversed(reporting_points(round.township)):
        if territory.path.startswith(point.path):
            return point
    raise ValidationFailed("该地点不属于本轮排查的乡镇（街道）")


@transaction.atomic
def round_open(
    *, township: Territory, period: date, actor: User, due_on: date | None = None
) -> ScreeningRound:
    """Open a month's screening round for a township (its own staff or an organ above)."""
    if township.level != TerritoryLevel.TOWNSHIP:
        raise ValidationFailed("排查轮次按乡镇（街道）开展")
    if actor.role not in ASSIGN or not covers(actor.unit, township):
        raise PermissionDenied(MSG_NOT_TOWNSHIP)
    period = period.replace(day=1)
    if ScreeningRound.objects.filter(township=township, period=period).exists():
        raise TransitionNotAllowed("本月排查已开启")
    return _round_create(township, period, actor, due_on)


def _round_create(
    township: Territory, period: date, actor: User | None, due_on: date | None = None
) -> ScreeningRound:
    next_month = (period + timedelta(days=32)).replace(day=1)
    rnd = ScreeningRound.objects.create(
        township=township,
        period=period,
        opened_by=actor,  # None: the monthly schedule (系统按月开启)
        opened_at=timeutil.now(),
        due_on=due_on or next_month - timedelta(days=1),
    )
    # one unfiled report per expected point: a point that stays silent is a visible row (零报告制度)
    RoundReport.objects.bulk_create(RoundReport(round=rnd, point=p) for p in reporting_points(township))
    return rnd


def first_working_day(period: date) -> date:
    """The month's first working day (the national calendar with the office's overrides)."""
    from huiyin.core.calendar import current_calendar

    calendar, first = current_calendar(), period.replace(day=1)
    return first if calendar.is_workday(first) else calendar.next_workday(first)


def rounds_open_monthly(today: date | None = None) -> list[ScreeningRound]:
    """The monthly schedule (矛盾纠纷月排查): from the month's first working day on, every township
    without this month's round gets one, opened by nobody in person (`opened_by` None). Idempotent: a
    township that has the month's round — opened by its staff or by an earlier run — is left alone, and
    before the first working day nothing is opened (a holiday start waits for the first day back)."""
    today = today or timeutil.today()
    period = today.replace(day=1)
    if today < first_working_day(period):
        return []
    opened = []
    have = set(ScreeningRound.objects.filter(period=period).values_list("township_id", flat=True))
    for township in Territory.objects.filter(level=TerritoryLevel.TOWNSHIP).exclude(pk__in=have):
        with transaction.atomic():
            # a round opened by hand meanwhile wins (one_round_per_month): checked again under the write
            if not ScreeningRound.objects.filter(township=township, period=period).exists():
                opened.append(_round_create(township, period, None))
    return opened


@transaction.atomic
def round_zero_report(*, round: ScreeningRound, point: Territory, actor: User, note: str = "") -> RoundReport:
    """零报告: the point found nothing this round — said explicitly, never assumed from silence."""
    if actor.role not in REPORT or not covers(actor.unit, point):
        raise PermissionDenied("只能为本单位所辖的排查点报送")
    if point.pk not in {p.pk for p in reporting_points(round.township)}:
        raise ValidationFailed("该地点不是本轮排查的报送点")
    report, _ = RoundReport.objects.select_for_update().get_or_create(round=round, point=point)
    if report.filed_at is not None:
        raise TransitionNotAllowed("本排查点本轮已报送")
    report.zero, report.note = True, note.strip()[:200]
    report.filed_by, report.filed_at = actor, timeutil.now()
    report.save()
    return report


# ---------------------------------------------------------------------------------------- 调解


def may_act(user: User, mediation: Mediation, action: str) -> bool:
    """The organ's own staff in a role the table allows."""
    return (
        user.is_authenticated
        and user.unit_id == mediation.organ_id
        and transitions.TABLE.role_may(user.role, action)
    )


def _step(mediation: Mediation, actor: User, action: str) -> Mediation:
    """Lock the mediation and take `action` through the table (a pair outside it first, then a role it
    does not allow or a user outside the mediating organ); the caller writes and saves."""
    locked = Mediation.objects.select_for_update().get(pk=mediation.pk)
    locked.state = transitions.TABLE.step(
        locked.state, action, actor.role, side_ok=actor.is_authenticated and actor.unit_id == locked.organ_id
    )
    return locked


def _all_consent(mediation: Mediation) -> bool:
    parties = list(mediation.parties.values_list("consent", flat=True))
    return bool(parties) and all(c == Consent.GIVEN for c in parties)


def _check_organ(kind: str, organ: Unit, case: Case | None) -> None:
    if kind == MediationKind.PEOPLE and organ.kind not in (
        UnitKind.VILLAGE_COMMITTEE,
        UnitKind.GOVERNMENT,
        UnitKind.POLITICAL_LEGAL,
        UnitKind.JOINT_CONFERENCE,
    ):
        raise ValidationFailed("人民调解由村（居）或乡镇（街道）人民调解委员会进行")
    if kind == MediationKind.ADMINISTRATIVE and organ.kind in (UnitKind.VILLAGE_COMMITTEE,):
        raise ValidationFailed("行政调解由行政机关进行")
    if case is not None and case.accused_unit_id:
        from huiyin.cases.confidentiality import on_accused_side

        # 条例 §30¶3: the accused side never holds an accusation's records
        if on_accused_side(organ.pk, case.accused_unit_id):
            raise ValidationFailed("被反映单位及其下级不能调解该检举控告事项（《信访工作条例》第三十条）")


@transaction.atomic
def mediation_open(
    *,
    actor: User,
    kind: str,
    organ: Unit,
    territory: Territory,
    dispute_kind: str,
    summary: str,
    parties: list[PartyIn],
    mediators: list[User] | None = None,
    item: ScreeningItem | None = None,
    case: Case | None = None,
    previous: Mediation | None = None,
) -> Mediation:
    _choice(kind, MediationKind, "请选择调解类型", "kind")
    _check_organ(kind, organ, case)
    if not parties:
        raise ValidationFailed("请至少填写一方当事人", extra={"fields": {"parties": "请至少填写一方当事人"}})
    mediators = mediators or []
    if any(m.unit_id != organ.pk for m in mediators):
        raise ValidationFailed("调解员须为调解组织的工作人员")
    mediation = Mediation.objects.create(
        kind=kind,
        state=State.WITH_COURT if kind == MediationKind.JUDICIAL else State.PENDING,
        organ=organ,
        territory=territory,
        dispute_kind=_choice(dispute_kind, DisputeKind, "请选择纠纷类型", "dispute_kind"),
        summary=_text(summary, "请填写纠纷简要情况", "summary", 2000),
        item=item,
        case=case,
        previous=previous,
        opened_by=actor,
        opened_at=timeutil.now(),
    )
    mediation.dispute_id = previous.dispute_id if previous is not None else mediation.pk
    mediation.save(update_fields=["dispute"])
    mediation.mediators.set(mediators)
    for p in parties:
        MediationParty.objects.create(
            mediation=mediation,
            name=_text(p.name, "请填写当事人姓名", "parties", 100),
            side=_choice(p.side, PartySide, "请选择当事人身份", "parties"),
            phone=p.phone.strip()[:20],
        )
    if item is not None and item.status != ItemStatus.SETTLED:
        ScreeningItem.objects.filter(pk=item.pk).update(status=ItemStatus.IN_MEDIATION)
    return mediation


def parties_from_text(text: str) -> list[PartyIn]:
    names = [n.strip() for n in text.replace("，", "、").replace(",", "、").replace("与", "、").split("、")]
    names = [n for n in names if n]
    return [PartyIn(n, PartySide.APPLICANT if i == 0 else PartySide.RESPONDENT) for i, n in enumerate(names)]


@transaction.atomic
def mediation_from_item(
    *, item: ScreeningItem, actor: User, organ: Unit | None = None, mediators: list[User] | None = None
) -> Mediation:
    """One action: a screening item becomes a 人民调解 case at its village's committee (or `organ`),
    keeping the link (三调联动)."""
    item = ScreeningItem.objects.select_for_update().get(pk=item.pk)
    if not may_work_item(actor, item):
        raise PermissionDenied("您不是该事项的责任人或交办机关")
    if item.status == ItemStatus.SETTLED or item.mediations.exists():
        raise TransitionNotAllowed("该事项已化解或已转入调解")
    if organ is None:
        village = next(
            (t for t in reversed(item.territory.ancestors()) if t.level == TerritoryLevel.VILLAGE), None
        )
        organ = (
            Unit.objects.filter(territory=village, kind=UnitKind.VILLAGE_COMMITTEE).first()
            if village
            else None
        )
        if organ is None:
            raise ValidationFailed("请选择调解组织")
    return mediation_open(
        actor=actor,
        kind=MediationKind.PEOPLE,
        organ=organ,
        territory=item.territory,
        dispute_kind=item.kind,
        summary=item.summary,
        parties=parties_from_text(item.parties),
        mediators=mediators,
        item=item,
        case=item.case,
    )


def may_send_to_mediation(actor: User, case: Case) -> bool:
    """The handling unit or the office that took the case in sends it to mediation (条例 §33)."""
    return actor.unit_id in (case.handling_unit_id, case.office_id) and actor.role in ASSIGN | {Role.MEDIATOR}


@transaction.atomic
def mediation_from_case(
    *,
    case: Case,
    actor: User,
    organ: Unit,
    kind: str,
    respondents: list[str],
    dispute_kind: str = DisputeKind.OTHER,
) -> Mediation:
    """A petition case goes to mediation (条例 §33, HD-6): its petitioners are the applicants. The case
    stays open; a successful agreement answers it through the workflow (mediation_answer_petition)."""
    from huiyin.cases.events import event_record
    from huiyin.cases.selectors import visible_to
    from huiyin.mediation.events import EVENT_SENT

    if not visible_to(actor).filter(pk=case.pk).exists():
        raise NotFound("未找到该信访事项")
    if not may_send_to_mediation(actor, case):
        raise PermissionDenied("只有办理单位或受理的信访部门可以将事项转入调解")
    if Mediation.objects.filter(case=case, state__in=LIVE_STATES).exists():
        # one live mediation per petition: the chain goes on from its page (hand-offs, the answer)
        raise TransitionNotAllowed(MSG_ALREADY_MEDIATING)
    parties = [
        PartyIn(p.petitioner.name, PartySide.APPLICANT, p.phone)
        for p in case.parties.select_related("petitioner")
    ]
    parties += [PartyIn(n, PartySide.RESPONDENT) for n in respondents if n.strip()]
    mediation = mediation_open(
        actor=actor,
        kind=kind,
        organ=organ,
        territory=case.territory or organ.territory,
        dispute_kind=dispute_kind,
        summary=case.title + "\n" + case.content,
        parties=parties,
        case=case,
    )
    event_record(
        case=case, event_type=EVENT_SENT, actor=actor, data={"mediation": mediation.pk, "organ": organ.name}
    )
    return mediation


@transaction.atomic
def party_consent(*, party: MediationParty, actor: User, consent: str, note: str = "") -> MediationParty:
    """Record a party's will (§17: may refuse; §23: may ask to stop at any time)."""
    _step(party.mediation, actor, Action.CONSENT)  # checks the state and who; the state does not change
    party.consent = _choice(consent, Consent, "请选择当事人意愿", "consent")
    party.consent_at, party.consent_note = timeutil.now(), note.strip()[:200]
    party.save(update_fields=["consent", "consent_at", "consent_note"])
    return party


@transaction.atomic
def mediation_start(*, mediation: Mediation, actor: User) -> Mediation:
    m = _step(mediation, actor, Action.START)
    if not _all_consent(m):
        raise TransitionNotAllowed(MSG_CONSENT)
    m.save(update_fields=["state"])
    return m


@transaction.atomic
def session_record(
    *, mediation: Mediation, actor: User, held_on: date, place: str, attendees: str, record: str
) -> Session:
    m = _step(mediation, actor, Action.SESSION)
    if not _all_consent(m):
        raise TransitionNotAllowed(MSG_CONSENT)
    if held_on > timeutil.today():
        raise ValidationFailed("调解日期不能晚于今天", extra={"fields": {"held_on": "调解日期不能晚于今天"}})
    session = Session.objects.create(
        mediation=m,
        held_on=held_on,
        place=_text(place, "请填写地点", "place", 100),
        attendees=_text(attendees, "请填写参加人员", "attendees", 300),
        record=_text(record, "请填写调解工作记录", "record", 5000),
        recorded_by=actor,
        recorded_at=timeutil.now(),
    )
    if actor not in m.mediators.all():
        m.mediators.add(actor)
    return session


def _resolved(m: Mediation, seat: Territory, on: date) -> None:
    m.resolution_level, m.resolved_on = level_of(seat), on
    if m.item_id:
        ScreeningItem.objects.filter(pk=m.item_id).exclude(status=ItemStatus.SETTLED).update(
            status=ItemStatus.SETTLED, settled_on=on
        )


@transaction.atomic
def agreement_sign(
    *,
    mediation: Mediation,
    actor: User,
    form: str,
    facts: str,
    obligations: str,
    performance_terms: str,
    signed_on: date,
    follow_up_on: date,
    parties_signed: bool = False,
    sealed: bool = False,
) -> Agreement:
    """The parties agree (§28–§30). The level is the organ's: a village committee → 村 (never typed)."""
    m = _step(mediation, actor, Action.AGREE)
    if not _all_consent(m):
        raise TransitionNotAllowed(MSG_CONSENT)
    if not m.sessions.exists():
        raise TransitionNotAllowed(MSG_NO_SESSION)
    form = _choice(form, AgreementForm, "请选择协议形式", "form")
    obligations = _text(obligations, "请填写协议内容", "obligations", 5000)
    if form == AgreementForm.WRITTEN:
        facts = _text(facts, MSG_WRITTEN, "facts", 5000)
        performance_terms = _text(performance_terms, MSG_WRITTEN, "performance_terms", 2000)
        if not (parties_signed and sealed):
            raise ValidationFailed(MSG_WRITTEN, extra={"fields": {"parties_signed": MSG_WRITTEN}})
    today = timeutil.today()
    if signed_on > today:
        raise ValidationFailed(
            "生效日期不能晚于今天", extra={"fields": {"signed_on": "生效日期不能晚于今天"}}
        )
    if follow_up_on < signed_on:
        raise ValidationFailed(
            "回访日期不能早于协议生效日期", extra={"fields": {"follow_up_on": "回访日期不能早于协议生效日期"}}
        )
    agreement = Agreement.objects.create(
        mediation=m,
        form=form,
        facts=facts.strip(),
        obligations=obligations,
        performance_terms=performance_terms.strip(),
        signed_on=signed_on,
        parties_signed=parties_signed,
        sealed=sealed,
        # §30: one copy for each party and one for the committee
        copies=(m.parties.count() + 1) if form == AgreementForm.WRITTEN else 0,
        follow_up_on=follow_up_on,
        recorded_by=actor,
    )
    _resolved(m, m.organ.territory, signed_on)
    m.save(update_fields=["state", "resolution_level", "resolved_on"])
    return agreement


@transaction.atomic
def mediation_terminate(*, mediation: Mediation, actor: User, reason: str, routes_told: str) -> Mediation:
    """调解不成: stop and tell the parties their legal routes (§26)."""
    m = _step(mediation, actor, Action.TERMINATE)
    m.termination_reason = _text(reason, "请填写终止原因", "reason", 2000)
    m.routes_told = _text(routes_told, MSG_ROUTES, "routes_told", 2000)
    m.terminated_on = timeutil.today()
    m.save(update_fields=["state", "termination_reason", "routes_told", "terminated_on"])
    return m


@transaction.atomic
def mediation_hand_off(
    *,
    mediation: Mediation,
    actor: User,
    kind: str,
    organ: Unit | None = None,
    court_name: str = "",
    court_territory: Territory | None = None,
) -> Mediation:
    """三调联动: a failed 人民调解 goes to 行政调解 at a department, or is guided to 司法调解 (recorded
    hand-off to the court). The new mediation keeps the chain (`previous`), item and case."""
    m = _step(mediation, actor, Action.HAND_OFF)
    parties = [PartyIn(p.name, p.side, p.phone) for p in m.parties.all()]
    if kind == MediationKind.ADMINISTRATIVE:
        if organ is None:
            raise ValidationFailed("请选择行政调解机关", extra={"fields": {"organ": "请选择行政调解机关"}})
        nxt = mediation_open(
            actor=actor, kind=kind, organ=organ, territory=m.territory, dispute_kind=m.dispute_kind,
            summary=m.summary, parties=parties, item=m.item, case=m.case, previous=m,
        )  # fmt: skip
    elif kind == MediationKind.JUDICIAL:
        court = _text(court_name, "请填写人民法院名称", "court_name", 100)
        nxt = mediation_open(
            actor=actor, kind=kind, organ=m.organ, territory=m.territory, dispute_kind=m.dispute_kind,
            summary=m.summary, parties=parties, item=m.item, case=m.case, previous=m,
        )  # fmt: skip
        nxt.court_name = court
        nxt.court_territory = court_territory or next(
            (t for t in m.organ.territory.ancestors() if t.level == TerritoryLevel.COUNTY), m.organ.territory
        )
        nxt.save(update_fields=["court_name", "court_territory"])
    else:
        raise ValidationFailed("只能转行政调解或引导司法调解")
    m.save(update_fields=["state"])
    return nxt


@transaction.atomic
def court_outcome_record(
    *, mediation: Mediation, actor: User, outcome: str, on: date, note: str = ""
) -> Mediation:
    """The court's outcome, entered when known; a court mediation or 司法确认 resolves at the court's level."""
    m = _step(mediation, actor, Action.COURT_OUTCOME)
    m.court_outcome = _choice(outcome, CourtOutcome, "请选择法院处理结果", "outcome")
    if on > timeutil.today():
        raise ValidationFailed("日期不能晚于今天")
    m.court_outcome_on, m.court_note = on, note.strip()[:2000]
    fields = ["state", "court_outcome", "court_outcome_on", "court_note"]
    if outcome in (CourtOutcome.MEDIATED, CourtOutcome.CONFIRMED):
        _resolved(m, m.court_territory or m.organ.territory, on)
        fields += ["resolution_level", "resolved_on"]
    m.save(update_fields=fields)
    return m


@transaction.atomic
def follow_up_record(*, mediation: Mediation, actor: User, performance: str, note: str) -> Agreement:
    """回访 (§31): has the agreement been performed?"""
    performance = _choice(performance, Performance, "请选择履行情况", "performance")
    action = (
        Action.FOLLOW_UP_PERFORMED if performance == Performance.PERFORMED else Action.FOLLOW_UP_NOT_PERFORMED
    )
    m = _step(mediation, actor, action)
    agreement = m.agreement
    agreement.performance = performance
    agreement.follow_up_note = _text(note, "请填写回访情况", "note", 2000)
    agreement.followed_up_on, agreement.followed_up_by = timeutil.today(), actor
    agreement.save(update_fields=["performance", "follow_up_note", "followed_up_on", "followed_up_by"])
    m.save(update_fields=["state"])
    return agreement


@transaction.atomic
def mediation_answer_petition(*, mediation: Mediation, actor: User) -> Case:
    """A successful agreement answers the linked petition through the workflow (条例 §33: 调解和解),
    by the case's handler — the workflow checks who may; this only supplies the agreement."""
    from huiyin.cases.events import event_record
    from huiyin.mediation.events import EVENT_ENDED
    from huiyin.workflow.services import case_mediate

    m = Mediation.objects.select_for_update().get(pk=mediation.pk)
    if m.case is None or not hasattr(m, "agreement"):
        raise TransitionNotAllowed("该调解没有关联的信访事项或尚未达成协议")
    agreement = m.agreement
    if agreement.petition_answered:
        raise TransitionNotAllowed("已据此协议答复信访事项")
    case = case_mediate(
        case=m.case,
        actor=actor,
        agreement=f"{agreement.obligations}\n履行方式和期限：{agreement.performance_terms or '见协议'}",
        facts_reasons=agreement.facts or m.summary,
        legal_basis="《信访工作条例》第三十三条；《中华人民共和国人民调解法》第二十八条至第三十一条",
    )
    agreement.petition_answered = True
    agreement.save(update_fields=["petition_answered"])
    event_record(case=case, event_type=EVENT_ENDED, actor=actor, data={"mediation": m.pk})
    return case


@transaction.atomic
def dispute_link_petition(*, mediation: Mediation, case: Case, actor: User) -> Mediation:
    """Record that a dispute mediated here came back as a petition (矛盾不上交 counts it against the
    level that mediated first, when the petition is at a higher level). Recorded on the chain's first
    mediation, by anyone who sees both; the petitioner is not marked or flagged anywhere."""
    from huiyin.cases.selectors import visible_to
    from huiyin.mediation.selectors import mediations_for

    if not visible_to(actor).filter(pk=case.pk).exists() or not mediations_for(actor).filter(pk=mediation.pk):
        raise NotFound("未找到该信访事项或调解")
    root = Mediation.objects.select_for_update().get(pk=mediation.dispute_id or mediation.pk)
    if case.registered_at < root.opened_at:
        raise ValidationFailed("该信访事项登记早于本纠纷的调解，不是调解后的信访")
    root.later_petition = case
    root.save(update_fields=["later_petition"])
    return root


def chain_of(mediation: Mediation) -> list[Mediation]:
    """The whole chain of one dispute, first mediation first (三调联动)."""
    root = mediation
    while root.previous_id:
        root = Mediation.objects.get(pk=root.previous_id)
    chain = [root]
    while True:
        nxt = Mediation.objects.filter(previous=chain[-1]).first()
        if nxt is None:
            return chain
        chain.append(nxt)


# ---------------------------------------------------------------------------------------- aids

MSG_NOT_REPORTER = "您的岗位不能登记排查事项"


@transaction.atomic
def screening_item_create(
    *, text: str, territory: Territory, found_by: User, source_ref: str
) -> ScreeningItem:
    """The aid another module calls to put a problem on the ledger (outreach: a 民情日记 problem, the
    name outreach looks up as MEDIATION_SCREENING). The caller has checked that `found_by` may act on
    its record; the item is filed where the problem was found, kind and parties to be completed by the
    township when it assigns it. One item per source record: asked again, the first is returned."""
    source_ref = (source_ref or "").strip()[:60]
    if source_ref:
        known = ScreeningItem.objects.filter(source_ref=source_ref).first()
        if known is not None:
            return known
    if found_by.role not in REPORT:
        raise PermissionDenied(MSG_NOT_REPORTER)
    township = township_of(territory) if territory.level != TerritoryLevel.TOWNSHIP else territory
    open_round = (
        ScreeningRound.objects.filter(township=township, period=timeutil.today().replace(day=1)).first()
        if township is not None
        else None
    )
    item = ScreeningItem.objects.create(
        territory=territory,
        round=open_round,
        source=ItemSource.OUTREACH,
        source_ref=source_ref,
        kind=DisputeKind.OTHER,
        summary=_text(text, "请填写纠纷简要情况", "summary", 2000),
        parties="待核实",
        risk=RiskLevel.ORDINARY,
        reported_by=found_by,
        reported_at=timeutil.now(),
    )
    if open_round is not None:
        _file_in_round(open_round, territory, found_by)
    ItemNote.objects.create(
        item=item,
        author=found_by,
        created_at=timeutil.now(),
        text="由民情日记转入排查台账，纠纷类型和当事人待核实。",
    )
    return item
