"""The case page (dispatch): category and unit suggestions, linked duplicates, the 复核-final rule, and
visibility scoping of every candidate."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from huiyin.assist import selectors
from huiyin.assist.models import CaseBand, CaseSignature
from huiyin.assist.tests.conftest import LEAK, person
from huiyin.cases.choices import Status
from huiyin.cases.services import CaseIn
from huiyin.intake.services import case_register
from huiyin.org.models import User
from huiyin.workflow.tests.drive import drive_to

pytestmark = pytest.mark.django_db


def aids(client, case):
    return client.get(reverse("assist_case", args=[case.code])).content.decode()


def test_registering_a_case_stores_its_signature_once_the_registration_commits(register_indexed):
    case = register_indexed(title="小区楼道漏水", content=LEAK)
    assert CaseSignature.objects.filter(case=case).exists()
    assert CaseBand.objects.filter(case=case).count() == 16


def test_the_case_page_loads_the_aids_lazily(client, dispatcher_zhou, register_indexed):
    case = register_indexed(title="小区楼道漏水", content=LEAK)
    client.force_login(dispatcher_zhou)
    html = client.get(reverse("case_detail", args=[case.code])).content.decode()
    assert 'data-testid="case-aids"' in html and reverse("assist_case", args=[case.code]) in html


def test_at_dispatch_the_suggested_categories_come_with_their_unit_and_a_forward_button(
    client, dispatcher_zhou, register_indexed, cast_all, clock
):
    clock.set(date(2025, 3, 3))
    case = drive_to(register_indexed(title="小区楼道漏水物业不维修", content=LEAK), Status.ACCEPTED, cast_all)
    client.force_login(dispatcher_zhou)
    html = aids(client, case)
    assert 'data-label="城乡建设"' in html and "示范县住房和城乡建设局" in html
    assert 'data-testid="forward-to-hint"' in html


def test_a_case_is_never_its_own_duplicate(client, dispatcher_zhou, register_indexed):
    case = register_indexed(title="小区楼道漏水", content=LEAK)
    client.force_login(dispatcher_zhou)
    assert 'data-testid="no-duplicates"' in aids(client, case)


def test_a_repeat_offers_to_merge_into_the_live_case(client, dispatcher_zhou, register_indexed):
    live = register_indexed(title="小区楼道漏水", content=LEAK)
    repeat = register_indexed(title="楼道漏水还没修", content=LEAK + "请尽快处理。")
    client.force_login(dispatcher_zhou)
    html = aids(client, repeat)
    assert f'data-reason="same_petitioner" data-code="{live.code}"' in html
    assert f'name="into" value="{live.code}"' in html and 'data-testid="merge-into"' in html


def test_after_the_rereview_the_same_matter_is_not_accepted_again(
    client, dispatcher_zhou, register_indexed, cast_all, clock
):
    clock.set(date(2025, 1, 6))
    final = drive_to(register_indexed(title="小区楼道漏水", content=LEAK), Status.FINAL, cast_all)
    assert final.is_final
    clock.set(date(2025, 9, 1))
    again = register_indexed(title="楼道漏水问题再次反映", content="再次反映：" + LEAK)
    client.force_login(dispatcher_zhou)
    html = aids(client, again)
    assert 'data-testid="assist-final"' in html
    assert "不再受理" in html and "第三十六条第三款" in html
    assert 'name="reason_code" value="final_after_rereview"' in html
    assert 'data-testid="merge-into"' not in html  # a concluded matter cannot take a merge


def test_for_another_petitioner_the_final_rule_is_left_to_the_dispatcher(
    client, dispatcher_zhou, register_indexed, cast_all, clock
):
    clock.set(date(2025, 1, 6))
    drive_to(register_indexed(title="小区楼道漏水", content=LEAK), Status.FINAL, cast_all)
    clock.set(date(2025, 9, 1))
    other = register_indexed(title="楼道漏水", content=LEAK, petitioners=[person(7)])
    client.force_login(dispatcher_zhou)
    html = aids(client, other)
    assert 'data-reason="other_petitioner"' in html and "由工作人员判断" in html
    assert 'name="reason_code" value="final_after_rereview"' not in html


def test_candidates_are_only_cases_the_user_may_see(
    org, dispatcher_zhou, register_indexed, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        elsewhere, _ = case_register(
            data=CaseIn(
                channel="letter",
                petition_type="complaint",
                title="小区楼道漏水",
                content=LEAK,
                petitioners=[person(3)],
            ),
            office=org.city_office,
            actor=None,
        )
    city_clerk = User.objects.create_user(username="city_clerk", unit=org.city_office, role="clerk")
    assert [h.case for h in selectors.duplicate_report(city_clerk, title="漏水", content=LEAK).hits] == [
        elsewhere
    ]
    assert selectors.duplicate_report(dispatcher_zhou, title="漏水", content=LEAK).hits == []


def test_the_duplicate_lookup_costs_a_fixed_number_of_queries(
    dispatcher_zhou, register_indexed, django_assert_max_num_queries
):
    for n in range(6):
        register_indexed(title="小区楼道漏水", content=LEAK, petitioners=[person(n)])
    with django_assert_max_num_queries(6):
        report = selectors.duplicate_report(dispatcher_zhou, title="漏水", content=LEAK, petitioner_ids={1})
    assert len(report.hits) == 6


def test_the_backfill_indexes_cases_registered_before_the_assist(register_case):
    from huiyin.assist.services import signatures_backfill

    cases = [register_case(title="小区楼道漏水", content=LEAK) for _ in range(3)]
    assert not CaseSignature.objects.exists()  # the receiver runs on commit, which tests do not reach
    assert signatures_backfill(batch=2) == {"stored": 3, "skipped_empty": 0}
    assert CaseBand.objects.filter(case__in=cases).count() == 48
    assert signatures_backfill() == {"stored": 0, "skipped_empty": 0}
