"""The staff workbench (HTML): queues, intake, the case page, receipts, opinions and search.

Views are thin: reads go through `selectors` (always scoped to the user), writes through `services`,
and the actions offered on a case come only from `workflow.services.allowed_actions`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.db.models import Prefetch, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from huiyin.assist.selectors import accused_unit_hints
from huiyin.cases import documents, selectors
from huiyin.cases.audit import audit_identity_search
from huiyin.cases.choices import (
    Adoption,
    Decision,
    DeliveryMethod,
    DivertTarget,
    NotAcceptedReason,
    Outcome,
    Rating,
    RootCause,
)
from huiyin.cases.confidentiality import may_see_identity
from huiyin.cases.forms import CaseForm, PetitionerFormSet, apply_field_errors, case_in_from, flag_invalid
from huiyin.cases.models import Case, CaseEvent, Opinion, mask_id_number, mask_phone
from huiyin.cases.services import case_register, may_verify_contact, party_contact_verify
from huiyin.core import net, registry, timeutil
from huiyin.core.errors import ApplicationError, NotFound, ValidationFailed
from huiyin.core.models import AuditEntry
from huiyin.org import roles
from huiyin.org.choices import UnitKind
from huiyin.org.views import nav_context
from huiyin.portal.services import tracking_secret_issue
from huiyin.workflow.choices import LIVE_STATES, WINDOW_KINDS, ClockKind, ClockState
from huiyin.workflow.models import Clock
from huiyin.workflow.routing import accused_unknown, suggest_unit
from huiyin.workflow.selectors import case_extras
from huiyin.workflow.services import allowed_actions, rules_for_case
from huiyin.workflow.transitions import ACTION_LABELS, Action

PAGE_SIZE = 25
logger = logging.getLogger(__name__)
MSG_NOT_INTAKE = "您的岗位不能登记信访事项"
MSG_ATTACHMENT_MISSING = "附件文件缺失：存储中找不到该文件，请联系管理员从备份恢复（huiyin restore）。"
MSG_NOT_VERIFIER = "只有登记该事项的信访部门的接待或分办人员可以核实联系方式"
MSG_NOT_REISSUER = "只有登记该事项的信访部门的登记人员可以重新生成查询码"
# The 查询码 of a case just registered at the window, held until its receipt is printed (shown once).
SESSION_RECEIPT_SECRET = "huiyin.staff_receipt_secret"


# --- helpers ----------------------------------------------------------------------------------


def case_or_404(request: HttpRequest, ref: int | str) -> Case:
    """The case if this user may see it; one 404 for 'missing' and 'not yours'."""
    try:
        return selectors.access_case(request.user, ref, ip=net.audit_ip(request))  # type: ignore[arg-type]
    except NotFound as exc:
        raise Http404(exc.message) from None


@dataclass(frozen=True)
class ClockView:
    """A clock as the screen shows it: what runs, until when, and its colour."""

    clock: Clock
    label: str
    days_left: int
    colour: str  # green / yellow / red / paused / window / done

    @property
    def text(self) -> str:
        if self.colour == "done":
            return self.clock.get_state_display()
        if self.colour == "paused":
            return "暂停（听证中）"
        if self.days_left < 0:
            return f"超期{-self.days_left}日"
        if self.days_left == 0:
            return "今日到期"
        return f"剩{self.days_left}日"


def clock_view(clock: Clock, today: date) -> ClockView:
    left = (clock.due_on - today).days
    if clock.state not in LIVE_STATES:
        colour = "done"
    elif clock.state == ClockState.PAUSED:
        colour = "paused"
    elif clock.kind in WINDOW_KINDS:
        colour = "window"
    elif clock.state == ClockState.RED or left < 0:
        colour = "red"
    elif clock.state == ClockState.YELLOW or today >= clock.warn_on:
        colour = "yellow"
    else:
        colour = "green"
    return ClockView(clock, clock.label, left, colour)


def most_urgent(clocks: list[Clock], today: date) -> ClockView | None:
    """The office's nearest deadline; a petitioner's window only when nothing else runs."""
    if not clocks:
        return None
    duties = [c for c in clocks if c.kind not in WINDOW_KINDS and c.state != ClockState.PAUSED]
    pick = min(duties or clocks, key=lambda c: (c.due_on, c.pk))
    return clock_view(pick, today)


def with_live_clocks(qs: QuerySet[Case]) -> QuerySet[Case]:
    live = Clock.objects.filter(state__in=LIVE_STATES).order_by("due_on", "id")
    return qs.prefetch_related(Prefetch("clocks", queryset=live, to_attr="live_clocks"))


def case_rows(page: Page) -> list[dict[str, Any]]:
    today = timeutil.today()
    return [{"case": c, "clock": most_urgent(c.live_clocks, today)} for c in page.object_list]


def paginate(request: HttpRequest, qs: QuerySet[Case]) -> Page:
    return Paginator(with_live_clocks(qs), PAGE_SIZE).get_page(request.GET.get("page"))


# --- workbench --------------------------------------------------------------------------------


def default_queue(request: HttpRequest) -> str:
    unit = getattr(request.user, "unit", None)
    return "to_route" if unit is not None and unit.is_petition_office else "my_unit"


@login_required
@require_GET
def workbench(request: HttpRequest) -> HttpResponse:
    """工作台: the four queues as tabs with counts; htmx swaps only the queue area."""
    name = request.GET.get("queue") or default_queue(request)
    if name not in selectors.queues():
        raise Http404("没有这个工作队列")
    user = request.user
    tabs = [
        {"name": key, "label": label, "count": fn(user).count()}  # type: ignore[arg-type]
        for key, (label, fn) in selectors.queues().items()
    ]
    label, fn = selectors.queues()[name]
    page = paginate(request, fn(user))  # type: ignore[arg-type]
    context = {
        **nav_context(request, "workbench"),
        "tabs": tabs,
        "queue": name,
        "queue_label": label,
        "base_query": urlencode({"queue": name}),
        "page": page,
        "rows": case_rows(page),
    }
    template = "cases/_queue.html" if request.htmx else "cases/workbench.html"  # type: ignore[attr-defined]
    return render(request, template, context)


# --- intake -----------------------------------------------------------------------------------


def _intake_context(request: HttpRequest, form: CaseForm, formset: Any, **extra: Any) -> dict[str, Any]:
    flag_invalid(form, *formset.forms)
    return {**nav_context(request, "intake"), "form": form, "formset": formset, **extra}


@login_required
@require_http_methods(["GET", "POST"])
def case_new(request: HttpRequest) -> HttpResponse:
    """登记: the window form for visits, letters, calls and faxes."""
    if getattr(request.user, "role", None) not in roles.REGISTER:
        return render(request, "403.html", {**nav_context(request), "message": MSG_NOT_INTAKE}, status=403)
    return _intake(request, direct=False)


@login_required
@require_http_methods(["GET", "POST"])
def case_new_direct(request: HttpRequest) -> HttpResponse:
    """登记 by a unit other than the petition office of a petition it received directly (条例 §23¶1,
    RG-3): the same form, registered at the user's own unit, which then handles it, sends it to a unit
    below it, or tells the petitioner where to go (the direct_* actions on the case page)."""
    unit = getattr(request.user, "unit", None)
    if unit is not None and unit.kind == UnitKind.PETITION_OFFICE:
        return redirect("case_new")
    if unit is None or getattr(request.user, "role", None) not in roles.REGISTER_DIRECT:
        return render(request, "403.html", {**nav_context(request), "message": MSG_NOT_INTAKE}, status=403)
    return _intake(request, direct=True)


def _intake(request: HttpRequest, *, direct: bool) -> HttpResponse:
    user = request.user
    if request.method == "GET":
        form = CaseForm(user=user)  # type: ignore[arg-type]
        formset = PetitionerFormSet(prefix="p")
        return render(request, "cases/intake.html", _intake_context(request, form, formset, direct=direct))

    form = CaseForm(request.POST, user=user)  # type: ignore[arg-type]
    formset = PetitionerFormSet(request.POST, prefix="p")
    files = request.FILES.getlist("attachments")
    if "add_row" in request.POST:  # the no-JavaScript way to add a petitioner row
        data = request.POST.copy()
        data["p-TOTAL_FORMS"] = str(int(data.get("p-TOTAL_FORMS", "1")) + 1)
        form = CaseForm(data, user=user)  # type: ignore[arg-type]
        formset = PetitionerFormSet(data, prefix="p")
        form.errors.clear()
        return render(
            request, "cases/intake.html", _intake_context(request, form, formset, quiet=True, direct=direct)
        )
    if not (form.is_valid() and formset.is_valid()):
        return render(
            request,
            "cases/intake.html",
            _intake_context(
                request, form, formset, error="请检查标红的项目", files_dropped=bool(files), direct=direct
            ),
            status=400,
        )
    case_in, rows = case_in_from(form, formset)
    try:
        case, created = case_register(
            data=case_in,
            office=user.unit,  # type: ignore[union-attr, arg-type]
            actor=user,  # type: ignore[arg-type]
            idempotency_key=form.cleaned_data["idempotency_key"],
            attachments=files,
        )
    except ValidationFailed as exc:
        loose = apply_field_errors(form, formset, exc.extra.get("fields", {}), rows)
        context = _intake_context(
            request,
            form,
            formset,
            error=exc.message,
            loose_errors=loose,
            files_dropped=bool(files),
            direct=direct,
        )
        return render(request, "cases/intake.html", context, status=400)
    except ApplicationError as exc:
        context = _intake_context(
            request, form, formset, error=exc.message, files_dropped=bool(files), direct=direct
        )
        return render(request, "cases/intake.html", context, status=exc.status_code)
    # Every receipt carries the 查询码, whatever the channel: with the code it lets a person without a
    # phone track the case on the portal (issue 10 item 7). Printed once; lost, it is reissued.
    secret = tracking_secret_issue(case=case) if created else None
    if created:
        request.session[SESSION_RECEIPT_SECRET] = {"code": case.code, "secret": secret}
        messages.success(
            request, f"已登记。受理凭证编号：{case.code}。请打印受理凭证（含查询码）交给信访人。"
        )
    else:
        messages.info(request, f"该登记已提交过，未重复建件。受理凭证编号：{case.code}")
    if not selectors.visible_to(user).filter(pk=case.pk).exists():  # type: ignore[arg-type]
        # ADR 0005: an accusation against this office went up to the office above; the clerk prints
        # the receipt and sees nothing of the case afterwards (条例 §30¶3).
        request.session.pop(SESSION_RECEIPT_SECRET, None)
        context = {
            **nav_context(request),
            **_receipt_texts(case),
            "case": case,
            "parties": [],
            "moved_up": True,
            "secret": secret,
        }
        return render(request, "cases/receipt.html", context, status=201 if created else 200)
    return redirect("case_detail", code=case.code)


def _mask_query(q: str, kind: str) -> str:
    if kind == "id_number":
        return mask_id_number(q.upper())
    if kind == "phone":
        return mask_phone(q)
    return q[:1] + "＊" * (len(q) - 1)


@login_required
@require_GET
def petitioner_lookup(request: HttpRequest) -> HttpResponse:
    """htmx: petitioners in the user's scope matching a whole ID number, phone or exact name, masked,
    with their earlier cases. Every search is audited; the full data comes only from the reveal."""
    if getattr(request.user, "role", None) not in roles.REGISTER:
        return HttpResponse(status=403)
    q = request.GET.get("lookup", "").strip()[:100]
    kind = selectors.lookup_kind(q)
    people = selectors.find_petitioners(request.user, q) if kind else []  # type: ignore[arg-type]
    history = list(selectors.petitioner_history(request.user, people)[:20]) if people else []  # type: ignore[arg-type]
    if kind:
        # 检索身份信息也须留痕 (SPEC §1.3, issue 9): who searched for whom, by what, and who was found.
        AuditEntry.objects.create(
            kind=AuditEntry.Kind.IDENTITY_SEARCH,
            actor=request.user,  # type: ignore[misc]
            ip_address=net.audit_ip(request),
            detail={"by": kind, "query": _mask_query(q, kind), "petitioners": [p.pk for p in people]},
        )
    context = {"q": q, "kind": kind, "people": people, "history": history}
    return render(request, "cases/_lookup.html", context)


@login_required
@require_POST
def petitioner_reveal(request: HttpRequest, petitioner: int) -> JsonResponse:
    """The 'fill' button: the unmasked identity of one petitioner in the user's scope, audited."""
    if getattr(request.user, "role", None) not in roles.REGISTER:
        return JsonResponse({"message": MSG_NOT_INTAKE, "extra": {}}, status=403)
    try:
        person = selectors.petitioner_for_reveal(request.user, petitioner)  # type: ignore[arg-type]
    except NotFound as exc:
        return JsonResponse({"message": exc.message, "extra": {}}, status=404)
    AuditEntry.objects.create(
        kind=AuditEntry.Kind.IDENTITY_VIEW,
        actor=request.user,  # type: ignore[misc]
        ip_address=net.audit_ip(request),
        detail={
            "lookup": True,
            "petitioners": [person.pk],
            "revealed": [f for f in ("id_number", "phone", "address") if getattr(person, f)],
        },
    )
    return JsonResponse(
        {
            "name": person.name,
            "kind": person.kind,
            "id_number": person.id_number,
            "phone": person.phone,
            "address": person.address,
        }
    )


