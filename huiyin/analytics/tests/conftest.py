"""Fixtures shared by analytics' tests."""

from __future__ import annotations

import pytest

from huiyin.org.models import User


@pytest.fixture
def admin_ma(org):
    from huiyin.org.models import RoleSignInPolicy

    RoleSignInPolicy.objects.filter(role="admin").update(require_two_factor=False)
    return User.objects.create_user(
        username="admin_ma", password="pw-admin_ma", full_name="马管理", unit=org.county_gov, role="admin"
    )
