from __future__ import annotations

from typing import Any

from django import forms

from huiyin.imports.services import MAX_BYTES


class UploadForm(forms.Form):
    file = forms.FileField(label="填写好的导入模板（.xlsx）")

    def clean_file(self) -> Any:
        f = self.cleaned_data["file"]
        if not f.name.lower().endswith(".xlsx"):
            raise forms.ValidationError("请上传 .xlsx 文件（由导入模板填写）")
        if f.size > MAX_BYTES:
            raise forms.ValidationError(f"文件超过 {MAX_BYTES // (1024 * 1024)} MB，请分批导入")
        return f
