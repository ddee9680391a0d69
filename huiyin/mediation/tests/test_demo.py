"""The demo county's season of dispute work (Module.demo): screening rounds with a missing report,
items assigned and overdue (a 督办 candidate), mediations with agreements at village level, one handed
to a department, one guided to the court, a petition mediated, and one dispute that came back."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from huiyin.core import registry
from huiyin.mediation.models import Agreement, Mediation, RoundReport, ScreeningItem, ScreeningRound
from huiyin.org.models import User

pytestmark = pytest.mark.usefixtures("shipped_messages")


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    from huiyin.demo.builder import reset_data

    with django_db_blocker.unblock():
        call_command("demo_data", cases=60, seed=7, stdout=StringIO(), stderr=StringIO())
        yield
        reset_data()


def test_the_demo_has_a_season_of_rounds_items_mediations_and_agreements(demo, db):
    assert ScreeningRound.objects.values("period").distinct().count() == 3
    assert RoundReport.objects.filter(filed_at__isnull=True).exists()  # a missing report, visible
    assert RoundReport.objects.filter(zero=True, filed_at__isnull=False).exists()
    assert ScreeningItem.objects.filter(status="settled").exists()
    kinds = set(Mediation.objects.values_list("kind", flat=True))
    assert kinds == {"people", "administrative", "judicial"}
    assert Mediation.objects.filter(resolution_level="village").exists()
    assert Agreement.objects.filter(performance="performed").exists()
    assert Mediation.objects.filter(case__isnull=False, agreement__petition_answered=True).exists()
    assert Mediation.objects.filter(later_petition__isnull=False).count() == 1


def test_the_demo_screens_open_for_their_people(demo, db, client):
    supervisor = User.objects.filter(role="supervisor", unit__territory__level=3).first()
    assert supervisor is not None and registry.supervision_candidates(supervisor)  # overdue items
    mediator = User.objects.filter(role="mediator", mediations__isnull=False).first()
    client.force_login(mediator)
    assert client.get(reverse("mediation_bench")).status_code == 200
    m = Mediation.objects.filter(mediators=mediator).first()
    assert client.get(reverse("mediation_dispute", args=[m.pk])).status_code == 200
    back = Mediation.objects.get(later_petition__isnull=False)
    dispatcher = User.objects.filter(unit=back.later_petition.office, role="dispatcher").first()
    client.force_login(dispatcher)
    html = client.get(reverse("mediation_dispute", args=[back.pk])).content.decode()
    assert 'data-step="petition"' in html and back.later_petition.code in html
    metrics_page = client.get(reverse("mediation_metrics"), {"month": f"{back.concluded_on:%Y-%m}"})
    assert metrics_page.status_code == 200
