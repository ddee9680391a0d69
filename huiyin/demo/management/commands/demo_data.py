"""`python manage.py demo_data [--cases 400] [--seed 1] [--reset | --if-empty]`: the demo county.

Cases go through the workflow services on past dates (never a status set by hand), then the clock
sweeper runs, so the queues show realistic yellow and red clocks. The same seed gives the same demo.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from huiyin.cases.choices import Status
from huiyin.cases.models import Case
from huiyin.demo.builder import account_rows, build_demo, has_data, reset_data
from huiyin.workflow.choices import ClockState
from huiyin.workflow.models import Clock


class Command(BaseCommand):
    help = "Load the demo county (示范县): organs, an account for every role and several hundred cases."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--cases", type=int, default=400, help="how many cases (default 400)")
        parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
        group = parser.add_mutually_exclusive_group()
        group.add_argument(
            "--reset", action="store_true", help="delete existing cases, units and accounts first"
        )
        group.add_argument(
            "--if-empty", action="store_true", help="do nothing (but list the accounts) if data exists"
        )
        parser.add_argument("--accounts", action="store_true", help="only list the demo accounts")

    def handle(
        self, *args: Any, cases: int, seed: int, reset: bool, if_empty: bool, accounts: bool, **options: Any
    ) -> None:
        if accounts:
            self._print_accounts()
            return
        if cases < 0:
            raise CommandError("--cases 不能为负数")
        if has_data():
            if if_empty:
                self.stdout.write("数据库中已有数据，跳过演示数据加载。")
                self._print_accounts()
                return
            if not reset:
                raise CommandError(
                    "数据库中已有单位或信访事项。要重建演示数据请加 --reset（会删除现有事项、单位和账号）。"
                )
            tables = reset_data()
            self.stdout.write(f"已清空 {len(tables)} 张表。")
        report = build_demo(cases=cases, seed=seed)
        self._print_accounts()
        statuses = Counter(Case.objects.values_list("status", flat=True))
        clocks = Counter(Clock.objects.values_list("state", flat=True))
        self.stdout.write("")
        self.stdout.write(
            "事项状态：" + "，".join(f"{Status(s).label} {n}" for s, n in sorted(statuses.items()))
        )
        self.stdout.write(
            "时限状态：" + "，".join(f"{ClockState(s).label} {n}" for s, n in sorted(clocks.items()))
        )
        if report.outcome.failures:
            self.stderr.write(f"{len(report.outcome.failures)} 件演示事项未能走完流程（已保留其当前状态）：")
            for line in report.outcome.failures[:10]:
                self.stderr.write(f"  {line}")
        self.stdout.write(
            self.style.SUCCESS(
                f"演示数据已加载：{sum(report.outcome.stories.values())} 件事项，用时 {report.seconds:.1f} 秒（种子 {seed}）。"
            )
        )

    def _print_accounts(self) -> None:
        rows = account_rows()
        if not rows:
            self.stdout.write("（没有账号）")
            return
        widths = [max(_width(r[i]) for r in [("用户名", "岗位", "单位", "密码"), *rows]) for i in range(4)]
        header = ("用户名", "岗位", "单位", "密码")
        self.stdout.write("演示账号（密码均为 demo-<用户名>）：")
        for row in [header, *rows]:
            self.stdout.write("  ".join(_pad(cell, widths[i]) for i, cell in enumerate(row)))


def _width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))
