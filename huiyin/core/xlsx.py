"""One streaming .xlsx list export for every staff list (SPEC §3.7 "every list exportable to Excel";
issue 11 item 5).

The core knows nothing of cases: the caller passes the columns and an iterable of rows (already
scoped to what the user may see, with the list's filters applied, identity already masked or
revealed by the caller's own rule). openpyxl's write-only mode keeps memory flat whatever the size
(rows are spooled to a temporary file as they come); the response is a `StreamingHttpResponse` whose
first (empty) chunk sends the headers at once, so the browser's download starts before the rows are
read; the finished zip is sent from a temporary file in CHUNK-sized pieces (never whole in memory).
"""

from __future__ import annotations

import math
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from itertools import islice
from typing import Any, TypeVar
from xml.sax.saxutils import escape

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHUNK = 64 * 1024
MAX_ROWS = 1_048_575  # an Excel sheet holds 1,048,576 rows, the header takes one

T = TypeVar("T")


@dataclass(frozen=True)
class Column:
    """One column of an export: the row's key, its Chinese header and its width in characters."""

    key: str
    label: str
    width: int = 14


def mask_name(value: str) -> str:
    """A person's name to its first character (张** ), the masking of the Django admin (core.audit)."""
    return f"{value[:1]}{'*' * max(1, len(value) - 1)}" if value else value


def mask_number(value: str) -> str:
    """An ID number or phone: first three and last four characters kept (the case page's masking)."""
    from huiyin.core.audit import mask

    return mask(value) if value else value


def batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """`items` in lists of `size` (the caller fetches what a batch of rows needs in one query)."""
    it = iter(items)
    while batch := list(islice(it, size)):
        yield batch


def workbook_bytes(book: Any) -> bytes:
    """A small, finished openpyxl workbook (a 通报, a dashboard table, a template) as bytes."""
    import io

    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def xlsx_bytes_response(data: bytes, filename: str) -> HttpResponse:
    """A small workbook already in memory as a download named `filename` (with its .xlsx); a list of
    any length goes through `xlsx_response`, which streams."""
    response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    response["Cache-Control"] = "no-store"  # a 通报 or a link list is not for a shared cache either
    return response


