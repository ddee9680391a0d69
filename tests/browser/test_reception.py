"""Leader reception in a real browser (issue 12): a citizen on a phone books a county leader's slot and
is refused with the eligibility reason (seeds/002 rule 2: no base-level answer yet), books the township
leader's slot offered instead; at the session the leader takes the matter as 包案, and the citizen's
timeline shows it."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from huiyin.org.choices import UnitKind
from huiyin.org.models import Unit, User
from huiyin.reception import services
from huiyin.reception.choices import Level
from huiyin.reception.models import Booking, ReceptionLeader, Session

pytestmark = pytest.mark.browser


def _leader(username: str, name: str, unit: Unit, level: str, title: str) -> User:
    user = User.objects.create_user(
        username=username, password="pw-" + username, full_name=name, unit=unit, role="leader"
    )
    ReceptionLeader.objects.create(user=user, level=level, title=title, portfolio="城乡建设、住房保障")
    return user


def test_a_citizen_is_sent_to_the_township_first_and_the_leader_takes_the_matter_as_baoan(
    phone_page: Any, page: Any, live_url: str, login: Any, org: Any, clock: Any
) -> None:
    # given the county and the township leaders' sessions of September 2025 (today: 1 Sep)
    clock.set(date(2025, 9, 1))
    office = Unit.objects.create(
        code="T-XF",
        name="东城镇信访办",
        kind=UnitKind.PETITION_OFFICE,
        territory=org.township,
        parent=org.township_gov,
    )
    User.objects.create_user(
        username="disp_t", password="pw-disp_t", full_name="镇分办", unit=office, role="dispatcher"
    )
    county = _leader("leader_ma", "马县长", org.county_gov, Level.COUNTY, "县长")
    township = _leader("leader_he", "何镇长", org.township_gov, Level.TOWNSHIP, "镇长")
    services.sessions_generate(
        territory=org.county, start=date(2025, 9, 1), end=date(2025, 9, 30), actor=None
    )
    county_session = Session.objects.filter(leader=county).order_by("date").first()
    township_session = Session.objects.filter(leader=township).order_by("date").first()

    # when a citizen on a phone opens the public schedule and books the county leader's first slot
    p = phone_page
    p.goto(f"{live_url}/public/reception/")
    assert p.locator(f"[data-testid=session-{county_session.pk}]").is_visible()
    p.click(f"[data-testid=book-{county_session.pk}]")
    p.fill("#id_title", "安置房屋顶漏水")
    p.fill("#id_content", "安置房屋顶漏水三年，无人维修")
    p.fill("#id_name", "刘群众")
    p.fill("#id_phone", "13800001234")
    p.check("#id_truthful")
    p.click("[data-testid=book-submit]")
    # then she is refused with the reason and offered the township leader's session
    refusal = p.locator("[data-testid=refusal]")
    assert "分级负责、属地管理" in refusal.inner_text()
    assert "乡镇（街道）或有关部门" in refusal.inner_text()
    assert Booking.objects.count() == 0
    p.click(f"[data-testid=alt-{township_session.pk}]")
    p.fill("#id_title", "安置房屋顶漏水")
    p.fill("#id_content", "安置房屋顶漏水三年，无人维修")
    p.fill("#id_name", "刘群众")
    p.fill("#id_phone", "13800001234")
    p.check("#id_truthful")
    p.click("[data-testid=book-submit]")
    code = p.locator("[data-testid=booking-code]").inner_text()
    booking = Booking.objects.get(code=code)
    assert booking.session_id == township_session.pk

    # when, on the day, the leader opens the agenda and records the visit as his 包案
    clock.set(township_session.date)
    login(page, "leader_he", "pw-leader_he")
    page.goto(f"{live_url}/reception/agenda/?session={township_session.pk}")
    visit = page.locator(f"[data-testid=visit-{code}]")
    assert "安置房屋顶漏水" in visit.inner_text()
    # the matter has no case yet: the office registers it — the township dispatcher records the outcome
    page.context.clear_cookies()
    login(page, "disp_t", "pw-disp_t")
    page.goto(f"{live_url}/reception/agenda/?session={township_session.pk}")
    visit = page.locator(f"[data-testid=visit-{code}]")
    visit.locator("[data-testid=outcome]").select_option("leader_case")
    visit.locator("[data-testid=outcome-submit]").click()
    assert "领导包案" in page.locator(f"[data-testid=visit-{code}] [data-testid=status]").inner_text()
    booking.refresh_from_db()
    assert booking.case is not None and booking.case.leader_id == township.pk

    # then the citizen's timeline on the portal shows that the leader took charge
    p.goto(f"{live_url}/public/track/")
    p.fill("#id_code", booking.case.code)
    p.fill("#id_factor", "1234")  # the last four digits of her phone
    p.click("[data-testid=track-submit]")
    body = p.locator("main").inner_text()
    assert "何镇长" in body and "包案" in body


def test_a_clerk_sends_a_walk_in_to_a_department_window_in_the_hall(
    page: Any,
    live_url: str,
    login: Any,
    org: Any,
    clock: Any,
    clerk_li: Any,
    handler_wang_unit_a: Any,
    dispatcher_zhou: Any,
) -> None:
    """一站式接待 (seeds/003 §二(一); 条例 §18¶3, §23¶1): the hall's clerk sends a walk-in to the housing
    bureau's window; the bureau's officer registers it there and handles it on one case record."""
    from huiyin.reception import hall
    from huiyin.reception.models import HallReferral

    clock.set(date(2025, 9, 2))  # a Tuesday
    window = hall.window_save(
        office=org.county_office, unit=org.unit_a, number="3", weekdays="01234", matters="住房保障、物业维修",
        actor=dispatcher_zhou,
    )  # fmt: skip

    # when the clerk opens the hall and sends the walk-in to window 3
    login(page, "clerk_li", "pw-clerk_li")
    page.goto(f"{live_url}/reception/hall/")
    assert "住房和城乡建设局" in page.locator("[data-testid=window-3]").inner_text()
    page.select_option("#id_window", str(window.pk))
    page.fill("#id_name", "刘群众")
    page.fill("#id_phone", "13800001234")
    page.fill("#id_title", "安置房屋顶漏水")
    page.fill("#id_content", "安置房屋顶漏水三年，无人维修")
    page.click("[data-testid=referral-submit]")
    referral = HallReferral.objects.get()
    row = page.locator(f"[data-testid=referral-{referral.code}]")
    assert "待窗口接待" in row.locator("[data-testid=status]").inner_text()

    # then the bureau's officer at the window sees it, registers it and takes it as the competent organ
    page.context.clear_cookies()
    login(page, "handler_wang", "pw-handler_wang")
    page.goto(f"{live_url}/reception/hall/")
    row = page.locator(f"[data-testid=referral-{referral.code}]")
    assert "安置房屋顶漏水" in row.inner_text()
    row.locator("[data-testid=guidance]").fill("由本局维修科三日内上门查看，六十日内书面答复")
    row.locator("[data-testid=take]").click()
    row = page.locator(f"[data-testid=referral-{referral.code}]")
    assert "窗口已登记办理" in row.locator("[data-testid=status]").inner_text()
    referral.refresh_from_db()
    assert referral.case is not None and referral.case.handling_unit_id == org.unit_a.pk
    # the same case record, opened from the window
    row.locator("[data-testid=case-link]").click()
    assert referral.case.code in page.locator("main").inner_text()
