"""Leader 包案 and the leader inbox (条例 §18¶2)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.test import Client

from huiyin.cases.models import CaseEvent
from huiyin.core.errors import ValidationFailed
from huiyin.org.models import User
from huiyin.org.services import token_issue
from huiyin.workflow import services as wf

DAY = date(2025, 3, 3)


def test_a_dispatcher_attaches_a_leader_and_the_case_shows_in_the_leaders_inbox(
    register_case, clock, org, dispatcher_zhou, leader_ma, client, django_assert_max_num_queries
):
    # given a case in handling and a letter to the leader mailbox
    clock.set(DAY)
    owned = wf.case_accept(case=register_case(title="楼道漏水"), actor=dispatcher_zhou)
    owned = wf.case_assign(
        case=owned, actor=dispatcher_zhou, unit=org.unit_a, deadline=DAY + timedelta(days=20)
    )
    letter = register_case(title="给县长的一封信", channel="mailbox")
    other = register_case(title="无关事项")
    # when the dispatcher attaches the county leader as owner
    owned = wf.case_attach_leader(case=owned, actor=dispatcher_zhou, leader=leader_ma, reason="群众反映强烈")
    # then it is an event and the case's owner
    event = CaseEvent.objects.filter(case=owned).latest("id")
    assert (event.event_type, event.data["leader_name"]) == ("attach_leader", "马县长")
    assert owned.leader == leader_ma
    # and the leader inbox lists the 包案 case with its clock, and the mailbox letter
    client.force_login(leader_ma)
    with django_assert_max_num_queries(20):
        response = client.get("/leader/")
    sections = {s["name"]: [r["case"] for r in s["rows"]] for s in response.context["sections"]}
    assert sections["owned"] == [owned]
    assert sections["mailbox"] == [letter]
    assert other not in sections["owned"] + sections["mailbox"]
    row = response.context["sections"][0]["rows"][0]
    # (the nearest duty: unit A's acceptance notice in 15 days, 条例 §23¶3 — before its 交办 deadline in
    # 20; the objection period is a window, not a duty)
    assert (row["clock"].clock.kind, row["clock"].days_left) == ("unit_acceptance", 15)
    # and the API says the same
    _, raw = token_issue(user=leader_ma, name="测试")
    body = Client(headers={"authorization": f"Bearer {raw}"}).get("/api/leader/inbox").json()
    assert [c["code"] for c in body["owned"]] == [owned.code]
    assert [c["code"] for c in body["mailbox"]] == [letter.code]


def test_a_leader_takes_a_case_for_themselves(register_case, leader_ma):
    case = wf.case_attach_leader(case=register_case(), actor=leader_ma)
    assert case.leader == leader_ma


def test_only_a_leader_of_the_jurisdiction_or_above_can_own_a_case(register_case, org, dispatcher_zhou):
    elsewhere = User.objects.create_user(
        username="far", full_name="外地领导", unit=org.township_gov, role="leader"
    )
    with pytest.raises(ValidationFailed, match="本辖区或上级的领导"):
        wf.case_attach_leader(case=register_case(), actor=dispatcher_zhou, leader=elsewhere)
    with pytest.raises(ValidationFailed, match="本辖区或上级的领导"):
        wf.case_attach_leader(case=register_case(), actor=dispatcher_zhou, leader=dispatcher_zhou)


def test_a_dispute_for_the_leaders_unit_waits_in_the_inbox(
    register_case, org, dispatcher_zhou, handler_wang_unit_a, leader_ma, client
):
    case = wf.case_accept(case=register_case(), actor=dispatcher_zhou)
    case = wf.case_forward(case=case, actor=dispatcher_zhou, unit=org.unit_a)
    case = wf.case_refer_dispute(case=case, actor=dispatcher_zhou, units=[org.unit_b], reason="争议")
    client.force_login(leader_ma)
    sections = {s["name"]: [r["case"] for r in s["rows"]] for s in client.get("/leader/").context["sections"]}
    assert sections["awaiting"] == [case]
