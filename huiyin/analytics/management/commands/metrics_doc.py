"""`manage.py metrics_doc`: write docs/metrics.md from the metric registry (`--check` only compares)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from huiyin.analytics.registry import all_metrics, render_markdown

DOC = Path(__file__).resolve().parents[4] / "docs" / "metrics.md"


class Command(BaseCommand):
    help = "Render docs/metrics.md from the registered metrics (--check: fail if the file differs)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--check", action="store_true", help="do not write; fail if the file is stale")
        parser.add_argument("--output", default=str(DOC), help="where to write (default docs/metrics.md)")

    def handle(self, *args: Any, check: bool, output: str, **options: Any) -> None:
        text = render_markdown(all_metrics())
        path = Path(output)
        if check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                raise CommandError(f"{path} 与指标定义不一致：请运行 manage.py metrics_doc")
            self.stdout.write("docs/metrics.md 与指标定义一致")
            return
        path.write_text(text, encoding="utf-8")
        self.stdout.write(f"已写入 {path}（{len(all_metrics())} 项指标）")
