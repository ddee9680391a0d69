"""Import of historical cases from the documented template (issue 11 item 6; SPEC §3.10).

`batch_create` stores the upload as a batch; `batch_run` reads it, validates every row against the
same rules and reference data a registration uses (channel and petition type, 条例 §29–31; identity for
self-service 申诉求决/检举控告; the accused side of 条例 §30¶3; ID numbers by GB 11643; territory, unit
and category looked up by code or name; the jurisdiction's rule values for the clocks) and either
reports every error by row and column and writes nothing, or writes every new row in one transaction
with bulk inserts. A row whose 原系统编号 was imported before is skipped, so importing the same file
again adds nothing.

Each imported case gets, as of its own dates: its registration event (登记) at 登记时间; a closed case
its 办结 event at 办结日期 (and its rating), with its handling clock started on the registration day and
stopped on the closing day, on time or late by the rule of its petition type; an open case its routing
and notice clocks running from the registration day (条例 §22¶1, §23¶2). Every imported case carries
the import's own event and its ImportedCase link (batch, key). No message and no staff notice is sent:
the events are written without outbox rows (a historical record is not news, ADR 0006 is for live steps).
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import time as monotime
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from fractions import Fraction
from typing import Any

from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone
from stdnum.cn import ric
from stdnum.exceptions import ValidationError as StdnumError

from huiyin.cases import services as case_input
from huiyin.cases.choices import (
    IDENTITY_REQUIRED,
    MSG_IDENTITY_REQUIRED,
    SELF_SERVICE_CHANNELS,
    ContactState,
    PetitionerKind,
    PetitionType,
    Rating,
    Status,
)
from huiyin.cases.confidentiality import accused_chain
from huiyin.cases.models import Case, CaseEvent, CasePetitioner, Category, Petitioner, Submission
from huiyin.core import registry, timeutil
from huiyin.core.calendar import current_calendar
from huiyin.core.errors import ValidationFailed
from huiyin.core.workdays import DayUnit, add_days, warning_date
from huiyin.imports.choices import BatchState
from huiyin.imports.models import ImportBatch, ImportedCase
from huiyin.imports.template import BY_HEADER, COLUMNS, IMPORT_CHANNELS, SHEET
from huiyin.org.choices import RuleKey, UnitKind, ValueUnit
from huiyin.org.models import RuleProfile, Territory, Unit, User
from huiyin.org.selectors import Rule, profile_for, rules_for_profile
from huiyin.workflow.choices import ClockKind, ClockState
from huiyin.workflow.clocks import rule_key_for
from huiyin.workflow.models import Clock

log = logging.getLogger(__name__)

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 100_000
MAX_ERRORS = 1000  # kept on the batch (all are counted)
SYNC_ROWS = 300  # a file this small is imported in the request; larger ones in the worker
BATCH = 2000  # rows per bulk insert
PROGRESS_EVERY = 1000
EARLIEST = date(1990, 1, 1)

MSG_NOT_XLSX = "文件无法读取：请上传由导入模板填写的 .xlsx 文件"
MSG_TOO_BIG = f"文件超过 {MAX_BYTES // (1024 * 1024)} MB"
MSG_TOO_MANY = f"一次最多导入 {MAX_ROWS} 行，请分批导入"
MSG_NO_ROWS = "文件中没有数据行"
MSG_OFFICE_NOT_OURS = "须为导入人所在辖区内的信访部门"
MSG_ACCUSED_SIDE = "登记单位属被反映单位一方，不得登记该检举控告（《信访工作条例》第三十条第三款）"


class ImportRefused(ValidationFailed):
    """The file as a whole cannot be read (not an .xlsx, too big, no header): nothing is stored."""


@dataclass
class RowError:
    row: int
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class Clean:
    """One valid row, ready to write."""

    row: int
    key: str
    raw: dict[str, str]
    registered_at: datetime
    channel: str
    petition_type: str
    title: str
    content: str
    request: str
    category_id: int | None
    territory: Territory | None
    address: str
    office: Unit
    handling_unit_id: int | None
    accused_person: str
    accused_unit_id: int | None
    name: str
    id_number: str
    phone: str
    petitioner_address: str
    closed_on: date | None
    outcome: str
    rating: str
    profile: RuleProfile | None = None


@dataclass
class Outcome:
    state: str
    total: int = 0
    imported: int = 0
    skipped: int = 0
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0


# --- reading ---------------------------------------------------------------------------------------


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a phone typed as a number
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def read_rows(content: bytes) -> tuple[dict[str, int], list[tuple[int, tuple[Any, ...]]]]:
    """(column key -> index, [(row number, cells)]) of the template's sheet; ImportRefused if unreadable.

    Read with calamine (python-calamine, a Rust reader made for exactly this): a 10,000-row file takes
    about 0.5 s where openpyxl's read-only parser took about 5 s, most of an import's time. Cached
    formula values are read as openpyxl's data_only did; the writing side stays openpyxl.
    """
    from python_calamine import CalamineWorkbook

    if len(content) > MAX_BYTES:
        raise ImportRefused(MSG_TOO_BIG)
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(content))
        sheet = SHEET if SHEET in book.sheet_names else book.sheet_names[0]
        # skip_empty_area=False: row numbers count from the sheet's first row even when it is blank
        grid = book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    except Exception:  # calamine raises its own kinds (and IndexError: no sheet) for a non-workbook
        raise ImportRefused(MSG_NOT_XLSX) from None
    if not grid:
        raise ImportRefused(MSG_NO_ROWS)
    index: dict[str, int] = {}
    for i, heading in enumerate(grid[0]):
        col = BY_HEADER.get(_text(heading))
        if col is not None and col.key not in index:
            index[col.key] = i
    missing = [c.header for c in COLUMNS if c.required and c.key not in index]
    if missing:
        raise ImportRefused("第1行缺少必填列：" + "、".join(missing) + "（请使用导入模板）")
    rows = []
    for number, cells in enumerate(grid[1:], start=2):
        # blank rows in the middle or at the end are not data: every cell empty or spaces (`_text` is
        # "" only for those; any other value calamine gives is never blank), the first value ends it
        if all(c is None or (type(c) is str and not c.strip()) for c in cells):
            continue
        rows.append((number, tuple(cells)))
        if len(rows) > MAX_ROWS:
            raise ImportRefused(MSG_TOO_MANY)
    return index, rows


# --- the reference data a row is checked against, loaded once per file ------------------------------


def _by_code_and_name(objects: Iterable[Any]) -> tuple[dict[str, Any], dict[str, list[Any]]]:
    by_code: dict[str, Any] = {}
    by_name: dict[str, list[Any]] = {}
    for o in objects:
        by_code[o.code] = o
        by_name.setdefault(o.name, []).append(o)
    return by_code, by_name


class Lookups:
    """Territories, units and categories by code or name; rule profiles; deadlines (memoised)."""

    def __init__(self, importer: User | None, default_office: Unit) -> None:
        self.territories, self.territory_names = _by_code_and_name(Territory.objects.all())
        self.units, self.unit_names = _by_code_and_name(
            Unit.objects.filter(is_active=True).select_related("territory")
        )
        self.categories: dict[str, int] = {}
        leaves: dict[str, list[int]] = {}
        for pk, full, name in Category.objects.values_list("pk", "full_name", "name"):
            self.categories[full] = pk
            leaves.setdefault(name, []).append(pk)
        self.leaves = leaves
        self.default_office = default_office
        scope = importer.unit.territory.path if importer is not None and importer.unit is not None else ""
        self.scope = "" if importer is not None and importer.is_superuser and not importer.unit_id else scope
        self._profiles: dict[int | None, RuleProfile | None] = {}
        self._rules: dict[int | None, dict[RuleKey, Rule]] = {}
        self._chains: dict[int, frozenset[int]] = {}
        self._due: dict[tuple[date, int, str, bool], tuple[date, bool]] = {}
        self._warn: dict[tuple[date, date, int], date] = {}
        self._rule_keys: dict[tuple[str, ClockKind], RuleKey] = {}
        self.calendar = current_calendar()
        # the zone once per file: timezone.make_aware/localtime look it up in an asgiref Local on every
        # call (48,000 calls, a tenth of a 10,000-row import's own CPU)
        self.zone = timezone.get_current_timezone()

    def local_date(self, moment: datetime) -> date:
        """timezone.localtime(moment).date() in the zone read once."""
        return moment.astimezone(self.zone).date()

    def one(self, by_code: dict[str, Any], by_name: dict[str, list[Any]], value: str) -> tuple[Any, str]:
        if value in by_code:
            return by_code[value], ""
        named = by_name.get(value, [])
        if len(named) == 1:
            return named[0], ""
        if named:
            return None, f"名称“{value}”不唯一，请填写代码"
        return None, f"没有代码或名称为“{value}”的记录"

    def territory(self, value: str) -> tuple[Territory | None, str]:
        found, why = self.one(self.territories, self.territory_names, value)
        return found, why.replace("记录", "区域")

    def unit(self, value: str) -> tuple[Unit | None, str]:
        found, why = self.one(self.units, self.unit_names, value)
        return found, why.replace("记录", "单位")

    def category(self, value: str) -> tuple[int | None, str]:
        if value in self.categories:
            return self.categories[value], ""
        leaves = self.leaves.get(value, [])
        if len(leaves) == 1:
            return leaves[0], ""
        if leaves:
            return None, f"末级分类“{value}”不唯一，请填写分类全称"
        return None, f"没有名为“{value}”的问题分类"

    def profile(self, territory: Territory | None) -> RuleProfile | None:
        key = territory.id if territory else None
        if key not in self._profiles:
            self._profiles[key] = profile_for(territory)
        return self._profiles[key]

    def rules(self, profile: RuleProfile | None) -> dict[RuleKey, Rule]:
        key = profile.id if profile else None
        if key not in self._rules:
            self._rules[key] = rules_for_profile(profile)
        return self._rules[key]

    def on_accused_side(self, office: Unit, accused: Unit) -> bool:
        """cases.confidentiality.on_accused_side, with the office's chain computed once per file."""
        if office.id not in self._chains:
            self._chains[office.id] = accused_chain(office.id)
        return accused.id in self._chains[office.id]

    def rule_key(self, petition_type: str, kind: ClockKind) -> RuleKey:
        """workflow.clocks.rule_key_for (the petition type's own rule value, 条例 §29, §30, §34)."""
        key = (petition_type, kind)
        if key not in self._rule_keys:
            self._rule_keys[key] = rule_key_for(Case(petition_type=petition_type), kind)
        return self._rule_keys[key]

    def warn(self, start: date, due: date, rules: dict[RuleKey, Rule]) -> date:
        key = (start, due, rules[RuleKey.WARNING_PERCENT].value)
        if key not in self._warn:
            self._warn[key] = warning_date(start, due, Fraction(rules[RuleKey.WARNING_PERCENT].value, 100))
        return self._warn[key]

    def due(self, on: date, rule: Rule, roll_over: bool) -> tuple[date, bool]:
        key = (on, rule.value, rule.unit, roll_over)
        if key not in self._due:
            unit = DayUnit.WORKING if rule.unit == ValueUnit.WORKING_DAY else DayUnit.CALENDAR
            d = add_days(on, rule.value, unit, self.calendar, roll_over_holiday=roll_over)
            self._due[key] = (d.due, d.beyond_calendar)
        return self._due[key]


