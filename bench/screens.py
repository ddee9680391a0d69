"""p50/p95 of every staff screen, side by side: two targets (a database and a code tree each), run in
turn A B A B …, each round a fresh process; prints each screen's median p50/p95 over the rounds and
the median of the per-round ratios B/A, plus each process's peak RSS.

Requests go through Django's test client in the measuring process (no network, no server: the figure
is the view's own time, queries and template included), with DEBUG off as in production. A target is
`label=DATABASE_URL`, with --a-code/--b-code a code tree (default: this checkout) put first on
PYTHONPATH, so main's code can be measured against a branch's on the same database.

    python -m bench.screens --a 10k=postgres://postgres@127.0.0.1:5432/huiyin_bench10k \\
        --b 1m=postgres://postgres@127.0.0.1:5432/huiyin_bench1m --rounds 3 --requests 7

The databases come from `python -m bench.generate` (the demo county's staff sign in).
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
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def screens(codes: dict[str, str], people: dict[str, str]) -> list[tuple[str, str, str]]:
    """(name, user, path): every staff screen of issue 15, with the search shapes."""
    q = "/?queue="
    out = [
        ("workbench", "dispatcher", "/"),
        *[
            (f"queue {name}", "dispatcher", q + name)
            for name in ("to_route", "due_soon", "overdue", "supervised")
        ],
        *[
            (f"queue {name} (unit)", "handler", q + name)
            for name in ("my_unit", "due_soon", "overdue", "co_handling")
        ],
        ("queue to_accept (unit)", "handler", q + "to_accept"),
        ("queue extension_requests (head)", "head", q + "extension_requests"),
        ("case page", "dispatcher", f"/cases/{codes['recent']}/"),
        ("search code", "dispatcher", f"/search/?q={codes['recent']}"),
        ("search phone", "dispatcher", f"/search/?q={people['phone']}"),
        ("search id number", "dispatcher", f"/search/?q={people['id_number']}"),
        ("search name", "dispatcher", f"/search/?q={people['name']}"),
        ("search free text", "dispatcher", "/search/?q=%E7%89%A9%E4%B8%9A"),  # 物业: 4% of messages
        ("search free text rare", "dispatcher", "/search/?q=%E4%BE%9B%E6%9A%96"),  # 供暖: 0.1%
        ("search free text common", "dispatcher", "/search/?q=%E9%97%AE%E9%A2%98"),  # 问题: 26%
        ("search free text none", "dispatcher", "/search/?q=%E5%9B%9E%E9%9F%B3%E5%A3%81"),  # 回音壁: 0
        ("supervision", "supervisor", "/supervision/"),
        ("督办 record", "supervisor", "/supervision/record/"),
        ("case supervision", "supervisor", f"/cases/{codes['supervised']}/supervision/"),
        ("dashboard (leader)", "leader", "/analytics/"),
        ("dashboard cases drill-down", "leader", "/analytics/cases/"),
        ("public statistics (uncached)", "", "/public/statistics/"),
    ]
    return out


def child(requests: int, skip: list[str]) -> dict[str, object]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huiyin.settings")
    import django

    django.setup()
    from django.core.cache import cache
    from django.test import Client

    from huiyin.cases.models import Case, Petitioner
    from huiyin.org.models import User
    from huiyin.supervision.models import SupervisionOrder

    users = {
        "dispatcher": User.objects.get(username="dispatcher"),
        "supervisor": User.objects.get(username="supervisor"),
        "leader": User.objects.get(username="leader"),
        "handler": User.objects.filter(username__startswith="handler_").order_by("id").first(),
        "head": User.objects.filter(username__startswith="head_").order_by("id").first(),
    }
    # a case the county office's dispatcher may open (the office registered it), and its petitioner
    own = Case.objects.filter(office_id=users["dispatcher"].unit_id).order_by("-registered_at")
    recent = own.values_list("code", flat=True).first()
    supervised = (
        SupervisionOrder.objects.values_list("case__code", flat=True).order_by("-id").first() or recent
    )
    person = Petitioner.objects.filter(parties__case__code=recent).first()
    assert recent and person, "an empty database: run bench.generate first"
    codes = {"recent": recent, "supervised": supervised}
    people = {"phone": person.phone, "id_number": person.id_number, "name": person.name}
    clients: dict[str, Client] = {}
    for key, user in users.items():
        c = Client()
        c.force_login(user)
        clients[key] = c
    clients[""] = Client()
    out: dict[str, dict[str, float]] = {}
    for name, who, path in screens(codes, people):
        if any(word in name for word in skip):
            continue
        client = clients[who]
        times = []
        status = 0
        for i in range(requests + 1):  # the first is a warm-up
            if "uncached" in name:
                cache.clear()
            started = time.perf_counter()
            response = client.get(path)
            elapsed = time.perf_counter() - started
            status = response.status_code
            if i:
                times.append(elapsed * 1000)
        times.sort()
        out[name] = {
            "p50": statistics.median(times),
            "p95": times[min(len(times) - 1, round(0.95 * (len(times) - 1)))],
            "status": status,
        }
    return {"screens": out, "rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def run_target(target: str, code: str, requests: int, skip: list[str]) -> dict[str, object]:
    label, _, url = target.partition("=")
    env = dict(os.environ)
    env.update(
        DATABASE_URL=url,
        PYTHONPATH=os.pathsep.join([code or str(REPO), str(REPO)]),
        HUIYIN_DEBUG="0",
        HUIYIN_INSECURE_DEV_KEY="1",
        HUIYIN_LOGIN_THROTTLE="0",
        DJANGO_SETTINGS_MODULE="huiyin.settings",
        # DEBUG off serves hashed static names: collected once per target into its own var dir
        HUIYIN_VAR_DIR=f"/tmp/huiyin-bench-screens-{label}",
    )
    if not Path(env["HUIYIN_VAR_DIR"], "static", "staticfiles.json").is_file():
        subprocess.run(
            [sys.executable, "-m", "django", "collectstatic", "--noinput", "-v0"],
            env=env,
            cwd=code or REPO,
            check=True,
            timeout=600,
        )
    proc = subprocess.run(
        [
            sys.executable,
            str(Path(__file__).resolve()),
            "--child",
            "--requests",
            str(requests),
            *[f"--skip={word}" for word in skip],
        ],
        env=env,
        cwd=code or REPO,
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    if proc.returncode != 0:
        raise SystemExit(f"{label}: {proc.stderr[-2000:]}")
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["label"] = label
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--a")
    parser.add_argument("--b")
    parser.add_argument("--a-code", default="")
    parser.add_argument("--b-code", default="")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--requests", type=int, default=7)
    parser.add_argument(
        "--skip",
        action="append",
        default=[],
        help="leave out the screens whose name holds this word (repeatable), e.g. 'free text' and 'name' "
        "on a database generated without the pair index, or 'dashboard' without roll-ups",
    )
    parser.add_argument("--child", action="store_true")
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.requests, args.skip), ensure_ascii=False))
        return 0
    targets = [t for t in (args.a, args.b) if t]
    code = {args.a: args.a_code, args.b: args.b_code}
    runs: dict[str, list[dict[str, object]]] = {t: [] for t in targets}
    for _ in range(args.rounds):
        for t in targets:  # A B A B …
            runs[t].append(run_target(t, code[t], args.requests, args.skip))
    labels = [t.partition("=")[0] for t in targets]
    head = f"{'screen':34}" + "".join(f"{lab + ' p50':>12}{lab + ' p95':>12}" for lab in labels)
    if len(targets) == 2:
        head += f"{'p50 ' + labels[1] + '/' + labels[0]:>14}"
    print(f"# {args.rounds} rounds × {args.requests} requests per screen, Django test client, DEBUG off (ms)")
    if args.skip:
        print(f"# left out: the screens named with {', '.join(repr(w) for w in args.skip)}")
    print(head)
    first = runs[targets[0]][0]["screens"]
    assert isinstance(first, dict)
    for name in first:
        row = f"{name:34}"
        p50s = []
        for t in targets:
            per = [r["screens"][name] for r in runs[t]]  # type: ignore[index]
            p50 = statistics.median(p["p50"] for p in per)
            p95 = statistics.median(p["p95"] for p in per)
            p50s.append([p["p50"] for p in per])
            flag = "" if all(p["status"] == 200 for p in per) else f"[{per[0]['status']}]"
            row += f"{p50:>12.1f}{p95:>11.1f}{flag or ' '}"
        if len(targets) == 2:
            ratios = [b / a for a, b in zip(p50s[0], p50s[1], strict=True) if a]
            row += f"{statistics.median(ratios):>13.2f}×"
        print(row)
    for t, label in zip(targets, labels, strict=True):
        rss = statistics.median(float(r["rss_mib"]) for r in runs[t])  # type: ignore[arg-type]
        print(f"peak RSS {label}: {rss:.0f} MiB (median of {args.rounds} processes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
