"""Writing the audit log for looks that are not case pages: identity searches and admin views.

条例 §30¶3 and §46(五) make a leak of a petitioner's identity an accountability ground, so the log
must answer "who looked for whom": a search by ID number, phone or a petitioner's name is recorded
with whom it matched (never the raw ID number or phone: the log itself is read by supervisors).
"""

from __future__ import annotations

import re
from typing import Any

from django.http import HttpRequest

from huiyin.core import net
from huiyin.core.models import AuditEntry

ID_NUMBER_RE = re.compile(r"^\d{15}$|^\d{17}[\dXx]$")  # GB 11643 (and the old 15-digit form)
PHONE_RE = re.compile(r"^\+?[\d-]{7,20}$")


def mask(value: str) -> str:
    """Keep the first three and last four characters (the masking the case page uses)."""
    return f"{value[:3]}{'*' * max(1, len(value) - 7)}{value[-4:]}" if len(value) >= 8 else "*" * len(value)


def audit(request: HttpRequest, kind: str, *, case_id: int | None = None, **detail: Any) -> AuditEntry:
    """One audit row for `request.user` from the client's address."""
    user = request.user if request.user.is_authenticated else None
    return AuditEntry.objects.create(
        kind=kind, actor=user, case_id=case_id, ip_address=net.audit_ip(request), detail=detail
    )


# --- masking for the Django admin (identity is never shown there: SPEC §1.3, 条例 §30¶3) ---------

IDENTITY_KEYS = frozenset(
    {"name", "id_number", "phone", "address", "email", "recipient", "contact", "accused_person"}
)
# free text where a person may write anyone's name and address: never shown in the admin, only its length
FREE_TEXT_KEYS = frozenset(
    {"content", "request", "reason", "facts_reasons", "assignment_instructions", "completion_report", "text"}
)
LONG_NUMBER_RE = re.compile(r"[\dXx]{7,}")  # phones and ID numbers written into free text


def mask_text(text: str) -> str:
    """Free text with every run of seven or more digits (a phone, an ID number) masked."""
    return LONG_NUMBER_RE.sub(
        lambda m: mask(m.group(0)) if any(c.isdigit() for c in m.group(0)) else m.group(0), text
    )


def mask_identity(value: Any, key: str = "") -> Any:
    """A JSON value with petitioners' identity masked: names to their first character, numbers masked."""
    if isinstance(value, dict):
        return {k: mask_identity(v, str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [mask_identity(v, key) for v in value]
    if isinstance(value, str):
        if key == "name" or key == "accused_person":
            return f"{value[:1]}{'*' * max(1, len(value) - 1)}" if value else value
        if key in IDENTITY_KEYS:
            return mask(value) if value else value
        if key in FREE_TEXT_KEYS:
            return f"（{len(value)} 字，后台不显示）" if value else value
        return mask_text(value)
    return value
