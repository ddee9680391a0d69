"""The mediation screens: the 调解员/网格员 workbench (phone-sized), the ledger with its overdue list,
screening rounds with missing reports, an item, a mediation with its whole chain (三调联动), the
agreement as .docx and print, and a petition case sent to mediation. Reads through selectors, writes
through services; a refusal shows its message (and a 4xx), never a 500."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from huiyin.cases.exports import format_export, list_export
from huiyin.cases.web import case_or_404
from huiyin.core import timeutil
from huiyin.core.errors import ApplicationError
from huiyin.mediation import selectors, services
from huiyin.mediation.choices import (
    AgreementForm,
    Consent,
    CourtOutcome,
    DisputeKind,
    MediationKind,
    Performance,
    RiskLevel,
)
from huiyin.mediation.documents import agreement_docx as render_docx
from huiyin.mediation.documents import agreement_sections
from huiyin.mediation.exports import LEDGER, MEDIATIONS, ROUNDS
from huiyin.mediation.forms import get_date, get_id
from huiyin.mediation.models import Mediation, MediationParty, RoundReport, ScreeningItem, ScreeningRound
from huiyin.mediation.transitions import Action
from huiyin.org.choices import Role, TerritoryLevel, UnitKind
from huiyin.org.models import Territory, Unit, User
from huiyin.org.views import nav_context

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MISSING = "未找到该记录"


def _refused(
    request: HttpRequest, exc: ApplicationError, template: str, context: dict[str, Any]
) -> HttpResponse:
    messages.error(request, exc.message)
    return render(request, template, context, status=exc.status_code)


def _places(user: Any) -> list[Territory]:
    """Where the user may report: their unit's territory and the villages/grids below it."""
    if not user.unit_id or user.unit.kind not in services.TERRITORIAL:
        return []
    return list(
        Territory.objects.filter(path__startswith=user.unit.territory.path, level__gte=TerritoryLevel.VILLAGE)
    ) or [user.unit.territory]


@login_required
@require_GET
def bench(request: HttpRequest) -> HttpResponse:
    """调解台 — the 网格员's and the 调解员's workbench, phone-sized: my ledger items, my sessions this
    week, agreements to follow up (人民调解法 §31), my open mediations. A grid worker's screen puts
    filing and her items first; a mediator's, the mediations and sessions."""
    user: Any = request.user
    today = timeutil.today()
    items = list(selectors.my_items(user)[:50])
    context = {
        **nav_context(request, "mediation_bench"),
        "grid": user.role == Role.GRID_WORKER,
        "title": "网格员工作台"
        if user.role == Role.GRID_WORKER
        else "调解员工作台"
        if user.role == Role.MEDIATOR
        else "调解台",
        "items": items,
        "overdue": sum(1 for i in items if i.due_on and i.due_on < today),
        "sessions": list(selectors.week_sessions(user, today)[:50]),
        "follow_ups": list(selectors.follow_ups_due(user)[:50]),
        "open_mediations": list(selectors.my_open_mediations(user)[:50]),
        "today": today,
    }
    return render(request, "mediation/bench.html", context)


