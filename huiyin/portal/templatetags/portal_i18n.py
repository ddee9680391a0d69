"""The portal's English version (issue 10 item 11): labels stored in Chinese are translated at render
time (`|tr`), and Chinese data on an English page (office and unit names, categories, places, what a
person wrote) is marked `lang="zh"` (`|zh`), so a screen reader reads it as Chinese."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.translation import get_language, gettext

register = template.Library()


def english() -> bool:
    return not (get_language() or "zh").startswith("zh")


@register.filter
def tr(label: Any) -> str:
    """A Chinese label (a status, a clock's name, a petition type, a rating) in the page's language."""
    return gettext(str(label)) if label not in (None, "") else ""


@register.filter
def zh(value: Any) -> Any:
    """Chinese data, marked as such on an English page (unchanged on a Chinese one)."""
    if value in (None, "") or not english():
        return value
    return format_html('<span lang="zh">{}</span>', value)
