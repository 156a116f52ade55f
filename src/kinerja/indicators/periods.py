"""Periods of indicators.md: a range [start, end) of WIB dates, turned into aware UTC bounds.

WIB is UTC+07:00 all year (no daylight saving since 1964), so the bound of a date d is
d 00:00 WIB = (d - 1 day) 17:00 UTC. Filtering on these UTC datetimes lets the database use its
indexes on the stored UTC times and needs no timezone support in SQL."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

WIB = dt.timezone(dt.timedelta(hours=7), "WIB")


def wib_midnight(day: dt.date) -> dt.datetime:
    """00:00 WIB of `day` as an aware UTC datetime (17:00 UTC of the day before)."""
    return dt.datetime(day.year, day.month, day.day, tzinfo=WIB).astimezone(dt.UTC)


def wib_date(moment: dt.datetime) -> dt.date:
    """The WIB calendar date of an aware datetime."""
    return moment.astimezone(WIB).date()


@dataclass(frozen=True)
class Period:
    start: dt.date  # first WIB date, inclusive
    end: dt.date  # WIB date after the last one, exclusive

    def __post_init__(self) -> None:
        if not isinstance(self.start, dt.date) or not isinstance(self.end, dt.date):
            raise TypeError("a period is bounded by two dates")
        if isinstance(self.start, dt.datetime) or isinstance(self.end, dt.datetime):
            raise TypeError("a period is bounded by dates, not datetimes")
        if self.end <= self.start:
            raise ValueError(f"period end {self.end} must be after its start {self.start}")

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(dt.date(year, 1, 1), dt.date(year + 1, 1, 1))

    @property
    def start_utc(self) -> dt.datetime:
        return wib_midnight(self.start)

    @property
    def end_utc(self) -> dt.datetime:
        return wib_midnight(self.end)

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    @property
    def calendar_year(self) -> int | None:
        """year(P) for yearly records: only when P is exactly one calendar year, else None."""
        s = self.start
        if s.month == 1 and s.day == 1 and self.end == dt.date(s.year + 1, 1, 1):
            return s.year
        return None

    def previous(self) -> Period:
        """P_prev: the previous calendar year for a calendar year; else as many days ending at start."""
        year = self.calendar_year
        if year is not None:
            return Period.year(year - 1)
        return Period(self.start - dt.timedelta(days=self.days), self.start)

    def contains(self, moment: dt.datetime) -> bool:
        return self.start_utc <= moment < self.end_utc

    def __str__(self) -> str:
        year = self.calendar_year
        return str(year) if year is not None else f"{self.start.isoformat()}..{self.end.isoformat()}"


# The years a figure may be asked for: the register holds nothing older, and a bound keeps every
# period list short before any work is done (one place for the API, the page and the CLI).
FIRST_YEAR, LAST_YEAR = 1990, 2100
MAX_TREND_YEARS = 50


def check_year(year: int) -> int:
    """`year` itself, or ValueError (bilingual) when it lies outside FIRST_YEAR..LAST_YEAR."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(f"tahun harus {FIRST_YEAR}..{LAST_YEAR} / year must be {FIRST_YEAR}..{LAST_YEAR}: {year}")
    return year


def check_period(period: Period) -> Period:
    """`period` itself, or ValueError when a bound lies outside the allowed years."""
    check_year(period.start.year)
    check_year((period.end - dt.timedelta(days=1)).year)
    return period


def parse_years(text: str) -> list[int]:
    """'2016-2025' -> [2016, ..., 2025]; a single '2020' -> [2020]. The bounds (FIRST_YEAR..LAST_YEAR,
    at most MAX_TREND_YEARS years) are checked before the list is built."""
    parts = text.strip().split("-")
    bad = ValueError(f"tahun harus seperti 2016-2025 / years must look like 2016-2025, not {text[:40]!r}")
    if len(parts) not in (1, 2) or any(not p.strip().isdigit() or len(p.strip()) > 4 for p in parts):
        raise bad
    first, last = int(parts[0]), int(parts[-1])
    if first > last:
        raise bad
    check_year(first)
    check_year(last)
    if last - first + 1 > MAX_TREND_YEARS:
        raise ValueError(f"paling banyak {MAX_TREND_YEARS} tahun / at most {MAX_TREND_YEARS} years")
    return list(range(first, last + 1))


def _month_start(year: int, month: int) -> dt.date:
    return dt.date(year + (month - 1) // 12, (month - 1) % 12 + 1, 1)


# the whole periods of a year: (months per period, periods per year)
WHOLE = {"year": 12, "half": 6, "quarter": 3, "month": 1}


def whole_periods(year: int, kind: str) -> list[Period]:
    """The calendar year, its two halves, four quarters or twelve months, oldest first."""
    step = WHOLE[kind]
    return [Period(_month_start(year, m), _month_start(year, m + step)) for m in range(1, 13, step)]


def whole_kind(period: Period) -> str | None:
    """'year', 'half', 'quarter' or 'month' when `period` is one such whole calendar period, else None.
    Figures that leave the unit are given for these only: two overlapping arbitrary windows would
    give away by difference what each hides."""
    s = period.start
    if s.day != 1:
        return None
    for kind, step in WHOLE.items():
        if (s.month - 1) % step == 0 and period.end == _month_start(s.year, s.month + step):
            return kind
    return None