# --- validating -------------------------------------------------------------------------------------

_CHANNELS = {str(c.label): c.value for c in IMPORT_CHANNELS}
_TYPES = {str(t.label): t.value for t in PetitionType}
_RATINGS = {str(r.label): r.value for r in Rating}
_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d", "%Y/%m/%d %H:%M", "%Y/%m/%d", "%Y.%m.%d")
_LIMITS = {
    "source_key": 60,
    "title": 200,
    "address": 200,
    "accused_person": 100,
    "petitioner_name": 100,
    "petitioner_phone": 20,
    "petitioner_address": 200,
}


def _moment(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime.combine(value, time(9, 0))
    text = _text(value)
    # the template's own two forms first, by the C parser (strptime was a tenth of the validation);
    # only these exact shapes: fromisoformat alone would also take a zone or a compact date
    if len(text) == 16 and text[4] == "-" and text[7] == "-" and text[10] == " " and text[13] == ":":
        try:
            return datetime.fromisoformat(text)
        except ValueError:
            return None
    if len(text) == 10 and text[4] == "-" and text[7] == "-":
        try:
            return datetime.fromisoformat(text).replace(hour=9)
        except ValueError:
            return None
    for fmt in _FORMATS:
        try:
            parsed = datetime.strptime(text, fmt)
        except ValueError:
            continue
        return parsed if ("%H" in fmt) else parsed.replace(hour=9)
    return None


def clean_row(
    number: int, cells: dict[str, Any], lk: Lookups, today: date
) -> tuple[Clean | None, list[RowError]]:
    """One row checked column by column: the cleaned row, or every error it has."""
    errors: list[RowError] = []

    def err(key: str, message: str) -> None:
        errors.append(RowError(number, next(c.header for c in COLUMNS if c.key == key), message))

    text = {c.key: _text(cells.get(c.key)) for c in COLUMNS}
    for c in COLUMNS:
        if c.required and not text[c.key]:
            err(c.key, "必填，不能为空")
    for key, limit in _LIMITS.items():
        if len(text[key]) > limit:
            err(key, f"最长{limit}字，现为{len(text[key])}字")

    registered = None
    if text["registered_at"]:
        moment = _moment(cells.get("registered_at"))
        if moment is None:
            err(
                "registered_at",
                f"“{text['registered_at']}”不是有效的日期，应为 YYYY-MM-DD 或 YYYY-MM-DD HH:MM",
            )
        elif moment.date() > today:
            err("registered_at", "不得晚于今天")
        elif moment.date() < EARLIEST:
            err("registered_at", f"不得早于 {EARLIEST:%Y-%m-%d}")
        else:
            # timezone.make_aware: a zoneinfo zone is attached by replace()
            registered = moment.replace(tzinfo=lk.zone) if timezone.is_naive(moment) else moment
    channel = _CHANNELS.get(text["channel"], "")
    if text["channel"] and not channel:
        err("channel", f"“{text['channel']}”不是可选的渠道：" + "、".join(_CHANNELS))
    ptype = _TYPES.get(text["petition_type"], "")
    if text["petition_type"] and not ptype:
        err("petition_type", f"“{text['petition_type']}”不是信访类型：" + "、".join(_TYPES))

    category_id = territory = handling = accused = None
    if text["category"]:
        category_id, why = lk.category(text["category"])
        if why:
            err("category", why)
    if text["territory"]:
        territory, why = lk.territory(text["territory"])
        if why:
            err("territory", why)
    office = lk.default_office
    if text["office"]:
        found, why = lk.unit(text["office"])
        if why:
            err("office", why)
        elif found is not None:
            office = found
    if office.kind != UnitKind.PETITION_OFFICE:
        err("office", f"“{office.name}”不是信访部门，{MSG_OFFICE_NOT_OURS}")
    elif lk.scope and not office.territory.path.startswith(lk.scope):
        err("office", f"“{office.name}”{MSG_OFFICE_NOT_OURS}")
    if text["handling_unit"]:
        handling, why = lk.unit(text["handling_unit"])
        if why:
            err("handling_unit", why)
    if text["accused_unit"]:
        accused, why = lk.unit(text["accused_unit"])
        if why:
            err("accused_unit", why)
        elif accused is not None and lk.on_accused_side(office, accused):
            err("accused_unit", MSG_ACCUSED_SIDE)
    if ptype == PetitionType.ACCUSATION and not (text["accused_person"] or accused or text["accused_unit"]):
        err("accused_person", "检举控告须写明被反映人或被反映单位（《信访工作条例》第三十条）")

    id_number = text["petitioner_id_number"].upper()
    if id_number:
        try:
            id_number = ric.validate(id_number)
        except StdnumError:
            err("petitioner_id_number", f"居民身份证号码“{id_number}”校验不通过")
        if not text["petitioner_name"]:
            err("petitioner_name", "填写了身份证号码时须填写姓名")
    self_service = channel in SELF_SERVICE_CHANNELS and ptype in IDENTITY_REQUIRED
    if self_service and not (text["petitioner_name"] and text["petitioner_phone"]):
        err("petitioner_name", MSG_IDENTITY_REQUIRED)

    closed_on = None
    if text["closed_on"]:
        moment = _moment(cells.get("closed_on"))
        if moment is None:
            err("closed_on", f"“{text['closed_on']}”不是有效的日期，应为 YYYY-MM-DD")
        elif moment.date() > today:
            err("closed_on", "不得晚于今天")
        elif registered is not None and moment.date() < lk.local_date(registered):
            err("closed_on", "不得早于登记时间")
        else:
            closed_on = moment.date()
    rating = _RATINGS.get(text["rating"], "")
    if text["rating"] and not rating:
        err("rating", f"“{text['rating']}”不是可选的评价：" + "、".join(_RATINGS))
    elif rating and not text["closed_on"]:
        err("rating", "只有已办结（填写了办结日期）的件才有评价")

    if errors or registered is None:
        return None, errors
    return (
        Clean(
            row=number,
            key=text["source_key"],
            raw=text,
            registered_at=registered,
            channel=channel,
            petition_type=ptype,
            title=text["title"],
            content=text["content"],
            request=text["request"],
            category_id=category_id,
            territory=territory,
            address=text["address"],
            office=office,
            handling_unit_id=handling.id if handling else None,
            accused_person=text["accused_person"],
            accused_unit_id=accused.id if accused else None,
            name=text["petitioner_name"],
            id_number=id_number,
            phone=text["petitioner_phone"],
            petitioner_address=text["petitioner_address"],
            closed_on=closed_on,
            outcome=text["outcome"],
            rating=rating,
            profile=lk.profile(territory or office.territory),
        ),
        [],
    )


def rows_in(
    model: type[Model], column: str, values: list[str], fields: tuple[str, ...]
) -> list[tuple[Any, ...]]:
    """`fields` of the rows of `model` whose `column` is one of `values`, in primary-key order.

    PostgreSQL takes the values as one array (`= ANY(%s)`, on the column's index): an `IN` of 5,000
    placeholders per chunk was composed by the ORM and split again by psycopg, most of these
    look-ups' client time. SQLite gets the ORM's `__in`, 5,000 at a time."""
    if not values:
        return []
    if connection.vendor == "postgresql":
        qn = connection.ops.quote_name
        sql = (
            f"SELECT {', '.join(qn(f) for f in fields)} FROM {qn(model._meta.db_table)}"
            f" WHERE {qn(column)} = ANY(%s) ORDER BY {qn(model._meta.pk.attname)}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [list(values)])
            return list(cursor.fetchall())
    found: list[tuple[Any, ...]] = []
    for start in range(0, len(values), 5000):
        chunk = model._default_manager.filter(**{f"{column}__in": values[start : start + 5000]})
        found += chunk.order_by("pk").values_list(*fields)
    return found


def _already_imported(keys: list[str]) -> set[str]:
    return {key for (key,) in rows_in(ImportedCase, "source_key", keys, ("source_key",))}


def validate(
    index: dict[str, int],
    rows: list[tuple[int, tuple[Any, ...]]],
    lk: Lookups,
    *,
    progress: Any = None,
) -> tuple[list[Clean], list[RowError], int]:
    """(rows to write, every error, rows skipped as imported before). All-or-nothing is the caller's."""
    today = timeutil.today()
    cleaned: list[Clean] = []
    errors: list[RowError] = []
    first_row: dict[str, int] = {}
    key_col = BY_HEADER["原系统编号"].header
    for n, (number, cells) in enumerate(rows, 1):
        values = {key: cells[i] if i < len(cells) else None for key, i in index.items()}
        row, found = clean_row(number, values, lk, today)
        key = _text(values.get("source_key"))
        if key and key in first_row:
            found.append(RowError(number, key_col, f"原系统编号“{key}”与第{first_row[key]}行重复"))
            row = None
        elif key:
            first_row[key] = number
        errors.extend(found)
        if row is not None:
            cleaned.append(row)
        if progress is not None and n % PROGRESS_EVERY == 0:
            progress(n)
    errors.sort(key=lambda e: (e.row, [c.header for c in COLUMNS].index(e.column)))
    done = _already_imported([c.key for c in cleaned])
    return [c for c in cleaned if c.key not in done], errors, len(done)


# --- writing ---------------------------------------------------------------------------------------


def _codes(moments: list[datetime]) -> list[str]:
    """Fresh case codes in the registration's form (HY + local date + 6), none already in use."""
    codes = case_input.new_case_codes(moments)
    while True:
        taken = {code for (code,) in rows_in(Case, "code", codes, ("code",))}
        seen: set[str] = set()
        again = False
        for i, code in enumerate(codes):
            if code in taken or code in seen:
                codes[i] = case_input.new_case_code(moments[i])
                again = True
            seen.add(codes[i])
        if not again:
            return codes


def _closing_moment(c: Clean, lk: Lookups) -> datetime:
    assert c.closed_on is not None  # only closed rows are given a closing moment
    closed = datetime.combine(c.closed_on, time(17, 0), tzinfo=lk.zone)
    return max(closed, c.registered_at + timedelta(minutes=1))


class JSONText(str):
    """A JSON value already dumped to text (written as it is)."""


# made once: json.dumps with any non-default option builds a new encoder on every call
_JSON = json.JSONEncoder(ensure_ascii=False)
_JSON_SORTED = json.JSONEncoder(ensure_ascii=False, sort_keys=True)


def _json_text(value: Any) -> str:
    return value if isinstance(value, JSONText) else _JSON.encode(value)


def _datetime_for_db() -> Any:
    """An aware datetime as the connection stores it: as it is for PostgreSQL (psycopg adapts it), the
    naive UTC text of Django's SQLite backend otherwise (`adapt_datetimefield_value`, without its
    per-value settings lookups)."""
    if connection.vendor != "sqlite":
        return connection.ops.adapt_datetimefield_value
    zone = connection.timezone

    def to_text(value: datetime) -> str:
        if value.tzinfo is None:
            raise ValueError("naive datetime in an import row")  # every moment is made aware in clean_row
        return str(value.astimezone(zone).replace(tzinfo=None))

    return to_text


class Inserter:
    """Rows of one model written with one `executemany` per BATCH (the ORM's bulk_create spends most
    of an import preparing each object; this prepares each column once). Every concrete column is
    written: a value from the row (by attname), else the field's default, the clock's now for
    auto_now fields. Ids are reserved beforehand where other rows point at them (`reserve_ids`)."""

    def __init__(self, model: type[Model], *, with_id: bool = False) -> None:
        self.model = model
        qn = connection.ops.quote_name
        now = timeutil.now()
        # A stored generated column (workflow.Clock.next_flip_at) is the database's to fill.
        fields = [
            f
            for f in model._meta.concrete_fields
            if (with_id or not f.primary_key) and not getattr(f, "generated", False)
        ]
        self.plan: list[tuple[str, Any, Any]] = []  # (attname, converter or None, constant)
        for f in fields:
            kind = f.get_internal_type()
            if kind == "DateTimeField":
                convert: Any = _datetime_for_db()
            elif kind == "DateField":
                convert = connection.ops.adapt_datefield_value
            elif kind == "JSONField":
                # JSON text either way: SQLite stores it, and COPY hands it to PostgreSQL's jsonb input;
                # a value already dumped (a Submission's payload, hashed as dumped) goes as it is
                convert = _json_text
            else:
                convert = None
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                constant = connection.ops.adapt_datetimefield_value(now)
            else:
                constant = f.get_db_prep_save(f.get_default(), connection) if not f.primary_key else None
            self.plan.append((f.attname, convert, constant))
        columns = ", ".join(qn(f.column) for f in fields if f.column)
        marks = ", ".join(["%s"] * len(fields))
        self.sql = f"INSERT INTO {qn(model._meta.db_table)} ({columns}) VALUES ({marks})"
        # PostgreSQL takes the rows by COPY: one stream per batch, where executemany sends a statement
        # per row (the server's time was half of a 10,000-row import)
        self.copy_sql = f"COPY {qn(model._meta.db_table)} ({columns}) FROM STDIN"
        self.template = [constant for _attname, _convert, constant in self.plan]
        self.position = {attname: (i, convert) for i, (attname, convert, _c) in enumerate(self.plan)}
        self.rows: list[tuple[Any, ...]] = []
        self.count = 0

    def add(self, values: dict[str, Any]) -> None:
        row = self.template.copy()  # the constants; then only the columns this row gives
        position = self.position
        for attname, v in values.items():
            i, convert = position[attname]
            row[i] = v if convert is None or v is None else convert(v)
        self.rows.append(tuple(row))
        if len(self.rows) >= BATCH:
            self.flush()

    def flush(self) -> None:
        if self.rows:
            with connection.cursor() as cursor:
                if connection.vendor == "postgresql":
                    with cursor.copy(self.copy_sql) as copy:
                        for row in self.rows:
                            copy.write_row(row)
                else:
                    cursor.executemany(self.sql, self.rows)
            self.count += len(self.rows)
            self.rows = []


def reserve_ids(model: type[Model], n: int) -> list[int]:
    """`n` fresh primary keys of `model` (inside the writing transaction: on SQLite it holds the write
    lock from BEGIN, ADR 0002; on PostgreSQL the ids come from the table's own sequence)."""
    if n == 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, n]
            )
            return [r[0] for r in cursor.fetchall()]
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}")
        top = cursor.fetchone()[0]
        cursor.execute("SELECT COALESCE(MAX(seq), 0) FROM sqlite_sequence WHERE name = %s", [table])
        top = max(top, cursor.fetchone()[0])
    return list(range(top + 1, top + 1 + n))


