"""The routing suggestion from the responsibility matrix, and the confidentiality guard."""

from __future__ import annotations

from datetime import date

import pytest

from huiyin.cases.models import Category
from huiyin.core.errors import ValidationFailed
from huiyin.core.models import AuditEntry
from huiyin.org.choices import TerritoryLevel, UnitKind
from huiyin.org.models import ResponsibilityRule
from huiyin.workflow import services as wf
from huiyin.workflow.routing import MSG_ACCUSED, suggest_unit


def _category(full_name):
    return Category.objects.get(full_name=full_name)


def test_a_housing_complaint_in_a_village_goes_to_the_county_housing_bureau(register_case, org):
    case = register_case(
        category_id=_category("城乡建设 / 住房保障与房地产 / 其他").pk, territory_id=org.village.pk
    )
    suggestion = suggest_unit(case)
    assert suggestion.unit == org.unit_a
    assert suggestion.territory == org.county
    assert "问题属地：柳林村" in suggestion.reasons and any("城乡建设" in r for r in suggestion.reasons)


def test_a_narrower_rule_wins_and_a_missing_unit_falls_back_with_the_reason_shown(register_case, org):
    # 城市建设和市政管理 → 城管, but this county has no 城管 unit, so the 城乡建设 rule applies
    case = register_case(
        category_id=_category("城乡建设 / 城市建设和市政管理 / 路灯").pk
        if Category.objects.filter(full_name="城乡建设 / 城市建设和市政管理 / 路灯").exists()
        else _category("城乡建设 / 城市建设和市政管理 / 其他").pk,
        territory_id=org.village.pk,
    )
    suggestion = suggest_unit(case)
    assert suggestion.unit == org.unit_a
    assert "示范县没有城市管理单位" in suggestion.reasons


def test_an_uncategorised_matter_goes_to_the_township_where_it_happened(register_case, org, monkeypatch):
    from huiyin.workflow import routing

    monkeypatch.setattr(routing.registry, "aid", lambda name: None)  # no module guesses a subject
    case = register_case(territory_id=org.village.pk)
    assert suggest_unit(case).unit == org.township_gov


def test_a_local_override_beats_the_general_rule(register_case, org):
    ResponsibilityRule.objects.create(
        category=_category("城乡建设"),
        territory=org.township,
        level=TerritoryLevel.TOWNSHIP,
        unit_kind=UnitKind.GOVERNMENT,
        note="试点",
    )
    case = register_case(
        category_id=_category("城乡建设 / 住房保障与房地产 / 其他").pk, territory_id=org.village.pk
    )
    suggestion = suggest_unit(case)
    assert suggestion.unit == org.township_gov
    assert any("东城镇例外规则" in r for r in suggestion.reasons)


def test_the_suggestion_never_names_the_accused_unit(register_case, org):
    case = register_case(
        petition_type="accusation",
        accused_unit_id=org.unit_a.pk,
        territory_id=org.village.pk,
        category_id=_category("城乡建设 / 住房保障与房地产 / 其他").pk,
    )
    suggestion = suggest_unit(case)
    assert suggestion is not None and suggestion.unit != org.unit_a
    assert any("被反映单位" in r for r in suggestion.reasons)


# ADR 0005: the accused side is the accused unit, its sub-units and its own desk; the superior may
# decide the case (tests/test_accused_side.py attacks the sub-units and the desk).
@pytest.mark.parametrize("target", ["unit_a"])
def test_routing_an_accusation_to_the_accused_is_refused_and_audited_30_3(
    target, register_case, org, dispatcher_zhou
):
    case = register_case(petition_type="accusation", accused_unit_id=org.unit_a.pk)
    case = wf.case_accept(case=case, actor=dispatcher_zhou)
    for route in (wf.case_forward, wf.case_assign):
        params = {"deadline": date(2099, 1, 1)} if route is wf.case_assign else {}
        with pytest.raises(ValidationFailed, match="第三十条第三款"):
            route(case=case, actor=dispatcher_zhou, unit=getattr(org, target), **params)
    refusals = AuditEntry.objects.filter(case=case, kind=AuditEntry.Kind.ACCESS_DENIED)
    assert refusals.count() == 2
    assert refusals.first().detail["unit"] == getattr(org, target).pk
    case.refresh_from_db()
    assert case.handling_unit is None


def test_the_dispatcher_sees_the_suggestion_and_forwards_with_one_click(
    register_case, org, dispatcher_zhou, client
):
    case = register_case(
        category_id=_category("城乡建设 / 住房保障与房地产 / 其他").pk, territory_id=org.village.pk
    )
    case = wf.case_accept(case=case, actor=dispatcher_zhou)
    client.force_login(dispatcher_zhou)
    page = client.get(f"/cases/{case.code}/").content.decode()
    assert 'data-testid="routing-suggestion"' in page and org.unit_a.name in page
    assert "问题属地：柳林村" in page
    response = client.post(f"/cases/{case.code}/actions/forward/", {"unit": org.unit_a.pk})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.handling_unit == org.unit_a and case.status == "in_handling"


def test_the_unit_picker_never_offers_the_accused_unit_but_offers_its_superior_30_3(
    register_case, org, dispatcher_zhou, client
):
    case = register_case(petition_type="accusation", accused_unit_id=org.unit_a.pk)
    case = wf.case_accept(case=case, actor=dispatcher_zhou)
    client.force_login(dispatcher_zhou)
    form = client.get(f"/cases/{case.code}/actions/assign/").context["form"]
    offered = set(form.fields["unit"].queryset)
    assert org.unit_b in offered
    assert org.unit_a not in offered and org.county_gov in offered
    # and a forged POST naming the accused unit is refused; the case stays unrouted
    response = client.post(f"/cases/{case.code}/actions/forward/", {"unit": org.unit_a.pk})
    assert response.status_code == 400
    assert "unit" in response.context["form"].errors
    case.refresh_from_db()
    assert case.handling_unit is None


@pytest.mark.parametrize("target", ["unit_a"])
@pytest.mark.parametrize("action", ["forward", "assign"])
def test_the_api_refuses_and_audits_routing_an_accusation_to_the_accused_30_3(
    action, target, register_case, org, dispatcher_zhou
):
    from django.test import Client

    from huiyin.org.services import token_issue

    # given an accepted accusation against unit A
    case = wf.case_accept(
        case=register_case(petition_type="accusation", accused_unit_id=org.unit_a.pk), actor=dispatcher_zhou
    )
    _, raw = token_issue(user=dispatcher_zhou, name="测试")
    api = Client(headers={"authorization": f"Bearer {raw}"})
    params = {"unit": getattr(org, target).pk, **({"deadline": "2099-01-01"} if action == "assign" else {})}
    # when the dispatcher's integration routes it to the accused unit or the unit above it
    response = api.post(f"/api/cases/{case.pk}/actions/{action}", params, content_type="application/json")
    # then it is refused with the rule's message, audited, and the case stays where it was
    assert response.status_code == 400
    assert response.json()["message"] == MSG_ACCUSED
    refusal = AuditEntry.objects.get(case=case, kind=AuditEntry.Kind.ACCESS_DENIED)
    assert refusal.actor == dispatcher_zhou and refusal.detail["unit"] == getattr(org, target).pk
    case.refresh_from_db()
    assert case.handling_unit is None and case.status == "accepted"
