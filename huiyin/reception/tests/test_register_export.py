"""接访登记 as .xlsx (issue 11 item 5): the bookings of the user's sessions read as the agenda reads
them (seeds/002 rule 3, 条例 §30¶3); identity masked unless asked for, each reveal audited; a long
register written by the worker; nobody outside the sessions' territory gets a booking."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from huiyin.cases.exports import WITHHELD
from huiyin.cases.tests.exporting import forged_job, long_export, short_export
from huiyin.core.models import AuditEntry
from huiyin.org.models import Territory, Unit, User
from huiyin.reception import services
from huiyin.reception.models import Session

pytestmark = pytest.mark.django_db
URL = "/reception/register/export.xlsx"


def book(session, **kw):
    base = dict(name="刘群众", phone="13800001234", title="屋顶漏水", content="安置房屋顶漏水三年",
                id_number="11010519491231002X")  # fmt: skip
    return services.booking_create(session=session, data=services.BookingIn(**{**base, **kw}), actor=None)


@pytest.fixture
def other_township_handler(org):
    town = Territory.objects.create(code="430121200", name="西城镇", level=4, parent=org.county)
    unit = Unit.objects.create(code="W-GOV", name="西城镇人民政府", kind="government", territory=town)
    return User.objects.create_user(username="w", password="x", unit=unit, role="handler")


def test_the_arranging_office_exports_its_sessions_bookings_masked_and_in_full_audited(
    client, sessions, township_dispatcher
):
    _county, township = sessions
    booking = book(township)
    later = Session.objects.filter(leader=township.leader).order_by("date")[1]
    book(later, name="张某", title="下一次的事")  # another session, not asked for
    client.force_login(township_dispatcher)
    agenda = client.get(reverse("reception_agenda"), {"session": township.pk}).content.decode()
    assert f"{URL}?session={township.pk}" in agenda
    rows = short_export(client, URL, {"session": township.pk})
    assert rows[0][:5] == ["接待日期", "接待领导", "预约号", "来访方式", "信访人"]
    assert [r[2] for r in rows[1:]] == [booking.code]
    assert rows[1][4:7] == ["刘**", "138****1234", "1101**********002X"] and rows[1][8] == "屋顶漏水"
    assert not AuditEntry.objects.filter(kind=AuditEntry.Kind.IDENTITY_VIEW).exists()
    rows = short_export(client, URL, {"session": township.pk, "identity": "full"})
    assert rows[1][4:7] == ["刘群众", "13800001234", "11010519491231002X"]
    reveal = AuditEntry.objects.get(kind=AuditEntry.Kind.IDENTITY_VIEW, actor=township_dispatcher)
    assert reveal.detail == {"booking": booking.code, "export": "reception_register"}
    exports = AuditEntry.objects.filter(kind=AuditEntry.Kind.EXPORT, actor=township_dispatcher).order_by("id")
    assert [(e.detail["what"], e.detail["rows"], e.detail["full_identity"]) for e in exports] == [
        ("reception_register", 1, False),
        ("reception_register", 1, True),
    ]


def test_the_days_filter_applies_and_bad_filters_are_400_a_session_not_theirs_404(
    client, sessions, township_dispatcher, other_township_handler
):
    _county, township = sessions
    book(township)
    client.force_login(township_dispatcher)
    day = township.date.isoformat()
    assert len(short_export(client, URL, {"date_from": day, "date_to": day})) == 2
    assert len(short_export(client, URL, {"date_from": date(2025, 9, 3).isoformat()})) == 1  # header only
    for bad in ({"session": "①"}, {"date_from": "2025-13-01"}, {"date_to": "0001-01-01"}):
        assert client.get(URL, bad).status_code == 400, bad
    client.force_login(other_township_handler)
    assert client.get(URL, {"session": township.pk}).status_code == 404


def test_a_long_register_is_written_by_the_worker_with_the_rows_of_the_short_one(
    client, sessions, township_dispatcher, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    _county, township = sessions
    book(township)
    book(township, name="王某", phone="13900005678", title="道路积水")
    client.force_login(township_dispatcher)
    params = {"session": township.pk, "identity": "full"}
    short = short_export(client, URL, params)
    assert len(short) == 3
    job, long = long_export(client, URL, params, kind="reception_register", settings=settings,
                            capture=django_capture_on_commit_callbacks)  # fmt: skip
    assert long == short and job.total_rows == 2
    assert (
        AuditEntry.objects.filter(
            kind=AuditEntry.Kind.IDENTITY_VIEW, detail__export="reception_register"
        ).count()
        == 4
    )


def test_a_county_unit_gets_the_booking_withheld_and_another_township_gets_no_booking_at_all(
    client, sessions, handler_zhao_unit_b, other_township_handler, settings, tmp_path
):
    """Scope attack. 民政局 works in the county, so the township's session is among its sessions, but the
    booking is not its item: only the session and the code, every other cell withheld. 西城镇 is outside
    the session's territory: no row on the short path, none from a job naming the booking."""
    settings.MEDIA_ROOT = tmp_path
    _county, township = sessions
    booking = book(township)
    client.force_login(handler_zhao_unit_b)
    rows = short_export(client, URL, {"session": township.pk, "identity": "full"})
    assert [r[2] for r in rows[1:]] == [booking.code]
    assert set(rows[1][3:]) == {WITHHELD} and "刘群众" not in str(rows)
    client.force_login(other_township_handler)
    assert short_export(client, URL, {"identity": "full"})[1:] == []
    assert forged_job(other_township_handler, "reception_register", [booking.pk]) == []
    assert not AuditEntry.objects.filter(kind=AuditEntry.Kind.IDENTITY_VIEW).exists()


def test_the_coming_sessions_export_for_their_territory_only(
    client, sessions, township_dispatcher, other_township_handler
):
    """Every staff list exports to .xlsx (issue 11): the reception home's coming sessions with their
    bookings counted, no visitor named; another township's staff get none of them; csv is a 400."""
    from huiyin.cases.tests.exporting import short_export

    _county, township = sessions
    book(township)
    client.force_login(township_dispatcher)
    assert "format=xlsx" in client.get("/reception/").content.decode()
    rows = short_export(client, "/reception/", {"format": "xlsx"})
    assert rows[0][:4] == ["日期", "时间", "接待领导", "层级"]
    listed = Session.objects.filter(
        territory__path__startswith=township.territory.path, date__gte=date(2025, 9, 1)
    )
    assert len(rows) - 1 == listed.count() > 0
    first = rows[1]
    assert (first[0].date(), first[7], first[8]) == (township.date, 1, township.capacity)
    assert not any("刘群众" in str(cell) for row in rows for cell in row)
    assert client.get("/reception/", {"format": "csv"}).status_code == 400
    client.force_login(other_township_handler)
    assert short_export(client, "/reception/", {"format": "xlsx"})[1:] == []
