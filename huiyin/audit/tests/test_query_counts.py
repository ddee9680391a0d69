"""Issue 15: the audit screen's number of queries does not grow with its rows. The screen and its .xlsx
(streamed, read to its end) are measured with 3 rows and again with 30, each row a different case
looked at in full by one of three staff members of two units, and the two counts must be equal — an
N+1 (a query per row: its actor, the actor's unit, its case) makes the second larger and fails here."""

from __future__ import annotations

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from huiyin.cases import selectors
from huiyin.org.models import RoleSignInPolicy, User

pytestmark = pytest.mark.django_db

SIZES = (3, 30)


@pytest.fixture
def admin_ma(org):
    """Administrator at the county government (two-factor sign-in off here, as in test_audit_screen)."""
    RoleSignInPolicy.objects.filter(role="admin").update(require_two_factor=False)
    return User.objects.create_user(
        username="admin_ma", password="pw-admin_ma", full_name="马管理", unit=org.county_gov, role="admin"
    )


class Looks:
    """Registers cases until there are `n`, each then looked at with full identity (an audited
    identity_view) by the office's clerk, its dispatcher or 民政局's handler in turn."""

    def __init__(self, register_case, lookers):
        self.register_case, self.lookers, self.made = register_case, lookers, 0

    def __call__(self, n: int) -> None:
        for i in range(self.made, n):
            case = self.register_case(title=f"楼道漏水{i}")
            selectors.case_parties_with_audit(self.lookers[i % 3], case, ip="198.51.100.7")
        self.made = n


def _queries(client, url: str, params: dict[str, str]) -> tuple[int, int]:
    """The queries of one GET and the rows it lists (a streamed .xlsx read to its end)."""
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
        assert response.status_code == 200, response.status_code
        if response.streaming:
            sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
            rows = sheet.max_row - 1
        else:
            rows = len(response.context["rows"])
    return len(ctx.captured_queries), rows


@pytest.mark.parametrize("page", ["audit_log", "audit_export"])
@pytest.mark.parametrize("who", ["admin_ma", "supervisor_chen"])
def test_the_audit_screen_takes_as_many_queries_with_30_rows_as_with_3(
    who, page, request, client, register_case, clerk_li, dispatcher_zhou, handler_zhao_unit_b
):
    """The administrator reads every row, the county's supervisor those of the territory; the export is
    itself audited (kind export), so both are filtered to the looks."""
    grow = Looks(register_case, [clerk_li, dispatcher_zhou, handler_zhao_unit_b])
    client.force_login(request.getfixturevalue(who))
    counts, rows = [], []
    for n in SIZES:
        grow(n)
        count, listed = _queries(client, reverse(page), {"kind": "identity_view"})
        counts.append(count)
        rows.append(listed)
    print(f"QUERIES {page} {who}: {counts} rows {rows}")
    assert rows == list(SIZES)
    assert counts[0] == counts[1], f"{page} for {who}: {counts} queries with {SIZES} rows"
