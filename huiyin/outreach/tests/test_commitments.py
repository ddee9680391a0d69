"""践诺: a unit publishes a promise, reports progress with evidence, declares it kept or not; a promise
is never deleted; citizens signed in by phone rate it once when due; fulfilment and satisfaction."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from huiyin.core.errors import PermissionDenied, TransitionNotAllowed, ValidationFailed
from huiyin.org.choices import Role
from huiyin.outreach import metrics, services, transitions
from huiyin.outreach.choices import CommitmentAction, CommitmentStatus
from huiyin.outreach.models import Commitment, CommitmentRating, NeverDeleted

pytestmark = pytest.mark.django_db


@pytest.fixture
def promise(org, head_sun_unit_a, clock):
    clock.set(date(2025, 3, 3))
    return services.commitment_publish(
        data=services.CommitmentIn(
            title="柳林村危房改造",
            beneficiaries="柳林村12户危房户",
            measure="12户全部完成改造并通过验收",
            due_on=date(2025, 6, 30),
            territory=org.township,
        ),
        actor=head_sun_unit_a,
    )


def _act(c, action, actor, text="进展", progress=50, **kw):
    return services.commitment_act(
        commitment=c, action=action, text=text, progress=progress, actor=actor, **kw
    )


@pytest.mark.parametrize("state", list(CommitmentStatus))
@pytest.mark.parametrize("action", list(CommitmentAction))
@pytest.mark.parametrize("role", list(Role))
def test_every_state_action_and_role_follows_the_table(state, action, role, promise, org):
    """One row per (state, action, role): the table and MAY decide, and only the committing unit."""
    from huiyin.org.models import User

    Commitment.objects.filter(pk=promise.pk).update(status=state)
    promise.refresh_from_db()
    actor = User.objects.create_user(username=f"u-{role}", password="x", unit=org.unit_a, role=role)
    allowed = transitions.next_state(state, action) is not None and role in transitions.MAY[action]
    if allowed:
        _act(promise, action, actor)
        promise.refresh_from_db()
        assert promise.status == transitions.TRANSITIONS[(state, action)]
    else:
        # a pair outside the table is refused whoever asks; a pair in it, to a role it does not name
        expected = PermissionDenied if transitions.next_state(state, action) else TransitionNotAllowed
        with pytest.raises(expected):
            _act(promise, action, actor)
        promise.refresh_from_db()
        assert promise.status == state


def test_staff_of_another_unit_may_not_update_a_promise(promise, handler_zhao_unit_b):
    with pytest.raises(PermissionDenied):
        _act(promise, CommitmentAction.PROGRESS, handler_zhao_unit_b)


def test_only_heads_and_leaders_publish_and_the_date_must_be_ahead(
    org, handler_wang_unit_a, head_sun_unit_a, clock
):
    clock.set(date(2025, 3, 3))
    data = services.CommitmentIn("t", "b", "m", date(2025, 3, 3), org.township)
    with pytest.raises(PermissionDenied):
        services.commitment_publish(data=data, actor=handler_wang_unit_a)
    with pytest.raises(ValidationFailed) as err:
        services.commitment_publish(data=data, actor=head_sun_unit_a)
    assert "due_on" in err.value.extra["fields"]


def test_a_promise_its_updates_and_ratings_are_never_deleted(promise, handler_wang_unit_a):
    _act(promise, CommitmentAction.PROGRESS, handler_wang_unit_a)
    with pytest.raises(NeverDeleted):
        promise.delete()
    with pytest.raises(NeverDeleted):
        Commitment.objects.all().delete()
    with pytest.raises(NeverDeleted):
        promise.updates.all().delete()
    assert Commitment.objects.count() == 1


def test_evidence_passes_the_upload_checks(promise, handler_wang_unit_a):
    bad = SimpleUploadedFile("photo.jpg", b"<svg onload=alert(1)>", content_type="image/jpeg")
    with pytest.raises(ValidationFailed):
        _act(promise, CommitmentAction.PROGRESS, handler_wang_unit_a, evidence=bad)
    assert not promise.updates.exists()
    png = SimpleUploadedFile("done.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 32, content_type="image/png")
    update = _act(promise, CommitmentAction.PROGRESS, handler_wang_unit_a, evidence=png)
    assert update.evidence_type == "image/png"


def test_a_citizen_rates_once_and_only_when_it_is_due(promise, clock):
    clock.set(date(2025, 6, 29))
    with pytest.raises(ValidationFailed, match="尚未到期"):
        services.commitment_rate(
            commitment=promise, contact="13800001234", fulfilment="yes", satisfaction="satisfied"
        )
    clock.set(date(2025, 6, 30))  # the due day itself
    services.commitment_rate(
        commitment=promise, contact="13800001234", fulfilment="yes", satisfaction="satisfied"
    )
    with pytest.raises(ValidationFailed, match="只能评价一次"):
        services.commitment_rate(
            commitment=promise, contact="13800001234", fulfilment="no", satisfaction="dissatisfied"
        )
    rating = CommitmentRating.objects.get()
    assert "13800001234" not in rating.voter_hash  # only a keyed hash of the phone is kept
    with pytest.raises(PermissionDenied):
        services.commitment_rate(commitment=promise, contact="", fulfilment="yes", satisfaction="satisfied")


def test_fulfilment_and_satisfaction_on_a_hand_worked_fixture(org, promise, head_sun_unit_a, clock):
    """住建局: promise A due 06-30 kept on 06-20; B due 05-31 still open (late); C due 09-30 open (not due);
    D due 07-31 declared broken 07-01. On 2025-07-15 the due-or-closed ones are A, B, D: kept 1 of 3.
    Ratings: A satisfied, A basic, D dissatisfied, A dissatisfied -> 2 of 4 satisfied or basic."""

    def publish(title, due):
        clock.set(date(2025, 3, 3))
        return services.commitment_publish(
            data=services.CommitmentIn(title, "群众", "结果", due, org.township), actor=head_sun_unit_a
        )

    a = promise
    publish("B", date(2025, 5, 31))
    publish("C", date(2025, 9, 30))
    d = publish("D", date(2025, 7, 31))
    clock.set(date(2025, 6, 20))
    _act(a, CommitmentAction.FULFIL, head_sun_unit_a)
    clock.set(date(2025, 7, 1))
    _act(d, CommitmentAction.BREAK, head_sun_unit_a)
    clock.set(date(2025, 7, 15))
    for phone, c, s in (
        ("13800000001", a, "satisfied"),
        ("13800000002", a, "basic"),
        ("13800000003", d, "dissatisfied"),
        ("13800000004", a, "dissatisfied"),
    ):
        services.commitment_rate(commitment=c, contact=phone, fulfilment="yes", satisfaction=s)
    assert metrics.commitment_fulfilment(date(2025, 7, 15)) == (1, 3)
    assert metrics.commitment_fulfilment(date(2025, 7, 15), unit_id=org.unit_b.pk) == (0, 0)
    assert metrics.commitment_satisfaction(org.unit_a.pk) == (2, 4)
    [row] = metrics.per_unit(date(2025, 7, 15))
    assert (row["promised"], row["due"], row["kept"], row["broken"], row["ratings"]) == (4, 3, 1, 1, 4)
    assert row["satisfaction"] == 0.5


def test_the_commitments_list_exports_to_excel_in_the_users_scope(
    promise, org, clock, client, head_sun_unit_a
):
    # issue 11 item 5: the promises the user sees, with the list's late flag; the export audited
    import io

    from openpyxl import load_workbook

    from huiyin.core.models import AuditEntry
    from huiyin.org.models import Territory, Unit, User

    clock.set(date(2025, 7, 2))  # past its date, still ongoing: late
    client.force_login(head_sun_unit_a)
    assert "/outreach/commitments/export.xlsx" in client.get("/outreach/commitments/").content.decode()
    response = client.get("/outreach/commitments/export.xlsx")
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.values)
    assert rows[0][:3] == ("承诺事项", "服务对象", "可衡量的结果")
    assert [r[:2] + r[3:5] + r[6:8] for r in rows[1:]] == [
        ("柳林村危房改造", "柳林村12户危房户", org.unit_a.name, org.township.name, "践诺中", "逾期")
    ]
    assert AuditEntry.objects.get(kind=AuditEntry.Kind.EXPORT, actor=head_sun_unit_a).detail["rows"] == 1
    # another township's staff: nothing of it
    other_town = Territory.objects.create(code="430121200", name="西城镇", level=4, parent=org.county)
    unit = Unit.objects.create(code="W-GOV", name="西城镇人民政府", kind="government", territory=other_town)
    client.force_login(User.objects.create_user(username="w", password="x", unit=unit, role="handler"))
    response = client.get("/outreach/commitments/export.xlsx")
    assert list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.values)[1:] == []


def test_a_long_commitments_list_is_written_by_the_worker_and_another_township_never_gets_it(
    promise, org, clock, client, head_sun_unit_a, settings, tmp_path, django_capture_on_commit_callbacks
):
    """issue 11 item 5: the long path holds the short one's rows; scope attack: another township's
    handler gets nothing, on either path, nor through a job naming the promise."""
    from huiyin.cases.tests.exporting import forged_job, long_export, short_export
    from huiyin.org.models import Territory, Unit, User

    settings.MEDIA_ROOT = tmp_path
    clock.set(date(2025, 7, 2))
    url = "/outreach/commitments/export.xlsx"
    client.force_login(head_sun_unit_a)
    short = short_export(client, url)
    assert [r[0] for r in short[1:]] == ["柳林村危房改造"]
    _job, long = long_export(client, url, {}, kind="outreach_commitments", settings=settings,
                             capture=django_capture_on_commit_callbacks)  # fmt: skip
    assert long == short
    other_town = Territory.objects.create(code="430121200", name="西城镇", level=4, parent=org.county)
    unit = Unit.objects.create(code="W-GOV", name="西城镇人民政府", kind="government", territory=other_town)
    outsider = User.objects.create_user(username="w", password="x", unit=unit, role="handler")
    client.force_login(outsider)
    settings.HUIYIN_EXPORT_STREAM_ROWS = 5000
    assert short_export(client, url)[1:] == []
    assert forged_job(outsider, "outreach_commitments", [promise.pk]) == []
