"""Words on controls are the page's own (issue 10 item 11): file inputs say 选择文件 (the browser's own
control says "Choose Files" whatever the page's language), the search box's placeholder fits it."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_intake_file_input_speaks_chinese(client, clerk_li):
    client.force_login(clerk_li)
    html = client.get(reverse("case_new")).content.decode()
    picker = re.search(r'<div class="file-picker" data-file-picker.*?</div>', html, re.S).group(0)
    assert "选择文件" in picker and "未选择文件" in picker and 'name="attachments"' in picker
    assert 'for="attachments"' in html  # still labelled


def test_the_portal_file_input_speaks_the_pages_language(client, org):
    assert "选择文件" in client.get("/public/submit/").content.decode()
    client.get("/public/lang/en/")
    html = client.get("/public/submit/").content.decode()
    assert "Choose files" in html and "No file chosen" in html


def test_the_navigation_search_placeholder_is_short_and_the_hotkey_is_announced(client, clerk_li):
    client.force_login(clerk_li)
    html = client.get(reverse("workbench")).content.decode()
    box = re.search(r'<input id="nav-q"[^>]*>', html).group(0)
    placeholder = re.search(r'placeholder="([^"]*)"', box).group(1)
    assert len(placeholder) <= 8 and 'aria-keyshortcuts="/"' in box and "nav-search" in box
