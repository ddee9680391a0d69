"""The query plans behind issue 15's index drops (migration cases 0013): every lookup that a dropped
index could have served, EXPLAINed on a database that holds cases (e.g. one `bench.import_bench
--child` left, or a generated one), on SQLite or PostgreSQL.

    DATABASE_URL=… python -m bench.case_index_plans

Each line names the query path, then the plan's scan lines: each must be an index scan on the index
that now serves it (a composite that begins with the column, the named unique constraint, or the
plain index kept without its `_like` twin). On PostgreSQL it also EXPLAINs the foreign-key checks the
server runs when a unit or case row is deleted (they look up the referencing column alone).
Values are picked to be rare (a unit with few cases), so the planner's choice is the index, not a scan
of a table that every row matches.
"""

from __future__ import annotations

import os
import re


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huiyin.settings")
    import django

    django.setup()
    from django.db import connection

    from huiyin.cases.choices import Status
    from huiyin.cases.models import Case, CaseEvent, CasePetitioner, Petitioner
    from huiyin.org.models import Unit

    case = Case.objects.order_by("pk")[Case.objects.count() // 2]
    party = CasePetitioner.objects.order_by("pk")[CasePetitioner.objects.count() // 3]
    unit = Unit.objects.exclude(pk=case.office_id).order_by("pk").first()
    assert unit is not None
    queries = {
        "workbench queues, sweeper: status IN (open)": Case.objects.filter(
            status__in=[Status.REGISTERED, Status.ACCEPTED]
        ).values("pk")[:20],
        "statistics: status = closed": Case.objects.filter(status=Status.CLOSED).values("pk")[:1],
        "unit.registered_cases: office_id =": Case.objects.filter(office_id=unit.pk).order_by()[:20],
        "unit.handled_cases: handling_unit_id =": Case.objects.filter(handling_unit_id=unit.pk).order_by()[
            :20
        ],
        "tracking, portal, search: code =": Case.objects.filter(code=case.code),
        "intake retry: idempotency_key =": Case.objects.filter(idempotency_key=case.idempotency_key or "x"),
        "timeline: events of a case": CaseEvent.objects.filter(case_id=case.pk),
        "parties of a case": CasePetitioner.objects.filter(case_id=case.pk),
        "portal, search: party phone =": CasePetitioner.objects.filter(phone=party.phone),
        "search, look-up: petitioner phone =": Petitioner.objects.filter(phone=party.phone),
        "look-up: petitioner name =": Petitioner.objects.filter(name="王某某")[:10],
        "search, look-up: petitioner id_number =": Petitioner.objects.filter(id_number="110105195001010011"),
        "supervision: event_type startswith (kept _like)": CaseEvent.objects.filter(
            event_type__startswith="clock_"
        ).values("pk")[:10],
    }
    scan = re.compile(r"(Index|Seq|Bitmap|SCAN|SEARCH)")
    for label, qs in queries.items():
        lines = [ln.strip() for ln in qs.explain().splitlines() if scan.search(ln)]
        print(f"{label}: " + " | ".join(re.sub(r"\s+\(cost=.*", "", ln) for ln in lines))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table, column, value in [
                ("cases_case", "office_id", unit.pk),
                ("cases_case", "handling_unit_id", unit.pk),
                ("cases_caseevent", "case_id", case.pk),
                ("cases_casepetitioner", "case_id", case.pk),
            ]:
                sql = f"SELECT 1 FROM ONLY {table} x WHERE {column} = %s FOR KEY SHARE OF x"
                cursor.execute("EXPLAIN " + sql, [value])
                lines = [r[0].strip() for r in cursor.fetchall() if scan.search(r[0])]
                print(
                    f"foreign-key check {table}.{column}: "
                    + " | ".join(re.sub(r"\s+\(cost=.*", "", ln) for ln in lines)
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
