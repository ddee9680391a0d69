"""Work notices to staff: each routing, objection, joint-handling, dispute and 督办 step tells the
people who must act next (inbox notice, e-mail copy, SMS for urgent steps), never the accused side."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.test import Client

from huiyin.cases.models import CaseEvent, Category
from huiyin.notify import staff
from huiyin.notify.choices import Medium, MessageKind
from huiyin.notify.models import Notification, StaffNotice
from huiyin.org.models import User
from huiyin.org.services import token_issue
from huiyin.supervision import services as sv
from huiyin.supervision.models import SupervisionCandidate, UrgentReportRecipient
from huiyin.workflow import services as wf
from huiyin.workflow.clocks import sweep_clocks
from huiyin.workflow.routing import suggest_unit
from huiyin.workflow.tests.drive import REPLY

DAY = date(2025, 3, 3)  # a Monday


def told(event_type: str, case) -> set[str]:
    """Usernames with an inbox notice of the case's latest `event_type` event."""
    event = CaseEvent.objects.filter(case=case, event_type=event_type).latest("id")
    return set(StaffNotice.objects.filter(event=event).values_list("user__username", flat=True))


def events(case) -> list[str]:
    return list(case.events.order_by("id").values_list("event_type", flat=True))


@pytest.fixture
def housing_case(committed, register_case, clock, org):
    clock.set(DAY)
    category = Category.objects.get(full_name="城乡建设 / 住房保障与房地产 / 其他")
    return committed(register_case, category_id=category.pk, territory_id=org.village.pk)


def test_suggestion_dispatch_objection_and_redispatch_each_tell_the_next_actor(
    housing_case,
    committed,
    outbox,
    org,
    dispatcher_zhou,
    handler_wang_unit_a,
    head_sun_unit_a,
    handler_zhao_unit_b,
):
    handler_zhao_unit_b.email = "zhao@mz.example.gov.cn"
    handler_zhao_unit_b.save()
    case = committed(wf.case_accept, case=housing_case, actor=dispatcher_zhou)

    # the matrix suggests the housing bureau; the dispatcher forwards there
    assert suggest_unit(case).unit == org.unit_a
    case = committed(wf.case_forward, case=case, actor=dispatcher_zhou, unit=org.unit_a)
    assert told("forward", case) == {"handler_wang", "head_sun"}

    # unit A objects: the petition office that routed it is told, not unit A itself
    case = committed(wf.case_object, case=case, actor=handler_wang_unit_a, reason="属民政局低保职责")
    assert told("object", case) == {"dispatcher_zhou"}
    notice = StaffNotice.objects.get(user=dispatcher_zhou, kind="object")
    assert "属民政局低保职责" in notice.text and case.code in notice.title

    # the office agrees: unit A hears the case is taken back; then it goes to unit B
    case = committed(wf.case_return, case=case, actor=dispatcher_zhou, reason="同意异议")
    assert told("return", case) == {"handler_wang", "head_sun"}
    case = committed(wf.case_forward, case=case, actor=dispatcher_zhou, unit=org.unit_b)
    assert told("forward", case) == {"handler_zhao"}
    assert events(case) == ["register", "accept", "forward", "object", "return", "forward"]

    # handler Zhao has an e-mail address: the notice is copied there and delivered
    copy = Notification.objects.get(kind=MessageKind.STAFF_NOTICE, recipient="zhao@mz.example.gov.cn")
    assert copy.medium == Medium.EMAIL and copy.state == "sent"
    assert f"/cases/{case.code}/" in outbox[-1].body and "示范县民政局" in outbox[-1].body
    # and no petitioner message was ever addressed to staff
    assert not Notification.objects.filter(kind=MessageKind.STAFF_NOTICE, recipient="13800001234").exists()


