"""The intake window: category, unit and territory suggestions, one-click fill, and duplicate warnings."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from huiyin.assist.tests.conftest import LEAK, person
from huiyin.cases.forms import CaseForm

pytestmark = pytest.mark.django_db


def intake(client, **data):
    payload = {"title": "", "content": "", "address": "", "territory": "", "category": "", **data}
    return client.post(reverse("assist_intake"), payload)


def test_the_intake_form_carries_the_aids_panel_and_its_script(client, clerk_li):
    client.force_login(clerk_li)
    html = client.get(reverse("case_new")).content.decode()
    assert 'data-testid="intake-aids"' in html
    assert reverse("assist_intake") in html
    assert "assist/assist.js" in html and "<script>" not in html  # no inline script (CSP)


def test_without_text_the_panel_waits_for_the_clerk(client, clerk_li):
    client.force_login(clerk_li)
    response = intake(client, title="漏水")
    assert 'data-testid="assist-waiting"' in response.content.decode()


def test_a_leaking_building_is_suggested_as_urban_construction_with_the_housing_bureau(
    client, clerk_li, django_assert_max_num_queries
):
    client.force_login(clerk_li)
    with django_assert_max_num_queries(40):
        response = intake(client, title="小区楼道漏水物业不维修", content=LEAK)
    html = response.content.decode()
    labels = re.findall(r'data-testid="category-hint" data-label="([^"]+)"', html)
    assert len(labels) == 3 and labels[0] == "城乡建设"
    assert "示范县住房和城乡建设局" in html  # the responsibility matrix: 城乡建设 → county housing bureau
    assert "%" in html


def test_one_click_fills_the_category_select_with_a_real_option(client, clerk_li):
    client.force_login(clerk_li)
    html = intake(client, title="小区楼道漏水物业不维修", content=LEAK).content.decode()
    m = re.search(r'data-assist-fill="id_category" data-value="(\d+)"', html)
    assert m, "a fill button for the category select"
    options = {
        str(pk) for _group, items in CaseForm(user=clerk_li).fields["category"].choices[1:] for pk, _ in items
    }
    assert m.group(1) in options
    # once chosen, the suggestion says so instead of offering the button again
    again = intake(client, title="小区楼道漏水物业不维修", content=LEAK, category=m.group(1)).content.decode()
    assert f'data-value="{m.group(1)}"' not in again and "已选" in again


def test_the_fill_script_copies_the_value_and_announces_the_change():
    from pathlib import Path

    js = (Path(__file__).resolve().parents[2] / "static" / "assist" / "assist.js").read_text()
    assert "data-assist-fill" in js and 'new Event("change"' in js


def test_the_territory_is_suggested_from_the_address_by_name_or_alias(client, clerk_li, org):
    org.township.aliases = "东城,东城街道"
    org.township.save()
    client.force_login(clerk_li)
    html = intake(
        client, title="道路积水", content="下雨后路面积水严重，无法通行。", address="东城街道建设路"
    ).content.decode()
    assert 'data-testid="assist-territory"' in html and "东城镇" in html
    assert f'data-assist-fill="id_territory" data-value="{org.township.pk}"' in html
    html = intake(
        client, title="道路积水", content="柳林村村口道路下雨后积水严重，无法通行。"
    ).content.decode()
    assert f'data-value="{org.village.pk}"' in html


def test_a_repeat_by_the_same_petitioner_is_linked_to_the_live_case(client, clerk_li, register_indexed):
    first = register_indexed(title="小区楼道漏水", content=LEAK, petitioners=[person(1)])
    client.force_login(clerk_li)
    html = intake(
        client,
        title="再次反映楼道漏水",
        content="再次反映：" + LEAK + "恳请尽快解决！",
        **{"p-0-phone": "13800000001"},
    ).content.decode()
    assert f'data-reason="same_petitioner" data-code="{first.code}"' in html
    assert "同一信访人" in html and 'data-testid="merge-target"' in html


def test_without_an_identity_a_match_is_reported_by_content_only(client, clerk_li, register_indexed):
    register_indexed(title="小区楼道漏水", content=LEAK, petitioners=[person(2)])
    client.force_login(clerk_li)
    html = intake(client, title="楼道漏水", content=LEAK).content.decode()
    assert html.count('data-reason="unknown_petitioner"') == 1


def test_a_newcomer_with_the_matter_of_many_is_told_it_is_a_collective_issue(
    client, clerk_li, register_indexed
):
    for n in range(2, 5):
        register_indexed(title="小区楼道漏水", content=LEAK, petitioners=[person(n)])
    client.force_login(clerk_li)
    html = intake(client, title="楼道漏水", content=LEAK, **{"p-0-phone": "13900009999"}).content.decode()
    assert html.count('data-reason="other_petitioner"') == 3
    assert 'data-testid="assist-collective"' in html


def test_many_petitioners_with_one_matter_are_flagged_as_collective_not_as_people(
    client, clerk_li, register_indexed
):
    for n in range(2, 5):
        register_indexed(title="小区楼道漏水", content=LEAK, petitioners=[person(n)])
    mine = register_indexed(
        title="别的事", content="路灯坏了一个月没人修，晚上很黑。", petitioners=[person(9)]
    )
    assert mine
    client.force_login(clerk_li)
    html = intake(client, title="楼道漏水", content=LEAK, **{"p-0-phone": "13800000009"}).content.decode()
    assert html.count('data-reason="other_petitioner"') == 3
    assert 'data-testid="assist-collective"' in html
    assert "13800000002" not in html and "群众2" not in html  # matters are linked, people are not shown


def test_an_unrelated_text_finds_nothing(client, clerk_li, register_indexed):
    register_indexed(title="小区楼道漏水", content=LEAK)
    client.force_login(clerk_li)
    html = intake(
        client, title="学校收费", content="孩子所在的实验小学违规收取补课费，每学期两千元。"
    ).content.decode()
    assert 'data-testid="no-duplicates"' in html


def test_handlers_cannot_use_the_intake_aids(client, handler_wang_unit_a):
    client.force_login(handler_wang_unit_a)
    assert intake(client, title="小区楼道漏水", content=LEAK).status_code == 403
