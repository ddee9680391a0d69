"""联系点: the liaison map (townships › villages › points with their pairings and last visit) and the
form for a new point or pairing (部门联村联企、领导联点联项、干部联户联人)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from huiyin.core import timeutil
from huiyin.org.models import Territory, Unit, User
from huiyin.org.views import nav_context
from huiyin.outreach import selectors, services
from huiyin.outreach.forms import PairingForm, PointForm
from huiyin.outreach.views.common import page, refuse_page, submit, villages


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
    """New point and new pairing; the two forms post to this page, told apart by `form`."""
    user: Any = request.user
    if user.role not in services.MANAGE_PAIRINGS:
        return refuse_page(request, "您的岗位不能维护联系结对")
    path = selectors._scope_path(user) or ""
    units = Unit.objects.filter(territory__path__startswith=path, is_active=True)
    cadres = User.objects.filter(unit__in=units, is_active=True).select_related("unit")
    points = selectors.points_visible_to(user).select_related("territory")
    which = request.POST.get("form")
    point_form = PointForm(request.POST if which == "point" else None, villages=villages(user))
    pairing_form = PairingForm(
        request.POST if which == "pairing" else None,
        points=[(p.pk, f"{p.territory.name}·{p.name}") for p in points],
        units=[(u.pk, u.name) for u in units],
        cadres=[(c.pk, c.display_name) for c in cadres],
    )

    def save_point(d: dict[str, Any]) -> str:
        territory = Territory.objects.filter(pk=d["territory"], path__startswith=path).first()
        if territory is None:
            raise services._fail("territory", "请选择本辖区的村（社区）")
        services.point_create(kind=d["kind"], name=d["name"], territory=territory, actor=user)
        return reverse("outreach_pairing_new")

    def save_pairing(d: dict[str, Any]) -> str:
        services.pairing_create(
            kind=d["kind"],
            point=points.get(pk=d["point"]),
            unit=units.get(pk=d["unit"]),
            cadre=cadres.filter(pk=d["cadre"]).first() if d["cadre"] else None,
            starts_on=d["starts_on"],
            ends_on=d["ends_on"],
            actor=user,
        )
        return reverse("outreach_home")

    done = (
        submit(request, point_form, save_point, "已新增联系点。")
        if point_form.is_bound
        else submit(request, pairing_form, save_pairing, "已建立联系结对。")
    )
    if done is not None:
        return done
    return page(
        request,
        "outreach/pairing_new.html",
        {**nav_context(request, "outreach"), "point_form": point_form, "pairing_form": pairing_form},
        point_form,
        pairing_form,
    )
