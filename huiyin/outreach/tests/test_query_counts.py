"""Issue 15: an outreach list's number of queries does not grow with its rows. The 民情日记 (page and
export), the 公开承诺 (page and export), the 走访覆盖 (page and ?format=xlsx), the 联系点 map, the 民情恳谈会
(list and a meeting's issues), 为民办实事 (staff and public), the consultations (lists and a draft's
comments, staff and public), a diary entry's problems and follow-ups, a promise's updates (staff) and
the portal's 践诺公开 (list and a promise's updates) are each measured
with 3 rows and again with 30, and the two counts must be equal — an N+1 (a query per row) makes the
second larger and fails here."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from huiyin.cases.exports import WITHHELD
from huiyin.cases.tests.exporting import counted_get, measure_sizes
from huiyin.org.models import User
from huiyin.outreach import services
from huiyin.outreach.choices import CommitmentAction, PairingKind
from huiyin.outreach.models import Pairing

pytestmark = pytest.mark.django_db

SIZES = (3, 30)
DAY = date(2025, 3, 3)


def _measure(client, grow, url: str, params, rows_of) -> tuple[list[int], list[int]]:
    return measure_sizes(SIZES, grow, lambda: _queries(client, url, params), rows_of)


def _queries(client, url: str, params: dict[str, object] | None = None) -> tuple[int, object]:
    return counted_get(client, url, params, skip=1)


class Entries:
    """Writes 柳林村 diary entries until there are `n`, each with two problems found; in every third
    entry one problem becomes an accusation against the township government (条例 §30¶3: its staff may
    not read that entry), registered with the person's consent."""

    def __init__(self, make_entry, grid_ma, org, clock):
        self.make_entry, self.grid_ma, self.org, self.clock = make_entry, grid_ma, org, clock
        self.made = 0

    def __call__(self, n: int) -> None:
        self.clock.set(DAY)
        for i in range(self.made, n):
            entry = self.make_entry(problems=[f"村口道路塌陷{i}", f"路灯不亮{i}"])
            if i % 3 == 0:
                data = services.CaseFromProblemIn(
                    title="截留补助", request="请查处", person_name="李某", consent_given=True,
                    consent_note="当面口头同意", petition_type="accusation", accused_person="某镇干部",
                )  # fmt: skip
                data.accused_unit_id = self.org.township_gov.pk
                problem = entry.problems.order_by("id").first()
                services.problem_to_case(problem=problem, data=data, actor=self.grid_ma)
        self.made = n


@pytest.fixture
def township_staff(org):
    """A handler of 东城镇人民政府: reads the township's diaries, but not the entries about accusations
    against his own government."""
    return User.objects.create_user(username="town_h", password="x", unit=org.township_gov, role="handler")


READERS = ["grid_ma", "township_dispatcher", "township_staff", "supervisor_chen"]


@pytest.mark.parametrize("who", READERS)
def test_the_diary_takes_as_many_queries_with_30_entries_as_with_3(
    who, request, client, make_entry, grid_ma, org, clock
):
    client.force_login(request.getfixturevalue(who))
    grow = Entries(make_entry, grid_ma, org, clock)
    counts, rows = _measure(
        client, grow, reverse("outreach_diary"), None, lambda r: len(r.context["entries"])
    )
    print(f"QUERIES outreach_diary {who}: {counts} rows {rows}")
    assert rows == list(SIZES)
    assert counts[0] == counts[1], f"diary for {who}: {counts} queries with {SIZES} entries"