# --- the case page ----------------------------------------------------------------------------


def event_summary(ev: CaseEvent) -> str:
    """One line of what an event changed, from its typed data."""
    d = ev.data or {}
    parts: list[str] = []
    if ev.event_type.startswith("clock_") and d.get("clock") in ClockKind.values:
        parts.append(f"{ClockKind(d['clock']).label}，期满日{d.get('due_on', '')}")
    if d.get("reason_code") in NotAcceptedReason.values:
        parts.append(NotAcceptedReason(d["reason_code"]).label)
    if d.get("target_label"):
        parts.append(f"引导至：{d['target_label']}")
    if d.get("into_code"):
        parts.append(f"并入 {d['into_code']}")
    if ev.event_type == "set_accused":
        parts.append(
            f"被反映单位：{d.get('accused_unit_name') or ('不属于本系统单位' if d.get('no_unit') else '')}"
        )
    if ev.event_type == "clear_conflict_bar" and d.get("staff_name"):
        parts.append(f"已核实{d['staff_name']}非被反映人")
    if d.get("to_office_name"):
        parts.append(f"移交至：{d['to_office_name']}")
    if d.get("unit_name"):
        parts.append(
            f"{'被督办单位' if ev.event_type.startswith('supervision_') else '承办单位'}：{d['unit_name']}"
        )
    if d.get("co_units"):
        parts.append("协办单位：" + "、".join(c.get("unit_name", "") for c in d["co_units"]))
    if d.get("decider_name"):
        parts.append(f"报请{d['decider_name']}决定")
    if d.get("leader_name"):
        parts.append(f"包案领导：{d['leader_name']}")
    if d.get("recipient_names") is not None and ev.event_type == "major_urgent_report":
        parts.append("报告：" + ("、".join(d["recipient_names"]) or "未配置报告对象"))
    if d.get("deadline"):
        parts.append(f"交办期限：{d['deadline']}")
    if d.get("days"):
        parts.append(f"延期{d['days']}日，办理期限至{d.get('new_due_on', '')}")
    if d.get("decision") in Decision.values:
        parts.append(f"处理意见：{Decision(d['decision']).label}")
    if d.get("method") in DeliveryMethod.values:
        parts.append(f"{DeliveryMethod(d['method']).label}，送达日期{d.get('delivered_on', '')}")
    if d.get("rating") in Rating.values:
        solved = {True: "问题已解决", False: "问题未解决"}.get(bool(d["solved"]), "") if "solved" in d else ""
        parts.append("评价：" + Rating(d["rating"]).label + (f"，{solved}" if solved else ""))
    if d.get("review_unit_name"):
        parts.append(f"复查机关：{d['review_unit_name']}")
    if d.get("rereview_unit_name"):
        parts.append(f"复核机关：{d['rereview_unit_name']}")
    if d.get("paused_days") is not None and ev.event_type == "hearing_end":
        parts.append(f"听证{d['paused_days']}日不计入，复核期限至{d.get('new_due_on', '')}")
    if d.get("target") in DivertTarget.values and not d.get("target_label"):
        parts.append(DivertTarget(d["target"]).label)
    # issue 10 (t10-types): 诉访分离 hand-over, suggestion adoption (§29), closing outcome (§27, §42)
    if d.get("to_unit_name"):
        parts.append(f"移交：{d['to_unit_name']}")
    if d.get("clocks_stop_reason"):
        parts.append(d["clocks_stop_reason"])
    if d.get("adoption") in Adoption.values:
        parts.append(f"采纳情况：{Adoption(d['adoption']).label}")
    if d.get("outcome") in Outcome.values and ev.event_type == "close":
        where = f"（{d['resolved_unit_name']}）" if d.get("resolved_unit_name") else ""
        parts.append(f"化解情况：{Outcome(d['outcome']).label}{where}")
    if d.get("root_cause") in RootCause.values:
        parts.append(f"问题成因：{RootCause(d['root_cause']).label}")
    parts += _t10_summary(ev, d)
    return "；".join(parts)


