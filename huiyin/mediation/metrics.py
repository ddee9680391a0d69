"""The figures of the dispute work (SPEC §3.5; seeds 001: 调解成功率, seeds 000: 小事不出村、大事不出镇、
矛盾不上交), defined once. Each figure is a `Spec` — which rows count, their date, and the numerator's
condition — and the same spec gives both the analytics registry's `Metric` (declared through
`Module.metrics`: dashboards, exports and docs/metrics.md) and the app's own metrics page, which applies
it to what the viewer may see. None of these rows is a petition case: `case_path=None`, and each names
its own territory.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, F, Q, QuerySet

from huiyin.analytics.choices import MetricKind
from huiyin.analytics.registry import Definition, Metric
from huiyin.mediation.choices import MediationKind, Performance, ResolutionLevel
from huiyin.org.choices import TerritoryLevel

MODULE = "mediation"

# ------------------------------------------------------------------------------- the conditions

SUCCESS = ~Q(resolution_level="")  # an agreement (a court mediation or 司法确认 for 司法调解)
ENDED_HERE = Q(next__isnull=True) & SUCCESS  # the dispute's last mediation, with an agreement
# a dispute's first mediation, by a village or township organ, concluded (agreed, terminated, court)
FIRST_LOW = Q(
    dispute_id=F("pk"), organ__territory__level__gte=TerritoryLevel.TOWNSHIP, concluded_on__isnull=False
)
STAYED_BELOW = ~Q(later_petition__office__territory__level__lte=TerritoryLevel.COUNTY)
ON_TIME = Q(settled_on__isnull=False, settled_on__lte=F("due_on"))
REPORTED_ON_TIME = Q(filed_at__isnull=False, filed_at__date__lte=F("round__due_on"))
PERFORMED = Q(performance=Performance.PERFORMED)


def _level_q(prefix: str, level: ResolutionLevel) -> Q:
    field = f"{prefix}__level"
    return {
        ResolutionLevel.VILLAGE: Q(**{f"{field}__gte": TerritoryLevel.VILLAGE}),
        ResolutionLevel.TOWNSHIP: Q(**{field: TerritoryLevel.TOWNSHIP}),
        ResolutionLevel.COUNTY: Q(**{field: TerritoryLevel.COUNTY}),
        ResolutionLevel.ABOVE: Q(**{f"{field}__lt": TerritoryLevel.COUNTY}),
    }[level]


def seat_q(level: ResolutionLevel) -> Q:
    """The mediation's organ sits at `level` (the court's seat for 司法调解) — where the level comes from,
    never typed."""
    return Q(court_territory__isnull=False) & _level_q("court_territory", level) | Q(
        court_territory__isnull=True
    ) & _level_q("organ__territory", level)


@dataclass(frozen=True)
class Spec:
    """One figure: the rows (a model and a condition), their date, the numerator's condition (a rate)."""

    model: str  # "Mediation", "ScreeningItem", "RoundReport", "Agreement"
    where: Q
    date_field: str
    hit: Q | None = None

    def rows(self) -> QuerySet[Any]:
        from huiyin.mediation import models

        return getattr(models, self.model).objects.filter(self.where)

    def over(self, qs: QuerySet[Any], start: date, end: date) -> tuple[int, int]:
        """(numerator, denominator) of the rows of `qs` (a viewer's scope) dated in [start, end]."""
        field = self.date_field
        if self.model == "Mediation" and field == "opened_at":
            field = "opened_at__date"
        qs = qs.filter(self.where).filter(**{f"{field}__gte": start, f"{field}__lte": end})
        got = qs.aggregate(
            n=Count("pk", distinct=True), ok=Count("pk", filter=self.hit or Q(), distinct=True)
        )
        return got["ok"], got["n"]


