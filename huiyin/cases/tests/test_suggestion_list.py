"""人民建议征集 — the suggestion-collection list (条例 §29; issue 10, HD-2): the suggestions a staff member
may see, with their adoption, filterable, with totals per adoption for the §41 report."""

from __future__ import annotations

from datetime import date

import pytest

from huiyin.cases.choices import Adoption, PetitionType
from huiyin.cases.models import Case
from huiyin.workflow import services as wf


@pytest.fixture
def suggestions(clock, org, register_case, dispatcher_zhou, handler_wang_unit_a):
    """Suggestions forwarded to 住建局 and answered — adopted, partly adopted, not adopted — one not yet
    answered, and a complaint (never listed)."""
    clock.set(date(2025, 6, 2))
    made = {}
    for adoption in Adoption:
        case = wf.case_accept(
            case=register_case(petition_type=PetitionType.SUGGESTION, title=f"关于{adoption.label}的建议"),
            actor=dispatcher_zhou,
        )
        case = wf.case_forward(case=case, actor=dispatcher_zhou, unit=org.unit_a)
        case = wf.case_accept_assignment(case=case, actor=handler_wang_unit_a)  # 条例 §23¶3
        made[adoption] = wf.case_reply(
            case=case, actor=handler_wang_unit_a, adoption=adoption, facts_reasons="经研究论证"
        )
    clock.set(date(2025, 7, 1))
    made["pending"] = register_case(petition_type=PetitionType.SUGGESTION, title="尚未答复的建议")
    made["complaint"] = register_case(title="楼道漏水")
    return made


def _codes(response):
    """The page, and the codes of the cases it lists."""
    page = response.content.decode()
    return page, {code for code in Case.objects.values_list("code", flat=True) if code in page}


def test_the_list_shows_every_suggestion_with_its_adoption_and_the_totals_cond_29(
    client, suggestions, dispatcher_zhou
):
    client.force_login(dispatcher_zhou)
    response = client.get("/suggestions/")
    assert response.status_code == 200
    page, codes = _codes(response)
    assert codes == {suggestions[a].code for a in (*Adoption, "pending")}  # never the complaint
    assert page.count('data-testid="suggestion-row"') == 4
    for label in ("采纳", "部分采纳", "不予采纳", "尚未答复"):
        assert f'data-testid="adoption">{label}<' in page
    # the totals, one per adoption and one for those not yet answered
    assert page.count('data-testid="adoption-count">1<') == 4


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("adoption=partly_adopted", {Adoption.PARTLY_ADOPTED}),
        ("adoption=pending", {"pending"}),
        ("status=registered", {"pending"}),
        ("since=2025-06-15", {"pending"}),
        ("until=2025-06-15", set(Adoption)),
    ],
)
def test_the_list_filters_by_adoption_status_and_dates_cond_29(
    client, suggestions, dispatcher_zhou, query, expected
):
    client.force_login(dispatcher_zhou)
    _page, codes = _codes(client.get(f"/suggestions/?{query}"))
    assert codes == {suggestions[k].code for k in expected}


def test_the_list_filters_by_handling_unit(client, org, suggestions, dispatcher_zhou):
    client.force_login(dispatcher_zhou)
    _page, codes = _codes(client.get(f"/suggestions/?unit={org.unit_a.pk}"))
    assert codes == {suggestions[a].code for a in Adoption}
    _page, codes = _codes(client.get(f"/suggestions/?unit={org.unit_b.pk}"))
    assert codes == set()


def test_a_unit_sees_only_the_suggestions_it_may_see(
    client, suggestions, handler_wang_unit_a, handler_zhao_unit_b
):
    client.force_login(handler_zhao_unit_b)  # 民政局 has no part in any of them
    page, codes = _codes(client.get("/suggestions/"))
    assert codes == set() and 'data-testid="empty"' in page
    client.force_login(handler_wang_unit_a)  # 住建局 handled the three answered ones
    _page, codes = _codes(client.get("/suggestions/"))
    assert codes == {suggestions[a].code for a in Adoption}


def test_nonsense_filters_are_ignored_not_a_500(client, suggestions, dispatcher_zhou):
    client.force_login(dispatcher_zhou)
    response = client.get("/suggestions/?adoption=x&status=y&unit=abc&since=2025-13-40&until=nope&page=zz")
    assert response.status_code == 200
    assert response.content.decode().count('data-testid="suggestion-row"') == 4


def test_signed_out_visitors_are_sent_to_sign_in(client, suggestions):
    response = client.get("/suggestions/")
    assert response.status_code == 302 and "/login/" in response["Location"]