@pytest.mark.parametrize("identity", ["masked", "full"])
@pytest.mark.parametrize("who", READERS)
def test_the_diary_export_takes_as_many_queries_with_30_entries_as_with_3(
    who, identity, request, client, make_entry, grid_ma, org, clock
):
    """Each entry is read as its page reads it (selectors.entry_redacted): the author reads every entry
    whole; the township's staff and office (the accused side) and the county's supervisor (the
    accused's superior, not deciding it) have each accusation's entry withheld (条例 §30¶3)."""
    client.force_login(request.getfixturevalue(who))
    grow = Entries(make_entry, grid_ma, org, clock)
    params = {"identity": "full"} if identity == "full" else {}
    heard = 6  # the column 听到的情况

    def rows_of(response) -> tuple[int, int]:
        return len(response.sheet_rows), sum(r[heard] == WITHHELD for r in response.sheet_rows)

    counts, rows = _measure(client, grow, reverse("outreach_diary_export"), params, rows_of)
    print(f"QUERIES outreach_diary_export {who} {identity}: {counts} rows, withheld {rows}")
    assert rows == ([(3, 0), (30, 0)] if who == "grid_ma" else [(3, 1), (30, 10)])
    assert counts[0] == counts[1], f"diary export for {who}: {counts} queries with {SIZES} entries"


class Commitments:
    """住建局's head publishes promises for 东城镇 until there are `n`; one in three is kept, one in three
    broken, the rest ongoing."""

    def __init__(self, org, head, clock):
        self.org, self.head, self.clock, self.made = org, head, clock, 0

    def __call__(self, n: int) -> None:
        self.clock.set(DAY)
        for i in range(self.made, n):
            c = services.commitment_publish(
                data=services.CommitmentIn(
                    f"修复道路{i}", "柳林村群众", "道路通行", DAY + timedelta(days=30 + i), self.org.township
                ),
                actor=self.head,
            )
            if i % 3:
                action = CommitmentAction.FULFIL if i % 3 == 1 else CommitmentAction.BREAK
                services.commitment_act(
                    commitment=c, action=action, text="已办", progress=100, actor=self.head
                )
        self.made = n


@pytest.mark.parametrize("page", ["outreach_commitments", "outreach_commitments_export"])
@pytest.mark.parametrize("who", ["head_sun_unit_a", "supervisor_chen"])
def test_the_commitments_take_as_many_queries_with_30_promises_as_with_3(
    who, page, request, client, org, head_sun_unit_a, clock
):
    client.force_login(request.getfixturevalue(who))
    grow = Commitments(org, head_sun_unit_a, clock)
    rows_of = (
        (lambda r: len(r.sheet_rows)) if page.endswith("export") else (lambda r: len(r.context["items"]))
    )
    counts, rows = _measure(client, grow, reverse(page), None, rows_of)
    print(f"QUERIES {page} {who}: {counts} rows {rows}")
    assert rows == list(SIZES)
    assert counts[0] == counts[1], f"{page} for {who}: {counts} queries with {SIZES} promises"


class Pairings:
    """Adds liaison points in 柳林村 and pairs each until there are `n` pairings — by turns a cadre's
    household pairing (the grid worker), 住建局's village pairing (no person named) and a leader's point
    (住建局's head) — every other one visited this month."""

    KINDS = (PairingKind.CADRE_HOUSEHOLD, PairingKind.DEPT_VILLAGE, PairingKind.LEADER_POINT)

    def __init__(self, org, head, grid_ma, village_committee, make_entry, clock):
        self.org, self.head, self.grid_ma, self.committee = org, head, grid_ma, village_committee
        self.make_entry, self.clock = make_entry, clock
        self.made = Pairing.objects.count()  # make_entry's own pairing (the grid worker's household)

    def __call__(self, n: int) -> None:
        self.clock.set(DAY)
        for i in range(self.made, n):
            point = services.point_create(kind="village", name=f"柳林村{i}组", territory=self.org.village,
                                          actor=self.head)  # fmt: skip
            kind = self.KINDS[i % 3]
            unit, cadre = {
                PairingKind.CADRE_HOUSEHOLD: (self.committee, self.grid_ma),
                PairingKind.DEPT_VILLAGE: (self.org.unit_a, None),
                PairingKind.LEADER_POINT: (self.org.unit_a, self.head),
            }[kind]
            pairing = services.pairing_create(kind=kind, point=point, unit=unit, cadre=cadre,
                                              starts_on=date(2025, 1, 1), ends_on=None, actor=self.head)  # fmt: skip
            if i % 2:
                self.make_entry(pairing_=pairing, actor=cadre or self.head)
        self.made = n


