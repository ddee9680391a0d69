"""The event registry (ADR 0007): every writer goes through `event_record`, every event type is declared
by its app, and a module that declares a new type is shown on the case page, the citizen timeline and
in the staff notices without a line changed in the core."""

from __future__ import annotations

import pytest
from django.urls import reverse

from huiyin.cases.events import event_record
from huiyin.cases.models import CaseEvent
from huiyin.core import registry
from huiyin.core.registry import EventType, Module, Phase
from huiyin.notify.defaults import DEFAULT_TEMPLATES
from huiyin.notify.models import OutboxMessage, StaffNotice
from huiyin.notify.outbox import outbox_drain
from huiyin.notify.services import message_kind
from huiyin.portal.selectors import citizen_timeline
from huiyin.workflow.transitions import Action


def test_every_action_of_the_table_and_every_clock_event_is_a_declared_event_type():
    declared = {et.code for et in registry.event_types()}
    assert {str(a) for a in Action} <= declared
    assert {"register", "clock_yellow", "clock_red", "clock_expired"} <= declared
    assert {"supervision_order", "supervision_answer", "major_urgent_report"} <= declared


def test_every_declared_message_has_a_shipped_template_and_every_type_has_words():
    for et in registry.event_types():
        assert et.label and et.label != et.code, et.code  # no internal code reaches a screen
        if et.message:
            assert message_kind(et.code) in DEFAULT_TEMPLATES, et.code


def test_two_modules_may_not_declare_the_same_event_type():
    with pytest.raises(ValueError, match="declared twice"):
        registry.declare(Module(name="impostor", events=(EventType("accept", "冒名", Phase.MODULE),)))
    assert registry.event_type("accept").label == "受理"


@pytest.mark.django_db
def test_an_undeclared_event_type_is_refused_before_anything_is_written(register_case):
    case = register_case()
    events, outbox = CaseEvent.objects.count(), OutboxMessage.objects.count()
    with pytest.raises(registry.UnknownEventType):
        event_record(case=case, event_type="made_up_step", data={})
    assert (CaseEvent.objects.count(), OutboxMessage.objects.count()) == (events, outbox)


@pytest.fixture
def visit_module(handler_wang_unit_a):
    """A module that is not part of the core declares one event type, as a reception app would."""
    module = Module(
        name="test_visits",
        events=(
            EventType(
                "test_leader_visit",
                "领导接访",
                Phase.MODULE,
                citizen=lambda ev: f"{ev.data['leader']}接待了您",
                notice="领导接访后交{unit_name}办理。",
                tells=lambda ev: {handler_wang_unit_a.pk},
            ),
        ),
    )
    registry.declare(module)
    yield module
    registry._MODULES.pop(module.name)
    registry._EVENTS.pop("test_leader_visit")


@pytest.mark.django_db(transaction=True)
def test_a_module_event_reaches_the_case_page_the_citizen_and_the_staff_it_names(
    visit_module, register_case, clerk_li, handler_wang_unit_a, client
):
    # given a case, when the module records its event
    case = register_case()
    event_record(
        case=case,
        event_type="test_leader_visit",
        actor=clerk_li,
        data={"leader": "王县长", "unit_name": "住建局"},
    )
    outbox_drain()
    # then the petitioner's timeline says what it means
    assert "王县长接待了您" in [row["text"] for row in citizen_timeline(case)]
    # and the handler it names is told, in the words it declared
    notice = StaffNotice.objects.get(user=handler_wang_unit_a, kind="test_leader_visit")
    assert notice.title.startswith("领导接访｜") and "领导接访后交住建局办理。" in notice.text
    # and the case page names it by its label
    client.force_login(clerk_li)
    page = client.get(reverse("case_detail", args=[case.code])).content.decode()
    assert "<strong>领导接访</strong>" in page


@pytest.mark.django_db
def test_the_navigation_is_what_the_modules_declared_for_the_users_role(
    client, clerk_li, handler_wang_unit_a
):
    # given a module that declares an entry for clerks only
    entry = registry.NavEntry("visits", "接访日", "search", "bi-calendar", 45, roles=frozenset({"clerk"}))
    registry.declare(Module(name="test_nav", navigation=(entry,)))
    try:
        # then the clerk sees it with the core's entries, in order, and the handler does not
        keys = [e.key for e in registry.navigation_for(clerk_li)]
        assert keys[:4] == ["workbench", "intake", "search", "notices"] and "visits" in keys
        assert "visits" not in [e.key for e in registry.navigation_for(handler_wang_unit_a)]
        assert "intake" not in [e.key for e in registry.navigation_for(handler_wang_unit_a)]
        client.force_login(clerk_li)
        assert "接访日" in client.get(reverse("workbench")).content.decode()
        client.force_login(handler_wang_unit_a)
        assert "接访日" not in client.get(reverse("workbench")).content.decode()
    finally:
        registry._MODULES.pop("test_nav")
