"""The transition table against the regulations, written here from shared/docs/regulations.md and NOT
read from `transitions.TABLE`: every (status, action) → status the law allows, with its article. A
transition added to or dropped from the code without the law behind it breaks this test; who may
take each action is the independent table of test_permission_table.py."""

from __future__ import annotations

from huiyin.cases.choices import Status as S
from huiyin.workflow.transitions import TABLE, Action

A = Action
OPEN_BEFORE_THE_END = (
    S.REGISTERED,
    S.ACCEPTED,
    S.IN_HANDLING,
    S.REPLIED,
    S.UNDER_REVIEW,
    S.REVIEW_REPLIED,
    S.UNDER_REREVIEW,
)
WHILE_SOMEONE_WORKS_IT = (S.IN_HANDLING, S.UNDER_REVIEW, S.UNDER_REREVIEW)

LAW: dict[tuple[str, str], tuple[str, str]] = {
    # B. registration and routing by the petition office (条例 §22¶1, §23; RG-1, RG-9, CL-2, RP-1)
    (S.REGISTERED, A.ACCEPT): (S.ACCEPTED, "§22¶1 登记后区分情况处理"),
    (S.REGISTERED, A.NOT_ACCEPT): (S.CLOSED, "§44(二) 不予受理须有法定理由"),
    (S.REGISTERED, A.DIVERT): (S.CLOSED, "§31(一)–(五) 导入法定途径; §28¶2 诉访分离"),
    (S.REGISTERED, A.MERGE): (S.CLOSED, "§19¶3 同一信访事项"),
    (S.REGISTERED, A.TRANSFER): (S.REGISTERED, "§22¶1(二) 属地管理：移交有权处理的辖区"),
    (S.ACCEPTED, A.ASSIGN): (S.IN_HANDLING, "§22¶1(三) 交办"),
    (S.ACCEPTED, A.FORWARD): (S.IN_HANDLING, "§22¶1(一)(二) 转送"),
    (S.IN_HANDLING, A.OBJECT): (S.IN_HANDLING, "§23¶3 5个工作日内提出异议"),
    (S.IN_HANDLING, A.RETURN): (S.ACCEPTED, "§23¶3 经核实同意后交还"),
    (S.IN_HANDLING, A.DISMISS_OBJECTION): (S.IN_HANDLING, "§23¶3 不同意异议"),
    (S.IN_HANDLING, A.CO_REPORT): (S.IN_HANDLING, "§22¶1(三) 一揽子解决：协办单位报送"),
    (S.IN_HANDLING, A.REFER_DISPUTE): (S.IN_HANDLING, "§24 管辖争议报共同上一级"),
    (S.IN_HANDLING, A.DECIDE_DISPUTE): (S.IN_HANDLING, "§24 共同上一级决定"),
    # E. handling by the competent organ (§31(六), §32–§34; HD-4..7)
    (S.IN_HANDLING, A.EXTEND): (S.IN_HANDLING, "§34 延长不超过30日"),
    (S.IN_HANDLING, A.MEDIATE): (S.REPLIED, "§33 调解协议书、和解协议书"),
    (S.IN_HANDLING, A.REPLY): (S.REPLIED, "§31(六), §32 信访处理意见书"),
    (S.REPLIED, A.DELIVER): (S.REPLIED, "§32, §35 书面答复送达（复查期限自收到之日起）"),
    (S.REPLIED, A.RATE): (S.REPLIED, "§21¶2 信访人评价"),
    (S.REPLIED, A.REOPEN): (S.IN_HANDLING, "§28¶1 不得敷衍：送达前发现问题重新办理"),
    (S.REPLIED, A.CLOSE): (S.CLOSED, "§32 支持的督促执行；办结"),
    (S.CLOSED, A.RATE): (S.CLOSED, "§21¶2 办结后评价"),
    # F. review and re-review (§35, §36; RV-1..4)
    (S.REPLIED, A.REQUEST_REVIEW): (S.UNDER_REVIEW, "§35 收到书面答复之日起30日内请求复查"),
    (S.CLOSED, A.REQUEST_REVIEW): (S.UNDER_REVIEW, "§35 办结后30日内仍可请求复查"),
    (S.UNDER_REVIEW, A.ACCEPT_REVIEW): (S.UNDER_REVIEW, "山东条例：决定是否受理复查请求"),
    (S.UNDER_REVIEW, A.REVIEW_REPLY): (S.REVIEW_REPLIED, "§35 复查意见"),
    (S.REVIEW_REPLIED, A.DELIVER): (S.REVIEW_REPLIED, "§35 复查意见书面答复送达"),
    (S.REVIEW_REPLIED, A.RATE): (S.REVIEW_REPLIED, "§21¶2 信访人评价"),
    (S.REVIEW_REPLIED, A.CLOSE): (S.CLOSED, "§35 复查后办结"),
    (S.REVIEW_REPLIED, A.REQUEST_REREVIEW): (S.UNDER_REREVIEW, "§36¶1 收到复查意见之日起30日内请求复核"),
    (S.UNDER_REREVIEW, A.ACCEPT_REVIEW): (S.UNDER_REREVIEW, "山东条例：决定是否受理复核请求"),
    (S.UNDER_REREVIEW, A.HEARING_START): (S.UNDER_REREVIEW, "§36¶2 听证（时间不计入复核期限）"),
    (S.UNDER_REREVIEW, A.HEARING_END): (S.UNDER_REREVIEW, "§36¶2 听证结束"),
    (S.UNDER_REREVIEW, A.REREVIEW_REPLY): (S.FINAL, "§36¶3 复核意见为终结"),
    (S.FINAL, A.DELIVER): (S.FINAL, "§36 复核意见送达"),
    (S.FINAL, A.RATE): (S.FINAL, "§21¶2 信访人评价"),
    # K. a leader takes charge of a case at any point before its end (§18¶2 包案)
    **{(s, A.ATTACH_LEADER): (s, "§18¶2 领导包案") for s in OPEN_BEFORE_THE_END},
    # HD-8: whoever works the case must step aside when linked, or say why not (§28¶3)
    **{(s, A.RECUSE): (s, "§28¶3 回避") for s in WHILE_SOMEONE_WORKS_IT},
    **{(s, A.ACKNOWLEDGE_CONFLICT): (s, "§28¶3 不回避的理由") for s in WHILE_SOMEONE_WORKS_IT},
    **{(s, A.CLEAR_CONFLICT_BAR): (s, "§30¶3 核实同名者非被反映人") for s in WHILE_SOMEONE_WORKS_IT},
    # CF-1: the office sets the accused before the case leaves it (§30¶3)
    (S.REGISTERED, A.SET_ACCUSED): (S.REGISTERED, "§30¶3 核定被反映人"),
    (S.ACCEPTED, A.SET_ACCUSED): (S.ACCEPTED, "§30¶3 核定被反映人"),
}


def test_every_transition_of_the_table_has_its_article_and_none_is_missing():
    coded = {(str(s), str(a)): str(t) for (s, a), t in TABLE.items()}
    lawful = {(str(s), str(a)): str(t) for (s, a), (t, _article) in LAW.items()}
    assert sorted(set(coded) - set(lawful)) == [], "transitions in the code without an article"
    assert sorted(set(lawful) - set(coded)) == [], "transitions of the law missing from the code"
    wrong = {key: (coded[key], lawful[key]) for key in coded if coded[key] != lawful[key]}
    assert wrong == {}, "(status, action): (code's target, law's target)"


def test_a_final_rereview_opinion_ends_the_matter_cond_36_3():
    # RV-4: after 复核 nothing reopens it; it is only delivered and rated
    assert {a for (s, a) in LAW if s == S.FINAL} == {A.DELIVER, A.RATE}


def test_a_closed_matter_can_only_be_rated_or_taken_to_review_within_its_window_cond_35():
    assert {a for (s, a) in LAW if s == S.CLOSED} == {A.RATE, A.REQUEST_REVIEW}