def _petitioners(rows: list[Clean]) -> dict[int, tuple[int, str, str, str]]:
    """row number -> (petitioner id, this case's phone, address, contact state): a known ID number links
    to its petitioner without touching their stored contact (cases.services._find_or_create_petitioner)."""
    ids = sorted({c.id_number for c in rows if c.id_number})
    known: dict[str, tuple[int, str, str]] = {}
    for pk, number, phone, address in rows_in(
        Petitioner, "id_number", ids, ("id", "id_number", "phone", "address")
    ):
        known.setdefault(number, (pk, phone, address))  # the oldest petitioner with the number
    fresh = [c for c in rows if c.name and not (c.id_number and c.id_number in known)]
    # one new petitioner per new ID number (the first row that names it), one per row without a number
    firsts: dict[str, Clean] = {}
    for c in fresh:
        if c.id_number:
            firsts.setdefault(c.id_number, c)
    makers = [c for c in fresh if not c.id_number or firsts[c.id_number] is c]
    pks = reserve_ids(Petitioner, len(makers))
    insert = Inserter(Petitioner, with_id=True)
    made: dict[int, tuple[int, str, str]] = {}
    for c, pk in zip(makers, pks, strict=True):
        insert.add(
            {
                "id": pk,
                "kind": PetitionerKind.PERSON,
                "name": c.name,
                "id_number": c.id_number,
                "phone": c.phone,
                "address": c.petitioner_address,
            }
        )
        made[c.row] = (pk, c.phone, c.petitioner_address)
    insert.flush()
    out: dict[int, tuple[int, str, str, str]] = {}
    for c in rows:
        if not c.name:
            continue
        if c.id_number and c.id_number in known:
            pk, phone_on_record, address_on_record = known[c.id_number]
            phone = c.phone or phone_on_record
            address = c.petitioner_address or address_on_record
            new = phone != phone_on_record or address != address_on_record
            out[c.row] = (pk, phone, address, ContactState.UNVERIFIED if new else ContactState.ON_RECORD)
            continue
        pk, phone, address = made[firsts[c.id_number].row] if c.id_number else made[c.row]
        out[c.row] = (pk, c.phone or phone, c.petitioner_address or address, ContactState.ON_RECORD)
    return out


