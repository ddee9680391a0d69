"""The 网格员's and the 调解员's workbenches (issue 13 §6): my ledger items, my sessions this week,
agreements to follow up (人民调解法 §31) — one's own work, not the whole territory's."""

from __future__ import annotations

from datetime import date

from django.urls import reverse

from huiyin.mediation import selectors, services
from huiyin.mediation.choices import AgreementForm
from huiyin.mediation.models import Agreement
from huiyin.mediation.tests.conftest import add_session, people_mediation
from huiyin.mediation.transitions import State

TODAY = date(2025, 12, 10)  # a Wednesday: the week is Mon 8th – Sun 14th


def _agreed(world, m, actor, on=date(2025, 12, 9)):
    add_session(m, actor, on)
    services.agreement_sign(mediation=m, actor=actor, form=AgreementForm.ORAL, facts="", obligations="各让三尺",
                            performance_terms="", signed_on=on, follow_up_on=date(2025, 12, 12))  # fmt: skip
    return Agreement.objects.get(mediation=m)


def test_the_grid_workers_bench_puts_her_items_and_her_villages_follow_ups_first(client, world, clock):
    clock.set(TODAY)
    item = services.item_report(actor=world.grid_worker, territory=world.grid, kind="land", summary="界桩",
                                parties="甲、乙", risk="serious")  # fmt: skip
    services.item_assign(item=item, actor=world.township_handler, unit=world.committee, person=world.mediator,
                         due_on=TODAY)  # fmt: skip
    ours = _agreed(world, people_mediation(world, state=State.IN_PROGRESS), world.mediator)
    theirs = people_mediation(world, state=State.IN_PROGRESS)
    type(theirs).objects.filter(pk=theirs.pk).update(
        organ=world.other_committee, territory=world.other_village
    )
    theirs.refresh_from_db()
    theirs_agreement = _agreed(world, theirs, world.other_mediator)
    clock.set(date(2025, 12, 12))
    assert list(selectors.follow_ups_due(world.grid_worker)) == [ours]
    assert list(selectors.follow_ups_due(world.other_mediator)) == [theirs_agreement]
    client.force_login(world.grid_worker)
    html = client.get(reverse("mediation_bench")).content.decode()
    assert 'data-testid="bench-title">网格员工作台' in html
    assert (
        html.index('data-testid="my-items"')
        < html.index('data-testid="follow-ups"')
        < html.index('data-testid="week-sessions"')
    )
    assert f"排查第{item.pk}号" in html and 'data-testid="bench-overdue">逾期 1 件' in html
    assert f'href="/mediation/cases/{ours.mediation_id}/"' in html
    assert f'href="/mediation/cases/{theirs.pk}/"' not in html


def test_my_sessions_this_week_are_my_organs_not_the_townships(client, world, clock):
    clock.set(TODAY)
    m = people_mediation(world, state=State.IN_PROGRESS)
    this_week = add_session(m, world.mediator, date(2025, 12, 8))
    add_session(m, world.mediator, date(2025, 12, 15))  # next Monday: not this week
    assert list(selectors.week_sessions(world.mediator)) == [this_week]
    # the township sees the village's mediation on its ledger, but the session is not its own work
    assert m in selectors.mediations_for(world.township_handler)
    assert list(selectors.week_sessions(world.township_handler)) == []
    assert list(selectors.week_sessions(world.other_mediator)) == []
    client.force_login(world.mediator)
    html = client.get(reverse("mediation_bench")).content.decode()
    assert 'data-testid="bench-title">调解员工作台' in html and html.count('data-testid="week-session"') == 1
    assert html.index('data-testid="open-mediations"') < html.index('data-testid="my-items"')
