"""The screening ledger (大排查, seeds 000: every item has a responsible unit, person and date) and the
monthly rounds where each reporting point files items or an explicit 零报告."""

from __future__ import annotations

from datetime import date

import pytest

from huiyin.core.errors import PermissionDenied, TransitionNotAllowed, ValidationFailed
from huiyin.mediation import selectors, services
from huiyin.mediation.choices import ItemSource, ItemStatus
from huiyin.mediation.models import RoundReport

TODAY = date(2025, 12, 10)


def _report(world, actor=None, territory=None, **kw):
    return services.item_report(
        actor=actor or world.grid_worker,
        territory=territory or world.grid,
        kind="neighbour",
        summary="两户因排水沟堵塞争执",
        parties="张三、李四",
        risk="ordinary",
        **kw,
    )


def test_a_grid_worker_reports_a_dispute_in_her_village_as_a_grid_item(world, clock):
    clock.set(TODAY)
    item = _report(world)
    assert (item.source, item.status, item.territory) == (ItemSource.GRID, ItemStatus.REPORTED, world.grid)


def test_a_grid_worker_cannot_report_in_another_village(world, clock):
    clock.set(TODAY)
    with pytest.raises(PermissionDenied):
        _report(world, territory=world.other_village)


def test_a_report_without_parties_is_refused_and_nothing_is_written(world, clock):
    clock.set(TODAY)
    with pytest.raises(ValidationFailed):
        services.item_report(actor=world.grid_worker, territory=world.grid, kind="neighbour", summary="x",
                             parties="  ", risk="ordinary")  # fmt: skip
    assert not selectors.items_for(world.grid_worker).exists()


def test_the_township_assigns_a_unit_a_person_and_a_date(world, clock):
    clock.set(TODAY)
    item = _report(world)
    item = services.item_assign(item=item, actor=world.township_handler, unit=world.committee,
                                person=world.mediator, due_on=date(2025, 12, 31))  # fmt: skip
    assert (item.responsible_unit, item.responsible_person, item.due_on, item.status) == (
        world.committee,
        world.mediator,
        date(2025, 12, 31),
        ItemStatus.ASSIGNED,
    )
    assert "交办柳林村民委员会" in item.notes.get().text


def test_a_village_cannot_assign_and_the_person_must_belong_to_the_unit(world, clock):
    clock.set(TODAY)
    item = _report(world)
    with pytest.raises(PermissionDenied):
        services.item_assign(item=item, actor=world.mediator, unit=world.committee, person=world.mediator,
                             due_on=date(2025, 12, 31))  # fmt: skip
    with pytest.raises(ValidationFailed):
        services.item_assign(item=item, actor=world.township_handler, unit=world.committee,
                             person=world.township_handler, due_on=date(2025, 12, 31))  # fmt: skip
    with pytest.raises(ValidationFailed):
        services.item_assign(item=item, actor=world.township_handler, unit=world.committee,
                             person=world.mediator, due_on=date(2025, 12, 9))  # fmt: skip


def test_an_item_past_its_date_and_not_settled_is_on_the_townships_overdue_list(world, clock):
    clock.set(TODAY)
    late = services.item_assign(item=_report(world), actor=world.township_handler, unit=world.committee,
                                person=world.mediator, due_on=date(2025, 12, 12))  # fmt: skip
    on_time = services.item_assign(item=_report(world), actor=world.township_handler, unit=world.committee,
                                   person=world.mediator, due_on=date(2025, 12, 31))  # fmt: skip
    clock.set(date(2025, 12, 13))  # the day after the 12th: `late` is overdue, `on_time` is not
    assert list(selectors.overdue_items(world.township_handler)) == [late]
    services.item_settle(item=late, actor=world.mediator, note="已说和")
    assert list(selectors.overdue_items(world.township_handler)) == []
    assert on_time.pk not in [i.pk for i in selectors.overdue_items(world.township_handler)]


def test_another_village_does_not_see_the_item(world, clock):
    clock.set(TODAY)
    item = _report(world)
    assert item in selectors.items_for(world.mediator)
    assert item in selectors.items_for(world.township_handler)
    assert item not in selectors.items_for(world.other_mediator)