def _clock_row(
    c: Clean, case: dict[str, Any], kind: ClockKind, lk: Lookups, *, stopped: date | None
) -> dict[str, Any]:
    """The clock `kind` as it ran from the registration day (day 0) with the jurisdiction's rule for the
    case's petition type (workflow.clocks.start_clock's rule), stopped on `stopped` if the case closed."""
    rules = lk.rules(c.profile)
    rule = rules[lk.rule_key(c.petition_type, kind)]
    start = lk.local_date(c.registered_at)
    due, beyond = lk.due(start, rule, bool(rules[RuleKey.ROLL_OVER_HOLIDAY].value))
    state = ClockState.RUNNING
    if stopped is not None:
        state = ClockState.MET if stopped <= due else ClockState.LATE
    handling = kind == ClockKind.HANDLING and case["handling_unit_id"]
    return {
        "case_id": case["id"],
        "kind": kind,
        "unit_id": case["handling_unit_id"] if handling else case["office_id"],
        "rule_days": rule.value,
        "rule_unit": rule.unit,
        "rule_article": rule.article,
        "trigger": "import",
        "started_on": start,
        "due_on": due,
        "warn_on": lk.warn(start, due, rules),
        "beyond_calendar": beyond,
        "state": state,
        "stopped_on": stopped,
    }


