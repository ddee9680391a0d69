"""Two (or more) workers sweeping one database at the same moment, committed: no clock escalated twice,
no 督办 candidate added twice, and together exactly the work one sweeper does alone (issue 15, Build 4;
docs/deploy.md "Several background workers").

It WRITES to the database (the flips, their events and the candidates commit), so point it at a copy:

    createdb -h 127.0.0.1 -U postgres -T huiyin_1m huiyin_1m_sweep
    python -m bench.sweep_pair --db postgres://postgres@127.0.0.1:5432/huiyin_1m_sweep \\
        --workers 2 --days 3 --commit

For each day from tomorrow on (so each round has the clocks that cross a threshold overnight):
  1. the reference: one process sweeps clocks and then 督办 (the worker's order) inside a transaction
     that is rolled back, and counts what it would do;
  2. `--workers` processes start at the same instant (a shared start time) and do the same, committed;
  3. the checks, in this process: the flip events written in step 2 hold no (case, clock, colour) twice,
     their number equals the sum of the workers' flips and the reference's flips, and the new candidates
     equal the reference's count (each worker counts the candidates it tried to add; two may try the
     same one, and the unique (case, reason) keeps one row).
Then, with `--worker-rss SECONDS`, one real `huiyin worker` (the django-tasks loop plus its one-minute
schedule, `--sweep-every 5`) runs that long on the database and its peak RSS is read from
/proc/<pid>/status (VmHWM). Prints one table and exits 1 if a check fails.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

from bench.sweep import _server_cpu as _process_cpu  # utime + stime from /proc/<pid>/stat

REPO = Path(__file__).resolve().parent.parent
FLIP_EVENTS = ("clock_yellow", "clock_red", "clock_expired")


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huiyin.settings")
    import django

    django.setup()


def child(today: date, start_at: float, commit: bool) -> dict[str, object]:
    """One sweeper: the clock sweep then the 督办 sweep of `today`, from `start_at` (a Unix time)."""
    _setup()
    from django.db import connection, transaction

    from huiyin.supervision.services import sweep_supervision
    from huiyin.workflow.clocks import sweep_clocks

    connection.ensure_connection()
    from django.urls import reverse

    reverse("search")  # a running worker has its URLs loaded (the notices link to cases): not timed
    while time.time() < start_at:
        time.sleep(0.001)
    c0, w0 = time.process_time(), time.perf_counter()
    if commit:  # as the worker runs them: each flip its own transaction (a compare-and-swap)
        clocks = sweep_clocks(today=today)
        supervision = sweep_supervision(today=today, incremental=True)
    else:
        with transaction.atomic():
            clocks = sweep_clocks(today=today)
            supervision = sweep_supervision(today=today, incremental=True)
            transaction.set_rollback(True)
    return {
        "flips": sum(clocks.values()),
        "candidates": sum(v for k, v in supervision.items() if k.startswith("candidate_")),
        "cpu": time.process_time() - c0,
        "wall": time.perf_counter() - w0,
        "rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def _env(db: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(DATABASE_URL=db, PYTHONPATH=str(REPO), HUIYIN_DEBUG="0", HUIYIN_INSECURE_DEV_KEY="1")
    return env


def _spawn(db: str, today: date, start_at: float, commit: bool) -> subprocess.Popen[str]:
    argv = [sys.executable, "-m", "bench.sweep_pair", "--child", "--today", today.isoformat()]
    argv += ["--start-at", str(start_at)] + (["--commit"] if commit else [])
    return subprocess.Popen(
        argv, env=_env(db), cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def _collect(proc: subprocess.Popen[str]) -> dict[str, object]:
    out, err = proc.communicate(timeout=3600)
    if proc.returncode != 0:
        raise SystemExit(err[-3000:])
    result: dict[str, object] = json.loads(out.strip().splitlines()[-1])
    return result


def _marks() -> tuple[int, int]:
    from django.db.models import Max

    from huiyin.cases.models import CaseEvent
    from huiyin.supervision.models import SupervisionCandidate

    return (
        CaseEvent.objects.aggregate(m=Max("id"))["m"] or 0,
        SupervisionCandidate.objects.aggregate(m=Max("id"))["m"] or 0,
    )


def check(event_mark: int, candidate_mark: int) -> dict[str, int]:
    """What the committed workers wrote after the marks: flip events, of them repeated, candidates."""
    from django.db.models import Count
    from django.db.models.fields.json import KeyTextTransform

    from huiyin.cases.models import CaseEvent
    from huiyin.supervision.models import SupervisionCandidate

    flips = CaseEvent.objects.filter(id__gt=event_mark, event_type__in=FLIP_EVENTS)
    repeated = (
        flips.annotate(clock=KeyTextTransform("clock", "data"))
        .values("case_id", "clock", "event_type")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    return {
        "flip_events": flips.count(),
        "repeated": repeated,
        "candidates": SupervisionCandidate.objects.filter(id__gt=candidate_mark).count(),
    }


def worker_rss(db: str, seconds: float) -> dict[str, float]:
    """Run one real `huiyin worker` for `seconds`; its peak RSS (VmHWM) and CPU seconds."""
    argv = [sys.executable, "manage.py", "run_worker", "--sweep-every", "5", "-v", "0"]
    proc = subprocess.Popen(argv, env=_env(db), cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    status = Path(f"/proc/{proc.pid}/status")
    peak, cpu = 0.0, 0.0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and proc.poll() is None:
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                peak = int(line.split()[1]) / 1024
        cpu = _process_cpu(proc.pid)
        time.sleep(0.5)
    if proc.poll() is not None:
        raise SystemExit(f"the worker stopped: {proc.stderr.read()[-2000:] if proc.stderr else ''}")
    proc.terminate()
    proc.wait(timeout=30)
    return {"peak_rss_mib": peak, "cpu": cpu, "seconds": seconds}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--days", type=int, default=1, help="rounds, one a day from tomorrow")
    parser.add_argument("--worker-rss", type=float, default=0.0, help="seconds of one real worker (0: skip)")
    parser.add_argument("--commit", action="store_true", help="required: the run writes to the database")
    parser.add_argument("--child", action="store_true")
    parser.add_argument("--today", default="")
    parser.add_argument("--start-at", type=float, default=0.0)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(date.fromisoformat(args.today), args.start_at, args.commit)))
        return 0
    if not args.commit:
        parser.error("this benchmark commits its sweeps: run it on a copy of the database, with --commit")
    os.environ["DATABASE_URL"] = args.db
    os.environ.setdefault("HUIYIN_INSECURE_DEV_KEY", "1")
    _setup()
    from django.db import connection

    from huiyin.core import timeutil

    failed = False
    print(f"# {args.workers} sweepers at once, database {args.db.rsplit('/', 1)[-1]}")
    print(f"{'day':12}{'who':>10}{'flips':>8}{'cands':>8}{'cpu s':>8}{'wall s':>8}{'rss MiB':>9}")
    for offset in range(1, args.days + 1):
        today = timeutil.today() + timedelta(days=offset)
        reference = _collect(_spawn(args.db, today, 0.0, commit=False))
        event_mark, candidate_mark = _marks()
        connection.close()
        start_at = time.time() + 2.0  # every process connected and waiting by then
        procs = [_spawn(args.db, today, start_at, commit=True) for _ in range(args.workers)]
        results = [_collect(p) for p in procs]
        got = check(event_mark, candidate_mark)
        rows = [("alone", reference)] + [(f"worker {i + 1}", r) for i, r in enumerate(results)]
        for who, r in rows:
            print(
                f"{today.isoformat():12}{who:>10}{r['flips']:>8}{r['candidates']:>8}"
                f"{float(r['cpu']):>8.2f}{float(r['wall']):>8.2f}{float(r['rss_mib']):>9.0f}"
            )
        flips = sum(int(r["flips"]) for r in results)  # type: ignore[call-overload]
        ok = (
            got["repeated"] == 0
            and got["flip_events"] == flips == reference["flips"]
            and got["candidates"] == reference["candidates"]
        )
        failed |= not ok
        print(
            f"{today.isoformat():12}{'check':>10}  flip events {got['flip_events']} (workers {flips}, alone "
            f"{reference['flips']}), repeated {got['repeated']}, candidates {got['candidates']} (alone "
            f"{reference['candidates']}): {'ok' if ok else 'FAILED'}"
        )
    if args.worker_rss > 0:
        rss = worker_rss(args.db, args.worker_rss)
        print(
            f"huiyin worker for {rss['seconds']:.0f} s: peak RSS {rss['peak_rss_mib']:.0f} MiB, cpu {rss['cpu']:.1f} s"
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