def _t10_summary(ev: CaseEvent, d: dict[str, Any]) -> list[str]:
    """RG-3, JU-3, HD-10, SV-3 (t10-rules): what their events record."""
    parts: list[str] = []
    if d.get("direct"):
        parts.append("本单位直接收到（《信访工作条例》第二十三条第一款）")
    if d.get("skipped_levels"):
        parts.append(
            "越级走访"
            + (f"，有权处理的机关：{d['competent_unit_name']}" if d.get("competent_unit_name") else "")
        )
    if d.get("organ") and ev.event_type == "direct_redirect":
        parts.append(f"告知向{d['organ']}提出")
    if d.get("notice_method") in DeliveryMethod.values and ev.event_type.startswith("direct_"):
        parts.append(f"告知方式：{DeliveryMethod(d['notice_method']).label}")
    if d.get("kind_label") and d.get("organ_name"):
        parts.append(f"{d['kind_label']}：{d['organ_name']}")
    if d.get("outcome_label"):
        parts.append(f"结果：{d['outcome_label']}")
    if ev.event_type == "followup_planned" and d.get("due_on"):
        parts.append(f"计划跟进日期：{d['due_on']}")
    if ev.event_type.startswith("suggestion_"):
        if d.get("to_unit_name"):
            parts.append(f"{d.get('kind_label', '')}：{d['to_unit_name']}，书面反馈期限{d.get('due_on', '')}")
        if d.get("adoption_label"):
            parts.append(f"采纳情况：{d['adoption_label']}")
    return parts


