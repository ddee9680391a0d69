"""Screens of leader reception: the office's plan and agenda, the walk-in booking, and the portal's
public schedule and booking (seeds/002 党政领导信访接待日制度)."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from huiyin.cases.exports import format_export, list_export
from huiyin.cases.models import Case
from huiyin.cases.selectors import visible_to
from huiyin.core import timeutil
from huiyin.core.errors import ApplicationError, PermissionDenied, ValidationFailed
from huiyin.org.choices import Role, UnitKind
from huiyin.org.models import Territory, Unit, User
from huiyin.portal import services as portal_services
from huiyin.portal import throttle
from huiyin.reception import metrics, permissions, selectors, services
from huiyin.reception.choices import BookingStatus, Level, SessionStatus
from huiyin.reception.exports import REGISTER, SESSIONS, BadRegisterFilters, register_select
from huiyin.reception.forms import AbsenceForm, BookingForm, GenerateForm, OutcomeForm, RuleForm, WalkInForm
from huiyin.reception.models import Booking, Invitation, ReceptionLeader, ScheduleRule, Session
from huiyin.reception.rules import rule_for

SESSION_BOOKED = "reception_booked"


def _forbidden(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "403.html", {"message": message}, status=403)


def _territory(user: User) -> Territory | None:
    return user.unit.territory if user.unit_id else None  # type: ignore[union-attr]


def _booking_in(form: BookingForm, case: Case | None, urgent: bool = False) -> services.BookingIn:
    d = form.cleaned_data
    territory = Territory.objects.filter(pk=d["territory"]).first() if d.get("territory") else None
    return services.BookingIn(
        name=d["name"],
        phone=d["phone"],
        title=d["title"],
        content=d["content"],
        id_number=d.get("id_number") or "",
        petition_type=d["petition_type"],
        territory=territory,
        is_collective=bool(d.get("is_collective")),
        headcount=d.get("headcount") or 1,
        representatives=d.get("representatives") or 1,
        urgent=urgent,
        case=case,
    )


# --- staff ---------------------------------------------------------------------------------------


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    user: User = request.user  # type: ignore[assignment]
    exported = format_export(request, SESSIONS.kind)  # ?format=xlsx: the coming sessions listed below
    if exported is not None:
        return exported
    today = timeutil.today()
    qs = selectors.with_counts(selectors.sessions_for(user).filter(date__gte=today)).order_by(
        "date", "start_time"
    )
    mine = [s for s in qs if s.leader_id == user.pk][:20]
    territory = _territory(user)
    rules = [(lv, rule_for(territory, lv)) for lv in Level.values] if territory else []
    since = today - timedelta(days=180)
    held = (
        metrics.sessions_held_vs_scheduled(start=since, end=today, territory=territory) if territory else []
    )
    per_leader, per_level = _reception_figures(since, today, territory) if territory else ([], [])
    return render(
        request,
        "reception/home.html",
        {
            "held": [{**r, "label": Level(r["level"]).label} for r in held],
            "per_leader": per_leader,
            "per_level": per_level,
            "since": since,
            "nav": "reception",
            "upcoming": list(qs[:60]),
            "mine": mine,
            "rules": rules,
            "levels": dict(Level.choices),
            "may_manage": permissions.may(user, permissions.MANAGE),
            "may_book": permissions.may(user, permissions.BOOK),
            "today": today,
        },
    )


def _pct(num: int, den: int) -> str:
    return f"{100 * num / den:.1f}%" if den else "—"


def _reception_figures(
    start: date, end: date, territory: Territory
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Per leader and per level: visits, 一次办结率 and 化解率 — the registry's metrics broken down."""
    kw: dict[str, Any] = {"start": start, "end": end, "territory": territory}
    visits = {r["session__leader"]: r for r in metrics.visits_received(**kw)}
    once = {r["session__leader"]: r for r in metrics.one_time_resolution(**kw)}
    resolved = {r["session__leader"]: r for r in metrics.resolution(**kw)}
    per_leader = []
    for leader_id in sorted(
        set(visits) | set(once), key=lambda k: (visits.get(k) or once[k])["session__level"]
    ):
        base = visits.get(leader_id) or once[leader_id]
        o, r = once.get(leader_id, {}), resolved.get(leader_id, {})
        per_leader.append(
            {
                "name": base["session__leader__full_name"],
                "label": Level(base["session__level"]).label,
                "visits": visits.get(leader_id, {}).get("visits", 0),
                "decided": o.get("visits", 0),
                "once": o.get("once", 0),
                "once_rate": _pct(o.get("once", 0), o.get("visits", 0)),
                "resolve_rate": _pct(r.get("once", 0), r.get("visits", 0)),
            }
        )
    res_level = {r["session__level"]: r for r in metrics.resolution(**kw, by_level=True)}
    per_level = [
        {
            "label": Level(o["session__level"]).label,
            "decided": o["visits"],
            "once_rate": _pct(o["once"], o["visits"]),
            "resolve_rate": _pct(res_level.get(o["session__level"], {}).get("once", 0), o["visits"]),
        }
        for o in metrics.one_time_resolution(**kw, by_level=True)
    ]
    return per_leader, per_level