@pytest.mark.parametrize("fmt", ["page", "xlsx"])
def test_the_coverage_takes_as_many_queries_with_30_pairings_as_with_3(
    fmt, client, org, head_sun_unit_a, grid_ma, village_committee, make_entry, supervisor_chen, clock
):
    client.force_login(supervisor_chen)
    grow = Pairings(org, head_sun_unit_a, grid_ma, village_committee, make_entry, clock)
    params = {"on": DAY.isoformat()} | ({"format": "xlsx"} if fmt == "xlsx" else {})
    rows_of = (lambda r: len(r.sheet_rows) - 1) if fmt == "xlsx" else (lambda r: len(r.context["rows"]))
    counts, rows = _measure(client, grow, reverse("outreach_coverage"), params, rows_of)
    print(f"QUERIES outreach_coverage {fmt}: {counts} rows {rows}")
    assert rows == list(SIZES)
    assert counts[0] == counts[1], f"coverage {fmt}: {counts} queries with {SIZES} pairings"


def test_the_liaison_map_takes_as_many_queries_with_30_points_as_with_3(
    client, org, head_sun_unit_a, grid_ma, village_committee, make_entry, supervisor_chen, clock
):
    """联系点 (the outreach home): townships › villages › points, each with its pairings and last visit."""
    client.force_login(supervisor_chen)
    grow = Pairings(org, head_sun_unit_a, grid_ma, village_committee, make_entry, clock)

    def points(response) -> int:
        return sum(len(v.points) for b in response.context["blocks"] for v in b.villages)

    counts, rows = _measure(client, grow, reverse("outreach_home"), None, points)
    print(f"QUERIES outreach_home: {counts} points {rows}")
    assert rows == list(SIZES)
    assert counts[0] == counts[1], f"liaison map: {counts} queries with {SIZES} points"


class Meetings:
    """Records 民情恳谈会 until there are `n`: by turns the grid worker's at 柳林村 and 住建局's head's at
    东城镇, each with two issues."""

    def __init__(self, org, grid_ma, head, clock):
        self.org, self.grid_ma, self.head, self.clock, self.made = org, grid_ma, head, clock, 0

    def __call__(self, n: int) -> None:
        self.clock.set(DAY)
        for i in range(self.made, n):
            actor, territory = (self.head, self.org.township) if i % 2 else (self.grid_ma, self.org.village)
            services.meeting_create(data=services.MeetingIn(kind="talk", title=f"恳谈{i}", held_on=DAY, place="村部",
                                                            territory=territory, attendees="村民代表12人",
                                                            issues=[f"灌溉渠堵塞{i}", "希望修路"]),
                                    actor=actor)  # fmt: skip
        self.made = n


def test_the_meetings_take_as_many_queries_with_30_meetings_as_with_3(
    client, org, grid_ma, head_sun_unit_a, supervisor_chen, clock
):
    client.force_login(supervisor_chen)
    grow = Meetings(org, grid_ma, head_sun_unit_a, clock)
    counts, rows = _measure(
        client, grow, reverse("outreach_meetings"), None, lambda r: len(r.context["items"])
    )
    print(f"QUERIES outreach_meetings: {counts} rows {rows}")
    assert rows == list(SIZES)
    assert counts[0] == counts[1], f"meetings: {counts} queries with {SIZES} meetings"