@login_required
@require_GET
def ledger(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    context = {
        **nav_context(request, "ledger"),
        "items": list(selectors.items_for(user)[:200]),
        "overdue": list(selectors.overdue_items(user)[:200]),
        "today": timeutil.today(),
    }
    return render(request, "mediation/ledger.html", context)


@login_required
@require_GET
def ledger_export(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """The whole 排查台账 the user may see (the screen shows the latest 200) as .xlsx (issue 11 item 5;
    huiyin/mediation/exports.py): parties' names masked unless ?identity=full (the export's audit row
    records it); a long ledger is written by the worker with progress."""
    return list_export(request, LEDGER.kind)


@login_required
@require_GET
def mediations_export(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """The 调解台账: every mediation the user may see as .xlsx (huiyin/mediation/exports.py), parties'
    names masked unless ?identity=full (audited); a long one is written by the worker with progress."""
    return list_export(request, MEDIATIONS.kind)


@login_required
@require_http_methods(["GET", "POST"])
def item_new(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    context = {
        **nav_context(request, "ledger"),
        "places": _places(user),
        "kinds": DisputeKind.choices,
        "risks": RiskLevel.choices,
        "data": request.POST,
    }
    if request.method == "POST":
        try:
            place = Territory.objects.filter(pk=get_id(request.POST, "territory", "发现地点")).first()
            if place is None:
                raise services.ValidationFailed("请选择发现地点")
            open_round = ScreeningRound.objects.filter(
                township__in=[t for t in place.ancestors() if t.level == TerritoryLevel.TOWNSHIP],
                period=timeutil.today().replace(day=1),
            ).first()
            item = services.item_report(
                actor=user,
                territory=place,
                kind=request.POST.get("kind", ""),
                summary=request.POST.get("summary", ""),
                parties=request.POST.get("parties", ""),
                risk=request.POST.get("risk", ""),
                round=open_round,
            )
        except ApplicationError as exc:
            return _refused(request, exc, "mediation/item_new.html", context)
        messages.success(request, "已登记排查事项。")
        return redirect("mediation_item", pk=item.pk)
    return render(request, "mediation/item_new.html", context)


def _item_or_404(request: HttpRequest, pk: int) -> ScreeningItem:
    item = selectors.items_for(request.user).filter(pk=pk).first()  # type: ignore[arg-type]
    if item is None:
        raise Http404(MISSING)
    return item


def _item_context(request: HttpRequest, item: ScreeningItem) -> dict[str, Any]:
    user: Any = request.user
    may_assign = (
        user.role in services.ASSIGN
        and services.covers(user.unit, item.territory)
        and (user.unit.territory.level <= TerritoryLevel.TOWNSHIP)
    )
    township = services.township_of(item.territory)
    units = (
        Unit.objects.filter(territory__path__startswith=township.path) if township else Unit.objects.none()
    )
    return {
        **nav_context(request, "ledger"),
        "item": item,
        "notes": list(item.notes.select_related("author")),
        "mediations": list(item.mediations.select_related("organ")),
        "may_assign": may_assign,
        "may_work": services.may_work_item(user, item),
        "units": list(units) if may_assign else [],
        "people": list(User.objects.filter(unit__in=units, is_active=True).select_related("unit"))
        if may_assign
        else [],
        "today": timeutil.today(),
    }


@login_required
@require_GET
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item_or_404(request, pk)
    return render(request, "mediation/item.html", _item_context(request, item))


@login_required
@require_POST
def item_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    item = _item_or_404(request, pk)
    user: Any = request.user
    try:
        if action == "assign":
            unit = Unit.objects.filter(pk=get_id(request.POST, "unit", "责任单位")).first()
            person = User.objects.filter(pk=get_id(request.POST, "person", "责任人")).first()
            if unit is None or person is None:
                raise services.ValidationFailed("请选择责任单位和责任人")
            services.item_assign(
                item=item,
                actor=user,
                unit=unit,
                person=person,
                due_on=get_date(request.POST, "due_on", "化解期限"),
            )
            messages.success(request, "已交办。")
        elif action == "note":
            services.item_note(item=item, actor=user, text=request.POST.get("text", ""))
            messages.success(request, "已记录进展。")
        elif action == "settle":
            services.item_settle(item=item, actor=user, note=request.POST.get("note", ""))
            messages.success(request, "已确认化解。")
        elif action == "mediate":
            mediation = services.mediation_from_item(item=item, actor=user)
            messages.success(request, "已转为人民调解案件。")
            return redirect("mediation_detail", pk=mediation.pk)
        else:
            raise Http404(MISSING)
    except ApplicationError as exc:
        return _refused(request, exc, "mediation/item.html", _item_context(request, item))
    return redirect("mediation_item", pk=item.pk)


@login_required
@require_http_methods(["GET", "POST"])
def rounds(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    user: Any = request.user
    exported = format_export(request, ROUNDS.kind) if request.method == "GET" else None
    if exported is not None:  # ?format=xlsx: every round the user's organ answers for
        return exported
    townships = [
        t for t in Territory.objects.filter(level=TerritoryLevel.TOWNSHIP)
        if services.covers(user.unit, t)
    ] if user.role in services.ASSIGN else []  # fmt: skip
    context = {
        **nav_context(request, "ledger"),
        "rounds": list(selectors.rounds_for(user)[:100]),
        "townships": townships,
    }
    if request.method == "POST":
        try:
            township = Territory.objects.filter(pk=get_id(request.POST, "township", "乡镇（街道）")).first()
            if township is None:
                raise services.ValidationFailed("请选择乡镇（街道）")
            r = services.round_open(
                township=township, period=get_date(request.POST, "period", "排查月份"), actor=user
            )
        except ApplicationError as exc:
            return _refused(request, exc, "mediation/rounds.html", context)
        messages.success(request, "已开启本月排查。")
        return redirect("mediation_round", pk=r.pk)
    return render(request, "mediation/rounds.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    r = selectors.rounds_for(user).filter(pk=pk).first()
    if r is None:
        raise Http404(MISSING)
    rows: list[dict[str, Any]] = selectors.round_status(r)
    context = {**nav_context(request, "ledger"), "round": r, "rows": rows,
               "mine": [row["point"] for row in rows if services.covers(user.unit, row["point"])]}  # fmt: skip
    if request.method == "POST":
        try:
            point = Territory.objects.filter(pk=get_id(request.POST, "point", "报送点")).first()
            if point is None:
                raise services.ValidationFailed("请选择报送点")
            services.round_zero_report(round=r, point=point, actor=user, note=request.POST.get("note", ""))
        except ApplicationError as exc:
            return _refused(request, exc, "mediation/round.html", context)
        messages.success(request, "已报送零报告。")
        return redirect("mediation_round", pk=r.pk)
    return render(request, "mediation/round.html", context)


def _mediation_or_404(request: HttpRequest, pk: int) -> Mediation:
    m = selectors.mediations_for(request.user).filter(pk=pk).first()  # type: ignore[arg-type]
    if m is None:
        raise Http404(MISSING)
    return m


def _mediation_context(request: HttpRequest, m: Mediation) -> dict[str, Any]:
    user: Any = request.user
    chain = services.chain_of(m)
    visible = set(
        selectors.mediations_for(user).filter(pk__in=[c.pk for c in chain]).values_list("pk", flat=True)
    )
    agreement = getattr(m, "agreement", None)
    allowed = {a for a in Action.values if services.may_act(user, m, a)}
    return {
        **nav_context(request, "mediation_bench"),
        "m": m,
        # the whole chain of the dispute (the same parties, item and case); a step of another organ is
        # named with its organ, state and level, and linked only for those who may open it
        "chain": chain,
        "visible": visible,
        "parties": list(m.parties.all()),
        "sessions": list(m.sessions.select_related("recorded_by")),
        "agreement": agreement,
        "confirmation_deadline": services.confirmation_deadline(agreement) if agreement else None,
        "can": {a: a in allowed and (m.state, a) in services.transitions.TRANSITIONS for a in Action.values},
        "consents": Consent.choices,
        "forms": AgreementForm.choices,
        "performances": Performance.choices,
        "court_outcomes": CourtOutcome.choices,
        # 行政调解: a department or a township government (never a village committee or a petition desk)
        "departments": list(
            Unit.objects.exclude(kind__in=[UnitKind.VILLAGE_COMMITTEE, UnitKind.PETITION_OFFICE])
            .filter(is_active=True)
            .order_by("territory__path", "name")[:300]
        ),
        "default_routes": services.DEFAULT_ROUTES,
        "may_answer_petition": bool(
            m.case_id
            and agreement
            and not agreement.petition_answered
            and m.case is not None
            and user.unit_id == m.case.handling_unit_id
        ),
        "today": timeutil.today(),
    }


@login_required
@require_GET
def mediation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One mediation and the whole chain of its dispute on one page (item → 人民调解 → 行政/司法 → petition)."""
    m = _mediation_or_404(request, pk)
    return render(request, "mediation/mediation.html", _mediation_context(request, m))


@login_required
@require_GET
def dispute(request: HttpRequest, pk: int) -> HttpResponse:
    """The chain of one dispute on one page: the screening item, each mediation (人民调解 → 行政调解 /
    司法调解) with its sessions, agreement or termination and the level it ended at, and the petitions it
    came from or came back as. A step of another organ is described and linked only for those who may
    open it; an item or a petition is shown only to those who may see it (条例 §30¶3)."""
    from huiyin.cases.selectors import visible_to

    m = _mediation_or_404(request, pk)
    user: Any = request.user
    chain = services.chain_of(m)
    visible = set(
        selectors.mediations_for(user).filter(pk__in=[c.pk for c in chain]).values_list("pk", flat=True)
    )
    root = chain[0]
    cases = visible_to(user)
    steps = [
        {
            "m": c,
            "visible": c.pk in visible,
            "sessions": list(c.sessions.all()) if c.pk in visible else [],
            "agreement": getattr(c, "agreement", None) if c.pk in visible else None,
        }
        for c in chain
    ]
    context = {
        **nav_context(request, "mediation_bench"),
        "m": m,
        "steps": steps,
        "item": selectors.items_for(user).filter(pk=root.item_id).first() if root.item_id else None,
        "case": cases.filter(pk=root.case_id).first() if root.case_id else None,
        "later_petition": cases.filter(pk=root.later_petition_id).first() if root.later_petition_id else None,
        "ended": next((c for c in reversed(chain) if c.resolution_level), None),
    }
    return render(request, "mediation/dispute.html", context)


@login_required
@require_POST
def mediation_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    m = _mediation_or_404(request, pk)
    user: Any = request.user
    post = request.POST
    try:
        if action == Action.CONSENT:
            party = MediationParty.objects.filter(mediation=m, pk=get_id(post, "party", "当事人")).first()
            if party is None:
                raise services.ValidationFailed("请选择当事人")
            services.party_consent(
                party=party, actor=user, consent=post.get("consent", ""), note=post.get("note", "")
            )
        elif action == Action.START:
            services.mediation_start(mediation=m, actor=user)
        elif action == Action.SESSION:
            services.session_record(
                mediation=m, actor=user, held_on=get_date(post, "held_on", "日期"), place=post.get("place", ""),
                attendees=post.get("attendees", ""), record=post.get("record", ""),
            )  # fmt: skip
        elif action == Action.AGREE:
            services.agreement_sign(
                mediation=m, actor=user, form=post.get("form", ""), facts=post.get("facts", ""),
                obligations=post.get("obligations", ""), performance_terms=post.get("performance_terms", ""),
                signed_on=get_date(post, "signed_on", "生效日期"), follow_up_on=get_date(post, "follow_up_on", "回访日期"),
                parties_signed=post.get("parties_signed") == "on", sealed=post.get("sealed") == "on",
            )  # fmt: skip
        elif action == Action.TERMINATE:
            services.mediation_terminate(
                mediation=m,
                actor=user,
                reason=post.get("reason", ""),
                routes_told=post.get("routes_told", ""),
            )
        elif action == Action.HAND_OFF:
            kind = post.get("kind", "")
            organ = (
                Unit.objects.filter(pk=post.get("organ") or 0).first()
                if kind == MediationKind.ADMINISTRATIVE
                else None
            )
            nxt = services.mediation_hand_off(
                mediation=m, actor=user, kind=kind, organ=organ, court_name=post.get("court_name", "")
            )
            messages.success(request, f"已转{nxt.get_kind_display()}。")
            return redirect(
                "mediation_detail",
                pk=nxt.pk if selectors.mediations_for(user).filter(pk=nxt.pk).exists() else m.pk,
            )
        elif action == "follow_up":
            services.follow_up_record(
                mediation=m, actor=user, performance=post.get("performance", ""), note=post.get("note", "")
            )
        elif action == Action.COURT_OUTCOME:
            services.court_outcome_record(
                mediation=m, actor=user, outcome=post.get("outcome", ""), on=get_date(post, "on", "日期"),
                note=post.get("note", ""),
            )  # fmt: skip
        elif action == "link_petition":
            from huiyin.cases.selectors import visible_to

            code = (post.get("code") or "").strip().upper()[:40]
            case = visible_to(user).filter(code=code).first() if code else None
            if case is None:
                raise services.ValidationFailed("未找到该信访事项编号")
            services.dispute_link_petition(mediation=m, case=case, actor=user)
        elif action == "answer_petition":
            services.mediation_answer_petition(mediation=m, actor=user)
        else:
            raise Http404(MISSING)
    except ApplicationError as exc:
        m.refresh_from_db()
        return _refused(request, exc, "mediation/mediation.html", _mediation_context(request, m))
    messages.success(request, "已保存。")
    return redirect("mediation_detail", pk=m.pk)


def _agreement_or_404(request: HttpRequest, pk: int) -> Any:
    m = _mediation_or_404(request, pk)
    agreement = getattr(m, "agreement", None)
    if agreement is None:
        raise Http404(MISSING)
    return agreement


@login_required
@require_GET
def agreement_docx(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = _agreement_or_404(request, pk)
    response = HttpResponse(render_docx(agreement), content_type=DOCX)
    response["Content-Disposition"] = f'attachment; filename="agreement-{pk}.docx"'
    return response


@login_required
@require_GET
def agreement_print(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = _agreement_or_404(request, pk)
    return render(request, "mediation/agreement_print.html", {"doc": agreement_sections(agreement), "pk": pk})


@login_required
@require_http_methods(["GET", "POST"])
def case_to_mediation(request: HttpRequest, code: str) -> HttpResponse:
    """A petition case goes to mediation (条例 §33): pick the organ and the other party."""
    case = case_or_404(request, code)
    user: Any = request.user
    context = {
        **nav_context(request, ""),
        "case": case,
        "organs": list(
            Unit.objects.exclude(kind=UnitKind.PETITION_OFFICE).order_by("territory__path", "name")[:300]
        ),
        "kinds": [(k, label) for k, label in MediationKind.choices if k != MediationKind.JUDICIAL],
        "mediations": list(selectors.mediations_for(user).filter(case=case)),
    }
    if request.method == "POST":
        try:
            organ = Unit.objects.filter(pk=get_id(request.POST, "organ", "调解组织")).first()
            if organ is None:
                raise services.ValidationFailed("请选择调解组织")
            m = services.mediation_from_case(
                case=case, actor=user, organ=organ, kind=request.POST.get("kind", ""),
                respondents=[p.name for p in services.parties_from_text(request.POST.get("respondents", ""))],
            )  # fmt: skip
        except ApplicationError as exc:
            return _refused(request, exc, "mediation/case_to_mediation.html", context)
        messages.success(request, "已转入调解。")
        return (
            redirect("mediation_detail", pk=m.pk)
            if selectors.mediations_for(user).filter(pk=m.pk).exists()
            else redirect("case_to_mediation", code=case.code)
        )
    return render(request, "mediation/case_to_mediation.html", context)


def _case_places(case: Any, user: Any) -> list[Territory]:
    """Where a case's dispute may be filed: the case's place and the villages and grids below it, then
    the user's own area."""
    found: list[Territory] = []
    if case.territory_id:
        found = [case.territory, *Territory.objects.filter(
            path__startswith=case.territory.path, level__gte=TerritoryLevel.VILLAGE
        ).exclude(pk=case.territory_id).order_by("path")[:300]]  # fmt: skip
    return found + [t for t in _places(user) if t not in found][:300]


@login_required
@require_http_methods(["GET", "POST"])
def case_to_screening(request: HttpRequest, code: str) -> HttpResponse:
    """File a screening item from a petition case (排查台账 "from cases"), linked to it, prefilled with
    what the case knows; an accuser's identity is never copied (条例 §30¶3)."""
    case = case_or_404(request, code)
    user: Any = request.user
    context = {
        **nav_context(request, ""),
        "case": case,
        "places": _case_places(case, user),
        "kinds": DisputeKind.choices,
        "risks": RiskLevel.choices,
        "items": list(selectors.items_for(user).filter(case=case)),
        "may_file": services.may_file_from_case(user, case),
        "data": request.POST if request.method == "POST" else services.item_prefill(case, user),
    }
    if request.method == "POST":
        try:
            place = Territory.objects.filter(pk=get_id(request.POST, "territory", "发现地点")).first()
            if place is None:
                raise services.ValidationFailed("请选择发现地点")
            item = services.item_from_case(
                case=case, actor=user, territory=place, kind=request.POST.get("kind", ""),
                summary=request.POST.get("summary", ""), parties=request.POST.get("parties", ""),
                risk=request.POST.get("risk", ""),
            )  # fmt: skip
        except ApplicationError as exc:
            return _refused(request, exc, "mediation/case_to_screening.html", context)
        messages.success(request, "已登记排查事项。")
        return redirect("mediation_item", pk=item.pk)
    return render(request, "mediation/case_to_screening.html", context)


def _pct(pair: tuple[int, int]) -> str:
    ok, n = pair
    return f"{ok}/{n}（{ok * 100 / n:.2f}%）" if n else "—"


@login_required
@require_GET
def metrics_page(request: HttpRequest) -> HttpResponse:
    """化解成效 for a month (default: this one), over what the user may see; definitions in metrics.py."""
    from huiyin.mediation import metrics
    from huiyin.mediation.choices import ResolutionLevel
    from huiyin.mediation.models import Agreement

    user: Any = request.user
    today = timeutil.today()
    raw = request.GET.get("month", "")
    try:
        start = date.fromisoformat(raw + "-01") if raw else today.replace(day=1)
    except ValueError:
        start = today.replace(day=1)
    end = (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    mediations = selectors.mediations_for(user)
    success = metrics.success_by_kind_and_level(mediations, start, end)
    levels = metrics.resolution_levels(mediations, start, end)
    kinds = dict(MediationKind.choices)
    level_names = dict(ResolutionLevel.choices)
    context = {
        **nav_context(request, "ledger"),
        "month": start,
        "success": [(kinds[k], level_names[lv], _pct(v)) for (k, lv), v in sorted(success.items())],
        "levels": [(level_names[lv], levels.get(lv, 0)) for lv in ResolutionLevel.values],
        "on_time": _pct(metrics.items_settled_on_time(selectors.items_for(user), start, end)),
        "zero": _pct(
            metrics.zero_report_compliance(
                RoundReport.objects.filter(round__in=selectors.rounds_for(user)), start, end
            )
        ),
        "not_up": _pct(metrics.not_passed_up(mediations, start, end)),
        "performed": _pct(
            metrics.agreements_performed(Agreement.objects.filter(mediation__in=mediations), start, end)
        ),
    }
    return render(request, "mediation/metrics.html", context)
