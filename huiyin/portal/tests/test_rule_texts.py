"""The portal's texts name the figures of the case's (or the office's) rule profile (issue 10 item 8):
under 浙江 (《浙江省信访条例》第二十条) routing is 5 working days, not the national 15 days."""

from __future__ import annotations

import re

import pytest

from huiyin.org.models import RuleProfile


@pytest.fixture
def zhejiang_county(org):
    org.county.rule_profile = RuleProfile.objects.get(code="zhejiang")
    org.county.save()
    return org


def test_zhejiang_portal_receipt_promises_zhejiang_figures(client, zhejiang_county, submitted):
    submitted()
    html = client.get("/public/receipt/").content.decode()
    promise = re.search(r'data-testid="receipt-promise">([^<]+)<', html).group(1)
    assert "5个工作日内区分情况转送" in promise


def test_the_procedure_page_states_zhejiang_routing_in_working_days(client, zhejiang_county):
    html = client.get("/public/procedure/").content.decode()
    assert "5个工作日内转送或交办" in html and "5日内转送" not in html


def test_the_english_procedure_page_names_working_days_in_english(client, zhejiang_county):
    client.get("/public/lang/en/")
    html = client.get("/public/procedure/").content.decode()
    assert "within 5 working days (art. 22)" in html
