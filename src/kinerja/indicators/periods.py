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


def parse_years(text: str) -> list[int]:
    """'2016-2025' -> [2016, ..., 2025]; a single '2020' -> [2020]."""
    parts = text.strip().split("-")
    try:
        if len(parts) == 1:
            return [int(parts[0])]
        if len(parts) == 2:
            first, last = int(parts[0]), int(parts[1])
            if first <= last:
                return list(range(first, last + 1))
    except ValueError:
        pass
    raise ValueError(f"years must look like 2016-2025, not {text!r}")
