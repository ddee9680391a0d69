"""Reads for the citizen portal and the public pages. Nothing here ever names a staff member; the
public pages show counts and unit names only, and accusation (检举控告) content never."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Q
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from huiyin.cases.choices import (
    Decision,
    OpinionStage,
    PetitionType,
    Status,
)
from huiyin.cases.models import Case, CaseEvent, Category, Opinion
from huiyin.core import registry, timeutil
from huiyin.org.choices import TerritoryLevel, UnitKind
from huiyin.org.models import Territory, Unit
from huiyin.org.rules import days_text_translated
from huiyin.portal.models import OfficeInfo, TrackingSecret
from huiyin.workflow.choices import LIVE_STATES, RULED_KINDS, WINDOW_KINDS, ClockKind, ClockState
from huiyin.workflow.models import Clock

_CJK = re.compile(r"[\u3400-\u9fff]")

PUBLIC_CACHE_SECONDS = 600


def _cache_seconds() -> int:
    return int(getattr(settings, "HUIYIN_PORTAL_CACHE_SECONDS", PUBLIC_CACHE_SECONDS))


# --- where a submission goes -------------------------------------------------------------------


def default_office() -> Unit | None:
    """HUIYIN_PORTAL_OFFICE (a unit code) if set, else the first county-level petition office."""
    code = getattr(settings, "HUIYIN_PORTAL_OFFICE", "")
    offices = Unit.objects.filter(kind=UnitKind.PETITION_OFFICE, is_active=True)
    if code:
        found = offices.filter(code=code).first()
        if found is not None:
            return found
    return (
        offices.filter(territory__level=TerritoryLevel.COUNTY).order_by("territory__path", "code").first()
        or offices.order_by("territory__path", "code").first()
    )


def office_for(territory: Territory | None) -> Unit | None:
    """The petition office of the place the citizen picked (属地管理): the nearest office on the way
    up the territory tree, else the default office."""
    if territory is not None:
        chain = territory.ancestors()
        offices = {
            u.territory_id: u
            for u in Unit.objects.filter(
                kind=UnitKind.PETITION_OFFICE, is_active=True, territory__in=chain
            ).order_by("-code")
        }
        for node in reversed(chain):
            if node.pk in offices:
                return offices[node.pk]
    return default_office()


def territory_choices() -> list[tuple[str, str]]:
    rows = Territory.objects.filter(level__lte=TerritoryLevel.VILLAGE).values_list("pk", "name", "level")
    top = min((level for _pk, _name, level in rows), default=1)
    return [(str(pk), "\u3000" * (level - top) + name) for pk, name, level in rows]


def category_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    groups: dict[str, list[tuple[str, str]]] = {}
    for pk, full_name in Category.objects.filter(level=3).values_list("pk", "full_name"):
        top, _sep, rest = full_name.partition(" / ")
        groups.setdefault(top, []).append((str(pk), rest or top))
    return list(groups.items())


# --- the citizen's own case --------------------------------------------------------------------


def _day(value: Any) -> str:
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, date):
        return value.isoformat()
    return ""


def citizen_event_text(ev: CaseEvent) -> str | None:
    """What an event means for the petitioner, in plain words, as its app declared it (ADR 0007);
    None for internal steps (objections, yellow warnings, 督办) and for undeclared types."""
    try:
        words = registry.event_type(ev.event_type).citizen
    except registry.UnknownEventType:
        return None
    return words(ev) if words else None


def citizen_timeline(case: Case) -> list[dict[str, Any]]:
    events = case.events.select_related("actor_unit", "case__office").order_by("created_at", "id")
    rows = []
    for ev in events:
        text = citizen_event_text(ev)
        if text:
            names = [str(v) for v in (ev.data or {}).values() if isinstance(v, str) and _CJK.search(v)]
            names += [ev.actor_unit.name if ev.actor_unit else "", ev.case.office.name, ev.reason or ""]
            rows.append(
                {
                    "at": ev.created_at,
                    "text": _marked(text, names),
                    "unit": ev.actor_unit.name if ev.actor_unit else "",
                }
            )
    return rows


@dataclass(frozen=True)
class CitizenClock:
    label: str
    unit: str
    due_on: date
    days_left: int
    is_window: bool
    paused: bool


def _citizen_clock_label(clock: Clock) -> str:
    """The clock's name and its rule's figure in the portal's language ("Review (30 days)")."""
    name = _(str(ClockKind(clock.kind).label)) if clock.kind in ClockKind.values else _("时限")
    if clock.kind not in RULED_KINDS:
        return name
    return _("%(name)s（%(days)s）") % {
        "name": name,
        "days": days_text_translated(clock.rule_days, clock.rule_unit),
    }


def _marked(text: str, names: list[str]) -> str:
    """On an English page, the Chinese names inside a sentence marked lang="zh" (the sentence escaped)."""
    if (get_language() or "zh").startswith("zh"):
        return text
    html = str(escape(text))
    for name in sorted({n for n in names if n}, key=len, reverse=True):
        html = html.replace(str(escape(name)), f'<span lang="zh">{escape(name)}</span>')
    return mark_safe(html)  # every part above is escaped


