"""民主评议 (万人评议机关, SPEC §3.7; seeds 000 §四): an administrator opens a round for a period, a
sample of the period's petitioners and some residents get one-time invitation links, and each invited
person rates every unit of the round once, without signing in.

Anonymous by construction: the invitation stores only the token's hash (and whom it was sent to, so
nobody is invited twice); the answer stores the round, the unit and the score — no person, no
invitation, no time — and the invitation keeps only the day it was used. The round's results are a
registered metric (民主评议满意率, dated by the day the round closed) that the scorecards weigh.
"""

from __future__ import annotations

import hashlib
import random
import secrets
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Count, Q

from huiyin.analytics.choices import MetricKind
from huiyin.analytics.models import SurveyAnswer, SurveyInvitation, SurveyRound
from huiyin.analytics.registry import Definition, Metric, register_metric
from huiyin.core import timeutil
from huiyin.core.errors import ApplicationError, NotFound, ValidationFailed
from huiyin.org.models import Territory, Unit, User

MAX_INVITATIONS = 5000


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def round_open(
    *, title: str, territory: Territory, start: date, end: date, units: list[Unit], actor: User
) -> SurveyRound:
    if end < start:
        raise ValidationFailed("评议期间无效", extra={"fields": {"period_end": "结束日期早于开始日期"}})
    if not units:
        raise ValidationFailed("请选择参评单位", extra={"fields": {"units": "至少一个单位"}})
    with transaction.atomic():
        r = SurveyRound.objects.create(
            title=title,
            territory=territory,
            period_start=start,
            period_end=end,
            opened_by=actor,
            opened_at=timeutil.now(),
        )
        r.units.set(units)
    return r


@dataclass(frozen=True)
class Invited:
    token: str
    source: str
    petitioner: Any  # cases.Petitioner or None (a resident's anonymous card)


def invite(*, round: SurveyRound, petitioners: int, residents: int, seed: int | None = None) -> list[Invited]:
    """Make invitations: a random sample of `petitioners` among the people who petitioned in the round's
    period in its territory (each at most once per round), and `residents` anonymous cards (for the
    community's residents, handed out on paper). Returns the tokens, which are stored nowhere: the
    caller hands them over once."""
    from huiyin.analytics.registry import _day_bounds
    from huiyin.cases.models import Petitioner

    if round.closed_on is not None:
        raise ApplicationError("该轮评议已结束")
    if petitioners < 0 or residents < 0 or petitioners + residents > MAX_INVITATIONS:
        raise ValidationFailed(f"邀请人数须在 0 至 {MAX_INVITATIONS} 之间")
    lo, hi = _day_bounds(round.period_start, round.period_end)
    pool = list(
        Petitioner.objects.filter(
            parties__case__registered_at__gte=lo,
            parties__case__registered_at__lt=hi,
            parties__case__territory__path__startswith=round.territory.path,
        )
        .exclude(pk__in=round.invitations.filter(petitioner__isnull=False).values("petitioner_id"))
        .distinct()
        .order_by("pk")
    )
    rng = random.Random(seed) if seed is not None else random.SystemRandom()
    chosen = rng.sample(pool, min(petitioners, len(pool)))
    made: list[Invited] = []
    rows = []
    for source, who in [
        *(("petitioner", p) for p in chosen),
        *(("resident", None) for _ in range(residents)),
    ]:
        token = secrets.token_urlsafe(18)
        made.append(Invited(token, source, who))
        rows.append(
            SurveyInvitation(round=round, source=source, petitioner=who, token_hash=token_hash(token))
        )
    SurveyInvitation.objects.bulk_create(rows)
    return made


def invitation_for(token: str) -> SurveyInvitation | None:
    """The open invitation of `token`, or None (unknown, forged, used, or its round closed)."""
    if not token or len(token) > 64:
        return None
    inv = SurveyInvitation.objects.select_related("round").filter(token_hash=token_hash(token)).first()
    if inv is None or inv.used_on is not None or inv.round.closed_on is not None:
        return None
    return inv


