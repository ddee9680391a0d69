"""Who sees which case: scoping by unit and territory, the accused unit never, identity views audited."""

from __future__ import annotations

from datetime import date

import pytest

from huiyin.cases.selectors import (
    access_case,
    case_parties_with_audit,
    queues,
    search_cases,
    visible_to,
)
from huiyin.core.errors import NotFound
from huiyin.core.models import AuditEntry
from huiyin.workflow import services as wf


def test_a_unit_sees_a_case_only_once_it_is_routed_to_it(
    register_case, dispatcher_zhou, handler_wang_unit_a, handler_zhao_unit_b, org, clock
):
    clock.set(date(2025, 3, 3))
    case = register_case()
    with pytest.raises(NotFound):
        access_case(handler_wang_unit_a, case.pk)
    case = wf.case_accept(case=case, actor=dispatcher_zhou)
    wf.case_forward(case=case, actor=dispatcher_zhou, unit=org.unit_a)
    assert access_case(handler_wang_unit_a, case.code) == case
    with pytest.raises(NotFound) as missing_for_b:
        access_case(handler_zhao_unit_b, case.pk)
    with pytest.raises(NotFound) as missing_at_all:
        access_case(handler_zhao_unit_b, 999999)
    assert missing_for_b.value.message == missing_at_all.value.message


def test_an_accusation_is_invisible_to_the_accused_unit_even_to_its_supervisor(
    register_case, org, supervisor_chen, handler_wang_unit_a, dispatcher_zhou
):
    from huiyin.org.models import User

    case = register_case(petition_type="accusation", accused_unit_id=org.unit_a.pk, title="举报住建局某干部")
    accused_head = User.objects.create_user(
        username="accused_boss", password="x", unit=org.unit_a, role="supervisor"
    )
    assert case in visible_to(supervisor_chen)
    for person in (handler_wang_unit_a, accused_head):
        assert case not in visible_to(person)
        with pytest.raises(NotFound):
            access_case(person, case.pk)
    # and it cannot be routed to the accused unit (条例 §30¶3)
    case = wf.case_accept(case=case, actor=dispatcher_zhou)
    with pytest.raises(wf.ValidationFailed, match="第三十条"):
        wf.case_forward(case=case, actor=dispatcher_zhou, unit=org.unit_a)


def test_a_supervisor_sees_the_cases_of_the_territory_below(
    register_case, supervisor_chen, handler_zhao_unit_b
):
    case = register_case()
    assert case in visible_to(supervisor_chen)
    assert case not in visible_to(handler_zhao_unit_b)


def test_every_look_at_a_petitioners_identity_is_audited(register_case, dispatcher_zhou):
    case = register_case()
    parties = case_parties_with_audit(dispatcher_zhou, case, ip="127.0.0.1")
    case_parties_with_audit(dispatcher_zhou, case)
    assert parties[0].petitioner.name == "刘群众"
    entries = AuditEntry.objects.filter(case=case, kind=AuditEntry.Kind.IDENTITY_VIEW, actor=dispatcher_zhou)
    assert entries.count() == 2


def test_search_finds_by_code_name_phone_and_text_within_scope(
    register_case, dispatcher_zhou, handler_zhao_unit_b
):
    case = register_case(title="路灯不亮")
    for q in (case.code.lower(), "刘群众", "13800001234", "路灯"):
        assert list(search_cases(dispatcher_zhou, q)) == [case], q
    assert list(search_cases(handler_zhao_unit_b, "路灯")) == []


@pytest.mark.parametrize("queue", list(queues()))
def test_queues_take_a_constant_number_of_queries(
    queue, register_case, dispatcher_zhou, django_assert_max_num_queries
):
    for i in range(12):
        register_case(title=f"事项{i}")
    _label, select = queues()[queue]
    with django_assert_max_num_queries(2):
        rows = list(select(dispatcher_zhou)[:50])
        for row in rows:
            _ = (row.office.name, row.handling_unit and row.handling_unit.name, row.category, row.territory)
    if queue == "to_route":
        assert len(rows) == 12