def test_a_round_shows_each_point_filed_zero_or_missing(world, clock, org):
    clock.set(TODAY)
    rnd = services.round_open(township=org.township, period=TODAY, actor=world.township_handler)
    assert rnd.period == date(2025, 12, 1) and rnd.due_on == date(2025, 12, 31)
    _report(world, round=rnd)  # 柳林村 files an item
    services.round_zero_report(
        round=rnd, point=world.other_village, actor=world.other_mediator
    )  # 杨家村: nothing
    states = {row["point"].name: (row["state"], row["items"]) for row in selectors.round_status(rnd)}
    # the township itself has not reported: visible to the township as missing
    assert states == {"东城镇": ("missing", 0), "柳林村": ("filed", 1), "杨家村": ("zero", 0)}
    with pytest.raises(TransitionNotAllowed):
        services.round_zero_report(round=rnd, point=world.other_village, actor=world.other_mediator)
    with pytest.raises(PermissionDenied):  # a village reports for its own point only
        services.round_zero_report(round=rnd, point=org.township, actor=world.mediator)
    with pytest.raises(TransitionNotAllowed):
        services.round_open(township=org.township, period=date(2025, 12, 20), actor=world.township_handler)
    # one row per expected point from the opening; the township's stays unfiled (零报告制度)
    assert RoundReport.objects.filter(round=rnd).count() == 3
    assert RoundReport.objects.get(round=rnd, point=org.township).filed_at is None


def _sheet(response):
    import io

    from openpyxl import load_workbook

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.values)
    return rows[0], rows[1:]


def test_the_ledger_exports_to_excel_in_the_users_scope_with_parties_masked(world, clock, client):
    # issue 11 item 5: the ledger's .xlsx holds what the user may see; names masked unless asked (audited)
    from datetime import datetime

    from django.urls import reverse

    from huiyin.core.models import AuditEntry

    clock.set(TODAY)
    mine = _report(world)
    services.item_assign(item=mine, actor=world.township_handler, unit=world.committee,
                         person=world.mediator, due_on=date(2025, 12, 31))  # fmt: skip
    theirs = services.item_report(actor=world.other_mediator, territory=world.other_village, kind="land",
                                  summary="界桩被移动", parties="王五", risk="serious")  # fmt: skip
    url = reverse("mediation_ledger_export")

    client.force_login(world.mediator)  # 柳林村's committee: its own item only
    page = client.get(reverse("mediation_ledger"))
    assert url in page.content.decode()
    header, rows = _sheet(client.get(url))
    assert header[:6] == ("编号", "登记时间", "地点", "纠纷类型", "纠纷简要情况", "当事人")
    assert [(r[0], r[5], r[7], r[8], r[9]) for r in rows] == [
        (mine.pk, "张*、李*", "柳林村民委员会", "郑调解", datetime(2025, 12, 31))
    ]
    assert theirs.pk not in [r[0] for r in rows]
    export = AuditEntry.objects.get(kind=AuditEntry.Kind.EXPORT, actor=world.mediator)
    assert export.detail["what"] == "mediation_ledger" and export.detail["rows"] == 1
    assert not export.detail["full_identity"]

    _header, rows = _sheet(client.get(url, {"identity": "full"}))
    assert [r[5] for r in rows] == ["张三、李四"]
    assert AuditEntry.objects.filter(kind=AuditEntry.Kind.EXPORT, actor=world.mediator).count() == 2
    assert AuditEntry.objects.filter(kind=AuditEntry.Kind.EXPORT, detail__full_identity=True).count() == 1

    client.force_login(world.township_handler)  # the township sees both villages' items
    _header, rows = _sheet(client.get(url))
    assert sorted(r[0] for r in rows) == sorted([mine.pk, theirs.pk])
    assert {r[0]: r[5] for r in rows}[theirs.pk] == "王*"
    client.logout()
    assert client.get(url).status_code == 302  # staff only


# --- the long path and the 调解台账 (issue 11 item 5) -------------------------------------------------


def _two_items(world):
    mine = _report(world)
    services.item_assign(item=mine, actor=world.township_handler, unit=world.committee,
                         person=world.mediator, due_on=date(2025, 12, 31))  # fmt: skip
    theirs = services.item_report(actor=world.other_mediator, territory=world.other_village, kind="land",
                                  summary="界桩被移动", parties="王五", risk="serious")  # fmt: skip
    return mine, theirs


@pytest.mark.parametrize("params", [{}, {"identity": "full"}])
def test_a_long_ledger_is_written_by_the_worker_with_the_rows_of_the_short_one(
    world, clock, client, params, settings, tmp_path, django_capture_on_commit_callbacks
):
    from django.urls import reverse

    from huiyin.cases.tests.exporting import long_export, short_export

    settings.MEDIA_ROOT = tmp_path
    clock.set(TODAY)
    _two_items(world)
    client.force_login(world.township_handler)  # both villages' items
    url = reverse("mediation_ledger_export")
    short = short_export(client, url, params)
    assert len(short) == 3 and {r[5] for r in short[1:]} == (
        {"张三、李四", "王五"} if params else {"张*、李*", "王*"}
    )
    job, long = long_export(client, url, params, kind="mediation_ledger", settings=settings,
                            capture=django_capture_on_commit_callbacks)  # fmt: skip
    assert long == short and job.total_rows == 2


