"""督办 pages (the supervisor's candidates and orders, a case's orders with the order and answer forms,
a unit's record) and the leader inbox. Reads through selectors, writes through services."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.functional import cached_property
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from huiyin.cases.exports import list_export
from huiyin.cases.forms import flag_invalid
from huiyin.cases.web import case_or_404
from huiyin.core import registry, timeutil
from huiyin.core.errors import ApplicationError
from huiyin.core.parsing import parse_id
from huiyin.org import roles
from huiyin.org.choices import Role
from huiyin.org.views import nav_context
from huiyin.supervision import selectors, services
from huiyin.supervision.exports import BY_LIST, CANDIDATES, RECORD, candidate_filters, record_unit
from huiyin.supervision.forms import AnswerForm, CandidateFilterForm, OrderForm
from huiyin.supervision.models import SupervisionCandidate, SupervisionOrder
from huiyin.workflow.web import most_urgent, with_live_clocks

LIST_LIMIT = 100
CANDIDATE_PAGE_SIZE = 50
# The total counts at most this many candidates and then says "N 余条": a COUNT(*) of every open
# candidate checked each one's case against the scope (115k candidates, 1.7 s at 10M cases; issue 15).
# The pages go as far as the count; the filters narrow the list and the export holds all of it.
CANDIDATE_COUNT_CAP = 1000


class CappedPaginator(Paginator):
    """A paginator whose count stops at CANDIDATE_COUNT_CAP + 1 rows, never silently: `total` then says
    the list holds more than the cap."""

    @cached_property
    def count(self) -> int:
        rows = self.object_list.order_by().values("pk")  # type: ignore[attr-defined]
        return rows[: CANDIDATE_COUNT_CAP + 1].count()

    @property
    def total(self) -> str:
        """The total as the page says it: "53 条", or "1000 余条" beyond the cap."""
        return f"{CANDIDATE_COUNT_CAP} 余条" if self.count > CANDIDATE_COUNT_CAP else f"{self.count} 条"


MSG_NOT_LEADER = "领导信箱与包案事项只对领导岗位开放"
MSG_ISSUED = "已下发督办单。"
MSG_ANSWERED = "已答复督办。"
MSG_DISMISSED = "已记录不予督办及其理由。"


@login_required
@require_GET
def supervision_home(request: HttpRequest) -> HttpResponse:
    """督办: a supervisor's candidates and orders in the territory; for anyone else, the orders addressed
    to their unit."""
    user: Any = request.user
    is_supervisor = user.role == Role.SUPERVISOR
    context: dict[str, Any] = {
        **nav_context(request, "supervision"),
        "is_supervisor": is_supervisor,
        "orders": list(selectors.orders_for(user)[:LIST_LIMIT]),
        "today": timeutil.today(),
    }
    if is_supervisor:
        context.update(_candidate_page(request, user))
        # the modules' overdue records (a screening item past its date), beside the cases' candidates
        context["module_candidates"] = registry.supervision_candidates(user)
    return render(request, "supervision/home.html", context)


def _candidate_filters(request: HttpRequest, user: Any) -> tuple[CandidateFilterForm, dict[str, Any]]:
    """The candidate list's filter form and the selector's keyword filters it yields."""
    form, filters = candidate_filters(user, request.GET)
    if form.is_bound and not form.is_valid():
        flag_invalid(form)
    return form, filters


def _candidate_page(request: HttpRequest, user: Any) -> dict[str, Any]:
    """The filtered candidates, a page at a time, with their total (counted up to CANDIDATE_COUNT_CAP,
    beyond it said to be more; never silently capped)."""
    form, filters = _candidate_filters(request, user)
    page = CappedPaginator(selectors.candidates_for(user, **filters), CANDIDATE_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return {
        "filter_form": form,
        "candidates": list(page.object_list),
        "page": page,
        "base_query": query.urlencode(),
        "candidate_export_query": urlencode({"list": "candidates", **{k: v for k, v in query.items() if v}}),
    }


def _case_page(
    request: HttpRequest,
    case: Any,
    *,
    order_form: OrderForm | None = None,
    answer_form: AnswerForm | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    user: Any = request.user
    orders = selectors.case_orders(case)
    can_issue = user.role == Role.SUPERVISOR
    if can_issue and order_form is None:
        candidate = request.GET.get("candidate", "")
        order_form = OrderForm(initial={"candidate": candidate} if parse_id(candidate) else {})
    answerable = [o for o in orders if o.state == "open" and services.may_answer(user, o)]
    for form in (order_form, answer_form):
        if form is not None:
            flag_invalid(form)
    context = {
        **nav_context(request, "supervision"),
        "case": case,
        "orders": orders,
        "order_form": order_form if can_issue else None,
        "answerable": answerable,
        "answer_form": answer_form,
        "error": error,
        "today": timeutil.today(),
    }
    return render(request, "supervision/case.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def case_supervision(request: HttpRequest, code: str) -> HttpResponse:
    """A case's 督办 orders; a supervisor issues one here, the addressed unit answers here."""
    case = case_or_404(request, code)
    if request.method == "GET":
        return _case_page(request, case)
    user: Any = request.user
    if request.POST.get("op") == "answer":
        answer_form = AnswerForm(request.POST)
        if not answer_form.is_valid():
            return _case_page(request, case, answer_form=answer_form, error="请填写答复内容", status=400)
        order = SupervisionOrder.objects.filter(pk=answer_form.cleaned_data["order"], case=case).first()
        if order is None:
            raise Http404("没有这份督办单")
        try:
            services.order_answer(order=order, actor=user, answer=answer_form.cleaned_data["answer"])
        except ApplicationError as exc:
            return _case_page(
                request, case, answer_form=answer_form, error=exc.message, status=exc.status_code
            )
        messages.success(request, MSG_ANSWERED)
        return redirect("case_supervision", code=case.code)
    order_form = OrderForm(request.POST)
    if not order_form.is_valid():
        return _case_page(request, case, order_form=order_form, error="请检查标红的项目", status=400)
    data = order_form.cleaned_data
    candidate = (
        SupervisionCandidate.objects.filter(pk=data["candidate"], case=case).first()
        if data["candidate"]
        else None
    )
    try:
        services.order_issue(
            case=case,
            actor=user,
            instructions=data["instructions"],
            due_on=data["due_on"],
            candidate=candidate,
        )
    except ApplicationError as exc:
        for name, message in exc.extra.get("fields", {}).items():
            if name in order_form.fields:
                order_form.add_error(name, message)
        return _case_page(request, case, order_form=order_form, error=exc.message, status=exc.status_code)
    messages.success(request, MSG_ISSUED)
    return redirect("case_supervision", code=case.code)


