"""Build (or rebuild) the whole demo in one transaction; see `huiyin.demo.cases` for the stories."""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.apps import apps
from django.db import connection, models, transaction
from django.utils.module_loading import import_string

from huiyin.analytics.models import RollupState
from huiyin.analytics.services import rollup_rebuild
from huiyin.cases.models import Case, Petitioner
from huiyin.cases.services import seeded_case_codes
from huiyin.core import registry, timeutil
from huiyin.core.management.dbstats import refresh_planner_statistics
from huiyin.demo.cases import CaseBuilder, Outcome
from huiyin.demo.messages import MessageSource
from huiyin.demo.org import DemoOrg, build_org, build_users, demo_password
from huiyin.demo.rules import build_rules_demo
from huiyin.org.models import Territory, Unit, User
from huiyin.supervision.selectors import candidates_for
from huiyin.supervision.services import answer_roles, order_answer, order_issue, sweep_supervision
from huiyin.workflow.clocks import sweep_clocks

# The rows the demo creates; everything that points at them (transitively) goes too on --reset.
OWNED_MODELS: tuple[type[models.Model], ...] = (Case, Petitioner, Territory, Unit, User, RollupState)


@dataclass
class DemoReport:
    org: DemoOrg
    outcome: Outcome
    swept: dict[str, int]
    seconds: float


def has_data() -> bool:
    return Territory.objects.exists() or Unit.objects.exists() or Case.objects.exists()


def _dependent_models() -> list[type[models.Model]]:
    found: list[type[models.Model]] = list(OWNED_MODELS)
    changed = True
    while changed:
        changed = False
        for model in apps.get_models(include_auto_created=True):
            if model in found or model._meta.proxy or not model._meta.managed:
                continue
            if any(
                f.is_relation and f.concrete and f.related_model in found for f in model._meta.get_fields()
            ):
                found.append(model)
                changed = True
    return found


def reset_data() -> list[str]:
    """Delete every case, person, territory, unit and account, and whatever refers to them.

    Seeded reference data (the taxonomy, rule profiles, holiday overrides) stays. Constraint checks
    are off during the delete and re-checked afterwards, so the order of tables does not matter.
    """
    tables = [m._meta.db_table for m in _dependent_models()]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            quoted = ", ".join(connection.ops.quote_name(t) for t in tables)
            cursor.execute(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE")
        else:
            with connection.constraint_checks_disabled():
                for table in tables:
                    cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")
                has_sequence = cursor.execute(
                    "SELECT 1 FROM sqlite_master WHERE type='table' AND name='sqlite_sequence'"
                ).fetchone()
                if has_sequence:
                    marks = ", ".join("%s" for _ in tables)
                    cursor.execute(f"DELETE FROM sqlite_sequence WHERE name IN ({marks})", tables)
            connection.check_constraints(table_names=tables)
    # The responsibility matrix and rule values refer to territories and units, so the cascade takes
    # the seeded ones too: put the reference data back (each restorer is idempotent).
    registry.restore_reference_data()
    return tables


def build_demo(*, cases: int, seed: int, data_dir: Path | None = None) -> DemoReport:
    """Create the demo county, its staff and `cases` cases; then sweep the clocks as of today."""
    started = time.monotonic()
    rng = random.Random(seed)
    messages = MessageSource(random.Random(seed + 1), data_dir)
    today = timeutil.today()
    with transaction.atomic(), seeded_case_codes(seed + 99):
        org = build_org(seed)
        build_users(org)
        outcome = CaseBuilder(org, rng, messages, today).build(cases)
        build_rules_demo(org, random.Random(seed + 10))  # t10-rules: RG-3, JU-3, CF-3, HD-10, SV-3
        swept = sweep_clocks()
        swept |= supervise(org, rng)
        for i, (_name, path) in enumerate(registry.demo_builders()):  # the modules' seasons (Module.demo)
            swept |= import_string(path)(org, random.Random(seed + 12 + i), today) or {}
        # the dashboards read the roll-ups: build them for every demo month (the worker keeps them)
        swept["analytics_facts"] = rollup_rebuild()["facts"]
    refresh_planner_statistics()
    return DemoReport(org, outcome, swept, time.monotonic() - started)


def supervise(org: DemoOrg, rng: random.Random, orders: int = 4) -> dict[str, int]:
    """督办 as of today: the sweep finds candidates; the supervisor orders a few, one unit answers."""
    counts = sweep_supervision()
    supervisor = org.users["supervisor"]
    open_candidates = list(candidates_for(supervisor)[:50])  # what the supervisor's page lists
    today = timeutil.today()
    issued = []
    for candidate in rng.sample(open_candidates, min(orders, len(open_candidates))):
        issued.append(
            order_issue(
                case=candidate.case,
                actor=supervisor,
                instructions="请于5日内办结并报告办理情况（演示）",
                due_on=today + timedelta(days=5),
                candidate=candidate,
            )
        )
    for order in issued[:1]:
        answerer = User.objects.filter(
            unit=order.unit, role__in=answer_roles(order.unit), is_active=True
        ).first()
        if answerer is not None:
            order_answer(order=order, actor=answerer, answer="已约谈相关负责人，三日内办结（演示）")
    counts["orders_issued"] = len(issued)
    return counts


def account_rows() -> list[tuple[str, str, str, str]]:
    """(username, role, unit, demo password) for every demo account, in a stable order."""
    rows = []
    for user in User.objects.select_related("unit").order_by("unit__territory__path", "unit__code", "id"):
        rows.append(
            (
                user.username,
                user.get_role_display(),
                user.unit.name if user.unit else "",
                demo_password(user.username),
            )
        )
    return rows
