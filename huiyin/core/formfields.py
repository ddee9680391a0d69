"""Form fields whose ids are parsed before they reach the database (issue 9, hole 9)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from huiyin.core.parsing import parse_id


class IdsChoiceField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    """A multiple choice of rows by id. Django's own field sends `pk__in` with whatever was posted,
    and an id past 2^63-1 is an OverflowError in the database driver; here each must be an id."""

    def _check_values(self, value: Any) -> QuerySet[Any]:
        for item in value:
            if parse_id(item) is None:
                raise ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": item}
                )
        return super()._check_values(value)  # type: ignore[misc,no-any-return]  # private in the stubs
