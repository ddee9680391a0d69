"""Outreach pages: the liaison map, 民情日记 (phone-sized), coverage, commitments (staff), and the public
commitment pages of the portal (anonymised: units and promises only, never the people met or raters)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from huiyin.cases.forms import flag_invalid
from huiyin.core import timeutil
from huiyin.core.errors import ApplicationError
from huiyin.core.parsing import parse_id
from huiyin.org.choices import TerritoryLevel
from huiyin.org.models import Territory, Unit, User
from huiyin.org.views import nav_context
from huiyin.outreach import documents, metrics, selectors, services, transitions
from huiyin.outreach.choices import CommitmentStatus, NormPeriod, PairingKind
from huiyin.outreach.forms import (
    AnswerForm,
    CommentForm,
    CommitmentActForm,
    CommitmentForm,
    ConsultationForm,
    EntryForm,
    FollowUpForm,
    HearingForm,
    IssueCommitmentForm,
    MeetingForm,
    PairingForm,
    PointForm,
    ProblemCaseForm,
    ProposalForm,
    RatingForm,
    RespondForm,
    SelectionForm,
)
from huiyin.outreach.models import (
    Commitment,
    Consultation,
    ConsultationComment,
    MeetingIssue,
    Problem,
    ProjectProposal,
)

LIST_LIMIT = 200


def _apply_errors(form: Any, exc: ApplicationError) -> None:
    fields = (exc.extra or {}).get("fields", {})
    placed = False
    for name, message in fields.items():
        if name in form.fields:
            form.add_error(name, message)
            placed = True
    if not placed:
        form.add_error(None, exc.message)


def _villages(user: User) -> list[tuple[int, str]]:
    path = selectors._scope_path(user)
    if path is None:
        return []
    qs = Territory.objects.filter(path__startswith=path, level=TerritoryLevel.VILLAGE).select_related(
        "parent"
    )
    return [(t.pk, f"{t.parent.name if t.parent else ''}{t.name}") for t in qs]


# --- the liaison map -----------------------------------------------------------------------------


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """联系点: townships › villages › points with their pairings and when each was last visited."""
    user: Any = request.user
    today = timeutil.today()
    return render(
        request,
        "outreach/home.html",
        {
            **nav_context(request, "outreach"),
            "blocks": selectors.territory_view(user, today),
            "may_manage": user.role in services.MANAGE_PAIRINGS,
            "today": today,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def pairing_new(request: HttpRequest) -> HttpResponse:
    """New point and new pairing (部门联村联企、领导联点联项、干部联户联人)."""
    user: Any = request.user
    if user.role not in services.MANAGE_PAIRINGS:  # the page explains; a post is refused
        status = 403 if request.method == "POST" else 200
        return render(request, "403.html", {"message": "您的岗位不能维护联系结对"}, status=status)
    path = selectors._scope_path(user) or ""
    units = Unit.objects.filter(territory__path__startswith=path, is_active=True)
    cadres = User.objects.filter(unit__in=units, is_active=True).select_related("unit")
    points = selectors.points_visible_to(user).select_related("territory")
    point_form = PointForm(
        request.POST if request.POST.get("form") == "point" else None, villages=_villages(user)
    )
    pairing_form = PairingForm(
        request.POST if request.POST.get("form") == "pairing" else None,
        points=[(p.pk, f"{p.territory.name}·{p.name}") for p in points],
        units=[(u.pk, u.name) for u in units],
        cadres=[(c.pk, c.display_name) for c in cadres],
    )
    status = 200
    if request.method == "POST":
        try:
            if point_form.is_bound and point_form.is_valid():
                d = point_form.cleaned_data
                territory = Territory.objects.filter(pk=d["territory"], path__startswith=path).first()
                if territory is None:
                    raise services._fail("territory", "请选择本辖区的村（社区）")
                services.point_create(kind=d["kind"], name=d["name"], territory=territory, actor=user)
                messages.success(request, "已新增联系点。")
                return redirect("outreach_pairing_new")
            if pairing_form.is_bound and pairing_form.is_valid():
                d = pairing_form.cleaned_data
                services.pairing_create(
                    kind=d["kind"],
                    point=points.get(pk=d["point"]),
                    unit=units.get(pk=d["unit"]),
                    cadre=cadres.filter(pk=d["cadre"]).first() if d["cadre"] else None,
                    starts_on=d["starts_on"],
                    ends_on=d["ends_on"],
                    actor=user,
                )
                messages.success(request, "已建立联系结对。")
                return redirect("outreach_home")
        except ApplicationError as exc:
            _apply_errors(point_form if point_form.is_bound else pairing_form, exc)
        status = 400
    flag_invalid(point_form, pairing_form)
    return render(
        request,
        "outreach/pairing_new.html",
        {**nav_context(request, "outreach"), "point_form": point_form, "pairing_form": pairing_form},
        status=status,
    )


# --- 民情日记 ------------------------------------------------------------------------------------


@login_required
@require_GET
def diary(request: HttpRequest) -> HttpResponse:
    """One's diary, and (for the township and county) the diaries of the territory."""
    user: Any = request.user
    entries = (
        selectors.entries_visible_to(user)
        .select_related("author", "point__territory")
        .prefetch_related("problems")[:LIST_LIMIT]
    )
    return render(request, "outreach/diary.html", {**nav_context(request, "diary"), "entries": entries})