def write(batch: ImportBatch, rows: list[Clean], lk: Lookups) -> int:
    """Write `rows` as cases with their petitioners, submissions, events and clocks (call in a transaction)."""
    for code in ("register", "close", "rate", "import"):
        registry.event_type(code)  # an undeclared type is refused before anything is written
    now = timeutil.now()
    batch_id = batch.id  # `.pk` is a property: read once, not per row (as `.id` for the rows' units)
    codes = _codes([c.registered_at for c in rows])
    case_ids = reserve_ids(Case, len(rows))
    cases = Inserter(Case, with_id=True)
    records: list[dict[str, Any]] = []
    for c, code, pk in zip(rows, codes, case_ids, strict=True):
        closed = c.closed_on is not None
        record = {
            "id": pk,
            "code": code,
            "status": Status.CLOSED if closed else Status.REGISTERED,
            "channel": c.channel,
            "petition_type": c.petition_type,
            "category_id": c.category_id,
            "title": c.title,
            "content": c.content,
            "request": c.request,
            "territory_id": c.territory.id if c.territory else None,
            "address": c.address,
            "accused_person": c.accused_person,
            "accused_unit_id": c.accused_unit_id,
            "identity_unclear": not c.name,
            "office_id": c.office.id,
            "handling_unit_id": c.handling_unit_id,
            "completion_report": c.outcome if closed else "",
            "rating": c.rating,
            "rule_profile_id": c.profile.id if c.profile else None,
            "registered_by_id": None,
            "registered_at": c.registered_at,
            "idempotency_key": f"import:{c.key}",
        }
        cases.add(record)
        records.append(record)
    cases.flush()
    people = _petitioners(rows)
    parties = Inserter(CasePetitioner)
    submissions = Inserter(Submission)
    events = Inserter(CaseEvent)
    clocks = Inserter(Clock)
    links = Inserter(ImportedCase)
    for c, case in zip(rows, records, strict=True):
        pk, status = case["id"], case["status"]
        found = people.get(c.row)
        if found is not None:
            person, phone, address, state = found
            parties.add(
                {
                    "case_id": pk,
                    "petitioner_id": person,
                    "phone": phone,
                    "address": address,
                    "contact_state": state,
                }
            )
        payload = {"import": {"batch": batch_id, "row": c.row, "cells": c.raw}}
        blob = JSONText(_JSON_SORTED.encode(payload))
        submissions.add(
            {
                "case_id": pk,
                "channel": c.channel,
                "payload": blob,
                "received_at": c.registered_at,
                "sha256": hashlib.sha256(blob.encode()).hexdigest(),
            }
        )
        office = case["office_id"]
        events.add(
            {
                "case_id": pk,
                "event_type": "register",
                "from_status": "",
                "to_status": Status.REGISTERED,
                "actor_unit_id": office,
                "data": {"channel": c.channel, "headcount": 1, "imported": True},
                "created_at": c.registered_at,
            }
        )
        if c.closed_on is not None:
            closing = _closing_moment(c, lk)
            events.add(
                {
                    "case_id": pk,
                    "event_type": "close",
                    "from_status": Status.REGISTERED,
                    "to_status": Status.CLOSED,
                    "actor_unit_id": office,
                    "reason": c.outcome,
                    "data": {"imported": True},
                    "created_at": closing,
                }
            )
            if c.rating:
                events.add(
                    {
                        "case_id": pk,
                        "event_type": "rate",
                        "from_status": Status.CLOSED,
                        "to_status": Status.CLOSED,
                        "data": {"rating": c.rating, "imported": True},
                        "created_at": closing,
                    }
                )
            clocks.add(_clock_row(c, case, ClockKind.HANDLING, lk, stopped=c.closed_on))
        else:
            # 条例 §22¶1, §23¶2: route and give written notice within the limits, from the registration day
            clocks.add(_clock_row(c, case, ClockKind.ROUTING, lk, stopped=None))
            if c.name:
                clocks.add(_clock_row(c, case, ClockKind.NOTICE, lk, stopped=None))
        events.add(
            {
                "case_id": pk,
                "event_type": "import",
                "from_status": status,
                "to_status": status,
                "actor_id": batch.uploaded_by_id,
                "actor_unit_id": batch.office_id,
                "data": {"batch": batch_id, "source_key": c.key, "row": c.row},
                "created_at": now,
            }
        )
        links.add({"case_id": pk, "batch_id": batch_id, "source_key": c.key, "row_number": c.row})
    for table in (parties, submissions, events, clocks, links):
        table.flush()
    return len(records)


