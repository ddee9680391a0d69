"""Forms of the intake window (登记): the case itself and its petitioners as a formset.

The forms only parse input; every rule of registration is checked by `services.case_register`,
whose field errors are put back onto these forms so nothing the clerk typed is lost.
"""

from __future__ import annotations

import uuid
from typing import Any, cast

from django import forms

from huiyin.cases.choices import Channel, PetitionerKind, PetitionType
from huiyin.cases.models import HEADCOUNT_MAX, Category
from huiyin.cases.services import CaseIn, PetitionerIn
from huiyin.org.models import Territory, Unit, User

# The window registers what arrives in person, by post, by telephone or by fax; the other channels
# (portal, mailbox, API, outreach) have their own intake.
WINDOW_CHANNELS = (Channel.VISIT, Channel.LETTER, Channel.PHONE, Channel.FAX)


def category_choices() -> list[tuple[str, Any]]:
    """The leaf categories grouped by their first level, for one <select> with <optgroup>s."""
    groups: dict[str, list[tuple[int, str]]] = {}
    for pk, full_name in (
        Category.objects.filter(level=3).order_by("full_name").values_list("id", "full_name")
    ):
        top, _, rest = full_name.partition(" / ")
        groups.setdefault(top, []).append((pk, rest or full_name))
    return [("", "（请选择问题分类）"), *groups.items()]


class TerritoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Territory) -> str:
        return "　" * max(0, obj.level - 1) + obj.name


class CaseForm(forms.Form):
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=80)
    channel = forms.ChoiceField(label="渠道", choices=[(c.value, c.label) for c in WINDOW_CHANNELS])
    petition_type = forms.ChoiceField(label="信访类型", choices=PetitionType.choices)
    category = forms.TypedChoiceField(label="问题分类", coerce=int, empty_value=None, required=False)
    territory = TerritoryChoiceField(
        label="问题属地", queryset=Territory.objects.none(), required=False, empty_label="（请选择区域）"
    )
    address = forms.CharField(label="问题发生地址", max_length=200, required=False)
    title = forms.CharField(label="标题", max_length=200, required=False)
    content = forms.CharField(label="事实和理由", widget=forms.Textarea(attrs={"rows": 5}), required=False)
    request = forms.CharField(label="信访请求", widget=forms.Textarea(attrs={"rows": 2}), required=False)
    accused_person = forms.CharField(label="被反映人", max_length=100, required=False)
    accused_unit = forms.ModelChoiceField(
        label="被反映单位", queryset=Unit.objects.none(), required=False, empty_label="（无）"
    )
    is_collective = forms.BooleanField(label="集体访（多人走访）", required=False)
    headcount = forms.IntegerField(label="来访人数", min_value=1, max_value=HEADCOUNT_MAX, initial=1)
    identity_unclear = forms.BooleanField(label="姓名（名称）或住址不清", required=False)
    major_urgent = forms.BooleanField(label="重大紧急", required=False)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["category"]).choices = category_choices()
        territories = Territory.objects.all()
        if user.unit_id and user.unit is not None:
            territories = territories.filter(path__startswith=user.unit.territory.path)
        cast(forms.ModelChoiceField[Territory], self.fields["territory"]).queryset = territories.order_by(
            "path"
        )
        cast(forms.ModelChoiceField[Unit], self.fields["accused_unit"]).queryset = Unit.objects.filter(
            is_active=True
        ).order_by("name")
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", uuid.uuid4().hex)
            if user.unit_id and user.unit is not None:
                self.initial.setdefault("territory", user.unit.territory_id)
        bootstrapify(self)


class PetitionerForm(forms.Form):
    name = forms.CharField(label="姓名或名称", max_length=100, required=False)
    kind = forms.ChoiceField(label="类别", choices=PetitionerKind.choices, initial=PetitionerKind.PERSON)
    id_number = forms.CharField(label="身份证号或信用代码", max_length=18, required=False)
    phone = forms.CharField(label="电话", max_length=20, required=False)
    address = forms.CharField(label="住址", max_length=200, required=False)
    is_representative = forms.BooleanField(label="代表", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bootstrapify(self)
        for name in ("name", "id_number", "phone", "address"):
            self.fields[name].widget.attrs["class"] += " form-control-sm"
        self.fields["kind"].widget.attrs["class"] += " form-select-sm"

    def is_blank(self) -> bool:
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        return not any((data.get(f) or "").strip() for f in ("name", "id_number", "phone", "address"))


PetitionerFormSet = forms.formset_factory(PetitionerForm, extra=1, max_num=200, absolute_max=200)


def case_in_from(form: CaseForm, formset: Any) -> tuple[CaseIn, list[int]]:
    """Build the service input; also return, per petitioner passed, the index of its formset row."""
    d = form.cleaned_data
    people: list[PetitionerIn] = []
    rows: list[int] = []
    for i, pf in enumerate(formset.forms):
        if pf.is_blank():
            continue
        p = pf.cleaned_data
        people.append(
            PetitionerIn(
                name=p.get("name", ""),
                kind=p.get("kind") or PetitionerKind.PERSON,
                id_number=p.get("id_number", ""),
                phone=p.get("phone", ""),
                address=p.get("address", ""),
                is_representative=bool(p.get("is_representative")),
            )
        )
        rows.append(i)
    data = CaseIn(
        channel=d["channel"],
        petition_type=d["petition_type"],
        title=d.get("title", ""),
        content=d.get("content", ""),
        request=d.get("request", ""),
        category_id=d.get("category"),
        territory_id=d["territory"].pk if d.get("territory") else None,
        address=d.get("address", ""),
        accused_person=d.get("accused_person", ""),
        accused_unit_id=d["accused_unit"].pk if d.get("accused_unit") else None,
        is_collective=bool(d.get("is_collective")),
        headcount=d.get("headcount") or 1,
        identity_unclear=bool(d.get("identity_unclear")),
        major_urgent=bool(d.get("major_urgent")),
        petitioners=people,
    )
    return data, rows


def apply_field_errors(form: CaseForm, formset: Any, fields: dict[str, str], rows: list[int]) -> list[str]:
    """Put the service's field errors on the form fields; return those that belong to no single field."""
    loose: list[str] = []
    for key, message in fields.items():
        if key.startswith("petitioners."):
            _, index, name = key.split(".", 2)
            pos = int(index)
            if pos < len(rows) and name in formset.forms[rows[pos]].fields:
                formset.forms[rows[pos]].add_error(name, message)
                continue
            loose.append(message)
        elif key == "category" or key in form.fields:
            form.add_error(key, message)
        else:
            loose.append(message)  # "representatives", "petitioners", "attachments", "office"
    return loose


def bootstrapify(form: forms.Form) -> forms.Form:
    """Give the widgets Bootstrap's classes."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput | forms.RadioSelect):
            css = "form-check-input"
        elif isinstance(widget, forms.Select):
            css = "form-select"
        else:
            css = "form-control"
        widget.attrs.setdefault("class", css)
    return form


def flag_invalid(*forms_: forms.Form) -> None:
    """Mark fields with errors (red border, and aria-invalid for screen readers); call before rendering."""
    for form in forms_:
        if not form.is_bound:
            continue
        for name in form.errors:
            if name in form.fields:
                attrs = form.fields[name].widget.attrs
                attrs["class"] = attrs.get("class", "") + " is-invalid"
                attrs["aria-invalid"] = "true"
