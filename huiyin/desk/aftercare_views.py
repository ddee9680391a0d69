"""Pages of assistance referrals and follow-ups after finality (条例 §37; HD-10, RP-2; t10-rules)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from huiyin.cases.choices import AssistanceKind, ReferralOutcome
from huiyin.cases.exports import FOLLOWUPS, format_export
from huiyin.cases.forms import bootstrapify, flag_invalid
from huiyin.cases.models import Case
from huiyin.cases.web import case_or_404
from huiyin.core import timeutil
from huiyin.core.errors import ApplicationError
from huiyin.org.models import Unit
from huiyin.org.views import nav_context
from huiyin.workflow import aftercare


class ReferralForm(forms.Form):
    kind = forms.ChoiceField(label="救助类别", choices=AssistanceKind.choices)
    organ = forms.ModelChoiceField(
        label="救助机关", queryset=Unit.objects.none(), required=False, empty_label="（其他，请填写名称）"
    )
    organ_name = forms.CharField(label="其他救助机关名称", max_length=100, required=False)
    reason = forms.CharField(label="信访人的困难情况", widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        path = case.office.territory.path
        self.fields["organ"].queryset = Unit.objects.filter(  # type: ignore[attr-defined]
            is_active=True, territory__path__startswith=path[: path.rstrip("/").rfind("/") + 1]
        ).order_by("territory__path", "name")
        bootstrapify(self)


class OutcomeForm(forms.Form):
    referral = forms.IntegerField(widget=forms.HiddenInput)
    outcome = forms.ChoiceField(
        label="救助结果", choices=[c for c in ReferralOutcome.choices if c[0] != ReferralOutcome.PENDING]
    )
    note = forms.CharField(label="结果说明", widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bootstrapify(self)


class PlanForm(forms.Form):
    plan = forms.CharField(
        label="跟进内容（疏导教育、矛盾化解、帮扶救助）", widget=forms.Textarea(attrs={"rows": 2})
    )
    due_on = forms.DateField(label="计划跟进日期", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bootstrapify(self)


class DoneForm(forms.Form):
    follow_up = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(label="跟进情况", widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bootstrapify(self)


OPS = ("refer", "outcome", "plan", "done")


@login_required
@require_http_methods(["GET", "POST"])
def case_aftercare(request: HttpRequest, code: str) -> HttpResponse:
    """帮扶救助与终结后跟进 of one case: the referrals and follow-ups, and (for the organs holding the case)
    the forms to add them."""
    case = case_or_404(request, code)
    user: Any = request.user
    forms_: dict[str, forms.Form] = {
        "refer": ReferralForm(case=case),
        "outcome": OutcomeForm(),
        "plan": PlanForm(),
        "done": DoneForm(),
    }
    error, status = "", 200
    if request.method == "POST":
        op = request.POST.get("op", "")
        if op not in OPS:
            error, status = "没有这个操作", 400
        else:
            bound: forms.Form = (
                ReferralForm(request.POST, case=case)
                if op == "refer"
                else {"outcome": OutcomeForm, "plan": PlanForm, "done": DoneForm}[op](request.POST)
            )
            forms_[op] = bound
            if not bound.is_valid():
                error, status = "请检查标红的项目", 400
            else:
                try:
                    _apply(op, case, user, bound.cleaned_data)
                except ApplicationError as exc:
                    for name, message in exc.extra.get("fields", {}).items():
                        if name in bound.fields:
                            bound.add_error(name, message)
                    error, status = exc.message, exc.status_code
                else:
                    messages.success(request, "已记录。")
                    return redirect("case_aftercare", code=case.code)
    flag_invalid(*forms_.values())
    context = {
        **nav_context(request),
        "case": case,
        "referrals": list(case.assistance_referrals.select_related("referred_unit")),
        "follow_ups": list(case.follow_ups.select_related("unit", "done_by")),
        "may_act": aftercare.may_aftercare(user, case),
        "is_final": aftercare.is_final(case),
        "today": timeutil.today(),
        "error": error,
        **{f"{name}_form": f for name, f in forms_.items()},
    }
    return render(request, "cases/aftercare.html", context, status=status)


def _apply(op: str, case: Case, user: Any, d: dict[str, Any]) -> None:
    if op == "refer":
        aftercare.referral_create(
            case=case,
            actor=user,
            kind=d["kind"],
            reason=d["reason"],
            organ=d.get("organ"),
            organ_name=d.get("organ_name", ""),
        )
    elif op == "outcome":
        referral = case.assistance_referrals.filter(pk=d["referral"]).first()
        if referral is None:
            raise ApplicationError("没有找到该转介记录")
        aftercare.referral_outcome(
            referral=referral, actor=user, outcome=d["outcome"], note=d.get("note", "")
        )
    elif op == "plan":
        aftercare.followup_plan(case=case, actor=user, plan=d["plan"], due_on=d["due_on"])
    else:
        follow = case.follow_ups.filter(pk=d["follow_up"]).first()
        if follow is None:
            raise ApplicationError("没有找到该跟进记录")
        aftercare.followup_done(follow_up=follow, actor=user, note=d["note"])


@login_required
@require_GET
def followups(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """The unit's open follow-ups after finality, earliest date first; past dates are overdue."""
    exported = format_export(request, FOLLOWUPS.kind)  # ?format=xlsx: the whole list, as the unit sees it
    if exported is not None:
        return exported
    rows = list(aftercare.followups_due(request.user)[:200])  # type: ignore[arg-type]
    context = {**nav_context(request), "rows": rows, "today": timeutil.today()}
    return render(request, "cases/followups.html", context)
