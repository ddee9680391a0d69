"""Personas the workflow's own tests add to the cast in the root conftest.py."""

from __future__ import annotations

import pytest


@pytest.fixture
def leader_ma(org):
    """County leader (县领导) at the county government: takes 包案 cases, reads the leader inbox."""
    from huiyin.org.models import User

    return User.objects.create_user(
        username="leader_ma", password="pw-leader_ma", full_name="马县长", unit=org.county_gov, role="leader"
    )


@pytest.fixture
def co_handler_he(org):
    """Handler at the township government: a co-handling unit (协办) in joint cases."""
    from huiyin.org.models import User

    return User.objects.create_user(
        username="co_he", password="pw-co_he", full_name="何协办", unit=org.township_gov, role="handler"
    )
