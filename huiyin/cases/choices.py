"""Vocabularies of a petition case. English codes are fixed by docs/glossary.md and never renamed."""

from django.db import models


class Channel(models.TextChoices):
    """条例 §17: network, letter, phone, fax, visit; plus the leader mailbox, API and cadre findings."""

    VISIT = "visit", "来访"
    LETTER = "letter", "来信"
    PHONE = "phone", "来电"
    FAX = "fax", "传真"
    ONLINE = "online", "网上信访"
    MAILBOX = "mailbox", "领导信箱"
    API = "api", "接口（Open311）"
    FOUND = "found", "排查走访发现"


class PetitionType(models.TextChoices):
    """条例 §29–31: three kinds, handled differently."""

    SUGGESTION = "suggestion", "建议意见"
    ACCUSATION = "accusation", "检举控告"
    COMPLAINT = "complaint", "申诉求决"


# SPEC §3.9: a 申诉求决 or 检举控告 that the person submits themself (portal, Open311) says who they are
# and how to reach them; at a window or from a letter the office may register an unclear identity (CH-3).
IDENTITY_REQUIRED = frozenset({PetitionType.COMPLAINT, PetitionType.ACCUSATION})
SELF_SERVICE_CHANNELS = frozenset({Channel.ONLINE, Channel.API})
MSG_IDENTITY_REQUIRED = "申诉求决和检举控告须写明信访人的真实姓名和联系电话（或电子邮箱）"


class ContactState(models.TextChoices):
    """Whether the contact a case's submission carried is the person's contact on record.

    A submission never changes a stored petitioner's contact data: a new phone or address for a known
    ID number is this case's contact only until staff verify it or the person proves control of the
    phone on record (issue 9, hole 1).
    """

    ON_RECORD = "on_record", "与档案一致"
    UNVERIFIED = "unverified", "本件新联系方式（未核实）"
    VERIFIED = "verified", "已核实并更新档案"


class Status(models.TextChoices):
    REGISTERED = "registered", "已登记"
    ACCEPTED = "accepted", "已受理"
    IN_HANDLING = "in_handling", "办理中"
    REPLIED = "replied", "已答复"
    CLOSED = "closed", "已办结"
    UNDER_REVIEW = "under_review", "复查中"
    REVIEW_REPLIED = "review_replied", "已复查答复"
    UNDER_REREVIEW = "under_rereview", "复核中"
    FINAL = "final", "复核终结"


OPEN_STATUSES = (
    Status.REGISTERED,
    Status.ACCEPTED,
    Status.IN_HANDLING,
    Status.UNDER_REVIEW,
    Status.UNDER_REREVIEW,
)


class PetitionerKind(models.TextChoices):
    PERSON = "person", "个人"
    ORGANISATION = "organisation", "法人或其他组织"


class AssignmentKind(models.TextChoices):
    """条例 §22¶1: 转送 passes a matter to the competent organ; 交办 adds a deadline and a completion report."""

    FORWARD = "forward", "转送"
    ASSIGN = "assign", "交办"


class Decision(models.TextChoices):
    """条例 §32: support / explain / not support; §33: a mediation or settlement agreement."""

    SUPPORT = "support", "支持"
    EXPLAIN = "explain", "解释说明"
    NOT_SUPPORT = "not_support", "不予支持"
    MEDIATED = "mediated", "调解和解"


class OpinionStage(models.TextChoices):
    HANDLING = "handling", "信访处理意见书"
    REVIEW = "review", "复查意见书"
    REREVIEW = "rereview", "复核意见书"


class DeliveryMethod(models.TextChoices):
    IN_PERSON = "in_person", "当面送达"
    MAIL = "mail", "邮寄送达"
    ELECTRONIC = "electronic", "网上或短信送达"
    NOT_OWED = "not_owed", "姓名住址不清，无需书面告知"


class DivertTarget(models.TextChoices):
    """条例 §31(一)–(四), §22¶2, §28¶2: legal channels a complaint is guided into (诉访分离)."""

    LITIGATION = "litigation", "诉讼、检察或公安法定程序"
    ARBITRATION = "arbitration", "仲裁"
    PARTY_APPEAL = "party_appeal", "党员申诉、申请复审"
    ADMINISTRATIVE = "administrative", "行政复议、裁决、确认、许可、处罚等行政程序"
    DISCIPLINE = "discipline", "纪检监察机关"
    POLITICAL_LEGAL = "political_legal", "政法部门（涉法涉诉）"
    CONGRESS = "congress", "人大、法院、检察院"


class Rating(models.TextChoices):
    SATISFIED = "satisfied", "满意"
    BASICALLY = "basically", "基本满意"
    DISSATISFIED = "dissatisfied", "不满意"


class NotAcceptedReason(models.TextChoices):
    NOT_PETITION = "not_petition", "不属于信访事项"
    LEGAL_CHANNEL = "legal_channel", "应通过法定途径解决"
    DUPLICATE_IN_TIME = "duplicate_in_time", "同一事项已受理或正在办理（条例第十九条第三款）"
    FINAL_AFTER_REREVIEW = (
        "final_after_rereview",
        "已复核终结，同一事实和理由不再受理（条例第三十六条第三款）",
    )
    OTHER = "other", "其他（须说明）"
