"""Each step the petitioner must hear about produces a message through the configured backend; a
failing backend is recorded and retried and never blocks the case."""

from __future__ import annotations

from datetime import date, timedelta
from types import SimpleNamespace

import pytest

from huiyin.cases.choices import Status
from huiyin.cases.models import Case
from huiyin.notify import services
from huiyin.notify.backends import DeliveryError, HttpSmsGateway
from huiyin.notify.choices import DeliveryState, Medium, MessageKind
from huiyin.notify.models import CaseContact, MessageTemplate, Notification
from huiyin.workflow import services as wf

PHONE = "13800001234"


class BrokenBackend:
    def send(self, message):
        raise DeliveryError("gateway down")


def kinds(case):
    return list(Notification.objects.filter(case=case).order_by("id").values_list("kind", flat=True))


def test_registration_sends_a_receipt_with_the_tracking_code(outbox, committed, register_case, clock):
    clock.set(date(2025, 3, 3))
    case = committed(register_case)
    assert [m.recipient for m in outbox] == [PHONE]
    assert case.code in outbox[0].body and "/public/track/" in outbox[0].body
    n = Notification.objects.get(case=case)
    assert (n.kind, n.state, n.attempts) == (MessageKind.RECEIPT, DeliveryState.SENT, 1)


def test_every_step_of_the_chain_tells_the_petitioner(
    outbox,
    committed,
    register_case,
    clock,
    org,
    dispatcher_zhou,
    head_sun_unit_a,
    handler_wang_unit_a,
    clerk_li,
):
    clock.set(date(2025, 3, 3))
    case = committed(register_case)
    case = committed(wf.case_accept, case=case, actor=dispatcher_zhou)
    # the office's acceptance promises no date: the 60 days run from the competent organ's (条例 §34)
    assert "受理" in outbox[-1].body and "前办结" not in outbox[-1].body
    case = committed(
        wf.case_assign, case=case, actor=dispatcher_zhou, unit=org.unit_a, deadline=date(2025, 4, 3)
    )
    assert org.unit_a.name in outbox[-1].body
    # the unit accepts the same day and tells the petitioner (条例 §23¶3): 3 Mar + 60 days = 2 May
    case = committed(wf.case_accept_assignment, case=case, actor=handler_wang_unit_a)
    assert org.unit_a.name in outbox[-1].body and "2025年5月2日" in outbox[-1].body
    case = committed(wf.case_extend, case=case, actor=head_sun_unit_a, days=10, reason="需要现场勘验")
    assert "需要现场勘验" in outbox[-1].body and "延期10日" in outbox[-1].body
    case = committed(
        wf.case_reply,
        case=case,
        actor=handler_wang_unit_a,
        facts_reasons="经查属实。",
        decision="support",
        legal_basis="《物业管理条例》",
        completion_report="已办结",
    )
    assert "支持" in outbox[-1].body
    case = committed(wf.case_deliver, case=case, actor=clerk_li, method="electronic")
    assert "请求复查" in outbox[-1].body and "2025年4月2日" in outbox[-1].body  # the 30-day window
    assert kinds(case) == ["register", "accept", "assign", "accept_assignment", "extend", "reply", "deliver"]
    # no staff name ever reaches the petitioner
    assert not any(name in m.body for m in outbox for name in ("周分办", "孙局长", "王承办", "李窗口"))


def test_not_accepting_tells_the_reason(outbox, committed, register_case, dispatcher_zhou):
    case = committed(register_case)
    committed(
        wf.case_not_accept, case=case, actor=dispatcher_zhou, reason_code="not_petition", reason="属于咨询"
    )
    assert "不属于信访事项" in outbox[-1].body and "属于咨询" in outbox[-1].body


def test_forwarding_names_the_unit(outbox, committed, register_case, org, dispatcher_zhou):
    case = committed(register_case)
    case = committed(wf.case_accept, case=case, actor=dispatcher_zhou)
    committed(wf.case_forward, case=case, actor=dispatcher_zhou, unit=org.unit_b)
    assert kinds(case)[-1] == "forward" and org.unit_b.name in outbox[-1].body


def test_a_failing_backend_never_blocks_the_case_and_is_retried(
    outbox, committed, register_case, clock, settings, dispatcher_zhou
):
    # given an SMS gateway that is down
    settings.HUIYIN_NOTIFY_SMS_BACKEND = f"{__name__}.BrokenBackend"
    clock.set(date(2025, 3, 3))
    # when a case is registered and accepted
    case = committed(register_case)
    case = committed(wf.case_accept, case=case, actor=dispatcher_zhou)
    # then the case moved on and the failures are recorded, nothing sent
    assert Case.objects.get(pk=case.pk).status == Status.ACCEPTED
    failed = Notification.objects.filter(case=case)
    assert {(n.state, n.attempts) for n in failed} == {(DeliveryState.FAILED, 1)}
    assert "gateway down" in failed[0].last_error and outbox == []
    # when the gateway is back and the retry sweep runs after the back-off
    settings.HUIYIN_NOTIFY_SMS_BACKEND = "huiyin.notify.backends.LocmemBackend"
    assert services.notifications_retry().get(DeliveryState.SENT, 0) == 0  # still backing off
    clock.set(date(2025, 3, 3) + timedelta(days=1))
    counts = services.notifications_retry()
    # then both messages go out, once each
    assert counts[DeliveryState.SENT] == 2
    assert len(outbox) == 2
    assert set(Notification.objects.filter(case=case).values_list("state", "attempts")) == {("sent", 2)}
    assert services.notifications_retry().get(DeliveryState.SENT, 0) == 0


