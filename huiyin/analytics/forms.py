"""The dashboard's filters (GET): period, territory, unit, type, category. Units, territories and
categories are choices checked against the lists offered, so a made-up value is a form error (400),
never a database error."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django import forms

from huiyin.cases.choices import Channel, PetitionType
from huiyin.cases.forms import bootstrapify

MONTH = re.compile(r"^(\d{4})-(\d{2})$")


class MonthField(forms.CharField):
    """YYYY-MM → the first day of that month."""

    def to_python(self, value: Any) -> date | None:  # type: ignore[override]
        value = (super().to_python(value) or "").strip()
        if not value:
            return None
        m = MONTH.match(value)
        if not m or not 1 <= int(m.group(2)) <= 12 or not 2000 <= int(m.group(1)) <= 2100:
            raise forms.ValidationError("月份格式为 YYYY-MM，例如 2025-11")
        return date(int(m.group(1)), int(m.group(2)), 1)


class DashboardFilterForm(forms.Form):
    month = MonthField(label="月份", required=False, widget=forms.TextInput(attrs={"type": "month"}))
    territory = forms.TypedChoiceField(label="区域", required=False, coerce=int, empty_value=None)
    unit = forms.TypedChoiceField(label="责任单位", required=False, coerce=int, empty_value=None)
    petition_type = forms.ChoiceField(
        label="类型", required=False, choices=[("", "全部"), *PetitionType.choices]
    )
    category = forms.TypedChoiceField(label="问题分类", required=False, coerce=int, empty_value=None)
    channel = forms.ChoiceField(label="渠道", required=False, choices=[("", "全部"), *Channel.choices])

    def __init__(
        self,
        *args: Any,
        territories: list[tuple[int, str]],
        units: list[tuple[int, str]] | None,
        categories: list[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["territory"].choices = [("", "全部"), *((str(k), v) for k, v in territories)]  # type: ignore[attr-defined]
        self.fields["category"].choices = [("", "全部"), *((str(k), v) for k, v in categories)]  # type: ignore[attr-defined]
        if units is None:  # a unit's own view: no unit to choose
            del self.fields["unit"]
        else:
            self.fields["unit"].choices = [("", "全部"), *((str(k), v) for k, v in units)]  # type: ignore[attr-defined]
        bootstrapify(self)


class CloseMonthForm(forms.Form):
    month = MonthField(label="关账月份")
