"""Outreach's figures (SPEC §3.6, §3.7; issue 14 §8), declared in the analytics registry through
`Module.metrics` (apps.py): dashboards, scorecards, exports and docs/metrics.md show them. None of
their rows is a case except the problems that became cases (`case_path`); the others name their own
territory (`territory_path`). The app's pages read the same definitions through the functions below,
each returning (numerator, denominator); a rate is n/d when d > 0."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from huiyin.analytics.choices import MetricKind
from huiyin.analytics.registry import Definition, Filters, Metric, compute
from huiyin.cases.choices import Status
from huiyin.core import timeutil
from huiyin.outreach.choices import CommentResponse, CommitmentStatus, PairingKind, ProblemState, Satisfaction
from huiyin.outreach.selectors import norm_for, period_window, visits_in_period

MODULE = "outreach"
EPOCH = date(2000, 1, 1)  # "since the first record" for the figures the portal shows without a period
HAPPY = (Satisfaction.SATISFIED, Satisfaction.BASIC)
ADOPTED = (CommentResponse.ADOPTED, CommentResponse.PARTLY)
# a case that reached an answer: the matter was settled from the visit, before the person had to
# petition for it (变上访为下访)
ANSWERED = (Status.REPLIED, Status.CLOSED, Status.REVIEW_REPLIED, Status.FINAL)


def _checks() -> Any:
    from huiyin.outreach.models import CoverageCheck

    return CoverageCheck.objects.all()


def _build_checks(end: date) -> None:
    from huiyin.outreach.checks import build_checks

    build_checks(end)


def _entries() -> Any:
    from huiyin.outreach.models import DiaryEntry

    return DiaryEntry.objects.all()


def _problems_of_entry() -> Any:
    from huiyin.outreach.models import Problem

    n = Problem.objects.filter(entry_id=OuterRef("pk")).order_by().values("entry_id").annotate(n=Count("id"))
    return Coalesce(Subquery(n.values("n")[:1], output_field=IntegerField()), 0)


def _found_cases() -> Any:
    from huiyin.outreach.models import Problem

    return Problem.objects.filter(state=ProblemState.CASE, case__isnull=False)


def _commitments() -> Any:
    from huiyin.outreach.models import Commitment

    return Commitment.objects.all()


def _ratings() -> Any:
    from huiyin.outreach.models import CommitmentRating

    return CommitmentRating.objects.all()


def _answered_comments() -> Any:
    from huiyin.outreach.models import ConsultationComment

    return ConsultationComment.objects.exclude(response="")


VISITS = Metric(
    key="outreach_visits_per_pairing",
    label="结对走访频次",
    kind=MetricKind.AVERAGE,
    rows=_checks,
    date_field="ends_on",
    unit_field="pairing__unit_id",
    case_path=None,
    territory_path="pairing__point__territory",
    value=lambda: Coalesce("visits", 0),
    prepare=_build_checks,
    unit_suffix="次",
    module=MODULE,
    definition=Definition(
        numerator="各结对在其考核期内记入该结对的民情日记篇数之和",
        denominator="结对考核期数：每个结对在其联系方式的每个考核期（干部联户联人按月，部门联村联企、"
        "领导联点联项按季度，可在走访规范中调整）一行，考核期内任一日在结对期内即计",
        time_basis="考核期的最后一日（CoverageCheck.ends_on）；进行中的考核期按其最后一日计，"
        "统计期间须含该日",
        counts="所有结对；责任单位为结对单位，区域为联系点所在村（社区）",
        excludes="未记入结对的走访（无结对的日记）",
        article="seeds/004 二(二)2 部门联村联企、领导联点联项、干部联户联人",
    ),
)

COVERAGE = Metric(
    key="outreach_coverage",
    label="走访覆盖率",
    kind=MetricKind.RATE,
    rows=_checks,
    date_field="ends_on",
    unit_field="pairing__unit_id",
    case_path=None,
    territory_path="pairing__point__territory",
    hit=Q(met=True),
    prepare=_build_checks,
    unit_suffix="%",
    module=MODULE,
    definition=Definition(
        numerator="考核期内走访次数达到该联系方式走访规范（次数）的结对考核期数",
        denominator="结对考核期数（同“结对走访频次”的分母）",
        time_basis="考核期的最后一日（CoverageCheck.ends_on）",
        counts="所有结对；走访规范取考核期建立时的规范（VisitNorm，未设置的取默认：每月或每季度1次）",
        excludes="未记入结对的走访",
        article="seeds/004 二(二)2；SPEC §3.6 走访覆盖",
        gaps="考核期结束后补记的日记会重算该期（outreach/checks.py），已关账月份的日汇总不回溯",
    ),
)

ISSUES = Metric(
    key="outreach_issues_per_visit",
    label="每次走访发现问题数",
    kind=MetricKind.AVERAGE,
    rows=_entries,
    date_field="visited_on",
    unit_field="author__unit_id",
    case_path=None,
    territory_path="point__territory",
    value=_problems_of_entry,
    unit_suffix="个",
    module=MODULE,
    definition=Definition(
        numerator="民情日记记录的问题数之和",
        denominator="民情日记篇数（每次走访一篇）",
        time_basis="走访日期（DiaryEntry.visited_on）",
        counts="所有民情日记，含未记入结对的；责任单位为记日记干部的单位",
        excludes="无",
        article="seeds/002 第四篇 望闻问切；SPEC §3.6 民情日记",
    ),
)

FOUND_RESOLVED = Metric(
    key="outreach_found_resolved",
    label="走访发现事项解决率",
    kind=MetricKind.RATE,
    rows=_found_cases,
    date_field="entry__visited_on",
    unit_field="entry__author__unit_id",
    case_path="case__",
    hit=Q(case__status__in=ANSWERED),
    unit_suffix="%",
    module=MODULE,
    definition=Definition(
        numerator="其中已答复（已答复、已办结、复查已答复、终结）的事项数：问题在走访中发现并解决，"
        "群众不必再上访（变上访为下访）",
        denominator="民情日记中经本人同意登记为信访事项（渠道“排查走访发现”）的问题数",
        time_basis="走访日期（DiaryEntry.visited_on）",
        counts="民情日记的问题；责任单位为发现问题的干部所在单位，区域与类型取该信访事项的",
        excludes="当场答复或转入矛盾纠纷排查台账的问题；恳谈会上提出的问题",
        article="《信访工作条例》第十九条（本人提出诉求）；seeds/004 变上访为下访",
    ),
)

FULFILMENT = Metric(
    key="outreach_commitment_fulfilment",
    label="践诺落实率",
    kind=MetricKind.RATE,
    rows=_commitments,
    date_field="decided_on",
    unit_field="unit_id",
    case_path=None,
    territory_path="territory",
    hit=Q(status=CommitmentStatus.FULFILLED),
    unit_suffix="%",
    module=MODULE,
    definition=Definition(
        numerator="其中已兑现的承诺数（按期或逾期兑现）",
        denominator="到期的公开承诺数：在承诺日期前办结（兑现或宣布未能兑现）的，按办结之日计；其余按承诺日期计，"
        "到期仍在践诺中的计为未兑现",
        time_basis="Commitment.decided_on：办结日早于承诺日期时为办结日，否则为承诺日期",
        counts="所有公开承诺，含为民办实事项目；责任单位为承诺单位，区域为承诺区域",
        excludes="尚未到期且未办结的承诺",
        article="seeds/004 践诺测评（践诺落实率93.7%）",
    ),
)

SATISFACTION = Metric(
    key="outreach_commitment_satisfaction",
    label="践诺群众满意率",
    kind=MetricKind.RATE,
    rows=_ratings,
    date_field="created_at",
    unit_field="commitment__unit_id",
    case_path=None,
    territory_path="commitment__territory",
    hit=Q(satisfaction__in=HAPPY),
    unit_suffix="%",
    module=MODULE,
    definition=Definition(
        numerator="其中“满意”或“基本满意”的评价数",
        denominator="群众对公开承诺的评价数（手机验证，每人每项一次，到期或办结后方可评价）",
        time_basis="评价时间（CommitmentRating.created_at，按本地日期）",
        counts="所有评价；责任单位为承诺单位",
        excludes="无",
        article="seeds/004 践诺测评（群众满意率95%）",
    ),
)

ADOPTION = Metric(
    key="outreach_consultation_adopted",
    label="征求意见采纳率",
    kind=MetricKind.RATE,
    rows=_answered_comments,
    date_field="consultation__closes_on",
    unit_field="consultation__unit_id",
    case_path=None,
    territory_path="consultation__territory",
    hit=Q(response__in=ADOPTED),
    unit_suffix="%",
    module=MODULE,
    definition=Definition(
        numerator="其中“采纳”或“部分采纳”的意见数",
        denominator="发布单位已公开答复的群众意见数",
        time_basis="征求意见期的截止日（Consultation.closes_on）",
        counts="所有征求意见；责任单位为发布单位",
        excludes="尚未答复的意见（公开页面显示为待答复）",
        article="seeds/000 公示制、听证制、献计献策",
    ),
)

METRICS = (VISITS, COVERAGE, ISSUES, FOUND_RESOLVED, FULFILMENT, SATISFACTION, ADOPTION)


def _figure(metric: Metric, start: date, end: date, unit_id: int | None = None) -> tuple[int, int]:
    f = compute(metric, Filters(start=start, end=end, unit_id=unit_id))
    return f.num, f.den


def visits_per_pairing(start: date, end: date) -> tuple[int, int]:
    """结对走访频次 over the norm periods ending in [start, end]: (visits, pairing-periods)."""
    return _figure(VISITS, start, end)


def coverage_closed(start: date, end: date) -> tuple[int, int]:
    """走访覆盖率 over the norm periods ending in [start, end]: (periods met, pairing-periods)."""
    return _figure(COVERAGE, start, end)


def coverage(on: date) -> tuple[int, int]:
    """走访覆盖率 of the norm periods containing `on` (each kind's month or quarter, running or not),
    counted as the coverage page counts (selectors.visits_in_period, as the checks are built)."""
    met = total = 0
    for kind in PairingKind.values:
        period, required = norm_for(kind)
        start, end = period_window(period, on)
        agg = visits_in_period(kind, start, end).aggregate(
            total=Count("id"), met=Count("id", filter=Q(n__gte=required))
        )
        met += agg["met"]
        total += agg["total"]
    return met, total


def issues_per_visit(start: date, end: date) -> tuple[int, int]:
    """每次走访发现问题数: (problems, diary entries) of the visits in [start, end]."""
    return _figure(ISSUES, start, end)


def found_cases_resolved(start: date, end: date) -> tuple[int, int]:
    """走访发现事项解决率: (answered, registered) of the problems found on visits in [start, end]."""
    return _figure(FOUND_RESOLVED, start, end)


def commitment_fulfilment(on: date, unit_id: int | None = None) -> tuple[int, int]:
    """践诺落实率 of the promises decided (closed early, or due) on or before `on`."""
    return _figure(FULFILMENT, EPOCH, on, unit_id)


def commitment_satisfaction(unit_id: int | None = None) -> tuple[int, int]:
    """践诺群众满意率 of every rating so far."""
    return _figure(SATISFACTION, EPOCH, timeutil.today(), unit_id)


def consultation_adopted(start: date, end: date) -> tuple[int, int]:
    """征求意见采纳率 of the answered comments on consultations whose period closed in [start, end]."""
    return _figure(ADOPTION, start, end)


def per_unit(on: date) -> list[dict[str, object]]:
    """践诺落实率 and 群众满意率 of every unit that made a promise, by the definitions above (one grouped
    query each): due = decided on or before `on`; satisfaction over every rating so far."""
    from huiyin.org.models import Unit
    from huiyin.outreach.models import CommitmentRating

    units = (
        Unit.objects.filter(commitments__isnull=False)
        .annotate(
            promised=Count("commitments", distinct=True),
            due=Count("commitments", filter=Q(commitments__decided_on__lte=on), distinct=True),
            kept=Count(
                "commitments",
                filter=Q(commitments__decided_on__lte=on, commitments__status=CommitmentStatus.FULFILLED),
                distinct=True,
            ),
            broken=Count("commitments", filter=Q(commitments__status=CommitmentStatus.BROKEN), distinct=True),
        )
        .order_by("territory__path", "code")
    )
    ratings = dict(
        CommitmentRating.objects.values_list("commitment__unit_id")
        .annotate(n=Count("id"))
        .values_list("commitment__unit_id", "n")
    )
    happy = dict(
        CommitmentRating.objects.filter(satisfaction__in=HAPPY)
        .values_list("commitment__unit_id")
        .annotate(n=Count("id"))
        .values_list("commitment__unit_id", "n")
    )
    return [
        {
            "unit": u,
            "promised": u.promised,
            "due": u.due,
            "kept": u.kept,
            "broken": u.broken,
            "fulfilment": (u.kept / u.due) if u.due else None,
            "ratings": ratings.get(u.pk, 0),
            "satisfaction": (happy.get(u.pk, 0) / ratings[u.pk]) if ratings.get(u.pk) else None,
        }
        for u in units
    ]
