"""The cases behind a figure as .xlsx (issue 11 item 5): the same cases the list shows (scoped to the
user, the figure's filters applied), identity masked unless asked for in full, then audited per case."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook

from huiyin.analytics import services
from huiyin.analytics.tests import story as st
from huiyin.analytics.tests.test_metrics import people  # noqa: F401  (fixture)
from huiyin.core.models import AuditEntry


@pytest.fixture
def autumn(clock, org, people):  # noqa: F811
    built = st.build(clock, org, people)
    clock.set(date(2025, 12, 1))
    services.rollup_rebuild()
    return built


def sheet(response):
    assert response.status_code == 200
    return [list(r) for r in load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.values]


def drill_link(client) -> str:
    page = client.get("/analytics/", {"month": "2025-11"})
    return next(r for r in page.context["tables"]["metrics"].links if r[1] and "handled_on_time" in r[1])[2]


def test_the_file_holds_the_listed_cases_with_identity_masked(client, autumn, supervisor_chen):
    client.force_login(supervisor_chen)
    link = drill_link(client)
    listed = {row["case"].code for row in client.get(link).context["rows"]}
    query = link.split("?", 1)[1]
    rows = sheet(client.get("/analytics/cases/export.xlsx?" + query))
    assert rows[0][0] == "按期办结率"  # the heading: the figure and its filters
    header = rows[2]
    assert header[0] == "事项编号" and header[-3:] == ["信访人", "身份证号码", "联系电话"]
    assert {r[0] for r in rows[3:]} == listed and len(rows[3:]) == len(listed)
    for r in rows[3:]:
        assert r[-3] and "*" in r[-3]  # names masked
        assert all("*" in x for x in (r[-1] or "").split("、") if x)
    assert not AuditEntry.objects.filter(kind=AuditEntry.Kind.IDENTITY_VIEW).exists()
    assert AuditEntry.objects.filter(kind=AuditEntry.Kind.EXPORT, actor=supervisor_chen).count() == 1
    # the numerator only: the filter applies to the file
    on_time = sheet(client.get("/analytics/cases/export.xlsx?" + query.replace("part=den", "part=num")))
    assert len(on_time[3:]) == len(listed) - 1


def test_full_identity_writes_one_audit_row_per_case_shown(client, autumn, supervisor_chen):
    client.force_login(supervisor_chen)
    query = drill_link(client).split("?", 1)[1]
    rows = sheet(client.get("/analytics/cases/export.xlsx?" + query + "&identity=full"))
    codes = {r[0] for r in rows[3:]}
    assert all("*" not in (r[-3] or "") for r in rows[3:])
    audited = AuditEntry.objects.filter(kind=AuditEntry.Kind.IDENTITY_VIEW, actor=supervisor_chen)
    assert {e.case.code for e in audited} == codes
    assert all(e.detail["export"] == "analytics_cases" for e in audited)


def test_a_user_outside_the_scope_gets_an_empty_file_and_nothing_is_revealed(
    client, autumn, supervisor_chen, handler_zhao_unit_b
):
    client.force_login(supervisor_chen)
    query = drill_link(client).split("?", 1)[1]
    client.force_login(handler_zhao_unit_b)
    assert sheet(client.get("/analytics/cases/export.xlsx?" + query + "&identity=full"))[3:] == []
    assert not AuditEntry.objects.filter(kind=AuditEntry.Kind.IDENTITY_VIEW).exists()
    assert client.get("/analytics/cases/export.xlsx", {"metric": "no_such"}).status_code == 400


def test_a_long_drill_down_export_is_an_export_job_only_its_user_may_fetch(
    client,
    autumn,
    supervisor_chen,
    handler_zhao_unit_b,
    settings,
    tmp_path,
    django_capture_on_commit_callbacks,
):
    """Above the stream threshold the cases behind a figure go through list_export's ExportJob like
    every staff list: the job holds the listed cases, the file is written by the worker's job_run with
    identity masked, and another user gets the missing-record 404 for the job and its file."""
    from huiyin.cases import exports
    from huiyin.cases.models import ExportJob

    settings.HUIYIN_EXPORT_STREAM_ROWS = 1
    settings.MEDIA_ROOT = tmp_path
    client.force_login(supervisor_chen)
    link = drill_link(client)
    listed = {row["case"].code for row in client.get(link).context["rows"]}
    assert len(listed) > 1
    with django_capture_on_commit_callbacks(execute=False):
        response = client.get("/analytics/cases/export.xlsx?" + link.split("?", 1)[1])
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/exports/{job.pk}/"
    assert (job.kind, job.where, job.total_rows) == ("cases", "analytics_cases", len(listed))
    assert exports.job_run(job.pk) == "done"
    file = client.get(f"/exports/{job.pk}/file/")
    rows = [list(r) for r in load_workbook(io.BytesIO(b"".join(file.streaming_content))).active.values]
    assert rows[0][0] == "按期办结率" and {r[0] for r in rows[3:]} == listed
    assert all("*" in (r[-3] or "") for r in rows[3:])  # masked: no identity=full asked
    assert not AuditEntry.objects.filter(kind=AuditEntry.Kind.IDENTITY_VIEW).exists()
    client.force_login(handler_zhao_unit_b)  # another unit: neither the job nor its file
    assert client.get(f"/exports/{job.pk}/").status_code == 404
    assert client.get(f"/exports/{job.pk}/file/").status_code == 404
