"""Metrics of leader reception (seeds/002 rule 5: 要提高各级各部门领导接待的一次办结率和化解率，严格考核).

Each figure is defined once, as a `huiyin.analytics.registry.Metric` declared in the app's Module
(`Module.metrics`), so the dashboards, scorecards, exports and docs/metrics.md show it; the module's own
page breaks the same rows down per leader and per level (`breakdown`), so both read one definition.

- a session is not a case: its figures have `case_path=None` and the session's territory;
- a received visit always has a case (an unregistered matter is registered when its outcome is recorded),
  dimensioned by the session's territory (where the leader received) and the leader's unit;
- 一次办结 and 化解 are decided on `Booking.settled_on`: the session's day when resolved on the spot, else
  the day the 90-day window closes. Dating each visit by the day its result is known keeps numerator and
  denominator on one date, so the daily roll-ups add up (a visit is counted once its result is known).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from huiyin.analytics.choices import MetricKind
from huiyin.analytics.registry import Definition, Metric, source_rows
from huiyin.cases.choices import Status
from huiyin.cases.models import CaseEvent
from huiyin.core import timeutil
from huiyin.org.models import Territory
from huiyin.reception.choices import BookingStatus, Outcome, SessionStatus
from huiyin.reception.models import Booking, Session
from huiyin.reception.services import REPEAT_WINDOW_DAYS

ARTICLE = "党政领导信访接待日制度第5条（一次办结率、化解率，严格考核）；《信访工作条例》第十八条第二款"


def _sessions() -> QuerySet[Session]:
    return Session.objects.exclude(status=SessionStatus.CANCELLED).filter(date__lte=timeutil.today())


def _received() -> QuerySet[Booking]:
    return Booking.objects.filter(status=BookingStatus.RECEIVED)


def _settled() -> QuerySet[Booking]:
    return _received().filter(settled_on__isnull=False, settled_on__lte=timeutil.today())


def _repeat_annotations() -> dict[str, Any]:
    """`_repeated`: the same matter (case) came to another leader reception after this one, within 90
    days of it (up to `settled_on`, which is the session's day + 90 for a visit not resolved on the spot)."""
    again = Booking.objects.filter(
        case_id=OuterRef("case_id"),
        status=BookingStatus.RECEIVED,
        session__date__gt=OuterRef("session__date"),
        session__date__lte=OuterRef("settled_on"),
    )
    return {"_repeated": Exists(again)}


def _closed_annotations() -> dict[str, Any]:
    """`_closed`: the matter's case was closed (已办结) by the end of the visit's window."""
    closed = CaseEvent.objects.filter(
        case_id=OuterRef("case_id"),
        to_status=Status.CLOSED,
        created_at__date__lte=OuterRef("settled_on"),
    )
    return {"_closed": Exists(closed)}


SESSIONS_HELD = Metric(
    key="reception_sessions_held",
    label="领导接待日按期接待率",
    kind=MetricKind.RATE,
    definition=Definition(
        numerator="其中至少记录了一次接待结果的场次（已接待）",
        denominator="已到期、未取消的领导接待场次（接待日、下访、约访）",
        time_basis="场次日期（改期后的实际日期）",
        counts="按规则生成及安排的全部场次，由代接待领导接待的记在实际接待领导名下",
        excludes="已取消的场次；尚未到期的场次",
        article="党政领导信访接待日制度第1条（县级每周一次，乡镇街道及有关部门每月两次）",
    ),
    rows=_sessions,
    date_field="date",
    unit_field="leader__unit_id",
    case_path=None,
    territory_path="territory",
    hit=Q(status=SessionStatus.HELD),
    module="reception",
    unit_suffix="%",
)
VISITS = Metric(
    key="reception_visits",
    label="领导接待来访批次",
    kind=MetricKind.COUNT,
    definition=Definition(
        numerator="已记录接待结果的预约（一次来访，集体访计一次）",
        denominator="—",
        time_basis="场次日期",
        counts="网上预约、信访部门代约、领导约访下访邀请的来访",
        excludes="取消或未到场的预约",
        article=ARTICLE,
    ),
    rows=_received,
    date_field="session__date",
    unit_field="session__leader__unit_id",
    territory_path="session__territory",
    module="reception",
    unit_suffix="批",
)
ONCE = Metric(
    key="reception_once_rate",
    label="领导接待一次办结率",
    kind=MetricKind.RATE,
    definition=Definition(
        numerator="其中当场解决的，或接待后90日内同一事项（同一信访件）未再到领导接待的来访",
        denominator="结果已可判定的领导接待来访：当场解决的，或接待满90日的",
        time_basis="判定日：当场解决的为接待日，其余为接待日后第90日（观察期满）",
        counts="已记录接待结果的来访（交办、包案、解释说明均计入）",
        excludes="取消或未到场的预约；观察期未满且未当场解决的来访",
        article=ARTICLE,
    ),
    rows=_settled,
    date_field="settled_on",
    unit_field="session__leader__unit_id",
    territory_path="session__territory",
    hit=Q(outcome=Outcome.RESOLVED) | Q(_repeated=False),
    annotations=_repeat_annotations,
    module="reception",
    unit_suffix="%",
)
RESOLVED = Metric(
    key="reception_resolve_rate",
    label="领导接待化解率",
    kind=MetricKind.RATE,
    definition=Definition(
        numerator="其中当场解决的，或该信访件在接待后90日内办结的来访",
        denominator="结果已可判定的领导接待来访：当场解决的，或接待满90日的",
        time_basis="判定日：当场解决的为接待日，其余为接待日后第90日（观察期满）",
        counts="已记录接待结果的来访",
        excludes="取消或未到场的预约；观察期未满且未当场解决的来访",
        article=ARTICLE,
        gaps="办结以信访件进入“已办结”状态为准；群众是否满意见评价类指标",
    ),
    rows=_settled,
    date_field="settled_on",
    unit_field="session__leader__unit_id",
    territory_path="session__territory",
    hit=Q(outcome=Outcome.RESOLVED) | Q(_closed=True),
    annotations=_closed_annotations,
    module="reception",
    unit_suffix="%",
)
METRICS = (SESSIONS_HELD, VISITS, ONCE, RESOLVED)

BY_LEADER = ("session__leader", "session__leader__full_name", "session__level")
BY_LEVEL = ("session__level",)


def breakdown(
    metric: Metric,
    *,
    start: date,
    end: date,
    by: tuple[str, ...],
    territory: Territory | None = None,
    as_of: date | None = None,
) -> list[dict[str, Any]]:
    """`metric`'s numerator (`num`) and denominator (`den`) over [start, end] (its own time basis, up to
    `as_of`), grouped by `by` (e.g. per leader, per level), with `rate` = num / den (None when 0)."""
    as_of = as_of or timeutil.today()
    qs = source_rows(metric, start, min(end, as_of))
    if territory is not None:
        qs = qs.filter(**{f"{metric.territory}__path__startswith": territory.path})
    num = Count("pk", filter=metric.hit) if metric.kind == MetricKind.RATE and metric.hit else Count("pk")
    rows = [dict(r) for r in qs.values(*by).annotate(num=num, den=Count("pk")).order_by(*by)]
    for row in rows:
        row["rate"] = row["num"] / row["den"] if row["den"] else None
    return rows


def sessions_held_vs_scheduled(
    *, start: date, end: date, territory: Territory | None = None, as_of: date | None = None
) -> list[dict[str, Any]]:
    """Per level: `scheduled` (the sessions due by `as_of`, not cancelled), `held` (of them, those with a
    recorded visit) — the reception_sessions_held figure broken down by level."""
    return [
        {"level": r["level"], "scheduled": r["den"], "held": r["num"]}
        for r in breakdown(
            SESSIONS_HELD, start=start, end=end, by=("level",), territory=territory, as_of=as_of
        )
    ]


def visits_received(
    *, start: date, end: date, territory: Territory | None = None, as_of: date | None = None
) -> list[dict[str, Any]]:
    """Per leader who received: the visits with a recorded outcome at their sessions in the period."""
    return [
        {**r, "visits": r["den"]}
        for r in breakdown(VISITS, start=start, end=end, by=BY_LEADER, territory=territory, as_of=as_of)
    ]


def _rates(metric: Metric, by: tuple[str, ...], **kw: Any) -> list[dict[str, Any]]:
    return [{**r, "visits": r["den"], "once": r["num"]} for r in breakdown(metric, by=by, **kw)]


def one_time_resolution(
    *,
    start: date,
    end: date,
    territory: Territory | None = None,
    as_of: date | None = None,
    by_level: bool = False,
) -> list[dict[str, Any]]:
    """一次办结率 per leader (or per level): the reception_once_rate figure broken down."""
    by = BY_LEVEL if by_level else BY_LEADER
    return _rates(ONCE, by, start=start, end=end, territory=territory, as_of=as_of)


def resolution(
    *,
    start: date,
    end: date,
    territory: Territory | None = None,
    as_of: date | None = None,
    by_level: bool = False,
) -> list[dict[str, Any]]:
    """化解率 per leader (or per level): the reception_resolve_rate figure broken down."""
    by = BY_LEVEL if by_level else BY_LEADER
    return _rates(RESOLVED, by, start=start, end=end, territory=territory, as_of=as_of)


__all__ = ["METRICS", "REPEAT_WINDOW_DAYS", "breakdown"]
