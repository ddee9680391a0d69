"""The hot-issues dashboard (issue 10 item 11): the worker clusters, the page reads the stored result
and says when it was computed; a new registration queues a refresh; places come from the territory tree."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
from django.urls import reverse
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from huiyin.assist.tests.conftest import LEAK, person

pytestmark = pytest.mark.django_db

NOISE = "家门口的搅拌站每天夜里施工，噪音很大，灰尘也多，严重影响休息，请环保部门查处。"
TASK = "huiyin.assist.tasks.refresh_hot_issues_task"


@pytest.fixture
def hot_world(register_case, clock, org):
    clock.set(date(2025, 6, 2))
    for n in range(4):
        register_case(
            title=f"幸福小区楼道漏水{n}", content=LEAK, petitioners=[person(n)], territory_id=org.village.pk
        )
    for n in range(4, 7):  # no 问题属地 registered: the text names 东城镇
        register_case(title="搅拌站夜间噪音扰民", content="东城镇" + NOISE, petitioners=[person(n)])
    register_case(title="学校收费", content="实验小学违规收取补课费。", petitioners=[person(9)])


def run_worker():
    """What `huiyin worker` (django-tasks' db_worker) does with each waiting task: claim it, run it,
    record the result. Its own loop is not used because it closes the connection between tasks, which
    would end the test's transaction on PostgreSQL."""
    worker = Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )
    for result in DBTaskResult.objects.ready():
        result.claim("test-worker")
        worker.run_task(result)
        assert DBTaskResult.objects.get(pk=result.pk).status == "SUCCESSFUL"


def queued() -> int:
    return DBTaskResult.objects.ready().filter(task_path=TASK).count()


def hot_page(client, **params):
    return client.get(reverse("assist_hotspots"), params or {"window": "30", "since": "90"})


def chart(html: str) -> dict:
    return json.loads(
        re.search(r'id="assist-hot-data" type="application/json">(.*?)</script>', html).group(1)
    )


def test_the_page_never_clusters_itself_it_queues_the_worker_and_reads_its_result(
    client, supervisor_chen, hot_world, monkeypatch, django_assert_max_num_queries
):
    from huiyin.assist import hotspots

    client.force_login(supervisor_chen)
    real = hotspots.find_hotspots

    def not_in_a_request(*args, **kwargs):
        raise AssertionError("the page clustered in the request")

    # given nothing computed yet: the page opens at once, says it is being computed, and queues the task
    monkeypatch.setattr(hotspots, "find_hotspots", not_in_a_request)
    first = hot_page(client).content.decode()
    assert "正在计算中" in first and 'data-testid="hotspot"' not in first
    assert queued() == 1
    hot_page(client)
    assert queued() == 1  # a second look does not queue a second run
    # when the worker runs the task
    monkeypatch.setattr(hotspots, "find_hotspots", real)
    run_worker()
    assert queued() == 0
    # then the page shows the stored clusters, and when they were computed, without clustering
    monkeypatch.setattr(hotspots, "find_hotspots", not_in_a_request)
    with django_assert_max_num_queries(8):
        html = hot_page(client).content.decode()
    rows = re.findall(r'<tr data-testid="hotspot">(.*?)</tr>', html, re.S)
    assert len(rows) == 2 and "漏水" in rows[0] and "噪音" in rows[1]
    assert chart(html)["petitioners"] == [4, 3]
    assert re.search(r"计算于 2025-06-02 \d\d:\d\d。", html)
    assert "vendor/echarts/echarts.min.js" in html and "assist/assist.js" in html


def test_a_new_case_shows_the_stored_result_and_queues_a_refresh(
    client, supervisor_chen, hot_world, register_case
):
    client.force_login(supervisor_chen)
    hot_page(client)
    run_worker()
    register_case(title="搅拌站噪音", content=NOISE, petitioners=[person(8)])
    html = hot_page(client).content.decode()
    assert chart(html)["petitioners"] == [4, 3] and "后台正在重新计算" in html
    assert queued() == 1
    run_worker()
    html = hot_page(client).content.decode()
    assert sorted(chart(html)["petitioners"]) == [4, 4] and "后台正在重新计算" not in html


