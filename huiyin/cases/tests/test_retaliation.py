"""CF-3 (条例 §18¶4, §46(六)): a petitioner reports retaliation — from the portal, for their own case, or
at the window. It is a new accusation (检举控告, §30) linked to the original and handled outside the
accused's chain: the accused side never sees it, is never told of it, and the original case (which the
accused unit may be handling) shows nothing of it (§30¶3; ADR 0005). These tests attack that."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from huiyin.cases.choices import PetitionType
from huiyin.cases.models import Case, CaseEvent
from huiyin.cases.selectors import search_cases, visible_to
from huiyin.cases.tests.test_views_intake import intake_data
from huiyin.core.errors import ApplicationError
from huiyin.intake.services import retaliation_report
from huiyin.notify.models import StaffNotice
from huiyin.notify.outbox import outbox_drain
from huiyin.org.choices import UnitKind
from huiyin.org.models import Unit, User
from huiyin.portal.views import SESSION_VERIFIED
from huiyin.workflow import services as wf
from huiyin.workflow.tests.test_accused_side import api

pytestmark = pytest.mark.django_db

STORY = "自从我反映楼道漏水后，住建局的人多次上门威胁，要我撤回信访。"


@pytest.fixture
def original(register_case, dispatcher_zhou, org):
    """A complaint the county office forwarded to 住建局 (unit A), which handles it now."""
    case = wf.case_accept(case=register_case(), actor=dispatcher_zhou)
    return wf.case_forward(case=case, actor=dispatcher_zhou, unit=org.unit_a)


@pytest.fixture
def squad(org):
    unit = Unit.objects.create(
        code="X-ZJ-JC",
        name="住建局城建监察大队",
        kind=UnitKind.HOUSING,
        territory=org.county,
        parent=org.unit_a,
    )
    return User.objects.create_user(
        username="squad", password="x", full_name="大队承办", unit=unit, role="handler"
    )


def _stable(content: bytes, code: str) -> bytes:
    return re.sub(rb"[A-Za-z0-9+/=_-]{32,}", b"-", content.replace(code.encode(), b"CODE"))


def _portal(client, case):
    session = client.session
    session[SESSION_VERIFIED] = [case.code]
    session.save()


def test_cf3_petitioner_reports_retaliation_from_the_portal_and_the_accused_side_never_sees_it_cond_18_4_30_3(
    client, original, org, handler_wang_unit_a, head_sun_unit_a, squad, dispatcher_zhou, register_case
):
    # given the petitioner opened their own case on the portal, handled by 住建局
    _portal(client, original)
    page = client.get(reverse("portal_case", args=[original.code])).content.decode()
    assert reverse("portal_case_retaliation", args=[original.code]) in page
    form = client.get(reverse("portal_case_retaliation", args=[original.code]))
    assert form.status_code == 200 and "示范县住房和城乡建设局" in form.content.decode()
    # when they report that 住建局 retaliated
    posted = client.post(
        reverse("portal_case_retaliation", args=[original.code]),
        {"idempotency_key": "k1", "against": "handling", "accused_person": "", "content": STORY},
    )
    report = Case.objects.get(retaliation_of=original)
    assert posted.status_code == 302 and posted["Location"] == reverse("portal_case", args=[report.code])
    # then it is an accusation against 住建局 by the same person, held by the county petition office
    assert report.petition_type == PetitionType.ACCUSATION
    assert (report.accused_unit, report.office) == (org.unit_a, org.county_office)
    assert [p.petitioner_id for p in report.parties.all()] == [
        p.petitioner_id for p in original.parties.all()
    ]
    # and a retry of the same submission registers nothing new
    client.post(
        reverse("portal_case_retaliation", args=[original.code]),
        {"idempotency_key": "k1", "against": "handling", "accused_person": "", "content": STORY},
    )
    assert Case.objects.filter(retaliation_of=original).count() == 1
    outbox_drain()
    # and another petitioner replaying that key from their own case gets a new case of their own, never
    # this report (the key is scoped to the case it is reported for)
    other = register_case(title="另一人的事项")
    _portal(client, other)
    client.post(
        reverse("portal_case_retaliation", args=[other.code]),
        {"idempotency_key": "k1", "against": "other", "accused_person": "某村干部", "content": STORY},
    )
    assert report.code not in client.session[SESSION_VERIFIED]
    assert Case.objects.filter(retaliation_of=other).count() == 1

    # the attack: everyone on the accused side — the handler and head of 住建局, a unit below it — tries
    for person in (handler_wang_unit_a, head_sun_unit_a, squad):
        assert not visible_to(person).filter(pk=report.pk).exists()
        client.force_login(person)
        client.get("/cases/HY000000AAAAAA/")  # shows (and so clears) the portal's flash message
        response = client.get(reverse("case_detail", args=[report.code]))
        missing = client.get("/cases/HY000000AAAAAA/")
        # the same 404 as for a case that does not exist, byte for byte but the code and the tokens
        assert (response.status_code, missing.status_code) == (404, 404)
        assert _stable(response.content, report.code) == _stable(missing.content, "HY000000AAAAAA")
        assert api(person).get(f"/api/cases/{report.pk}").status_code == 404
        assert report not in search_cases(person, "刘群众") and report not in search_cases(
            person, report.code
        )
        assert not StaffNotice.objects.filter(user=person, case=report).exists()
    # nor does the original case — which 住建局 handles — say a word of it
    client.force_login(handler_wang_unit_a)
    seen = client.get(reverse("case_detail", args=[original.code])).content.decode()
    assert report.code not in seen and "打击报复" not in seen.split('data-testid="timeline"')[1]
    assert 'data-testid="retaliation-reports"' not in seen
    assert (
        not CaseEvent.objects.filter(case=original)
        .exclude(event_type__in=("register", "accept", "forward"))
        .exists()
    )

    # and the office can never hand it to 住建局 or a unit below it to handle (§30¶3, the routing guard)
    accepted = wf.case_accept(case=report, actor=dispatcher_zhou)
    for unit in (org.unit_a, squad.unit):
        with pytest.raises(ApplicationError):
            wf.case_forward(case=accepted, actor=dispatcher_zhou, unit=unit)
    assert Case.objects.get(pk=report.pk).handling_unit is None

    # while the county office, which decides it, sees both ends of the link
    client.force_login(dispatcher_zhou)
    office_view = client.get(reverse("case_detail", args=[report.code])).content.decode()
    assert 'data-testid="retaliation-of"' in office_view and original.code in office_view
    assert report.code in client.get(reverse("case_detail", args=[original.code])).content.decode()


def test_cf3_retaliation_by_the_petition_office_itself_goes_to_the_office_above_cond_18_4_30_3(
    original, org, clerk_li, dispatcher_zhou
):
    # when the person reports that the county petition office itself retaliated
    report, _ = retaliation_report(
        original=original, channel="visit", content=STORY, accused_unit=org.county_office, actor=clerk_li
    )
    # then the city office holds it, and the county office — registrar included — never sees it again
    assert report.office == org.city_office
    for person in (clerk_li, dispatcher_zhou):
        assert not visible_to(person).filter(pk=report.pk).exists()


def test_cf3_the_window_registers_a_report_for_a_case_code_cond_18_4(client, original, org, clerk_li):
    client.force_login(clerk_li)
    # a report that is not an accusation is refused with the reason
    refused = client.post(reverse("case_new"), intake_data(retaliation_code=original.code))
    assert refused.status_code == 400 and "检举控告" in refused.content.decode()
    # an unknown code is refused on its field
    unknown = client.post(
        reverse("case_new"),
        intake_data(
            petition_type="accusation", accused_unit=str(org.unit_a.pk), retaliation_code="HY000000AAAAAA"
        ),
    )
    assert unknown.status_code == 400 and "没有找到该编号的事项" in unknown.content.decode()
    response = client.post(
        reverse("case_new"),
        intake_data(
            petition_type="accusation",
            accused_unit=str(org.unit_a.pk),
            content=STORY,
            retaliation_code=original.code.lower(),
        ),
    )
    assert response.status_code == 302
    report = Case.objects.get(retaliation_of=original)
    assert report.accused_unit == org.unit_a and report.office == org.county_office


def test_cf3_the_portal_asks_who_retaliated_and_never_errs(client, original):
    _portal(client, original)
    blank = client.post(
        reverse("portal_case_retaliation", args=[original.code]),
        {"idempotency_key": "k2", "against": "other"},
    )
    assert blank.status_code == 400 and not Case.objects.filter(retaliation_of=original).exists()
    # someone else's case: back to tracking, nothing registered
    client.session.flush()
    other = client.post(reverse("portal_case_retaliation", args=[original.code]), {"content": STORY})
    assert other.status_code == 302 and "track" in other["Location"]
