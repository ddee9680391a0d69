"""A long case list's export in the worker (issue 11 item 5, docs/excel.md): seconds and the Python
memory peak of `cases.exports.job_run` for lists of different lengths — the peak should stay flat.

    python -m bench.export_bench [--sizes 2000,20000]

Each size runs in its own process on a fresh SQLite file (migrated, the demo organisation, the cases by
bench.seed's bulk path); the job is the dispatcher's, over every case, with full identity (so each
batch also writes its IDENTITY_VIEW rows). The time is of an untraced run; the peak is tracemalloc's
during a second, traced run of job_run alone (the seeding is not counted). Prints one JSON line per size.
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


def child(n: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huiyin.settings")
    import django

    django.setup()
    import tracemalloc

    from django.core.management import call_command
    from django.db import transaction

    call_command("migrate", verbosity=0)
    from bench.seed import _bulk_cases
    from huiyin.cases import exports
    from huiyin.cases.models import Case, ExportJob
    from huiyin.core import timeutil
    from huiyin.core.models import AuditEntry
    from huiyin.demo.org import build_org, build_users

    with transaction.atomic():
        org = build_org(1)
        users = build_users(org)
        _bulk_cases(org, random.Random(1), n)
    ids = list(Case.objects.order_by("-registered_at", "-id").values_list("pk", flat=True))

    def new_job() -> ExportJob:
        return ExportJob.objects.create(
            user=users["dispatcher"],
            where="bench",
            filename="bench",
            full_identity=True,
            record_ids=ids,
            total_rows=len(ids),
            created_at=timeutil.now(),
        )

    job = new_job()  # timed without tracing
    started = time.monotonic()
    state = exports.job_run(job.pk)
    seconds = time.monotonic() - started
    job.refresh_from_db()
    job.file.delete(save=False)
    traced = new_job()  # the same again under tracemalloc, for the peak (slower)
    tracemalloc.start()
    exports.job_run(traced.pk)
    _now, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    traced.refresh_from_db()
    print(
        json.dumps(
            {
                "rows": n,
                "state": state,
                "written": job.done_rows,
                "seconds": round(seconds, 1),
                "rows_per_s": round(n / seconds),
                "python_peak_mb": round(peak / 2**20, 1),
                "file_mb": round(traced.file.size / 2**20, 2),
                "identity_views": AuditEntry.objects.filter(kind="identity_view").count(),
            }
        )
    )
    traced.file.delete(save=False)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="2000,20000")
    parser.add_argument("--child", type=int, default=0)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return 0
    status = 0
    for n in (int(s) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory() as tmp:
            env = dict(os.environ)
            env["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
            env["HUIYIN_VAR_DIR"] = tmp
            cmd = [sys.executable, "-m", "bench.export_bench", "--child", str(n)]
            status |= subprocess.run(cmd, env=env, check=False).returncode
    return status


if __name__ == "__main__":
    raise SystemExit(main())