def timeline(case: Case) -> list[dict[str, Any]]:
    events = case.events.select_related("actor", "actor_unit").order_by("created_at", "id")
    return [
        {
            "event": ev,
            "label": registry.event_label(ev.event_type),
            "summary": event_summary(ev),
            "css": "ev-clock-red"
            if ev.event_type == "clock_red"
            else ("ev-clock" if ev.event_type.startswith("clock_") else ""),
        }
        for ev in events
    ]


def case_context(request: HttpRequest, case: Case) -> dict[str, Any]:
    """Everything the case page shows (also used under an action form that failed)."""
    today = timeutil.today()
    clocks = [clock_view(c, today) for c in Clock.objects.filter(case=case).select_related("unit")]
    actions = allowed_actions(case, request.user)  # type: ignore[arg-type]
    return {
        **nav_context(request),
        "case": case,
        "live_clocks": [c for c in clocks if c.colour != "done"],
        "past_clocks": [c for c in clocks if c.colour == "done"],
        # 诉访分离 (条例 §28¶2): why the petition clocks stopped, when they were handed over
        "clocks_stop_reason": next((c.clock.stop_reason for c in clocks if c.clock.stop_reason), ""),
        "events": timeline(case),
        "opinions": list(case.opinions.select_related("issued_unit", "issued_by")),
        "attachments": list(case.attachments.all()),
        "merged_cases": list(
            selectors.visible_to(request.user).filter(merged_into=case).only("code", "title")  # type: ignore[arg-type]
        ),
        "actions": [{"name": str(a), "label": ACTION_LABELS[a]} for a in actions],
        "suggestion": suggest_unit(case) if Action.FORWARD in actions or Action.ACCEPT in actions else None,
        "can_forward": Action.FORWARD in actions,
        **_accused_context(case, actions),
        **case_extras(case),
        **_t10_context(request, case),
    }


