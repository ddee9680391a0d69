"""The modules' state tables: the table is the whole of what is possible, and who may act."""

from __future__ import annotations

import pytest
from django.db import models

from huiyin.core.errors import PermissionDenied, TransitionNotAllowed
from huiyin.core.statetable import StateTable


class S(models.TextChoices):
    OPEN = "open", "进行中"
    DONE = "done", "已完成"


class A(models.TextChoices):
    NOTE = "note", "记录进展"
    FINISH = "finish", "办结"


TABLE = StateTable(
    name="测试",
    transitions={(S.OPEN, A.NOTE): S.OPEN, (S.OPEN, A.FINISH): S.DONE},
    may={A.NOTE: frozenset({"handler", "head"}), A.FINISH: frozenset({"head"})},
    states=S,
    actions=A,
    refused="只有本单位负责人可以办结",
)


def test_the_next_state_comes_from_the_table():
    assert TABLE.step(S.OPEN, A.FINISH, "head") == S.DONE
    assert TABLE.step(S.OPEN, A.NOTE, "handler") == S.OPEN
    assert TABLE.actions_from(S.DONE) == []


def test_a_pair_outside_the_table_is_refused_with_the_state_in_words_whoever_asks():
    with pytest.raises(TransitionNotAllowed) as refused:
        TABLE.step(S.DONE, A.NOTE, "head")
    assert str(refused.value) == "当前状态（已完成）不能记录进展"
    assert refused.value.extra == {"record": "测试", "state": "done", "action": "note"}


def test_a_role_the_table_does_not_name_is_refused():
    with pytest.raises(PermissionDenied, match="只有本单位负责人可以办结"):
        TABLE.step(S.OPEN, A.FINISH, "handler")
    with pytest.raises(PermissionDenied):
        TABLE.step(S.OPEN, A.FINISH, None)


def test_the_right_role_on_the_wrong_side_is_refused():
    with pytest.raises(PermissionDenied):
        TABLE.step(S.OPEN, A.FINISH, "head", side_ok=False)


def test_the_buttons_offered_are_the_permitted_actions():
    assert TABLE.permitted(S.OPEN, "handler") == [A.NOTE]
    assert TABLE.permitted(S.OPEN, "head") == [A.NOTE, A.FINISH]
    assert TABLE.permitted(S.DONE, "head") == []