@login_required
@require_POST
def candidate_dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    """不予督办, with the reason (kept on the case's record)."""
    user: Any = request.user
    candidate = selectors.candidates_for(user).filter(pk=pk).first()
    if candidate is None:
        raise Http404("没有这条督办线索")
    try:
        services.candidate_dismiss(candidate=candidate, actor=user, reason=request.POST.get("reason", ""))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, MSG_DISMISSED)
    return redirect("supervision")


@login_required
@require_GET
def unit_record(request: HttpRequest) -> HttpResponse:
    """A unit's 督办 record (own unit by default; overseers may pick a unit of their territory)."""
    user: Any = request.user
    units = selectors.units_of_record(user)
    wanted = request.GET.get("unit") or (str(user.unit_id) if user.unit_id else "")
    unit_id = parse_id(wanted)
    unit = units.filter(pk=unit_id).first() if unit_id is not None else None
    if unit is None:
        raise Http404("没有这个单位的督办记录")
    orders = list(selectors.unit_record(unit)[:LIST_LIMIT])
    context = {
        **nav_context(request, "supervision"),
        "unit": unit,
        "units": list(units.select_related("territory")[:200]) if user.role in roles.OVERSEE else [],
        "orders": orders,
        "export_query": urlencode({"list": "record", "unit": unit.pk}),
        "counts": {s: sum(1 for o in orders if o.state == s) for s in ("open", "answered", "escalated")},
    }
    return render(request, "supervision/record.html", context)


@login_required
@require_GET
def leader_inbox(request: HttpRequest) -> HttpResponse:
    """领导信箱与包案: 包案 cases with their clocks, cases awaiting the leader's decision, mailbox letters."""
    user: Any = request.user
    if not roles.has(user, roles.LEAD):  # refused like every page of another role, never an empty inbox
        return render(request, "403.html", {**nav_context(request), "message": MSG_NOT_LEADER}, status=403)
    today = timeutil.today()
    sections = []
    labels = {"owned": "包案事项", "awaiting": "待领导决定", "mailbox": "领导信箱来信"}
    for name, qs in selectors.leader_inbox(user).items():
        cases = list(with_live_clocks(qs)[:LIST_LIMIT])
        sections.append(
            {
                "name": name,
                "label": labels[name],
                "rows": [
                    {"case": c, "clock": most_urgent(c.live_clocks, today)}  # type: ignore[attr-defined]
                    for c in cases
                ],
            }
        )
    context = {**nav_context(request, "leader"), "is_leader": user.role == Role.LEADER, "sections": sections}
    return render(request, "supervision/leader_inbox.html", context)


# --- .xlsx exports of the three lists (issue 11 item 5; huiyin/supervision/exports.py) ---------------


@login_required
@require_GET
def supervision_export(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """?list=candidates (a supervisor's, with the screen's filters), orders (the user's 督办单) or
    record&unit= (a unit's record the user may open; the same 404 as the screen otherwise). A long list
    is written by the worker with progress (cases.exports.list_export)."""
    user: Any = request.user
    spec = BY_LIST.get(request.GET.get("list", "orders"))
    if spec is None:
        raise Http404("没有这个列表")
    if spec is CANDIDATES:
        if user.role != Role.SUPERVISOR:
            raise Http404("没有这个列表")
        form, _filters = candidate_filters(user, request.GET)
        if form.is_bound and not form.is_valid():
            return render(
                request,
                "400.html",
                {**nav_context(request, "supervision"), "message": "筛选条件无效"},
                status=400,
            )
    elif spec is RECORD and record_unit(user, request.GET) is None:
        raise Http404("没有这个单位的督办记录")
    return list_export(request, spec.kind)
