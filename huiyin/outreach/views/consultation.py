"""Public consultation on major decisions, the staff side: publishing a draft with its comment period,
answering each comment in public (adopted / partly / not, with reasons) and recording a hearing."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from huiyin.org.models import Territory, User
from huiyin.org.views import nav_context
from huiyin.outreach import services
from huiyin.outreach.forms import ConsultationForm, HearingForm, RespondForm
from huiyin.outreach.models import Consultation, ConsultationComment
from huiyin.outreach.views.common import LIST_LIMIT, act, cleaned, in_scope, page, submit, territories


@login_required
@require_http_methods(["GET", "POST"])
def consultations(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    form = ConsultationForm(request.POST or None, territories=territories(user))

    def save(d: dict[str, Any]) -> str:
        c = services.consultation_publish(
            title=d["title"],
            draft=d["draft"],
            territory=Territory.objects.get(pk=d["territory"]),
            opens_on=d["opens_on"],
            closes_on=d["closes_on"],
            actor=user,
        )
        return reverse("outreach_consultation", kwargs={"consultation": c.pk})

    done = submit(request, form, save, "草案已公开征求意见。")
    if done is not None:
        return done
    items = in_scope(Consultation.objects.select_related("unit"), user)[:LIST_LIMIT]  # each row names it
    context = {
        **nav_context(request, "consultations"),
        "form": form,
        "items": items,
        "may": user.role in services.CONSULT,
    }
    return page(request, "outreach/consultations.html", context, form)


def _consultation_or_404(user: User, consultation: int) -> Consultation:
    found = in_scope(Consultation.objects.all(), user).filter(pk=consultation).first()
    if found is None:
        raise Http404("没有这项征求意见")
    return found


@login_required
@require_GET
def consultation_page(request: HttpRequest, consultation: int) -> HttpResponse:
    user: Any = request.user
    c = _consultation_or_404(user, consultation)
    comments: list[Any] = list(c.comments.all())
    for m in comments:
        m.respond_form = RespondForm(auto_id=f"r{m.pk}_%s")
    return render(
        request,
        "outreach/consultation.html",
        {
            **nav_context(request, "consultations"),
            "c": c,
            "comments": comments,
            "may": user.role in services.CONSULT and user.unit_id == c.unit_id,
            "hearing_form": HearingForm(),
            "hearings": c.hearings.all(),
        },
    )


@login_required
@require_POST
def comment_respond(request: HttpRequest, comment: int) -> HttpResponse:
    user: Any = request.user
    found = (
        in_scope(ConsultationComment.objects.all(), user, "consultation__territory")
        .filter(pk=comment)
        .first()
    )
    if found is None:
        raise Http404("没有这条意见")

    def do() -> str:
        services.comment_respond(
            comment=found,
            response=request.POST.get("response", ""),
            reason=request.POST.get("reason", ""),
            actor=user,
        )
        return "已公开答复。"

    return act(request, do, reverse("outreach_consultation", kwargs={"consultation": found.consultation_id}))


@login_required
@require_POST
def hearing_new(request: HttpRequest, consultation: int) -> HttpResponse:
    user: Any = request.user
    c = _consultation_or_404(user, consultation)

    def do() -> str:
        services.hearing_record(consultation=c, actor=user, **cleaned(HearingForm(request.POST)))
        return "已记录听证。"

    return act(request, do, reverse("outreach_consultation", kwargs={"consultation": c.pk}))
