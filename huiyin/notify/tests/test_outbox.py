"""The transactional outbox (ADR 0006): a committed case event always gets its notices, exactly once,
even when the process dies between COMMIT and its on-commit hook, or in the middle of making them."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
from django.db import connection

from huiyin.cases.models import Case, CaseEvent
from huiyin.notify import outbox as ob
from huiyin.notify import staff
from huiyin.notify.choices import DeliveryState, MessageKind, OutboxState
from huiyin.notify.models import Notification, OutboxMessage, StaffNotice
from huiyin.org.models import User
from huiyin.supervision.models import UrgentReportRecipient
from huiyin.workflow import services as wf

PHONE = "13800001234"
DAY = date(2025, 3, 3)


@pytest.fixture
def crashed(django_capture_on_commit_callbacks):
    """Run a service as a process that is SIGKILLed right after its COMMIT: the transaction's writes
    stay, its on-commit hooks never run."""

    def run(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=False):
            return fn(*args, **kwargs)

    return run


def drain(committed):
    """One pass of the worker's drain task, with the delivery tasks it queues on commit run at once."""
    return committed(ob.outbox_drain)


def receipts(case):
    return Notification.objects.filter(case=case, kind=MessageKind.RECEIPT)


def test_the_event_and_its_outbox_row_are_written_in_one_transaction(register_case, crashed):
    # when a case is registered and the process dies right after COMMIT
    case = crashed(register_case)
    # then the registration event is stored with a pending outbox row, and no notice was made yet
    event = CaseEvent.objects.get(case=case, event_type="register")
    row = OutboxMessage.objects.get(event=event)
    assert (row.state, row.kind, row.attempts) == (OutboxState.PENDING, "register", 0)
    assert not receipts(case).exists()


def test_a_crash_between_commit_and_the_hook_loses_no_receipt_and_the_drain_sends_it_once(
    outbox, committed, crashed, register_case, clock
):
    # given a registration whose on-commit delivery never ran (SIGKILL after COMMIT)
    clock.set(DAY)
    case = crashed(register_case)
    assert outbox == []
    # when the worker's drain runs
    counts = drain(committed)
    # then the receipt is made and sent, once
    assert counts == {ob.DELIVERED: 1}
    n = receipts(case).get()
    assert (n.recipient, n.state) == (PHONE, DeliveryState.SENT)
    assert [m.recipient for m in outbox] == [PHONE] and case.code in outbox[0].body
    row = OutboxMessage.objects.get(event__case=case)
    assert row.state == OutboxState.DONE and row.made == {"notifications": 1, "staff_notices": 0}
    # and a second drain (the worker again, or a late on-commit hook) makes and sends nothing more
    assert drain(committed) == {}
    assert ob.outbox_deliver(message_id=row.pk) == ob.SKIPPED
    assert receipts(case).count() == 1 and len(outbox) == 1


def test_the_hook_and_the_drain_together_still_make_the_receipt_once(outbox, committed, register_case):
    # given a registration delivered by its on-commit hook as usual
    case = committed(register_case)
    assert receipts(case).count() == 1 and len(outbox) == 1
    # when the worker's drain runs afterwards
    assert drain(committed) == {}
    # then nothing is made twice
    assert receipts(case).count() == 1 and len(outbox) == 1


def test_staff_notices_of_a_crashed_step_arrive_once_from_the_drain(
    outbox,
    committed,
    crashed,
    register_case,
    clock,
    org,
    dispatcher_zhou,
    handler_wang_unit_a,
    head_sun_unit_a,
):
    # given unit A's handler has an e-mail address, and a forward whose process died after COMMIT
    handler_wang_unit_a.email = "wang@zj.example.gov.cn"
    handler_wang_unit_a.save()
    clock.set(DAY)
    case = committed(wf.case_accept, case=committed(register_case), actor=dispatcher_zhou)
    case = crashed(wf.case_forward, case=case, actor=dispatcher_zhou, unit=org.unit_a)
    forward = CaseEvent.objects.get(case=case, event_type="forward")
    assert not StaffNotice.objects.filter(event=forward).exists()
    # when the drain runs twice
    drain(committed)
    drain(committed)
    # then unit A's staff have one inbox notice each, the e-mail copy went once, the petitioner
    # was told once
    assert sorted(StaffNotice.objects.filter(event=forward).values_list("user__username", flat=True)) == [
        "handler_wang",
        "head_sun",
    ]
    copies = Notification.objects.filter(event=forward, kind=MessageKind.STAFF_NOTICE)
    assert [(c.recipient, c.state) for c in copies] == [("wang@zj.example.gov.cn", DeliveryState.SENT)]
    assert Notification.objects.filter(event=forward, kind=MessageKind.FORWARD).count() == 1
    assert [m.recipient for m in outbox].count("wang@zj.example.gov.cn") == 1


def test_a_crashed_major_urgent_registration_is_reported_and_its_leader_told_once_25(
    committed, crashed, register_case, org
):
    # given a leader who receives major/urgent reports (条例 §25), and such a registration whose
    # process died after COMMIT
    leader = User.objects.create_user(username="ld_o", full_name="马县长", unit=org.county_gov, role="leader")
    UrgentReportRecipient.objects.create(territory=org.county, leader=leader)
    case = crashed(register_case, major_urgent=True)
    # when the drain runs twice
    drain(committed)
    drain(committed)
    # then the case is reported once (the listener runs from the outbox) and the leader told once
    report = CaseEvent.objects.get(case=case, event_type="major_urgent_report")
    assert StaffNotice.objects.filter(event=report, user=leader).count() == 1
    assert OutboxMessage.objects.filter(event__case=case, state=OutboxState.DONE).count() == 2


