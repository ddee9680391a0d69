"""Stored duplicate-detection signatures: one MinHash per case and its LSH band keys (SPEC §3.8).

A lookup is one indexed query on `CaseBand` (the 16 band keys of the new text), then an exact score
on the few candidates' stored signatures. Nothing here is about a person: the rows link matters.
"""

from __future__ import annotations

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models


class CaseSignature(models.Model):
    """A case's MinHash signature (48 × uint16, little-endian) of its title and content."""

    case = models.OneToOneField("cases.Case", primary_key=True, on_delete=models.CASCADE, related_name="+")
    minhash = models.BinaryField(max_length=96)
    computed_at = models.DateTimeField()

    class Meta:
        verbose_name = "重复件签名"
        verbose_name_plural = "重复件签名"


class CaseBand(models.Model):
    """One LSH band key of a case: `key` = band << 32 | 32-bit band hash.

    The composite primary key (key, case) is the lookup index itself, so the 16 rows per case cost
    no surrogate id and no second index for the search.
    """

    pk = models.CompositePrimaryKey("key", "case")
    key = models.BigIntegerField()
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = "重复件索引"
        verbose_name_plural = "重复件索引"


class HotIssueSnapshot(models.Model):
    """The hot issues of one account's scope for one period, computed in the worker (issue 10 item 11:
    clustering thousands of messages takes seconds, so the page reads what the worker stored).

    `stamp` says which cases the result was computed over (their number and newest id, and the day):
    a page that sees a different stamp shows the stored result with its time and queues a refresh.
    """

    user = models.ForeignKey("org.User", on_delete=models.CASCADE, related_name="+")
    window_days = models.PositiveSmallIntegerField()
    since_days = models.PositiveSmallIntegerField()
    stamp = models.CharField(max_length=80, blank=True)
    result = models.JSONField(default=dict, encoder=DjangoJSONEncoder)
    computed_at = models.DateTimeField(null=True, blank=True)
    requested_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "window_days", "since_days"], name="one_hot_snapshot")
        ]
        verbose_name = "热点问题计算结果"
        verbose_name_plural = "热点问题计算结果"
