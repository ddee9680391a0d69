"""The English portal is English (issue 10 item 11): statuses, clock names, petition types, ratings, the
default reception hours and punctuation are translated; Chinese data (categories, places, office
names, what people wrote) carries lang="zh" so a screen reader reads it as Chinese; after a failed
submission the error summary takes the focus."""

from __future__ import annotations

import pytest

from huiyin.portal.tests.zh_text import chinese_outside_zh

PAGES = ["/public/", "/public/submit/", "/public/track/", "/public/procedure/", "/public/channels/",
         "/public/statistics/", "/public/replies/", "/public/account/"]  # fmt: skip


@pytest.fixture
def english(client):
    client.get("/public/lang/en/")
    return client


@pytest.mark.parametrize("path", PAGES)
def test_an_english_page_has_no_chinese_outside_lang_zh(english, org, path):
    html = english.get(path).content.decode()
    assert 'lang="en"' in html
    found = chinese_outside_zh(html)
    assert found == [], "\n".join(found[:40])


def test_the_english_case_page_and_receipt_have_no_chinese_outside_lang_zh(english, org, submitted):
    case, secret = submitted()
    receipt = english.get("/public/receipt/").content.decode()
    assert chinese_outside_zh(receipt) == [], "\n".join(chinese_outside_zh(receipt))
    english.post("/public/track/", {"code": case.code, "factor": secret})
    page = english.get(f"/public/cases/{case.code}/").content.decode()
    assert chinese_outside_zh(page) == [], "\n".join(chinese_outside_zh(page))
