"""Issue 15: the 督办 screens' number of queries does not grow with their rows. Each list — the
supervisor's candidates, the 督办单, a unit's record, the suggestions — and its .xlsx export is measured
with 3 records and again with 55 (more than a page of 50), and the two counts must be equal: an N+1 (a
query per row) makes the second larger and fails here."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse

from huiyin.cases.tests.exporting import counted_get, measure_sizes
from huiyin.supervision import services
from huiyin.supervision import suggestions as svc
from huiyin.supervision.models import Suggestion, SupervisionCandidate, SupervisionOrder
from huiyin.workflow import services as wf
from huiyin.workflow.clocks import sweep_clocks

pytestmark = pytest.mark.django_db

SIZES = (3, 55)  # 55: more than the candidate and suggestion pages of 50
DAY = date(2025, 3, 3)  # a Monday; a 10-day deadline is red by the 14th
LATER = DAY + timedelta(days=12)


def _count(client, url: str, params: dict[str, str] | None = None) -> tuple[int, object]:
    """The queries of one GET and its response, or a streamed .xlsx's rows (read inside the count)."""
    count, response = counted_get(client, url, params)
    return count, (response.sheet_rows if response.streaming else response)


class Supervised:
    """Adds cases until there are `n`, each assigned to unit A, overdue (the sweep finds it: a
    candidate), with a 督办 order to unit A (every other one answered) — through the services."""

    def __init__(self, request, register_case, clock):
        self.request, self.register_case, self.clock = request, register_case, clock
        self.made = 0

    def __call__(self, n: int) -> None:
        who = self.request.getfixturevalue
        org, dispatcher, supervisor = who("org"), who("dispatcher_zhou"), who("supervisor_chen")
        handler = who("handler_wang_unit_a")
        fresh = []
        self.clock.set(DAY)
        for _ in range(n - self.made):
            case = wf.case_accept(case=self.register_case(), actor=dispatcher)
            fresh.append(
                wf.case_assign(
                    case=case, actor=dispatcher, unit=org.unit_a, deadline=DAY + timedelta(days=10)
                )
            )
        self.clock.set(LATER)
        sweep_clocks()
        services.sweep_supervision()  # 条例 §40: the overdue cases become candidates
        for i, case in enumerate(fresh, start=self.made):
            order = services.order_issue(
                case=case, actor=supervisor, instructions="限期办理", due_on=LATER + timedelta(days=5)
            )
            if i % 2:
                services.order_answer(order=order, actor=handler, answer="已督促物业维修")
        self.made = n


def _supervision_sizes(request, register_case, clock, measure) -> None:
    grow = Supervised(request, register_case, clock)
    counts, rows = [], []
    for n in SIZES:
        grow(n)
        count, listed = measure()
        counts.append(count)
        rows.append(listed)
    print(f"QUERIES {request.node.name}: {counts} rows {rows}")
    assert rows[0] < rows[1]  # the rows did grow (more than a page where the list pages)
    assert counts[0] == counts[1], f"{counts} queries with {SIZES} records"


def test_the_candidate_list_takes_as_many_queries_with_55_candidates_as_with_3(
    request, client, register_case, clock, supervisor_chen
):
    client.force_login(supervisor_chen)

    def measure():
        count, response = _count(client, reverse("supervision"))
        assert response.context["page"].paginator.count == SupervisionCandidate.objects.count()
        return count, (len(response.context["candidates"]), len(response.context["orders"]))

    _supervision_sizes(request, register_case, clock, measure)
    assert SupervisionCandidate.objects.count() > 50  # more than one page of candidates


def test_a_units_orders_on_the_supervision_page_take_as_many_queries_with_55_as_with_3(
    request, client, register_case, clock, handler_wang_unit_a
):
    client.force_login(handler_wang_unit_a)  # not a supervisor: the orders addressed to the unit

    def measure():
        count, response = _count(client, reverse("supervision"))
        return count, len(response.context["orders"])

    _supervision_sizes(request, register_case, clock, measure)


@pytest.mark.parametrize("who", ["handler_wang_unit_a", "supervisor_chen"])
def test_a_units_record_takes_as_many_queries_with_55_orders_as_with_3(
    who, request, client, register_case, clock, org
):
    client.force_login(request.getfixturevalue(who))  # its own unit; an overseer picks unit A

    def measure():
        count, response = _count(client, reverse("supervision_unit_record"), {"unit": str(org.unit_a.pk)})
        assert response.context["counts"]["answered"] >= 1
        return count, len(response.context["orders"])

    _supervision_sizes(request, register_case, clock, measure)


@pytest.mark.parametrize(
    "who, params",
    [
        ("supervisor_chen", {"list": "candidates"}),
        ("supervisor_chen", {"list": "orders"}),
        ("handler_wang_unit_a", {"list": "orders"}),
        ("handler_wang_unit_a", {"list": "record"}),
        ("supervisor_chen", {"list": "record", "unit": "unit_a"}),
    ],
)
def test_each_supervision_export_takes_as_many_queries_with_55_rows_as_with_3(
    who, params, request, client, register_case, clock, org
):
    client.force_login(request.getfixturevalue(who))
    params = {k: (str(org.unit_a.pk) if v == "unit_a" else v) for k, v in params.items()}

    def measure():
        count, rows = _count(client, reverse("supervision_export"), params)
        return count, len(rows)

    _supervision_sizes(request, register_case, clock, measure)


