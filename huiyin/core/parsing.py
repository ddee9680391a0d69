"""Parse request data into what the database can hold; refuse, never crash (issue 9, hole 9).

`str.isdigit()` is True for '²' and '①' (which `int()` refuses) and says nothing about size, so every
id that comes from a request goes through `parse_id`: ASCII digits only, within the bigint range
PostgreSQL and SQLite share. Calendar edges (0001-01-01, 9999-12-31) are real dates whose local
midnight or next day cannot be represented as an aware datetime; `day_start` says so instead of
raising OverflowError in the middle of a query.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from datetime import timezone as dt_timezone

from django.utils import timezone

# The largest id or integer either database stores (BIGINT / SQLite INTEGER).
DB_INT_MAX = 2**63 - 1
_ASCII_DIGITS = re.compile(r"[0-9]{1,19}")


def parse_id(value: object) -> int | None:
    """The positive database id written in `value` (ASCII digits only, ≤ 2^63-1), or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 < value <= DB_INT_MAX else None
    text = str(value).strip() if value is not None else ""
    if not _ASCII_DIGITS.fullmatch(text):
        return None
    number = int(text)
    return number if 0 < number <= DB_INT_MAX else None


def parse_ids(values: str, *, separator: str = ",") -> list[int]:
    """The valid ids of a separated list (others dropped)."""
    return [n for n in (parse_id(v) for v in values.split(separator)) if n is not None]


def day_start(day: date) -> datetime | None:
    """The aware start of local `day`, or None when it lies outside what a datetime can hold in UTC
    (then a filter "from this day" has no lower bound and "before this day" no upper bound)."""
    try:
        moment = timezone.make_aware(datetime.combine(day, time.min))
        moment.astimezone(UTC)  # the database compares in UTC
    except (OverflowError, ValueError):
        return None
    return moment


def day_after_start(day: date) -> datetime | None:
    """The aware start of the day after local `day`, or None past the calendar's end."""
    try:
        return day_start(day + timedelta(days=1))
    except OverflowError:
        return None


def contains_nul(text: str) -> bool:
    return "\x00" in text


# RFC 3339 / W3C date-time as GeoReport v2 asks for it: a full date, a time, and Z or ±hh:mm.
_W3C_DATETIME = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2})[Tt ](?P<time>\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?)"
    r"(?P<tz>[Zz]|[+-]\d{2}:\d{2})"
)
MAX_OFFSET = timedelta(hours=18)  # the widest offset in use (and ISO 8601 / java.time's limit)


def parse_w3c_datetime(text: str) -> datetime:
    """The aware moment in `text` (e.g. 2025-03-01T00:00:00+08:00); ValueError for anything else:
    impossible days (2025-02-30), hours past 23, offsets beyond ±18:00, or a moment before year 1 or
    after year 9999 once put in UTC."""
    match = _W3C_DATETIME.fullmatch(text.strip())
    if match is None:
        raise ValueError("not a W3C date-time")
    tz = match["tz"]
    if tz in ("Z", "z"):
        offset = timedelta(0)
    else:
        hours, minutes = int(tz[1:3]), int(tz[4:6])
        if minutes > 59:
            raise ValueError("offset minutes")
        offset = timedelta(hours=hours, minutes=minutes) * (-1 if tz[0] == "-" else 1)
        if abs(offset) > MAX_OFFSET:
            raise ValueError("offset beyond ±18:00")
    moment = datetime.fromisoformat(f"{match['date']}T{match['time']}").replace(tzinfo=dt_timezone(offset))
    try:
        moment.astimezone(UTC)
    except OverflowError:
        raise ValueError("outside the representable range") from None
    return moment
