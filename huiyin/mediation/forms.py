"""Small parsers of the mediation screens' POST data: a bad value is a ValidationFailed (a 400 with the
message), never a 500."""

from __future__ import annotations

from datetime import date

from django.http import QueryDict

from huiyin.core.errors import ValidationFailed
from huiyin.core.parsing import parse_id


def get_date(data: QueryDict, name: str, label: str) -> date:
    raw = (data.get(name) or "").strip()
    try:
        return date.fromisoformat(raw)
    except ValueError:
        msg = f"请填写{label}（年-月-日）"
        raise ValidationFailed(msg, extra={"fields": {name: msg}}) from None


def get_id(data: QueryDict, name: str, label: str) -> int:
    pk = parse_id(data.get(name))
    if pk is None:
        msg = f"请选择{label}"
        raise ValidationFailed(msg, extra={"fields": {name: msg}})
    return pk
