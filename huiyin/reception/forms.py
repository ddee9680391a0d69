"""Forms of leader reception: the citizen's booking (same identity rules as a portal submission:
a known person with a phone, 条例 §19¶1, SPEC §3.9), the office's walk-in booking, the outcome, the plan."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from huiyin.cases.choices import PetitionerKind, PetitionType
from huiyin.cases.services import validate_id_number
from huiyin.core.errors import ValidationFailed
from huiyin.portal.selectors import territory_choices
from huiyin.reception.choices import Frequency, Level, Outcome, Weekday


def _style(form: forms.Form) -> None:
    for f in form.fields.values():
        if isinstance(f.widget, forms.CheckboxInput | forms.HiddenInput | forms.RadioSelect):
            continue
        f.widget.attrs.setdefault(
            "class", "form-select" if isinstance(f.widget, forms.Select) else "form-control"
        )


class BookingForm(forms.Form):
    petition_type = forms.ChoiceField(
        label="反映类型",
        choices=[
            (PetitionType.COMPLAINT, "申诉求决（请求解决自身问题）"),
            (PetitionType.SUGGESTION, "建议意见"),
        ],
        initial=PetitionType.COMPLAINT,
    )
    title = forms.CharField(label="反映事项", max_length=100)
    content = forms.CharField(label="情况简述", max_length=5000, widget=forms.Textarea(attrs={"rows": 4}))
    territory = forms.TypedChoiceField(label="问题发生地", coerce=int, required=False, empty_value=None)
    name = forms.CharField(label="姓名", max_length=50)
    phone = forms.CharField(label="手机号码", max_length=20)
    id_number = forms.CharField(label="居民身份证号码（可选）", max_length=18, required=False)
    is_collective = forms.BooleanField(label="多人反映同一事项（集体访）", required=False)
    headcount = forms.IntegerField(
        label="反映人数", min_value=1, max_value=100_000, initial=1, required=False
    )
    representatives = forms.IntegerField(
        label="参加接谈的代表人数", min_value=1, max_value=100, initial=1, required=False
    )
    case_code = forms.CharField(label="已有事项的受理凭证编号（可选）", max_length=24, required=False)
    case_factor = forms.CharField(
        label="查询码或手机号后四位",
        max_length=20,
        required=False,
        help_text="填写已有事项时，用于核实该事项属于您",
    )
    truthful = forms.BooleanField(label="我承诺所反映的情况客观真实（《信访工作条例》第十九条第二款）。")
    website = forms.CharField(label="请勿填写此项", required=False)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["territory"]).choices = [
            ("", "请选择（可不选）"),
            *territory_choices(),
        ]
        _style(self)
        self.fields["phone"].widget.attrs.update({"inputmode": "tel", "autocomplete": "tel"})
        self.fields["website"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        phone = (data.get("phone") or "").strip().replace(" ", "")
        if phone and not (phone.isascii() and phone.isdigit() and 7 <= len(phone) <= 12):
            self.add_error("phone", "请填写正确的电话号码")
        data["phone"] = phone
        if data.get("id_number"):
            try:
                data["id_number"] = validate_id_number(PetitionerKind.PERSON, data["id_number"])
            except ValidationFailed as exc:
                self.add_error("id_number", exc.message)
        if (data.get("case_code") or "").strip() and not (data.get("case_factor") or "").strip():
            self.add_error("case_factor", "请填写查询码或手机号后四位")
        return data


class WalkInForm(BookingForm):
    """The office books a visitor at the window; it may mark a matter 突发性 (seeds/002 rule 2)."""

    session = forms.TypedChoiceField(label="接待场次", coerce=int)
    urgent = forms.BooleanField(label="突发性事项（可随时安排领导接待）", required=False)
    petition_type = forms.ChoiceField(
        label="反映类型",
        choices=[
            (PetitionType.COMPLAINT, "申诉求决"),
            (PetitionType.SUGGESTION, "建议意见"),
            (PetitionType.ACCUSATION, "检举控告"),
        ],
    )

    def __init__(self, *args: Any, sessions: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["session"]).choices = sessions
        self.fields["session"].widget.attrs["class"] = "form-select"
        self.fields["case_code"].label = "已有事项的受理凭证编号（可选）"
        self.fields["case_factor"].required = False
        del self.fields["truthful"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        self.errors.pop("case_factor", None)  # the office finds the case among those it may see
        return data


class OutcomeForm(forms.Form):
    booking = forms.CharField(widget=forms.HiddenInput, max_length=16)
    outcome = forms.ChoiceField(label="接待结果", choices=Outcome.choices)
    note = forms.CharField(
        label="接待情况（内部记录，不向信访人显示）",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    unit = forms.TypedChoiceField(label="承办单位（交办时）", coerce=int, required=False, empty_value=None)
    deadline = forms.DateField(
        label="办结期限（交办时）", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, units: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["unit"]).choices = [("", "—"), *units]
        _style(self)


class RuleForm(forms.Form):
    level = forms.ChoiceField(label="层级", choices=Level.choices)
    frequency = forms.ChoiceField(label="频次", choices=Frequency.choices)
    weekday = forms.TypedChoiceField(label="接待日", coerce=int, choices=Weekday.choices)
    start_time = forms.TimeField(label="开始", widget=forms.TimeInput(attrs={"type": "time"}))
    end_time = forms.TimeField(label="结束", widget=forms.TimeInput(attrs={"type": "time"}))
    place = forms.CharField(label="地点（空则为信访部门接待室）", max_length=200, required=False)
    slots = forms.IntegerField(label="每次可预约数", min_value=1, max_value=200)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self)


class GenerateForm(forms.Form):
    start = forms.DateField(label="自", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="至", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self)


class AbsenceForm(forms.Form):
    leader = forms.TypedChoiceField(label="领导", coerce=int)
    start = forms.DateField(label="自", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="至", widget=forms.DateInput(attrs={"type": "date"}))
    deputy = forms.TypedChoiceField(
        label="代接待领导（空则改期）", coerce=int, required=False, empty_value=None
    )
    reason = forms.CharField(label="事由", max_length=200)

    def __init__(self, *args: Any, leaders: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["leader"]).choices = leaders
        cast(forms.ChoiceField, self.fields["deputy"]).choices = [("", "—"), *leaders]
        _style(self)


class ReferralForm(forms.Form):
    """The hall's clerk sends a walk-in to a department's window (一站式接待, seeds/003 §二(一))."""

    window = forms.TypedChoiceField(label="分流至窗口", coerce=int)
    name = forms.CharField(label="姓名", max_length=50)
    phone = forms.CharField(label="手机号码", max_length=20)
    id_number = forms.CharField(label="居民身份证号码（可选）", max_length=18, required=False)
    petition_type = forms.ChoiceField(
        label="反映类型",
        choices=[(PetitionType.COMPLAINT, "申诉求决"), (PetitionType.SUGGESTION, "建议意见")],
        help_text="检举控告类事项由信访部门登记，不分流到部门窗口",
    )
    title = forms.CharField(label="反映事项", max_length=100)
    content = forms.CharField(label="情况简述", max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
    case_code = forms.CharField(label="已有事项的受理凭证编号（可选）", max_length=24, required=False)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args: Any, windows: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["window"]).choices = windows
        _style(self)
        self.fields["phone"].widget.attrs.update({"inputmode": "tel"})


class WindowForm(forms.Form):
    unit = forms.TypedChoiceField(label="入驻部门", coerce=int)
    number = forms.CharField(label="窗口号", max_length=10)
    weekdays = forms.TypedMultipleChoiceField(
        label="坐班日", choices=Weekday.choices, coerce=int, widget=forms.CheckboxSelectMultiple
    )
    matters = forms.CharField(label="受理事项", max_length=200, required=False)

    def __init__(self, *args: Any, units: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["unit"]).choices = units
        for name in ("unit", "number", "matters"):
            self.fields[name].widget.attrs.setdefault(
                "class", "form-select" if name == "unit" else "form-control"
            )


class VisitForm(forms.Form):
    """A leader's 下访 or 约访 (条例 §18¶2; seeds/000, 004)."""

    leader = forms.TypedChoiceField(label="领导", coerce=int)
    kind = forms.ChoiceField(
        label="类型", choices=[("down", "领导下访（到乡镇、村）"), ("appointment", "领导约访（约见信访人）")]
    )
    territory = forms.TypedChoiceField(label="地点所在（乡镇、村）", coerce=int)
    day = forms.DateField(label="日期", widget=forms.DateInput(attrs={"type": "date"}))
    start_time = forms.TimeField(label="开始", widget=forms.TimeInput(attrs={"type": "time"}))
    end_time = forms.TimeField(label="结束", widget=forms.TimeInput(attrs={"type": "time"}))
    place = forms.CharField(label="具体地点", max_length=200)
    purpose = forms.CharField(label="事由", max_length=200)

    def __init__(
        self, *args: Any, leaders: list[tuple[int, str]], territories: list[tuple[int, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["leader"]).choices = leaders
        cast(forms.ChoiceField, self.fields["territory"]).choices = territories
        _style(self)


class InviteForm(forms.Form):
    """A named petitioner invited to a 下访 or 约访."""

    session = forms.IntegerField(widget=forms.HiddenInput)
    name = forms.CharField(label="姓名", max_length=50)
    phone = forms.CharField(label="手机号码", max_length=20)
    title = forms.CharField(label="约谈事项", max_length=100)
    content = forms.CharField(label="情况简述", max_length=5000, widget=forms.Textarea(attrs={"rows": 2}))
    case_code = forms.CharField(label="已有事项的受理凭证编号（可选）", max_length=24, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self)
