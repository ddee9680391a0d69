"""Issue 15: a mediation list's number of queries does not grow with its rows. The 排查台账 (page and
export), the 调解台账 export, the 排查轮次 (page and export), a round's reporting points, a ledger item's
progress notes, a mediation's parties and sessions (its page and its dispute's chain) and the 化解成效
figures are each measured with 3 rows and again with 30, and the two counts must be equal — an N+1 (a
query per row) makes the second larger."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse

from huiyin.cases.tests.exporting import counted_get, measure_sizes
from huiyin.mediation import services
from huiyin.mediation.choices import AgreementForm, Consent, MediationKind, PartySide
from huiyin.mediation.models import MediationParty
from huiyin.mediation.tests.conftest import people_mediation
from huiyin.org.choices import TerritoryLevel
from huiyin.org.models import Territory

pytestmark = pytest.mark.django_db

SIZES = (3, 30)
TODAY = date(2025, 12, 10)


def _measure(client, grow, url: str, params: dict[str, str] | None = None) -> tuple[list[int], list[int]]:
    """The export's queries and data rows at each size."""
    return measure_sizes(SIZES, grow, lambda: _queries(client, url, params), lambda r: len(r.sheet_rows))


def _queries(client, url: str, params: dict[str, object] | None = None) -> tuple[int, object]:
    return counted_get(client, url, params, skip=1)


class Items:
    """Reports ledger items in 柳林村's grid until there are `n`, every other one assigned (交办) by the
    township to the committee's mediator with a date; one in three past its date (the overdue list)."""

    def __init__(self, world, clock):
        self.world, self.clock, self.made = world, clock, 0

    def __call__(self, n: int) -> None:
        w = self.world
        for i in range(self.made, n):
            self.clock.set(date(2025, 11, 1))
            item = services.item_report(actor=w.grid_worker, territory=w.grid, kind="neighbour",
                                        summary=f"排水沟堵塞{i}", parties="张三、李四", risk="ordinary")  # fmt: skip
            if i % 2 == 0:
                due = date(2025, 11, 20) if i % 3 == 0 else date(2025, 12, 31)
                services.item_assign(item=item, actor=w.township_handler, unit=w.committee, person=w.mediator,
                                     due_on=due)  # fmt: skip
        self.clock.set(TODAY)
        self.made = n


@pytest.mark.parametrize("who", ["township_handler", "mediator"])
def test_the_ledger_takes_as_many_queries_with_30_items_as_with_3(who, client, world, clock):
    client.force_login(getattr(world, who))
    grow = Items(world, clock)
    counts, rows = measure_sizes(
        SIZES,
        grow,
        lambda: _queries(client, reverse("mediation_ledger")),
        lambda response: (len(response.context["items"]), len(response.context["overdue"])),
    )
    print(f"QUERIES mediation_ledger {who}: {counts} rows {rows}")
    assert [r[0] for r in rows] == list(SIZES) and rows[1][1] > rows[0][1] > 0
    assert counts[0] == counts[1], f"ledger for {who}: {counts} queries with {SIZES} items"


@pytest.mark.parametrize("identity", ["masked", "full"])
def test_the_ledger_export_takes_as_many_queries_with_30_items_as_with_3(identity, client, world, clock):
    client.force_login(world.township_handler)
    params = {"identity": "full"} if identity == "full" else {}
    counts, rows = _measure(client, Items(world, clock), reverse("mediation_ledger_export"), params)
    print(f"QUERIES mediation_ledger_export {identity}: {counts} rows {rows}")
    assert rows == list(SIZES)
    assert counts[0] == counts[1], f"ledger export: {counts} queries with {SIZES} items"


class Mediations:
    """Opens mediations until there are `n`: 人民调解 at 柳林村 by its mediator, and every other one a
    petition the county office sends to the committee (条例 §33), linked to its case."""

    def __init__(self, world, register_case, dispatcher, clock):
        self.world, self.register_case, self.dispatcher, self.clock = world, register_case, dispatcher, clock
        self.made = 0

    def __call__(self, n: int) -> None:
        self.clock.set(TODAY)
        for i in range(self.made, n):
            if i % 2:
                services.mediation_from_case(case=self.register_case(), actor=self.dispatcher,
                                             organ=self.world.committee, kind=MediationKind.PEOPLE,
                                             respondents=["某物业公司"])  # fmt: skip
            else:
                people_mediation(self.world)
        self.made = n


@pytest.mark.parametrize("identity", ["masked", "full"])
@pytest.mark.parametrize("who", ["dispatcher_zhou", "township_handler"])
def test_the_mediation_register_export_takes_as_many_queries_with_30_mediations_as_with_3(
    who, identity, client, world, register_case, dispatcher_zhou, clock
):
    """The county office sees the mediations it sent (their cases); the township sees its territory's
    mediations, those linked to a case it may not see left out."""
    client.force_login(dispatcher_zhou if who == "dispatcher_zhou" else world.township_handler)
    grow = Mediations(world, register_case, dispatcher_zhou, clock)
    params = {"identity": "full"} if identity == "full" else {}
    counts, rows = _measure(client, grow, reverse("mediation_register_export"), params)
    print(f"QUERIES mediation_register_export {who} {identity}: {counts} rows {rows}")
    assert rows == ([2, 15] if who == "township_handler" else list(SIZES))
    assert counts[0] == counts[1], f"register for {who}: {counts} queries with {SIZES} mediations"