def test_a_joint_case_tells_every_unit_and_the_lead_hears_each_report_before_replying_once(
    committed, register_case, clock, org, dispatcher_zhou, handler_wang_unit_a, handler_zhao_unit_b
):
    he = User.objects.create_user(username="co_he", full_name="何协办", unit=org.township_gov, role="handler")
    clock.set(DAY)
    case = committed(wf.case_accept, case=committed(register_case), actor=dispatcher_zhou)
    case = committed(
        wf.case_assign,
        case=case,
        actor=dispatcher_zhou,
        unit=org.unit_a,
        deadline=DAY + timedelta(days=30),
        co_units=[wf.CoUnit(org.unit_b), wf.CoUnit(org.township_gov)],
    )
    # the lead and both co-units are told, with the deadline
    assert told("assign", case) == {"handler_wang", "handler_zhao", "co_he"}
    assert StaffNotice.objects.get(user=he).due_on == DAY + timedelta(days=30)

    case = committed(wf.case_co_report, case=case, actor=handler_zhao_unit_b, report="低保资格已复核")
    assert told("co_report", case) == {"handler_wang"}
    assert "尚待1个协办单位报送" in StaffNotice.objects.filter(user=handler_wang_unit_a).first().text
    case = committed(wf.case_co_report, case=case, actor=he, report="已协调物业维修")
    assert (
        "协办单位已全部报送，请汇总后统一答复"
        in StaffNotice.objects.filter(user=handler_wang_unit_a).first().text
    )

    # the lead unit accepts (条例 §23¶3): the office that routed it is told
    case = committed(wf.case_accept_assignment, case=case, actor=handler_wang_unit_a)
    assert told("accept_assignment", case) == {"dispatcher_zhou"}
    case = committed(wf.case_reply, case=case, actor=handler_wang_unit_a, **REPLY)
    assert events(case).count("reply") == 1 and case.opinions.count() == 1
    assert [k for k in events(case) if k in ("assign", "co_report", "reply")] == [
        "assign",
        "co_report",
        "co_report",
        "reply",
    ]


def test_a_competence_dispute_tells_the_common_superior_and_its_decision_tells_both_units(
    committed,
    register_case,
    clock,
    org,
    dispatcher_zhou,
    handler_wang_unit_a,
    handler_zhao_unit_b,
    reviewer_qian,
):
    clock.set(DAY)
    case = committed(wf.case_accept, case=committed(register_case), actor=dispatcher_zhou)
    case = committed(wf.case_forward, case=case, actor=dispatcher_zhou, unit=org.unit_a)
    case = committed(wf.case_object, case=case, actor=handler_wang_unit_a, reason="属民政局职责")
    case = committed(
        wf.case_refer_dispute, case=case, actor=dispatcher_zhou, units=[org.unit_b], reason="两局均不认领"
    )
    # the county government decides, within 10 working days
    assert told("refer_dispute", case) == {"reviewer_qian"}
    notice = StaffNotice.objects.get(user=reviewer_qian, kind="refer_dispute")
    assert notice.due_on == date(2025, 3, 17) and "报请示范县人民政府决定" in notice.text

    case = committed(
        wf.case_decide_dispute, case=case, actor=reviewer_qian, unit=org.unit_b, reason="属低保审核职责"
    )
    # the unit now competent and the unit that had it both hear the decision
    assert told("decide_dispute", case) == {"handler_wang", "handler_zhao"}
    assert events(case)[-3:] == ["object", "refer_dispute", "decide_dispute"]


