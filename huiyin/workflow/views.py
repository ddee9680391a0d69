"""Workflow actions from the case page: one form per action, posted to `perform_entry` (the action's
service, or what the request starts first: 调解和解 opens a linked mediation).

GET renders the action's form (as an htmx partial inside the case page, or as its own page);
POST runs the service. A refusal re-renders the form with the service's message and the input kept.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from huiyin.cases.forms import flag_invalid
from huiyin.cases.web import case_or_404
from huiyin.core.errors import ApplicationError, PermissionDenied
from huiyin.workflow.forms import ACTION_FORMS, ActionForm
from huiyin.workflow.services import allowed_actions, perform_entry
from huiyin.workflow.transitions import ACTION_LABELS, Action
from huiyin.workflow.web import case_context

MSG_DONE = "已{label}。"
MSG_STARTED = "已转入调解：调解达成协议后，在调解页面据此答复信访人（见“关联事项”）。"
MSG_FIX_INPUT = "请检查标红的项目"


@login_required
@require_http_methods(["GET", "POST"])
def case_action(request: HttpRequest, code: str, action: str) -> HttpResponse:
    case = case_or_404(request, code)
    try:
        act = Action(action)
    except ValueError:
        raise Http404("没有这个操作") from None
    form_class = ACTION_FORMS[act]
    user = request.user
    label = ACTION_LABELS[act]
    partial = bool(request.htmx) and request.method == "GET"  # type: ignore[attr-defined]

    def show(form: ActionForm | None, *, error: str = "", status: int = 200) -> HttpResponse:
        if form is not None:
            flag_invalid(form)
        context = {"case": case, "action": str(act), "label": label, "form": form, "error": error}
        if partial:
            return render(request, "workflow/_action_form.html", context, status=status)
        return render(
            request, "workflow/action.html", {**case_context(request, case), **context}, status=status
        )

    if request.method == "GET":
        if act not in allowed_actions(case, user):  # type: ignore[arg-type]
            refusal = PermissionDenied(f"您现在不能对此事项执行“{label}”")
            return show(None, error=refusal.message, status=refusal.status_code)
        return show(form_class(case=case, user=user))  # type: ignore[arg-type]

    form = form_class(request.POST, case=case, user=user)  # type: ignore[arg-type]
    if not form.is_valid():
        return show(form, error=MSG_FIX_INPUT, status=400)
    try:
        perform_entry(act, case=case, actor=user, **form.params())  # type: ignore[arg-type]
    except ApplicationError as exc:
        for name, message in exc.extra.get("fields", {}).items():
            if name in form.fields:
                form.add_error(name, message)
        return show(form, error=exc.message, status=exc.status_code)
    messages.success(request, MSG_STARTED if act == Action.MEDIATE else MSG_DONE.format(label=label))
    return redirect("case_detail", code=case.code)
