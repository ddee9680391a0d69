"""The 督办 lists as .xlsx (issue 11 item 5): the list's own scope and filters, the petitioners'
identity masked unless asked for in full — and then one audit row per case, as the case page's reveal
writes (SPEC §1.3, 条例 §30¶3); a unit's record the user may not open is the screen's 404."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook

from huiyin.cases.tests.exporting import forged_job, long_export, short_export
from huiyin.core.models import AuditEntry
from huiyin.supervision import services
from huiyin.supervision.choices import CandidateReason
from huiyin.supervision.models import SupervisionCandidate
from huiyin.workflow import services as wf

pytestmark = pytest.mark.django_db
DAY = date(2025, 3, 3)


@pytest.fixture
def ordered(register_case, clock, org, dispatcher_zhou, supervisor_chen):
    """Two cases assigned to unit A, one with a 督办单 to unit A, one a candidate (overdue)."""
    clock.set(DAY)
    cases = []
    for title in ("小区楼道漏水无人维修", "路灯损坏"):
        case = wf.case_accept(case=register_case(title=title), actor=dispatcher_zhou)
        cases.append(
            wf.case_assign(
                case=case, actor=dispatcher_zhou, unit=org.unit_a, deadline=DAY + timedelta(days=10)
            )
        )
    order = services.order_issue(
        case=cases[0], actor=supervisor_chen, instructions="请加快办理", due_on=DAY + timedelta(days=5)
    )
    SupervisionCandidate.objects.create(
        case=cases[1], unit=org.unit_a, reason=CandidateReason.choices[0][0], found_at=order.issued_at
    )
    return cases, order


def sheet(response):
    assert response.status_code == 200, response.status_code
    ws = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    return [list(r) for r in ws.iter_rows(values_only=True)]


def test_the_orders_export_holds_the_users_orders_with_identity_masked(client, ordered, handler_wang_unit_a):
    cases, _order = ordered
    client.force_login(handler_wang_unit_a)
    rows = sheet(client.get("/supervision/export.xlsx", {"list": "orders"}))
    header, body = rows[0], rows[1:]
    assert header[:2] == ["事项编号", "标题"] and header[-3:] == ["信访人", "身份证号码", "联系电话"]
    assert [r[0] for r in body] == [cases[0].code]
    assert body[0][-3:] == ["刘**", "1101**********002X", "138****1234"]
    assert not AuditEntry.objects.filter(kind=AuditEntry.Kind.IDENTITY_VIEW).exists()
    export = AuditEntry.objects.get(kind=AuditEntry.Kind.EXPORT, actor=handler_wang_unit_a)
    assert export.detail["what"] == "supervision_orders" and export.detail["rows"] == 1


def test_full_identity_is_in_the_file_only_when_asked_and_each_case_is_audited(
    client, ordered, supervisor_chen
):
    cases, _order = ordered
    client.force_login(supervisor_chen)
    rows = sheet(client.get("/supervision/export.xlsx", {"list": "candidates", "identity": "full"}))
    assert [r[0] for r in rows[1:]] == [cases[1].code]
    assert rows[1][-3:] == ["刘群众", "11010519491231002X", "13800001234"]
    reveal = AuditEntry.objects.get(kind=AuditEntry.Kind.IDENTITY_VIEW, actor=supervisor_chen)
    assert reveal.case_id == cases[1].pk
    assert reveal.detail == {
        "petitioners": [cases[1].parties.get().petitioner_id],
        "export": "supervision_candidates",
    }
    assert AuditEntry.objects.get(kind=AuditEntry.Kind.EXPORT).detail["full_identity"] is True


def test_the_candidate_filters_apply_to_the_file(client, ordered, supervisor_chen, org):
    client.force_login(supervisor_chen)
    assert (
        len(sheet(client.get("/supervision/export.xlsx", {"list": "candidates", "unit": org.unit_a.pk}))) == 2
    )
    other_reason = CandidateReason.choices[1][0]
    assert (
        len(sheet(client.get("/supervision/export.xlsx", {"list": "candidates", "reason": other_reason})))
        == 1
    )
    # a filter the screen would refuse is refused here too, never ignored
    assert (
        client.get("/supervision/export.xlsx", {"list": "candidates", "unit": org.unit_b.pk}).status_code
        == 400
    )


def test_outside_the_scope_the_export_is_the_screens_404(client, ordered, handler_zhao_unit_b, org):
    client.force_login(handler_zhao_unit_b)
    # another unit's record: the same 404 as the record screen
    assert client.get("/supervision/record/", {"unit": org.unit_a.pk}).status_code == 404
    assert (
        client.get("/supervision/export.xlsx", {"list": "record", "unit": org.unit_a.pk}).status_code == 404
    )
    # the candidates are a supervisor's list
    assert client.get("/supervision/export.xlsx", {"list": "candidates"}).status_code == 404
    assert client.get("/supervision/export.xlsx", {"list": "nonsense"}).status_code == 404
    # the unit's own orders: none of unit A's
    assert sheet(client.get("/supervision/export.xlsx", {"list": "orders", "identity": "full"}))[1:] == []
    assert not AuditEntry.objects.filter(kind=AuditEntry.Kind.IDENTITY_VIEW).exists()


def test_a_units_record_exports_its_orders(client, ordered, head_sun_unit_a, org):
    cases, _order = ordered
    client.force_login(head_sun_unit_a)
    rows = sheet(client.get("/supervision/export.xlsx", {"list": "record", "unit": org.unit_a.pk}))
    assert [r[0] for r in rows[1:]] == [cases[0].code]


# --- the long path (issue 11 item 5: "large exports stream and show progress") ----------------------


@pytest.mark.parametrize(
    ("user", "params"),
    [
        ("supervisor_chen", {"list": "candidates", "identity": "full"}),
        ("handler_wang_unit_a", {"list": "orders"}),
        ("head_sun_unit_a", {"list": "record"}),
    ],
)
def test_a_long_list_is_written_by_the_worker_with_the_rows_of_the_short_one(
    client, ordered, request, user, params, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(request.getfixturevalue(user))
    short = short_export(client, "/supervision/export.xlsx", params)
    assert len(short) == 2  # the header and the one row of the fixture
    kind = f"supervision_{params['list']}"
    job, long = long_export(
        client,
        "/supervision/export.xlsx",
        params,
        kind=kind,
        settings=settings,
        capture=django_capture_on_commit_callbacks,
    )
    assert long == short and job.total_rows == 1
    (entry,) = AuditEntry.objects.filter(kind=AuditEntry.Kind.EXPORT, detail__job=job.pk)
    assert entry.detail["what"] == kind and entry.detail["rows"] == 1
    assert entry.detail["full_identity"] is ("identity" in params)


def test_another_unit_gets_no_order_on_either_path_nor_through_a_forged_job(
    client, ordered, handler_zhao_unit_b, settings, tmp_path, django_capture_on_commit_callbacks
):
    """Scope attack: 民政局 (unit B) asks for the orders; a job naming unit A's order, as if the ids had
    been tampered with, is written through unit B's scope, so the file holds nothing."""
    settings.MEDIA_ROOT = tmp_path
    _cases, order = ordered
    client.force_login(handler_zhao_unit_b)
    assert short_export(client, "/supervision/export.xlsx", {"list": "orders", "identity": "full"})[1:] == []
    assert forged_job(handler_zhao_unit_b, "supervision_orders", [order.pk]) == []
    assert (
        forged_job(handler_zhao_unit_b, "supervision_record", [order.pk], {"unit": str(order.unit_id)}) == []
    )
    assert not AuditEntry.objects.filter(kind=AuditEntry.Kind.IDENTITY_VIEW).exists()