def _t10_context(request: HttpRequest, case: Case) -> dict[str, Any]:
    """RG-3, CF-3, HD-10 on the case page. A retaliation report (CF-3) is linked both ways only for
    those who may see the other case: the original's handling unit, if accused, never learns of it."""
    visible = selectors.visible_to(request.user)  # type: ignore[arg-type]
    original = case.retaliation_of
    return {
        "received_directly": case.office.kind != UnitKind.PETITION_OFFICE,
        "retaliation_original": original if original and visible.filter(pk=original.pk).exists() else None,
        "retaliation_reports": list(visible.filter(retaliation_of=case).only("code", "title")),
        "aftercare_count": case.assistance_referrals.count() + case.follow_ups.count(),
    }


def _accused_context(case: Case, actions: list[Action]) -> dict[str, Any]:
    """An accusation the office has not yet tied to a unit: say so, with the assist's reading of the
    text (ADR 0005: it cannot leave the office until the accused unit is set)."""
    unknown = accused_unknown(case)
    can_set = Action.SET_ACCUSED in actions
    return {
        "accused_unknown": unknown,
        "can_set_accused": can_set,
        "accused_hints": accused_unit_hints(case) if unknown and can_set else [],
    }


@login_required
@require_GET
def case_detail(request: HttpRequest, code: str) -> HttpResponse:
    case = case_or_404(request, code)
    # masked: only the explicit "show full identity" (case_parties ?full=1) is a reveal and audited
    parties = selectors.case_parties_masked(request.user, case)  # type: ignore[arg-type]
    context = {
        **case_context(request, case),
        "parties": parties,
        "full_identity": False,
        "identity_withheld": not may_see_identity(request.user, case),  # type: ignore[arg-type]
        "may_verify_contact": may_verify_contact(request.user, case),  # type: ignore[arg-type]
        "module_links": registry.case_links(case, request.user),
    }
    return render(request, "cases/detail.html", context)


