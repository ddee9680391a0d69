"""A clock's texts say the days in the unit of the rule that set them (条例 §34; ADR 0004 day counting):
a province that states its extension ceiling in 工作日 sees "已延期5个工作日" on the clock panel, the
timeline and the extension forms — never "5日", which would be a different (shorter) period."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from huiyin.org.choices import Role, ValueUnit
from huiyin.org.models import RuleProfile, RuleValue, User
from huiyin.workflow import services as wf
from huiyin.workflow.choices import ClockKind
from huiyin.workflow.models import Clock


def _working_day_extensions(org):
    """A province whose handling limit is in days but whose extension ceiling is 10 working days."""
    profile = RuleProfile.objects.create(code="t16wd", name="测试省", based_on=RuleProfile.national())
    RuleValue.objects.create(
        profile=profile,
        key="extension_max_days",
        value=10,
        unit=ValueUnit.WORKING_DAY,
        article="测试省第九条",
    )
    org.county.rule_profile = profile
    org.county.save()


def _extended(case, clock, dispatcher, head, org, days=5):
    clock.set(date(2025, 12, 10))
    case = wf.case_accept(case=case, actor=dispatcher)
    case = wf.case_forward(case=case, actor=dispatcher, unit=org.unit_a)
    handler = User.objects.filter(unit=org.unit_a, role=Role.HANDLER).first()
    case = wf.case_accept_assignment(case=case, actor=handler)
    clock.set(date(2026, 1, 20))
    return wf.case_extend(case=case, actor=head, days=days, reason="需现场勘验")


@pytest.fixture
def head_client(client, head_sun_unit_a, handler_wang_unit_a):
    client.force_login(head_sun_unit_a)
    return client


def test_an_extension_in_working_days_reads_in_working_days_cond_34(
    head_client, org, register_case, clock, dispatcher_zhou, head_sun_unit_a
):
    _working_day_extensions(org)
    case = _extended(register_case(), clock, dispatcher_zhou, head_sun_unit_a, org)
    handling = Clock.objects.get(case=case, kind=ClockKind.HANDLING)
    assert handling.rule_unit == ValueUnit.CALENDAR_DAY and handling.extended_days == 5
    html = head_client.get(reverse("case_detail", args=[case.code])).content.decode()
    assert "已延期5个工作日" in html and "已延期5日" not in html
    assert "延期5个工作日，办理期限至" in html  # the timeline, as the event wrote it
    # the extension form says what its days count in
    form = head_client.get(reverse("case_action", args=[case.code, "extend"])).content.decode()
    assert "按工作日计，合计不超过10个工作日（测试省第九条）" in form


def test_an_extension_in_days_still_reads_in_days_cond_34(
    head_client, org, register_case, clock, dispatcher_zhou, head_sun_unit_a
):
    case = _extended(register_case(), clock, dispatcher_zhou, head_sun_unit_a, org)
    html = head_client.get(reverse("case_detail", args=[case.code])).content.decode()
    assert "已延期5日" in html and "工作日" not in html.split('data-testid="clocks"')[1].split("</ul>")[0]
    form = head_client.get(reverse("case_action", args=[case.code, "extend"])).content.decode()
    assert "按日计，合计不超过30日" in form


def test_the_reply_check_states_the_limit_and_its_extension_each_in_its_unit_cond_34(
    client, org, register_case, clock, dispatcher_zhou, head_sun_unit_a, handler_wang_unit_a
):
    _working_day_extensions(org)
    case = _extended(register_case(), clock, dispatcher_zhou, head_sun_unit_a, org)
    client.force_login(handler_wang_unit_a)
    html = client.post(
        reverse("assist_reply_check", args=[case.code]) + "?action=reply",
        {"facts_reasons": "经调查核实，楼道漏水属实。", "decision": "support", "legal_basis": "物业管理条例"},
    ).content.decode()
    # 60 calendar days plus 5 working days: never added up into "65 日"
    assert "期限 60日，已延期5个工作日" in html and "期限 65" not in html