def _scoped_session(user: User, pk: Any) -> Session:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    session = (
        selectors.sessions_for(user).filter(pk=pk).select_related("leader", "office", "territory").first()
    )
    if session is None:
        raise Http404
    return session


def _units_for(session: Session) -> list[tuple[int, str]]:
    return list(
        Unit.objects.filter(is_active=True, territory__path__startswith=session.office.territory.path)
        .exclude(kind__in=[UnitKind.PETITION_OFFICE, UnitKind.JOINT_CONFERENCE])
        .values_list("pk", "name")
    )


@login_required
@require_GET
def agenda(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    if not request.GET.get("session"):
        today = timeutil.today()
        todays = selectors.with_counts(selectors.sessions_for(user).filter(date=today)).order_by("start_time")
        return render(
            request, "reception/agenda_pick.html", {"nav": "reception", "sessions": todays, "today": today}
        )
    session = _scoped_session(user, request.GET["session"])
    rows = selectors.agenda(session, user)
    may_record = permissions.may(user, permissions.RECORD) and (
        (user.role == Role.LEADER and user.pk == session.leader_id)
        or (user.role == Role.DISPATCHER and user.unit_id == session.office_id)
    )
    heads = User.objects.filter(
        role=Role.UNIT_HEAD, is_active=True, unit__territory__path__startswith=session.office.territory.path
    ).select_related("unit")
    return render(
        request,
        "reception/agenda.html",
        {
            "nav": "reception",
            "session": session,
            "rows": rows,
            "may_record": may_record,
            "outcome_form": OutcomeForm(units=_units_for(session)),
            "heads": heads,
            "invited": session.invitations.select_related("user__unit").order_by("invited_at", "id"),
            # the arranging office records whether each head came (seeds/002 rule 4)
            "may_attend": permissions.may(user, permissions.RECORD)
            and user.role != Role.LEADER
            and user.unit_id == session.office_id
            and session.status != SessionStatus.CANCELLED,
            "today": timeutil.today(),
            "rl": ReceptionLeader.objects.filter(user_id=session.leader_id).first(),
            "export_query": f"session={session.pk}",  # 接访登记 of this session (register_export)
        },
    )


@login_required
@require_GET
def register_export(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """接访登记 as .xlsx (issue 11 item 5; huiyin/reception/exports.py): the bookings of the user's
    sessions, one session (?session=, the agenda's link) or a span of days (?date_from=&date_to=), each
    read as the agenda reads it; identity masked unless ?identity=full (audited per booking). A long
    register is written by the worker with progress."""
    user: User = request.user  # type: ignore[assignment]
    try:
        register_select(user, request.GET)
    except BadRegisterFilters as exc:
        return render(request, "400.html", {"nav": "reception", "message": str(exc)}, status=400)
    if request.GET.get("session"):
        _scoped_session(user, request.GET["session"])  # a session not the user's: the agenda's 404
    return list_export(request, REGISTER.kind)


def _back(session: Session) -> HttpResponse:
    return redirect(f"{reverse('reception_agenda')}?session={session.pk}")


@login_required
@require_POST
def outcome(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    if not permissions.may(user, permissions.RECORD):
        return _forbidden(request, "您的岗位不能记录接待结果")
    booking = (
        Booking.objects.filter(code=str(request.POST.get("booking", ""))[:16])
        .select_related("session")
        .first()
    )
    if booking is None or not selectors.sessions_for(user).filter(pk=booking.session_id).exists():
        raise Http404
    if any(r.hidden for r in selectors.agenda(booking.session, user) if r.booking.pk == booking.pk):
        raise Http404  # a booking withheld from this reader (e.g. the accused side, 条例 §30¶3) is missing
    form = OutcomeForm(request.POST, units=_units_for(booking.session))
    if not form.is_valid():
        messages.error(request, "；".join(str(e) for errs in form.errors.values() for e in errs))
        return _back(booking.session)
    d = form.cleaned_data
    unit = Unit.objects.filter(pk=d["unit"]).first() if d.get("unit") else None
    try:
        services.visit_record(
            booking=booking,
            actor=user,
            outcome=d["outcome"],
            note=d["note"],
            unit=unit,
            deadline=d.get("deadline"),
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已记录接待结果")
    return _back(booking.session)


@login_required
@require_POST
def invite(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    if not permissions.may(user, permissions.RECORD):
        return _forbidden(request, "您的岗位不能邀请部门负责人")
    session = _scoped_session(user, request.POST.get("session"))
    raw = str(request.POST.get("user", ""))
    head = User.objects.filter(pk=int(raw)).first() if raw.isdigit() else None
    if head is None:
        messages.error(request, "请选择部门负责人")
        return _back(session)
    try:
        services.invitation_create(session=session, user=head, actor=user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已通知{head.display_name}参加现场办公")
    return _back(session)


@login_required
@require_POST
def attendance(request: HttpRequest) -> HttpResponse:
    """The arranging office records whether an invited head came (seeds/002 rule 4)."""
    user: User = request.user  # type: ignore[assignment]
    if not permissions.may(user, permissions.RECORD):
        return _forbidden(request, "您的岗位不能记录到场情况")
    raw = str(request.POST.get("invitation", ""))
    invitation = (
        Invitation.objects.filter(pk=int(raw)).select_related("session", "user").first()
        if raw.isdigit() and len(raw) < 12
        else None
    )
    if invitation is None or not selectors.sessions_for(user).filter(pk=invitation.session_id).exists():
        raise Http404
    value = request.POST.get("attended")
    if value not in ("1", "0"):
        messages.error(request, "请选择到场或未到场")
        return _back(invitation.session)
    try:
        services.invitation_attendance(invitation=invitation, attended=value == "1", actor=user)
    except ApplicationError as exc:
        if isinstance(exc, PermissionDenied):
            return _forbidden(request, exc.message)
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已记录{invitation.user.display_name}的到场情况")
    return _back(invitation.session)


def _walk_in_sessions(user: User) -> list[tuple[int, str]]:
    qs = selectors.with_counts(
        selectors.sessions_for(user).filter(status=SessionStatus.SCHEDULED, date__gte=timeutil.today())
    ).order_by("date", "start_time")[:80]
    return [
        (
            s.pk,
            f"{s.date:%m月%d日} {s.leader}（{s.get_level_display()}）余{max(0, s.capacity - getattr(s, 'booked', 0))}",
        )
        for s in qs
    ]


@login_required
@require_http_methods(["GET", "POST"])
def walk_in(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    if not permissions.may(user, permissions.BOOK):
        return _forbidden(request, "只有信访部门可以代为预约领导接待")
    choices = _walk_in_sessions(user)
    initial = {"idempotency_key": uuid.uuid4().hex, "session": request.GET.get("session")}
    form = WalkInForm(request.POST or None, sessions=choices, initial=initial)
    context: dict[str, Any] = {"nav": "reception", "form": form}
    if request.method == "GET":
        return render(request, "reception/walk_in.html", context)
    if not form.is_valid():
        return render(request, "reception/walk_in.html", context, status=400)
    d = form.cleaned_data
    session = _scoped_session(user, d["session"])
    case = None
    if (d.get("case_code") or "").strip():
        case = visible_to(user).filter(code=d["case_code"].strip().upper()).first()
        if case is None:
            form.add_error("case_code", "未找到该事项，或您无权查看")
            return render(request, "reception/walk_in.html", context, status=400)
    try:
        booking = services.booking_create(
            session=session, data=_booking_in(form, case, urgent=bool(d.get("urgent"))), actor=user,
            idempotency_key=d["idempotency_key"],
        )  # fmt: skip
    except services.BookingRefused as exc:
        context["refusal"] = exc.refusal
        return render(request, "reception/walk_in.html", context, status=400)
    except ApplicationError as exc:
        form.add_error(None, exc.message)
        return render(request, "reception/walk_in.html", context, status=400)
    messages.success(request, f"已预约，预约号{booking.code}")
    return _back(session)


@login_required
@require_http_methods(["GET", "POST"])
def plan(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    territory = _territory(user)
    roster = list(
        ReceptionLeader.objects.filter(user__unit__territory__path__startswith=territory.path).select_related("user__unit", "deputy")
    ) if territory else []  # fmt: skip
    leaders = [(r.user_id, f"{r.user}（{r.title}）") for r in roster]
    rule_form, gen_form, abs_form = RuleForm(), GenerateForm(), AbsenceForm(leaders=leaders)
    if request.method == "POST":
        if not permissions.may(user, permissions.MANAGE) or territory is None:
            return _forbidden(request, "您的岗位不能安排领导接待日")
        what = request.POST.get("what")
        try:
            if what == "rule":
                rule_form = RuleForm(request.POST)
                if rule_form.is_valid():
                    d = rule_form.cleaned_data
                    ScheduleRule.objects.update_or_create(
                        territory=territory, level=d["level"],
                        defaults={k: d[k] for k in ("frequency", "weekday", "start_time", "end_time", "place", "slots")},
                    )  # fmt: skip
                    messages.success(request, "已保存本辖区的接待日规则")
                    return redirect("reception_plan")
            elif what == "generate":
                gen_form = GenerateForm(request.POST)
                if gen_form.is_valid():
                    made = services.sessions_generate(
                        territory=territory,
                        start=gen_form.cleaned_data["start"],
                        end=gen_form.cleaned_data["end"],
                        actor=user,
                    )
                    messages.success(request, f"已生成{len(made)}个接待场次")
                    return redirect("reception_plan")
            elif what == "absence":
                abs_form = AbsenceForm(request.POST, leaders=leaders)
                if abs_form.is_valid():
                    d = abs_form.cleaned_data
                    _absence, moved = services.absence_record(
                        leader=User.objects.get(pk=d["leader"]), start=d["start"], end=d["end"], reason=d["reason"],
                        deputy=User.objects.filter(pk=d["deputy"]).first() if d.get("deputy") else None, actor=user,
                    )  # fmt: skip
                    messages.success(request, f"已登记外出，调整{len(moved)}个场次并通知已预约群众")
                    return redirect("reception_plan")
            elif what == "cancel":
                session = _scoped_session(user, request.POST.get("session"))
                services.session_cancel(session=session, actor=user, reason=request.POST.get("reason", ""))
                messages.success(request, "已取消该场次并通知已预约群众")
                return redirect("reception_plan")
            else:
                messages.error(request, "未知的操作")
        except ApplicationError as exc:
            messages.error(request, exc.message)
    rules = [(lv, label, rule_for(territory, lv)) for lv, label in Level.choices] if territory else []
    return render(
        request,
        "reception/plan.html",
        {
            "nav": "reception",
            "rules": rules,
            "roster": roster,
            "rule_form": rule_form,
            "gen_form": gen_form,
            "abs_form": abs_form,
            "may_manage": permissions.may(user, permissions.MANAGE),
        },
        status=400 if request.method == "POST" else 200,
    )


# --- portal --------------------------------------------------------------------------------------


@require_GET
def public_schedule(request: HttpRequest) -> HttpResponse:
    level = request.GET.get("level", "")
    level = level if level in Level.values else ""
    sessions = selectors.public_sessions(level=level)
    return render(
        request,
        "reception/public_schedule.html",
        {
            "nav": "reception",
            "sessions": sessions,
            "levels": Level.choices,
            "level": level,
            "today": timeutil.today(),
        },
    )


def _book_context(session: Session, form: BookingForm, **extra: Any) -> dict[str, Any]:
    rl = ReceptionLeader.objects.filter(user_id=session.leader_id).first()
    left = session.capacity - session.bookings.filter(status=BookingStatus.BOOKED).count()
    return {"nav": "reception", "session": session, "rl": rl, "form": form, "left": max(0, left), **extra}


def _too_often(
    request: HttpRequest, session: Any, form: BookingForm, limited: throttle.Limited
) -> HttpResponse:
    ctx = _book_context(session, form, limited=f"操作过于频繁，请{limited.minutes}分钟后再试。")
    response = render(request, "reception/public_book.html", ctx, status=429)
    response["Retry-After"] = str(limited.retry_after)
    return response


@require_http_methods(["GET", "POST"])
def public_book(request: HttpRequest) -> HttpResponse:
    session = selectors.bookable_session(request.GET.get("session") or request.POST.get("session"))
    if session is None:
        return redirect("portal_reception")
    if request.method == "GET":
        form = BookingForm(initial={"idempotency_key": uuid.uuid4().hex})
        return render(request, "reception/public_book.html", _book_context(session, form))
    form = BookingForm(request.POST)
    limited = throttle.hit("submit_ip", throttle.client_ip(request))
    if limited:
        return _too_often(request, session, form, limited)
    if form.data.get("website") or not form.is_valid():
        return render(request, "reception/public_book.html", _book_context(session, form), status=400)
    d = form.cleaned_data
    code = (d.get("case_code") or "").strip().upper()
    # the same limits as tracking and submitting: a case code's secret (or its phone's last four digits)
    # cannot be guessed here from many addresses, nor one phone book session after session
    limited = (throttle.hit("track_code", code) if code else None) or throttle.hit("submit_phone", d["phone"])
    if limited:
        return _too_often(request, session, form, limited)
    case = None
    if code:
        # the same proof as tracking: the receipt's code and its secret or the phone's last four digits
        case = portal_services.tracking_verify(code, d["case_factor"])
        if case is None:
            form.add_error("case_code", "编号或查询码不正确，请核对回执后重试。")
            return render(request, "reception/public_book.html", _book_context(session, form), status=400)
    try:
        booking = services.booking_create(
            session=session, data=_booking_in(form, case), actor=None, idempotency_key=d["idempotency_key"]
        )
    except services.BookingRefused as exc:
        return render(
            request, "reception/public_book.html", _book_context(session, form, refusal=exc.refusal)
        )
    except ApplicationError as exc:
        form.add_error(None, exc.message)
        return render(request, "reception/public_book.html", _book_context(session, form), status=400)
    request.session[SESSION_BOOKED] = booking.code
    return redirect("portal_reception_booked")


@require_GET
def public_booked(request: HttpRequest) -> HttpResponse:
    code = request.session.get(SESSION_BOOKED)
    booking = Booking.objects.filter(code=code).select_related("session__leader").first() if code else None
    if booking is None:
        return redirect("portal_reception")
    rl = ReceptionLeader.objects.filter(user_id=booking.session.leader_id).first()
    return render(request, "reception/public_booked.html", {"nav": "reception", "booking": booking, "rl": rl})


# --- 领导批示 on a case --------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def case_instructions(request: HttpRequest, code: str) -> HttpResponse:
    """A case's 领导批示: a leader writes one; the unit it names reports how it was carried out."""
    from huiyin.cases.web import case_or_404
    from huiyin.reception import instructions as ins
    from huiyin.reception.models import Instruction

    user: User = request.user  # type: ignore[assignment]
    case = case_or_404(request, code)
    status = 200
    if request.method == "POST":
        try:
            if request.POST.get("op") == "answer":
                raw = str(request.POST.get("instruction", ""))
                found = Instruction.objects.filter(pk=int(raw), case=case).first() if raw.isdigit() else None
                if found is None:
                    raise Http404
                ins.instruction_answer(instruction=found, actor=user, answer=request.POST.get("answer", ""))
                messages.success(request, "已报告落实情况")
            else:
                raw_unit = str(request.POST.get("unit", ""))
                unit = (
                    Unit.objects.filter(pk=int(raw_unit), is_active=True).first()
                    if raw_unit.isdigit()
                    else None
                )
                try:
                    deadline = date.fromisoformat(str(request.POST.get("deadline", "")))
                except ValueError:
                    deadline = None
                if unit is None or deadline is None:
                    raise ValidationFailed("请选择办理单位和期限")
                ins.instruction_issue(
                    case=case, actor=user, text=request.POST.get("text", ""), deadline=deadline, unit=unit
                )
                messages.success(request, "已作出批示并通知办理单位")
            return redirect("case_instructions", code=case.code)
        except ApplicationError as exc:
            messages.error(request, exc.message)
            status = exc.status_code
    today = timeutil.today()
    rows = [
        (i, i.state(today))
        for i in Instruction.objects.filter(case=case).select_related("leader", "unit", "answered_by")
    ]
    units = Unit.objects.filter(is_active=True).exclude(
        kind__in=[UnitKind.PETITION_OFFICE, UnitKind.JOINT_CONFERENCE]
    )
    if case.office.territory_id:
        units = units.filter(territory__path__startswith=case.office.territory.path)
    return render(
        request,
        "reception/case_instructions.html",
        {
            "case": case,
            "rows": rows,
            "is_leader": user.role == Role.LEADER,
            "units": units,
            "my_unit": user.unit_id,
        },
        status=status,
    )


# --- 一站式接待: the joint reception hall --------------------------------------------------------


def _hall_office(user: User) -> Unit | None:
    """The hall a clerk or dispatcher works in: their own petition office."""
    unit = user.unit
    return unit if unit is not None and unit.kind == UnitKind.PETITION_OFFICE else None


@login_required
@require_http_methods(["GET", "POST"])
def hall(request: HttpRequest) -> HttpResponse:
    """The hall: the windows staffed today and the clerk's referral form (the hall's staff); the queue
    of walk-ins sent to the window of the officer's own department (the window's officer)."""
    from huiyin.reception import hall as svc
    from huiyin.reception.forms import ReferralForm, WindowForm
    from huiyin.reception.models import HallReferral, HallWindow

    user: User = request.user  # type: ignore[assignment]
    today = timeutil.today()
    office = _hall_office(user)
    sends = office is not None and permissions.may(user, permissions.SEND)
    manages = office is not None and permissions.may(user, permissions.MANAGE)
    at_window = permissions.may(user, permissions.WINDOW)
    open_windows = svc.windows_open(office, today) if office is not None else []
    choices = [
        (w.pk, f"{w.number}号窗口 {w.unit.name}（{w.matters or '本部门职责内事项'}）") for w in open_windows
    ]
    form = ReferralForm(windows=choices, initial={"idempotency_key": uuid.uuid4().hex})
    dept_units = (
        list(
            Unit.objects.filter(is_active=True, territory__path__startswith=office.territory.path)
            .exclude(kind__in=[UnitKind.PETITION_OFFICE, UnitKind.JOINT_CONFERENCE])
            .values_list("pk", "name")
        )
        if office is not None
        else []
    )
    window_form = WindowForm(units=dept_units)
    status = 200
    if request.method == "POST":
        op = request.POST.get("op")
        try:
            if op == "send":
                if not sends:
                    return _forbidden(request, "由信访大厅的接待人员分流来访群众")
                form = ReferralForm(request.POST, windows=choices)
                if form.is_valid():
                    d = form.cleaned_data
                    case = None
                    if (d.get("case_code") or "").strip():
                        case = visible_to(user).filter(code=d["case_code"].strip().upper()).first()
                        if case is None:
                            raise ValidationFailed("未找到该事项，或您无权查看")
                    window = HallWindow.objects.get(pk=d["window"], office=office)
                    referral = svc.referral_send(
                        window=window,
                        data=svc.ReferralIn(
                            name=d["name"], phone=d["phone"], title=d["title"], content=d["content"],
                            id_number=d.get("id_number") or "", petition_type=d["petition_type"], case=case,
                        ),
                        actor=user,
                        idempotency_key=d["idempotency_key"],
                    )  # fmt: skip
                    messages.success(
                        request, f"已分流至{window.number}号窗口（{window.unit.name}），分流号{referral.code}"
                    )
                    return redirect("reception_hall")
                status = 400
            elif op in ("take", "return"):
                if not at_window:
                    return _forbidden(request, "由入驻该窗口的部门工作人员办理")
                found = HallReferral.objects.filter(
                    code=str(request.POST.get("referral", ""))[:16], window__unit_id=user.unit_id or 0
                ).first()
                if found is None:
                    raise Http404
                if op == "take":
                    case = svc.referral_take(
                        referral=found, actor=user, guidance=request.POST.get("guidance", "")
                    )
                    messages.success(request, f"已登记为{case.code}，由本部门办理")
                else:
                    svc.referral_return(referral=found, actor=user, note=request.POST.get("note", ""))
                    messages.success(request, "已退回大厅分流")
                return redirect("reception_hall")
            elif op == "window":
                if not manages:
                    return _forbidden(request, "您的岗位不能设置信访大厅窗口")
                window_form = WindowForm(request.POST, units=dept_units)
                if window_form.is_valid():
                    d = window_form.cleaned_data
                    assert office is not None
                    svc.window_save(
                        office=office, unit=Unit.objects.get(pk=d["unit"]), number=d["number"],
                        weekdays="".join(str(x) for x in d["weekdays"]), matters=d["matters"], actor=user,
                    )  # fmt: skip
                    messages.success(request, "已保存窗口")
                    return redirect("reception_hall")
                status = 400
            else:
                messages.error(request, "未知的操作")
                status = 400
        except ApplicationError as exc:
            messages.error(request, exc.message)
            status = exc.status_code
    windows = (
        list(HallWindow.objects.filter(office=office).select_related("unit")) if office is not None else []
    )
    return render(
        request,
        "reception/hall.html",
        {
            "nav": "reception_hall",
            "office": office,
            "windows": windows,
            "open_windows": open_windows,
            "form": form,
            "window_form": window_form,
            "sends": sends,
            "manages": manages,
            "at_window": at_window,
            "referrals": svc.referrals_for(user),
            "today": today,
        },
        status=status,
    )


# --- 下访 and 约访 ------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def visits(request: HttpRequest) -> HttpResponse:
    """A leader's 下访 and 约访: schedule one, invite named petitioners; outcomes at the agenda."""
    from huiyin.reception.choices import SessionKind
    from huiyin.reception.forms import InviteForm, VisitForm

    user: User = request.user  # type: ignore[assignment]
    territory = _territory(user)
    may_arrange = permissions.may(user, permissions.VISIT) and territory is not None
    if user.role == Role.LEADER:
        roster = list(ReceptionLeader.objects.filter(user=user, is_active=True).select_related("user"))
    elif territory is not None:
        roster = list(
            ReceptionLeader.objects.filter(
                is_active=True, user__unit__territory__path__startswith=territory.path
            ).select_related("user")
        )
    else:
        roster = []
    leaders = [(r.user_id, f"{r.user}（{r.title}）") for r in roster]
    places = (
        list(
            Territory.objects.filter(path__startswith=territory.path, level__gte=3)
            .order_by("path")
            .values_list("pk", "name")[:500]
        )
        if territory is not None
        else []
    )
    form = VisitForm(leaders=leaders, territories=places)
    status = 200
    if request.method == "POST":
        if not may_arrange:
            return _forbidden(request, "您的岗位不能安排领导约访、下访")
        try:
            if request.POST.get("op") == "invite":
                invite_form = InviteForm(request.POST)
                if not invite_form.is_valid():
                    raise ValidationFailed("请填写被约请人的姓名、电话和事项")
                d = invite_form.cleaned_data
                session = _scoped_session(user, d["session"])
                case = None
                if (d.get("case_code") or "").strip():
                    case = visible_to(user).filter(code=d["case_code"].strip().upper()).first()
                    if case is None:
                        raise ValidationFailed("未找到该事项，或您无权查看")
                services.booking_create(
                    session=session,
                    data=services.BookingIn(
                        name=d["name"], phone=d["phone"], title=d["title"], content=d["content"], case=case
                    ),
                    actor=user,
                )
                messages.success(request, f"已约请{d['name']}并短信告知")
                return redirect("reception_visits")
            form = VisitForm(request.POST, leaders=leaders, territories=places)
            if form.is_valid():
                d = form.cleaned_data
                session = services.visit_schedule(
                    leader=User.objects.get(pk=d["leader"]),
                    data=services.VisitIn(
                        kind=d["kind"], territory=Territory.objects.get(pk=d["territory"]), day=d["day"],
                        start_time=d["start_time"], end_time=d["end_time"], place=d["place"], purpose=d["purpose"],
                    ),
                    actor=user,
                )  # fmt: skip
                messages.success(request, f"已安排{session.get_kind_display()}")
                return redirect("reception_visits")
            status = 400
        except ApplicationError as exc:
            messages.error(request, exc.message)
            status = exc.status_code
    upcoming = list(
        selectors.with_counts(
            selectors.sessions_for(user).exclude(kind=SessionKind.DAY).filter(date__gte=timeutil.today() - timedelta(days=30))
        ).order_by("date", "start_time")[:60]
    )  # fmt: skip
    return render(
        request,
        "reception/visits.html",
        {
            "nav": "reception",
            "form": form,
            "invite_form": InviteForm(),
            "visits": upcoming,
            "may_arrange": may_arrange,
            "today": timeutil.today(),
        },
        status=status,
    )
