"""Suggestions to organs and their written feedback (条例 §40¶2–4; SV-3; t10-rules)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from huiyin.cases.exports import format_export
from huiyin.cases.forms import bootstrapify, flag_invalid
from huiyin.cases.selectors import visible_to
from huiyin.core import timeutil
from huiyin.core.errors import ApplicationError
from huiyin.org.models import Unit
from huiyin.org.views import nav_context
from huiyin.supervision import suggestions as svc
from huiyin.supervision.choices import Adoption, SuggestionKind
from huiyin.supervision.exports import ORDER as SUGGESTION_ORDER
from huiyin.supervision.exports import SUGGESTIONS

PAGE_SIZE = 50


class IssueForm(forms.Form):
    kind = forms.ChoiceField(label="建议类别", choices=SuggestionKind.choices)
    to_unit = forms.ModelChoiceField(label="提出对象（有关机关）", queryset=Unit.objects.none())
    case_code = forms.CharField(label="相关信访事项编号（可选）", max_length=24, required=False)
    content = forms.CharField(label="建议内容", widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["to_unit"].queryset = svc.target_units(user)  # type: ignore[attr-defined]
        bootstrapify(self)

    def clean_case_code(self) -> Any:
        code = (self.cleaned_data.get("case_code") or "").strip().upper()
        if not code:
            return None
        case = visible_to(self.user).filter(code=code).first()
        if case is None:
            raise forms.ValidationError("没有找到该编号的事项")
        return case


class FeedbackForm(forms.Form):
    adoption = forms.ChoiceField(label="采纳情况", choices=Adoption.choices)
    feedback = forms.CharField(
        label="书面反馈（不予采纳的须说明理由）", widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bootstrapify(self)


def _page(request: HttpRequest, form: IssueForm, *, error: str = "", status: int = 200) -> HttpResponse:
    user: Any = request.user
    qs = svc.suggestions_for(user)
    only = request.GET.get("show", "")
    listed = (
        svc.overdue(qs)
        if only == "overdue"
        else (qs.filter(feedback_on__isnull=True) if only == "open" else qs)
    )
    page = Paginator(listed.order_by(*SUGGESTION_ORDER), PAGE_SIZE).get_page(request.GET.get("page"))
    flag_invalid(form)
    context = {
        **nav_context(request, "supervision"),
        "page": page,
        "rows": [
            {
                "s": s,
                "overdue": s.feedback_on is None and s.due_on < timeutil.today(),
                "may_answer": svc.may_answer(user, s),
            }
            for s in page.object_list
        ],
        "show": only,
        "export_query": "format=xlsx" + (f"&show={only}" if only in ("open", "overdue") else ""),
        "overdue_total": svc.overdue(qs).count(),
        "counts": svc.adoption_counts(qs),
        "may_issue": svc.may_issue(user),
        "form": form,
        "feedback_form": FeedbackForm(),
        "error": error,
    }
    return render(request, "supervision/suggestions.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def suggestions(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """The suggestions the user's unit made or received, with their feedback dates; the office's form."""
    user: Any = request.user
    if request.method == "GET":
        exported = format_export(request, SUGGESTIONS.kind)  # ?format=xlsx: the list as filtered
        if exported is not None:
            return exported
        return _page(request, IssueForm(user=user))
    form = IssueForm(request.POST, user=user)
    if not form.is_valid():
        return _page(request, form, error="请检查标红的项目", status=400)
    d = form.cleaned_data
    try:
        svc.suggestion_issue(
            actor=user, to_unit=d["to_unit"], kind=d["kind"], content=d["content"], case=d.get("case_code")
        )
    except ApplicationError as exc:
        return _page(request, form, error=exc.message, status=exc.status_code)
    messages.success(request, "已提出建议，书面反馈期限已登记。")
    return redirect("supervision_suggestions")


@login_required
@require_POST
def suggestion_feedback(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    suggestion = svc.suggestions_for(user).filter(pk=pk).first()
    if suggestion is None:
        raise Http404("没有找到该建议")
    form = FeedbackForm(request.POST)
    if not form.is_valid():
        return _page(request, IssueForm(user=user), error="请选择采纳情况并填写书面反馈", status=400)
    try:
        svc.suggestion_feedback(
            suggestion=suggestion,
            actor=user,
            adoption=form.cleaned_data["adoption"],
            feedback=form.cleaned_data["feedback"],
        )
    except ApplicationError as exc:
        return _page(request, IssueForm(user=user), error=exc.message, status=exc.status_code)
    messages.success(request, "已书面反馈采纳情况。")
    return redirect("supervision_suggestions")