# --- the batch ---------------------------------------------------------------------------------------


def batch_create(*, content: bytes, file_name: str, actor: User, office: Unit | None = None) -> ImportBatch:
    """Store an upload as a queued batch (its rows are counted; ImportRefused for an unreadable file)."""
    office = office or actor.unit
    if office is None:
        raise ValidationFailed("导入人须属于一个信访部门")
    _index, rows = read_rows(content)
    if not rows:
        raise ImportRefused(MSG_NO_ROWS)
    return ImportBatch.objects.create(
        office=office,
        uploaded_by=actor,
        file_name=file_name[:200],
        sha256=hashlib.sha256(content).hexdigest(),
        content=content,
        total_rows=len(rows),
        created_at=timeutil.now(),
    )


def _finish(batch: ImportBatch, outcome: Outcome, started: float, message: str = "") -> None:
    ImportBatch.objects.filter(pk=batch.pk).update(
        state=outcome.state,
        total_rows=outcome.total,
        checked_rows=outcome.total,
        imported_rows=outcome.imported,
        skipped_rows=outcome.skipped,
        errors=[e.as_dict() for e in outcome.errors[:MAX_ERRORS]],
        error_count=outcome.error_count,
        message=message,
        finished_at=timeutil.now(),
        seconds=round(monotime.perf_counter() - started, 3),
    )