def test_a_full_identity_orders_export_takes_as_many_queries_with_55_rows_as_with_3(
    request, client, register_case, clock, supervisor_chen
):
    """Unmasked, each case is audited: bulk-written, one INSERT for the batch, not one per case."""
    client.force_login(supervisor_chen)

    def measure():
        count, rows = _count(client, reverse("supervision_export"), {"list": "orders", "identity": "full"})
        return count, len(rows)

    _supervision_sizes(request, register_case, clock, measure)
    assert SupervisionOrder.objects.count() == SIZES[1]


# --- 建议及采纳情况 (条例 §40¶2–4) -------------------------------------------------------------------


class Suggested:
    """Adds suggestions of the county office until there are `n`: to unit A and unit B in turn, every
    third about a case, every other one to unit A answered in writing — through the services."""

    def __init__(self, request, register_case, clock):
        self.request, self.register_case, self.clock = request, register_case, clock
        self.made = 0

    def __call__(self, n: int) -> None:
        who = self.request.getfixturevalue
        org, dispatcher, head = who("org"), who("dispatcher_zhou"), who("head_sun_unit_a")
        for i in range(self.made, n):
            self.clock.set(DAY + timedelta(days=i % 20))
            to_unit = org.unit_a if i % 2 == 0 else org.unit_b
            case = self.register_case() if i % 3 == 0 else None
            made = svc.suggestion_issue(
                actor=dispatcher, to_unit=to_unit, kind="improve_work", content=f"建议{i}", case=case
            )
            if to_unit == org.unit_a and i % 4 == 0:
                svc.suggestion_feedback(suggestion=made, actor=head, adoption="adopted", feedback="已采纳")
        self.clock.set(DAY + timedelta(days=60))  # the unanswered ones are overdue by now
        self.made = n


# who looks -> what they see: the office (what it proposed), the organ (what it received, and answers)
VIEWERS = ("dispatcher_zhou", "handler_wang_unit_a", "supervisor_chen")


@pytest.mark.parametrize("who", VIEWERS)
@pytest.mark.parametrize("show", ["", "open", "overdue"])
def test_the_suggestions_list_takes_as_many_queries_with_55_suggestions_as_with_3(
    who, show, request, client, register_case, clock
):
    client.force_login(request.getfixturevalue(who))
    grow = Suggested(request, register_case, clock)
    counts, rows = measure_sizes(
        SIZES,
        grow,
        lambda: _count(client, reverse("supervision_suggestions"), {"show": show} if show else {}),
        lambda response: len(response.context["rows"]),
    )
    print(f"QUERIES suggestions {who} {show}: {counts} rows {rows}")
    assert rows[0] < rows[1]
    assert counts[0] == counts[1], f"{who} {show}: {counts} queries with {SIZES} suggestions"
    if who == "dispatcher_zhou" and not show:
        assert rows == [3, 50] and Suggestion.objects.count() > 50  # more than a page


@pytest.mark.parametrize("who", VIEWERS)
def test_the_suggestions_export_takes_as_many_queries_with_55_rows_as_with_3(
    who, request, client, register_case, clock
):
    client.force_login(request.getfixturevalue(who))
    grow = Suggested(request, register_case, clock)
    counts, rows = [], []
    for n in SIZES:
        grow(n)
        count, sheet = _count(client, reverse("supervision_suggestions"), {"format": "xlsx"})
        counts.append(count)
        rows.append(len(sheet))
    print(f"QUERIES suggestions export {who}: {counts} rows {rows}")
    assert rows[0] < rows[1]
    assert counts[0] == counts[1], f"{who}: {counts} queries with {SIZES} suggestions"


# --- the leader inbox (条例 §18¶2), the modules' candidates beside the cases', a case's own orders ----


def _leader(org):
    """County leader at the county government: takes 包案 cases, reads the leader inbox."""
    from huiyin.org.models import User

    return User.objects.create_user(
        username="leader_ma", full_name="马县长", unit=org.county_gov, role="leader"
    )


def test_the_leader_inbox_takes_as_many_queries_with_55_cases_as_with_3(
    request, client, register_case, clock, org, dispatcher_zhou
):
    """Each section grows: 包案 cases (with their clocks), disputes the leader's unit decides, letters to
    the leader mailbox — through the services."""
    leader = _leader(org)
    client.force_login(leader)
    clock.set(DAY)
    made = 0
    counts, rows = [], []
    for n in SIZES:
        for i in range(made, n):
            case = wf.case_accept(case=register_case(), actor=dispatcher_zhou)
            if i % 3 == 0:
                case = wf.case_assign(
                    case=case, actor=dispatcher_zhou, unit=org.unit_a, deadline=DAY + timedelta(days=20)
                )
                wf.case_attach_leader(case=case, actor=dispatcher_zhou, leader=leader, reason="群众反映强烈")
            elif i % 3 == 1:
                case = wf.case_forward(case=case, actor=dispatcher_zhou, unit=org.unit_a)
                wf.case_refer_dispute(case=case, actor=dispatcher_zhou, units=[org.unit_b], reason="争议")
            else:
                register_case(title="给县长的一封信", channel="mailbox")
        made = n
        count, response = _count(client, reverse("leader_inbox"))
        counts.append(count)
        rows.append([len(s["rows"]) for s in response.context["sections"]])
    print(f"QUERIES leader inbox: {counts} rows {rows}")
    assert all(few < many for few, many in zip(*rows, strict=True))  # every section grew
    assert counts[0] == counts[1], f"leader inbox: {counts} queries with {SIZES} cases"