def test_a_crash_in_the_middle_of_making_the_notices_leaves_nothing_half_made(
    outbox,
    committed,
    crashed,
    register_case,
    org,
    dispatcher_zhou,
    handler_wang_unit_a,
    head_sun_unit_a,
    monkeypatch,
    clock,
):
    # given a forward whose delivery dies after the petitioner's message is made, before the staff's
    clock.set(DAY)
    case = committed(wf.case_accept, case=committed(register_case), actor=dispatcher_zhou)
    case = crashed(wf.case_forward, case=case, actor=dispatcher_zhou, unit=org.unit_a)
    forward = CaseEvent.objects.get(case=case, event_type="forward")
    real = staff.notices_for_event

    def dies(event):
        assert Notification.objects.filter(event=event).exists()  # the first half is made …
        raise RuntimeError("killed mid-expansion")

    monkeypatch.setattr(staff, "notices_for_event", dies)
    assert drain(committed) == {ob.FAILED: 1}
    # then the half that was made is rolled back with the claim, and the row waits for a retry
    assert not Notification.objects.filter(event=forward).exists()
    row = OutboxMessage.objects.get(event=forward)
    assert (row.state, row.attempts) == (OutboxState.PENDING, 1)
    assert "killed mid-expansion" in row.last_error
    # when the process is back and the back-off has passed
    monkeypatch.setattr(staff, "notices_for_event", real)
    assert drain(committed) == {}  # still backing off
    clock.set(DAY + timedelta(days=1))
    assert drain(committed) == {ob.DELIVERED: 1}
    drain(committed)
    # then everything is made once
    assert Notification.objects.filter(event=forward, kind=MessageKind.FORWARD).count() == 1
    assert StaffNotice.objects.filter(event=forward).count() == 2
    assert OutboxMessage.objects.get(event=forward).state == OutboxState.DONE


def test_a_row_that_keeps_failing_gives_up_visibly_and_an_administrator_can_requeue_it(
    committed, crashed, register_case, monkeypatch, settings, clock
):
    settings.HUIYIN_NOTIFY_MAX_ATTEMPTS = 2
    clock.set(DAY)
    case = crashed(register_case)
    from huiyin.notify import services

    real = services.notifications_for_event
    monkeypatch.setattr(services, "notifications_for_event", lambda event: 1 / 0)
    assert drain(committed) == {ob.FAILED: 1}
    clock.set(DAY + timedelta(days=1))
    assert drain(committed) == {ob.GAVE_UP: 1}
    row = OutboxMessage.objects.get(event__case=case)
    assert (row.state, row.attempts) == (OutboxState.GAVE_UP, 2) and "ZeroDivisionError" in row.last_error
    clock.set(DAY + timedelta(days=30))
    assert drain(committed) == {}  # a row that gave up is not retried by itself
    monkeypatch.setattr(services, "notifications_for_event", real)
    assert ob.outbox_retry(message_ids=[row.pk]) == 1
    assert drain(committed) == {ob.DELIVERED: 1} and receipts(case).count() == 1


def test_a_failing_listener_never_holds_back_the_notices(committed, crashed, register_case, monkeypatch):
    # given the duplicate-signature listener breaks on the database
    from huiyin.assist import services as assist

    def broken(*, case):
        Case.objects.raw("SELECT no_such_column FROM cases_case")[0]

    monkeypatch.setattr(assist, "case_signature_store", broken)
    case = crashed(register_case)
    # when the drain runs, then the receipt is made and the row done
    assert drain(committed) == {ob.DELIVERED: 1}
    assert receipts(case).count() == 1
    assert OutboxMessage.objects.get(event__case=case).state == OutboxState.DONE


def test_delivered_rows_are_pruned_after_thirty_days_and_their_notices_stay(committed, register_case, clock):
    clock.set(DAY)
    case = committed(register_case)
    clock.set(DAY + timedelta(days=31))
    assert drain(committed) == {"pruned": 1}
    assert not OutboxMessage.objects.exists() and receipts(case).count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks between two connections")
def test_two_deliverers_at_once_make_the_notices_once(register_case, monkeypatch):
    # given a committed registration whose delivery is slow (the on-commit hook ran in a test that
    # cannot crash: remove what it made to start from a pending row)
    case = register_case()
    row = OutboxMessage.objects.get(event__case=case)
    Notification.objects.filter(case=case).delete()
    OutboxMessage.objects.filter(pk=row.pk).update(state=OutboxState.PENDING, made={})
    from huiyin.notify import services

    real = services.notifications_for_event
    inside = threading.Barrier(2, timeout=10)
    second_tried = threading.Event()

    def slow(event):
        made = real(event)
        inside.wait()  # the first holds the claim: let the second try now …
        second_tried.wait(10)  # … and keep holding it until the second has given up
        return made

    monkeypatch.setattr(services, "notifications_for_event", slow)
    outcomes: list[str] = []

    def first() -> None:
        try:
            outcomes.append(ob.outbox_deliver(message_id=row.pk))
        finally:
            connection.close()

    def second() -> None:
        try:
            inside.wait()
            outcomes.append(ob.outbox_deliver(message_id=row.pk))
        finally:
            second_tried.set()
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    # then one delivered, the other skipped the locked row, and there is one receipt
    assert sorted(outcomes) == [ob.DELIVERED, ob.SKIPPED]
    assert receipts(case).count() == 1