def _meeting_with(org, grid_ma, head, n: int):
    """A meeting at 柳林村 with `n` issues: one in three answered on the spot, one in three registered as a
    case with consent, one in three answered with 住建局's public promise."""
    m = services.meeting_create(data=services.MeetingIn(kind="talk", title="春耕用水恳谈", held_on=DAY, place="村部",
                                                        territory=org.village, attendees="村民代表12人",
                                                        issues=[f"问题{i}" for i in range(n)]),
                                actor=grid_ma)  # fmt: skip
    for i, issue in enumerate(m.issues.order_by("id")):
        if i % 3 == 0:
            services.meeting_issue_answer(issue=issue, answer="镇水利站本周清淤", actor=grid_ma)
        elif i % 3 == 1:
            data = services.CaseFromProblemIn(title=f"问题{i}", request="请处理", person_name="王大姐",
                                              consent_given=True, consent_note="会上当面同意")  # fmt: skip
            services.meeting_issue_to_case(issue=issue, data=data, actor=grid_ma)
        else:
            data = services.CommitmentIn(
                f"修复村道{i}", "柳林村村民", "村道修复通车", date(2025, 6, 30), org.village
            )
            services.meeting_issue_to_commitment(issue=issue, data=data, actor=head)
    return m


def test_a_meetings_page_takes_as_many_queries_with_30_issues_as_with_3(
    client, org, grid_ma, township_office, head_sun_unit_a, clock
):
    clock.set(DAY)
    client.force_login(grid_ma)
    counts, rows = [], []
    for n in SIZES:
        m = _meeting_with(org, grid_ma, head_sun_unit_a, n)
        count, response = _queries(client, reverse("outreach_meeting", args=[m.pk]))
        counts.append(count)
        rows.append(len(response.context["issues"]))
    print(f"QUERIES outreach_meeting: {counts} rows {rows}")
    assert rows == list(SIZES)
    assert counts[0] == counts[1], f"meeting: {counts} queries with {SIZES} issues"


@pytest.fixture
def leader_liu(org):
    """A county leader: decides which proposals go on the year's 为民办实事 list."""
    return User.objects.create_user(username="leader_liu", password="x", unit=org.county_gov, role="leader")


class Proposals:
    """The public proposes 为民办实事 for 柳林村 until there are `n`; the county leader puts one in three on
    the year's list (住建局 owning its promise) and declines one in three with a reason."""

    def __init__(self, org, leader, clock):
        self.org, self.leader, self.clock, self.made = org, leader, clock, 0

    def __call__(self, n: int) -> None:
        self.clock.set(DAY)
        for i in range(self.made, n):
            p = services.proposal_submit(contact=f"138{i:08d}", title=f"修建便民桥{i}", description="学生上学绕行",
                                         territory=self.org.village)  # fmt: skip
            if i % 3 == 1:
                data = services.SelectionIn(owner=self.org.unit_a, year=2025, budget=Decimal("45.00"),
                                            measure="便民桥建成通行", due_on=date(2025, 10, 31),
                                            beneficiaries="柳林村群众")  # fmt: skip
                services.proposal_select(proposal=p, data=data, actor=self.leader)
            elif i % 3 == 2:
                services.proposal_decline(proposal=p, reason="已纳入省道改造计划", actor=self.leader)
        self.made = n


@pytest.mark.parametrize("page", ["outreach_projects", "portal_projects"])
def test_the_projects_take_as_many_queries_with_30_proposals_as_with_3(page, client, org, leader_liu, clock):
    """The leader's list (each proposal with its decision form) and the portal's (anonymous)."""
    if page == "outreach_projects":
        client.force_login(leader_liu)
    grow = Proposals(org, leader_liu, clock)
    counts, rows = _measure(client, grow, reverse(page), None, lambda r: len(r.context["proposals"]))
    print(f"QUERIES {page}: {counts} rows {rows}")
    assert rows == list(SIZES)
    assert counts[0] == counts[1], f"{page}: {counts} queries with {SIZES} proposals"