def import_file(
    *, content: bytes, importer: User | None, office: Unit, batch: ImportBatch, progress: Any = None
) -> Outcome:
    """Read, validate and (if every row is valid) write the file: all or nothing."""
    index, rows = read_rows(content)
    lk = Lookups(importer, office)
    cleaned, errors, skipped = validate(index, rows, lk, progress=progress)
    if errors:
        return Outcome(BatchState.FAILED, len(rows), 0, skipped, errors, len(errors))
    if progress is not None:
        progress(len(rows), state=BatchState.WRITING)
    with transaction.atomic():
        imported = write(batch, cleaned, lk)
    return Outcome(BatchState.DONE, len(rows), imported, skipped)


def batch_run(batch_id: int) -> str:
    """Run a queued batch (in the worker, or in the request for a small file) and record its outcome."""
    claimed = ImportBatch.objects.filter(pk=batch_id, state=BatchState.QUEUED).update(
        state=BatchState.VALIDATING
    )
    if not claimed:
        return "not queued"
    batch = ImportBatch.objects.select_related("office", "uploaded_by__unit__territory").get(pk=batch_id)
    started = monotime.perf_counter()

    def progress(n: int, state: str = BatchState.VALIDATING) -> None:
        ImportBatch.objects.filter(pk=batch_id).update(checked_rows=n, state=state)

    try:
        outcome = import_file(
            content=bytes(batch.content),
            importer=batch.uploaded_by,
            office=batch.office,
            batch=batch,
            progress=progress,
        )
    except ValidationFailed as exc:
        _finish(batch, Outcome(BatchState.FAILED, batch.total_rows), started, exc.message)
        return BatchState.FAILED
    except Exception:
        log.exception("import batch %s failed", batch_id)
        _finish(batch, Outcome(BatchState.ERROR, batch.total_rows), started, "导入时发生错误，未导入任何事项")
        return BatchState.ERROR
    _finish(batch, outcome, started)
    if outcome.imported:
        transaction.on_commit(lambda: _refresh_rollups(batch_id))
    return outcome.state


