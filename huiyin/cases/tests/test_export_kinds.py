"""The registry of list exports (issue 11 item 5): every staff list that exports declares its kind once,
in its app (`Module.exports`), and runs through `cases.exports.list_export`; a job whose kind nobody
declares fails cleanly."""

from __future__ import annotations

import pytest

from huiyin.cases import exports
from huiyin.cases.models import ExportJob
from huiyin.core import registry, timeutil

pytestmark = pytest.mark.django_db

# Each of these has a short and a long export test and a scope attack in its app's tests:
# cases (desk/tests/test_export_jobs.py), audit_log (audit/tests/test_audit_screen.py), supervision_*
# (supervision/tests/test_export.py; supervision_suggestions: test_suggestions.py), mediation_* (mediation/tests/test_ledger.py, rounds too), outreach_*
# (outreach/tests/test_diary.py, test_commitments.py), reception_register
# (reception/tests/test_register_export.py; reception_sessions too), followups (cases/tests/test_aftercare.py), import_batches (imports/tests/test_import.py), analytics_surveys (analytics/tests/test_survey.py). A new kind joins this list together with its tests.
DECLARED = {
    "cases",
    "audit_log",
    "supervision_candidates",
    "supervision_orders",
    "supervision_record",
    "supervision_suggestions",
    "import_batches",
    "mediation_rounds",
    "analytics_surveys",
    "reception_sessions",
    "mediation_ledger",
    "mediation_register",
    "outreach_diary",
    "outreach_commitments",
    "reception_register",
    "followups",
    "assist_hotspots",
}


def test_every_staff_list_declares_its_export_kind_once():
    kinds = registry.export_kinds()
    assert set(kinds) == DECLARED
    for kind, spec in kinds.items():
        keys = [c.key for c in spec.columns]
        assert spec.kind == kind and len(keys) == len(set(keys)) and spec.title, kind


def test_a_kind_cannot_be_declared_by_two_modules():
    spec = registry.export_kind("cases")
    with pytest.raises(ValueError, match="declared twice"):
        registry.declare(registry.Module(name="intruder", exports=(spec,)))
    assert registry.export_kind("cases") is spec


def test_a_job_of_a_kind_nobody_declares_fails_with_its_message(dispatcher_zhou, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    job = ExportJob.objects.create(
        user=dispatcher_zhou,
        kind="gone",
        where="gone",
        filename="x",
        record_ids=[1],
        created_at=timeutil.now(),
    )
    assert exports.job_run(job.pk) == ExportJob.State.FAILED
    job.refresh_from_db()
    assert job.state == "failed" and job.message and not job.file