KIND_SPECS = {k: Spec("Mediation", Q(kind=k), "opened_at", SUCCESS) for k in MediationKind.values}
LEVEL_SPECS = {lv: Spec("Mediation", seat_q(lv), "opened_at", SUCCESS) for lv in ResolutionLevel}
RESOLVED_SPECS = {
    lv: Spec("Mediation", ENDED_HERE & Q(resolution_level=lv), "resolved_on") for lv in ResolutionLevel
}
ON_TIME_SPEC = Spec("ScreeningItem", Q(due_on__isnull=False), "due_on", ON_TIME)
ZERO_REPORT_SPEC = Spec("RoundReport", Q(), "round__period", REPORTED_ON_TIME)
NOT_PASSED_UP_SPEC = Spec("Mediation", FIRST_LOW, "concluded_on", STAYED_BELOW)
PERFORMED_SPEC = Spec("Agreement", Q(followed_up_on__isnull=False), "followed_up_on", PERFORMED)

# ------------------------------------------------------------------------------- the app's page


def success_by_kind_and_level(
    mediations: QuerySet[Any], start: date, end: date
) -> dict[tuple[str, ResolutionLevel], tuple[int, int]]:
    """调解成功率 by kind and the organ's level: {(kind, level): (successes, mediations)}, only the pairs
    with mediations (KIND_SPECS and LEVEL_SPECS together)."""
    got: dict[tuple[str, ResolutionLevel], tuple[int, int]] = {}
    for kind, by_kind in KIND_SPECS.items():
        for level, by_level in LEVEL_SPECS.items():
            ok, n = Spec("Mediation", by_kind.where & by_level.where, "opened_at", SUCCESS).over(
                mediations, start, end
            )
            if n:
                got[(kind, level)] = (ok, n)
    return got


def resolution_levels(mediations: QuerySet[Any], start: date, end: date) -> dict[str, int]:
    """化解层级分布: {level: disputes resolved there in the period} (RESOLVED_SPECS), levels with any."""
    got = {lv: spec.over(mediations, start, end)[1] for lv, spec in RESOLVED_SPECS.items()}
    return {lv: n for lv, n in got.items() if n}


def items_settled_on_time(items: QuerySet[Any], start: date, end: date) -> tuple[int, int]:
    return ON_TIME_SPEC.over(items, start, end)


def zero_report_compliance(reports: QuerySet[Any], start: date, end: date) -> tuple[int, int]:
    return ZERO_REPORT_SPEC.over(reports, start, end)


def not_passed_up(mediations: QuerySet[Any], start: date, end: date) -> tuple[int, int]:
    return NOT_PASSED_UP_SPEC.over(mediations, start, end)


def agreements_performed(agreements: QuerySet[Any], start: date, end: date) -> tuple[int, int]:
    return PERFORMED_SPEC.over(agreements, start, end)


# ------------------------------------------------------------------------------- the registry

LAW = "《中华人民共和国人民调解法》"
LEVEL_WORDS = {
    ResolutionLevel.VILLAGE: "村（社区）人民调解委员会（村级组织）",
    ResolutionLevel.TOWNSHIP: "乡镇（街道）的调解组织或机关",
    ResolutionLevel.COUNTY: "县（区）的部门或人民法院",
    ResolutionLevel.ABOVE: "县级以上的机关",
}


def _metric(key: str, label: str, spec: Spec, definition: Definition, *, kind: str = MetricKind.RATE,
            unit_field: str, territory: str, higher: bool = True) -> Metric:  # fmt: skip
    return Metric(
        key=key,
        label=label,
        kind=MetricKind(kind),
        definition=definition,
        rows=spec.rows,
        date_field=spec.date_field,
        unit_field=unit_field,
        case_path=None,
        territory_path=territory,
        hit=spec.hit if kind == MetricKind.RATE else None,
        module=MODULE,
        unit_suffix="%" if kind == MetricKind.RATE else "件",
        higher_is_better=higher,
    )


def _success(key: str, label: str, spec: Spec, who: str) -> Metric:
    return _metric(
        key,
        label,
        spec,
        Definition(
            numerator="其中已达成调解协议的（司法调解：法院调解结案或司法确认）",
            denominator=f"期间内开始的{who}调解，不论现在的状态（调解中的也计入，seeds 001：24件调解成功23件）",
            time_basis="调解开始日",
            counts="三调联动中人民调解不成转行政调解的，人民调解计一次不成功，行政调解另计一次",
            excludes="无",
            article=f"{LAW}第二十八条至第三十一条",
        ),
        unit_field="organ_id",
        territory="territory",
    )


