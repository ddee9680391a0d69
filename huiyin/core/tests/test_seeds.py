"""Reference data comes back after a flush (transactional tests, an operator wiping the database)."""

from __future__ import annotations

from huiyin.cases.models import Category
from huiyin.core.seeds import restore_reference_data
from huiyin.org.models import ResponsibilityRule, RuleProfile, RuleValue


def test_restoring_reference_data_brings_back_profiles_taxonomy_and_matrix(db):
    # given everything a flush would remove
    ResponsibilityRule.objects.all().delete()
    RuleValue.objects.all().delete()
    RuleProfile.objects.exclude(based_on=None).delete()
    RuleProfile.objects.all().delete()
    for level in (3, 2, 1):
        Category.objects.filter(level=level).delete()
    # when the post_migrate hook runs
    restore_reference_data()
    # then the application has its reference data again
    assert RuleProfile.objects.filter(code__in=["national", "zhejiang", "shandong"]).count() == 3
    assert RuleValue.objects.filter(profile__code="national", key="handling_days").get().value == 60
    assert Category.objects.filter(level=3).count() == 517
    assert ResponsibilityRule.objects.filter(category__isnull=True).exists()


def test_nothing_is_touched_when_the_data_is_there(db, django_assert_num_queries):
    # one look per module that declares reference data (org, cases, notify), no writes
    with django_assert_num_queries(3):
        restore_reference_data()
