"""Who may open the stored 通报 and a 民主评议 round: leaders and supervisors of the territory (and the
round's own units); anyone else gets the missing-record 404, never the file (SPEC §3.7, issue 11)."""

from __future__ import annotations

from datetime import date

import pytest

from huiyin.analytics import documents
from huiyin.analytics.models import Document, SurveyRound
from huiyin.org.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["bulletin", "annual"])
def bulletin(request, clock, org):
    """The stored November 通报, and the annual report of 条例 §41 (both have a .docx and a .xlsx)."""
    clock.set(date(2025, 12, 1))
    if request.param == "annual":
        doc, _made = documents.document_ensure(Document.Kind.ANNUAL, date(2024, 1, 1), org.county)
    else:
        doc, _made = documents.document_ensure(Document.Kind.BULLETIN, date(2025, 11, 1), org.county)
    return doc


def _township_leader(org) -> User:
    return User.objects.create_user(
        username="ld_dc", full_name="东城镇长", unit=org.township_gov, role="leader"
    )


def test_the_county_bulletin_opens_for_the_county_supervisor_and_is_a_404_for_others(
    client, org, bulletin, supervisor_chen, handler_wang_unit_a
):
    assert bulletin.xlsx is not None
    urls = [f"/analytics/documents/{bulletin.pk}.docx", f"/analytics/documents/{bulletin.pk}.xlsx"]
    client.force_login(supervisor_chen)
    for url in urls:
        assert client.get(url).status_code == 200, url
    # a unit's staff (a 通报 covers a territory, not one unit) and a township's leader (below the county)
    for outsider in (handler_wang_unit_a, _township_leader(org)):
        client.force_login(outsider)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 404, (outsider.username, url)
            assert response.get("Content-Disposition") is None
        assert bulletin.number not in client.get("/analytics/documents/").content.decode()


def test_a_round_opens_for_its_own_units_and_is_a_404_for_a_unit_outside_it(
    client, org, clock, admin_ma, handler_wang_unit_a
):
    clock.set(date(2025, 12, 1))
    client.force_login(admin_ma)
    response = client.post(
        "/analytics/surveys/",
        {"title": "2025年11月民主评议", "territory": org.county.pk, "period_start": "2025-11-01",
         "period_end": "2025-11-30", "units": [org.unit_a.pk, org.unit_b.pk]},
    )  # fmt: skip
    assert response.status_code == 302
    r = SurveyRound.objects.get()
    client.force_login(handler_wang_unit_a)  # 住建局 is one of the round's units
    assert client.get(f"/analytics/surveys/{r.pk}/").status_code == 200
    township_handler = User.objects.create_user(
        username="h_dc", full_name="镇办事员", unit=org.township_gov, role="handler"
    )
    client.force_login(township_handler)
    assert client.get(f"/analytics/surveys/{r.pk}/").status_code == 404
    assert client.post(f"/analytics/surveys/{r.pk}/close/").status_code in (403, 404)
    r.refresh_from_db()
    assert r.closed_on is None
