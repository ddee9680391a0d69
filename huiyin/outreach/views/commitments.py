"""Public commitments (践诺), the staff side: the list with each unit's fulfilment and satisfaction,
publishing a promise, and its page where progress is reported with evidence."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from huiyin.cases.exports import list_export
from huiyin.core import timeutil
from huiyin.org.models import Territory, User
from huiyin.org.views import nav_context
from huiyin.outreach import metrics, selectors, services, transitions
from huiyin.outreach.choices import CommitmentStatus
from huiyin.outreach.exports import COMMITMENTS
from huiyin.outreach.forms import CommitmentActForm, CommitmentForm
from huiyin.outreach.models import Commitment
from huiyin.outreach.views.common import LIST_LIMIT, act, cleaned, page, refuse_page, submit, territories


@login_required
@require_GET
def commitments(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    today = timeutil.today()
    items: list[Any] = list(selectors.commitments_for_staff(user)[:LIST_LIMIT])
    for c in items:
        c.late = selectors.is_late(c, today)
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


@login_required
@require_GET
def commitments_export(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """The promises the user sees (the screen shows the first ones) as .xlsx (issue 11 item 5;
    huiyin/outreach/exports.py); a long list is written by the worker with progress."""
    return list_export(request, COMMITMENTS.kind)


@login_required
@require_http_methods(["GET", "POST"])
def commitment_new(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if user.role not in transitions.PUBLISH:
        return refuse_page(request, "只有单位负责人或领导可以发布公开承诺")
    form = CommitmentForm(request.POST or None, territories=territories(user))

    def save(d: dict[str, Any]) -> str:
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
        return reverse("outreach_commitment", kwargs={"commitment": c.pk})

    done = submit(request, form, save, "承诺已公开发布。")
    if done is not None:
        return done
    return page(
        request, "outreach/commitment_new.html", {**nav_context(request, "commitments"), "form": form}, form
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
    may = bool(transitions.permitted(user, c))
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

    def do() -> str:
        d = cleaned(CommitmentActForm(request.POST, request.FILES))
        services.commitment_act(
            commitment=c,
            action=d["action"],
            text=d["text"],
            progress=d["progress"],
            actor=user,
            evidence=d.get("evidence"),
        )
        return "已公开更新进展。"

    return act(request, do, reverse("outreach_commitment", kwargs={"commitment": c.pk}), "未能更新：")
