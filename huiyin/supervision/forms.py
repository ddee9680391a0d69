"""Forms of 督办: shapes only; the rules are the services'."""

from __future__ import annotations

from django import forms

from huiyin.cases.forms import bootstrapify


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