class Consultations:
    """住建局's head publishes drafts for 东城镇 until there are `n`, each with two comments."""

    def __init__(self, org, head, clock):
        self.org, self.head, self.clock, self.made = org, head, clock, 0

    def __call__(self, n: int) -> None:
        self.clock.set(DAY)
        for i in range(self.made, n):
            c = services.consultation_publish(title=f"安置区选址方案{i}", draft="拟在村东荒地建设……",
                                              territory=self.org.township, opens_on=DAY,
                                              closes_on=DAY + timedelta(days=28), actor=self.head)  # fmt: skip
            for j in range(2):
                services.consultation_comment(
                    consultation=c, contact=f"139{i:04d}{j:04d}", text="建议增设停车位"
                )
        self.made = n


@pytest.mark.parametrize("page", ["outreach_consultations", "portal_consultations"])
def test_the_consultations_take_as_many_queries_with_30_drafts_as_with_3(
    page, client, org, head_sun_unit_a, clock
):
    if page == "outreach_consultations":
        client.force_login(head_sun_unit_a)
    grow = Consultations(org, head_sun_unit_a, clock)
    counts, rows = _measure(client, grow, reverse(page), None, lambda r: len(r.context["items"]))
    print(f"QUERIES {page}: {counts} rows {rows}")
    assert rows == list(SIZES)
    assert counts[0] == counts[1], f"{page}: {counts} queries with {SIZES} drafts"


def _consultation_with(org, head, n: int):
    """A draft with `n` comments (every other one named by its author, and answered) and a hearing."""
    c = services.consultation_publish(title="安置区选址方案", draft="拟在村东荒地建设……", territory=org.township,
                                      opens_on=DAY, closes_on=DAY + timedelta(days=28), actor=head)  # fmt: skip
    for i in range(n):
        comment = services.consultation_comment(consultation=c, contact=f"137{n:02d}{i:06d}", text=f"意见{i}",
                                                public_name="李建国" if i % 2 else "")  # fmt: skip
        if i % 2:
            services.comment_respond(comment=comment, response="adopted", reason="已增设停车位", actor=head)
    services.hearing_record(consultation=c, held_on=DAY + timedelta(days=1), place="镇政府会议室",
                            participants="村民代表9人", minutes="听证会对选址方案进行了讨论", actor=head)  # fmt: skip
    return c


@pytest.mark.parametrize("page", ["outreach_consultation", "portal_consultation"])
def test_a_consultations_page_takes_as_many_queries_with_30_comments_as_with_3(
    page, client, org, head_sun_unit_a, clock
):
    clock.set(DAY)
    if page == "outreach_consultation":
        client.force_login(head_sun_unit_a)
    counts, rows = [], []
    for n in SIZES:
        c = _consultation_with(org, head_sun_unit_a, n)
        count, response = _queries(client, reverse(page, args=[c.pk]))
        counts.append(count)
        rows.append(response.content.decode().count('data-testid="comment"'))
    print(f"QUERIES {page}: {counts} rows {rows}")
    assert rows == list(SIZES)
    assert counts[0] == counts[1], f"{page}: {counts} queries with {SIZES} comments"


def test_the_public_commitments_take_as_many_queries_with_30_promises_as_with_3(
    client, org, head_sun_unit_a, clock
):
    """践诺公开 on the portal: every promise with its status and rating count, the overall figures and each
    unit's."""
    grow = Commitments(org, head_sun_unit_a, clock)
    counts, rows = _measure(
        client, grow, reverse("portal_commitments"), None, lambda r: len(r.context["items"])
    )
    print(f"QUERIES portal_commitments: {counts} rows {rows}")
    assert rows == list(SIZES)
    assert counts[0] == counts[1], f"public commitments: {counts} queries with {SIZES} promises"


