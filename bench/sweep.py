"""The clock sweeper's cost per run, side by side: two code trees (e.g. main's full re-derivation and
this branch's incremental sweep) on the same database, in turn A B A B …, each run a fresh process.

Each run, inside one transaction that is rolled back at the end (so every run sees the same clocks):
  1. the day's first sweep, with `today` = the given day (default: tomorrow, so the clocks crossing a
     threshold overnight are flipped, as at 00:01);
  2. the next minute's sweep, the same day: nothing new crosses, the cost every other minute pays;
  3. the 督办 sweep the worker queues right after it: the day's first (a full pass over every case);
  4. the 督办 sweep of the next minute (incremental: only the cases with new events; a code tree
     from before the incremental sweep makes a full pass every minute).
For each it prints the CPU seconds of the sweeping process and of its PostgreSQL backend (from
/proc/<pid>/stat, the server on the same machine), the wall time and the flips; then the process's
peak RSS, medians over the runs and the per-pair ratio B/A.

    python -m bench.sweep --db postgres://postgres@127.0.0.1:5432/huiyin_bench1m \\
        --a-code /work/main --b-code . --runs 3
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TICK = os.sysconf("SC_CLK_TCK")


def _server_cpu(pid: int | None) -> float:
    if pid is None:
        return 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / TICK  # utime, stime


def child(day: date | None) -> dict[str, object]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huiyin.settings")
    import django

    django.setup()
    from django.db import connection, transaction

    from huiyin.core import timeutil
    from huiyin.supervision.services import sweep_supervision
    from huiyin.workflow.clocks import sweep_clocks

    today = day or timeutil.today() + timedelta(days=1)
    pid = None
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
    out: dict[str, object] = {"today": today.isoformat()}
    with transaction.atomic():
        for name in ("first", "next", "supervision", "supervision_next"):
            c0, s0, w0 = time.process_time(), _server_cpu(pid), time.perf_counter()
            if name.startswith("supervision"):
                try:  # the worker's call: the day's first run full, the next minutes incremental
                    counts = sweep_supervision(today=today, incremental=True)
                except TypeError:  # a code tree from before the incremental sweep: always full
                    counts = sweep_supervision(today=today)
            else:
                counts = sweep_clocks(today=today)
            out[name] = {
                "cpu": time.process_time() - c0,
                "server_cpu": _server_cpu(pid) - s0,
                "wall": time.perf_counter() - w0,
                "flips": sum(counts.values()),
            }
        transaction.set_rollback(True)
    out["rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def run(code: str, db: str, day: str) -> dict[str, object]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=db,
        PYTHONPATH=os.pathsep.join([code or str(REPO), str(REPO)]),
        HUIYIN_DEBUG="0",
        HUIYIN_INSECURE_DEV_KEY="1",
    )
    argv = [sys.executable, str(Path(__file__).resolve()), "--child"] + (["--today", day] if day else [])
    proc = subprocess.run(
        argv, env=env, cwd=code or REPO, capture_output=True, text=True, timeout=3600, check=False
    )
    if proc.returncode != 0:
        raise SystemExit(proc.stderr[-3000:])
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--a-code", default="", help="code tree A (default: this checkout)")
    parser.add_argument("--b-code", default="", help="code tree B (omit to measure A alone)")
    parser.add_argument("--a-label", default="A")
    parser.add_argument("--b-label", default="B")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--today", default="")
    parser.add_argument("--child", action="store_true")
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(date.fromisoformat(args.today) if args.today else None)))
        return 0
    sides = [(args.a_label, args.a_code)] + ([(args.b_label, args.b_code)] if args.b_code else [])
    results: dict[str, list[dict]] = {label: [] for label, _ in sides}  # type: ignore[type-arg]
    for _ in range(args.runs):
        for label, code in sides:  # A B A B …
            results[label].append(run(code, args.db, args.today))
    print(f"# clock sweep, {args.runs} runs each, database {args.db.rsplit('/', 1)[-1]}, seconds (median)")
    print(
        f"{'sweep':17}{'side':>6}{'client cpu':>12}{'server cpu':>12}{'wall':>10}{'flips':>8}  (supervision: rows found)"
    )
    for name in ("first", "next", "supervision", "supervision_next"):
        for label, _ in sides:
            rows = [r[name] for r in results[label]]
            med = {
                k: statistics.median(float(r[k]) for r in rows)
                for k in ("cpu", "server_cpu", "wall", "flips")
            }
            print(
                f"{name:17}{label:>6}{med['cpu']:>12.3f}{med['server_cpu']:>12.3f}{med['wall']:>10.3f}{med['flips']:>8.0f}"
            )
        if len(sides) == 2:
            a, b = (results[label] for label, _ in sides)
            ratio = [
                (y[name]["cpu"] + y[name]["server_cpu"]) / max(1e-9, x[name]["cpu"] + x[name]["server_cpu"])
                for x, y in zip(a, b, strict=True)
            ]
            print(f"{name:17}{'B/A':>6}  total cpu ratio per pair: {' '.join(f'{r:.3f}' for r in ratio)}")
    for label, _ in sides:
        rss = statistics.median(float(r["rss_mib"]) for r in results[label])
        print(f"peak RSS {label}: {rss:.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
