"""One form per workflow action: it parses the action's parameters for `workflow.services.perform`.

The forms check only shapes (a date is a date, a unit exists); every rule is the service's, and its
`ApplicationError` message is shown above the form with the input kept.
"""

from __future__ import annotations

from typing import Any

from django import forms

from huiyin.cases.choices import (
    Adoption,
    AssignmentKind,
    Decision,
    DeliveryMethod,
    DivertTarget,
    NotAcceptedReason,
    OpinionStage,
    Outcome,
    PetitionType,
    Rating,
    RootCause,
)
from huiyin.cases.forms import bootstrapify
from huiyin.cases.models import Case
from huiyin.cases.selectors import visible_to
from huiyin.core import registry, timeutil
from huiyin.core.formfields import IdsChoiceField
from huiyin.org.choices import UnitKind
from huiyin.org.models import Unit, User
from huiyin.workflow.conflicts import interest_links
from huiyin.workflow.routing import blocked_units, suggest_unit
from huiyin.workflow.services import CoUnit, default_review_route, leaders_for
from huiyin.workflow.transitions import Action

REPLY_DECISIONS = [(d.value, d.label) for d in Decision if d != Decision.MEDIATED]


def _text(label: str, *, required: bool = True, rows: int = 3, **kwargs: Any) -> forms.CharField:
    return forms.CharField(
        label=label, required=required, widget=forms.Textarea(attrs={"rows": rows}), **kwargs
    )


class UnitChoiceField(forms.ModelChoiceField[Unit]):
    def label_from_instance(self, obj: Unit) -> str:
        return f"{obj.name}（{obj.territory.name}）"


class ActionForm(forms.Form):
    """Base: `params()` turns cleaned data into the service's keyword arguments."""

    def __init__(self, *args: Any, case: Case, user: User, **kwargs: Any) -> None:
        self.case = case
        self.user = user
        super().__init__(*args, **kwargs)
        self.setup()
        bootstrapify(self)

    def setup(self) -> None:
        """Per-case choices and initial values."""

    def params(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items()}


class ReasonOptionalForm(ActionForm):
    reason = _text("说明（可选）", required=False, rows=2)


class ReasonForm(ActionForm):
    reason = _text("理由")


def handling_units(case: Case) -> Any:
    """Active units that may take the case: never the accused side (ADR 0005, 条例 §30¶3), never a
    petition office."""
    qs = (
        Unit.objects.filter(is_active=True).exclude(kind=UnitKind.PETITION_OFFICE).select_related("territory")
    )
    return qs.exclude(pk__in=blocked_units(case)).order_by("territory__path", "name")


class RoutedForm(ActionForm):
    """Assign and forward start from the responsibility matrix's suggestion (shown with its reasons)."""

    def setup(self) -> None:
        self.fields["unit"].queryset = handling_units(self.case)  # type: ignore[attr-defined]
        suggestion = suggest_unit(self.case)
        if suggestion is not None:
            self.initial.setdefault("unit", suggestion.unit.pk)
            self.fields["unit"].help_text = (
                "建议：" + suggestion.unit.name + "。" + "；".join(suggestion.reasons)
            )


class NotAcceptForm(ActionForm):
    reason_code = forms.ChoiceField(label="不予受理的理由类别", choices=NotAcceptedReason.choices)
    reason = _text("理由（将书面告知信访人）")
    notice_method = forms.ChoiceField(label="告知方式", choices=DeliveryMethod.choices)


class DivertForm(ActionForm):
    """分流 (诉访分离, 条例 §28¶2, §31(一)–(五)): the legal channel, the guidance given, and for a 政法 or
    纪检监察 matter the organ it is handed over to; the petition clocks stop (services/outcomes.py)."""

    target = forms.ChoiceField(label="法定途径", choices=DivertTarget.choices)
    to_unit = UnitChoiceField(
        label="移交机关（导入纪检监察、政法途径时可选）",
        queryset=Unit.objects.none(),
        required=False,
        help_text="移交后信访办理时限停止计算，由该机关按其程序办理（《信访工作条例》第二十三条第四款）",
    )
    guidance = _text("向信访人告知的途径和指引")

    def setup(self) -> None:
        self.fields["to_unit"].queryset = (  # type: ignore[attr-defined]
            Unit.objects.filter(is_active=True, kind__in=(UnitKind.DISCIPLINE, UnitKind.POLITICAL_LEGAL))
            .exclude(pk__in=blocked_units(self.case))
            .select_related("territory")
            .order_by("territory__path", "name")
        )


