"""民情日记: a visit is recorded once, photos pass the upload checks, a problem becomes a case of channel
排查走访发现 in the township office's queue only with the person's consent (变上访为下访)."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from huiyin.cases.choices import Channel, Status
from huiyin.cases.selectors import queue_to_route
from huiyin.core.errors import PermissionDenied, ValidationFailed
from huiyin.outreach import selectors, services
from huiyin.outreach.choices import EVENT_DIARY_LINK, ProblemState

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64

pytestmark = pytest.mark.django_db


def _consenting(**kw):
    base = dict(
        title="村口道路塌陷",
        request="请修复道路",
        person_name="张大爷",
        consent_given=True,
        consent_note="当面口头同意，并在走访记录上签字",
    )
    return services.CaseFromProblemIn(**(base | kw))


def test_a_resent_draft_with_the_same_client_key_is_recorded_once(make_entry, clock):
    clock.set(date(2025, 3, 3))
    first = make_entry(client_key="draft-abc")
    again = make_entry(client_key="draft-abc")
    assert again.pk == first.pk
    assert first.problems.count() == 1


def test_a_photo_is_stored_and_html_named_jpg_is_refused_with_nothing_written(make_entry, clock):
    clock.set(date(2025, 3, 3))
    entry = make_entry(photos=[SimpleUploadedFile("road.png", PNG, content_type="image/png")])
    assert entry.photos.get().content_type == "image/png"
    bad = SimpleUploadedFile("road.jpg", b"<html><script>alert(1)</script></html>", content_type="image/jpeg")
    with pytest.raises(ValidationFailed) as err:
        make_entry(photos=[bad], client_key="second")
    assert "网页或脚本" in err.value.message
    from huiyin.outreach.models import DiaryEntry

    assert DiaryEntry.objects.count() == 1


def test_a_visit_in_the_future_is_refused(make_entry, clock):
    clock.set(date(2025, 3, 3))
    with pytest.raises(ValidationFailed):
        make_entry(visited_on=date(2025, 3, 4))


def test_given_consent_when_a_problem_is_turned_into_a_case_then_it_waits_in_the_township_queue(
    make_entry, grid_ma, township_office, township_dispatcher, clock
):
    clock.set(date(2025, 3, 3))
    problem = make_entry().problems.get()
    case = services.problem_to_case(problem=problem, data=_consenting(), actor=grid_ma)
    assert case.channel == Channel.FOUND and case.status == Status.REGISTERED
    assert case.office == township_office
    assert case in queue_to_route(township_dispatcher)
    problem.refresh_from_db()
    assert problem.state == ProblemState.CASE and problem.case == case
    assert problem.consent_note.startswith("当面口头同意") and problem.consented_at is not None
    link = case.events.get(event_type=EVENT_DIARY_LINK)
    assert link.data["entry"] == problem.entry_id
    # and the same problem cannot become a second case
    with pytest.raises(ValidationFailed):
        services.problem_to_case(problem=problem, data=_consenting(), actor=grid_ma)


def test_without_the_persons_consent_no_case_is_registered(make_entry, grid_ma, township_office, clock):
    clock.set(date(2025, 3, 3))
    problem = make_entry().problems.get()
    with pytest.raises(ValidationFailed) as err:
        services.problem_to_case(problem=problem, data=_consenting(consent_given=False), actor=grid_ma)
    assert err.value.extra["fields"]["consent_note"] == services.MSG_NO_CONSENT
    from huiyin.cases.models import Case

    assert not Case.objects.exists()


def test_a_cadre_whose_role_does_not_register_is_told_to_hand_it_to_the_office(
    make_entry, handler_wang_unit_a, township_office, clock
):
    clock.set(date(2025, 3, 3))
    problem = make_entry().problems.get()
    with pytest.raises(PermissionDenied):
        services.problem_to_case(problem=problem, data=_consenting(), actor=handler_wang_unit_a)


def test_the_township_office_may_register_a_problem_from_a_diary_of_its_territory(
    make_entry, township_dispatcher, township_office, clock
):
    clock.set(date(2025, 3, 3))
    problem = make_entry().problems.get()
    case = services.problem_to_case(problem=problem, data=_consenting(), actor=township_dispatcher)
    assert case.office == township_office


def test_screening_is_a_clear_refusal_where_no_mediation_app_offers_the_aid(
    make_entry, grid_ma, clock, monkeypatch
):
    from huiyin.core import registry

    clock.set(date(2025, 3, 3))
    problem = make_entry().problems.get()
    real = registry.aid
    monkeypatch.setattr(
        registry, "aid", lambda name: None if name == services.MEDIATION_SCREENING else real(name)
    )
    with pytest.raises(ValidationFailed) as err:
        services.problem_to_screening(problem=problem, actor=grid_ma)
    assert err.value.message == services.MSG_NO_MEDIATION
    problem.refresh_from_db()
    assert problem.state == ProblemState.OPEN


def test_follow_up_and_an_on_the_spot_answer_are_recorded_on_the_entry(make_entry, grid_ma, clock):
    clock.set(date(2025, 3, 3))
    entry = make_entry()
    services.problem_answer(problem=entry.problems.get(), answer="已联系镇交通站，本周修复", actor=grid_ma)
    services.followup_add(entry=entry, text="3月10日回访，道路已修复", actor=grid_ma)
    assert entry.problems.get().state == ProblemState.ANSWERED
    assert entry.followups.get().text == "3月10日回访，道路已修复"


def test_a_diary_outside_ones_territory_is_not_visible(make_entry, org, clock):
    from huiyin.org.models import Territory, Unit, User

    clock.set(date(2025, 3, 3))
    entry = make_entry()
    other_town = Territory.objects.create(code="430121200", name="西城镇", level=4, parent=org.county)
    unit = Unit.objects.create(code="W-GOV", name="西城镇人民政府", kind="government", territory=other_town)
    outsider = User.objects.create_user(username="w", password="x", unit=unit, role="handler")
    assert not selectors.entries_visible_to(outsider).filter(pk=entry.pk).exists()
    with pytest.raises(PermissionDenied):
        services.followup_add(entry=entry, text="看看", actor=outsider)


def test_ssec30_the_accused_side_sees_neither_whom_the_cadre_met_nor_what_was_said(
    make_entry, grid_ma, township_office, org, clock, client
):
    """条例 §30¶3: a problem that became an accusation against the township government: its staff
    may not read the diary's people met, what was heard, nor the problem text."""
    from huiyin.org.models import User

    clock.set(date(2025, 3, 3))
    entry = make_entry(people_met="举报人李某", heard="反映镇政府截留补助", problems=["镇干部截留低保补助"])
    problem = entry.problems.get()
    data = _consenting(
        petition_type="accusation", accused_person="某镇干部", title="截留补助", person_name="李某"
    )
    data.accused_unit_id = org.township_gov.pk
    case = services.problem_to_case(problem=problem, data=data, actor=grid_ma)
    assert case.office != township_office  # the accused township's own desk does not hold it (ADR 0005)
    accused = User.objects.create_user(username="t", password="x", unit=org.township_gov, role="handler")
    assert selectors.entry_redacted(accused, entry)
    client.force_login(accused)
    page = client.get(f"/outreach/diary/{entry.pk}/").content.decode()
    assert "举报人李某" not in page and "截留" not in page
    # the author still reads their own diary
    assert not selectors.entry_redacted(grid_ma, entry)


