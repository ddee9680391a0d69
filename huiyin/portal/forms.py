"""Forms of the citizen portal. Labels are translatable; identity rules follow the petition type."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from huiyin.cases.choices import IDENTITY_REQUIRED, PetitionerKind, PetitionType, Rating
from huiyin.cases.services import CaseIn, PetitionerIn, validate_id_number
from huiyin.core import filetypes
from huiyin.core.errors import ValidationFailed
from huiyin.org.models import Territory
from huiyin.portal.selectors import category_choices, territory_choices

ATTACHMENT_TYPES = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".pdf": "application/pdf",
    ".mp3": "audio/mpeg",
    ".m4a": "audio/mp4",
    ".txt": "text/plain",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def max_file_bytes() -> int:
    return int(getattr(settings, "HUIYIN_PORTAL_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024))


def max_files() -> int:
    return int(getattr(settings, "HUIYIN_PORTAL_ATTACHMENT_MAX_FILES", 5))


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


class SubmitForm(forms.Form):
    petition_type = forms.ChoiceField(
        label=_("反映类型"),
        choices=[
            (PetitionType.COMPLAINT, _("申诉求决（请求解决自身问题）")),
            (PetitionType.SUGGESTION, _("建议意见")),
            (PetitionType.ACCUSATION, _("检举控告")),
        ],
        widget=forms.RadioSelect,
        initial=PetitionType.COMPLAINT,
    )
    title = forms.CharField(label=_("标题"), max_length=100)
    content = forms.CharField(
        label=_("事实和理由"), max_length=5000, widget=forms.Textarea(attrs={"rows": 6})
    )
    request = forms.CharField(
        label=_("您的请求"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    category = forms.TypedChoiceField(label=_("问题分类"), coerce=int, required=False, empty_value=None)
    territory = forms.TypedChoiceField(label=_("问题发生地"), coerce=int, required=False, empty_value=None)
    address = forms.CharField(label=_("详细地址"), max_length=200, required=False)
    accused_person = forms.CharField(label=_("被反映人或单位"), max_length=100, required=False)
    name = forms.CharField(label=_("姓名"), max_length=50, required=False)
    id_number = forms.CharField(label=_("居民身份证号码"), max_length=18, required=False)
    phone = forms.CharField(label=_("手机号码"), max_length=20, required=False)
    email = forms.EmailField(label=_("电子邮箱（可选，用于接收通知）"), required=False)
    home_address = forms.CharField(label=_("住址"), max_length=200, required=False)
    attachments = MultipleFileField(label=_("附件"), required=False)
    truthful = forms.BooleanField(
        label=_(
            "我承诺所反映的情况客观真实，对提供材料的真实性负责，不捏造、歪曲事实，不诬告陷害他人（《信访工作条例》第十九条第二款）。"
        )
    )
    # A field people never see: bots fill it in (honeypot).
    website = forms.CharField(label=_("请勿填写此项"), required=False)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["category"]).choices = [
            ("", _("请选择（可不选）")),
            *category_choices(),
        ]
        cast(forms.ChoiceField, self.fields["territory"]).choices = [
            ("", _("请选择（可不选）")),
            *territory_choices(),
        ]
        for field in self.fields.values():
            if isinstance(field.widget, forms.RadioSelect | forms.CheckboxInput | forms.HiddenInput):
                continue
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)
        self.fields["phone"].widget.attrs.update({"inputmode": "tel", "autocomplete": "tel"})
        self.fields["name"].widget.attrs["autocomplete"] = "name"
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["website"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})

    def clean_attachments(self) -> list[UploadedFile]:
        files: list[UploadedFile] = self.cleaned_data.get("attachments") or []
        if len(files) > max_files():
            raise forms.ValidationError(_("最多上传%(n)s个附件") % {"n": max_files()})
        limit = max_file_bytes()
        for f in files:
            name = (f.name or "").lower()
            ext = name[name.rfind(".") :] if "." in name else ""
            if ext not in ATTACHMENT_TYPES:
                raise forms.ValidationError(
                    _("“%(name)s”的类型不被接受，请上传图片、PDF、录音、文本或 Word 文件") % {"name": f.name}
                )
            if (f.size or 0) > limit:
                raise forms.ValidationError(
                    _("“%(name)s”超过%(mb)sMB") % {"name": f.name, "mb": limit // (1024 * 1024)}
                )
            # the bytes decide, not the name or the browser (issue 9, hole 10)
            detected = filetypes.detect(f, f.name or "file")
            if isinstance(detected, filetypes.Refusal):
                raise forms.ValidationError(detected.message)
            if detected != ATTACHMENT_TYPES[ext]:
                raise forms.ValidationError(filetypes.MSG_MISMATCH.format(name=f.name, detected=detected))
            f.content_type = detected
        return files

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("petition_type")
        name = (data.get("name") or "").strip()
        phone = (data.get("phone") or "").strip().replace(" ", "")
        if kind in IDENTITY_REQUIRED:
            # SPEC §3.9: a complaint or an accusation is brought by a known person.
            if not name:
                self.add_error("name", _("申诉求决和检举控告须填写真实姓名"))
            if not phone:
                self.add_error("phone", _("申诉求决和检举控告须填写联系电话，便于告知办理情况"))
        if kind == PetitionType.ACCUSATION and not (data.get("accused_person") or "").strip():
            self.add_error("accused_person", _("检举控告须写明被反映人或被反映单位"))
        if phone and not (phone.isascii() and phone.isdigit() and 7 <= len(phone) <= 12):
            self.add_error("phone", _("请填写正确的电话号码"))
        if data.get("id_number"):
            try:
                data["id_number"] = validate_id_number(PetitionerKind.PERSON, data["id_number"])
            except ValidationFailed as exc:
                self.add_error("id_number", exc.message)
        data["phone"] = phone
        return data

    @property
    def is_bot(self) -> bool:
        return bool(self.data.get("website"))

    def territory_obj(self) -> Territory | None:
        pk = self.cleaned_data.get("territory")
        return Territory.objects.filter(pk=pk).first() if pk else None

    def case_in(self) -> CaseIn:
        d = self.cleaned_data
        people = []
        if d["name"].strip():
            people.append(
                PetitionerIn(
                    name=d["name"].strip(),
                    id_number=d.get("id_number") or "",
                    phone=d["phone"],
                    address=d["home_address"].strip(),
                )
            )
        accused = d["accused_person"].strip() if d["petition_type"] == PetitionType.ACCUSATION else ""
        return CaseIn(
            channel="online",
            petition_type=d["petition_type"],
            title=d["title"].strip(),
            content=d["content"].strip(),
            request=d["request"].strip(),
            category_id=d.get("category"),
            address=d["address"].strip(),
            accused_person=accused,
            identity_unclear=not people,
            petitioners=people,
        )


class TrackForm(forms.Form):
    code = forms.CharField(label=_("受理凭证编号"), max_length=24)
    factor = forms.CharField(
        label=_("查询码或手机号后四位"),
        max_length=20,
        help_text=_("回执上打印的查询码，或登记时所留手机号码的后四位"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].widget.attrs.update(
            {"class": "form-control", "autocomplete": "off", "autocapitalize": "characters"}
        )
        self.fields["factor"].widget.attrs.update({"class": "form-control", "autocomplete": "off"})


class RateForm(forms.Form):
    rating = forms.ChoiceField(
        label=_("您对处理意见的评价"), choices=Rating.choices, widget=forms.RadioSelect
    )
    solved = forms.TypedChoiceField(
        label=_("问题是否实际解决"),
        choices=[("yes", _("已解决")), ("no", _("未解决"))],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("意见（可选）"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )


class ReviewRequestForm(forms.Form):
    reason = forms.CharField(
        label=_("请求的理由"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
    )


class ConsentForm(forms.Form):
    consent = forms.BooleanField(label=_("我同意在隐去个人信息后公开本事项的答复"), required=False)


class AccountForm(forms.Form):
    address = forms.CharField(label=_("手机号码或电子邮箱"), max_length=254)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["address"].widget.attrs.update({"class": "form-control", "autocomplete": "username"})


class CodeForm(forms.Form):
    code = forms.CharField(label=_("验证码"), max_length=6, min_length=6)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].widget.attrs.update(
            {"class": "form-control", "inputmode": "numeric", "autocomplete": "one-time-code"}
        )