@login_required
@require_GET
def case_parties(request: HttpRequest, code: str) -> HttpResponse:
    """htmx: the petitioners with full identity (each look is audited by the selector)."""
    case = case_or_404(request, code)
    full = request.GET.get("full") == "1"
    if full:
        parties = selectors.case_parties_with_audit(request.user, case, ip=net.audit_ip(request))  # type: ignore[arg-type]
    else:
        parties = selectors.case_parties_masked(request.user, case)  # type: ignore[arg-type]
    context = {
        "case": case,
        "parties": parties,
        "full_identity": full,
        "identity_withheld": not may_see_identity(request.user, case),  # type: ignore[arg-type]
        "may_verify_contact": may_verify_contact(request.user, case),  # type: ignore[arg-type]
    }
    return render(request, "cases/_parties.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def case_party_contact(request: HttpRequest, code: str, party: int) -> HttpResponse:
    """htmx: confirm (GET) and record (POST) that a party's new contact is the person's (audited).

    A submission never changes a stored contact (issue 9, hole 1); this is how staff who checked
    the person (ID card at the window, or a call to the phone on record) make it the person's."""
    case = case_or_404(request, code)
    row = case.parties.select_related("petitioner").filter(pk=party).first()
    if row is None:
        raise Http404("没有这名信访人")
    user = request.user
    allowed = may_verify_contact(user, case)  # type: ignore[arg-type]
    if request.method == "POST" and not allowed:
        return render(request, "403.html", {**nav_context(request), "message": MSG_NOT_VERIFIER}, status=403)
    if request.method == "POST":
        try:
            party_contact_verify(party=row, actor=user, via="staff", ip=net.audit_ip(request))  # type: ignore[arg-type]
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"已核实并更新{row.petitioner.name}的联系方式")
        return redirect("case_detail", code=case.code)
    parties = selectors.case_parties_masked(user, case)  # type: ignore[arg-type]
    context = {
        "case": case,
        "parties": parties,
        "full_identity": False,
        "verify": row if allowed else None,
        "verify_refused": "" if allowed else MSG_NOT_VERIFIER,
        "may_verify_contact": allowed,
    }
    return render(request, "cases/_parties.html", context)


def _receipt_texts(case: Case) -> dict[str, Any]:
    """The figures a receipt promises, from the case's own rule profile (浙江: 5个工作日 to route)."""
    return {"rules": {key.value: rule for key, rule in rules_for_case(case).items()}}


def may_reissue_secret(user: Any, case: Case) -> bool:
    """Only the registering office's desks reissue a 查询码 (a new one voids the petitioner's old one)."""
    return roles.has(user, roles.REGISTER) and user.unit_id == case.office_id


