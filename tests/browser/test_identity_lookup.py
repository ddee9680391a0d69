"""The intake look-up in a real browser (issue 9, hole 3): the clerk finds a person masked, the fill
button reveals them through the audited endpoint, the registration goes through unchanged, and the
supervisor sees who unmasked whom on the audit screen."""

from __future__ import annotations

from typing import Any

import pytest

from huiyin.cases.models import Case
from huiyin.cases.services import CaseIn, PetitionerIn
from huiyin.core.models import AuditEntry
from huiyin.intake.services import case_register

pytestmark = pytest.mark.browser

ID = "11010519491231002X"
PHONE = "13800001234"


def test_the_clerk_fills_a_known_petitioner_from_the_masked_lookup(
    page: Any, live_url: str, login: Any, org: Any, clerk_li: Any, supervisor_chen: Any
) -> None:
    earlier = CaseIn(
        channel="visit",
        petition_type="complaint",
        title="楼道漏水",
        content="楼道漏水半年。",
        petitioners=[PetitionerIn(name="刘群众", id_number=ID, phone=PHONE, address="东城镇柳林村3组")],
    )
    from playwright.sync_api import expect

    case_register(data=earlier, office=org.county_office, actor=clerk_li)
    login(page, "clerk_li", "pw-clerk_li")
    page.goto(f"{live_url}/cases/new/")

    # the look-up shows the person masked: no full number anywhere in the page
    page.fill("#lookup", PHONE)
    page.wait_for_selector("[data-testid=lookup-results]")
    results = page.get_by_test_id("lookup-results").inner_html()
    assert "138****1234" in results and PHONE not in results and ID not in results

    # the fill button reveals (one audit row) and fills the first petitioner row
    page.get_by_test_id("fill-petitioner").click()
    expect(page.locator("#id_p-0-id_number")).to_have_value(ID)  # polls; no eval under the CSP
    assert page.input_value("#id_p-0-name") == "刘群众"
    assert page.input_value("#id_p-0-phone") == PHONE
    assert AuditEntry.objects.filter(kind="identity_view", actor=clerk_li, detail__lookup=True).count() == 1

    # and the registration goes through with the person on record, contact unchanged
    page.select_option("#id_channel", "visit")
    page.select_option("#id_petition_type", "complaint")
    page.fill("#id_title", "屋顶漏水")
    page.fill("#id_content", "屋顶漏水两年。")
    page.get_by_test_id("register").click()
    page.wait_for_url(lambda url: "/cases/new/" not in url)
    new = Case.objects.order_by("-id").first()
    party = new.parties.get()
    assert party.petitioner.id_number == ID and party.contact_state == "on_record"

    # then the supervisor finds the reveal on the audit screen: who unmasked, and whose record
    reveal = AuditEntry.objects.get(kind="identity_view", actor=clerk_li, detail__lookup=True)
    page.context.clear_cookies()
    login(page, "supervisor_chen", "pw-supervisor_chen")
    page.goto(f"{live_url}/audit/?kind=identity_view")
    row = page.locator(f"[data-testid=audit-table] tr[data-audit-id='{reveal.pk}']")
    expect(row).to_contain_text("李窗口")
    expect(row).to_contain_text("查看信访人身份")
    assert ID not in page.content()  # the log names the reveal, it does not repeat the number
