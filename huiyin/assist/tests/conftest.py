"""Fixtures of the smart-assist integration tests: cases whose duplicate signatures are stored."""

from __future__ import annotations

import pytest

from huiyin.cases.services import PetitionerIn

LEAK = "我家所在的幸福小区3栋楼道漏水已经半年了，墙面发霉，多次找物业公司维修都没有结果，物业说要业主自己出钱修。"


def person(n: int) -> PetitionerIn:
    return PetitionerIn(name=f"群众{n}", id_number="", phone=f"1380000{n:04d}", address="东城镇柳林村")


@pytest.fixture
def register_indexed(register_case, django_capture_on_commit_callbacks):
    """Register a case the way production does: its signature is stored when the registration commits."""

    def make(**overrides):
        with django_capture_on_commit_callbacks(execute=True):
            return register_case(**overrides)

    return make


@pytest.fixture(autouse=True)
def reference_data(db):
    """The taxonomy and responsibility matrix the suggestions map onto. A transactional test with
    serialized rollback flushes them on teardown without restoring them (post_migrate is inhibited),
    so a later test on the same xdist worker would start without them."""
    from huiyin.cases.models import Category
    from huiyin.core import registry
    from huiyin.org.models import ResponsibilityRule, RuleProfile

    if not (
        Category.objects.exists()
        and ResponsibilityRule.objects.exists()
        and RuleProfile.objects.filter(code=RuleProfile.NATIONAL_CODE).exists()
    ):
        registry.restore_reference_data()  # each restorer is idempotent (get_or_create)