@login_required
@require_http_methods(["GET", "POST"])
def case_receipt(request: HttpRequest, code: str) -> HttpResponse:
    """受理凭证: the printable receipt with the case code and the 查询码 (shown once, after registration;
    POST reissues it for a petitioner who lost it, voiding the old one)."""
    case = case_or_404(request, code)
    user = request.user
    secret = None
    if request.method == "POST":
        if not may_reissue_secret(user, case):
            return render(
                request, "403.html", {**nav_context(request), "message": MSG_NOT_REISSUER}, status=403
            )
        secret = tracking_secret_issue(case=case)
        AuditEntry.objects.create(
            kind=AuditEntry.Kind.DOCUMENT,
            actor=user,  # type: ignore[misc]  # login_required: a staff account
            case=case,
            ip_address=net.audit_ip(request),
            detail={"document": "receipt", "tracking_secret": "reissued"},
        )
    else:
        held = request.session.get(SESSION_RECEIPT_SECRET) or {}
        if held.get("code") == case.code:
            secret = held.get("secret")
            del request.session[SESSION_RECEIPT_SECRET]  # shown once: the session forgets it now
    parties = selectors.case_parties_masked(user, case)  # type: ignore[arg-type]  # names only
    context = {
        **nav_context(request),
        **_receipt_texts(case),
        "case": case,
        "parties": parties,
        "secret": secret,
        "may_reissue": may_reissue_secret(user, case),
    }
    return render(request, "cases/receipt.html", context)


@login_required
@require_GET
def attachment_download(request: HttpRequest, code: str, pk: int) -> HttpResponse | FileResponse:
    case = case_or_404(request, code)
    attachment = case.attachments.filter(pk=pk).first()
    if attachment is None:
        raise Http404("没有这个附件")
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, IsADirectoryError):
        # a lost file (a restore without media, a disk fault) is a clear 404, not a 500
        logger.error("attachment %s of case %s is missing on disk", attachment.pk, case.code)
        return render(
            request, "404.html", {**nav_context(request), "message": MSG_ATTACHMENT_MISSING}, status=404
        )
    response = FileResponse(
        handle, as_attachment=True, filename=attachment.original_name, content_type=attachment.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"  # never rendered inline, never sniffed (issue 9, hole 10)
    return response


# --- opinions ---------------------------------------------------------------------------------


def opinion_or_404(request: HttpRequest, code: str, pk: int) -> Opinion:
    case = case_or_404(request, code)
    opinion = case.opinions.select_related("issued_unit", "issued_by").filter(pk=pk).first()
    if opinion is None:
        raise Http404("没有这份意见书")
    opinion.case = case
    return opinion


def _audit_document(request: HttpRequest, opinion: Opinion, fmt: str) -> None:
    AuditEntry.objects.create(  # type: ignore[misc]  # signed-in staff only (the view's decorator)
        kind=AuditEntry.Kind.DOCUMENT,
        actor=request.user,
        case=opinion.case,
        ip_address=net.audit_ip(request),
        detail={"opinion": opinion.pk, "stage": opinion.stage, "format": fmt},
    )


@login_required
@require_GET
def opinion_docx(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    """The 意见书 as a .docx file (every download is written to the audit log)."""
    opinion = opinion_or_404(request, code, pk)
    content = documents.opinion_docx(opinion)
    _audit_document(request, opinion, "docx")
    response = HttpResponse(content, content_type=documents.DOCX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=documents.opinion_filename(opinion)
    )
    return response


@login_required
@require_GET
def opinion_print(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    """The 意见书 as a print view (HTML with print CSS)."""
    opinion = opinion_or_404(request, code, pk)
    _audit_document(request, opinion, "print")
    context = {**nav_context(request), "opinion": opinion, "doc": documents.opinion_sections(opinion)}
    return render(request, "cases/opinion_print.html", context)


# --- search -----------------------------------------------------------------------------------


@login_required
@require_GET
def search(request: HttpRequest) -> HttpResponse:
    """搜索: by code, petitioner name / phone / ID number, or words of the title and content."""
    q = request.GET.get("q", "").strip()
    page = paginate(request, selectors.search_cases(request.user, q)) if q else None  # type: ignore[arg-type]
    if q:
        audit_identity_search(request, q, where="search_page")  # SPEC §1.3: who searched for whom
    context = {
        **nav_context(request, "search"),
        "q": q,
        "page": page,
        "rows": case_rows(page) if page else [],
        "base_query": urlencode({"q": q}),
    }
    return render(request, "cases/search.html", context)
