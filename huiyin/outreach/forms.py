"""Forms of outreach: labels in Chinese, every field labelled (the templates render them through
includes/field.html)."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from huiyin.cases.choices import PetitionType
from huiyin.outreach.choices import (
    CommentResponse,
    CommitmentAction,
    Fulfilment,
    MeetingKind,
    PairingKind,
    PointKind,
    Satisfaction,
)

W = {"class": "form-control"}
S = {"class": "form-select"}


class PointForm(forms.Form):
    kind = forms.ChoiceField(label="类型", choices=PointKind.choices, widget=forms.Select(attrs=S))
    name = forms.CharField(label="名称", max_length=100, widget=forms.TextInput(attrs=W))
    territory = forms.TypedChoiceField(label="所在村（社区）", coerce=int, widget=forms.Select(attrs=S))

    def __init__(self, *args: Any, villages: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["territory"]).choices = villages


class PairingForm(forms.Form):
    kind = forms.ChoiceField(label="联系方式", choices=PairingKind.choices, widget=forms.Select(attrs=S))
    point = forms.TypedChoiceField(label="联系点", coerce=int, widget=forms.Select(attrs=S))
    unit = forms.TypedChoiceField(label="联系单位", coerce=int, widget=forms.Select(attrs=S))
    cadre = forms.TypedChoiceField(
        label="联系领导或干部", coerce=int, required=False, empty_value=None, widget=forms.Select(attrs=S)
    )
    starts_on = forms.DateField(
        label="起始日期", widget=forms.DateInput(attrs={**W, "type": "date"}, format="%Y-%m-%d")
    )
    ends_on = forms.DateField(
        label="结束日期",
        required=False,
        widget=forms.DateInput(attrs={**W, "type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(
        self,
        *args: Any,
        points: list[tuple[int, str]],
        units: list[tuple[int, str]],
        cadres: list[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["point"]).choices = points
        cast(forms.ChoiceField, self.fields["unit"]).choices = units
        cast(forms.ChoiceField, self.fields["cadre"]).choices = [("", "（仅单位）"), *cadres]


class EntryForm(forms.Form):
    """民情日记 on a phone: few fields, large targets; a draft is kept in the browser (diary.js)."""

    pairing = forms.TypedChoiceField(label="走访的联系点", coerce=int, widget=forms.Select(attrs=S))
    visited_on = forms.DateField(
        label="走访日期", widget=forms.DateInput(attrs={**W, "type": "date"}, format="%Y-%m-%d")
    )
    place = forms.CharField(label="地点", max_length=200, widget=forms.TextInput(attrs=W))
    people_met = forms.CharField(
        label="走访的农户或群众",
        help_text="仅工作人员可见，不会公开",
        widget=forms.Textarea(attrs={**W, "rows": 2}),
    )
    heard = forms.CharField(label="听到的情况", widget=forms.Textarea(attrs={**W, "rows": 4}))
    problems = forms.CharField(
        label="发现的问题（每行一条）", required=False, widget=forms.Textarea(attrs={**W, "rows": 3})
    )
    photos = forms.FileField(
        label="照片", required=False, widget=forms.ClearableFileInput(attrs={**W, "accept": "image/*"})
    )
    client_key = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args: Any, pairings: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["pairing"]).choices = pairings
        self.fields["photos"].widget.attrs["multiple"] = True

    def problem_lines(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data.get("problems", "").splitlines() if line.strip()]


class ProblemCaseForm(forms.Form):
    title = forms.CharField(label="事项标题", max_length=200, widget=forms.TextInput(attrs=W))
    petition_type = forms.ChoiceField(
        label="信访类型",
        choices=PetitionType.choices,
        initial=PetitionType.COMPLAINT,
        widget=forms.Select(attrs=S),
    )
    request = forms.CharField(
        label="群众的诉求", required=False, widget=forms.Textarea(attrs={**W, "rows": 2})
    )
    person_name = forms.CharField(label="反映人姓名", max_length=50, widget=forms.TextInput(attrs=W))
    phone = forms.CharField(label="联系电话", max_length=20, required=False, widget=forms.TextInput(attrs=W))
    accused_person = forms.CharField(
        label="被反映人（检举控告时填写）", max_length=100, required=False, widget=forms.TextInput(attrs=W)
    )
    consent_given = forms.BooleanField(
        label="本人同意将此问题登记为信访事项",
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
    consent_note = forms.CharField(
        label="同意的方式",
        max_length=200,
        help_text="例如：当面口头同意，并在走访记录上签字",
        widget=forms.TextInput(attrs=W),
    )


class AnswerForm(forms.Form):
    answer = forms.CharField(label="当场答复或解决情况", widget=forms.Textarea(attrs={**W, "rows": 2}))


class FollowUpForm(forms.Form):
    text = forms.CharField(label="跟进情况", widget=forms.Textarea(attrs={**W, "rows": 2}))


class CommitmentForm(forms.Form):
    title = forms.CharField(label="承诺事项", max_length=200, widget=forms.TextInput(attrs=W))
    beneficiaries = forms.CharField(label="服务对象", max_length=200, widget=forms.TextInput(attrs=W))
    measure = forms.CharField(label="可衡量的结果", max_length=300, widget=forms.TextInput(attrs=W))
    due_on = forms.DateField(
        label="承诺完成日期", widget=forms.DateInput(attrs={**W, "type": "date"}, format="%Y-%m-%d")
    )
    territory = forms.TypedChoiceField(label="区域", coerce=int, widget=forms.Select(attrs=S))

    def __init__(self, *args: Any, territories: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["territory"]).choices = territories


class CommitmentActForm(forms.Form):
    action = forms.ChoiceField(
        label="更新类型", choices=CommitmentAction.choices, widget=forms.Select(attrs=S)
    )
    text = forms.CharField(label="进展情况", widget=forms.Textarea(attrs={**W, "rows": 3}))
    progress = forms.IntegerField(
        label="完成进度（%）", min_value=0, max_value=100, widget=forms.NumberInput(attrs=W)
    )
    evidence = forms.FileField(label="佐证材料", required=False, widget=forms.ClearableFileInput(attrs=W))


class RatingForm(forms.Form):
    fulfilment = forms.ChoiceField(
        label="承诺是否兑现",
        choices=Fulfilment.choices,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    satisfaction = forms.ChoiceField(
        label="您是否满意",
        choices=Satisfaction.choices,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )


class MeetingForm(forms.Form):
    kind = forms.ChoiceField(label="会议类型", choices=MeetingKind.choices, widget=forms.Select(attrs=S))
    title = forms.CharField(label="主题", max_length=200, widget=forms.TextInput(attrs=W))
    held_on = forms.DateField(
        label="日期", widget=forms.DateInput(attrs={**W, "type": "date"}, format="%Y-%m-%d")
    )
    place = forms.CharField(label="地点", max_length=200, widget=forms.TextInput(attrs=W))
    territory = forms.TypedChoiceField(label="所在区域", coerce=int, widget=forms.Select(attrs=S))
    attendees = forms.CharField(
        label="参会人员", help_text="仅工作人员可见", widget=forms.Textarea(attrs={**W, "rows": 2})
    )
    issues = forms.CharField(
        label="群众提出的问题（每行一条）", required=False, widget=forms.Textarea(attrs={**W, "rows": 4})
    )

    def __init__(self, *args: Any, territories: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["territory"]).choices = territories

    def issue_lines(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data.get("issues", "").splitlines() if line.strip()]


class IssueCommitmentForm(forms.Form):
    title = forms.CharField(label="承诺事项", max_length=200, widget=forms.TextInput(attrs=W))
    beneficiaries = forms.CharField(label="服务对象", max_length=200, widget=forms.TextInput(attrs=W))
    measure = forms.CharField(label="可衡量的结果", max_length=300, widget=forms.TextInput(attrs=W))
    due_on = forms.DateField(
        label="承诺完成日期", widget=forms.DateInput(attrs={**W, "type": "date"}, format="%Y-%m-%d")
    )


class ProposalForm(forms.Form):
    title = forms.CharField(label="项目名称", max_length=200, widget=forms.TextInput(attrs=W))
    description = forms.CharField(label="项目内容和理由", widget=forms.Textarea(attrs={**W, "rows": 3}))
    territory = forms.TypedChoiceField(label="所在区域", coerce=int, widget=forms.Select(attrs=S))

    def __init__(self, *args: Any, territories: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["territory"]).choices = territories


class SelectionForm(forms.Form):
    owner = forms.TypedChoiceField(label="责任单位", coerce=int, widget=forms.Select(attrs=S))
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100, widget=forms.NumberInput(attrs=W))
    budget = forms.DecimalField(
        label="预算（万元）", max_digits=10, decimal_places=2, widget=forms.NumberInput(attrs=W)
    )
    beneficiaries = forms.CharField(label="服务对象", max_length=200, widget=forms.TextInput(attrs=W))
    measure = forms.CharField(label="可衡量的结果", max_length=300, widget=forms.TextInput(attrs=W))
    due_on = forms.DateField(
        label="完成日期", widget=forms.DateInput(attrs={**W, "type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args: Any, units: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["owner"]).choices = units


class ConsultationForm(forms.Form):
    title = forms.CharField(label="决策事项", max_length=200, widget=forms.TextInput(attrs=W))
    draft = forms.CharField(label="草案内容", widget=forms.Textarea(attrs={**W, "rows": 5}))
    territory = forms.TypedChoiceField(label="区域", coerce=int, widget=forms.Select(attrs=S))
    opens_on = forms.DateField(
        label="征求意见开始", widget=forms.DateInput(attrs={**W, "type": "date"}, format="%Y-%m-%d")
    )
    closes_on = forms.DateField(
        label="征求意见截止", widget=forms.DateInput(attrs={**W, "type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args: Any, territories: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["territory"]).choices = territories


class CommentForm(forms.Form):
    text = forms.CharField(label="您的意见", widget=forms.Textarea(attrs={**W, "rows": 4}))
    public_name = forms.CharField(
        label="公开署名（可不填，不填则匿名）", max_length=50, required=False, widget=forms.TextInput(attrs=W)
    )


class RespondForm(forms.Form):
    response = forms.ChoiceField(
        label="采纳情况", choices=CommentResponse.choices, widget=forms.Select(attrs=S)
    )
    reason = forms.CharField(label="理由", widget=forms.Textarea(attrs={**W, "rows": 2}))


class HearingForm(forms.Form):
    held_on = forms.DateField(
        label="听证日期", widget=forms.DateInput(attrs={**W, "type": "date"}, format="%Y-%m-%d")
    )
    place = forms.CharField(label="地点", max_length=200, widget=forms.TextInput(attrs=W))
    participants = forms.CharField(label="听证参加人", widget=forms.Textarea(attrs={**W, "rows": 2}))
    minutes = forms.CharField(label="听证纪要", widget=forms.Textarea(attrs={**W, "rows": 4}))
