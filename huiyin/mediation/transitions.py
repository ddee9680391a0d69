"""The mediation state machine as a table (huiyin/core/statetable.py `StateTable`): (state, action) ->
next state, and who may take each action. Guards (consent, a session before an agreement, the organ's
own staff) live in services.py next to the writes; this table is the whole of what is possible."""

from __future__ import annotations

from django.db import models

from huiyin.core.statetable import StateTable
from huiyin.org.choices import Role


class State(models.TextChoices):
    PENDING = "pending", "待当事人同意"
    IN_PROGRESS = "in_progress", "调解中"
    AGREED = "agreed", "已达成协议"
    PERFORMED = "performed", "协议已履行"
    UNPERFORMED = "unperformed", "协议未履行"
    TERMINATED = "terminated", "调解终止"
    HANDED_OFF = "handed_off", "已转入下一调解"
    WITH_COURT = "with_court", "法院处理中"
    COURT_CONCLUDED = "court_concluded", "法院已处理"


class Action(models.TextChoices):
    CONSENT = "consent", "记录当事人意愿"
    START = "start", "开始调解"
    SESSION = "session", "记录调解"
    AGREE = "agree", "达成协议"
    TERMINATE = "terminate", "终止调解"
    HAND_OFF = "hand_off", "转行政调解或引导司法调解"
    FOLLOW_UP_PERFORMED = "follow_up_performed", "回访：已履行"
    FOLLOW_UP_NOT_PERFORMED = "follow_up_not_performed", "回访：未（完全）履行"
    COURT_OUTCOME = "court_outcome", "登记法院处理结果"


S, A = State, Action

TRANSITIONS: dict[tuple[str, str], str] = {
    (S.PENDING, A.CONSENT): S.PENDING,
    (S.PENDING, A.START): S.IN_PROGRESS,
    (S.PENDING, A.TERMINATE): S.TERMINATED,  # a party refuses (§17)
    (S.IN_PROGRESS, A.CONSENT): S.IN_PROGRESS,  # a party withdraws (§23)
    (S.IN_PROGRESS, A.SESSION): S.IN_PROGRESS,
    (S.IN_PROGRESS, A.AGREE): S.AGREED,
    (S.IN_PROGRESS, A.TERMINATE): S.TERMINATED,  # §26
    (S.TERMINATED, A.HAND_OFF): S.HANDED_OFF,  # 三调联动
    (S.UNPERFORMED, A.HAND_OFF): S.HANDED_OFF,  # an unperformed agreement: to the court (§32)
    (S.AGREED, A.FOLLOW_UP_PERFORMED): S.PERFORMED,  # §31
    (S.AGREED, A.FOLLOW_UP_NOT_PERFORMED): S.UNPERFORMED,
    (S.UNPERFORMED, A.FOLLOW_UP_PERFORMED): S.PERFORMED,
    (S.UNPERFORMED, A.FOLLOW_UP_NOT_PERFORMED): S.UNPERFORMED,
    (S.WITH_COURT, A.COURT_OUTCOME): S.COURT_CONCLUDED,
}

# Who in the mediating organ may take each action (the organ's own staff only: `services.may_act`).
MEDIATE: frozenset[str] = frozenset({Role.MEDIATOR, Role.HANDLER, Role.UNIT_HEAD})
FOLLOW_UP: frozenset[str] = MEDIATE | {Role.GRID_WORKER}  # the grid worker of the village calls round

MAY: dict[str, frozenset[str]] = {
    A.CONSENT: MEDIATE,
    A.START: MEDIATE,
    A.SESSION: MEDIATE,
    A.AGREE: MEDIATE,
    A.TERMINATE: MEDIATE,
    A.HAND_OFF: MEDIATE,
    A.FOLLOW_UP_PERFORMED: FOLLOW_UP,
    A.FOLLOW_UP_NOT_PERFORMED: FOLLOW_UP,
    A.COURT_OUTCOME: MEDIATE,
}

OPEN_STATES = frozenset({S.PENDING, S.IN_PROGRESS, S.WITH_COURT})
FINAL_STATES = frozenset({S.PERFORMED, S.HANDED_OFF, S.COURT_CONCLUDED})


MSG_NOT_ORGAN = "只有调解组织的调解员或工作人员可以办理"

TABLE = StateTable(
    name="调解", transitions=TRANSITIONS, may=MAY, states=State, actions=Action, refused=MSG_NOT_ORGAN
)


def next_state(state: str, action: str) -> str | None:
    return TABLE.next_state(state, action)


def actions_from(state: str) -> list[str]:
    return TABLE.actions_from(state)