def test_once_a_module_offers_the_screening_aid_the_problem_goes_to_the_ledger(
    make_entry, grid_ma, clock, monkeypatch
):
    from types import SimpleNamespace

    from huiyin.core import registry

    received = {}

    def screening_item_create(**kw):
        received.update(kw)
        return SimpleNamespace(pk=77)

    clock.set(date(2025, 3, 3))
    problem = make_entry().problems.get()
    real = registry.aid  # stands in for the mediation app's own aid (tested end to end in mediation)
    monkeypatch.setattr(
        registry, "aid", lambda name: screening_item_create if name == "screening_item_create" else real(name)
    )
    services.problem_to_screening(problem=problem, actor=grid_ma)
    problem.refresh_from_db()
    assert problem.state == ProblemState.SCREENING and problem.screening_ref == "77"
    assert received["source_ref"] == f"outreach-problem-{problem.pk}" and received["found_by"] == grid_ma


def _sheet(response):
    import io

    from openpyxl import load_workbook

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.values)
    return {h: i for i, h in enumerate(rows[0])}, rows[1:]


def test_the_diary_exports_to_excel_with_whom_the_cadre_met_masked_unless_asked(
    make_entry, grid_ma, org, clock, client
):
    # issue 11 item 5: the list's .xlsx, the user's own scope; identity masked by default, audited in full
    from huiyin.core.models import AuditEntry
    from huiyin.org.models import Territory, Unit, User

    clock.set(date(2025, 3, 3))
    entry = make_entry(
        people_met="王大妈", heard="反映自来水时断时续", problems=["自来水压力不足", "路灯不亮"]
    )
    client.force_login(grid_ma)
    assert "/outreach/diary/export.xlsx" in client.get("/outreach/diary/").content.decode()
    col, rows = _sheet(client.get("/outreach/diary/export.xlsx"))
    assert len(rows) == 1
    row = rows[0]
    assert row[col["走访的农户或群众"]] == "（已遮蔽）" and "王大妈" not in [str(c) for c in row]
    assert row[col["听到的情况"]] == "反映自来水时断时续"
    assert row[col["发现的问题"]] == "自来水压力不足；路灯不亮" and row[col["问题数"]] == 2
    assert row[col["联系点"]] == entry.point.name
    _col, rows = _sheet(client.get("/outreach/diary/export.xlsx", {"identity": "full"}))
    assert rows[0][col["走访的农户或群众"]] == "王大妈"
    audits = AuditEntry.objects.filter(kind=AuditEntry.Kind.EXPORT, actor=grid_ma).order_by("id")
    assert [(a.detail["what"], a.detail["rows"], a.detail["full_identity"]) for a in audits] == [
        ("outreach_diary", 1, False),
        ("outreach_diary", 1, True),
    ]
    # someone of another township exports an empty list
    other_town = Territory.objects.create(code="430121200", name="西城镇", level=4, parent=org.county)
    unit = Unit.objects.create(code="W-GOV", name="西城镇人民政府", kind="government", territory=other_town)
    client.force_login(User.objects.create_user(username="w", password="x", unit=unit, role="handler"))
    assert _sheet(client.get("/outreach/diary/export.xlsx", {"identity": "full"}))[1] == []


