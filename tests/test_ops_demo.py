"""`demo_data`: a county, an account for every role, and cases in every status through the workflow."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from stdnum.cn import ric

from huiyin.cases.choices import Status
from huiyin.cases.models import Case, CaseEvent, Petitioner
from huiyin.demo.rules import EXTRA_CASES
from huiyin.imports.models import ImportedCase
from huiyin.org.choices import Role, UnitKind
from huiyin.org.models import ResponsibilityRule, Unit, User
from huiyin.reception.models import HallReferral
from huiyin.workflow.choices import ClockState
from huiyin.workflow.models import Clock

pytestmark = pytest.mark.usefixtures("shipped_messages")  # fails loudly when ../shared is missing
SMALL = 60  # more than the number of stories, so every status appears


def _load(**options) -> str:
    out = StringIO()
    call_command("demo_data", cases=SMALL, seed=7, stdout=out, stderr=out, **options)
    return out.getvalue()


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """Build the demo once for this module (it takes seconds) and remove it afterwards."""
    from huiyin.demo.builder import reset_data

    with django_db_blocker.unblock():
        output = _load()
        yield output
        reset_data()


def test_the_demo_puts_cases_in_every_status_through_the_workflow(demo, db):
    output = demo
    statuses = set(Case.objects.values_list("status", flat=True))
    assert statuses == set(Status.values)
    # every case starts with a registration event and every status change has an event
    # and those of huiyin.demo.rules (t10-rules), plus the problems outreach's demo diaries turned into
    # cases (huiyin/outreach/demo.py)
    found = Case.objects.filter(outreach_problem__isnull=False).count()
    # and the historical ledger the imports demo brings in (huiyin/imports/demo.py), and the walk-ins
    # registered at the hall's windows (huiyin/reception/demo.py)
    imported = ImportedCase.objects.count()
    at_windows = HallReferral.objects.filter(case__isnull=False).count()
    assert found > 0 and imported > 0 and at_windows > 0
    assert Case.objects.count() == SMALL + EXTRA_CASES + found + imported + at_windows
    assert CaseEvent.objects.filter(event_type="register").count() == Case.objects.count()
    for case in Case.objects.exclude(status=Status.REGISTERED)[:20]:
        assert (
            case.events.exclude(to_status="").order_by("-created_at", "-id").first().to_status == case.status
        )
    assert "未能走完流程" not in output


def test_the_demo_has_an_account_for_every_role_and_prints_their_passwords(demo, db, settings):
    # the suite's conftest keeps only a fast test hasher; demo accounts use Django's default (PBKDF2)
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    output = demo
    assert set(User.objects.values_list("role", flat=True)) == set(Role.values)
    assert "demo-dispatcher" in output
    dispatcher = User.objects.get(username="dispatcher")
    assert dispatcher.check_password("demo-dispatcher")


def test_review_goes_to_the_county_government_and_rereview_to_the_city(demo, db):
    county_gov = Unit.objects.get(name="示范县人民政府")
    for unit in Unit.objects.filter(territory__level=3).exclude(pk=county_gov.pk):
        assert unit.parent is not None, unit.name
    assert county_gov.parent.name == "示范市人民政府"
    assert Unit.objects.filter(kind=UnitKind.PETITION_OFFICE, territory__level=4).count() >= 8
    reviewed = Case.objects.filter(review_unit__isnull=False)
    assert reviewed.exists()
    assert set(reviewed.values_list("review_unit__name", flat=True)) == {"示范县人民政府"}
    assert set(
        Case.objects.filter(rereview_unit__isnull=False).values_list("rereview_unit__name", flat=True)
    ) == {"示范市人民政府"}


def test_petitioners_have_valid_citizen_numbers(demo, db):
    numbers = [n for n in Petitioner.objects.values_list("id_number", flat=True) if n]
    assert numbers
    assert all(ric.is_valid(n) for n in numbers)


def test_clocks_show_yellow_red_and_met_after_the_sweep(demo, db):
    states = set(Clock.objects.values_list("state", flat=True))
    assert {ClockState.YELLOW, ClockState.RED, ClockState.MET} <= states
    assert Case.objects.filter(is_collective=True).exists()
    assert Case.objects.filter(accused_unit__isnull=False).exists()
    # ADR 0005: an online accusation named its accused in words; the office set the unit before routing
    assert CaseEvent.objects.filter(event_type="set_accused", case__channel="online").exists()
    assert Case.objects.filter(identity_unclear=True).exists()


def test_the_supervisor_has_candidates_and_orders_one_of_them_answered(demo, db):
    from huiyin.supervision.models import SupervisionCandidate, SupervisionOrder

    assert SupervisionCandidate.objects.filter(state="open").exists()
    orders = SupervisionOrder.objects.all()
    assert orders.count() == 4
    assert sorted(orders.values_list("state", flat=True)) == ["answered", "open", "open", "open"]
    assert all(o.candidate.state == "ordered" for o in orders)


def test_the_same_seed_gives_the_same_demo_and_reset_rebuilds_it(demo, db):
    first = list(Case.objects.order_by("code").values_list("code", "title", "status"))
    matrix = ResponsibilityRule.objects.filter(territory__isnull=True).count()
    with pytest.raises(CommandError):
        _load()  # data exists: refuses without --reset
    _load(reset=True)
    # the reset kept the seeded responsibility matrix (routing suggestions need it)
    assert matrix > 0 and ResponsibilityRule.objects.filter(territory__isnull=True).count() == matrix
    assert list(Case.objects.order_by("code").values_list("code", "title", "status")) == first


def test_if_empty_leaves_existing_data_alone(demo, db):
    before = Case.objects.count()
    output = _load(if_empty=True)
    assert Case.objects.count() == before
    assert "跳过" in output


def test_the_demo_has_matters_waiting_for_a_units_acceptance_and_a_request_waiting_for_a_head(demo, db):
    # 条例 §23¶3: a unit that received a 转送/交办 and has not yet accepted it (its 15 days running)
    from huiyin.workflow.choices import LIVE_STATES, ClockKind, ExtensionState
    from huiyin.workflow.models import ExtensionRequest

    assert Clock.objects.filter(kind=ClockKind.UNIT_ACCEPTANCE, state__in=LIVE_STATES).exists()
    # and accepted ones, whose 60 days started at the unit's acceptance (§34)
    assert CaseEvent.objects.filter(event_type="accept_assignment").exists()
    # §34: a handler's extension request waiting for the unit head
    pending = ExtensionRequest.objects.filter(state=ExtensionState.PENDING).select_related("case")
    assert pending.exists()
    assert all(p.case.status == Status.IN_HANDLING for p in pending)


def test_the_demo_fills_the_dashboards_roll_ups(demo, db):
    # every demo case is counted once, on its registration day, in the roll-ups the dashboards read
    from django.db.models import Sum

    from huiyin.analytics.models import BacklogSnapshot, DailyFact

    registered = DailyFact.objects.filter(metric="registered").aggregate(n=Sum("num"))["n"]
    assert registered == Case.objects.count()
    assert DailyFact.objects.filter(metric="handled_on_time").exists()
    assert BacklogSnapshot.objects.filter(overdue__gt=0).exists()


def test_the_demo_has_leaders_instructions_one_overdue_on_the_supervision_page_and_a_cancelled_session(
    demo, db, client
):
    from huiyin.reception.choices import SessionStatus
    from huiyin.reception.instructions import supervision_candidates
    from huiyin.reception.models import Instruction, Session

    assert Instruction.objects.filter(answered_at__isnull=False).count() == 1
    overdue = Instruction.objects.get(answered_at__isnull=True)
    supervisor = User.objects.get(username="supervisor")
    assert [c.label.split()[0] for c in supervision_candidates(supervisor)] == [overdue.case.code]
    client.force_login(supervisor)
    page = client.get("/supervision/").content.decode()
    assert "领导批示" in page and overdue.case.code in page
    assert Session.objects.filter(status=SessionStatus.CANCELLED).count() == 1


def _docx_text(data: bytes) -> str:
    import io

    from docx import Document as Docx

    doc = Docx(io.BytesIO(data))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def test_the_demo_has_last_months_bulletin_and_its_screens_show_it(demo, db, client):
    # SPEC §3.7, 条例 §39: the county's 通报 of the month just ended, generated by the county leader
    from huiyin.analytics.models import Document
    from huiyin.analytics.services import next_month, previous_month
    from huiyin.core import timeutil

    last_month = previous_month(timeutil.today())
    leader = User.objects.get(username="leader")
    doc = Document.objects.get(kind="bulletin", period=last_month, territory__name="示范县")
    assert doc.generated_by == leader
    assert doc.number == f"示范县信访通报〔{last_month.year}〕{last_month.month}号"
    text = _docx_text(bytes(doc.docx))
    assert "示范县信访工作联席会议办公室" in text and doc.title in text
    # real figures: the month's demo registrations, counted straight from the case table
    registered = Case.objects.filter(
        registered_at__date__gte=last_month, registered_at__date__lt=next_month(last_month)
    ).count()
    assert registered > 0
    assert f"共登记信访事项{registered}件" in text
    metrics = {r[0]: r for r in doc.figures["sections"]["主要指标"]["rows"]}
    assert metrics["登记件数"][1] == registered
    assert doc.figures["sections"]["办理单位排名"]["rows"]  # units ranked

    client.force_login(leader)
    page = client.get("/analytics/documents/")
    assert page.status_code == 200
    body = page.content.decode()
    assert doc.title in body and doc.number in body
    download = client.get(f"/analytics/documents/{doc.pk}.docx")
    assert download.status_code == 200 and download.content == bytes(doc.docx)
    dashboard = client.get("/analytics/", {"month": f"{last_month:%Y-%m}"})
    assert dashboard.status_code == 200
    shown = {row[0]: row for row in dashboard.context["tables"]["metrics"].rows}
    assert shown["登记件数"][1] == registered


def test_the_demo_held_a_closed_appraisal_round_and_its_results_show(demo, db, client):
    # SPEC §3.7 民主评议: invited petitioners and residents rated the county's departments last month
    from huiyin.analytics.models import SurveyAnswer, SurveyRound
    from huiyin.analytics.services import previous_month
    from huiyin.core import timeutil

    r = SurveyRound.objects.get()
    last_month = previous_month(timeutil.today())
    assert r.closed_on is not None and r.closed_on.replace(day=1) == last_month
    units = set(r.units.values_list("pk", flat=True))
    assert len(units) >= 10  # the county government's departments
    invited = r.invitations.count()
    answered = r.invitations.filter(used_on__isnull=False).count()
    assert invited > 0 and 0 < answered < invited
    assert r.invitations.filter(source="petitioner").exists()  # sampled from real demo petitioners
    # every answering person rated every unit once, and the ratings are not all the same
    assert SurveyAnswer.objects.filter(round=r).count() == answered * len(units)
    assert SurveyAnswer.objects.filter(round=r).values("score").distinct().count() == 3

    client.force_login(User.objects.get(username="leader"))
    listing = client.get("/analytics/surveys/")
    assert listing.status_code == 200 and r.title in listing.content.decode()
    page = client.get(f"/analytics/surveys/{r.pk}/")
    assert page.status_code == 200
    body = page.content.decode()
    assert f"邀请 {invited} 人，已回复 {answered} 人" in body
    assert "示范县民政局" in body and "已结束" in body
    results = page.context["results"]["units"]
    assert all(u["n"] == answered for u in results) and all(u["rate"] is not None for u in results)
    # and the round counts in the year's 考核 scorecard (民主评议满意率), over the closed months
    card = client.get("/analytics/scorecard/", {"year": last_month.year})
    assert card.status_code == 200
    scored = card.context["card"]
    assert scored.span is not None and scored.span[1] >= last_month
    keys = [m.key for m, _w in scored.metrics]
    assert "appraisal_rate" in keys and "民主评议满意率" in card.content.decode()
    column = keys.index("appraisal_rate")
    rated = {row["unit_id"]: row["cells"][column] for row in scored.rows}
    assert units <= set(rated) and all(rated[u]["den"] == answered for u in units)
    assert all(row["score"] is not None for row in scored.rows if row["unit_id"] in units)
