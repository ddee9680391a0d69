"""The audit screen's filters (its export reads the same; huiyin/audit/exports.py)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms

from huiyin.core.models import AuditEntry

MIN_DAY, MAX_DAY = date(2000, 1, 1), date(9998, 12, 31)


class AuditFilterForm(forms.Form):
    who = forms.CharField(label="操作人（用户名或姓名）", required=False, max_length=150)
    whose = forms.CharField(label="涉及（事项编号、信访人身份证号或电话）", required=False, max_length=30)
    date_from = forms.DateField(
        label="起（含）", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label="止（含）", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    kind = forms.ChoiceField(label="类别", required=False, choices=[("", "全部"), *AuditEntry.Kind.choices])
    before = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            css = "form-select form-select-sm" if name == "kind" else "form-control form-control-sm"
            field.widget.attrs["class"] = css

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in ("date_from", "date_to"):
            day = data.get(name)
            if day is not None and not (MIN_DAY <= day <= MAX_DAY):
                self.add_error(name, f"日期须在 {MIN_DAY} 至 {MAX_DAY} 之间")
        return data
