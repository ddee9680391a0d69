"""The built-in metrics (SPEC §3.7; 条例 §39 考核, §41 年度报告; seeds 000 §四, 002). Each is defined
once, here, with its written definition; docs/metrics.md is rendered from these (manage.py metrics_doc).

Event types are the workflow's action names (huiyin/workflow/transitions.py) plus "register"; clocks are
huiyin/workflow/models.Clock with the states of workflow/choices.ClockState (MET on time, LATE after).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, F, OuterRef, Q, Subquery

from huiyin.analytics.choices import MetricKind
from huiyin.analytics.registry import Definition, Metric, register_metric

ANSWER_EVENTS = ("reply", "mediate")  # a 信访处理意见书 or a mediation agreement (条例 §32, §33)
FINISHED = ("met", "late")  # a duty clock that stopped: on time, or after its due date


def _cases() -> Any:
    from huiyin.cases.models import Case

    return Case.objects.all()


def _events(*types: str) -> Any:
    from huiyin.cases.models import CaseEvent

    return CaseEvent.objects.filter(event_type__in=types)


def _finished_clocks(kind: str) -> Any:
    from huiyin.workflow.models import Clock

    return Clock.objects.filter(kind=kind, state__in=FINISHED)


def _later(*types: str) -> Any:
    """A later event of `types` on the same case (at or after this row's own event)."""
    from huiyin.cases.models import CaseEvent

    return Exists(
        CaseEvent.objects.filter(
            case_id=OuterRef("case_id"), event_type__in=types, created_at__gte=OuterRef("created_at")
        )
    )


def _not_rated_unit() -> Q:
    # a rating counts only if the rated unit could not have written it (条例 §21¶2: the petitioner's own
    # evaluation): by the petitioner (portal/SMS, no staff unit) or by another unit (the petition office)
    return Q(actor_unit__isnull=True) | ~Q(actor_unit_id=F("case__handling_unit_id"))


def _ratings() -> Any:
    return _events("rate").filter(_not_rated_unit())


def _workdays_spent() -> Any:
    from huiyin.analytics.models import CalendarDay

    def seq(field: str) -> Subquery:
        return Subquery(CalendarDay.objects.filter(day=OuterRef(field)).values("workday_seq")[:1])

    return seq("stopped_on") - seq("started_on")


def _calendar_until(end: Any) -> None:
    from huiyin.analytics.services import calendar_ensure

    calendar_ensure(max(end, _today()))


def _today() -> Any:
    from huiyin.core import timeutil

    return timeutil.today()


def _repeat_annotations() -> dict[str, Any]:
    from huiyin.cases.models import Case

    earlier = Case.objects.filter(
        parties__petitioner__parties__case_id=OuterRef("pk"),
        registered_at__lt=OuterRef("registered_at"),
        category_id=OuterRef("category_id"),
    )
    return {"_earlier": Exists(earlier)}


def _previous_decision() -> dict[str, Any]:
    from huiyin.cases.models import Opinion

    before = Opinion.objects.filter(case_id=OuterRef("case_id"), id__lt=OuterRef("id")).order_by("-id")
    return {"_previous": Subquery(before.values("decision")[:1])}


def _opinions_under_review() -> Any:
    from huiyin.cases.models import Opinion

    return Opinion.objects.filter(stage__in=("review", "rereview"))


def _orders() -> Any:
    from huiyin.supervision.models import SupervisionOrder

    return SupervisionOrder.objects.all()


def _finished_orders() -> Any:
    from huiyin.supervision.models import SupervisionOrder

    return SupervisionOrder.objects.filter(state__in=("answered", "escalated"))


def _on_time(kind: str, label: str, what: str, article: str, key: str) -> Metric:
    return Metric(
        key=key,
        label=label,
        kind=MetricKind.RATE,
        rows=lambda: _finished_clocks(kind),
        date_field="stopped_on",
        unit_field="unit_id",
        hit=Q(state="met"),
        unit_suffix="%",
        definition=Definition(
            numerator=f"{what}时限在期满日或之前停止（状态“按期完成”）的件数",
            denominator=f"{what}时限已停止的件数（按期完成 + 超期完成）",
            time_basis="时限停止之日（Clock.stopped_on）",
            counts=f"{what}时限（Clock.kind = {kind}）；依法延期后按延长后的期满日判断；退回后重新交办、"
            "重新办理各自的时限分别计入",
            excludes="被终止的时限（移交其他辖区、退回等，状态“终止”）；尚在进行中的时限（超期未办的，"
            "在停止之日计为超期完成，此前计入“超期”积案）",
            article=article,
        ),
    )


BUILT_IN: list[Metric] = [
    Metric(
        key="registered",
        label="登记件数",
        kind=MetricKind.COUNT,
        rows=_cases,
        date_field="registered_at",
        unit_field="office_id",
        case_path="",
        unit_suffix="件",
        definition=Definition(
            numerator="登记的信访事项件数（每次登记一件，含后来合并的重复件、分流和不予受理的事项）",
            denominator="—",
            time_basis="登记时间（Case.registered_at，按本地日期）",
            counts="所有渠道登记的事项；责任单位为登记的信访部门",
            excludes="无",
            article="《信访工作条例》第二十一条第二款、第二十二条第一款（应当登记）",
        ),
    ),
    Metric(
        key="answered",
        label="答复件数",
        kind=MetricKind.COUNT,
        rows=lambda: _events(*ANSWER_EVENTS),
        date_field="created_at",
        unit_field="actor_unit_id",
        unit_suffix="件",
        definition=Definition(
            numerator="出具信访处理意见书或调解和解协议的次数（事件 reply、mediate）",
            denominator="—",
            time_basis="出具之日（CaseEvent.created_at）",
            counts="每次答复计一次，重新办理后再次答复的再计一次；责任单位为出具意见的单位",
            excludes="复查、复核意见（另计）",
            article="《信访工作条例》第三十二条、第三十三条",
        ),
    ),
    _on_time(
        "routing",
        "响应率",
        "登记分办（15日）",
        "《信访工作条例》第二十二条第一款（15日内转送、交办）",
        "response_rate",
    ),
    _on_time(
        "notice",
        "按期受理率",
        "书面告知（15日）",
        "《信访工作条例》第二十三条第二款、第三款（15日内书面告知）",
        "notice_on_time",
    ),
    _on_time(
        "handling",
        "按期办结率",
        "办理（60日）",
        "《信访工作条例》第三十四条（60日内办结，延期不超过30日）",
        "handled_on_time",
    ),
    Metric(
        key="avg_handling_days",
        label="平均办理工作日",
        kind=MetricKind.AVERAGE,
        rows=lambda: _finished_clocks("handling"),
        date_field="stopped_on",
        unit_field="unit_id",
        value=_workdays_spent,
        prepare=lambda end: _calendar_until(end),
        unit_suffix="个工作日",
        higher_is_better=False,
        definition=Definition(
            numerator="每件办理时限从受理之日（第0日）到答复之日的工作日数之和（工作日历表 CalendarDay，"
            "含调休）",
            denominator="办理时限已停止的件数",
            time_basis="答复之日（办理时限停止之日）",
            counts="办理（60日）时限；重新办理的各计一次",
            excludes="被终止的办理时限；尚未答复的事项",
            article="《信访工作条例》第三十四条",
        ),
    ),
    Metric(
        key="resolution_rate",
        label="解决率",
        kind=MetricKind.RATE,
        rows=lambda: _ratings().filter(Q(data__solved=True) | Q(data__solved=False)),
        date_field="created_at",
        unit_field="case__handling_unit_id",
        hit=Q(data__solved=True),
        unit_suffix="%",
        definition=Definition(
            numerator="评价中信访人表示“问题已解决”的件数",
            denominator="评价中回答了“问题是否解决”的件数",
            time_basis="评价之日（事件 rate 的时间）：关账后才到的评价计入其到达之月",
            counts="信访人本人（网上、短信）或信访部门回访登记的评价；责任单位为承办单位",
            excludes="未回答是否解决的评价；承办单位自己登记的评价（被评价单位不能自评）",
            article="《信访工作条例》第二十一条第二款（查询、评价）、第三十九条（考核）",
        ),
    ),
    Metric(
        key="satisfaction_rate",
        label="满意率",
        kind=MetricKind.RATE,
        rows=_ratings,
        date_field="created_at",
        unit_field="case__handling_unit_id",
        hit=Q(data__rating__in=("satisfied", "basically")),
        unit_suffix="%",
        definition=Definition(
            numerator="评价为“满意”或“基本满意”的件数",
            denominator="评价件数",
            time_basis="评价之日（事件 rate 的时间）：关账后才到的评价计入其到达之月，已关账月份不变",
            counts="信访人本人（网上、短信）或信访部门回访登记的评价，每份答复一次，登记后不可修改；"
            "责任单位为承办单位",
            excludes="承办单位自己登记的评价（被评价单位不能编辑、也不能代为评价）",
            article="《信访工作条例》第二十一条第二款；seeds/000 §四（群众评价纳入考核）",
        ),
    ),
    Metric(
        key="callback_rate",
        label="回访率",
        kind=MetricKind.RATE,
        rows=lambda: _events(*ANSWER_EVENTS),
        annotations=lambda: {"_rated": _later("rate")},
        date_field="created_at",
        unit_field="actor_unit_id",
        hit=Q(_rated=True),
        unit_suffix="%",
        definition=Definition(
            numerator="其中此后已登记回访评价（事件 rate）的答复数",
            denominator="答复数（事件 reply、mediate）",
            time_basis="答复之日；分子数到统计之时（未关账月份每次统计都重算，关账后冻结）",
            counts="每次答复；评价可由信访人本人或信访部门回访登记",
            excludes="复查、复核答复",
            article="《信访工作条例》第二十一条第二款",
        ),
    ),
    Metric(
        key="first_time_rate",
        label="一次办结率",
        kind=MetricKind.RATE,
        rows=lambda: _events("close").filter(from_status="replied"),
        annotations=lambda: {"_again": _repeated_handling()},
        date_field="created_at",
        unit_field="case__handling_unit_id",
        hit=Q(_again=False),
        unit_suffix="%",
        definition=Definition(
            numerator="其中从未退回重新分办、从未重新办理、也未请求复查的件数",
            denominator="答复后办结的件数（事件 close，办结前状态为“已答复”）",
            time_basis="办结之日；办结后才提出的复查请求也使该件不再计为一次办结（未关账月份重算）",
            counts="每件首次办结",
            excludes="复查、复核后的办结；分流、不予受理、合并的事项（未经办理）",
            article="seeds/002（提高一次办结率和化解率，按目标责任书考核）",
        ),
    ),
    Metric(
        key="repeat_rate",
        label="重复信访率",
        kind=MetricKind.RATE,
        rows=lambda: _cases().filter(identity_unclear=False),
        annotations=_repeat_annotations,
        date_field="registered_at",
        unit_field="office_id",
        case_path="",
        hit=Q(_earlier=True) | Q(merged_into__isnull=False),
        unit_suffix="%",
        higher_is_better=False,
        definition=Definition(
            numerator="其中同一信访人此前已就同一问题分类登记过事项，或作为重复件合并的件数",
            denominator="登记件数（姓名或住址清楚的）",
            time_basis="登记之日",
            counts="任一信访人（集体访的任一代表）此前有同分类事项即计入",
            excludes="姓名或住址不清的事项（无法认定同一人）",
            article="《信访工作条例》第十九条第三款",
            gaps="“同一事项”按“同一信访人 + 同一问题分类”认定；未分类的事项只有合并的才计入。"
            "文本相似的重复判断（智能辅助）不在SQL统计中使用。",
        ),
    ),
    Metric(
        key="collective_share",
        label="集体访占比",
        kind=MetricKind.RATE,
        rows=_cases,
        date_field="registered_at",
        unit_field="office_id",
        case_path="",
        hit=Q(is_collective=True),
        unit_suffix="%",
        higher_is_better=False,
        definition=Definition(
            numerator="其中登记为集体访的件数",
            denominator="登记件数",
            time_basis="登记之日",
            counts="所有渠道",
            excludes="无",
            article="《信访工作条例》第二十条第三款",
        ),
    ),
    Metric(
        # 条例 §20¶1: a visit is made to the competent organ at its own level or the one above; the
        # registration records a visit that skipped levels (JU-3, cases.services._clean_levels)
        key="skipped_level_share",
        label="越级走访占比",
        kind=MetricKind.RATE,
        rows=lambda: _cases().filter(channel="visit"),
        date_field="registered_at",
        unit_field="office_id",
        case_path="",
        hit=Q(skipped_levels=True),
        unit_suffix="%",
        higher_is_better=False,
        definition=Definition(
            numerator="其中登记为越级走访的件数：未到有权处理的本级或上一级机关走访（登记时勾选，"
            "或所填有权处理单位比接待机关低一级以上）",
            denominator="来访登记件数（渠道为“来访”）",
            time_basis="登记之日",
            counts="来访渠道的全部登记，集体访一件计一次；计入接待登记的信访部门",
            excludes="来信、来电、传真、网上信访等非来访渠道（逐级走访只对走访而言，条例第二十条第一款）",
            article="《信访工作条例》第二十条第一款、第四款",
            gaps="越级走访只作引导就地反映的依据，不是不予受理的理由（regulations JU-4），也不计入信访人的任何记录；"
            "在办理期限内向上级重复提出同一事项的“不予受理”按重复信访另计。",
        ),
    ),
    Metric(
        key="supervision_count",
        label="督办件数",
        kind=MetricKind.COUNT,
        rows=_orders,
        date_field="issued_at",
        unit_field="unit_id",
        unit_suffix="件",
        higher_is_better=False,
        definition=Definition(
            numerator="下发的督办单数（含逾期未答复升级的上一级督办）",
            denominator="—",
            time_basis="下发之日（SupervisionOrder.issued_at）",
            counts="每张督办单；责任单位为被督办单位",
            excludes="未下发的督办线索、不予督办的线索",
            article="《信访工作条例》第四十条",
        ),
    ),
    Metric(
        key="supervision_on_time",
        label="督办按期答复率",
        kind=MetricKind.RATE,
        rows=_finished_orders,
        date_field="due_on",
        unit_field="unit_id",
        hit=Q(state="answered", answered_at__date__lte=F("due_on")),
        unit_suffix="%",
        definition=Definition(
            numerator="其中在答复期限当日或之前答复的督办单数",
            denominator="已答复或逾期升级的督办单数",
            time_basis="督办单的答复期限（SupervisionOrder.due_on）",
            counts="每张督办单；责任单位为被督办单位",
            excludes="尚待答复且未逾期升级的督办单",
            article="《信访工作条例》第四十条",
        ),
    ),
    Metric(
        key="review_rate",
        label="复查率",
        kind=MetricKind.RATE,
        rows=lambda: _events(*ANSWER_EVENTS),
        annotations=lambda: {"_reviewed": _later("request_review")},
        date_field="created_at",
        unit_field="actor_unit_id",
        hit=Q(_reviewed=True),
        unit_suffix="%",
        higher_is_better=False,
        definition=Definition(
            numerator="其中此后信访人请求复查的答复数",
            denominator="答复数（事件 reply、mediate）",
            time_basis="答复之日；分子数到统计之时（未关账月份重算）",
            counts="每次答复；责任单位为出具处理意见的单位",
            excludes="复查、复核答复",
            article="《信访工作条例》第三十五条",
        ),
    ),
    Metric(
        key="rereview_rate",
        label="复核率",
        kind=MetricKind.RATE,
        rows=lambda: _events("review_reply"),
        annotations=lambda: {"_rereviewed": _later("request_rereview")},
        date_field="created_at",
        unit_field="actor_unit_id",
        hit=Q(_rereviewed=True),
        unit_suffix="%",
        higher_is_better=False,
        definition=Definition(
            numerator="其中此后信访人请求复核的复查答复数",
            denominator="复查答复数（事件 review_reply）",
            time_basis="复查答复之日；分子数到统计之时（未关账月份重算）",
            counts="每次复查答复；责任单位为复查机关",
            excludes="复核答复",
            article="《信访工作条例》第三十六条第一款",
        ),
    ),
    Metric(
        key="change_rate",
        label="改变率",
        kind=MetricKind.RATE,
        rows=_opinions_under_review,
        annotations=_previous_decision,
        date_field="issued_at",
        unit_field="case__handling_unit_id",
        hit=~Q(decision=F("_previous")),
        unit_suffix="%",
        higher_is_better=False,
        definition=Definition(
            numerator="其中处理结论（支持、解释说明、不予支持、调解和解）与上一份意见书不同的件数",
            denominator="复查意见书和复核意见书的份数",
            time_basis="复查、复核意见出具之日（Opinion.issued_at）",
            counts="每份复查、复核意见书；责任单位为原承办单位",
            excludes="信访处理意见书本身",
            article="《信访工作条例》第三十五条、第三十六条；第三十九条（复查复核改变原处理意见纳入考核）",
        ),
    ),
]


def _repeated_handling() -> Any:
    from huiyin.cases.models import CaseEvent

    return Exists(
        CaseEvent.objects.filter(
            case_id=OuterRef("case_id"), event_type__in=("reopen", "return", "request_review")
        )
    )


for _metric in BUILT_IN:
    register_metric(_metric)
