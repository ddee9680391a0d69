"""The import's reader (calamine) and the writer's fast paths: what an office's own workbook may look
like (blank rows, numbers and dates typed as such, a first column left blank), the same parse of the
template's dates as the strptime formats, and bulk receipt codes in the registration's form."""

from __future__ import annotations

import io
import re
from datetime import date, datetime, time

import pytest
from django.utils import timezone
from openpyxl import Workbook

from huiyin.cases.services import new_case_codes, seeded_case_codes
from huiyin.imports import services
from huiyin.imports.template import HEADERS, SHEET


def _book(rows: list[list[object]], *, sheets_before: int = 0) -> bytes:
    wb = Workbook()
    first = wb.active
    for i in range(sheets_before):
        wb.create_sheet(f"说明{i}", 0)
    first.title = SHEET
    first.append(list(HEADERS))
    for r in rows:
        first.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _cells(**values: object) -> list[object]:
    keys = [c.key for c in services.COLUMNS]
    return [values.get(k) for k in keys]


def test_blank_rows_are_skipped_and_row_numbers_stay_the_sheets_own():
    content = _book(
        [_cells(source_key="A1", title="一"), [], [None, None], _cells(source_key="A4", title="四")]
    )
    index, rows = services.read_rows(content)
    assert [number for number, _ in rows] == [2, 5]
    assert rows[1][1][index["title"]] == "四"


def test_a_first_column_left_blank_does_not_shift_the_columns():
    content = _book([_cells(title="标题甲", content="内容")])
    index, rows = services.read_rows(content)
    ((_, cells),) = rows
    assert cells[index["source_key"]] in ("", None) and cells[index["title"]] == "标题甲"


def test_a_sheet_whose_first_row_is_blank_is_refused_not_read_one_row_off():
    # calamine's default trims an empty leading area: the header would be taken from row 2 and every
    # error reported one row above the office's own row number
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    ws.append([])
    ws.append(list(HEADERS))
    ws.append(_cells(source_key="A1", title="一"))
    ws["A1"] = None
    out = io.BytesIO()
    wb.save(out)
    with pytest.raises(services.ImportRefused, match="第1行缺少必填列"):
        services.read_rows(out.getvalue())


def test_the_template_sheet_is_found_by_name_wherever_it_is():
    content = _book([_cells(source_key="K1", title="甲")], sheets_before=2)
    index, rows = services.read_rows(content)
    assert rows[0][1][index["source_key"]] == "K1"


def test_numbers_and_dates_typed_as_such_read_as_the_text_an_office_meant():
    content = _book(
        [
            _cells(
                source_key=123,
                petitioner_phone=13800001234,
                registered_at=datetime(2025, 3, 3, 9, 30),
                closed_on=date(2025, 4, 30),
            )
        ]
    )
    index, rows = services.read_rows(content)
    cells = rows[0][1]
    assert services._text(cells[index["source_key"]]) == "123"
    assert services._text(cells[index["petitioner_phone"]]) == "13800001234"
    assert services._moment(cells[index["registered_at"]]) == datetime(2025, 3, 3, 9, 30)
    assert services._moment(cells[index["closed_on"]]).date() == date(2025, 4, 30)


def test_a_workbook_without_the_required_columns_is_refused_by_name():
    wb = Workbook()
    wb.active.append(["编号", "备注"])
    out = io.BytesIO()
    wb.save(out)
    with pytest.raises(services.ImportRefused, match="第1行缺少必填列"):
        services.read_rows(out.getvalue())


@pytest.mark.parametrize("content", [b"", b"not a workbook", b"PK\x03\x04broken zip"])
def test_what_is_not_a_workbook_is_refused(content):
    with pytest.raises(services.ImportRefused):
        services.read_rows(content)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2025-03-03 09:30", datetime(2025, 3, 3, 9, 30)),
        ("2025-03-03", datetime(2025, 3, 3, 9, 0)),  # a day alone: 09:00, as before
        ("2025-03-03 09:30:15", datetime(2025, 3, 3, 9, 30, 15)),
        ("2025/03/03", datetime(2025, 3, 3, 9, 0)),
        ("2025.03.03", datetime(2025, 3, 3, 9, 0)),
        ("2025-3-3", datetime(2025, 3, 3, 9, 0)),  # strptime takes one digit; the fast path leaves it
        ("2025-02-29", None),  # not a leap year
        ("2025-13-40 09:30", None),
        ("2025-03-03T09:30", None),  # not one of the template's forms
        ("2025-03-03 09:30+08", None),
        ("20250303", None),
    ],
)
def test_the_fast_date_parse_accepts_exactly_the_templates_forms(text, expected):
    assert services._moment(text) == expected
    slow = None
    for fmt in services._FORMATS:
        try:
            parsed = datetime.strptime(text, fmt)
        except ValueError:
            continue
        slow = parsed if "%H" in fmt else parsed.replace(hour=9)
        break
    assert services._moment(text) == slow


def test_bulk_receipt_codes_have_the_registration_form_and_do_not_repeat():
    moments = [
        timezone.make_aware(datetime.combine(date(2025, 3, d % 28 + 1), time(10))) for d in range(2000)
    ]
    codes = new_case_codes(moments)
    assert len(set(codes)) == len(codes)
    for m, code in zip(moments, codes, strict=True):
        assert re.fullmatch(r"HY\d{6}[0-9A-HJKMNP-TV-Z]{6}", code), code
        assert code[2:8] == f"{timezone.localtime(m):%y%m%d}"
    # every letter of the alphabet turns up (a fixed or biased byte mapping would leave some out)
    assert set("".join(c[8:] for c in codes)) == set("0123456789ABCDEFGHJKMNPQRSTVWXYZ")


def test_the_demos_seeded_codes_stay_reproducible_in_bulk():
    moments = [timezone.make_aware(datetime(2025, 3, 3, 10))] * 5
    with seeded_case_codes(7):
        first = new_case_codes(moments)
    with seeded_case_codes(7):
        again = new_case_codes(moments)
    assert first == again
