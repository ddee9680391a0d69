"""Fixed vocabularies of the organisation (SPEC §2, §3.1). Codes are English, labels Chinese (docs/glossary.md)."""

from django.db import models


class TerritoryLevel(models.IntegerChoices):
    PROVINCE = 1, "省"
    CITY = 2, "市"
    COUNTY = 3, "县（区）"
    TOWNSHIP = 4, "乡镇（街道）"
    VILLAGE = 5, "村（社区）"
    GRID = 6, "网格"


class UnitKind(models.TextChoices):
    PARTY_COMMITTEE = "party_committee", "党委"
    GOVERNMENT = "government", "人民政府"
    PETITION_OFFICE = "petition_office", "信访部门"
    JOINT_CONFERENCE = "joint_conference", "信访工作联席会议"
    CIVIL_AFFAIRS = "civil_affairs", "民政"
    HUMAN_RESOURCES = "human_resources", "人力资源和社会保障"
    NATURAL_RESOURCES = "natural_resources", "自然资源"
    HOUSING = "housing", "住房和城乡建设"
    ECOLOGY = "ecology", "生态环境"
    EDUCATION = "education", "教育"
    HEALTH = "health", "卫生健康"
    PUBLIC_SECURITY = "public_security", "公安"
    MARKET_REGULATION = "market_regulation", "市场监督管理"
    TRANSPORT = "transport", "交通运输"
    AGRICULTURE = "agriculture", "农业农村"
    URBAN_MANAGEMENT = "urban_management", "城市管理"
    POLITICAL_LEGAL = "political_legal", "政法"
    DISCIPLINE = "discipline", "纪检监察"
    VILLAGE_COMMITTEE = "village_committee", "村（居）民委员会"
    OTHER = "other", "其他"


class Role(models.TextChoices):
    """One role per staff account (ADR 0003); a person with two duties has two accounts."""

    CLERK = "clerk", "窗口接待员"
    DISPATCHER = "dispatcher", "信访部门办理员"
    HANDLER = "handler", "责任单位承办人"
    UNIT_HEAD = "unit_head", "单位负责人"
    LEADER = "leader", "领导"
    MEDIATOR = "mediator", "调解员"
    GRID_WORKER = "grid_worker", "网格员"
    SUPERVISOR = "supervisor", "督查考核"
    ADMIN = "admin", "管理员"


class RuleKey(models.TextChoices):
    """The rule values of a jurisdiction (SPEC §3.1). Each default cites its article in `rules.py`."""

    ROUTING_DAYS = "routing_days", "登记后区分处理时限"
    NOTICE_DAYS = "notice_days", "书面告知时限"
    OBJECTION_DAYS = "objection_days", "转送交办异议时限"
    HANDLING_DAYS = "handling_days", "办理时限"
    EXTENSION_MAX_DAYS = "extension_max_days", "延期上限"
    REVIEW_REQUEST_DAYS = "review_request_days", "请求复查期限"
    REVIEW_DAYS = "review_days", "复查时限"
    REREVIEW_REQUEST_DAYS = "rereview_request_days", "请求复核期限"
    REREVIEW_DAYS = "rereview_days", "复核时限"
    MAX_REPRESENTATIVES = "max_representatives", "集体访代表人数上限"
    SMALL_GROUP_SIZE = "small_group_size", "小规模集体访人数（0=不区分）"
    SMALL_GROUP_MAX_REPRESENTATIVES = "small_group_max_representatives", "小规模集体访代表人数上限"
    WARNING_PERCENT = "warning_percent", "黄灯预警（已用时限百分比）"
    ROLL_OVER_HOLIDAY = "roll_over_holiday", "期满日为节假日顺延"
    DISPUTE_DAYS = "dispute_days", "管辖争议决定时限"
    STALLED_DAYS = "stalled_days", "无进展督办提示天数"
    REVIEW_ACCEPT_DAYS = "review_accept_days", "复查复核请求受理决定时限（0=收到即受理）"
    # issue 10 item 1 and 5 (t10-organ): the competent organ's own acceptance, and the head's sign-off
    UNIT_ACCEPT_DAYS = "unit_accept_days", "转送交办事项受理告知时限"
    OPINION_SIGNOFF = "opinion_signoff", "处理意见书须经单位负责人签发（1=是）"
    # issue 10 (t10-types): each petition type selects its own handling limit (条例 §29, §30, §34)
    SUGGESTION_DAYS = "suggestion_days", "建议意见类研究答复时限"
    ACCUSATION_DAYS = "accusation_days", "检举控告类办理反馈时限"
    SUGGESTION_FEEDBACK_DAYS = "suggestion_feedback_days", "建议采纳情况书面反馈时限"  # t10-rules, SV-3
    # t10-law: each type's extension ceiling (条例 §34 binds 申诉求决; §29, §30 set none of their own)
    SUGGESTION_EXTENSION_DAYS = "suggestion_extension_days", "建议意见类延期上限"
    ACCUSATION_EXTENSION_DAYS = "accusation_extension_days", "检举控告类延期上限"


class ValueUnit(models.TextChoices):
    CALENDAR_DAY = "calendar_day", "日"
    WORKING_DAY = "working_day", "工作日"
    COUNT = "count", "人数/个数"
    PERCENT = "percent", "百分比"
    FLAG = "flag", "开关（1=是）"
