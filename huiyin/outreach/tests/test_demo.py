"""The demo county has a year of outreach: every village has pairings and diaries, some points were
missed this period, found cases wait at township offices, commitments in every state with ratings."""

from __future__ import annotations

import random

import pytest
from django.db.models import Max, Min

from huiyin.core import timeutil
from huiyin.demo.org import build_org, build_users
from huiyin.outreach import selectors
from huiyin.outreach.choices import CommitmentStatus
from huiyin.outreach.demo import build_outreach
from huiyin.outreach.models import Commitment, CommitmentRating, DiaryEntry, Pairing

pytestmark = pytest.mark.django_db


def test_the_demo_outreach_covers_a_year_and_every_screen_has_rows():
    org = build_org(7)
    build_users(org)
    today = timeutil.today()
    counts = build_outreach(org, random.Random(21), today)
    villages = [v for t in org.townships for v in t.villages]
    assert Pairing.objects.filter(kind="dept_village").count() == len(villages)
    span = DiaryEntry.objects.aggregate(first=Min("visited_on"), last=Max("visited_on"))
    assert (today - span["first"]).days > 300 and (today - span["last"]).days < 60
    rows = selectors.coverage(org.users["supervisor"], today)
    assert any(r.met for r in rows) and any(not r.met for r in rows)
    assert counts["cases"] > 0
    assert set(Commitment.objects.values_list("status", flat=True)) == set(CommitmentStatus.values)
    assert CommitmentRating.objects.exists()
