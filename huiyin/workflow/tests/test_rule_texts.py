"""Rule values in every text (issue 10 item 8): receipts, clock labels, notices, validation messages and
Open311 texts name the figures of the case's own rule profile, never the national ones typed in.
浙江 §20 routes within 5 working days; a made-up profile changes every other figure so a national
number left anywhere shows up."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.urls import reverse

from huiyin.cases.models import CaseEvent
from huiyin.notify.staff import describe
from huiyin.org.models import RuleProfile, RuleValue
from huiyin.workflow import services as wf
from huiyin.workflow.choices import ClockKind, clock_label

NATIONAL_FIGURES = (
    "（15日）",
    "（60日）",
    "（30日）",
    "（5个工作日）",
    "15日内",
    "60日内",
    "30日内",
    "5个工作日内",
)


@pytest.fixture
def zhejiang_county(org):
    org.county.rule_profile = RuleProfile.objects.get(code="zhejiang")
    org.county.save()
    return org


@pytest.fixture
def odd_county(org):
    """A profile in which every day figure differs from the national one."""
    profile = RuleProfile.objects.create(code="odd", name="测试省", based_on=RuleProfile.national())
    for key, value, unit in (
        ("routing_days", 7, "working_day"),
        ("notice_days", 12, "calendar_day"),
        ("objection_days", 3, "working_day"),
        ("handling_days", 45, "calendar_day"),
        ("unit_accept_days", 11, "calendar_day"),
        ("extension_max_days", 20, "calendar_day"),
        ("review_request_days", 25, "calendar_day"),
        ("review_days", 25, "calendar_day"),
        ("rereview_request_days", 25, "calendar_day"),
        ("rereview_days", 25, "calendar_day"),
    ):
        RuleValue.objects.create(profile=profile, key=key, value=value, unit=unit, article="测试")
    org.county.rule_profile = profile
    org.county.save()
    return org


def test_no_clock_kind_label_carries_a_figure_of_its_own():
    assert not [label for label in ClockKind.labels if re.search(r"\d", label)]
    assert clock_label("handling", 45, "calendar_day") == "办理（45日）"
    assert clock_label("routing", 5, "working_day") == "登记分办（5个工作日）"
    assert clock_label("assignment", 17, "calendar_day") == "交办期限"  # a person set it: no rule figure


def test_zhejiang_staff_receipt_promises_zhejiang_figures_rg1(
    client, zhejiang_county, register_case, clerk_li
):
    # 《浙江省信访条例》第二十条: 5 working days to route, where the national text says 15 days (条例 §22¶1)
    case = register_case()
    client.force_login(clerk_li)
    html = client.get(reverse("case_receipt", args=[case.code]))
    promise = re.search(r'data-testid="receipt-promise">([^<]+)<', html.content.decode()).group(1)
    assert "5个工作日内区分情况转送、交办或办理" in promise
    assert (
        "15日内书面告知" in promise and "60日内办结" in promise
    )  # 浙江 keeps the national notice and handling


def test_every_screen_text_of_a_case_uses_its_profile_figures(
    client, odd_county, register_case, clerk_li, dispatcher_zhou, handler_wang_unit_a, clock
):
    # given a case registered, accepted and forwarded under the odd profile
    clock.set(date(2025, 3, 3))
    case = register_case()
    case = wf.case_accept(case=case, actor=dispatcher_zhou)
    case = wf.case_forward(case=case, actor=dispatcher_zhou, unit=odd_county.unit_a)
    # then, before the unit accepts, its own limit to accept is the profile's (条例 §23¶3)
    client.force_login(dispatcher_zhou)
    assert "受理告知（11日）" in client.get(reverse("case_detail", args=[case.code])).content.decode()
    case = wf.case_accept_assignment(case=case, actor=handler_wang_unit_a)  # the 45 days start (§34)
    # then the receipt, the case page's clocks and the API name the odd figures, never the national ones
    client.force_login(clerk_li)
    receipt = client.get(reverse("case_receipt", args=[case.code])).content.decode()
    assert "12日内书面告知" in receipt and "45日内办结" in receipt and "7个工作日内区分" in receipt
    client.force_login(dispatcher_zhou)
    page = client.get(reverse("case_detail", args=[case.code])).content.decode()
    assert "办理（45日）" in page and "异议期（3个工作日）" in page
    api = client.get(f"/api/cases/{case.pk}").json()
    assert {c["kind_label"] for c in api["clocks"]} >= {"办理（45日）", "异议期（3个工作日）"}
    for text in (receipt, page, str(api)):
        assert not [figure for figure in NATIONAL_FIGURES if figure in text]
    # and the unit's work notice gives the profile's objection window (条例 §23¶3)
    forward = CaseEvent.objects.get(case=case, event_type="forward")
    assert "可在3个工作日内提出异议" in describe(forward)[1]


def test_a_late_objection_is_refused_with_the_profiles_window_rg5(
    odd_county, register_case, dispatcher_zhou, handler_wang_unit_a, clock
):
    from huiyin.core.errors import ApplicationError

    # 2025-03-03 (Mon) forwarded; 3 working days: 03-04, 03-05, 03-06 → the window closes 03-06
    clock.set(date(2025, 3, 3))
    case = wf.case_accept(case=register_case(), actor=dispatcher_zhou)
    case = wf.case_forward(case=case, actor=dispatcher_zhou, unit=odd_county.unit_a)
    clock.set(date(2025, 3, 7))
    with pytest.raises(ApplicationError, match=r"已超过提出异议的期限（收到之日起3个工作日）"):
        wf.case_object(case=case, actor=handler_wang_unit_a, reason="不属本单位职责")