def test_the_retry_sweep_gives_up_after_the_configured_attempts(
    outbox, committed, register_case, clock, settings
):
    settings.HUIYIN_NOTIFY_SMS_BACKEND = f"{__name__}.BrokenBackend"
    settings.HUIYIN_NOTIFY_MAX_ATTEMPTS = 3
    day = date(2025, 3, 3)
    clock.set(day)
    case = committed(register_case)
    for i in range(1, 4):
        clock.set(day + timedelta(days=i))
        services.notifications_retry()
    n = Notification.objects.get(case=case)
    assert (n.state, n.attempts, n.next_attempt_at) == (DeliveryState.GAVE_UP, 3, None)


def test_a_message_whose_task_never_ran_is_sent_by_the_sweep(committed, register_case, clock, settings):
    # given the task queue accepts the job but no worker runs it (the database backend, no worker)
    settings.HUIYIN_NOTIFY_SMS_BACKEND = "huiyin.notify.backends.LocmemBackend"
    clock.set(date(2025, 3, 3))
    case = committed(register_case)
    assert Notification.objects.get(case=case).state == DeliveryState.PENDING
    clock.set(date(2025, 3, 4))
    services.notifications_retry()
    assert Notification.objects.get(case=case).state == DeliveryState.SENT


def test_an_unqueueable_message_stays_pending_for_the_sweep(committed, register_case, monkeypatch, settings):
    from huiyin.notify import tasks

    def down(*args, **kwargs):
        raise RuntimeError("queue down")

    monkeypatch.setattr(tasks, "send_notification", SimpleNamespace(enqueue=down))
    case = committed(register_case)
    assert Case.objects.filter(pk=case.pk).exists()
    assert Notification.objects.get(case=case).state == DeliveryState.PENDING


def test_administrators_edit_the_wording_and_can_switch_a_kind_off(outbox, committed, register_case):
    MessageTemplate.objects.filter(kind=MessageKind.RECEIPT).update(body="收到了，编号{{ code }}。")
    case = committed(register_case)
    assert outbox[-1].body == f"【回音信访】收到了，编号{case.code}。"
    MessageTemplate.objects.filter(kind=MessageKind.RECEIPT).update(is_active=False)
    committed(register_case)
    assert len(outbox) == 1


def test_every_kind_has_a_seeded_template(db):
    assert set(MessageTemplate.objects.values_list("kind", flat=True)) == set(MessageKind.values)


def test_an_email_address_given_for_notices_also_gets_them(outbox, committed, register_case, dispatcher_zhou):
    case = committed(register_case)
    CaseContact.objects.create(case=case, medium=Medium.EMAIL, address="liu@example.cn")
    committed(wf.case_accept, case=case, actor=dispatcher_zhou)
    assert {(m.medium, m.recipient) for m in outbox[1:]} == {("sms", PHONE), ("email", "liu@example.cn")}


def test_an_unclear_identity_gets_no_messages(outbox, committed, register_case):
    committed(register_case, petitioners=[], identity_unclear=True)
    assert outbox == [] and not Notification.objects.exists()


def test_the_petitioner_is_reminded_once_before_the_review_window_closes(
    outbox, register_case, clock, cast_all
):
    from huiyin.workflow.tests.drive import drive_to

    clock.set(date(2025, 3, 3))
    case = drive_to(register_case(), Status.REPLIED, cast_all)
    wf.case_deliver(case=case, actor=cast_all.person("clerk"), method="in_person")  # window to 2025-04-02
    clock.set(date(2025, 3, 25))
    assert services.window_reminders() == []
    clock.set(date(2025, 3, 29))
    made = services.window_reminders()
    assert len(made) == 1 and "请求复查" in made[0].body and "2025年4月2日" in made[0].body
    assert services.window_reminders() == []


def test_the_http_sms_gateway_is_configured_not_contacted(settings):
    settings.HUIYIN_SMS_GATEWAY_URL = "http://sms.gateway.invalid/send"
    settings.HUIYIN_SMS_GATEWAY_TOKEN = "t0ken"
    request = HttpSmsGateway().request_for(PHONE, "您好")
    assert request.full_url == "http://sms.gateway.invalid/send"
    assert request.get_header("Authorization") == "Bearer t0ken"
    assert b'"phone": "13800001234"' in request.data


def test_the_http_sms_gateway_without_a_url_fails_cleanly(settings):
    settings.HUIYIN_SMS_GATEWAY_URL = ""
    with pytest.raises(DeliveryError):
        HttpSmsGateway().submit(PHONE, "x")


def test_the_console_backend_is_the_default(committed, register_case, capsys, settings):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default"]}
    }
    case = committed(register_case)
    assert case.code in capsys.readouterr().out
    assert Notification.objects.get(case=case).backend == "huiyin.notify.backends.ConsoleBackend"
