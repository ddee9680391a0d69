"""Vocabularies of the dispute ledger and mediation (SPEC §3.5). Codes English, labels Chinese."""

from django.db import models


class DisputeKind(models.TextChoices):
    LAND = "land", "土地山林"
    NEIGHBOUR = "neighbour", "邻里纠纷"
    FAMILY = "family", "婚姻家庭"
    LABOUR = "labour", "劳动和工资"
    EXPROPRIATION = "expropriation", "征地拆迁"
    ENVIRONMENT = "environment", "环境污染"
    PROPERTY = "property", "物业和房屋"
    CONTRACT = "contract", "合同债务"
    DAMAGES = "damages", "损害赔偿"
    OTHER = "other", "其他"


class RiskLevel(models.TextChoices):
    ORDINARY = "ordinary", "一般"
    SERIOUS = "serious", "较大"
    MAJOR = "major", "重大"


class ItemSource(models.TextChoices):
    GRID = "grid", "网格员排查"
    CADRE = "cadre", "村（社区）干部排查"
    UNIT = "unit", "单位排查"
    CASE = "case", "信访事项"
    OUTREACH = "outreach", "民情日记"


class ItemStatus(models.TextChoices):
    REPORTED = "reported", "待交办"
    ASSIGNED = "assigned", "化解中"
    IN_MEDIATION = "in_mediation", "调解中"
    SETTLED = "settled", "已化解"


class MediationKind(models.TextChoices):
    PEOPLE = "people", "人民调解"
    ADMINISTRATIVE = "administrative", "行政调解"
    JUDICIAL = "judicial", "司法调解"


class Consent(models.TextChoices):
    """人民调解法 §17, §23: mediation is voluntary; a party may refuse, or withdraw at any time."""

    PENDING = "pending", "尚未表态"
    GIVEN = "given", "同意调解"
    REFUSED = "refused", "拒绝调解"
    WITHDRAWN = "withdrawn", "要求终止调解"


class PartySide(models.TextChoices):
    APPLICANT = "applicant", "申请人"
    RESPONDENT = "respondent", "被申请人"
    OTHER = "other", "其他当事人"


class AgreementForm(models.TextChoices):
    WRITTEN = "written", "书面调解协议"
    ORAL = "oral", "口头协议"


class Performance(models.TextChoices):
    PERFORMED = "performed", "已履行"
    PARTLY = "partly", "部分履行"
    NOT_PERFORMED = "not_performed", "未履行"


class ResolutionLevel(models.TextChoices):
    """Where a dispute ended (小事不出村、大事不出镇、矛盾不上交): derived from the organ, never typed."""

    VILLAGE = "village", "村（社区）"
    TOWNSHIP = "township", "乡镇（街道）"
    COUNTY = "county", "县（区）"
    ABOVE = "above", "县级以上"


class CourtOutcome(models.TextChoices):
    MEDIATED = "mediated", "法院调解结案"
    CONFIRMED = "confirmed", "司法确认"
    JUDGED = "judged", "判决"
    WITHDRAWN = "withdrawn", "撤诉"
    OTHER = "other", "其他"
