"""Duplicate lookup against the stored LSH band table with many cases indexed, on SQLite and PostgreSQL.

    python -m bench.assist_db_bench [--rows 1000000] [--backends sqlite,postgres] [--queries 400]

Each backend runs in its own process on a fresh database (SQLite file under /tmp; PostgreSQL database
`huiyin_assist_bench` created beside $HUIYIN_BENCH_PG_ADMIN and dropped afterwards). The schema comes
from the real migrations. Rows: 5,000 real messages of the shipped data (their real signatures) plus
synthetic cases up to --rows, whose MinHash is the union of 3–8 real sentences (duplicates.
synthetic_signatures), so the band buckets are as full as real text makes them. Loading uses COPY
(PostgreSQL, primary key rebuilt afterwards) or one executemany in key order (SQLite).

Queries: edited copies of indexed real messages (positives) and real messages that were not indexed
(negatives). Timed per query: the SQL lookup alone (`selectors.candidate_scores`: band query + exact
scoring of the stored signatures) and end to end (signature of the text + lookup + fetching the
matched cases). Prints one JSON line per backend.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PG_ADMIN_URL = os.environ.get("HUIYIN_BENCH_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")
PG_DB = "huiyin_assist_bench"
N_REAL = 5000


def _pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(sql)


def run_backend(backend: str, rows: int, n_queries: int) -> dict:
    t_start = time.perf_counter()
    import numpy as np

    from huiyin.assist import duplicates
    from huiyin.assist.data import data_dir, normalize, read_csv

    # --- data -----------------------------------------------------------------------------------
    texts, seen = [], set()
    for r in read_csv(data_dir() / "messages_labeled.csv"):
        t = (r.get("text") or "").strip()
        if t and normalize(t) not in seen:
            seen.add(normalize(t))
            texts.append(t)
    rng = random.Random(0)
    rng.shuffle(texts)
    real, rest = texts[:N_REAL], texts[N_REAL:]
    sentences = [
        s for t in rest[: len(rest) // 2] for s in duplicates._SENT_SPLIT.split(t) if len(normalize(s)) >= 8
    ]
    negatives = rest[len(rest) // 2 :][: n_queries // 2]
    positives = [duplicates.edit_copy(t, rng) for t in rng.sample(real, n_queries // 2)]
    real_sigs = np.vstack([duplicates.signature(t) for t in real])
    fill = duplicates.synthetic_signatures(sentences, max(0, rows - N_REAL), seed=0)
    sigs = np.vstack([real_sigs, fill])[:rows]
    n = len(sigs)
    bands = duplicates.band_keys(sigs)  # (n, 16) uint32

    import django
    from django.core.management import call_command

    django.setup()
    from django.db import connection, transaction

    from huiyin.assist.selectors import candidate_scores
    from huiyin.cases.models import Case
    from huiyin.org.models import Territory, Unit

    call_command("migrate", verbosity=0)
    t_load = time.perf_counter()
    county = Territory.objects.create(code="430121", name="示范县", level=3)
    office = Unit.objects.create(code="X-XF", name="示范县信访局", kind="petition_office", territory=county)
    template = Case(
        code="x",
        status="registered",
        channel="visit",
        petition_type="complaint",
        title="t",
        content="c",
        office=office,
        registered_at=django.utils.timezone.now(),
    )
    cols, values = [], []
    for f in Case._meta.concrete_fields:
        if f.primary_key or f.attname in ("code", "idempotency_key"):
            continue
        cols.append(f.column)
        values.append(f.get_db_prep_save(f.pre_save(template, True), connection))
    q = connection.ops.quote_name
    col_sql = ", ".join(q(c) for c in ["id", "code", *cols])
    ph = ", ".join(["%s"] * len(values))
    with connection.cursor() as cur:
        if backend == "postgres":
            cur.execute(
                f"INSERT INTO cases_case ({col_sql}) SELECT i, 'B' || i, {ph} FROM generate_series(1, %s) AS i",
                [*values, n],
            )
        else:
            cur.execute(
                f"WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < %s) "
                f"INSERT INTO cases_case ({col_sql}) SELECT i, 'B' || i, {ph} FROM s",
                [n, *values],
            )
    case_ids = np.arange(1, n + 1, dtype=np.int64)
    keys = (np.arange(16, dtype=np.int64)[None, :] << 32) | bands.astype(np.int64)
    flat_keys = keys.ravel()
    flat_ids = np.repeat(case_ids, 16)
    order = np.lexsort((flat_ids, flat_keys))
    flat_keys, flat_ids = flat_keys[order], flat_ids[order]
    blobs = [s.astype("<u2").tobytes() for s in sigs]
    now = django.utils.timezone.now()
    with transaction.atomic(), connection.cursor() as cur:
        if backend == "postgres":
            raw = cur.connection
            cur.execute(
                "SELECT conname FROM pg_constraint WHERE conrelid = 'assist_caseband'::regclass AND contype IN ('p', 'f')"
            )
            for (name,) in cur.fetchall():
                cur.execute(f"ALTER TABLE assist_caseband DROP CONSTRAINT {q(name)}")
            with raw.cursor().copy("COPY assist_caseband (key, case_id) FROM STDIN") as copy:
                for k, i in zip(flat_keys.tolist(), flat_ids.tolist(), strict=True):
                    copy.write_row((k, i))
            with raw.cursor().copy(
                "COPY assist_casesignature (case_id, minhash, computed_at) FROM STDIN"
            ) as copy:
                for i, b in zip(case_ids.tolist(), blobs, strict=True):
                    copy.write_row((i, b, now))
            cur.execute("ALTER TABLE assist_caseband ADD PRIMARY KEY (key, case_id)")
            cur.execute(
                "ALTER TABLE assist_caseband ADD FOREIGN KEY (case_id) REFERENCES cases_case (id) DEFERRABLE INITIALLY DEFERRED"
            )
        else:
            cur.executemany(
                "INSERT INTO assist_caseband (key, case_id) VALUES (%s, %s)",
                zip(flat_keys.tolist(), flat_ids.tolist(), strict=True),
            )
            cur.executemany(
                "INSERT INTO assist_casesignature (case_id, minhash, computed_at) VALUES (%s, %s, %s)",
                ((i, b, now) for i, b in zip(case_ids.tolist(), blobs, strict=True)),
            )
    with connection.cursor() as cur:
        cur.execute("ANALYZE" if backend == "sqlite" else "VACUUM ANALYZE assist_caseband")
    load_s = time.perf_counter() - t_load

    # --- queries --------------------------------------------------------------------------------
    def timed(texts: list[str]) -> tuple[list[float], list[float], int]:
        sql_ms, e2e_ms, found = [], [], 0
        for t in texts:
            t0 = time.perf_counter()
            sig = duplicates.signature(t)
            t1 = time.perf_counter()
            hits = candidate_scores(sig)
            t2 = time.perf_counter()
            list(Case.objects.filter(pk__in=[pk for pk, _ in hits[:10]]).only("code", "status"))
            t3 = time.perf_counter()
            sql_ms.append((t2 - t1) * 1000)
            e2e_ms.append((t3 - t0) * 1000)
            found += bool(hits)
        return sql_ms, e2e_ms, found

    timed(positives[:20])  # warm the caches once
    p_sql, p_e2e, p_found = timed(positives)
    n_sql, n_e2e, n_found = timed(negatives)
    all_sql, all_e2e = p_sql + n_sql, p_e2e + n_e2e
    with connection.cursor() as cur:
        if backend == "postgres":
            cur.execute(
                "SELECT pg_total_relation_size('assist_caseband'), pg_total_relation_size('assist_casesignature')"
            )
            size = sum(cur.fetchone())
        else:
            cur.execute("PRAGMA page_count")
            pages = cur.fetchone()[0]
            cur.execute("PRAGMA page_size")
            size = pages * cur.fetchone()[0]
    pct = lambda xs, p: round(float(np.percentile(xs, p)), 2)  # noqa: E731
    return {
        "backend": backend,
        "cases": n,
        "band_rows": int(n * 16),
        "queries": len(all_sql),
        "positives_found": f"{p_found}/{len(positives)}",
        "negatives_with_a_hit": f"{n_found}/{len(negatives)}",
        "lookup_sql_ms_p50": pct(all_sql, 50),
        "lookup_sql_ms_p95": pct(all_sql, 95),
        "end_to_end_ms_p50": pct(all_e2e, 50),
        "end_to_end_ms_p95": pct(all_e2e, 95),
        "load_seconds": round(load_s, 1),
        "total_seconds": round(time.perf_counter() - t_start, 1),
        "db_bytes": int(size),
    }


def child(backend: str, rows: int, n_queries: int) -> None:
    print(json.dumps(run_backend(backend, rows, n_queries), ensure_ascii=False), flush=True)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rows", type=int, default=1_000_000)
    p.add_argument("--backends", default="sqlite,postgres")
    p.add_argument("--queries", type=int, default=400)
    p.add_argument("--child", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        child(args.child, args.rows, args.queries)
        return 0
    rc = 0
    for backend in args.backends.split(","):
        env = {**os.environ, "HUIYIN_DEBUG": "1", "DJANGO_SETTINGS_MODULE": "huiyin.settings"}
        tmp = None
        if backend == "postgres":
            _pg_admin(f"DROP DATABASE IF EXISTS {PG_DB}")
            _pg_admin(f"CREATE DATABASE {PG_DB}")
            env["DATABASE_URL"] = (
                PG_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgres://", 1) + "/" + PG_DB
            )
        else:
            tmp = Path(tempfile.mkdtemp(prefix="huiyin-assist-bench-"))
            env["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
            env["HUIYIN_VAR_DIR"] = str(tmp)
        try:
            done = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "bench.assist_db_bench",
                    "--child",
                    backend,
                    "--rows",
                    str(args.rows),
                    "--queries",
                    str(args.queries),
                ],
                env=env,
                check=False,
            )
            rc = rc or done.returncode
        finally:
            if backend == "postgres":
                _pg_admin(f"DROP DATABASE IF EXISTS {PG_DB}")
            elif tmp is not None:
                for f in tmp.glob("*"):
                    f.unlink()
                tmp.rmdir()
    return rc


if __name__ == "__main__":
    raise SystemExit(main())