class CloseForm(ActionForm):
    """办结: the §42 root cause (SV-5) and the §27 outcome (JU-2; from the answer unless chosen)."""

    root_cause = forms.ChoiceField(
        label="信访问题成因（《信访工作条例》第四十二条）", choices=RootCause.choices
    )
    outcome = forms.ChoiceField(
        label="化解情况（《信访工作条例》第二十七条）",
        choices=[("", "按处理意见确定"), *Outcome.choices],
        required=False,
    )
    reason = _text("说明（可选）", required=False, rows=2)


class MergeForm(ActionForm):
    into = forms.CharField(label="并入的在办事项编号", max_length=24)
    reason = _text("说明（可选）", required=False, rows=2)

    def clean_into(self) -> Case:
        code = self.cleaned_data["into"].strip().upper()
        target = visible_to(self.user).filter(code=code).first()
        if target is None:
            raise forms.ValidationError("没有找到该编号的事项")
        return target


class TransferForm(ActionForm):
    to_office = UnitChoiceField(label="移交至信访部门", queryset=Unit.objects.none())
    reason = _text("移交理由")

    def setup(self) -> None:
        qs = Unit.objects.filter(is_active=True, kind=UnitKind.PETITION_OFFICE).exclude(
            pk=self.case.office_id
        )
        self.fields["to_office"].queryset = qs.select_related("territory").order_by("territory__path")  # type: ignore[attr-defined]


class UnitsChoiceField(IdsChoiceField):
    def label_from_instance(self, obj: Unit) -> str:
        return f"{obj.name}（{obj.territory.name}）"


