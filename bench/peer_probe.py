"""In-process probes for bench.peer, run in a subprocess under EITHER application's own virtualenv
(Huiyin's, or the django-helpdesk one bench.peer builds): it imports Django and the standard library
only, and the application's settings come from DJANGO_SETTINGS_MODULE.

    python bench/peer_probe.py queries --path /api/cases --auth "Bearer …" --payloads F.json [--count 5]
        POSTs `count` payloads through Django's test client (the whole middleware stack, no socket)
        and prints the median number of SQL queries per request (connection set-up PRAGMAs, run by
        the driver, are not counted).
    python bench/peer_probe.py raw-insert --parent cases.Case --child cases.CaseEvent:case [--count 500]
        the raw insert limit: copies the newest rows of `parent` (and their `child` rows) back in with
        plain INSERTs through one connection, one transaction per copy, as fast as it can; prints
        copies per second. Unique columns get fresh values; nothing goes through the ORM's save().
Each prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import re
import secrets
import statistics
import sys
import time
from typing import Any


def _setup() -> None:
    import django

    django.setup()


def queries(args: argparse.Namespace) -> dict[str, Any]:
    _setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    with open(args.payloads, encoding="utf-8") as fh:
        payloads = json.load(fh)
    client = Client(SERVER_NAME="127.0.0.1", HTTP_AUTHORIZATION=args.auth)
    counts, statuses = [], []
    kinds: dict[str, int] = {}
    run = secrets.token_hex(4)
    for i in range(args.count):
        body = json.dumps(payloads[(args.offset + i) % len(payloads)], ensure_ascii=False)
        with CaptureQueriesContext(connection) as captured:
            response = client.post(
                args.path,
                data=body,
                content_type="application/json",
                headers={"Idempotency-Key": f"probe-{run}-{i}"},
            )
        statuses.append(response.status_code)
        counts.append(len(captured.captured_queries))
        if i == args.count - 1:  # the first requests of a process also fill its caches
            for query in captured.captured_queries:
                kind = query_kind(query["sql"])
                kinds[kind] = kinds.get(kind, 0) + 1
    return {"queries": statistics.median(counts), "all": counts, "statuses": statuses, "last": kinds}


def query_kind(sql: str) -> str:
    """'SELECT org_apitoken', 'INSERT cases_case', 'SAVEPOINT': the verb and the first table named."""
    verb = sql.split(None, 1)[0].upper() if sql.strip() else "?"
    match = re.search(r'\b(?:FROM|INTO|UPDATE)\s+"?([A-Za-z0-9_]+)"?', sql, re.IGNORECASE)
    return f"{verb} {match.group(1)}" if match and verb in {"SELECT", "INSERT", "UPDATE", "DELETE"} else verb


def raw_insert(args: argparse.Namespace) -> dict[str, Any]:
    _setup()
    from django.apps import apps
    from django.db import connection, transaction

    parent = apps.get_model(args.parent)
    child_label, fk_name = args.child.split(":")
    child = apps.get_model(child_label)
    fk = child._meta.get_field(fk_name)
    sources = list(parent.objects.order_by("-pk")[: args.sample])
    if not sources:
        raise SystemExit(f"{args.parent} has no rows to copy")
    children: dict[Any, list[Any]] = {}
    for row in child.objects.filter(**{f"{fk_name}__in": [s.pk for s in sources]}):
        children.setdefault(getattr(row, fk.attname), []).append(row)

    def columns(model: Any, skip: set[str]) -> list[Any]:
        return [f for f in model._meta.concrete_fields if not f.primary_key and f.attname not in skip]

    parent_fields = columns(parent, set())
    child_fields = columns(child, {fk.attname})
    qn = connection.ops.quote_name

    def insert_sql(model: Any, fields: list[Any], extra: list[str]) -> str:
        names = [qn(f.column) for f in fields] + [qn(c) for c in extra]
        marks = ", ".join(["%s"] * len(names))
        sql = f"INSERT INTO {qn(model._meta.db_table)} ({', '.join(names)}) VALUES ({marks})"
        if extra == [] and connection.features.can_return_columns_from_insert:
            sql += f" RETURNING {qn(model._meta.pk.column)}"
        return sql

    parent_sql = insert_sql(parent, parent_fields, [])
    child_sql = insert_sql(child, child_fields, [fk.column])
    tag = secrets.token_hex(3)

    # a column unique by itself, as a field (`unique=True`) or a one-field UniqueConstraint (the case's
    # code and idempotency key since migration cases 0015)
    alone = {c.fields[0] for c in parent._meta.constraints if len(getattr(c, "fields", ())) == 1}

    def value(field: Any, obj: Any, i: int) -> Any:
        if field.unique or field.name in alone:
            if field.null:
                return None
            fresh = f"R{tag}{i}"
            return fresh[-field.max_length :] if field.max_length else fresh
        return field.get_db_prep_save(getattr(obj, field.attname), connection)

    # Prepare every parameter list first: the timed loop is SQL only.
    plans = []
    for i in range(args.count):
        src = sources[i % len(sources)]
        plans.append(
            (
                [value(f, src, i) for f in parent_fields],
                [
                    [f.get_db_prep_save(getattr(c, f.attname), connection) for f in child_fields]
                    for c in children.get(src.pk, [])
                ],
            )
        )
    rows = 0
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for parent_params, child_params in plans:
            with transaction.atomic():
                cursor.execute(parent_sql, parent_params)
                if connection.features.can_return_columns_from_insert:
                    new_id = cursor.fetchone()[0]
                else:  # pragma: no cover - both supported backends return columns
                    new_id = cursor.lastrowid
                for params in child_params:
                    cursor.execute(child_sql, [*params, new_id])
                rows += 1 + len(child_params)
    seconds = time.perf_counter() - started
    return {
        "per_second": args.count / seconds if seconds else 0.0,
        "rows_per_copy": rows / args.count,
        "seconds": seconds,
        "copies": args.count,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    q = sub.add_parser("queries")
    q.add_argument("--path", required=True)
    q.add_argument("--auth", required=True, help="the Authorization header's value")
    q.add_argument("--payloads", required=True)
    q.add_argument("--count", type=int, default=5)
    q.add_argument("--offset", type=int, default=0)
    r = sub.add_parser("raw-insert")
    r.add_argument("--parent", required=True, help="app_label.Model")
    r.add_argument("--child", required=True, help="app_label.Model:foreign_key_field")
    r.add_argument("--count", type=int, default=500)
    r.add_argument("--sample", type=int, default=50, help="how many of the newest parent rows to copy")
    args = parser.parse_args(argv)
    result = queries(args) if args.command == "queries" else raw_insert(args)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