def _refresh_rollups(batch_id: int) -> None:
    """The analytics roll-ups of the imported cases' days (closed months stay frozen: analytics)."""
    try:
        from huiyin.analytics.services import rollup_days

        first = (
            Case.objects.filter(imported__batch_id=batch_id)
            .order_by("registered_at")
            .values_list("registered_at", flat=True)
            .first()
        )
        if first is not None:
            rollup_days(timezone.localtime(first).date(), timeutil.today())
    except Exception:  # the import stands; the roll-ups are rebuilt by the worker or `rollup_rebuild`
        log.exception("could not refresh the roll-ups after import batch %s", batch_id)


def batch_submit(*, content: bytes, file_name: str, actor: User) -> ImportBatch:
    """Store the upload; run it now if it is small, else queue it for the worker (progress is polled)."""
    from huiyin.imports.tasks import import_batch_task

    batch = batch_create(content=content, file_name=file_name, actor=actor)
    if batch.total_rows <= SYNC_ROWS:
        batch_run(batch.pk)
    else:
        transaction.on_commit(lambda: import_batch_task.enqueue(batch_id=batch.pk))
    batch.refresh_from_db()
    return batch


def rows_of(batch: ImportBatch) -> Iterator[ImportedCase]:
    return batch.cases.select_related("case").iterator()
