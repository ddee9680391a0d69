"""The portal's outreach pages, anonymised: promises with their updates and rating totals (never who
rated), the 为民办实事 list and proposals (never who proposed), consultations with their comments (a
commenter is named only when they chose to be) and the responses. Rating, proposing and commenting
need the portal's phone sign-in (one per verified person)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from huiyin.cases.forms import flag_invalid
from huiyin.core import timeutil
from huiyin.core.errors import ApplicationError
from huiyin.core.parsing import parse_id
from huiyin.org.choices import TerritoryLevel
from huiyin.org.models import Territory
from huiyin.outreach import metrics, selectors, services
from huiyin.outreach.choices import CommitmentStatus, Satisfaction
from huiyin.outreach.forms import CommentForm, ProposalForm, RatingForm
from huiyin.outreach.models import Commitment, Consultation, ProjectProposal
from huiyin.outreach.views.common import LIST_LIMIT, contact, page, public_territories, submit


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
    return render(
        request,
        "outreach/public_list.html",
        {
            "nav": "commitments",
            "items": items,
            "towns": towns,
            "territory": territory,
            "fulfilment": metrics.commitment_fulfilment(today),
            "satisfaction": metrics.commitment_satisfaction(),
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
    who = contact(request)
    rated = bool(who) and c.ratings.filter(voter_hash=services.voter_hash(who)).exists()
    return _public_render(request, c, RatingForm(), who, rated, timeutil.today())


def _public_render(
    request: HttpRequest,
    c: Commitment,
    form: RatingForm,
    who: str,
    rated: bool,
    today: date,
    status: int = 200,
) -> HttpResponse:
    ratings = c.ratings.all()
    happy = Q(satisfaction__in=(Satisfaction.SATISFIED, Satisfaction.BASIC))
    return render(
        request,
        "outreach/public_page.html",
        {
            "nav": "commitments",
            "c": c,
            "late": selectors.is_late(c, today),
            "updates": c.updates.all(),  # the unit's words and evidence; never who rated
            "due": c.status != CommitmentStatus.ONGOING or c.due_on <= today,
            "signed_in": bool(who),
            "rated": rated,
            "form": form,
            "n_ratings": ratings.count(),
            "n_happy": ratings.filter(happy).count(),
            "n_kept": ratings.filter(fulfilment="yes").count(),
        },
        status=status,
    )


@require_POST
def public_rate(request: HttpRequest, commitment: int) -> HttpResponse:
    c = _public(commitment)
    today = timeutil.today()
    who = contact(request)
    form = RatingForm(request.POST)
    if not who:
        messages.error(request, "请先用手机号码验证登录（我的事项）后再评价。")
        return redirect("portal_account")
    if not form.is_valid():
        flag_invalid(form)
        return _public_render(request, c, form, who, False, today, status=400)
    try:
        services.commitment_rate(
            commitment=c,
            contact=who,
            fulfilment=form.cleaned_data["fulfilment"],
            satisfaction=form.cleaned_data["satisfaction"],
        )
    except ApplicationError as exc:
        form.add_error(None, exc.message)
        return _public_render(request, c, form, who, True, today, status=400)
    messages.success(request, "感谢您的评价。")
    return redirect("portal_commitment", commitment=c.pk)


@require_http_methods(["GET", "POST"])
def public_projects(request: HttpRequest) -> HttpResponse:
    """为民办实事: the year's projects (budget, owner, status, ratings through their commitment page),
    the proposals with their decision and reason, and — signed in by phone — a proposal form."""
    who = contact(request)
    if request.method == "POST" and not who:
        messages.error(request, "请先用手机号码验证登录（我的事项）后再提议。")
        return redirect("portal_account")
    form = ProposalForm(request.POST or None, territories=public_territories())

    def save(d: dict[str, Any]) -> str:
        services.proposal_submit(
            contact=who,
            title=d["title"],
            description=d["description"],
            territory=Territory.objects.get(pk=d["territory"]),
        )
        return reverse("portal_projects")

    done = submit(request, form, save, "感谢您的提议，决定结果将在本页公开。")
    if done is not None:
        return done
    proposals = ProjectProposal.objects.select_related("territory", "commitment__unit")[:LIST_LIMIT]
    context = {"nav": "projects", "form": form, "signed_in": bool(who), "proposals": proposals}
    return page(request, "outreach/public_projects.html", context, form)


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
    who = contact(request)
    if request.method == "POST" and not who:
        messages.error(request, "请先用手机号码验证登录（我的事项）后再提意见。")
        return redirect("portal_account")
    form = CommentForm(request.POST or None)

    def save(d: dict[str, str]) -> str:
        services.consultation_comment(consultation=c, contact=who, **d)
        return reverse("portal_consultation", kwargs={"consultation": c.pk})

    done = submit(request, form, save, "感谢您的意见，办理情况将在本页公开。")
    if done is not None:
        return done
    today = timeutil.today()
    context = {
        "nav": "consultations",
        "c": c,
        "form": form,
        "signed_in": bool(who),
        "open": c.opens_on <= today <= c.closes_on,
        "comments": c.comments.all(),
        "hearings": c.hearings.all(),
    }
    return page(request, "outreach/public_consultation.html", context, form)
