"""Prepare a benchmark database: the demo organisation, N existing cases (bulk path), a bearer token,
and a file of intake payloads built from the real messages. Run by bench.intake in a subprocess with
the database chosen by DATABASE_URL; prints one JSON line with what the load generator needs.

    python -m bench.seed --existing 10000 --payloads 600 --out /tmp/payloads.json
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from datetime import timedelta


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--existing", type=int, default=10_000)
    parser.add_argument("--payloads", type=int, default=600)
    parser.add_argument("--out", required=True)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huiyin.settings")
    import django

    django.setup()
    from django.db import transaction

    from huiyin.core.management.dbstats import refresh_planner_statistics
    from huiyin.demo.builder import has_data
    from huiyin.demo.org import build_org, build_users, demo_password
    from huiyin.org.services import token_issue

    if has_data():
        print("bench.seed: the database is not empty", file=sys.stderr)
        return 2
    started = time.monotonic()
    rng = random.Random(args.seed)
    with transaction.atomic():
        org = build_org(args.seed)
        users = build_users(org)
        _bulk_cases(org, rng, args.existing)
        _, token = token_issue(user=users["dispatcher"], name="bench")
    # A live SQLite deployment has statistics: the worker runs ANALYZE hourly (core/management/dbstats.py).
    refresh_planner_statistics()
    payloads = _payloads(rng, args.payloads, org)
    with open(args.out, "w", encoding="utf-8") as fh:
        json.dump(payloads, fh, ensure_ascii=False)
    print(
        json.dumps(
            {
                "token": token,
                "username": "dispatcher",
                "password": demo_password("dispatcher"),
                "seconds": round(time.monotonic() - started, 1),
            }
        )
    )
    return 0


def _bulk_cases(org, rng: random.Random, count: int) -> None:  # type: ignore[no-untyped-def]
    """Insert `count` cases with a petitioner, a registration event and a live clock each, in bulk.

    This is the fast path for the *existing* load only; the measured intake goes through the API.
    """
    from django.utils import timezone

    from huiyin.cases.choices import Channel, PetitionType, Status
    from huiyin.cases.models import Case, CaseEvent, CasePetitioner, Category, Petitioner
    from huiyin.demo.people import citizen_number, mobile, person_name
    from huiyin.workflow.choices import ClockKind, ClockState
    from huiyin.workflow.models import Clock

    categories = list(Category.objects.filter(level=1))
    statuses = [
        (Status.REGISTERED, 8),
        (Status.ACCEPTED, 5),
        (Status.IN_HANDLING, 25),
        (Status.REPLIED, 8),
        (Status.CLOSED, 45),
        (Status.UNDER_REVIEW, 4),
        (Status.FINAL, 5),
    ]
    handling_units = list(org.departments.values())
    now = timezone.now()
    batch = 2000
    for start in range(0, count, batch):
        size = min(batch, count - start)
        cases = []
        for i in range(start, start + size):
            status = rng.choices([s for s, _ in statuses], [w for _, w in statuses])[0]
            registered = now - timedelta(days=rng.randint(0, 730), minutes=rng.randint(0, 1440))
            township = rng.choice(org.townships)
            cases.append(
                Case(
                    code=f"HY{timezone.localtime(registered):%y%m%d}B{i:05d}",
                    status=status,
                    channel=rng.choice(list(Channel)),
                    petition_type=PetitionType.COMPLAINT,
                    category=rng.choice(categories),
                    title=f"历史事项 {i}：{township.territory.name}群众反映问题",
                    content="（基准测试用的历史事项）" * 5,
                    territory=township.territory,
                    office=org.county_office,
                    handling_unit=None
                    if status in (Status.REGISTERED, Status.ACCEPTED)
                    else rng.choice(handling_units),
                    registered_by=org.users["clerk"],
                    registered_at=registered,
                )
            )
        Case.objects.bulk_create(cases)
        people = Petitioner.objects.bulk_create(
            [
                Petitioner(name=person_name(rng), id_number=citizen_number(rng), phone=mobile(rng))
                for _ in cases
            ]
        )
        CasePetitioner.objects.bulk_create(
            [CasePetitioner(case=c, petitioner=p) for c, p in zip(cases, people, strict=True)]
        )
        CaseEvent.objects.bulk_create(
            [
                CaseEvent(
                    case=c, event_type="register", to_status=Status.REGISTERED, created_at=c.registered_at
                )
                for c in cases
            ]
        )
        clocks = []
        for c in cases:
            if c.status in (Status.CLOSED, Status.FINAL, Status.REPLIED):
                continue
            started = c.registered_at.date()
            due = started + timedelta(days=60)
            state = ClockState.RED if due < now.date() else ClockState.RUNNING
            clocks.append(
                Clock(
                    case=c,
                    kind=ClockKind.HANDLING,
                    unit=c.handling_unit or c.office,
                    rule_days=60,
                    rule_unit="calendar_day",
                    trigger="accept",
                    started_on=started,
                    due_on=due,
                    warn_on=started + timedelta(days=40),
                    state=state,
                )
            )
        Clock.objects.bulk_create(clocks)


def _payloads(rng: random.Random, count: int, org) -> list[dict[str, object]]:  # type: ignore[no-untyped-def]
    from huiyin.demo.messages import load_messages
    from huiyin.demo.people import citizen_number, mobile, person_name

    labelled, _ = load_messages()
    rng.shuffle(labelled)
    out = []
    for i in range(count):
        message = labelled[i % len(labelled)]
        township = rng.choice(org.townships)
        out.append(
            {
                "channel": "api",
                "petition_type": "complaint",
                "title": message.title,
                "content": message.text,
                "request": "请求依法处理并答复",
                "territory_id": township.territory.pk,
                "address": f"示范县{township.territory.name}",
                "petitioners": [
                    {
                        "name": person_name(rng),
                        "id_number": citizen_number(rng),
                        "phone": mobile(rng),
                        "address": f"示范县{township.territory.name}",
                    }
                ],
            }
        )
    return out


if __name__ == "__main__":
    sys.exit(main())
