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