def _cell(value: Any) -> Any:
    if isinstance(value, datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if value is None or isinstance(value, str | int | float | date):
        return value
    return str(value)


def xlsx_chunks(
    *,
    sheet: str,
    columns: Sequence[Column],
    rows: Iterable[Sequence[Any] | dict[str, Any]],
    heading: Sequence[str] = (),
    on_done: Callable[[int], None] | None = None,
) -> Iterator[bytes]:
    """The bytes of a one-sheet workbook: optional heading lines, a header row, then `rows` (dicts by
    column key, or sequences in column order). `on_done(count)` runs once every row was written (the
    caller's audit row of the export)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    yield b""  # the headers go out now: the download starts before the first row is read
    book = Workbook(write_only=True)
    ws = book.create_sheet(sheet[:31].replace("/", "、") or "Sheet1")
    for i, column in enumerate(columns, 1):
        ws.column_dimensions[get_column_letter(i)].width = column.width
    bold = Font(bold=True)
    for line in heading:
        ws.append([line])
    header = []
    for column in columns:
        cell = WriteOnlyCell(ws, value=column.label)
        cell.font = bold
        header.append(cell)
    ws.append(header)
    keys = [c.key for c in columns]
    count = 0
    for row in rows:
        if count >= MAX_ROWS:
            break
        values = [row.get(k, "") for k in keys] if isinstance(row, dict) else list(row)
        ws.append([_cell(v) for v in values])
        count += 1
    with tempfile.TemporaryFile() as out:
        book.save(out)
        if on_done is not None:
            on_done(count)
        out.seek(0)
        while data := out.read(CHUNK):
            yield data


def xlsx_response(
    *,
    filename: str,
    sheet: str,
    columns: Sequence[Column],
    rows: Iterable[Sequence[Any] | dict[str, Any]],
    heading: Sequence[str] = (),
    on_done: Callable[[int], None] | None = None,
) -> StreamingHttpResponse:
    """A streaming .xlsx download of `rows` (see `xlsx_chunks`); `filename` without the date part."""
    response = StreamingHttpResponse(
        xlsx_chunks(sheet=sheet, columns=columns, rows=rows, heading=heading, on_done=on_done),
        content_type=XLSX_CONTENT_TYPE,
    )
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"{filename}-{timezone.localdate():%Y%m%d}.xlsx"
    )
    response["Cache-Control"] = "no-store"  # a list with identity never sits in a shared cache
    response["X-Accel-Buffering"] = "no"  # a proxy passes the stream on as it comes
    return response


# --- a plain workbook written directly (the 通报's long lists) -----------------------------------

_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # what openpyxl refuses in a cell, dropped
_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"
PLAIN = 0
BOLD = 1
TITLE = 2  # bold, 14 points


@dataclass
class PlainSheet:
    """One sheet of `plain_workbook_bytes`: rows of values (str, int, float, Decimal, bool, None; a
    date is written as its ISO text, anything else as `str()`; None and "" leave the cell empty, as in
    openpyxl), and the style of some rows by their 1-based number (`BOLD`, `TITLE`)."""

    title: str
    rows: Iterable[Sequence[Any]]
    styles: dict[int, int] = field(default_factory=dict)


def _xml_text(value: str) -> str:
    return escape(_ILLEGAL_XML.sub("", value), {'"': "&quot;"})


def _column_letters(n: int) -> list[str]:
    from openpyxl.utils import get_column_letter

    return [get_column_letter(i) for i in range(1, n + 1)]


def _sheet_xml(rows: Iterable[Sequence[Any]], styles: dict[int, int]) -> Iterator[str]:
    yield f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{_NS}"><sheetData>'
    letters: list[str] = []
    for r, row in enumerate(rows, 1):
        if len(row) > len(letters):
            letters = _column_letters(max(len(row), 2 * len(letters)))
        style = f' s="{styles[r]}"' if r in styles else ""
        cells = []
        for letter, value in zip(letters, row, strict=False):
            if value is None or value == "":  # an empty cell, as openpyxl writes both
                continue
            ref = f"{letter}{r}"
            if isinstance(value, bool):
                cells.append(f'<c r="{ref}"{style} t="b"><v>{int(value)}</v></c>')
            elif isinstance(value, int | float | Decimal) and math.isfinite(value):
                cells.append(
                    f'<c r="{ref}"{style}><v>{value!r}</v></c>'
                    if isinstance(value, float)
                    else f'<c r="{ref}"{style}><v>{value}</v></c>'
                )
            else:
                text = value.isoformat() if isinstance(value, date) else str(value)
                cells.append(
                    f'<c r="{ref}"{style} t="inlineStr"><is><t xml:space="preserve">{_xml_text(text)}</t></is></c>'
                )
        yield f'<row r="{r}">{"".join(cells)}</row>'
    yield "</sheetData></worksheet>"


_STYLES = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet xmlns="{_NS}">'
    '<fonts count="3"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="14"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="0" fontId="2" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
)


def plain_workbook_bytes(sheets: Sequence[PlainSheet]) -> bytes:
    """A workbook of plain sheets as bytes, its XML written directly (inline strings, three styles).

    openpyxl spends about 7 µs a cell even in write-only mode (a Cell object, its type checks, an lxml
    element); a 通报 of a county at 1M cases lists 20,000 overdue clocks in seven columns, so its
    workbook took seconds. Here a cell is one formatted string. Sheet names as given (the caller keeps
    them unique, at most 31 characters and without []:*?/\\)."""
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        n = len(sheets)
        z.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{_CT}.sheet.main+xml"/>'
            f'<Override PartName="/xl/styles.xml" ContentType="{_CT}.styles+xml"/>'
            + "".join(
                f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{_CT}.worksheet+xml"/>'
                for i in range(1, n + 1)
            )
            + "</Types>",
        )
        z.writestr(
            "_rels/.rels",
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{_PKG_REL}">'
            f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        z.writestr(
            "xl/workbook.xml",
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="{_NS}" xmlns:r="{_REL}"><sheets>'
            + "".join(
                f'<sheet name="{_xml_text(s.title)}" sheetId="{i}" r:id="rId{i}"/>'
                for i, s in enumerate(sheets, 1)
            )
            + "</sheets></workbook>",
        )
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{_PKG_REL}">'
            + "".join(
                f'<Relationship Id="rId{i}" Type="{_REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
                for i in range(1, n + 1)
            )
            + f'<Relationship Id="rId{n + 1}" Type="{_REL}/styles" Target="styles.xml"/></Relationships>',
        )
        z.writestr("xl/styles.xml", _STYLES)
        for i, s in enumerate(sheets, 1):
            with z.open(f"xl/worksheets/sheet{i}.xml", "w") as out:
                for part in batched(_sheet_xml(s.rows, s.styles), 1000):
                    out.write("".join(part).encode())
    return buffer.getvalue()
