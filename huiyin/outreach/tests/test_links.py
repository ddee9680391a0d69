"""Module.case_links: a case found on a visit or raised at a 恳谈会 lists that record on the staff case
page (关联事项), for the users who may open the record — and for nobody else."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from huiyin.core import registry
from huiyin.outreach import links, services

pytestmark = pytest.mark.django_db


def _consenting(**kw):
    base = dict(
        title="村口道路塌陷",
        request="请修复道路",
        person_name="张大爷",
        consent_given=True,
        consent_note="当面口头同意",
    )
    return services.CaseFromProblemIn(**(base | kw))


@pytest.fixture
def outsider(org):
    from huiyin.org.models import Territory, Unit, User

    other_town = Territory.objects.create(code="430121200", name="西城镇", level=4, parent=org.county)
    unit = Unit.objects.create(code="W-GOV", name="西城镇人民政府", kind="government", territory=other_town)
    return User.objects.create_user(username="w", password="x", unit=unit, role="handler")


def test_a_case_found_on_a_visit_links_its_diary_entry_for_those_who_may_open_it(
    make_entry, grid_ma, township_office, township_dispatcher, outsider, client, clock
):
    clock.set(date(2025, 3, 3))
    entry = make_entry(people_met="张大爷一家")
    case = services.problem_to_case(problem=entry.problems.get(), data=_consenting(), actor=grid_ma)
    url = reverse("outreach_entry", kwargs={"entry": entry.pk})
    mine = registry.case_links(case, grid_ma)
    assert [(link.url, link.note) for link in mine] == [(url, "2025-03-03 走访发现，本人同意登记")]
    assert mine[0].label == "民情日记：柳林村·柳林村"
    # (the office's dispatcher is also offered 转入调解 by the mediation module; outreach's own link is this)
    assert [
        link.url for link in registry.case_links(case, township_dispatcher) if link.module == mine[0].module
    ] == [url]
    # a user outside the point's territory cannot open the entry, so the case does not point to it
    assert links.case_links(case, outsider) == []
    # the case page shows it to the township's dispatcher, and names nobody the cadre met
    client.force_login(township_dispatcher)
    html = client.get(reverse("case_detail", args=[case.code])).content.decode()
    panel = html.split('data-testid="module-links"', 1)[1].split("</section>", 1)[0]
    assert url in panel and "走访与恳谈" in panel and "张大爷一家" not in panel


def test_a_case_raised_at_a_meeting_links_the_meeting_and_another_case_links_nothing(
    org, grid_ma, township_office, outsider, register_case, clock
):
    clock.set(date(2025, 3, 3))
    meeting = services.meeting_create(
        data=services.MeetingIn(
            kind="talk",
            title="春耕用水恳谈",
            held_on=date(2025, 3, 3),
            place="柳林村村部",
            territory=org.village,
            attendees="村民代表12人",
            issues=["低保评定未公示"],
        ),
        actor=grid_ma,
    )
    case = services.meeting_issue_to_case(
        issue=meeting.issues.get(), data=_consenting(title="低保评定未公示"), actor=grid_ma
    )
    found = links.case_links(case, grid_ma)
    assert [(link.label, link.url) for link in found] == [
        (
            f"{meeting.get_kind_display()}：春耕用水恳谈",
            reverse("outreach_meeting", kwargs={"meeting": meeting.pk}),
        )
    ]
    assert links.case_links(case, outsider) == []
    assert links.case_links(register_case(), grid_ma) == []
