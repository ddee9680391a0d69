"""民情恳谈会 / 民情沟通会: the meetings of one's territory, recording one, its page (each issue answered,
registered as a case with consent, or answered with a public promise) and the minutes as .docx."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from huiyin.core import timeutil
from huiyin.org import roles
from huiyin.org.models import Territory, User
from huiyin.org.views import nav_context
from huiyin.outreach import documents, selectors, services, transitions
from huiyin.outreach.forms import AnswerForm, IssueCommitmentForm, MeetingForm, ProblemCaseForm
from huiyin.outreach.models import Meeting, MeetingIssue
from huiyin.outreach.views.common import LIST_LIMIT, act, case_in, cleaned, page, submit, territories

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@login_required
@require_http_methods(["GET", "POST"])
def meetings(request: HttpRequest) -> HttpResponse:
    """The meetings of one's territory, and the form to record one."""
    user: Any = request.user
    form = MeetingForm(
        request.POST or None, territories=territories(user), initial={"held_on": timeutil.today()}
    )

    def save(d: dict[str, Any]) -> str:
        m = services.meeting_create(
            data=services.MeetingIn(
                kind=d["kind"],
                title=d["title"],
                held_on=d["held_on"],
                place=d["place"],
                territory=Territory.objects.get(pk=d["territory"]),
                attendees=d["attendees"],
                issues=form.issue_lines(),
            ),
            actor=user,
        )
        return reverse("outreach_meeting", kwargs={"meeting": m.pk})

    done = submit(request, form, save, "已记录恳谈会。")
    if done is not None:
        return done
    items = selectors.meetings_visible_to(user).select_related("territory", "unit")[:LIST_LIMIT]
    context = {**nav_context(request, "meetings"), "form": form, "items": items}
    return page(request, "outreach/meetings.html", context, form)


def _meeting_or_404(user: User, meeting: int) -> Meeting:
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
    issues: list[Any] = list(m.issues.select_related("case", "commitment"))
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
            "may_register": user.role in roles.REGISTER,
            "may_publish": user.role in transitions.PUBLISH,
        },
    )


@login_required
@require_GET
def meeting_minutes(request: HttpRequest, meeting: int) -> HttpResponse:
    user: Any = request.user
    m = _meeting_or_404(user, meeting)
    response = HttpResponse(documents.minutes_docx(m), content_type=DOCX)
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

    def do() -> str:
        if outcome == "answer":
            services.meeting_issue_answer(issue=found, answer=request.POST.get("answer", ""), actor=user)
            return "已记录当场答复。"
        if outcome == "case":
            d = cleaned(ProblemCaseForm(request.POST))
            case = services.meeting_issue_to_case(issue=found, data=case_in(d), actor=user)
            return f"已登记为信访事项 {case.code}。"
        d = cleaned(IssueCommitmentForm(request.POST))
        services.meeting_issue_to_commitment(
            issue=found,
            data=services.CommitmentIn(
                title=d["title"],
                beneficiaries=d["beneficiaries"],
                measure=d["measure"],
                due_on=d["due_on"],
                territory=found.meeting.territory,
            ),
            actor=user,
        )
        return "已作出公开承诺。"

    return act(request, do, reverse("outreach_meeting", kwargs={"meeting": found.meeting_id}))
