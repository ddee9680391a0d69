"""RG-3 (条例 §23¶1; t10-law): a unit that received a petition directly tells the petitioner, in a message
of its own, what happened and where to go next — received and how it will be handled (with the day it is
due, §34), where it was forwarded or assigned and by when that organ tells them it accepted it (§23¶3),
or which competent organ to approach. Dates are counted by hand in each test."""

from __future__ import annotations

from datetime import date

import pytest

from huiyin.cases.services import CaseIn, PetitionerIn
from huiyin.intake.services import case_register
from huiyin.notify.choices import MessageKind
from huiyin.notify.models import MessageTemplate, Notification
from huiyin.org.choices import UnitKind
from huiyin.org.models import Unit
from huiyin.workflow import services as wf


def _direct(org, actor, committed):
    data = CaseIn(
        channel="visit",
        petition_type="complaint",
        title="小区违建无人处理",
        content="小区内有人违规加盖，向住建局当面反映。",
        request="请依法处理",
        petitioners=[PetitionerIn(name="刘群众", id_number="11010519491231002X", phone="13800001234")],
    )
    case, _ = committed(case_register, data=data, office=org.unit_a, actor=actor)
    return case


def _message(case, kind):
    return Notification.objects.get(case=case, kind=kind)


@pytest.fixture
def squad(org):
    return Unit.objects.create(
        code="X-ZJ-JC",
        name="住建局城建监察大队",
        kind=UnitKind.HOUSING,
        territory=org.county,
        parent=org.unit_a,
    )


def test_rg3_handled_by_the_unit_itself_tells_the_route_and_the_due_day_over_the_year_end_cond_23_1(
    outbox, committed, org, handler_wang_unit_a, clock
):
    # given 住建局 registers a petition on Tue 30 Dec 2025 and handles it itself on Wed 31 Dec
    clock.set(date(2025, 12, 30))
    case = _direct(org, handler_wang_unit_a, committed)
    clock.set(date(2025, 12, 31))
    committed(
        wf.case_direct_handle,
        case=case,
        actor=handler_wang_unit_a,
        guidance="由本局城建科调查核实后书面答复。",
    )
    # then the petitioner's message says who received it, how it is handled and by when (§34):
    #   31 Dec + 60 = 1–31 Jan (31), 1–28 Feb (59), 1 Mar 2026 (60)
    sms = _message(case, MessageKind.DIRECT_HANDLE)
    assert "示范县住房和城乡建设局接收并办理" in sms.body
    assert "将在2026年3月1日前办结" in sms.body and "由本局城建科调查核实后书面答复" in sms.body
    assert case.code in sms.body and sms.recipient == "13800001234"
    assert "13800001234" in {m.recipient for m in outbox}


def test_rg3_forwarded_below_tells_where_and_when_that_unit_will_answer_over_national_day_cond_23_1(
    outbox, committed, org, handler_wang_unit_a, squad, clock
):
    # given 住建局 registers a petition on Fri 26 Sep 2025 and forwards it to its 监察大队 the same day
    clock.set(date(2025, 9, 26))
    case = _direct(org, handler_wang_unit_a, committed)
    committed(
        wf.case_direct_route, case=case, actor=handler_wang_unit_a, unit=squad, instructions="请大队核查"
    )
    # then the message names where it went and the day the squad must tell them it accepted it (§23¶3):
    #   26 Sep + 15 calendar days = 4 (to 30 Sep) + 11 → Sat 11 Oct 2025 (the 调休 Saturday)
    sms = _message(case, MessageKind.DIRECT_ROUTE)
    assert "已转送住建局城建监察大队办理" in sms.body
    assert "住建局城建监察大队将在2025年10月11日前告知您受理情况" in sms.body
    assert "请大队核查" not in sms.body  # the instructions are for the unit, not the petitioner
    assert sms.subject == f"信访事项{case.code}已转送住建局城建监察大队"


def test_rg3_assigned_below_says_assigned_cond_23_1(
    outbox, committed, org, handler_wang_unit_a, squad, clock
):
    clock.set(date(2025, 12, 1))
    case = _direct(org, handler_wang_unit_a, committed)
    committed(
        wf.case_direct_route,
        case=case,
        actor=handler_wang_unit_a,
        unit=squad,
        kind="assign",
        deadline=date(2026, 1, 15),
    )
    # 1 Dec 2025 + 15 = 16 Dec 2025
    sms = _message(case, MessageKind.DIRECT_ROUTE)
    assert "已交办住建局城建监察大队办理" in sms.body and "2025年12月16日前" in sms.body


def test_rg3_redirected_names_the_competent_organ_and_how_to_track_cond_23_1(
    outbox, committed, org, handler_wang_unit_a, clock
):
    clock.set(date(2025, 3, 3))
    case = _direct(org, handler_wang_unit_a, committed)
    committed(
        wf.case_direct_redirect,
        case=case,
        actor=handler_wang_unit_a,
        organ="示范县人民法院",
        guidance="对判决不服的，可依法向人民法院申请再审。",
    )
    sms = _message(case, MessageKind.DIRECT_REDIRECT)
    assert "请向示范县人民法院提出" in sms.body and "可依法向人民法院申请再审" in sms.body
    assert (
        "您向示范县住房和城乡建设局反映的信访事项" in sms.body and "不属该单位及其系统的职权范围" in sms.body
    )
    assert "可凭编号查询" in sms.body


def test_rg3_messages_are_editable_templates_and_never_show_a_code_cond_23_1(db):
    kinds = (MessageKind.DIRECT_HANDLE, MessageKind.DIRECT_ROUTE, MessageKind.DIRECT_REDIRECT)
    templates = {t.kind: t for t in MessageTemplate.objects.filter(kind__in=kinds)}
    assert set(templates) == set(kinds)  # seeded, so an administrator can edit them
    for template in templates.values():
        for code in ("direct_", "forward", "assign", "handling"):
            assert code not in template.body and code not in template.subject
