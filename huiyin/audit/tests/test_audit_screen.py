"""The audit screen: supervisors read their territory's rows, administrators all, nobody else any;
filters by who, whose, when and kind; keyset paging; an .xlsx export that matches and is audited."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from huiyin.core.models import AuditEntry
from huiyin.org.models import Unit, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_ma(org):
    """Administrator (role admin) at the county government: reads the whole log. Two-factor sign-in,
    which the admin role requires by default, is tested in org/tests/test_signin.py; here it is off."""
    from huiyin.org.models import RoleSignInPolicy

    RoleSignInPolicy.objects.filter(role="admin").update(require_two_factor=False)
    return User.objects.create_user(
        username="admin_ma", password="pw-admin_ma", full_name="马管理", unit=org.county_gov, role="admin"
    )


@pytest.fixture
def other_county(org):
    from huiyin.org.choices import TerritoryLevel as L
    from huiyin.org.choices import UnitKind as K
    from huiyin.org.models import Territory

    county = Territory.objects.create(code="430122", name="邻县", level=L.COUNTY, parent=org.city)
    office = Unit.objects.create(code="Y-XF", name="邻县信访局", kind=K.PETITION_OFFICE, territory=county)
    clerk = User.objects.create_user(
        username="clerk_y", password="pw", full_name="邻县窗口", unit=office, role="clerk"
    )
    return office, clerk


@pytest.fixture
def log(register_case, dispatcher_zhou, handler_zhao_unit_b, other_county, org):
    """Rows in our county (a reveal, a refused look) and one in the neighbouring county."""
    from huiyin.cases.services import CaseIn, PetitionerIn
    from huiyin.intake.services import case_register

    ours = register_case()
    office, clerk = other_county
    theirs, _ = case_register(
        data=CaseIn(
            channel="visit",
            petition_type="complaint",
            title="邻县事项",
            content="x",
            request="y",
            petitioners=[PetitionerIn(name="邻县人", phone="13900000000")],
        ),
        office=office,
        actor=clerk,
    )
    reveal = AuditEntry.objects.create(
        kind="identity_view", actor=dispatcher_zhou, case=ours, ip_address="198.51.100.1"
    )
    refused = AuditEntry.objects.create(kind="access_denied", actor=handler_zhao_unit_b, case=ours)
    elsewhere = AuditEntry.objects.create(kind="identity_view", actor=clerk, case=theirs)
    return {"ours": ours, "theirs": theirs, "reveal": reveal, "refused": refused, "elsewhere": elsewhere}


def ids(response) -> list[int]:
    return [r["id"] for r in response.context["rows"]]


def test_a_handler_or_clerk_is_refused_the_audit_screen_and_its_export(
    client, log, handler_wang_unit_a, clerk_li
):
    for user in (handler_wang_unit_a, clerk_li):
        client.force_login(user)
        assert client.get(reverse("audit_log")).status_code == 403
        assert client.get(reverse("audit_export")).status_code == 403
    assert not AuditEntry.objects.filter(kind="export").exists()


def test_a_supervisor_sees_only_their_territorys_rows(client, log, supervisor_chen):
    client.force_login(supervisor_chen)
    response = client.get(reverse("audit_log"))
    assert response.status_code == 200
    assert ids(response) == [log["refused"].pk, log["reveal"].pk]
    assert "邻县窗口" not in response.content.decode()


def test_an_administrator_sees_every_row(client, log, admin_ma):
    client.force_login(admin_ma)
    assert ids(client.get(reverse("audit_log"))) == [log["elsewhere"].pk, log["refused"].pk, log["reveal"].pk]


def test_the_filters_select_by_who_whose_when_and_kind(client, log, admin_ma, dispatcher_zhou):
    client.force_login(admin_ma)
    url = reverse("audit_log")
    assert ids(client.get(url, {"who": "dispatcher_zhou"})) == [log["reveal"].pk]
    assert ids(client.get(url, {"who": "赵承办"})) == [log["refused"].pk]
    assert ids(client.get(url, {"whose": log["theirs"].code})) == [log["elsewhere"].pk]
    assert ids(client.get(url, {"whose": "11010519491231002X"})) == [log["refused"].pk, log["reveal"].pk]
    assert ids(client.get(url, {"kind": "access_denied"})) == [log["refused"].pk]
    today = timezone.localdate()
    # today: the three rows and the search row the ID-number lookup above just wrote
    assert len(ids(client.get(url, {"date_from": today, "date_to": today}))) == 4
    assert ids(client.get(url, {"date_to": today - timedelta(days=1)})) == []
    # looking a person up on the audit screen is itself an identity search on record
    assert AuditEntry.objects.filter(kind="search", actor=admin_ma, detail__where="audit_screen").count() == 1


@pytest.mark.parametrize(
    "query",
    [
        {"date_to": "9999-12-31"},
        {"date_from": "0001-01-01"},
        {"date_from": "2025-02-30"},
        {"kind": "bogus"},
        {"before": "²"},
        {"before": str(2**63)},
    ],
)
def test_bad_filters_are_a_400_not_a_500(client, log, admin_ma, query):
    client.force_login(admin_ma)
    assert client.get(reverse("audit_log"), query).status_code == 400
    assert client.get(reverse("audit_export"), query).status_code == 400


def test_keyset_paging_walks_every_row_once(client, admin_ma, dispatcher_zhou, monkeypatch):
    from huiyin.audit import views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    made = [AuditEntry.objects.create(kind="search", actor=dispatcher_zhou).pk for _ in range(5)]
    client.force_login(admin_ma)
    seen, url = [], reverse("audit_log") + "?kind=search"
    while url:
        response = client.get(url)
        seen += ids(response)
        url = (
            (reverse("audit_log") + "?" + response.context["next_query"])
            if response.context["next_query"]
            else ""
        )
    assert seen == sorted(made, reverse=True)


def test_the_export_matches_the_screen_and_is_itself_audited(client, log, supervisor_chen):
    client.force_login(supervisor_chen)
    screen = client.get(reverse("audit_log"), {"kind": "identity_view"})
    response = client.get(reverse("audit_export"), {"kind": "identity_view"})
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    exported = [list(r) for r in sheet.iter_rows(min_row=2, values_only=True)]
    on_screen = [
        [r["id"], r["at"], r["kind"], r["actor"], r["unit"], r["case"], r["ip"], r["detail"] or None]
        for r in screen.context["rows"]
    ]
    assert [[c if c != "" else None for c in row] for row in on_screen] == exported
    export = AuditEntry.objects.get(kind="export", actor=supervisor_chen)
    assert export.detail == {
        "what": "audit_log",
        "rows": 1,
        "full_identity": False,
        "filters": {"kind": "identity_view"},
    }


def test_the_screen_runs_a_bounded_number_of_queries(client, admin_ma, dispatcher_zhou, register_case):
    case = register_case()
    client.force_login(admin_ma)
    url = reverse("audit_log")

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    AuditEntry.objects.create(kind="identity_view", actor=dispatcher_zhou, case=case)
    few = count()
    for _ in range(30):
        AuditEntry.objects.create(kind="identity_view", actor=dispatcher_zhou, case=case)
    assert count() == few


def test_a_long_export_is_written_by_the_worker_with_the_rows_of_the_short_one(
    client, log, supervisor_chen, settings, tmp_path, django_capture_on_commit_callbacks
):
    from huiyin.cases.tests.exporting import long_export, short_export

    settings.MEDIA_ROOT = tmp_path
    client.force_login(supervisor_chen)
    url, params = reverse("audit_export"), {"kind": "identity_view"}
    short = short_export(client, url, params)
    assert [r[0] for r in short[1:]] == [log["reveal"].pk]  # our county's reveal, not the neighbour's
    job, long = long_export(client, url, params, kind="audit_log", settings=settings,
                            capture=django_capture_on_commit_callbacks)  # fmt: skip
    assert long == short
    entry = AuditEntry.objects.get(kind="export", detail__job=job.pk)
    assert entry.detail["what"] == "audit_log" and entry.detail["filters"] == params


def test_the_neighbouring_countys_supervisor_never_gets_our_rows_nor_through_a_forged_job(
    client, log, other_county, handler_wang_unit_a, settings, tmp_path
):
    """Scope attack: a supervisor of another county, and a handler who may not read the log at all, get
    none of our county's rows, even from a job naming them."""
    from huiyin.cases.tests.exporting import forged_job, short_export

    settings.MEDIA_ROOT = tmp_path
    office, _clerk = other_county
    theirs = User.objects.create_user(username="sup_y", password="pw", unit=office, role="supervisor")
    client.force_login(theirs)
    ours = [log["reveal"].pk, log["refused"].pk]
    exported = [r[0] for r in short_export(client, reverse("audit_export"), {"kind": "identity_view"})[1:]]
    assert exported == [log["elsewhere"].pk]
    assert [r[0] for r in forged_job(theirs, "audit_log", [*ours, log["elsewhere"].pk])] == [
        log["elsewhere"].pk
    ]
    assert forged_job(handler_wang_unit_a, "audit_log", ours) == []
