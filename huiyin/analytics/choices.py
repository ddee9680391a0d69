"""Vocabularies of analytics (the kinds of metric and the dimensions a figure is broken down by)."""

from django.db import models


class MetricKind(models.TextChoices):
    COUNT = "count", "件数"
    RATE = "rate", "比率（%）"
    AVERAGE = "average", "平均值"


class Dimension(models.TextChoices):
    """What a roll-up row is keyed by besides its day and metric (every figure can be cut by these)."""

    UNIT = "unit", "单位"
    TERRITORY = "territory", "问题属地"
    PETITION_TYPE = "petition_type", "类型"
    CATEGORY = "category", "问题分类"
    CHANNEL = "channel", "渠道"