@login_required
@require_http_methods(["GET", "POST"])
def diary_new(request: HttpRequest) -> HttpResponse:
    """The visit form (phone-sized). The browser keeps a draft (static/outreach/diary.js) until the
    server confirms the save; a resend of the same draft is recognised by its client key."""
    user: Any = request.user
    pairings = list(selectors.pairings_of(user))
    choices = [(p.pk, f"{p.point.territory.name}·{p.point.name}（{p.get_kind_display()}）") for p in pairings]
    form = EntryForm(
        request.POST or None,
        request.FILES or None,
        pairings=choices,
        initial={"visited_on": timeutil.today()},
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            d = form.cleaned_data
            pairing = next(p for p in pairings if p.pk == d["pairing"])
            try:
                entry, _created = services.diary_entry_create(
                    data=services.EntryIn(
                        point=pairing.point,
                        pairing=pairing,
                        visited_on=d["visited_on"],
                        place=d["place"],
                        people_met=d["people_met"],
                        heard=d["heard"],
                        problems=form.problem_lines(),
                    ),
                    actor=user,
                    photos=request.FILES.getlist("photos"),
                    client_key=d["client_key"] or None,
                )
            except ApplicationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, "民情日记已保存。")
                # the entry's page tells the browser to drop its draft (diary.js): the server has it
                return redirect(reverse("outreach_entry", kwargs={"entry": entry.pk}) + "?saved=1")
    flag_invalid(form)
    return render(
        request,
        "outreach/diary_new.html",
        {**nav_context(request, "diary"), "form": form, "has_pairings": bool(pairings)},
        status=status,
    )


def _entry_or_404(user: User, entry: int) -> Any:
    found = (
        selectors.entries_visible_to(user)
        .select_related("author__unit", "point__territory", "pairing")
        .filter(pk=entry)
        .first()
    )
    if found is None:
        raise Http404("没有这篇民情日记")
    return found


@login_required
@require_GET
def entry_page(request: HttpRequest, entry: int) -> HttpResponse:
    user: Any = request.user
    found = _entry_or_404(user, entry)
    redacted = selectors.entry_redacted(user, found)
    problems = list(found.problems.select_related("case__office"))
    for p in problems:  # one form per problem, with ids of its own (labels stay unambiguous)
        p.case_form = ProblemCaseForm(auto_id=f"p{p.pk}_%s", initial={"title": p.text[:60]})
        p.answer_form = AnswerForm(auto_id=f"a{p.pk}_%s")
    return render(
        request,
        "outreach/entry.html",
        {
            **nav_context(request, "diary"),
            "entry": found,
            "redacted": redacted,
            "problems": problems,
            "followups": found.followups.select_related("author"),
            "photos": [] if redacted else found.photos.all(),
            "followup_form": FollowUpForm(),
            "may_register": user.role in services.roles.REGISTER,
        },
    )


