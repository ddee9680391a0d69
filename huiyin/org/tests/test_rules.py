"""Rule values resolve through the profile chain and stay correct when an administrator edits them."""

from __future__ import annotations

from huiyin.org.choices import RuleKey
from huiyin.org.models import RuleProfile, RuleValue
from huiyin.org.selectors import profile_for, rules_for, rules_for_profile


def test_the_national_profile_carries_the_statutory_values(db):
    rules = rules_for_profile(RuleProfile.national())
    assert rules[RuleKey.HANDLING_DAYS].value == 60
    assert rules[RuleKey.OBJECTION_DAYS].unit == "working_day"
    assert "第三十四条" in rules[RuleKey.EXTENSION_MAX_DAYS].article


def test_an_edited_value_is_seen_at_once_although_rules_are_cached(org, django_assert_max_num_queries):
    rules_for(org.county)
    with django_assert_max_num_queries(0):
        # cached whole: the territory walk to its profile, the profile chain and its values (issue 15)
        assert rules_for(org.county)[RuleKey.HANDLING_DAYS].value == 60
    # an administrator overrides the baseline on the national profile
    RuleValue.objects.create(
        profile=RuleProfile.national(),
        key=RuleKey.HANDLING_DAYS,
        value=45,
        unit="calendar_day",
        article="测试",
    )
    assert rules_for(org.county)[RuleKey.HANDLING_DAYS].value == 45


def test_a_profile_inherits_what_it_does_not_set(db):
    zhejiang = RuleProfile.objects.get(code="zhejiang")
    rules = rules_for_profile(zhejiang)
    assert rules[RuleKey.SMALL_GROUP_MAX_REPRESENTATIVES].value == 3
    assert rules[RuleKey.HANDLING_DAYS].value == 60


def test_a_territory_given_its_own_profile_is_seen_at_once_although_its_profile_is_cached(
    org, django_assert_max_num_queries
):
    # the county resolves to the national profile, and that answer is cached
    national = RuleProfile.national()
    assert profile_for(org.county) == national and profile_for(org.township) == national
    with django_assert_max_num_queries(0):
        assert profile_for(org.township) == national
    # when the province's administrator gives the county the Zhejiang profile (3 representatives)
    zhejiang = RuleProfile.objects.get(code="zhejiang")
    org.county.rule_profile = zhejiang
    org.county.save()
    # then the county and the townships under it follow at once
    assert profile_for(org.county) == zhejiang
    assert profile_for(org.township) == zhejiang
    assert rules_for(org.township)[RuleKey.SMALL_GROUP_MAX_REPRESENTATIVES].value == 3
