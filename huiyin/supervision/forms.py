"""Forms of 督办: shapes only; the rules are the services'."""

from __future__ import annotations

from typing import Any

from django import forms

from huiyin.cases.forms import bootstrapify
from huiyin.supervision.choices import CandidateReason


class OrderForm(forms.Form):
    instructions = forms.CharField(label="督办要求", widget=forms.Textarea(attrs={"rows": 3}))
    due_on = forms.DateField(label="答复期限", widget=forms.DateInput(attrs={"type": "date"}))
    candidate = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        bootstrapify(self)


class AnswerForm(forms.Form):
    order = forms.IntegerField(widget=forms.HiddenInput)
    answer = forms.CharField(label="答复内容", widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        bootstrapify(self)


class CandidateFilterForm(forms.Form):
    """Narrow the 督办 candidates: why, which unit, where, how old (GET). Units and places are choices
    checked against the lists offered, so a made-up value is a form error, never a database error."""

    reason = forms.ChoiceField(
        label="线索类型", required=False, choices=[("", "全部"), *CandidateReason.choices]
    )
    unit = forms.TypedChoiceField(label="责任单位", required=False, coerce=int, empty_value=None)
    territory = forms.TypedChoiceField(label="问题属地", required=False, coerce=int, empty_value=None)
    min_age = forms.IntegerField(label="登记已满（日）", required=False, min_value=0, max_value=3650)

    def __init__(
        self, *args: Any, units: list[tuple[int, str]], territories: list[tuple[int, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", "全部"), *((str(pk), name) for pk, name in units)]  # type: ignore[attr-defined]
        self.fields["territory"].choices = [  # type: ignore[attr-defined]
            ("", "全部"),
            *((str(pk), name) for pk, name in territories),
        ]
        bootstrapify(self)