def _problem_or_404(user: User, problem: int) -> Problem:
    found = Problem.objects.filter(pk=problem, entry__in=selectors.entries_visible_to(user)).first()
    if found is None:
        raise Http404("没有这个问题")
    return found


@login_required
@require_POST
def problem_case(request: HttpRequest, problem: int) -> HttpResponse:
    """One action: the problem becomes a case of channel 排查走访发现 at the township's office."""
    user: Any = request.user
    found = _problem_or_404(user, problem)
    form = ProblemCaseForm(request.POST)
    if not form.is_valid():
        first = next(iter(form.errors.values()))[0]
        messages.error(request, f"未能转为信访事项：{first}")
        return redirect("outreach_entry", entry=found.entry_id)
    d = form.cleaned_data
    try:
        case = services.problem_to_case(
            problem=found,
            data=services.CaseFromProblemIn(
                title=d["title"],
                request=d["request"],
                person_name=d["person_name"],
                phone=d["phone"],
                petition_type=d["petition_type"],
                accused_person=d["accused_person"],
                consent_given=d["consent_given"],
                consent_note=d["consent_note"],
            ),
            actor=user,
        )
    except ApplicationError as exc:
        messages.error(request, f"未能转为信访事项：{exc.message}")
    else:
        messages.success(request, f"已登记为信访事项 {case.code}，进入{case.office.name}待分办。")
    return redirect("outreach_entry", entry=found.entry_id)


