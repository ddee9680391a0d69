"""Demo season of the import (Module.demo): one finished batch of 50 historical cases from two years
ago, written through the import itself (the template's columns, validation and bulk writer), so the
import screen shows a real batch and its cases. Deterministic with the demo's seed."""

from __future__ import annotations

import io
import random
from datetime import date, timedelta
from typing import Any

from huiyin.imports import services
from huiyin.imports.template import COLUMNS, SHEET

MATTERS = [
    ("安置小区屋顶漏水", "安置小区顶层住户屋顶漏水，多次报修未修复。", "请尽快维修屋顶"),
    ("拖欠农民工工资", "在工地务工半年，工资至今未结清。", "请督促支付工资"),
    ("低保资格复核", "家中老人患病，低保被取消。", "请重新核定低保资格"),
    ("村道积水", "村口道路下雨积水严重，学生上学不便。", "请修缮排水"),
    ("噪音扰民", "夜间施工噪音大，影响休息。", "请依法查处"),
]
NAMES = ["王秀英", "李建国", "张桂兰", "刘德明", "陈玉梅", "杨志强", "赵淑芬", "黄国平"]
CHANNELS = ["来信", "来访", "来电", "网上信访"]


def workbook(rows: list[dict[str, str]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    ws = book.create_sheet(SHEET)
    ws.append([c.header for c in COLUMNS])
    for r in rows:
        ws.append([r.get(c.key, "") for c in COLUMNS])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def build(org: Any, rng: random.Random, today: date) -> dict[str, int]:
    importer = org.users["dispatcher"]
    units = list(org.departments.values())
    rows = []
    for n in range(50):
        title, content, request = rng.choice(MATTERS)
        registered = today - timedelta(days=730 - 7 * n)
        closed = n < 45
        rows.append(
            {
                "source_key": f"JXF-{registered:%Y}-{n + 1:04d}",
                "registered_at": f"{registered:%Y-%m-%d} 09:{rng.randint(0, 59):02d}",
                "channel": rng.choice(CHANNELS[:3]),
                "petition_type": "申诉求决",
                "title": title,
                "content": content,
                "request": request,
                "territory": rng.choice(org.townships).territory.code,
                "handling_unit": rng.choice(units).code,
                "petitioner_name": rng.choice(NAMES),
                "petitioner_phone": f"139{rng.randint(10_000_000, 99_999_999)}",
                "closed_on": f"{registered + timedelta(days=rng.randint(20, 80)):%Y-%m-%d}" if closed else "",
                "outcome": "已协调有关部门办理并答复信访人。" if closed else "",
                "rating": rng.choice(["满意", "基本满意", "满意", "不满意"]) if closed else "",
            }
        )
    batch = services.batch_create(
        content=workbook(rows), file_name="原信访系统台账（示例）.xlsx", actor=importer
    )
    services.batch_run(batch.pk)
    batch.refresh_from_db()
    return {"import_batches": 1, "imported_cases": batch.imported_rows}