def citizen_clocks(case: Case) -> list[CitizenClock]:
    today = timeutil.today()
    out = []
    for clock in (
        Clock.objects.filter(case=case, state__in=LIVE_STATES).select_related("unit").order_by("due_on")
    ):
        if clock.kind in (ClockKind.ROUTING, ClockKind.OBJECTION, ClockKind.ASSIGNMENT):
            continue  # internal limits between offices
        out.append(
            CitizenClock(
                label=_citizen_clock_label(clock),
                unit=clock.unit.name if clock.unit else "",
                due_on=clock.due_on,
                days_left=(clock.due_on - today).days,
                is_window=clock.kind in WINDOW_KINDS,
                paused=clock.state == ClockState.PAUSED,
            )
        )
    return out


def window_due(case: Case, kind: ClockKind) -> date | None:
    clock = Clock.objects.filter(case=case, kind=kind, state__in=LIVE_STATES).order_by("-id").first()
    return clock.due_on if clock else None


def delivered_opinions(case: Case) -> list[Opinion]:
    return list(
        case.opinions.filter(delivered_on__isnull=False)
        .select_related("issued_unit")
        .order_by("issued_at", "id")
    )


def cases_for_contact(address: str) -> list[Case]:
    """Cases a signed-in citizen may open: those whose own submission carried this phone for a
    petitioner (or whose contact the person verified later), or that list this address for notices.

    Never by the petitioner's stored phone: whoever types someone's ID number with their own phone
    must not see that person's other cases, accusations included (issue 9, hole 1)."""
    from huiyin.notify.models import CaseContact

    if not address:
        return []
    by_contact = CaseContact.objects.filter(address=address).values("case_id")
    return list(
        Case.objects.filter(Q(parties__phone=address) | Q(pk__in=by_contact))
        .distinct()
        .select_related("office", "handling_unit")
        .order_by("-registered_at")[:100]
    )


# --- public pages ------------------------------------------------------------------------------


def public_offices() -> list[dict[str, Any]]:
    units = Unit.objects.filter(kind=UnitKind.PETITION_OFFICE, is_active=True).select_related(
        "territory", "public_info"
    )
    rows = []
    for unit in units.order_by("territory__path", "code"):
        info = getattr(unit, "public_info", None)
        if info is not None and not info.is_published:
            continue
        rows.append({"unit": unit, "info": info or OfficeInfo(unit=unit)})
    return rows


def public_statistics() -> dict[str, Any]:
    """Anonymised statistics and unit rankings of the last twelve months, summed from the analytics
    roll-ups (huiyin/analytics; definitions in docs/metrics.md), cached."""
    from huiyin.analytics.dashboard import public_statistics
    from huiyin.core.dbrouter import on_replica

    compute = on_replica(public_statistics)  # roll-ups, cached: a replica's lag is nothing beside the cache
    stats = cache.get_or_set("portal:statistics", compute, _cache_seconds())
    assert stats is not None  # compute always returns the figures
    return dict(stats)


_PHONE = re.compile(r"1[3-9]\d{9}|\d{3,4}-?\d{7,8}")
_ID = re.compile(r"\d{17}[\dXx]|\d{15}")


def redact(text: str, names: list[str]) -> str:
    """Remove what identifies a person: ID numbers, phone numbers and the petitioners' names."""
    text = _ID.sub("＊＊＊", text)
    text = _PHONE.sub("＊＊＊", text)
    for name in sorted({n for n in names if n}, key=len, reverse=True):
        text = text.replace(name, name[0] + "＊" * (len(name) - 1))
    return text


def _published() -> list[dict[str, Any]]:
    secrets = (
        TrackingSecret.objects.filter(publish_consent=True, publish_approved=True)
        .exclude(case__petition_type=PetitionType.ACCUSATION)
        .values_list("case_id", flat=True)
    )
    opinions = (
        Opinion.objects.filter(case_id__in=secrets, delivered_on__isnull=False)
        .select_related("case__category", "case__territory", "issued_unit")
        .prefetch_related("case__parties__petitioner")
        .order_by("-issued_at")[:50]
    )
    rows = []
    for op in opinions:
        names = [p.petitioner.name for p in op.case.parties.all()]
        rows.append(
            {
                "category": op.case.category.full_name if op.case.category else "",
                "territory": op.case.territory.name if op.case.territory else "",
                "unit": op.issued_unit.name,
                "stage": OpinionStage(op.stage).label,
                "decision": Decision(op.decision).label,
                "issued_on": op.issued_at.date(),
                "request": redact(op.request_summary, names),
                "facts": redact(op.facts_reasons, names),
                "legal_basis": op.legal_basis,
            }
        )
    return rows


def published_replies() -> list[dict[str, Any]]:
    # never None: get_or_set stores and returns the default
    found: list[dict[str, Any]] = cache.get_or_set("portal:published", _published, _cache_seconds())  # type: ignore[assignment]
    return found


def case_status_label(case: Case) -> str:
    return Status(case.status).label
