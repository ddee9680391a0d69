"""Issue 15: the petitioner's own screens on the phone portal take as many queries with many rows as with
few. 我的事项 (the cases of the signed-in phone number) is measured with 3 cases and with 30, a case's
page with 3 steps on its timeline and with 30; the two counts must be equal — a query per row (an N+1)
makes the second larger and fails here."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from huiyin.workflow import aftercare
from huiyin.workflow import services as wf

pytestmark = pytest.mark.django_db

SIZES = (3, 30)
PHONE = "13800001234"  # the phone register_case's petitioner left
DAY = date(2025, 3, 3)


def _count(client, url: str) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    return len(ctx.captured_queries), response


def _sign_in(client, outbox) -> None:
    """Sign in on the portal as the holder of PHONE, by the one-time code sent to it."""
    assert client.post(reverse("portal_account"), {"address": PHONE}).status_code == 302
    code = next(part for part in outbox[-1].body.split("为")[1:] if part[:6].isdigit())[:6]
    assert client.post(reverse("portal_account_code"), {"code": code}).status_code == 302


def _in_handling(case, who):
    """Accepted by the office, assigned to unit A and accepted there (the petitioner is told each)."""
    org, dispatcher = who("org"), who("dispatcher_zhou")
    case = wf.case_accept(case=case, actor=dispatcher)
    case = wf.case_assign(case=case, actor=dispatcher, unit=org.unit_a, deadline=DAY + timedelta(days=30))
    return wf.case_accept_assignment(case=case, actor=who("handler_wang_unit_a"))


def test_my_cases_take_as_many_queries_with_30_cases_as_with_3(request, client, outbox, register_case, clock):
    clock.set(DAY)
    made = []
    _sign_in(client, outbox)
    counts, rows = [], []
    for n in SIZES:
        while len(made) < n:
            case = register_case(title=f"楼道漏水{len(made)}")
            made.append(_in_handling(case, request.getfixturevalue) if len(made) % 2 else case)
        count, response = _count(client, reverse("portal_account"))
        counts.append(count)
        rows.append(len(response.context["rows"]))
    print(f"QUERIES portal my cases: {counts} rows {rows}")
    assert rows == list(SIZES)
    assert counts[0] == counts[1], f"my cases: {counts} queries with {SIZES} cases"


@pytest.mark.parametrize("how", ["account", "track"])
def test_a_cases_page_takes_as_many_queries_with_30_steps_as_with_3(
    how, request, client, outbox, register_case, clock, handler_wang_unit_a
):
    """The timeline grows with each assistance referral and its outcome (条例 §37¶2: the petitioner is
    told of both), through the services; the petitioner signed in by code, or tracks the case by its
    number and the last four digits of the phone."""
    clock.set(DAY)
    case = _in_handling(register_case(), request.getfixturevalue)
    if how == "account":
        _sign_in(client, outbox)
    else:
        tracked = client.post(reverse("portal_track"), {"code": case.code, "factor": PHONE[-4:]})
        assert tracked.status_code == 302, tracked.status_code
    url = reverse("portal_case", kwargs={"code": case.code})
    counts, rows = [], []
    for n in SIZES:
        while len(client.get(url).context["timeline"]) < n:
            referral = aftercare.referral_create(
                case=case,
                actor=handler_wang_unit_a,
                kind="social",
                reason="家庭困难",
                organ_name="示范县民政局",
            )
            aftercare.referral_outcome(
                referral=referral, actor=handler_wang_unit_a, outcome="granted", note="已给予临时救助"
            )
        count, response = _count(client, url)
        counts.append(count)
        rows.append(len(response.context["timeline"]))
    print(f"QUERIES portal case page ({how}): {counts} timeline {rows}")
    assert rows[0] >= SIZES[0] and rows[1] >= SIZES[1]
    assert counts[0] == counts[1], f"case page: {counts} queries with {rows} timeline rows"