def test_the_place_column_names_places_of_the_territory_tree(client, supervisor_chen, hot_world):
    client.force_login(supervisor_chen)
    hot_page(client)
    run_worker()
    places = re.findall(r'data-testid="hot-place">([^<]*)<', hot_page(client).content.decode())
    # the registered 问题属地 for the leak, the gazetteer's match of the text for the noise; never a
    # phrase cut out of the message ("幸福小区3栋…", "家门口的搅拌站…")
    assert places == ["柳林村", "东城镇"]


def test_the_dashboard_shows_only_cases_the_user_may_see(client, hot_world, org):
    from huiyin.org.models import User

    other = User.objects.create_user(username="city_sup", unit=org.city_office, role="dispatcher")
    client.force_login(other)
    hot_page(client)
    run_worker()
    assert 'data-testid="no-hotspots"' in hot_page(client).content.decode()


def test_handlers_in_units_are_not_offered_the_dashboard(client, handler_zhao_unit_b):
    client.force_login(handler_zhao_unit_b)
    assert client.get(reverse("assist_hotspots")).status_code == 403
    assert queued() == 0


def test_an_unknown_window_falls_back_to_thirty_days(client, dispatcher_zhou, hot_world):
    client.force_login(dispatcher_zhou)
    html = client.get(reverse("assist_hotspots"), {"window": "999", "since": "x"}).content.decode()
    assert '<option value="30" selected>' in html and '<option value="90" selected>' in html


def test_the_hot_issues_table_exports_as_the_page_shows_it_and_handlers_are_refused(
    client, supervisor_chen, hot_world, handler_zhao_unit_b
):
    import io

    from openpyxl import load_workbook

    client.force_login(supervisor_chen)
    hot_page(client)
    run_worker()
    response = client.get(reverse("assist_hotspots_export"), {"window": "30", "since": "90"})
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.values)
    assert rows[0][0].startswith("热点问题（窗口 30 天，近 90 天）")
    assert rows[1][:2] == ("序号", "问题")
    assert [(r[0], r[5]) for r in rows[2:]] == [(1, 4), (2, 3)]  # rank and petitioners, as charted
    assert "漏水" in rows[2][1] and rows[2][2] == "柳林村"
    client.force_login(handler_zhao_unit_b)
    assert client.get(reverse("assist_hotspots_export")).status_code == 403


def test_the_hot_issues_export_is_a_declared_kind_and_holds_only_the_users_own_snapshot(
    client, supervisor_chen, dispatcher_zhou, hot_world
):
    """Kind `assist_hotspots` (issue 11 item 5): its record is the user's own stored snapshot; another
    account that may see hot issues but never computed them gets the heading and no row of the
    supervisor's clusters, and each download writes its EXPORT audit row with the kind."""
    import io

    from openpyxl import load_workbook

    from huiyin.core.models import AuditEntry

    client.force_login(supervisor_chen)
    hot_page(client)
    run_worker()
    client.force_login(dispatcher_zhou)
    response = client.get(reverse("assist_hotspots_export"), {"window": "30", "since": "90"})
    rows = list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.values)
    assert rows[0][0] == "热点问题（窗口 30 天，近 90 天）；尚未计算"
    assert rows[2:] == []  # the supervisor's snapshot is not the dispatcher's
    (entry,) = AuditEntry.objects.filter(kind=AuditEntry.Kind.EXPORT, actor=dispatcher_zhou)
    assert entry.detail["what"] == "assist_hotspots" and entry.detail["rows"] == 0
    client.force_login(supervisor_chen)
    response = client.get(reverse("assist_hotspots_export"), {"window": "30", "since": "90"})
    rows = list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.values)
    assert [r[0] for r in rows[2:]] == [1, 2]
    assert AuditEntry.objects.get(kind=AuditEntry.Kind.EXPORT, actor=supervisor_chen).detail["rows"] == 2