def test_the_supervision_chain_tells_the_unit_the_supervisor_and_then_the_superior_by_sms(
    committed, register_case, clock, org, dispatcher_zhou, supervisor_chen, handler_wang_unit_a, reviewer_qian
):
    reviewer_qian.phone = "13900000001"
    reviewer_qian.save()
    clock.set(DAY)
    case = committed(wf.case_accept, case=committed(register_case), actor=dispatcher_zhou)
    case = committed(
        wf.case_assign, case=case, actor=dispatcher_zhou, unit=org.unit_a, deadline=DAY + timedelta(days=10)
    )
    # overdue → candidate → order: unit A is told with the order's deadline
    clock.set(DAY + timedelta(days=12))
    sweep_clocks()
    sv.sweep_supervision()
    candidate = SupervisionCandidate.objects.get(case=case)
    order = committed(
        sv.order_issue,
        case=case,
        actor=supervisor_chen,
        instructions="请于5日内办结并报告",
        due_on=date(2025, 3, 20),
        candidate=candidate,
    )
    assert told("supervision_order", case) == {"handler_wang"}
    assert StaffNotice.objects.get(user=handler_wang_unit_a, kind="supervision_order").due_on == order.due_on

    # no answer by the deadline: the second-level order goes to the county government, by SMS too
    clock.set(date(2025, 3, 21))
    counts = committed(sv.sweep_supervision)
    assert counts["order_escalated"] == 1
    # (and the supervisor who issued the first order hears of the escalation)
    assert told("supervision_escalated", case) == {"reviewer_qian", "supervisor_chen"}
    sms = Notification.objects.get(kind=MessageKind.STAFF_NOTICE, medium=Medium.SMS)  # Qian has a phone
    assert sms.recipient == "13900000001" and "第2级督办" in sms.body

    # the county government answers: the supervisor who issued the order is told
    higher = order.__class__.objects.get(escalated_from=order)
    committed(sv.order_answer, order=higher, actor=reviewer_qian, answer="已责成住建局办结")
    assert told("supervision_answer", case) == {"supervisor_chen"}
    assert [e for e in events(case) if e.startswith("supervision_")] == [
        "supervision_order",
        "supervision_escalated",
        "supervision_answer",
    ]


def test_the_accused_side_is_never_told_even_when_named_30_3(
    committed, register_case, clock, org, reviewer_qian, handler_wang_unit_a
):
    # a major/urgent accusation against the county government; a leader of the county government is
    # configured as a recipient of urgent reports, and so is a city leader (the superior: ADR 0005 lets
    # it see the case without the accuser's identity, and the notice names nobody)
    county_leader = User.objects.create_user(username="ld_x", unit=org.county_gov, role="leader")
    city_leader = User.objects.create_user(username="ld_c", unit=org.city_gov, role="leader")
    for leader in (county_leader, city_leader):
        UrgentReportRecipient.objects.create(territory=org.county, leader=leader)
    clock.set(DAY)
    case = committed(register_case, major_urgent=True, accused_unit_id=org.county_gov.pk)
    assert case.office == org.city_office  # it went up: the county office is the accused's desk
    # only the city leader hears of it; nobody of the county government or below is told
    assert told("major_urgent_report", case) == {"ld_c"}
    assert not StaffNotice.objects.filter(user__unit__in=[org.unit_a, org.county_gov]).exists()


def test_the_inbox_page_the_badge_opening_and_the_api(
    housing_case, committed, org, dispatcher_zhou, handler_wang_unit_a, client
):
    case = committed(wf.case_accept, case=housing_case, actor=dispatcher_zhou)
    case = committed(wf.case_forward, case=case, actor=dispatcher_zhou, unit=org.unit_a)
    client.force_login(handler_wang_unit_a)
    assert 'data-testid="notice-badge">1<' in client.get("/notices/badge/").content.decode()
    page = client.get("/notices/")
    assert [n.kind for n in page.context["notices"]] == ["forward"] and page.context["unread"] == 1
    notice = page.context["notices"][0]
    opened = client.get(f"/notices/{notice.pk}/")
    assert opened.status_code == 302 and opened["Location"] == f"/cases/{case.code}/"
    assert staff.unread_count(handler_wang_unit_a) == 0
    assert 'data-testid="notice-badge"' not in client.get("/notices/badge/").content.decode()
    assert client.get("/notices/?unread=1").context["notices"] == []

    # over the API: list, then mark read
    case = committed(wf.case_object, case=case, actor=handler_wang_unit_a, reason="非本局职责")
    _, raw = token_issue(user=dispatcher_zhou, name="测试")
    api = Client(headers={"authorization": f"Bearer {raw}"})
    listed = api.get("/api/notices?unread=true").json()
    assert listed["unread"] == 1 and [i["kind"] for i in listed["items"]] == ["object"]
    marked = api.post("/api/notices/read", {}, content_type="application/json").json()
    assert marked == {"marked": 1, "unread": 0}
    # marking read touches only one's own notices
    assert staff.mark_read(dispatcher_zhou) == 0
    assert StaffNotice.objects.filter(user=handler_wang_unit_a, read_at__isnull=False).count() == 1


