"""Vocabularies of notifications to petitioners and work notices to staff."""

from django.db import models


class Medium(models.TextChoices):
    SMS = "sms", "短信"
    EMAIL = "email", "电子邮件"


class DeliveryState(models.TextChoices):
    PENDING = "pending", "待发送"
    SENT = "sent", "已发送"
    FAILED = "failed", "发送失败，待重试"
    GAVE_UP = "gave_up", "多次失败，已停止重试"


class MessageKind(models.TextChoices):
    """What a message tells the petitioner; each kind has one editable template (MessageTemplate)."""

    RECEIPT = "register", "登记回执"
    ACCEPT = "accept", "受理告知"
    NOT_ACCEPT = "not_accept", "不予受理告知"
    DIVERT = "divert", "法定途径告知"
    MERGE = "merge", "合并办理告知"
    TRANSFER = "transfer", "移交告知"
    ASSIGN = "assign", "交办告知"
    FORWARD = "forward", "转送告知"
    EXTEND = "extend", "延期告知"
    REPLY = "reply", "答复出具告知"
    MEDIATE = "mediate", "调解和解告知"
    DELIVER = "deliver", "意见书送达及复查复核期限"
    REQUEST_REVIEW = "request_review", "复查请求收到"
    REVIEW_REPLY = "review_reply", "复查意见出具"
    REQUEST_REREVIEW = "request_rereview", "复核请求收到"
    REREVIEW_REPLY = "rereview_reply", "复核意见出具"
    ACCEPT_REVIEW = "accept_review", "复查复核请求受理告知"
    ACCEPT_ASSIGNMENT = "accept_assignment", "办理机关受理告知"  # 条例 §23¶3 (issue 10, t10-organ)
    WINDOW_REMINDER = "window_reminder", "复查复核期限即将届满提醒"
    LOGIN_CODE = "login_code", "群众登录验证码"
    STAFF_NOTICE = "staff_notice", "工作通知（工作人员）"
    # issue 10 (t10-types): 诉访分离 found while handling (条例 §28¶2)
    DIVERT_IN_HANDLING = "divert_in_handling", "办理中法定途径告知"
    # t10-law, RG-3 (条例 §23¶1): a unit's answer to a petition it received directly
    DIRECT_HANDLE = "direct_handle", "直接收到事项接收及处理途径告知"
    DIRECT_ROUTE = "direct_route", "直接收到事项转送交办去向告知"
    DIRECT_REDIRECT = "direct_redirect", "告知向有权处理的机关提出"


class OutboxState(models.TextChoices):
    PENDING = "pending", "待分发"
    DONE = "done", "已分发"
    GAVE_UP = "gave_up", "多次失败，已停止重试"
