"""The hot-issues dashboard: clusters of similar matters from several petitioners, scoped and cached."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
from django.core.cache import cache
from django.urls import reverse

from huiyin.assist.tests.conftest import LEAK, person

pytestmark = pytest.mark.django_db

NOISE = "家门口的搅拌站每天夜里施工，噪音很大，灰尘也多，严重影响休息，请环保部门查处。"


@pytest.fixture
def hot_world(register_case, clock):
    cache.clear()
    clock.set(date(2025, 6, 2))
    for n in range(4):
        register_case(title=f"幸福小区楼道漏水{n}", content=LEAK, petitioners=[person(n)])
    for n in range(4, 7):
        register_case(title="搅拌站夜间噪音扰民", content=NOISE, petitioners=[person(n)])
    register_case(title="学校收费", content="实验小学违规收取补课费。", petitioners=[person(9)])


def test_the_dashboard_ranks_clusters_with_a_chart_and_a_table(
    client, supervisor_chen, hot_world, django_assert_max_num_queries
):
    client.force_login(supervisor_chen)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("assist_hotspots"), {"window": "30", "since": "90"})
    html = response.content.decode()
    assert response.status_code == 200
    rows = re.findall(r'<tr data-testid="hotspot">(.*?)</tr>', html, re.S)
    assert len(rows) == 2 and "漏水" in rows[0] and "噪音" in rows[1]
    data = json.loads(
        re.search(r'id="assist-hot-data" type="application/json">(.*?)</script>', html).group(1)
    )
    assert data["petitioners"] == [4, 3]
    assert "vendor/echarts/echarts.min.js" in html and "assist/assist.js" in html


def test_the_second_look_is_served_from_the_cache(
    client, supervisor_chen, hot_world, monkeypatch, django_assert_max_num_queries
):
    from huiyin.assist import hotspots

    client.force_login(supervisor_chen)
    client.get(reverse("assist_hotspots"))

    def no_clustering(*args, **kwargs):
        raise AssertionError("clustered again")

    monkeypatch.setattr(hotspots, "find_hotspots", no_clustering)
    with django_assert_max_num_queries(5):  # session, user, unit, and the freshness stamp
        assert 'data-testid="hotspot"' in client.get(reverse("assist_hotspots")).content.decode()


def test_a_new_case_refreshes_the_dashboard(client, supervisor_chen, hot_world, register_case):
    client.force_login(supervisor_chen)
    client.get(reverse("assist_hotspots"))
    register_case(title="搅拌站噪音", content=NOISE, petitioners=[person(8)])
    html = client.get(reverse("assist_hotspots")).content.decode()
    data = json.loads(
        re.search(r'id="assist-hot-data" type="application/json">(.*?)</script>', html).group(1)
    )
    assert sorted(data["petitioners"]) == [4, 4]


def test_the_dashboard_shows_only_cases_the_user_may_see(client, handler_zhao_unit_b, hot_world, org):
    from huiyin.org.models import User

    other = User.objects.create_user(username="city_sup", unit=org.city_office, role="dispatcher")
    client.force_login(other)
    assert 'data-testid="no-hotspots"' in client.get(reverse("assist_hotspots")).content.decode()


def test_handlers_in_units_are_not_offered_the_dashboard(client, handler_zhao_unit_b):
    client.force_login(handler_zhao_unit_b)
    assert client.get(reverse("assist_hotspots")).status_code == 403


def test_an_unknown_window_falls_back_to_thirty_days(client, dispatcher_zhou, hot_world):
    client.force_login(dispatcher_zhou)
    html = client.get(reverse("assist_hotspots"), {"window": "999", "since": "x"}).content.decode()
    assert '<option value="30" selected>' in html and '<option value="90" selected>' in html
