"""The joint reception hall (一站式接待, seeds/003 §二(一)、(三); 条例 §18¶3 LD-2, §23¶1 RG-3): the clerk
sends a walk-in to a department's window staffed today; the department's officer registers it there as a
petition their unit received directly and handles it — one case record through the workflow services."""

from __future__ import annotations

from datetime import date

import pytest

from huiyin.cases.choices import PetitionType, Status
from huiyin.cases.models import Case
from huiyin.core.errors import PermissionDenied, TransitionNotAllowed, ValidationFailed
from huiyin.org.choices import Role
from huiyin.org.models import User
from huiyin.reception import hall
from huiyin.reception.choices import ReferralAction, ReferralStatus
from huiyin.reception.models import HallReferral, HallWindow
from huiyin.reception.transitions import REFERRAL, REFERRAL_TABLE

pytestmark = pytest.mark.django_db


@pytest.fixture
def window(org, dispatcher_zhou, clock):
    clock.set(date(2025, 9, 2))  # a Tuesday
    # 住建局 staffs window 3 on Monday, Tuesday and Thursday
    return hall.window_save(
        office=org.county_office, unit=org.unit_a, number="3", weekdays="013", matters="住房保障、物业维修",
        actor=dispatcher_zhou,
    )  # fmt: skip


def _walk_in(**extra):
    data = {"name": "刘群众", "phone": "13800001234", "title": "安置房漏水", "content": "屋顶漏水三年"}
    return hall.ReferralIn(**{**data, **extra})


def test_the_clerk_sends_a_walk_in_and_the_departments_officer_registers_and_handles_it(
    window, clerk_li, handler_wang_unit_a, org
):
    referral = hall.referral_send(window=window, data=_walk_in(), actor=clerk_li)
    assert referral.status == ReferralStatus.WAITING and referral.case is None
    case = hall.referral_take(
        referral=referral, actor=handler_wang_unit_a, guidance="由本局维修科三日内上门查看"
    )
    # 条例 §23¶1: registered by the unit that received it directly, and handled by it as the competent organ
    assert case.office_id == org.unit_a.pk and case.handling_unit_id == org.unit_a.pk
    assert case.status == Status.IN_HANDLING and case.channel == "visit"
    assert [e.event_type for e in case.events.order_by("id")] == ["register", "direct_handle"]
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.TAKEN and referral.case_id == case.pk
    assert Case.objects.count() == 1


def test_a_window_not_staffed_today_takes_no_walk_in(window, clerk_li, clock):
    clock.set(date(2025, 9, 3))  # Wednesday: window 3 is not staffed
    with pytest.raises(ValidationFailed, match="无人坐班"):
        hall.referral_send(window=window, data=_walk_in(), actor=clerk_li)
    assert [w.number for w in hall.windows_open(window.office, date(2025, 9, 4))] == ["3"]  # Thursday


def test_an_accusation_is_never_sent_to_a_window_article_30(window, clerk_li, register_case, org):
    with pytest.raises(ValidationFailed, match="第三十条"):
        hall.referral_send(
            window=window, data=_walk_in(petition_type=PetitionType.ACCUSATION), actor=clerk_li
        )
    # nor is a walk-in whose case accuses the window's own department sent to that window
    accusing = register_case(petition_type=PetitionType.ACCUSATION, accused_unit_id=org.unit_a.pk)
    with pytest.raises(ValidationFailed):
        hall.referral_send(window=window, data=_walk_in(case=accusing), actor=clerk_li)
    assert HallReferral.objects.count() == 0


def test_another_departments_officer_may_not_take_it_and_sees_nothing(
    window, clerk_li, handler_zhao_unit_b, handler_wang_unit_a
):
    referral = hall.referral_send(window=window, data=_walk_in(), actor=clerk_li)
    with pytest.raises(PermissionDenied):
        hall.referral_take(referral=referral, actor=handler_zhao_unit_b, guidance="x")
    assert hall.referrals_for(handler_zhao_unit_b) == []
    assert hall.referrals_for(handler_wang_unit_a) == [referral]
    assert Case.objects.count() == 0


def test_a_referral_taken_or_returned_cannot_be_taken_again(window, clerk_li, handler_wang_unit_a):
    referral = hall.referral_send(window=window, data=_walk_in(), actor=clerk_li)
    with pytest.raises(ValidationFailed):
        hall.referral_return(referral=referral, actor=handler_wang_unit_a, note="")
    hall.referral_return(referral=referral, actor=handler_wang_unit_a, note="属民政局职责，请分流至民政窗口")
    with pytest.raises(TransitionNotAllowed):
        hall.referral_take(referral=referral, actor=handler_wang_unit_a, guidance="x")


@pytest.mark.parametrize("status", ReferralStatus.values)
@pytest.mark.parametrize("role", Role.values)
@pytest.mark.parametrize("action", ReferralAction.values)
def test_the_referral_table_says_who_may_do_what(window, clerk_li, org, status, role, action):
    referral = hall.referral_send(window=window, data=_walk_in(), actor=clerk_li)
    HallReferral.objects.filter(pk=referral.pk).update(status=status)
    referral.refresh_from_db()
    actor = User.objects.create_user(username=f"w_{role}", password="x", unit=org.unit_a, role=role)
    allowed = (status, action) in REFERRAL and REFERRAL_TABLE.role_may(role, action)
    try:
        if action == ReferralAction.TAKE:
            hall.referral_take(referral=referral, actor=actor, guidance="由本局办理")
        else:
            hall.referral_return(referral=referral, actor=actor, note="不属本局职责")
    except (PermissionDenied, TransitionNotAllowed, ValidationFailed):
        assert not allowed, (status, role, action)
    else:
        assert allowed, (status, role, action)
        referral.refresh_from_db()
        assert referral.status == REFERRAL[(status, action)]


def test_only_the_hall_sends_and_only_the_office_sets_up_windows(window, handler_wang_unit_a, clerk_li, org):
    with pytest.raises(PermissionDenied):
        hall.referral_send(window=window, data=_walk_in(), actor=handler_wang_unit_a)
    with pytest.raises(PermissionDenied):
        hall.window_save(
            office=org.county_office, unit=org.unit_b, number="4", weekdays="0", matters="", actor=clerk_li
        )
    assert HallWindow.objects.count() == 1


def test_the_hall_page_sends_and_the_window_takes(client, window, clerk_li, handler_wang_unit_a):
    client.force_login(clerk_li)
    page = client.get("/reception/hall/")
    assert page.status_code == 200 and "3号窗口" in page.content.decode()
    bad = client.post("/reception/hall/", {"op": "send", "window": window.pk, "idempotency_key": "k1"})
    assert bad.status_code == 400 and HallReferral.objects.count() == 0
    sent = client.post(
        "/reception/hall/",
        {"op": "send", "window": window.pk, "name": "刘群众", "phone": "13800001234", "petition_type": "complaint",
         "title": "安置房漏水", "content": "屋顶漏水", "idempotency_key": "k2"},
    )  # fmt: skip
    assert sent.status_code == 302
    code = HallReferral.objects.get().code
    client.force_login(handler_wang_unit_a)
    assert client.post("/reception/hall/", {"op": "send", "window": window.pk}).status_code == 403
    taken = client.post("/reception/hall/", {"op": "take", "referral": code, "guidance": "本局办理"})
    assert taken.status_code == 302 and HallReferral.objects.get().case is not None