class Rounds:
    """Opens 东城镇's monthly rounds back from December 2025 until there are `n` — one in three by the
    monthly schedule (no opener), the rest by the township — and in each, 柳林村 files an item and
    杨家村 a 零报告."""

    def __init__(self, world, org, clock):
        self.world, self.org, self.clock, self.made = world, org, clock, 0

    def __call__(self, n: int) -> None:
        w = self.world
        for i in range(self.made, n):
            period = date(2025 - (i // 12), 12 - (i % 12), 1)
            self.clock.set(period)
            if i % 3 == 2:
                (rnd,) = services.rounds_open_monthly(today=services.first_working_day(period))
            else:
                rnd = services.round_open(township=self.org.township, period=period, actor=w.township_handler)
            services.item_report(actor=w.grid_worker, territory=w.grid, kind="neighbour", summary="排水沟",
                                 parties="张三", risk="ordinary", round=rnd)  # fmt: skip
            services.round_zero_report(round=rnd, point=w.other_village, actor=w.other_mediator)
        self.clock.set(TODAY)
        self.made = n


@pytest.mark.parametrize("fmt", ["page", "xlsx"])
def test_the_rounds_take_as_many_queries_with_30_rounds_as_with_3(fmt, client, org, world, clock):
    client.force_login(world.township_handler)
    params = {"format": "xlsx"} if fmt == "xlsx" else {}
    grow = Rounds(world, org, clock)
    counts, rows = measure_sizes(
        SIZES,
        grow,
        lambda: _queries(client, reverse("mediation_rounds"), params),
        lambda response: len(response.context["rounds"] if fmt == "page" else response.sheet_rows),
    )
    print(f"QUERIES mediation_rounds {fmt}: {counts} rows {rows}")
    assert rows == list(SIZES)
    assert counts[0] == counts[1], f"rounds {fmt}: {counts} queries with {SIZES} rounds"


class Work:
    """The committee's own work until there are `n` of each: ledger items assigned to its mediator, and
    人民调解 in progress with a session this week, every other one agreed with a follow-up due."""

    def __init__(self, world, clock):
        self.world, self.clock, self.items, self.made = world, clock, Items(world, clock), 0

    def __call__(self, n: int) -> None:
        from huiyin.mediation.choices import AgreementForm
        from huiyin.mediation.tests.conftest import add_session
        from huiyin.mediation.transitions import State

        self.items(n)
        self.clock.set(TODAY)
        w = self.world
        for i in range(self.made, n):
            m = people_mediation(w, state=State.IN_PROGRESS)
            add_session(m, w.mediator, TODAY - timedelta(days=1))
            if i % 2:
                services.agreement_sign(mediation=m, actor=w.mediator, form=AgreementForm.ORAL, facts="",
                                        obligations="各让三尺", performance_terms="", signed_on=TODAY,
                                        follow_up_on=TODAY + timedelta(days=2))  # fmt: skip
        self.made = n


@pytest.mark.parametrize("who", ["mediator", "grid_worker"])
def test_the_bench_takes_as_many_queries_with_30_of_each_as_with_3(who, client, world, clock):
    """调解台: my ledger items, my sessions this week, agreements to follow up, my open mediations."""
    client.force_login(getattr(world, who))
    grow = Work(world, clock)
    counts, rows = [], []
    keys = ("items", "sessions", "follow_ups", "open_mediations")
    for n in SIZES:
        grow(n)
        count, response = _queries(client, reverse("mediation_bench"))
        counts.append(count)
        rows.append(tuple(len(response.context[k]) for k in keys))
    print(f"QUERIES mediation_bench {who}: {counts} rows {rows}")
    assert all(a < b for a, b in zip(*rows, strict=True) if b)  # every list the viewer has grows
    assert counts[0] == counts[1], f"bench for {who}: {counts} queries with {SIZES} of each"


def test_a_rounds_points_take_as_many_queries_with_30_points_and_items_as_with_3(client, org, world, clock):
    """东城镇's round lists the township and each of its villages with the items each filed: villages are
    added until there are `n` points, and every point but the township files an item."""
    clock.set(date(2025, 12, 1))
    rnd = services.round_open(township=org.township, period=date(2025, 12, 1), actor=world.township_handler)
    client.force_login(world.township_handler)
    villages, filed = [world.village, world.other_village], 0
    counts, rows = [], []
    for n in SIZES:
        for i in range(len(villages) + 1, n):
            villages.append(Territory.objects.create(code=f"43012110030{i:02d}", name=f"新村{i}",
                                                     level=TerritoryLevel.VILLAGE, parent=org.township))  # fmt: skip
        for village in villages[filed:]:
            filed += 1
            services.item_report(actor=world.township_handler, territory=village, kind="neighbour",
                                 summary="排水沟堵塞", parties="张三", risk="ordinary", round=rnd)  # fmt: skip
        count, response = _queries(client, reverse("mediation_round", args=[rnd.pk]))
        counts.append(count)
        filed = sum(row["items"] for row in response.context["rows"])
        rows.append((len(response.context["rows"]), filed))
    print(f"QUERIES mediation_round: {counts} rows {rows}")
    assert rows == [(n, n - 1) for n in SIZES]
    assert counts[0] == counts[1], f"round: {counts} queries with {rows} points and items"


def test_a_ledger_items_page_takes_as_many_queries_with_30_notes_as_with_3(client, world, clock):
    clock.set(date(2025, 11, 1))
    item = services.item_report(actor=world.grid_worker, territory=world.grid, kind="neighbour",
                                summary="排水沟堵塞", parties="张三、李四", risk="ordinary")  # fmt: skip
    services.item_assign(item=item, actor=world.township_handler, unit=world.committee, person=world.mediator,
                         due_on=date(2025, 12, 31))  # fmt: skip
    authors = [world.mediator, world.township_handler, world.grid_worker]
    client.force_login(world.township_handler)
    counts, rows, made = [], [], 0
    for n in SIZES:
        for i in range(made, n):
            services.item_note(item=item, actor=authors[i % 3], text=f"第{i}次上门协调")
        made = n
        count, response = _queries(client, reverse("mediation_item", args=[item.pk]))
        counts.append(count)
        rows.append(len(response.context["notes"]))
    print(f"QUERIES mediation_item: {counts} rows {rows}")
    assert rows == [n + 1 for n in SIZES]  # and the assignment's own note
    assert counts[0] == counts[1], f"item: {counts} queries with {SIZES} notes"


def _mediation_with(world, n: int):
    """A 人民调解 at 柳林村 among `n` parties (every other one a respondent), all consenting, in
    progress with `n` sessions recorded by the mediator and the township's handler in turn."""
    parties = [
        services.PartyIn(f"当事人{i}", PartySide.RESPONDENT if i % 2 else PartySide.APPLICANT)
        for i in range(n)
    ]
    m = services.mediation_open(actor=world.mediator, kind=MediationKind.PEOPLE, organ=world.committee,
                                territory=world.village, dispute_kind="neighbour", summary="宅基地滴水檐之争",
                                parties=parties, mediators=[world.mediator])  # fmt: skip
    MediationParty.objects.filter(mediation=m).update(consent=Consent.GIVEN)
    m = services.mediation_start(mediation=m, actor=world.mediator)
    for i in range(n):
        services.session_record(mediation=m, actor=world.mediator, held_on=date(2025, 11, 1) + timedelta(days=i),
                                place="村部", attendees="各方当事人", record=f"第{i}次调解")  # fmt: skip
    return m


@pytest.mark.parametrize("page", ["mediation_detail", "mediation_dispute"])
def test_a_mediations_page_takes_as_many_queries_with_30_parties_and_sessions_as_with_3(
    page, client, world, clock
):
    """The mediation's own page lists its parties and sessions; its dispute's page each step's sessions."""
    clock.set(TODAY)
    client.force_login(world.mediator)
    counts, rows = [], []
    for n in SIZES:
        m = _mediation_with(world, n)
        count, response = _queries(client, reverse(page, args=[m.pk]))
        counts.append(count)
        ctx = response.context
        rows.append((len(ctx["parties"]), len(ctx["sessions"])) if page == "mediation_detail"
                    else (len(ctx["steps"]), len(ctx["steps"][0]["sessions"])))  # fmt: skip
    print(f"QUERIES {page}: {counts} rows {rows}")
    assert rows == ([(n, n) for n in SIZES] if page == "mediation_detail" else [(1, n) for n in SIZES])
    assert counts[0] == counts[1], f"{page}: {counts} queries with {SIZES} parties and sessions"


@pytest.mark.parametrize("who", ["township_handler", "mediator"])
def test_the_metrics_take_as_many_queries_with_30_mediations_as_with_3(who, client, world, clock):
    """化解成效: mediations agreed at the village in December, ledger items and a round's reports; every
    figure is a count over the user's scope, so each is read in its own fixed set of queries."""
    client.force_login(getattr(world, who))
    items = Items(world, clock)
    counts, rows, made = [], [], 0
    for n in SIZES:
        items(n)
        clock.set(TODAY)
        for _i in range(made, n):
            m = _mediation_with(world, 2)
            services.agreement_sign(mediation=m, actor=world.mediator, form=AgreementForm.ORAL, facts="",
                                    obligations="各让三尺", performance_terms="", signed_on=TODAY,
                                    follow_up_on=TODAY + timedelta(days=30))  # fmt: skip
        made = n
        count, response = _queries(client, reverse("mediation_metrics"), {"month": "2025-12"})
        counts.append(count)
        rows.append(sum(k for _level, k in response.context["levels"]))
    print(f"QUERIES mediation_metrics {who}: {counts} resolved {rows}")
    assert rows == list(SIZES)
    assert counts[0] == counts[1], f"metrics for {who}: {counts} queries with {SIZES} mediations"