def test_the_mediation_register_holds_the_users_mediations_masked_and_runs_long_too(
    world, clock, client, settings, tmp_path, django_capture_on_commit_callbacks
):
    from django.urls import reverse

    from huiyin.cases.tests.exporting import long_export, short_export
    from huiyin.core.models import AuditEntry
    from huiyin.mediation.tests.conftest import people_mediation

    settings.MEDIA_ROOT = tmp_path
    clock.set(TODAY)
    m = people_mediation(world)
    url = reverse("mediation_register_export")
    client.force_login(world.mediator)
    assert url in client.get(reverse("mediation_ledger")).content.decode()
    short = short_export(client, url)
    assert short[0][:3] == ["编号", "受理时间", "调解类型"]
    assert [(r[0], r[3], r[7]) for r in short[1:]] == [(m.pk, "柳林村民委员会", "张*、李*")]
    assert [r[7] for r in short_export(client, url, {"identity": "full"})[1:]] == ["张三、李四"]
    assert AuditEntry.objects.filter(kind="export", detail__what="mediation_register").count() == 2
    _job, long = long_export(client, url, {}, kind="mediation_register", settings=settings,
                             capture=django_capture_on_commit_callbacks)  # fmt: skip
    assert long == short


def test_another_village_gets_no_item_nor_mediation_on_either_path_nor_through_a_forged_job(
    world, clock, client, settings, tmp_path, django_capture_on_commit_callbacks
):
    """Scope attack: 杨家村's mediator asks for 柳林村's records; a job naming them is written through
    杨家村's scope, so the file holds none."""
    from django.urls import reverse

    from huiyin.cases.tests.exporting import forged_job, long_export, short_export
    from huiyin.mediation.tests.conftest import people_mediation

    settings.MEDIA_ROOT = tmp_path
    clock.set(TODAY)
    mine, theirs = _two_items(world)
    m = people_mediation(world)
    client.force_login(world.other_mediator)
    ledger = short_export(client, reverse("mediation_ledger_export"), {"identity": "full"})
    assert [r[0] for r in ledger[1:]] == [theirs.pk]
    assert short_export(client, reverse("mediation_register_export"), {"identity": "full"})[1:] == []
    _job, long = long_export(client, reverse("mediation_ledger_export"), {"identity": "full"},
                             kind="mediation_ledger", settings=settings,
                             capture=django_capture_on_commit_callbacks)  # fmt: skip
    assert [r[0] for r in long[1:]] == [theirs.pk]
    assert [r[0] for r in forged_job(world.other_mediator, "mediation_ledger", [mine.pk, theirs.pk])] == [
        theirs.pk
    ]
    assert forged_job(world.other_mediator, "mediation_register", [m.pk]) == []


def test_the_rounds_export_to_excel_with_each_points_state_for_the_township_only(world, clock, client, org):
    """Every staff list exports to .xlsx (issue 11): the rounds the organ answers for, each with its
    points filed, 零报告 and missing; a village committee of another township sees none; a 400 for csv."""
    from django.urls import reverse

    from huiyin.org.choices import TerritoryLevel, UnitKind
    from huiyin.org.models import Territory, Unit, User

    clock.set(TODAY)
    rnd = services.round_open(township=org.township, period=TODAY, actor=world.township_handler)
    _report(world, round=rnd)  # 柳林村 files an item
    services.round_zero_report(round=rnd, point=world.other_village, actor=world.other_mediator)
    url = reverse("mediation_rounds")

    client.force_login(world.township_handler)
    assert "format=xlsx" in client.get(url).content.decode()
    header, rows = _sheet(client.get(url, {"format": "xlsx"}))
    assert header[:2] == ("乡镇（街道）", "排查月份")
    assert [r[:2] + r[3:] for r in rows] == [("东城镇", "2025年12月", "陆镇干", 3, 1, 1, 1, 1)]
    assert client.get(url, {"format": "csv"}).status_code == 400

    far = Territory.objects.create(
        code="430121200", name="西河镇", level=TerritoryLevel.TOWNSHIP, parent=org.township.parent
    )
    far_gov = Unit.objects.create(
        code="T2-GOV", name="西河镇人民政府", kind=UnitKind.GOVERNMENT, territory=far
    )
    client.force_login(User.objects.create_user(username="far_town", unit=far_gov, role="handler"))
    assert _sheet(client.get(url, {"format": "xlsx"}))[1] == []
