"""Reads of the import screens: who may import, and the batches a user may see (their own unit's)."""

from __future__ import annotations

from django.db.models import QuerySet

from huiyin.core.errors import NotFound
from huiyin.imports.models import ImportBatch
from huiyin.org import roles
from huiyin.org.choices import Role
from huiyin.org.models import User

# 历史数据导入: the desks that register cases (they bring in their office's history) and administrators
IMPORT: frozenset[str] = roles.REGISTER | {Role.ADMIN}
MSG_NOT_IMPORTER = "您的岗位不能导入历史信访事项"


def may_import(user: User) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or user.role in IMPORT))


def batches_for(user: User) -> QuerySet[ImportBatch]:
    """The batches of the user's own unit (a superuser without a unit: all)."""
    qs = ImportBatch.objects.select_related("office", "uploaded_by").defer("content")
    if user.is_superuser and not user.unit_id:
        return qs
    if not may_import(user) or not user.unit_id:
        return qs.none()
    return qs.filter(office_id=user.unit_id)


def batch_for(user: User, pk: int) -> ImportBatch:
    """One batch the user may see, or the same NotFound for missing and not theirs."""
    batch = batches_for(user).filter(pk=pk).first()
    if batch is None:
        raise NotFound("没有这个导入批次")
    return batch