def _metrics() -> tuple[Metric, ...]:
    kinds = dict(MediationKind.choices)
    levels = {ResolutionLevel(value): label for value, label in ResolutionLevel.choices}
    found = [
        _success(f"mediation_success_{k}", f"{kinds[k]}成功率", spec, kinds[k])
        for k, spec in KIND_SPECS.items()
    ]
    found += [
        _success(f"mediation_success_at_{lv}", f"调解成功率（{levels[lv]}）", spec, LEVEL_WORDS[lv])
        for lv, spec in LEVEL_SPECS.items()
    ]
    found += [
        _metric(
            f"mediation_resolved_{lv}",
            f"化解于{levels[lv]}的纠纷数",
            spec,
            Definition(
                numerator=f"期间内以调解协议化解、且化解于{LEVEL_WORDS[lv]}的纠纷",
                denominator="—",
                time_basis="协议生效日（司法调解：法院结案日）",
                counts="每件纠纷计一次，计在三调联动链条中最后达成协议的一环；层级由达成协议的组织所在地得出，不由人工填写",
                excludes="调解不成、法院判决或尚未结案的纠纷",
                article="小事不出村、大事不出镇、矛盾不上交（seeds 000）",
            ),
            kind=MetricKind.COUNT,
            unit_field="organ_id",
            territory="territory",
        )
        for lv, spec in RESOLVED_SPECS.items()
    ]
    found += [
        _metric(
            "screening_settled_on_time",
            "排查事项按期化解率",
            ON_TIME_SPEC,
            Definition(
                numerator="其中在化解期限当日或之前化解的",
                denominator="化解期限在期间内的已交办排查事项",
                time_basis="化解期限",
                counts="经调解化解与当场化解的都计入",
                excludes="尚未交办（没有期限）的事项",
                article="矛盾纠纷排查台账：责任单位、责任人、化解期限（seeds 000）",
            ),
            unit_field="responsible_unit_id",
            territory="territory",
        ),
        _metric(
            "screening_zero_report",
            "排查零报告制度落实率",
            ZERO_REPORT_SPEC,
            Definition(
                numerator="其中在本轮报送截止日当日或之前报送的（登记了排查事项或明确零报告）",
                denominator="期间内开始的排查轮次应报送的点：乡镇（街道）本级和所辖每个村（社区）各一",
                time_basis="排查月份",
                counts="开启排查轮次时为每个报送点建立一条未报送记录，未报送的点在本轮中可见",
                excludes="无",
                article="矛盾纠纷排查零报告制度（seeds 000）",
            ),
            unit_field="round__opened_by__unit_id",
            territory="point",
        ),
        _metric(
            "mediation_not_passed_up",
            "矛盾不上交率",
            NOT_PASSED_UP_SPEC,
            Definition(
                numerator="其中此后没有到县级及以上信访部门信访的",
                denominator="首次由村（社区）或乡镇（街道）调解、在期间内结束（达成协议、终止或法院处理）的纠纷",
                time_basis="首次调解结束日",
                counts="调解后又到县级或以上信访的，计为上交（由看得到两者的工作人员关联）",
                excludes="首次调解在县级及以上的纠纷；仍在调解中的纠纷；调解后在乡镇本级信访的不计为上交",
                article="小事不出村、大事不出镇、矛盾不上交（seeds 000）；《信访工作条例》第三十三条",
            ),
            unit_field="organ_id",
            territory="territory",
        ),
        _metric(
            "mediation_agreements_performed",
            "调解协议履行率",
            PERFORMED_SPEC,
            Definition(
                numerator="其中回访确认已履行的",
                denominator="期间内回访的调解协议",
                time_basis="回访日",
                counts="部分履行、未履行的计入分母",
                excludes="尚未回访的协议（在调解台列为待回访）",
                article=f"{LAW}第三十一条",
            ),
            unit_field="mediation__organ_id",
            territory="mediation__territory",
        ),
    ]
    return tuple(found)


METRICS = _metrics()
