"""Cell values of the format: each parser turns one non-empty cell into its Python value or raises Bad.

Plain Python. Tolerant of what spreadsheets write, strict about meaning: dates `YYYY-MM-DD` or
`DD/MM/YYYY` (Indonesian order; whether a file's slash dates are really in that order is the
reader's check across rows, see slash_order), money with `Rp`, thousands dots and a `,00` tail, and
identifiers only as text (a number cell has lost digits or leading zeros). Times without an offset
are WIB and come back as aware UTC datetimes; format_time writes them back in the same form.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from kinerja import identity, vocab
from kinerja.register.tabular import tables
from kinerja.register.tabular.tables import Column

# Asia/Jakarta has kept UTC+7 without daylight saving since 1964; a fixed offset is exact for the
# register's dates and much cheaper than a zoneinfo lookup per cell.
WIB = dt.timezone(dt.timedelta(hours=7), "WIB")
UTC = dt.UTC


class Bad(Exception):
    """A cell that breaks a rule; args are the rule and its message parameters."""

    def __init__(self, rule: str, **params: Any) -> None:
        super().__init__(rule)
        self.rule = rule
        self.params = params


_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TIME_RE = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?")
_MONEY_RE = re.compile(r"(-?)(?:rp\.?\s*)?(-?)(\d+|\d{1,3}(?:\.\d{3})+)(?:,0{1,2}|,-)?", re.IGNORECASE)
_SLASH_DATE_RE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_SLASH_TIME_RE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})[T ](\d{1,2}):(\d{2})(?::(\d{2}))?")
_EXPONENT_RE = re.compile(r"[+-]?\d+(?:[.,]\d+)?[eE][+-]?\d+")
_INT_RE = re.compile(r"[+-]?\d+")
_TRUE = frozenset({"ya", "true", "1"})
_FALSE = frozenset({"tidak", "false", "0"})


def _integral(value: float) -> int | None:
    return int(value) if value == value and value not in (float("inf"), float("-inf")) and value == int(value) \
        else None


def parse_date(raw: Any) -> dt.date:
    if isinstance(raw, dt.datetime):  # Excel date cells arrive as midnight datetimes
        if raw.time() != dt.time(0):
            raise Bad("date")
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    if isinstance(raw, str) and "/" in raw:
        m = _SLASH_DATE_RE.fullmatch(raw)
        if m is None:
            raise Bad("date")
        return _slash_date(m.group(1), m.group(2), m.group(3), "date")
    if not isinstance(raw, str) or not _DATE_RE.fullmatch(raw):
        raise Bad("date")
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise Bad("date") from None


_SEVEN_HOURS = dt.timedelta(hours=7)


def _slash_date(day: str, month: str, year: str, rule: str) -> dt.date:
    """DD/MM/YYYY; a date valid only as month/day (a US-locale sheet) gets its own rule."""
    d, m = int(day), int(month)
    try:
        return dt.date(int(year), m, d)
    except ValueError:
        if m > 12 and d <= 12:
            try:
                dt.date(int(year), d, m)
            except ValueError:
                pass
            else:
                raise Bad("date_month_day") from None
        raise Bad(rule) from None


def slash_order(raw: Any) -> str | None:
    """How a text date or time in slash form can be read: "dm" (only day/month), "md" (only
    month/day), "both" (day and month both <= 12 and different), None when not in slash form or the
    same either way. The reader collects these per file: one "md" makes every "both" a guess."""
    if raw.__class__ is not str or "/" not in raw:
        return None
    m = _SLASH_DATE_RE.match(raw)
    if m is None:
        return None
    a, b = int(m.group(1)), int(m.group(2))
    if a == b or a > 31 or b > 31:
        return None
    if a <= 12 and b <= 12:
        return "both"
    return "md" if b > 12 else "dm"


def parse_time(raw: Any) -> dt.datetime:
    """An aware UTC datetime; a time without an offset (and every Excel time) is WIB."""
    if isinstance(raw, dt.datetime):
        value = raw
    elif isinstance(raw, str) and "/" in raw:
        m = _SLASH_TIME_RE.fullmatch(raw)
        if m is None:
            raise Bad("time")
        day = _slash_date(m.group(1), m.group(2), m.group(3), "time")
        hour, minute, second = int(m.group(4)), int(m.group(5)), int(m.group(6) or 0)
        if hour > 23 or minute > 59 or second > 59:
            raise Bad("time")
        value = dt.datetime(day.year, day.month, day.day, hour, minute, second)
    else:
        # the common shape is checked by position (cheaper than the regex, which handles the rest)
        if not isinstance(raw, str) or not (
                len(raw) in (16, 19) and raw[4] == "-" and raw[7] == "-" and raw[10] in "T " and raw[13] == ":"
                and (len(raw) == 16 or raw[16] == ":")) and not _TIME_RE.fullmatch(raw):
            raise Bad("time")
        try:
            value = dt.datetime.fromisoformat(raw)
        except ValueError:
            raise Bad("time") from None
    try:
        if value.tzinfo is None:
            return (value - _SEVEN_HOURS).replace(tzinfo=UTC)
        return value.astimezone(UTC)
    except OverflowError:  # year 1 minus seven hours
        raise Bad("time") from None


def format_time(value: dt.datetime | None) -> str:
    """The export form of a time: WIB, ISO 8601 without offset (what parse_time reads back)."""
    if value is None:
        return ""
    return value.astimezone(WIB).replace(tzinfo=None).isoformat()


def parse_bool(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, int | float):
        if raw in (0, 1):
            return bool(raw)
        raise Bad("bool")
    low = str(raw).lower()
    if low in _TRUE:
        return True
    if low in _FALSE:
        return False
    raise Bad("bool")


def parse_money(raw: Any) -> int:
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        value = _integral(float(raw)) if isinstance(raw, float) else raw
        if value is None:
            raise Bad("money")
    else:
        m = _MONEY_RE.fullmatch(raw) if isinstance(raw, str) else None
        if m is None or (m.group(1) and m.group(2)):
            raise Bad("money")
        value = int(m.group(3).replace(".", ""))
        if m.group(1) or m.group(2):
            value = -value
    if value < 0:
        raise Bad("negative")
    if value > 10**15:
        raise Bad("range", min=0, max=10**15)
    return value


def parse_int(raw: Any) -> int:
    if isinstance(raw, bool):
        raise Bad("integer")
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float):
        value = _integral(raw)
        if value is None:
            raise Bad("integer")
        return value
    if not isinstance(raw, str) or not _INT_RE.fullmatch(raw):
        raise Bad("integer")
    return int(raw)


def _decimal_text(raw: Any) -> str:
    if isinstance(raw, bool):
        raise Bad("number")
    if isinstance(raw, int | float):
        return repr(raw)
    s = str(raw)
    if "," in s and "." not in s:  # Indonesian decimal comma: 2,5
        s = s.replace(",", ".")
    return s


def parse_decimal(raw: Any) -> Decimal:
    try:
        value = Decimal(_decimal_text(raw))
    except (InvalidOperation, Bad):
        raise Bad("decimal") from None
    if not value.is_finite() or value != value.quantize(Decimal("0.01")):
        raise Bad("decimal")
    return value


def parse_number(raw: Any) -> float:
    try:
        value = float(_decimal_text(raw))
    except (ValueError, Bad):
        raise Bad("number") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise Bad("number")
    return value


def _as_text_identifier(raw: Any) -> str:
    """An identifier cell as text: a number cell or a number in exponent form has lost digits (a
    spreadsheet keeps 15) or leading zeros, so it is refused with the remedy."""
    if isinstance(raw, int | float | Decimal) and not isinstance(raw, bool):
        raise Bad("identifier_number")
    text = str(raw)
    if _EXPONENT_RE.fullmatch(text.strip()):
        raise Bad("identifier_number")
    return text


def parse_nik(raw: Any) -> str:
    nik = _as_text_identifier(raw).replace(" ", "")
    problem = identity.nik_problem(nik)
    if problem == "16 digits":
        raise Bad("nik_digits")
    if problem:
        raise Bad("nik_date")
    return nik


def _text_of(raw: Any) -> str:
    if isinstance(raw, str):
        return raw
    if isinstance(raw, bool):
        return "ya" if raw else "tidak"
    if isinstance(raw, float):
        value = _integral(raw)
        return str(value) if value is not None else repr(raw)
    if isinstance(raw, dt.datetime):
        return raw.isoformat()
    return str(raw)


def parser(column: Column) -> Callable[[Any], Any]:
    """The function that turns a non-empty cell of this column into its value (or raises Bad)."""
    kind = column.kind
    if kind == tables.TEXT and column.identifier:
        limit = column.max_length

        def parse_identifier(raw: Any) -> str:
            value = _as_text_identifier(raw)
            if limit is not None and len(value) > limit:
                raise Bad("too_long", max=limit)
            return value

        return parse_identifier
    if kind == tables.TEXT:
        limit = column.max_length

        def parse_text(raw: Any) -> str:
            value = _text_of(raw)
            if limit is not None and len(value) > limit:
                raise Bad("too_long", max=limit)
            return value

        return parse_text
    if kind == tables.CODE:
        assert column.vocab is not None
        voc = vocab.ALL[column.vocab]
        codes = frozenset(voc.codes)
        choices = f" ({', '.join(voc.codes)})" if len(voc.codes) <= 8 else ""

        def parse_code(raw: Any) -> str:
            value = _text_of(raw)
            if value not in codes:
                raise Bad("code", vocab=voc.name, choices=choices)
            return value

        return parse_code
    if kind in (tables.INT, tables.DECIMAL, tables.NUMBER):
        base = {tables.INT: parse_int, tables.DECIMAL: parse_decimal, tables.NUMBER: parse_number}[kind]
        low, high = column.minimum, column.maximum
        if low is None and high is None:
            return base

        def parse_ranged(raw: Any) -> Any:
            value: Any = base(raw)
            if (low is not None and value < low) or (high is not None and value > high):
                if low == 0 and value < 0:
                    raise Bad("negative")
                raise Bad("range", min=_num(low), max=_num(high))
            return value

        return parse_ranged
    return {
        tables.DATE: parse_date, tables.TIME: parse_time, tables.BOOL: parse_bool,
        tables.MONEY: parse_money, tables.NIK: parse_nik,
    }[kind]


def _num(value: float | None) -> str:
    if value is None:
        return "-"
    return str(int(value)) if value == int(value) else str(value)


def parse_value(column: Column, raw: Any) -> Any:
    """One cell, as the importer reads it: None when empty; raises Bad when it breaks a rule."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        if column.required:
            raise Bad("required")
        return None
    return parser(column)(raw.strip() if isinstance(raw, str) else raw)
