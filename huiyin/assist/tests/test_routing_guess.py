"""A case registered without a subject (the clerk did not click 采用) is routed by the subject the
assist predicts, not by the catch-all rule (issue 10 item 11; 条例 §22¶1(二) 谁主管、谁负责)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from huiyin.assist.tests.conftest import LEAK, person
from huiyin.workflow.routing import suggest_unit

pytestmark = pytest.mark.django_db


def test_an_uncategorised_leak_is_suggested_to_the_housing_bureau_jr1(register_case, org):
    # given a leak registered without a category: the matrix's catch-all would propose 县人民政府
    case = register_case(title="小区楼道漏水物业不维修", content=LEAK, petitioners=[person(1)])
    assert case.category_id is None
    # when the routing suggestion is made
    suggestion = suggest_unit(case)
    # then it follows the assist's 城乡建设 → the county housing bureau, and says the subject was guessed
    assert suggestion.unit == org.unit_a
    assert any("按智能辅助推荐" in reason and "城乡建设" in reason for reason in suggestion.reasons)


def test_a_chosen_category_is_never_overridden(register_case, org):
    from huiyin.cases.models import Category

    civil = Category.objects.filter(level=3, full_name__startswith="民政").first()
    case = register_case(title="小区楼道漏水物业不维修", content=LEAK, category_id=civil.pk)
    suggestion = suggest_unit(case)
    assert suggestion.unit != org.unit_a
    assert not any("智能辅助" in reason for reason in suggestion.reasons)


def test_the_case_page_proposes_the_assists_unit(client, register_case, org, dispatcher_zhou):
    case = register_case(title="小区楼道漏水物业不维修", content=LEAK, petitioners=[person(1)])
    client.force_login(dispatcher_zhou)
    html = client.get(reverse("case_detail", args=[case.code])).content.decode()
    assert response_suggests(html, org.unit_a.name)


def response_suggests(html: str, name: str) -> bool:
    return "按智能辅助推荐" in html and name in html