def test_a_public_promises_page_takes_as_many_queries_with_30_updates_and_ratings_as_with_3(
    client, org, head_sun_unit_a, clock
):
    clock.set(DAY)
    counts, rows = [], []
    for n in SIZES:
        c = services.commitment_publish(data=services.CommitmentIn(f"修复道路{n}", "柳林村群众", "道路通行",
                                                                   DAY + timedelta(days=60), org.township), actor=head_sun_unit_a)  # fmt: skip
        for i in range(n):  # progress reported, the last time kept (then it may be rated)
            action = CommitmentAction.FULFIL if i == n - 1 else CommitmentAction.PROGRESS
            services.commitment_act(commitment=c, action=action, text=f"第{i}段完工", progress=3 * i,
                                    actor=head_sun_unit_a)  # fmt: skip
        for i in range(n):
            services.commitment_rate(commitment=c, contact=f"136{n:02d}{i:06d}", fulfilment="yes",
                                     satisfaction="satisfied")  # fmt: skip
        count, response = _queries(client, reverse("portal_commitment", args=[c.pk]))
        counts.append(count)
        rows.append((len(response.context["updates"]), response.context["n_ratings"]))
    print(f"QUERIES portal_commitment: {counts} rows {rows}")
    assert rows == [(n, n) for n in SIZES]
    assert counts[0] == counts[1], f"public promise: {counts} queries with {SIZES} updates and ratings"


def test_a_diary_entrys_page_takes_as_many_queries_with_30_problems_and_follow_ups_as_with_3(
    client, make_entry, grid_ma, township_office, township_dispatcher, clock
):
    """An entry's problems — one in three answered on the spot, one in three registered as a case (its
    office named) — and its follow-ups by the grid worker and the township office in turn."""
    clock.set(DAY)
    client.force_login(grid_ma)
    counts, rows = [], []
    for n in SIZES:
        entry = make_entry(problems=[f"问题{i}" for i in range(n)])
        for i, problem in enumerate(entry.problems.order_by("id")):
            if i % 3 == 0:
                services.problem_answer(problem=problem, answer="已当场解释政策", actor=grid_ma)
            elif i % 3 == 1:
                data = services.CaseFromProblemIn(title=f"问题{i}", request="请处理", person_name="张大爷",
                                                  consent_given=True, consent_note="当面口头同意")  # fmt: skip
                services.problem_to_case(problem=problem, data=data, actor=grid_ma)
            author = grid_ma if i % 2 else township_dispatcher
            services.followup_add(entry=entry, text=f"第{i}次回访", actor=author)
        count, response = _queries(client, reverse("outreach_entry", args=[entry.pk]))
        counts.append(count)
        rows.append((len(response.context["problems"]), len(response.context["followups"])))
    print(f"QUERIES outreach_entry: {counts} problems, follow-ups {rows}")
    assert rows == [(n, n) for n in SIZES]
    assert counts[0] == counts[1], f"entry: {counts} queries with {SIZES} problems and follow-ups"


def test_a_promises_staff_page_takes_as_many_queries_with_30_updates_as_with_3(
    client, org, head_sun_unit_a, handler_wang_unit_a, clock
):
    """住建局's head and handler report progress in turn (each update names who reported it)."""
    clock.set(DAY)
    client.force_login(head_sun_unit_a)
    counts, rows = [], []
    for n in SIZES:
        data = services.CommitmentIn(
            f"修复道路{n}", "柳林村群众", "道路通行", DAY + timedelta(days=60), org.township
        )
        c = services.commitment_publish(data=data, actor=head_sun_unit_a)
        for i in range(n):
            actor = head_sun_unit_a if i % 2 else handler_wang_unit_a
            services.commitment_act(commitment=c, action=CommitmentAction.PROGRESS, text=f"第{i}段完工",
                                    progress=3 * i, actor=actor)  # fmt: skip
        count, response = _queries(client, reverse("outreach_commitment", args=[c.pk]))
        counts.append(count)
        rows.append(len(response.context["updates"]))
    print(f"QUERIES outreach_commitment: {counts} updates {rows}")
    assert rows == list(SIZES)
    assert counts[0] == counts[1], f"promise page: {counts} queries with {SIZES} updates"
