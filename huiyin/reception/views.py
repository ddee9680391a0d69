"""Screens of leader reception: the office's plan and agenda, the walk-in booking, and the portal's
public schedule and booking (seeds/002 党政领导信访接待日制度)."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from huiyin.cases.models import Case
from huiyin.cases.selectors import visible_to
from huiyin.core import timeutil
from huiyin.core.errors import ApplicationError, ValidationFailed
from huiyin.org.choices import Role, UnitKind
from huiyin.org.models import Territory, Unit, User
from huiyin.portal import services as portal_services
from huiyin.portal import throttle
from huiyin.reception import metrics, permissions, selectors, services
from huiyin.reception.choices import BookingStatus, Level, SessionStatus
from huiyin.reception.forms import AbsenceForm, BookingForm, GenerateForm, OutcomeForm, RuleForm, WalkInForm
from huiyin.reception.models import Booking, ReceptionLeader, ScheduleRule, Session
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
def home(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
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
    once = metrics.one_time_resolution(start=since, end=today, territory=territory) if territory else []
    return render(
        request,
        "reception/home.html",
        {
            "held": [{**r, "label": Level(r["level"]).label} for r in held],
            "once": [{**r, "label": Level(r["session__level"]).label} for r in once],
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
            "invited": session.invitations.select_related("user__unit"),
            "today": timeutil.today(),
            "rl": ReceptionLeader.objects.filter(user_id=session.leader_id).first(),
        },
    )


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
        ctx = _book_context(session, form, limited=f"操作过于频繁，请{limited.minutes}分钟后再试。")
        response = render(request, "reception/public_book.html", ctx, status=429)
        response["Retry-After"] = str(limited.retry_after)
        return response
    if form.data.get("website") or not form.is_valid():
        return render(request, "reception/public_book.html", _book_context(session, form), status=400)
    d = form.cleaned_data
    case = None
    if (d.get("case_code") or "").strip():
        # the same proof as tracking: the receipt's code and its secret or the phone's last four digits
        case = portal_services.tracking_verify(d["case_code"].strip().upper(), d["case_factor"])
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
