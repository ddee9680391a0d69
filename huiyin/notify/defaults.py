"""The shipped wording of each message kind (seeded into MessageTemplate by a data migration).

Variables: code, track_url, office, unit, reason, reason_label, days, due_on, new_due_on, decision,
review_unit, rereview_unit, window, login_code, route, organ, period (a day count in its rule's unit: "5个工作日"); for staff notices: title, text, due_on, link. Texts are short: one SMS is 70 characters.
"""

from huiyin.notify.choices import MessageKind as K

SIGNATURE = "【回音信访】"

DEFAULT_TEMPLATES: dict[str, tuple[str, str]] = {
    K.RECEIPT: (
        "您的信访事项已登记（{{ code }}）",
        "您的信访事项已由{{ office }}登记，编号{{ code }}。请凭编号和回执上的查询码查询办理进展：{{ track_url }}",
    ),
    K.ACCEPT: (
        "信访事项{{ code }}已受理",
        "您的信访事项{{ code }}已由{{ office }}受理，将转送或交办有权处理的机关，由其告知受理情况和办理期限。",
    ),
    K.NOT_ACCEPT: (
        "信访事项{{ code }}不予受理告知",
        "您的信访事项{{ code }}经审查不予受理。原因：{{ reason_label }}。{{ reason }}",
    ),
    K.DIVERT: (
        "信访事项{{ code }}法定途径告知",
        "您的信访事项{{ code }}应通过{{ unit }}等法定途径解决：{{ reason }}",
    ),
    K.MERGE: (
        "信访事项{{ code }}合并办理告知",
        "您反映的事项{{ code }}与正在办理的同一事项合并办理，不影响办理结果。",
    ),
    K.TRANSFER: (
        "信访事项{{ code }}移交告知",
        "您的信访事项{{ code }}已移交{{ unit }}处理。原因：{{ reason }}",
    ),
    K.ASSIGN: (
        "信访事项{{ code }}已交办",
        "您的信访事项{{ code }}已交{{ unit }}办理，办理单位须按期反馈结果。",
    ),
    K.FORWARD: (
        "信访事项{{ code }}已转送",
        "您的信访事项{{ code }}已转送{{ unit }}办理。",
    ),
    K.EXTEND: (
        "信访事项{{ code }}延期告知",
        "您的信访事项{{ code }}经批准延期{{ period }}，办理期限至{{ new_due_on }}。延期理由：{{ reason }}",
    ),
    K.REPLY: (
        "信访事项{{ code }}已出具处理意见",
        "您的信访事项{{ code }}已由{{ unit }}出具处理意见（{{ decision }}），将依法送达。查询：{{ track_url }}",
    ),
    K.MEDIATE: (
        "信访事项{{ code }}已达成调解和解协议",
        "您的信访事项{{ code }}已达成调解（和解）协议，协议书将依法送达。",
    ),
    K.DELIVER: (
        "信访事项{{ code }}意见书已送达",
        "您的信访事项{{ code }}的{{ decision }}已送达。{% if window %}如不服，可在{{ due_on }}前{{ window }}。{% endif %}请登录查询并评价：{{ track_url }}",
    ),
    K.REQUEST_REVIEW: (
        "信访事项{{ code }}复查请求已收到",
        "您对信访事项{{ code }}的复查请求已转{{ review_unit }}，复查机关应{% if due_on %}在{{ due_on }}前{% else %}在法定期限内{% endif %}书面答复。",
    ),
    K.REVIEW_REPLY: (
        "信访事项{{ code }}复查意见已出具",
        "您的信访事项{{ code }}的复查意见已出具，将依法送达。",
    ),
    K.REQUEST_REREVIEW: (
        "信访事项{{ code }}复核请求已收到",
        "您对信访事项{{ code }}的复核请求已转{{ rereview_unit }}，复核机关应{% if due_on %}在{{ due_on }}前{% else %}在法定期限内{% endif %}提出复核意见。",
    ),
    K.REREVIEW_REPLY: (
        "信访事项{{ code }}复核意见已出具",
        "您的信访事项{{ code }}的复核意见已出具，将依法送达。",
    ),
    K.ACCEPT_REVIEW: (
        "信访事项{{ code }}复查（复核）请求已受理",
        "您对信访事项{{ code }}的复查（复核）请求已由{{ unit }}受理，将{% if due_on %}在{{ due_on }}前{% else %}在法定期限内{% endif %}书面答复。",
    ),
    # 条例 §23¶3, §34 (issue 10, t10-organ): the competent organ's own acceptance notice
    K.ACCEPT_ASSIGNMENT: (
        "信访事项{{ code }}已由{{ unit }}受理",
        "您的信访事项{{ code }}已由{{ unit }}受理，{% if due_on %}将在{{ due_on }}前办结（自受理之日起{{ period }}）{% else %}将在法定期限内办结{% endif %}。{{ reason }}",
    ),
    # issue 10 (t10-types): 诉访分离 (条例 §28¶2, §23¶4): the organ's own procedure, no petition time limit
    K.DIVERT_IN_HANDLING: (
        "信访事项{{ code }}法定途径告知",
        "您的信访事项{{ code }}经办理查明应通过{{ unit }}等法定途径解决：{{ reason }}信访办理时限停止计算。",
    ),
    # t10-law, RG-3 (条例 §23¶1): each answer to a petition a unit received directly says what happened and
    # where the petitioner goes next — the handling route and its date, where it was sent and when that
    # organ will say it accepted it (§23¶3), or which competent organ to approach
    K.DIRECT_HANDLE: (
        "信访事项{{ code }}已由{{ unit }}接收",
        "您的信访事项{{ code }}已由{{ unit }}接收并办理，{% if due_on %}将在{{ due_on }}前办结{% else %}将在法定期限内办结{% endif %}并书面答复。处理途径和程序：{{ reason }} 查询：{{ track_url }}",
    ),
    K.DIRECT_ROUTE: (
        "信访事项{{ code }}已{{ route }}{{ unit }}",
        "您向{{ office }}反映的信访事项{{ code }}已{{ route }}{{ unit }}办理。{{ unit }}{% if due_on %}将在{{ due_on }}前{% else %}将在法定期限内{% endif %}告知您受理情况及处理途径和程序。查询：{{ track_url }}",
    ),
    K.DIRECT_REDIRECT: (
        "信访事项{{ code }}请向有权机关提出",
        "您向{{ office }}反映的信访事项{{ code }}不属该单位及其系统的职权范围，请向{{ organ }}提出：{{ reason }} 本次反映已登记，可凭编号查询：{{ track_url }}",
    ),
    K.WINDOW_REMINDER: (
        "信访事项{{ code }}：{{ window }}期限即将届满",
        "提醒：如需对信访事项{{ code }}{{ window }}，请在{{ due_on }}前提出。查询：{{ track_url }}",
    ),
    K.STAFF_NOTICE: (
        "{{ title }}",
        "{{ text }}{% if due_on %}期限：{{ due_on }}。{% endif %}{% if link %} {{ link }}{% endif %}",
    ),
    K.LOGIN_CODE: (
        "回音信访登录验证码",
        "您的登录验证码为{{ login_code }}，10分钟内有效。如非本人操作，请忽略。",
    ),
}