@login_required
@require_POST
def problem_answer(request: HttpRequest, problem: int) -> HttpResponse:
    user: Any = request.user
    found = _problem_or_404(user, problem)
    try:
        services.problem_answer(problem=found, answer=request.POST.get("answer", ""), actor=user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已记录当场答复。")
    return redirect("outreach_entry", entry=found.entry_id)


@login_required
@require_POST
def problem_screening(request: HttpRequest, problem: int) -> HttpResponse:
    user: Any = request.user
    found = _problem_or_404(user, problem)
    try:
        services.problem_to_screening(problem=found, actor=user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已转入矛盾纠纷排查台账。")
    return redirect("outreach_entry", entry=found.entry_id)


@login_required
@require_POST
def followup(request: HttpRequest, entry: int) -> HttpResponse:
    user: Any = request.user
    found = _entry_or_404(user, entry)
    try:
        services.followup_add(entry=found, text=request.POST.get("text", ""), actor=user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已记录跟进情况。")
    return redirect("outreach_entry", entry=found.pk)


# --- coverage ------------------------------------------------------------------------------------


@login_required
@require_GET
def coverage(request: HttpRequest) -> HttpResponse:
    """Which paired points were not visited as often as their norm asks, in the month or quarter
    containing the chosen day, by township and by cadre."""
    user: Any = request.user
    try:
        on = date.fromisoformat(request.GET.get("on", "")) if request.GET.get("on") else timeutil.today()
    except ValueError:
        on = timeutil.today()
        messages.error(request, "日期格式不正确，已显示今天")
    rows = selectors.coverage(user, on)
    by_town, by_cadre = selectors.coverage_totals(rows)
    norms = [(PairingKind(k).label, *selectors.norm_for(k)) for k in PairingKind.values]
    return render(
        request,
        "outreach/coverage.html",
        {
            **nav_context(request, "coverage"),
            "on": on,
            "missed": [r for r in rows if not r.met],
            "rows": rows,
            "by_town": by_town,
            "by_cadre": by_cadre,
            "norms": [(label, NormPeriod(p).label, n) for label, p, n in norms],
        },
    )


# --- commitments (staff) -------------------------------------------------------------------------


@login_required
@require_GET
def commitments(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    today = timeutil.today()
    items = list(selectors.commitments_for_staff(user)[:LIST_LIMIT])
    for c in items:
        c.late = selectors.is_late(c, today)  # type: ignore[attr-defined]
    return render(
        request,
        "outreach/commitments.html",
        {
            **nav_context(request, "commitments"),
            "items": items,
            "may_publish": user.role in transitions.PUBLISH,
            "units": metrics.per_unit(today),
        },
    )


def _territories(user: User) -> list[tuple[int, str]]:
    if user.unit is None:
        return []
    path = user.unit.territory.path
    qs = Territory.objects.filter(path__startswith=path, level__lte=TerritoryLevel.VILLAGE)
    return [(t.pk, t.name) for t in qs]


@login_required
@require_http_methods(["GET", "POST"])
def commitment_new(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if user.role not in transitions.PUBLISH:  # the page explains; a post is refused
        status = 403 if request.method == "POST" else 200
        message = "只有单位负责人或领导可以发布公开承诺"
        return render(request, "403.html", {"message": message}, status=status)
    form = CommitmentForm(request.POST or None, territories=_territories(user))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            d = form.cleaned_data
            try:
                c = services.commitment_publish(
                    data=services.CommitmentIn(
                        title=d["title"],
                        beneficiaries=d["beneficiaries"],
                        measure=d["measure"],
                        due_on=d["due_on"],
                        territory=Territory.objects.get(pk=d["territory"]),
                    ),
                    actor=user,
                )
            except ApplicationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, "承诺已公开发布。")
                return redirect("outreach_commitment", commitment=c.pk)
    flag_invalid(form)
    return render(
        request,
        "outreach/commitment_new.html",
        {**nav_context(request, "commitments"), "form": form},
        status=status,
    )


def _staff_commitment(user: User, commitment: int) -> Commitment:
    found = selectors.commitments_for_staff(user).filter(pk=commitment).first()
    if found is None:
        raise Http404("没有这项承诺")
    return found


@login_required
@require_GET
def commitment_page(request: HttpRequest, commitment: int) -> HttpResponse:
    user: Any = request.user
    c = _staff_commitment(user, commitment)
    may = any(transitions.may_act(user, c, a) for a in transitions.MAY)
    return render(
        request,
        "outreach/commitment.html",
        {
            **nav_context(request, "commitments"),
            "c": c,
            "late": selectors.is_late(c, timeutil.today()),
            "updates": c.updates.select_related("actor"),
            "form": CommitmentActForm() if may and c.status == CommitmentStatus.ONGOING else None,
        },
    )


@login_required
@require_POST
def commitment_act(request: HttpRequest, commitment: int) -> HttpResponse:
    user: Any = request.user
    c = _staff_commitment(user, commitment)
    form = CommitmentActForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "未能更新：" + str(next(iter(form.errors.values()))[0]))
        return redirect("outreach_commitment", commitment=c.pk)
    d = form.cleaned_data
    try:
        services.commitment_act(
            commitment=c,
            action=d["action"],
            text=d["text"],
            progress=d["progress"],
            actor=user,
            evidence=d.get("evidence"),
        )
    except ApplicationError as exc:
        messages.error(request, "未能更新：" + exc.message)
    else:
        messages.success(request, "已公开更新进展。")
    return redirect("outreach_commitment", commitment=c.pk)


# --- the public portal ---------------------------------------------------------------------------


def _contact(request: HttpRequest) -> str:
    from huiyin.portal.views import SESSION_CONTACT

    contact = request.session.get(SESSION_CONTACT) or ""
    return contact if contact and "@" not in contact else ""  # a rating needs the phone sign-in


@require_GET
def public_list(request: HttpRequest) -> HttpResponse:
    """践诺公开: every promise of the territory with its status; late and broken ones stay listed."""
    today = timeutil.today()
    towns = Territory.objects.filter(level__in=(TerritoryLevel.COUNTY, TerritoryLevel.TOWNSHIP))
    wanted = parse_id(request.GET.get("territory", ""))
    territory = towns.filter(pk=wanted).first() if wanted else None
    items = list(selectors.public_commitments(territory)[:LIST_LIMIT])
    for c in items:
        c.late = selectors.is_late(c, today)  # type: ignore[attr-defined]
    n, d = metrics.commitment_fulfilment(today)
    sn, sd = metrics.commitment_satisfaction()
    return render(
        request,
        "outreach/public_list.html",
        {
            "nav": "commitments",
            "items": items,
            "towns": towns,
            "territory": territory,
            "fulfilment": (n, d),
            "satisfaction": (sn, sd),
            "units": metrics.per_unit(today),
        },
    )


def _public(commitment: int) -> Commitment:
    found = selectors.public_commitments().filter(pk=commitment).first()
    if found is None:
        raise Http404("没有这项承诺")
    return found


@require_GET
def public_page(request: HttpRequest, commitment: int) -> HttpResponse:
    c = _public(commitment)
    today = timeutil.today()
    contact = _contact(request)
    rated = bool(contact) and c.ratings.filter(voter_hash=services.voter_hash(contact)).exists()
    return _public_render(request, c, RatingForm(), contact, rated, today)


def _public_render(
    request: HttpRequest,
    c: Commitment,
    form: RatingForm,
    contact: str,
    rated: bool,
    today: date,
    status: int = 200,
) -> HttpResponse:
    ratings = c.ratings.all()
    return render(
        request,
        "outreach/public_page.html",
        {
            "nav": "commitments",
            "c": c,
            "late": selectors.is_late(c, today),
            "updates": c.updates.all(),  # the unit's words and evidence; never who rated
            "due": c.status != CommitmentStatus.ONGOING or c.due_on <= today,
            "signed_in": bool(contact),
            "rated": rated,
            "form": form,
            "n_ratings": ratings.count(),
            "n_happy": ratings.filter(Q(satisfaction="satisfied") | Q(satisfaction="basic")).count(),
            "n_kept": ratings.filter(fulfilment="yes").count(),
        },
        status=status,
    )


@require_POST
def public_rate(request: HttpRequest, commitment: int) -> HttpResponse:
    c = _public(commitment)
    today = timeutil.today()
    contact = _contact(request)
    form = RatingForm(request.POST)
    if not contact:
        messages.error(request, "请先用手机号码验证登录（我的事项）后再评价。")
        return redirect("portal_account")
    if not form.is_valid():
        return _public_render(request, c, form, contact, False, today, status=400)
    try:
        services.commitment_rate(
            commitment=c,
            contact=contact,
            fulfilment=form.cleaned_data["fulfilment"],
            satisfaction=form.cleaned_data["satisfaction"],
        )
    except ApplicationError as exc:
        form.add_error(None, exc.message)
        return _public_render(request, c, form, contact, True, today, status=400)
    messages.success(request, "感谢您的评价。")
    return redirect("portal_commitment", commitment=c.pk)


# --- 民情恳谈会 ----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def meetings(request: HttpRequest) -> HttpResponse:
    """The meetings of one's territory, and the form to record one."""
    user: Any = request.user
    form = MeetingForm(
        request.POST or None, territories=_territories(user), initial={"held_on": timeutil.today()}
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            d = form.cleaned_data
            territory = Territory.objects.get(pk=d["territory"])
            try:
                m = services.meeting_create(
                    data=services.MeetingIn(
                        kind=d["kind"],
                        title=d["title"],
                        held_on=d["held_on"],
                        place=d["place"],
                        territory=territory,
                        attendees=d["attendees"],
                        issues=form.issue_lines(),
                    ),
                    actor=user,
                )
            except ApplicationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, "已记录恳谈会。")
                return redirect("outreach_meeting", meeting=m.pk)
    flag_invalid(form)
    items = selectors.meetings_visible_to(user).select_related("territory", "unit")[:LIST_LIMIT]
    return render(
        request,
        "outreach/meetings.html",
        {**nav_context(request, "meetings"), "form": form, "items": items},
        status=status,
    )


def _meeting_or_404(user: User, meeting: int) -> Any:
    found = (
        selectors.meetings_visible_to(user)
        .select_related("territory", "unit", "convened_by")
        .filter(pk=meeting)
        .first()
    )
    if found is None:
        raise Http404("没有这次恳谈会")
    return found


@login_required
@require_GET
def meeting_page(request: HttpRequest, meeting: int) -> HttpResponse:
    user: Any = request.user
    m = _meeting_or_404(user, meeting)
    issues = list(m.issues.select_related("case", "commitment"))
    for i in issues:
        i.case_form = ProblemCaseForm(auto_id=f"c{i.pk}_%s", initial={"title": i.text[:60]})
        i.answer_form = AnswerForm(auto_id=f"a{i.pk}_%s")
        i.commitment_form = IssueCommitmentForm(auto_id=f"k{i.pk}_%s", initial={"title": i.text[:60]})
    return render(
        request,
        "outreach/meeting.html",
        {
            **nav_context(request, "meetings"),
            "m": m,
            "issues": issues,
            "may_register": user.role in services.roles.REGISTER,
            "may_publish": user.role in transitions.PUBLISH,
        },
    )


@login_required
@require_GET
def meeting_minutes(request: HttpRequest, meeting: int) -> HttpResponse:
    user: Any = request.user
    m = _meeting_or_404(user, meeting)
    response = HttpResponse(
        documents.minutes_docx(m),
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    response["Content-Disposition"] = content_disposition_header(True, documents.minutes_filename(m))
    return response


def _issue_or_404(user: User, issue: int) -> MeetingIssue:
    found = MeetingIssue.objects.filter(pk=issue, meeting__in=selectors.meetings_visible_to(user)).first()
    if found is None:
        raise Http404("没有这个问题")
    return found


@login_required
@require_POST
def issue_act(request: HttpRequest, issue: int, outcome: str) -> HttpResponse:
    """Answer an issue, register it as a case (with consent) or answer it with a public promise."""
    user: Any = request.user
    found = _issue_or_404(user, issue)
    try:
        if outcome == "answer":
            services.meeting_issue_answer(issue=found, answer=request.POST.get("answer", ""), actor=user)
            done = "已记录当场答复。"
        elif outcome == "case":
            form = ProblemCaseForm(request.POST)
            if not form.is_valid():
                raise services._fail("form", str(next(iter(form.errors.values()))[0]))
            d = form.cleaned_data
            case = services.meeting_issue_to_case(
                issue=found,
                data=services.CaseFromProblemIn(
                    title=d["title"],
                    request=d["request"],
                    person_name=d["person_name"],
                    phone=d["phone"],
                    petition_type=d["petition_type"],
                    accused_person=d["accused_person"],
                    consent_given=d["consent_given"],
                    consent_note=d["consent_note"],
                ),
                actor=user,
            )
            done = f"已登记为信访事项 {case.code}。"
        else:
            cform = IssueCommitmentForm(request.POST)
            if not cform.is_valid():
                raise services._fail("form", str(next(iter(cform.errors.values()))[0]))
            d = cform.cleaned_data
            meeting = found.meeting
            services.meeting_issue_to_commitment(
                issue=found,
                data=services.CommitmentIn(
                    title=d["title"],
                    beneficiaries=d["beneficiaries"],
                    measure=d["measure"],
                    due_on=d["due_on"],
                    territory=meeting.territory,
                ),
                actor=user,
            )
            done = "已作出公开承诺。"
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("outreach_meeting", meeting=found.meeting_id)


# --- 为民办实事 -------------------------------------------------------------------------------------


def _public_territories() -> list[tuple[int, str]]:
    qs = Territory.objects.filter(
        level__in=(TerritoryLevel.COUNTY, TerritoryLevel.TOWNSHIP, TerritoryLevel.VILLAGE)
    )
    return [(t.pk, t.name) for t in qs]


@require_http_methods(["GET", "POST"])
def public_projects(request: HttpRequest) -> HttpResponse:
    """为民办实事: the year's projects (budget, owner, status, ratings through their commitment page),
    the proposals with their decision and reason, and — signed in by phone — a proposal form."""
    contact = _contact(request)
    form = ProposalForm(request.POST or None, territories=_public_territories())
    status = 200
    if request.method == "POST":
        status = 400
        if not contact:
            messages.error(request, "请先用手机号码验证登录（我的事项）后再提议。")
            return redirect("portal_account")
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.proposal_submit(
                    contact=contact,
                    title=d["title"],
                    description=d["description"],
                    territory=Territory.objects.get(pk=d["territory"]),
                )
            except ApplicationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, "感谢您的提议，决定结果将在本页公开。")
                return redirect("portal_projects")
    flag_invalid(form)
    proposals = ProjectProposal.objects.select_related("territory", "commitment__unit")[:LIST_LIMIT]
    return render(
        request,
        "outreach/public_projects.html",
        {"nav": "projects", "form": form, "signed_in": bool(contact), "proposals": proposals},
        status=status,
    )


@login_required
@require_GET
def projects(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    path = selectors._scope_path(user)
    proposals = list(
        ProjectProposal.objects.filter(
            territory__path__startswith=path if path is not None else "-"
        ).select_related("territory", "commitment__unit")[:LIST_LIMIT]
    )
    may = user.role in services.SELECT_PROJECTS
    units = [
        (u.pk, u.name) for u in Unit.objects.filter(territory__path__startswith=path or "", is_active=True)
    ]
    for p in proposals:
        p.select_form = SelectionForm(  # type: ignore[attr-defined]
            auto_id=f"s{p.pk}_%s", units=units, initial={"year": timeutil.today().year}
        )
    return render(
        request,
        "outreach/projects.html",
        {**nav_context(request, "projects"), "proposals": proposals, "may": may},
    )


def _proposal_or_404(user: User, proposal: int) -> ProjectProposal:
    path = selectors._scope_path(user)
    found = ProjectProposal.objects.filter(
        pk=proposal, territory__path__startswith=path if path is not None else "-"
    ).first()
    if found is None:
        raise Http404("没有这项提议")
    return found


@login_required
@require_POST
def project_decide(request: HttpRequest, proposal: int, outcome: str) -> HttpResponse:
    user: Any = request.user
    found = _proposal_or_404(user, proposal)
    path = selectors._scope_path(user) or ""
    units = Unit.objects.filter(territory__path__startswith=path, is_active=True)
    try:
        if outcome == "decline":
            services.proposal_decline(proposal=found, reason=request.POST.get("reason", ""), actor=user)
            done = "已公开未列入的理由。"
        else:
            form = SelectionForm(request.POST, units=[(u.pk, u.name) for u in units])
            if not form.is_valid():
                raise services._fail("form", str(next(iter(form.errors.values()))[0]))
            d = form.cleaned_data
            services.proposal_select(
                proposal=found,
                data=services.SelectionIn(
                    owner=units.get(pk=d["owner"]),
                    year=d["year"],
                    budget=d["budget"],
                    measure=d["measure"],
                    due_on=d["due_on"],
                    beneficiaries=d["beneficiaries"],
                ),
                actor=user,
            )
            done = "已列入为民办实事项目并公开。"
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("outreach_projects")


# --- public consultation ---------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def consultations(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    form = ConsultationForm(request.POST or None, territories=_territories(user))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            d = form.cleaned_data
            try:
                c = services.consultation_publish(
                    title=d["title"],
                    draft=d["draft"],
                    territory=Territory.objects.get(pk=d["territory"]),
                    opens_on=d["opens_on"],
                    closes_on=d["closes_on"],
                    actor=user,
                )
            except ApplicationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, "草案已公开征求意见。")
                return redirect("outreach_consultation", consultation=c.pk)
    flag_invalid(form)
    path = selectors._scope_path(user)
    items = Consultation.objects.filter(territory__path__startswith=path if path is not None else "-")
    return render(
        request,
        "outreach/consultations.html",
        {
            **nav_context(request, "consultations"),
            "form": form,
            "items": items[:LIST_LIMIT],
            "may": user.role in services.CONSULT,
        },
        status=status,
    )


def _consultation_or_404(user: User, consultation: int) -> Consultation:
    path = selectors._scope_path(user)
    found = Consultation.objects.filter(
        pk=consultation, territory__path__startswith=path if path is not None else "-"
    ).first()
    if found is None:
        raise Http404("没有这项征求意见")
    return found


@login_required
@require_GET
def consultation_page(request: HttpRequest, consultation: int) -> HttpResponse:
    user: Any = request.user
    c = _consultation_or_404(user, consultation)
    comments = list(c.comments.all())
    for m in comments:
        m.respond_form = RespondForm(auto_id=f"r{m.pk}_%s")  # type: ignore[attr-defined]
    may = user.role in services.CONSULT and user.unit_id == c.unit_id
    return render(
        request,
        "outreach/consultation.html",
        {
            **nav_context(request, "consultations"),
            "c": c,
            "comments": comments,
            "may": may,
            "hearing_form": HearingForm(),
            "hearings": c.hearings.all(),
        },
    )


@login_required
@require_POST
def comment_respond(request: HttpRequest, comment: int) -> HttpResponse:
    user: Any = request.user
    path = selectors._scope_path(user)
    found = ConsultationComment.objects.filter(
        pk=comment, consultation__territory__path__startswith=path if path is not None else "-"
    ).first()
    if found is None:
        raise Http404("没有这条意见")
    try:
        services.comment_respond(
            comment=found,
            response=request.POST.get("response", ""),
            reason=request.POST.get("reason", ""),
            actor=user,
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已公开答复。")
    return redirect("outreach_consultation", consultation=found.consultation_id)


@login_required
@require_POST
def hearing_new(request: HttpRequest, consultation: int) -> HttpResponse:
    user: Any = request.user
    c = _consultation_or_404(user, consultation)
    form = HearingForm(request.POST)
    try:
        if not form.is_valid():
            raise services._fail("form", str(next(iter(form.errors.values()))[0]))
        services.hearing_record(consultation=c, actor=user, **form.cleaned_data)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已记录听证。")
    return redirect("outreach_consultation", consultation=c.pk)


@require_GET
def public_consultations(request: HttpRequest) -> HttpResponse:
    items = Consultation.objects.select_related("unit", "territory").annotate(n=Count("comments"))[
        :LIST_LIMIT
    ]
    return render(
        request,
        "outreach/public_consultations.html",
        {"nav": "consultations", "items": items, "today": timeutil.today()},
    )


@require_http_methods(["GET", "POST"])
def public_consultation(request: HttpRequest, consultation: int) -> HttpResponse:
    c = Consultation.objects.select_related("unit", "territory").filter(pk=consultation).first()
    if c is None:
        raise Http404("没有这项征求意见")
    contact = _contact(request)
    form = CommentForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if not contact:
            messages.error(request, "请先用手机号码验证登录（我的事项）后再提意见。")
            return redirect("portal_account")
        if form.is_valid():
            try:
                services.consultation_comment(consultation=c, contact=contact, **form.cleaned_data)
            except ApplicationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, "感谢您的意见，办理情况将在本页公开。")
                return redirect("portal_consultation", consultation=c.pk)
    flag_invalid(form)
    today = timeutil.today()
    return render(
        request,
        "outreach/public_consultation.html",
        {
            "nav": "consultations",
            "c": c,
            "form": form,
            "signed_in": bool(contact),
            "open": c.opens_on <= today <= c.closes_on,
            "comments": c.comments.all(),
            "hearings": c.hearings.all(),
        },
        status=status,
    )