def test_ssec30_the_accused_side_exports_neither_whom_the_cadre_met_nor_what_was_said(
    make_entry, grid_ma, org, clock, client
):
    """条例 §30¶3 in the export too: ?identity=full does not open an entry the accused side may not read."""
    from huiyin.org.models import User

    clock.set(date(2025, 3, 3))
    entry = make_entry(people_met="举报人李某", heard="反映镇政府截留补助", problems=["镇干部截留低保补助"])
    data = _consenting(
        petition_type="accusation", accused_person="某镇干部", title="截留补助", person_name="李某"
    )
    data.accused_unit_id = org.township_gov.pk
    services.problem_to_case(problem=entry.problems.get(), data=data, actor=grid_ma)
    accused = User.objects.create_user(username="t", password="x", unit=org.township_gov, role="handler")
    client.force_login(accused)
    col, rows = _sheet(client.get("/outreach/diary/export.xlsx", {"identity": "full"}))
    assert len(rows) == 1
    cells = [str(c) for c in rows[0]]
    assert not any("李某" in c or "截留" in c for c in cells)
    assert rows[0][col["听到的情况"]] == "（不予显示）"
    # the author still exports it whole
    client.force_login(grid_ma)
    col, rows = _sheet(client.get("/outreach/diary/export.xlsx", {"identity": "full"}))
    assert rows[0][col["走访的农户或群众"]] == "举报人李某"


def _outsider(org):
    from huiyin.org.models import Territory, Unit, User

    other_town = Territory.objects.create(code="430121200", name="西城镇", level=4, parent=org.county)
    unit = Unit.objects.create(code="W-GOV", name="西城镇人民政府", kind="government", territory=other_town)
    return User.objects.create_user(username="w", password="x", unit=unit, role="handler")


def test_a_long_diary_is_written_by_the_worker_and_another_township_never_gets_its_entries(
    make_entry, grid_ma, org, clock, client, settings, tmp_path, django_capture_on_commit_callbacks
):
    """issue 11 item 5: the long path holds the short one's rows; scope attack: another township's
    handler gets nothing, on either path, nor through a job naming the entry."""
    from huiyin.cases.tests.exporting import forged_job, long_export, short_export

    settings.MEDIA_ROOT = tmp_path
    clock.set(date(2025, 3, 3))
    entry = make_entry(people_met="王大妈", heard="反映自来水时断时续", problems=["自来水压力不足"])
    url, full = "/outreach/diary/export.xlsx", {"identity": "full"}
    client.force_login(grid_ma)
    short = short_export(client, url, full)
    assert len(short) == 2 and "王大妈" in short[1]
    job, long = long_export(client, url, full, kind="outreach_diary", settings=settings,
                            capture=django_capture_on_commit_callbacks)  # fmt: skip
    assert long == short and job.full_identity
    outsider = _outsider(org)
    client.force_login(outsider)
    assert short_export(client, url, full)[1:] == []
    assert forged_job(outsider, "outreach_diary", [entry.pk]) == []


def test_ssec30_the_accused_sides_long_export_withholds_the_entry_too(
    make_entry, grid_ma, org, clock, client, settings, tmp_path, django_capture_on_commit_callbacks
):
    from huiyin.cases.tests.exporting import long_export
    from huiyin.org.models import User

    settings.MEDIA_ROOT = tmp_path
    clock.set(date(2025, 3, 3))
    entry = make_entry(people_met="举报人李某", heard="反映镇政府截留补助", problems=["镇干部截留低保补助"])
    data = _consenting(
        petition_type="accusation", accused_person="某镇干部", title="截留补助", person_name="李某"
    )
    data.accused_unit_id = org.township_gov.pk
    services.problem_to_case(problem=entry.problems.get(), data=data, actor=grid_ma)
    client.force_login(
        User.objects.create_user(username="t", password="x", unit=org.township_gov, role="handler")
    )
    _job, rows = long_export(client, "/outreach/diary/export.xlsx", {"identity": "full"}, kind="outreach_diary",
                             settings=settings, capture=django_capture_on_commit_callbacks)  # fmt: skip
    assert len(rows) == 2 and not any("李某" in str(c) or "截留" in str(c) for c in rows[1])