def test_overdue_leader_instructions_on_the_supervision_page_take_as_many_queries_with_55_as_with_3(
    request, client, register_case, clock, org, dispatcher_zhou, supervisor_chen
):
    """领导批示 past their deadline are 督办 candidates of the reception module (issue 12 item 7),
    listed beside the cases' candidates."""
    from huiyin.reception.instructions import instruction_issue

    leader = _leader(org)
    client.force_login(supervisor_chen)
    made = 0
    counts, rows = [], []
    for n in SIZES:
        clock.set(DAY)
        for _ in range(made, n):
            case = wf.case_accept(case=register_case(), actor=dispatcher_zhou)
            case = wf.case_assign(
                case=case, actor=dispatcher_zhou, unit=org.unit_a, deadline=DAY + timedelta(days=30)
            )
            instruction_issue(
                case=case, actor=leader, text="请抓紧办理", deadline=DAY + timedelta(days=5), unit=org.unit_a
            )
        made = n
        clock.set(LATER)  # past the instructions' deadline
        count, response = _count(client, reverse("supervision"))
        counts.append(count)
        rows.append(len(response.context["module_candidates"]))
    print(f"QUERIES supervision module candidates: {counts} rows {rows}")
    assert rows == list(SIZES)
    assert counts[0] == counts[1], f"module candidates: {counts} queries with {SIZES} instructions"


@pytest.mark.parametrize("who", ["supervisor_chen", "handler_wang_unit_a"])
def test_a_cases_supervision_page_takes_as_many_queries_with_30_orders_as_with_3(
    who, request, client, register_case, clock, org, dispatcher_zhou, supervisor_chen, handler_wang_unit_a
):
    """A case's 督办单, the addressed unit's answers among them; the supervisor sees the order form, the
    unit the answer forms of the open ones."""
    clock.set(DAY)
    case = wf.case_accept(case=register_case(), actor=dispatcher_zhou)
    case = wf.case_assign(
        case=case, actor=dispatcher_zhou, unit=org.unit_a, deadline=DAY + timedelta(days=30)
    )
    client.force_login(request.getfixturevalue(who))
    url = reverse("case_supervision", kwargs={"code": case.code})
    made = 0
    counts, rows = [], []
    for n in (3, 30):
        clock.set(DAY + timedelta(days=1))
        for i in range(made, n):
            order = services.order_issue(
                case=case, actor=supervisor_chen, instructions=f"督办{i}", due_on=DAY + timedelta(days=10)
            )
            if i % 2:
                services.order_answer(order=order, actor=handler_wang_unit_a, answer="已办理")
        made = n
        count, response = _count(client, url)
        counts.append(count)
        rows.append(len(response.context["orders"]))
    print(f"QUERIES case supervision {who}: {counts} rows {rows}")
    assert rows == [3, 30]
    assert counts[0] == counts[1], f"case supervision page: {counts} queries with {rows} orders"


def test_overdue_screening_items_on_the_supervision_page_take_as_many_queries_with_55_as_with_3(
    client, clock, org, handler_wang_unit_a, supervisor_chen
):
    """矛盾纠纷排查 items past their date are 督办 candidates of the mediation module (条例 §40), listed
    beside the cases' candidates; reported and assigned through the mediation services."""
    from huiyin.mediation import services as mediation
    from huiyin.mediation.tests.conftest import make_world

    world = make_world(org, handler_wang_unit_a)
    client.force_login(supervisor_chen)
    made = 0
    counts, rows = [], []
    for n in SIZES:
        clock.set(date(2025, 12, 10))
        for i in range(made, n):
            item = mediation.item_report(
                actor=world.grid_worker, territory=world.grid, kind="land", summary=f"界桩{i}", parties="甲、乙",
                risk="serious",
            )  # fmt: skip
            mediation.item_assign(
                item=item, actor=world.township_handler, unit=world.committee, person=world.mediator,
                due_on=date(2025, 12, 12),
            )  # fmt: skip
        made = n
        clock.set(date(2025, 12, 20))  # past the items' date
        count, response = _count(client, reverse("supervision"))
        counts.append(count)
        rows.append(len(response.context["module_candidates"]))
    print(f"QUERIES supervision screening candidates: {counts} rows {rows}")
    assert rows == list(SIZES)
    assert counts[0] == counts[1], f"screening candidates: {counts} queries with {SIZES} items"
