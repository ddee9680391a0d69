"""The one streaming .xlsx list export (issue 11 item 5): the download starts at once, the rows come
through in order, and the caller's audit callback runs once the rows are written."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

from openpyxl import load_workbook

from huiyin.core.xlsx import (
    BOLD,
    TITLE,
    Column,
    PlainSheet,
    batched,
    mask_name,
    mask_number,
    plain_workbook_bytes,
    workbook_bytes,
    xlsx_bytes_response,
    xlsx_chunks,
    xlsx_response,
)

COLUMNS = (Column("a", "甲", 8), Column("b", "乙", 30))


def test_the_first_chunk_is_empty_so_the_headers_and_the_download_start_before_any_row_is_read():
    read = []

    def rows():
        for i in range(3):
            read.append(i)
            yield {"a": i, "b": f"第{i}行"}

    chunks = xlsx_chunks(sheet="清单", columns=COLUMNS, rows=rows())
    assert next(chunks) == b"" and read == []
    body = b"".join(chunks)
    ws = load_workbook(io.BytesIO(body)).active
    assert ws.title == "清单"
    assert [list(r) for r in ws.iter_rows(values_only=True)] == [
        ["甲", "乙"],
        [0, "第0行"],
        [1, "第1行"],
        [2, "第2行"],
    ]
    assert ws.column_dimensions["B"].width == 30


def test_a_response_streams_heading_lines_then_the_header_and_calls_back_with_the_count():
    counted = []
    response = xlsx_response(
        filename="名单",
        sheet="名单",
        columns=COLUMNS,
        rows=([n, date(2025, 1, n)] for n in range(1, 6)),
        heading=["标题行"],
        on_done=counted.append,
    )
    assert response.streaming and response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"] and response["Cache-Control"] == "no-store"
    assert counted == []  # nothing is read before the body is
    ws = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    values = [list(r) for r in ws.iter_rows(values_only=True)]
    assert values[0][0] == "标题行" and values[1] == ["甲", "乙"] and len(values) == 7
    assert values[2][1].date() == date(2025, 1, 1)
    assert counted == [5]


def test_masking_keeps_only_what_the_case_page_shows_and_batches_cover_every_item():
    assert mask_name("刘群众") == "刘**" and mask_name("") == ""
    assert mask_number("13800001234") == "138****1234"
    assert [len(b) for b in batched(range(2500), 1000)] == [1000, 1000, 500]


def test_a_small_workbook_in_memory_downloads_under_its_whole_name_uncached():
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["通报", 3])
    response = xlsx_bytes_response(workbook_bytes(book), "关于11月份的通报.xlsx")
    assert not response.streaming and response["Cache-Control"] == "no-store"
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert (
        response["Content-Disposition"].startswith("attachment")
        and ".xlsx" in response["Content-Disposition"]
    )
    assert "%E9%80%9A%E6%8A%A5" in response["Content-Disposition"]  # 通报, percent-encoded (RFC 5987)
    assert [list(r) for r in load_workbook(io.BytesIO(response.content)).active.values] == [["通报", 3]]


def test_a_plain_workbook_reads_back_value_for_value_with_its_styles():
    # written without openpyxl (the 通报's long lists): openpyxl must read back every value, typed
    rows = [
        ["标题"],
        ['a<b & "c"', 3, 2.5, Decimal("1.25"), True, None, date(2025, 11, 30), " 前后空格 "],
        ["控制\x01字符", "", "x"],
        [],
        ["last", *range(30)],  # past column Z
    ]
    book = load_workbook(
        io.BytesIO(plain_workbook_bytes([PlainSheet("一", rows, {1: TITLE, 2: BOLD}), PlainSheet("二", [])]))
    )
    assert book.sheetnames == ["一", "二"]
    ws = book["一"]
    got = [list(r) for r in ws.iter_rows(values_only=True)]
    width = 31
    assert got[0] == ["标题", *[None] * (width - 1)]
    assert got[1] == [
        'a<b & "c"',
        3,
        2.5,
        1.25,
        True,
        None,
        "2025-11-30",
        " 前后空格 ",
        *[None] * (width - 8),
    ]
    assert (
        got[2][:3] == ["控制字符", None, "x"] and got[3] == [None] * width and got[4] == ["last", *range(30)]
    )
    assert ws["A1"].font.b and ws["A1"].font.sz == 14 and ws["B2"].font.b and ws["B2"].font.sz == 11
    assert not ws["A3"].font.b
    assert list(book["二"].iter_rows(values_only=True)) == []