def answer(*, token: str, scores: dict[int, str]) -> SurveyRound:
    """Record one invited person's ratings: every unit of the round once; the invitation is spent in the
    same transaction (a second answer with the same token is refused, even when two arrive at once)."""
    inv = invitation_for(token)
    if inv is None:
        raise NotFound("邀请链接无效或已使用")
    r = inv.round
    unit_ids = set(r.units.values_list("pk", flat=True))
    valid = set(SurveyAnswer.Score.values)
    if set(scores) != unit_ids or any(v not in valid for v in scores.values()):
        raise ValidationFailed("请对每个单位选择“满意”“基本满意”或“不满意”")
    with transaction.atomic():
        spent = SurveyInvitation.objects.filter(pk=inv.pk, used_on__isnull=True).update(
            used_on=timeutil.today()
        )
        if spent != 1:
            raise NotFound("邀请链接无效或已使用")
        # shuffled so that the answers' ids do not follow the order of the form either
        rows = [SurveyAnswer(round=r, unit_id=u, score=s) for u, s in scores.items()]
        random.SystemRandom().shuffle(rows)
        SurveyAnswer.objects.bulk_create(rows)
    return r


def round_close(*, round: SurveyRound, actor: User) -> SurveyRound:
    """End a round: no more answers; its results count on the closing day (民主评议满意率)."""
    from huiyin.analytics.services import rollup_days

    if round.closed_on is not None:
        raise ApplicationError("该轮评议已结束")
    today = timeutil.today()
    SurveyRound.objects.filter(pk=round.pk).update(closed_on=today)
    round.closed_on = today
    rollup_days(today, today)  # the closing day's figures now include the round
    return round


def results(round: SurveyRound) -> dict[str, Any]:
    """Response rate and each unit's ratings (satisfied + basically satisfied over all answers)."""
    counts = round.invitations.aggregate(
        invited=Count("id"), answered=Count("id", filter=Q(used_on__isnull=False))
    )
    per = {
        r["unit_id"]: r
        for r in round.answers.values("unit_id")
        .annotate(
            n=Count("id"),
            satisfied=Count("id", filter=Q(score="satisfied")),
            basically=Count("id", filter=Q(score="basically")),
            dissatisfied=Count("id", filter=Q(score="dissatisfied")),
        )
        .order_by()
    }
    units: list[dict[str, Any]] = []
    for unit in round.units.order_by("code"):
        r = per.get(unit.pk, {"n": 0, "satisfied": 0, "basically": 0, "dissatisfied": 0})
        good = r["satisfied"] + r["basically"]
        units.append(
            {
                "unit": unit,
                "n": r["n"],
                "satisfied": r["satisfied"],
                "basically": r["basically"],
                "dissatisfied": r["dissatisfied"],
                "rate": round_rate(good, r["n"]),
            }
        )
    units.sort(key=lambda u: (-(u["rate"] or 0), u["unit"].code))
    return {
        "invited": counts["invited"],
        "answered": counts["answered"],
        "response_rate": round_rate(counts["answered"], counts["invited"]),
        "units": units,
    }


def round_rate(num: int, den: int) -> float | None:
    return round(100 * num / den, 1) if den else None


def _answers() -> Any:
    return SurveyAnswer.objects.filter(round__closed_on__isnull=False)


APPRAISAL = register_metric(
    Metric(
        key="appraisal_rate",
        label="民主评议满意率",
        kind=MetricKind.RATE,
        rows=_answers,
        date_field="round__closed_on",
        unit_field="unit_id",
        case_path=None,
        territory_path="unit__territory",
        hit=Q(score__in=("satisfied", "basically")),
        unit_suffix="%",
        definition=Definition(
            numerator="民主评议中对该单位评为“满意”或“基本满意”的份数",
            denominator="民主评议中对该单位的评价份数（受邀者每人每单位一份）",
            time_basis="该轮评议结束之日（SurveyRound.closed_on）",
            counts="已结束的评议轮次；受邀的近期信访人和群众代表通过一次性链接匿名提交的评价",
            excludes="尚未结束的轮次；未受邀或重复提交的（链接只能使用一次）",
            article="SPEC §3.7 民主评议（万人评议机关）；《信访工作条例》第三十九条（考核）",
        ),
    )
)
