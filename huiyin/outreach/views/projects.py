"""为民办实事, the staff side: the proposals of one's territory and a leader's decision on each (on the
year's list with a budget and an owner, or declined with a public reason)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from huiyin.core import timeutil
from huiyin.org.models import Unit, User
from huiyin.org.views import nav_context
from huiyin.outreach import selectors, services
from huiyin.outreach.forms import SelectionForm
from huiyin.outreach.models import ProjectProposal
from huiyin.outreach.views.common import LIST_LIMIT, act, cleaned, in_scope


def _units(user: User) -> Any:
    return Unit.objects.filter(territory__path__startswith=selectors._scope_path(user) or "", is_active=True)


@login_required
@require_GET
def projects(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    proposals: list[Any] = list(
        in_scope(ProjectProposal.objects.all(), user).select_related("territory", "commitment__unit")[
            :LIST_LIMIT
        ]
    )
    units = [(u.pk, u.name) for u in _units(user)]
    for p in proposals:
        p.select_form = SelectionForm(
            auto_id=f"s{p.pk}_%s", units=units, initial={"year": timeutil.today().year}
        )
    return render(
        request,
        "outreach/projects.html",
        {
            **nav_context(request, "projects"),
            "proposals": proposals,
            "may": user.role in services.SELECT_PROJECTS,
        },
    )


@login_required
@require_POST
def project_decide(request: HttpRequest, proposal: int, outcome: str) -> HttpResponse:
    user: Any = request.user
    found = in_scope(ProjectProposal.objects.all(), user).filter(pk=proposal).first()
    if found is None:
        raise Http404("没有这项提议")
    units = _units(user)

    def do() -> str:
        if outcome == "decline":
            services.proposal_decline(proposal=found, reason=request.POST.get("reason", ""), actor=user)
            return "已公开未列入的理由。"
        d = cleaned(SelectionForm(request.POST, units=[(u.pk, u.name) for u in units]))
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
        return "已列入为民办实事项目并公开。"

    return act(request, do, reverse("outreach_projects"))