def test_a_clock_turning_yellow_then_red_tells_the_unit_whose_clock_it_is(
    committed, outbox, register_case, clock, org, dispatcher_zhou, handler_wang_unit_a
):
    clock.set(DAY)
    case = committed(wf.case_accept, case=committed(register_case), actor=dispatcher_zhou)
    case = committed(
        wf.case_assign, case=case, actor=dispatcher_zhou, unit=org.unit_a, deadline=DAY + timedelta(days=9)
    )
    # unit A accepts at once (条例 §23¶3): its acceptance clock stops, so only the 交办 deadline is watched here
    case = committed(wf.case_accept_assignment, case=case, actor=handler_wang_unit_a)
    sent_to_petitioner = len(outbox)
    # two thirds of the 交办 deadline gone: yellow; the day after it: red
    clock.set(DAY + timedelta(days=6))
    assert committed(sweep_clocks).get("clock_yellow") == 1
    clock.set(DAY + timedelta(days=10))
    assert committed(sweep_clocks).get("clock_red") == 1
    notices = list(
        StaffNotice.objects.filter(user=handler_wang_unit_a, kind__startswith="clock_").order_by("id")
    )
    assert [n.kind for n in notices] == ["clock_yellow", "clock_red"]
    assert "时限「交办期限」将于2025-03-12届满（黄灯）" in notices[0].text
    assert "已超期（红灯）" in notices[1].text and notices[1].due_on == DAY + timedelta(days=9)
    # the registering office's dispatcher is not told of unit A's clock; the petitioner hears nothing
    assert not StaffNotice.objects.filter(user=dispatcher_zhou, kind__startswith="clock_").exists()
    assert len(outbox) == sent_to_petitioner


@pytest.mark.django_db
def test_a_notice_without_a_case_opens_its_own_page_only_for_its_reader(head_sun_unit_a, handler_wang_unit_a):
    # a module's own notice (a reception session a head is invited to): no case, a link on this site
    notice = staff.notice_direct(
        user=head_sun_unit_a,
        kind="reception_invite",
        title="邀请",
        text="请参加",
        link="/reception/agenda/?session=1",
    )
    assert notice is not None and notice.case_id is None
    # a link off the site is refused (the inbox never redirects elsewhere)
    for bad in ("https://evil.example/", "//evil.example/", "javascript:alert(1)"):
        assert staff.notice_direct(user=head_sun_unit_a, kind="x", title="t", text="t", link=bad) is None
    other = Client()
    other.force_login(handler_wang_unit_a)
    assert other.get(f"/notices/{notice.pk}/").status_code == 404
    mine = Client()
    mine.force_login(head_sun_unit_a)
    assert "请参加" in mine.get("/notices/").content.decode()
    opened = mine.get(f"/notices/{notice.pk}/")
    assert opened.status_code == 302 and opened["Location"] == "/reception/agenda/?session=1"


def test_the_api_lists_a_notice_without_a_case_with_its_link_not_a_500(head_sun_unit_a):
    """A module's own notice has no case: /api/notices once read its case's code and failed (500)."""
    staff.notice_direct(
        user=head_sun_unit_a,
        kind="reception_invite",
        title="邀请",
        text="请参加",
        link="/reception/agenda/?session=1",
    )
    _, raw = token_issue(user=head_sun_unit_a, name="测试")
    response = Client(headers={"authorization": f"Bearer {raw}"}).get("/api/notices")
    assert response.status_code == 200
    [item] = response.json()["items"]
    assert (item["case_id"], item["case_code"], item["link"]) == (None, "", "/reception/agenda/?session=1")