class JointForm(RoutedForm):
    """一揽子解决: co-handling units share one deadline here (each may have its own through the API)."""

    co_units = UnitsChoiceField(
        label="协办单位（可选，一揽子解决）",
        queryset=Unit.objects.none(),
        required=False,
        help_text="按住 Ctrl 可多选；各协办单位须报送协办情况后，主办单位方可统一答复",
    )
    co_deadline = forms.DateField(
        label="协办期限（空则与主办相同）", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def setup(self) -> None:
        super().setup()
        self.fields["co_units"].queryset = handling_units(self.case)  # type: ignore[attr-defined]

    def params(self) -> dict[str, Any]:
        params = dict(self.cleaned_data)
        deadline = params.pop("co_deadline", None)
        params["co_units"] = [CoUnit(u, deadline) for u in params.get("co_units") or []]
        return params


class AssignForm(JointForm):
    unit = UnitChoiceField(label="承办单位（主办）", queryset=Unit.objects.none())
    deadline = forms.DateField(label="交办期限", widget=forms.DateInput(attrs={"type": "date"}))
    instructions = _text("交办要求（可选）", required=False)
    field_order = ["unit", "deadline", "instructions", "co_units", "co_deadline"]


class ForwardForm(JointForm):
    unit = UnitChoiceField(label="转送至有权处理的机关（主办）", queryset=Unit.objects.none())
    instructions = _text("说明（可选）", required=False)
    field_order = ["unit", "instructions", "co_units", "co_deadline"]


class CoReportForm(ActionForm):
    report = _text("协办情况报告", rows=4)


class ReferDisputeForm(ActionForm):
    units = UnitsChoiceField(
        label="与承办单位存在争议的单位", queryset=Unit.objects.none(), help_text="承办单位自动计入"
    )
    reason = _text("争议情况（各方意见）", rows=4)

    def setup(self) -> None:
        qs = handling_units(self.case).exclude(pk=self.case.handling_unit_id)
        self.fields["units"].queryset = qs  # type: ignore[attr-defined]


class DecideDisputeForm(ActionForm):
    unit = UnitChoiceField(label="决定的承办单位", queryset=Unit.objects.none())
    reason = _text("决定理由", rows=3)

    def setup(self) -> None:
        self.fields["unit"].queryset = handling_units(self.case)  # type: ignore[attr-defined]
        dispute = self.case.disputes.filter(state="open").first()
        if dispute is not None:
            names = "、".join(u.name for u in dispute.units.all())
            self.fields["unit"].help_text = f"争议单位：{names}。争议情况：{dispute.reason}"


class LeaderChoiceField(forms.ModelChoiceField[User]):
    def label_from_instance(self, obj: User) -> str:
        return obj.display_name


class AttachLeaderForm(ActionForm):
    leader = LeaderChoiceField(label="包案领导", queryset=User.objects.none(), required=False)
    reason = _text("说明（可选）", required=False, rows=2)

    def setup(self) -> None:
        self.fields["leader"].queryset = leaders_for(self.case)  # type: ignore[attr-defined]
        if self.user.role == "leader":
            self.initial.setdefault("leader", self.user.pk)


class ConflictForm(ActionForm):
    """Shows what links the person to the case before they recuse or say why they still act."""

    reason = _text("理由", rows=3)

    def setup(self) -> None:
        links = interest_links(self.case, self.user)
        if links:
            self.fields["reason"].help_text = "发现的利害关系：" + "；".join(links)


class ObjectForm(ActionForm):
    reason = _text("异议理由（详细说明不属于本单位职责的理由）", rows=4)


class DismissObjectionForm(ActionForm):
    reason = _text("不同意异议的理由")


def _extension_days_help(case: Case) -> str:
    """The unit the extension counts in and its ceiling, from the case's own profile (条例 §34; a
    province may state it in 工作日): "按工作日计，合计不超过20个工作日（…）"."""
    from huiyin.org.choices import ValueUnit
    from huiyin.org.rules import days_text
    from huiyin.workflow.clocks import extension_rule, rules_for_case

    rule = extension_rule(case, rules_for_case(case))
    unit = ValueUnit(rule.unit).label if rule.unit in ValueUnit.values else "日"
    return f"按{unit}计，合计不超过{days_text(rule.value, rule.unit)}（{rule.article}）"


class ExtendForm(ActionForm):
    days = forms.IntegerField(label="延长天数", min_value=1, max_value=90)
    reason = _text("延期理由（将告知信访人）")

    def setup(self) -> None:
        self.fields["days"].help_text = _extension_days_help(self.case)


MEDIATION_KINDS = [("people", "人民调解"), ("administrative", "行政调解")]  # mediation.choices.MediationKind


class MediateForm(ActionForm):
    """调解和解 starts a linked mediation case (issue 13, 条例 §33): who mediates and the other party. The
    agreement is reached and recorded in the mediation; it then answers this petition."""

    kind = forms.ChoiceField(label="调解类型", choices=MEDIATION_KINDS)
    organ = UnitChoiceField(
        label="调解组织",
        queryset=Unit.objects.none(),
        help_text="人民调解：村（居）、乡镇（街道）人民调解委员会；行政调解：有关行政机关。经当事人同意后开始调解。",
    )
    respondents = forms.CharField(label="对方当事人（顿号分隔）", required=False, max_length=300)

    def setup(self) -> None:
        # never the accused side of an accusation (ADR 0005, 条例 §30¶3), never a petition office
        self.fields["organ"].queryset = handling_units(self.case)  # type: ignore[attr-defined]
        if self.case.handling_unit_id:
            self.initial.setdefault("organ", self.case.handling_unit_id)

    def params(self) -> dict[str, Any]:
        names = self.cleaned_data["respondents"].replace("，", "、").replace(",", "、").split("、")
        return {
            "kind": self.cleaned_data["kind"],
            "organ": self.cleaned_data["organ"],
            "respondents": [n.strip() for n in names if n.strip()],
        }


class OpinionForm(ActionForm):
    """The fields every 意见书 has (条例 §32): facts and reasons, decision, legal basis."""

    stage = OpinionStage.HANDLING
    facts_reasons = _text("事实和理由", rows=5)
    decision = forms.ChoiceField(label="处理意见", choices=REPLY_DECISIONS, widget=forms.RadioSelect)
    legal_basis = _text("法律法规依据", rows=2)
    review_route = _text("复查（复核）途径和期限", rows=2, required=False)

    def setup(self) -> None:
        if "review_route" in self.fields and self.user.unit is not None:
            self.initial.setdefault(
                "review_route", default_review_route(self.case, self.stage, self.user.unit)
            )

    def params(self) -> dict[str, Any]:
        params = dict(self.cleaned_data)
        if "review_route" in params and not params["review_route"].strip():
            params["review_route"] = None  # blank: the service writes the default route
        return params


class ReplyForm(OpinionForm):
    request_summary = _text("信访请求", rows=2, required=False)
    completion_report = _text("办结报告（交办事项必填）", rows=3, required=False)
    field_order = [
        "request_summary",
        "facts_reasons",
        "adoption",
        "decision",
        "legal_basis",
        "review_route",
        "completion_report",
    ]

    adoption = forms.ChoiceField(
        label="采纳情况（《信访工作条例》第二十九条）", choices=Adoption.choices, widget=forms.RadioSelect
    )

    def setup(self) -> None:
        super().setup()
        from huiyin.workflow.services import pending_draft

        draft = pending_draft(self.case)
        if draft is not None:  # the head signs off the handler's draft (rule opinion_signoff)
            names = (
                "request_summary",
                "facts_reasons",
                "adoption",
                "decision",
                "legal_basis",
                "completion_report",
            )
            for name in names:
                if getattr(draft, name):
                    self.initial[name] = getattr(draft, name)
            if draft.review_route:
                self.initial["review_route"] = draft.review_route
            self.fields["facts_reasons"].help_text = f"{draft.submitted_by.full_name}提交的送签稿"
        self.initial.setdefault("request_summary", self.case.request)
        if self.case.assignment_kind != "assign":
            del self.fields["completion_report"]
        if self.case.petition_type == PetitionType.SUGGESTION:
            # 条例 §29: a suggestion is answered with its adoption; the opinion's decision follows it
            del self.fields["decision"]
            self.fields["legal_basis"].required = False
            self.initial.setdefault("legal_basis", "《信访工作条例》第二十九条")
        else:
            del self.fields["adoption"]


class ReviewReplyForm(OpinionForm):
    stage = OpinionStage.REVIEW
    review_route = _text("请求复核的途径和期限", rows=2, required=False)


class RereviewReplyForm(OpinionForm):
    stage = OpinionStage.REREVIEW

    def setup(self) -> None:
        del self.fields["review_route"]


class DeliverForm(ActionForm):
    delivered_on = forms.DateField(
        label="送达日期（空则为今天）", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    method = forms.ChoiceField(label="送达方式", choices=DeliveryMethod.choices)

    def setup(self) -> None:
        self.initial.setdefault("delivered_on", timeutil.today())


SOLVED_CHOICES = [("", "未说明"), ("yes", "已解决"), ("no", "未解决")]


class RateForm(ActionForm):
    rating = forms.ChoiceField(label="信访人评价", choices=Rating.choices, widget=forms.RadioSelect)
    solved = forms.ChoiceField(label="问题是否实际解决", choices=SOLVED_CHOICES, required=False)
    comment = _text("信访人意见（可选）", required=False, rows=2)

    def params(self) -> dict[str, Any]:
        d = self.cleaned_data
        solved = {"yes": True, "no": False}.get(d.get("solved") or "")
        return {"rating": d["rating"], "solved": solved, "comment": d.get("comment", "")}


class StaffChoiceField(forms.ModelChoiceField[User]):
    def label_from_instance(self, obj: User) -> str:
        return obj.display_name


class SetAccusedForm(ActionForm):
    """核定被反映人 (ADR 0005): the unit (suggested from the text), the person, their staff account."""

    accused_unit = UnitChoiceField(label="被反映单位", queryset=Unit.objects.none(), required=False)
    no_unit = forms.BooleanField(label="被反映人不属于本系统任何单位（如企业、个人）", required=False)
    accused_person = forms.CharField(label="被反映人", max_length=100, required=False)
    accused_user = StaffChoiceField(
        label="被反映人的工作人员账号（如能确认）", queryset=User.objects.none(), required=False
    )
    reason = _text("核定依据", rows=2)

    def setup(self) -> None:
        self.fields["accused_unit"].queryset = (  # type: ignore[attr-defined]
            Unit.objects.filter(is_active=True)
            .select_related("territory")
            .order_by("territory__path", "name")
        )
        self.fields["accused_user"].queryset = (  # type: ignore[attr-defined]
            User.objects.filter(is_active=True, unit__isnull=False)
            .select_related("unit")
            .order_by("unit__name", "pk")
        )
        self.initial.setdefault("accused_person", self.case.accused_person)
        if self.case.accused_unit_id:
            self.initial.setdefault("accused_unit", self.case.accused_unit_id)
            return
        suggest = registry.aid("accused_unit_hints")  # the assist's, when it is installed
        hints = suggest(self.case) if suggest else []
        if hints:
            self.initial.setdefault("accused_unit", hints[0].pk)
            self.fields["accused_unit"].help_text = (
                "系统从信访内容识别到：" + "、".join(u.name for u in hints) + "（仅供参考，请核实）"
            )


class ClearBarForm(ActionForm):
    """解除同名限制: which namesake of the accused was checked and found to be someone else."""

    staff = StaffChoiceField(label="核实为非被反映人的工作人员", queryset=User.objects.none())
    reason = _text("核实情况", rows=3)

    def setup(self) -> None:
        from huiyin.workflow.services import bars_clearable_by

        ids = [u.pk for u in bars_clearable_by(self.case, self.user)]
        self.fields["staff"].queryset = User.objects.filter(pk__in=ids).select_related("unit")  # type: ignore[attr-defined]


# issue 10 items 1 and 5 (t10-organ)
class AcceptAssignmentForm(ActionForm):
    """受理并告知 (条例 §23¶3): how the petitioner is told, and what they are told about the procedure."""

    notice_method = forms.ChoiceField(
        label="书面告知方式", choices=DeliveryMethod.choices, initial=DeliveryMethod.ELECTRONIC
    )
    procedure = _text("告知的处理途径和程序（空则使用默认说明）", required=False, rows=3)


class RequestExtensionForm(ActionForm):
    days = forms.IntegerField(label="申请延长天数", min_value=1, max_value=90)
    reason = _text("延期理由（批准后将告知信访人）")

    def setup(self) -> None:
        self.fields["days"].help_text = _extension_days_help(self.case)


def _pending_extension_text(case: Case) -> str:
    from huiyin.workflow.guards import _pending_extension

    pending = _pending_extension(case)
    if pending is None:
        return ""
    from huiyin.org.rules import days_text
    from huiyin.workflow.clocks import extension_rule, rules_for_case

    period = days_text(pending.days, extension_rule(case, rules_for_case(case)).unit)  # t10-law
    return f"{pending.requested_by.full_name}申请延期{period}，理由：{pending.reason}"


class ApproveExtensionForm(ActionForm):
    comment = _text("审批意见（可选）", required=False, rows=2)

    def setup(self) -> None:
        self.fields["comment"].help_text = _pending_extension_text(self.case)


class RefuseExtensionForm(ActionForm):
    reason = _text("不予批准的理由")

    def setup(self) -> None:
        self.fields["reason"].help_text = _pending_extension_text(self.case)


ACTION_FORMS: dict[Action, type[ActionForm]] = {
    Action.ACCEPT: ReasonOptionalForm,
    Action.NOT_ACCEPT: NotAcceptForm,
    Action.DIVERT: DivertForm,
    Action.MERGE: MergeForm,
    Action.TRANSFER: TransferForm,
    Action.ASSIGN: AssignForm,
    Action.FORWARD: ForwardForm,
    Action.OBJECT: ObjectForm,
    Action.RETURN: ReasonOptionalForm,
    Action.DISMISS_OBJECTION: DismissObjectionForm,
    Action.EXTEND: ExtendForm,
    Action.MEDIATE: MediateForm,
    Action.REPLY: ReplyForm,
    Action.DELIVER: DeliverForm,
    Action.RATE: RateForm,
    Action.REOPEN: ReasonForm,
    Action.CLOSE: CloseForm,
    Action.REQUEST_REVIEW: ReasonForm,
    Action.REVIEW_REPLY: ReviewReplyForm,
    Action.REQUEST_REREVIEW: ReasonForm,
    Action.HEARING_START: ReasonOptionalForm,
    Action.HEARING_END: ReasonOptionalForm,
    Action.REREVIEW_REPLY: RereviewReplyForm,
    Action.CO_REPORT: CoReportForm,
    Action.REFER_DISPUTE: ReferDisputeForm,
    Action.DECIDE_DISPUTE: DecideDisputeForm,
    Action.ATTACH_LEADER: AttachLeaderForm,
    Action.RECUSE: ConflictForm,
    Action.ACKNOWLEDGE_CONFLICT: ConflictForm,
    Action.ACCEPT_REVIEW: ReasonOptionalForm,
    Action.SET_ACCUSED: SetAccusedForm,
    Action.CLEAR_CONFLICT_BAR: ClearBarForm,
    # issue 10 items 1 and 5 (t10-organ)
    Action.ACCEPT_ASSIGNMENT: AcceptAssignmentForm,
    Action.REQUEST_EXTENSION: RequestExtensionForm,
    Action.APPROVE_EXTENSION: ApproveExtensionForm,
    Action.REFUSE_EXTENSION: RefuseExtensionForm,
    Action.SUBMIT_OPINION: ReplyForm,  # the same fields; the head issues it with “答复”
    # issue 10 (t10-types)
    Action.DIVERT_IN_HANDLING: DivertForm,
}


# --- t10-rules, RG-3 (条例 §23¶1): a unit's triage of a petition it received directly ---------------


class DirectHandleForm(ActionForm):
    guidance = _text("告知信访人的接收情况及处理途径和程序")
    notice_method = forms.ChoiceField(label="告知方式", choices=DeliveryMethod.choices)


class DirectRouteForm(ActionForm):
    unit = UnitChoiceField(label="本系统下级单位", queryset=Unit.objects.none())
    kind = forms.ChoiceField(label="方式", choices=AssignmentKind.choices)
    deadline = forms.DateField(
        label="交办期限（交办时填写）", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    instructions = _text("转送、交办说明（去向将告知信访人）", required=False, rows=2)
    notice_method = forms.ChoiceField(label="告知方式", choices=DeliveryMethod.choices)

    def setup(self) -> None:
        from huiyin.workflow.services.direct import is_below

        office = self.case.office_id
        below = [u.pk for u in handling_units(self.case) if is_below(u.pk, office)]
        self.fields["unit"].queryset = Unit.objects.filter(pk__in=below).select_related("territory")  # type: ignore[attr-defined]


class DirectRedirectForm(ActionForm):
    organ = forms.CharField(label="有权处理的机关", max_length=100)
    guidance = _text("告知信访人向该机关提出的途径")
    notice_method = forms.ChoiceField(label="告知方式", choices=DeliveryMethod.choices)


ACTION_FORMS[Action.DIRECT_HANDLE] = DirectHandleForm
ACTION_FORMS[Action.DIRECT_ROUTE] = DirectRouteForm
ACTION_FORMS[Action.DIRECT_REDIRECT] = DirectRedirectForm

assert set(ACTION_FORMS) == set(Action), "every action can be taken from the workbench"
