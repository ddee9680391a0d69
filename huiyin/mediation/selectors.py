"""Reads of the ledger and mediations, scoped to what the user may see.

A territorial organ (government, village committee, petition office, …) sees its territory and below;
a department sees what it was given or mediates; anyone sees what they reported. A record linked to a
petition case is visible only with the case (`Case.objects` visible_to): an accusation's mediation
never reaches the accused side (条例 §30¶3, ADR 0005)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db.models import F, Q, QuerySet

from huiyin.cases.choices import Status
from huiyin.cases.selectors import visible_to as cases_visible_to
from huiyin.core import registry, timeutil
from huiyin.mediation.choices import ItemStatus
from huiyin.mediation.models import Agreement, Mediation, RoundReport, ScreeningItem, ScreeningRound, Session
from huiyin.mediation.services import TERRITORIAL, reporting_points
from huiyin.mediation.transitions import State
from huiyin.org.models import User

MODULE_NAME = "矛盾纠纷调解"
CANDIDATE_LIMIT = 200


def _case_ok(prefix: str, user: User) -> Q:
    return Q(**{f"{prefix}case__isnull": True}) | Q(
        **{f"{prefix}case__in": cases_visible_to(user).values("pk")}
    )


def items_for(user: User) -> QuerySet[ScreeningItem]:
    qs = ScreeningItem.objects.select_related("territory", "responsible_unit", "responsible_person")
    if not user.is_authenticated or not user.unit_id:
        return qs.none()
    unit = user.unit
    assert unit is not None
    scope = Q(reported_by=user) | Q(responsible_person=user) | Q(responsible_unit=unit)
    # an organ that mediates the dispute (a department it was handed to) sees the item it came from
    scope |= Q(pk__in=Mediation.objects.filter(organ=unit, item__isnull=False).values("item_id"))
    if unit.kind in TERRITORIAL:
        scope |= Q(territory__path__startswith=unit.territory.path)
    return qs.filter(scope).filter(_case_ok("", user))


def mediations_for(user: User) -> QuerySet[Mediation]:
    qs = Mediation.objects.select_related("organ", "territory", "organ__territory")
    if not user.is_authenticated or not user.unit_id:
        return qs.none()
    unit = user.unit
    assert unit is not None
    scope = Q(organ=unit) | Q(mediators=user) | Q(opened_by=user) | Q(item__responsible_person=user)
    if unit.kind in TERRITORIAL:
        scope |= Q(territory__path__startswith=unit.territory.path)
    return qs.filter(pk__in=Mediation.objects.filter(scope).values("pk")).filter(_case_ok("", user))


def overdue_items(user: User, today: date | None = None) -> QuerySet[ScreeningItem]:
    """督办 candidates of the ledger: assigned, past their date, not settled (the township's list)."""
    today = today or timeutil.today()
    return items_for(user).filter(due_on__lt=today).exclude(status=ItemStatus.SETTLED).order_by("due_on")


def rounds_for(user: User) -> QuerySet[ScreeningRound]:
    """The rounds of the townships the user's territorial organ answers for (or lies in: a village)."""
    unit = user.unit if user.is_authenticated else None
    if unit is None or unit.kind not in TERRITORIAL:
        return ScreeningRound.objects.none()
    above = [t.pk for t in unit.territory.ancestors()]
    return ScreeningRound.objects.filter(
        Q(township__path__startswith=unit.territory.path) | Q(township__pk__in=above)
    ).select_related("township", "opened_by")


def round_status(round: ScreeningRound) -> list[dict[str, Any]]:
    """Each reporting point of a round: filed items, zero report, or missing (visible to the township)."""
    reports = {r.point_id: r for r in RoundReport.objects.filter(round=round)}
    points = reporting_points(round.township)  # read once: a query each if read per item (issue 15)
    counts: dict[int, int] = {}
    for item in round.items.select_related("territory"):
        for point in points[::-1]:
            if item.territory.path.startswith(point.path):
                counts[point.pk] = counts.get(point.pk, 0) + 1
                break
    rows = []
    for point in points:
        report = reports.get(point.pk)
        rows.append(
            {
                "point": point,
                "report": report,
                "items": counts.get(point.pk, 0),
                "state": "missing"
                if report is None or report.filed_at is None
                else ("zero" if report.zero else "filed"),
            }
        )
    return rows


def _mine(user: User, prefix: str = "") -> Q:
    """Mediations that are the user's own work: their organ's, or those they mediate."""
    return Q(**{f"{prefix}organ_id": user.unit_id}) | Q(**{f"{prefix}mediators": user})


def week_sessions(user: User, today: date | None = None) -> QuerySet[Session]:
    """My sessions this week (Monday to Sunday): of my organ's mediations, or that I mediate or recorded."""
    today = today or timeutil.today()
    monday = today - timedelta(days=today.weekday())
    mine = Q(mediation__in=Mediation.objects.filter(_mine(user)).values("pk")) | Q(recorded_by=user)
    return (
        Session.objects.filter(mediation__in=mediations_for(user).values("pk"))
        .filter(mine, held_on__gte=monday, held_on__lte=monday + timedelta(days=6))
        .select_related("mediation", "mediation__organ")
        .order_by("held_on", "id")
    )


def follow_ups_due(user: User) -> QuerySet[Agreement]:
    """Agreements waiting for their follow-up (人民调解法 §31), the earliest date first: of my organ (a
    village's grid worker calls round for its committee) or that I mediated."""
    return (
        Agreement.objects.filter(mediation__in=mediations_for(user).filter(_mine(user)).values("pk"))
        .filter(mediation__state__in=[State.AGREED, State.UNPERFORMED])
        .select_related("mediation", "mediation__organ")
        .order_by("follow_up_on", "id")
    )


def my_items(user: User) -> QuerySet[ScreeningItem]:
    """My ledger items, not yet settled: what I reported, answer for, or my unit was given; the most
    pressing (past or nearest date) first, then those not yet assigned."""
    unit_q = Q(responsible_unit_id=user.unit_id) if user.unit_id else Q(pk__in=[])
    return (
        items_for(user)
        .filter(Q(reported_by=user) | Q(responsible_person=user) | unit_q)
        .exclude(status=ItemStatus.SETTLED)
        .order_by(F("due_on").asc(nulls_last=True), "-reported_at")
    )


def my_open_mediations(user: User) -> QuerySet[Mediation]:
    return (
        mediations_for(user)
        .filter(_mine(user))
        .filter(state__in=[State.PENDING, State.IN_PROGRESS, State.WITH_COURT])
        .distinct()
    )


# ------------------------------------------------------------------ what the mediation plugs into


def case_links(case: Any, user: User) -> list[registry.CaseLink]:
    """The mediations and screening items about a petition case (Module.case_links): those it started
    from or went to, and a dispute that came back as this petition — only what `user` may open. A
    record of an accusation case never reaches the accused side: `mediations_for`/`items_for` show a
    record linked to a case only with the case (条例 §30¶3)."""
    from django.urls import reverse

    if not cases_visible_to(user).filter(pk=case.pk).exists():
        return []
    links = []
    about = Q(case=case) | Q(later_petition=case) | Q(dispute__later_petition=case)
    for m in mediations_for(user).filter(about).order_by("opened_at", "pk"):
        note = m.get_state_display()
        if m.resolution_level:
            note += f" · 化解层级：{m.get_resolution_level_display()}"
        if m.case_id != case.pk:
            note += " · 调解后又来信访"
        links.append(
            registry.CaseLink(
                MODULE_NAME, f"{m}（{m.organ.name}）", reverse("mediation_dispute", args=[m.pk]), note
            )
        )
    for item in items_for(user).filter(case=case):
        links.append(
            registry.CaseLink(
                MODULE_NAME, str(item), reverse("mediation_item", args=[item.pk]), item.get_status_display()
            )
        )
    from huiyin.mediation.services import may_file_from_case, may_send_to_mediation

    if may_file_from_case(user, case) and not ScreeningItem.objects.filter(case=case).exists():
        # beside 转入调解: put the case's dispute on the screening ledger, linked (issue 13 item 1)
        links.append(
            registry.CaseLink(
                MODULE_NAME,
                "登记排查事项",
                reverse("case_to_screening", args=[case.code]),
                "将该事项涉及的矛盾纠纷登记到排查台账，明确责任单位、责任人和化解期限",
            )
        )

    if (
        case.status not in (Status.CLOSED, Status.FINAL)
        and may_send_to_mediation(user, case)
        and not Mediation.objects.filter(case=case).exists()
    ):
        # the way in from the case page (issue 13 item 3): 人民调解 or 行政调解 of the matter, 条例 §33;
        # once the case is in mediation, the chain goes on from the mediation's page (hand-offs)
        links.append(
            registry.CaseLink(
                MODULE_NAME,
                "转入调解",
                reverse("case_to_mediation", args=[case.code]),
                "经当事人同意，可转人民调解或行政调解（《信访工作条例》第三十三条）",
            )
        )
    return links


def supervision_candidates(user: User, today: date | None = None) -> list[registry.Candidate]:
    """Overdue screening items as 督办 candidates (Module.supervision_candidates), what `user` may see."""
    from django.urls import reverse

    today = today or timeutil.today()
    found = []
    for item in overdue_items(user, today)[:CANDIDATE_LIMIT]:
        assert item.due_on is not None
        found.append(
            registry.Candidate(
                module="矛盾纠纷排查",
                label=f"{item}（{item.territory.name}）",
                url=reverse("mediation_item", args=[item.pk]),
                detail=f"化解期限{item.due_on:%Y-%m-%d}，已逾期{(today - item.due_on).days}天 · {item.get_risk_display()}",
                unit=item.responsible_unit.name if item.responsible_unit else "",
            )
        )
    return found
