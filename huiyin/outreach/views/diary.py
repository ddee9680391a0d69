"""民情日记 (phone-sized): one's diary and the territory's, the visit form with its offline draft, an
entry's page, and the actions on a problem found (answered on the spot, a case with consent, the
screening ledger) and the follow-up."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from huiyin.cases.exports import list_export
from huiyin.core import timeutil
from huiyin.org import roles
from huiyin.org.models import User
from huiyin.org.views import nav_context
from huiyin.outreach import selectors, services
from huiyin.outreach.exports import DIARY
from huiyin.outreach.forms import AnswerForm, EntryForm, FollowUpForm, ProblemCaseForm
from huiyin.outreach.models import DiaryEntry, Problem
from huiyin.outreach.views.common import LIST_LIMIT, act, case_in, cleaned, page, submit


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
@require_GET
def diary_export(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """The diaries the user sees (the screen shows the latest ones) as .xlsx (issue 11 item 5;
    huiyin/outreach/exports.py): whom the cadre met masked unless ?identity=full (audited), an entry
    about an accusation the user may not see withheld (条例 §30¶3); a long diary is written by the
    worker with progress."""
    return list_export(request, DIARY.kind)


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

    def save(d: dict[str, Any]) -> str:
        pairing = next(p for p in pairings if p.pk == d["pairing"])
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
        # the entry's page tells the browser to drop its draft (diary.js): the server has it
        return reverse("outreach_entry", kwargs={"entry": entry.pk}) + "?saved=1"

    done = submit(request, form, save, "民情日记已保存。")
    if done is not None:
        return done
    context = {**nav_context(request, "diary"), "form": form, "has_pairings": bool(pairings)}
    return page(request, "outreach/diary_new.html", context, form)


def _entry_or_404(user: User, entry: int) -> DiaryEntry:
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
    problems: list[Any] = list(found.problems.select_related("case__office"))
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
            "may_register": user.role in roles.REGISTER,
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

    def do() -> str:
        d = cleaned(ProblemCaseForm(request.POST))
        case = services.problem_to_case(problem=found, data=case_in(d), actor=user)
        return f"已登记为信访事项 {case.code}，进入{case.office.name}待分办。"

    return act(request, do, reverse("outreach_entry", kwargs={"entry": found.entry_id}), "未能转为信访事项：")


@login_required
@require_POST
def problem_answer(request: HttpRequest, problem: int) -> HttpResponse:
    user: Any = request.user
    found = _problem_or_404(user, problem)

    def do() -> str:
        services.problem_answer(problem=found, answer=request.POST.get("answer", ""), actor=user)
        return "已记录当场答复。"

    return act(request, do, reverse("outreach_entry", kwargs={"entry": found.entry_id}))


@login_required
@require_POST
def problem_screening(request: HttpRequest, problem: int) -> HttpResponse:
    user: Any = request.user
    found = _problem_or_404(user, problem)

    def do() -> str:
        services.problem_to_screening(problem=found, actor=user)
        return "已转入矛盾纠纷排查台账。"

    return act(request, do, reverse("outreach_entry", kwargs={"entry": found.entry_id}))


@login_required
@require_POST
def followup(request: HttpRequest, entry: int) -> HttpResponse:
    user: Any = request.user
    found = _entry_or_404(user, entry)

    def do() -> str:
        services.followup_add(entry=found, text=request.POST.get("text", ""), actor=user)
        return "已记录跟进情况。"

    return act(request, do, reverse("outreach_entry", kwargs={"entry": found.pk}))
