"""Conflict of interest (条例 §28¶3): a linked handler is warned and must recuse or record why not."""

from __future__ import annotations

import pytest
from django.test import Client

from huiyin.cases.models import CaseEvent
from huiyin.core.errors import PermissionDenied
from huiyin.org.services import token_issue
from huiyin.workflow import services as wf
from huiyin.workflow.models import DeclaredRelation
from huiyin.workflow.tests.drive import REPLY
from huiyin.workflow.transitions import Action


@pytest.fixture
def forwarded(register_case, org, dispatcher_zhou, head_sun_unit_a):
    def make(**overrides):
        case = wf.case_accept(case=register_case(**overrides), actor=dispatcher_zhou)
        case = wf.case_forward(case=case, actor=dispatcher_zhou, unit=org.unit_a)
        return wf.case_accept_assignment(case=case, actor=head_sun_unit_a)  # the unit accepts (§23¶3)

    return make


def _reply_params():
    return {k: v for k, v in REPLY.items() if k != "completion_report"}


def test_a_handler_with_the_petitioners_phone_is_warned_and_may_only_recuse_or_explain(
    forwarded, handler_wang_unit_a, client
):
    # given the handler's phone is the petitioner's
    case = forwarded()
    handler_wang_unit_a.phone = "13800001234"
    handler_wang_unit_a.save()
    # then every other action is refused with the reason, in services, the case page and the API
    with pytest.raises(wf.ConflictOfInterest, match="与信访人刘群众的联系电话相同"):
        wf.case_reply(case=case, actor=handler_wang_unit_a, **_reply_params())
    assert set(wf.allowed_actions(case, handler_wang_unit_a)) == {Action.RECUSE, Action.ACKNOWLEDGE_CONFLICT}
    client.force_login(handler_wang_unit_a)
    form = client.get(f"/cases/{case.code}/actions/recuse/").context["form"]
    assert "与信访人刘群众的联系电话相同" in form.fields["reason"].help_text
    _, raw = token_issue(user=handler_wang_unit_a, name="测试")
    response = Client(headers={"authorization": f"Bearer {raw}"}).post(
        f"/api/cases/{case.pk}/actions/reply", _reply_params(), content_type="application/json"
    )
    assert response.status_code == 409
    assert "第二十八条第三款" in response.json()["message"]
    assert response.json()["extra"]["links"] == ["与信访人刘群众的联系电话相同"]


def test_a_recused_handler_takes_no_further_part_and_the_unit_head_is_told(
    forwarded, handler_wang_unit_a, head_sun_unit_a
):
    case = forwarded()
    handler_wang_unit_a.phone = "13800001234"  # the handler shares the petitioner's phone
    handler_wang_unit_a.save(update_fields=["phone"])
    case = wf.case_recuse(case=case, actor=handler_wang_unit_a, reason="与信访人系亲属")
    event = CaseEvent.objects.filter(case=case).latest("id")
    assert event.event_type == "recuse"
    assert event.data["links"] == ["与信访人刘群众的联系电话相同"]
    assert event.data["notify_users"] == [head_sun_unit_a.pk]
    assert wf.allowed_actions(case, handler_wang_unit_a) == []
    with pytest.raises(PermissionDenied, match="已对本事项回避"):
        wf.case_reply(case=case, actor=handler_wang_unit_a, **_reply_params())
    # and the rest of the unit carries on
    assert wf.case_reply(case=case, actor=head_sun_unit_a, **_reply_params()).status == "replied"


def test_a_declared_relation_can_be_explained_and_the_handler_then_acts(forwarded, handler_wang_unit_a):
    case = forwarded()
    DeclaredRelation.objects.create(
        user=handler_wang_unit_a, petitioner=case.parties.get().petitioner, relation="远房表亲"
    )
    with pytest.raises(wf.ConflictOfInterest, match="已申报与信访人刘群众的关系：远房表亲"):
        wf.case_reply(case=case, actor=handler_wang_unit_a, **_reply_params())
    case = wf.case_acknowledge_conflict(
        case=case, actor=handler_wang_unit_a, reason="多年无往来，经单位负责人同意继续办理"
    )
    assert CaseEvent.objects.filter(case=case, event_type="acknowledge_conflict").count() == 1
    assert wf.case_reply(case=case, actor=handler_wang_unit_a, **_reply_params()).status == "replied"


def test_an_unlinked_handler_is_not_asked_to_explain(forwarded, handler_wang_unit_a):
    case = forwarded()
    assert Action.ACKNOWLEDGE_CONFLICT not in wf.allowed_actions(case, handler_wang_unit_a)
    assert Action.REPLY in wf.allowed_actions(case, handler_wang_unit_a)
