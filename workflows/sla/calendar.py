"""Business calendars: when a site works, and business-time arithmetic on real instants.

All arithmetic takes timezone-aware datetimes and returns UTC. Working windows are wall-clock
times in the calendar's zone, turned into real instants day by day through zoneinfo, so a
DST switch is honoured: business time is real time spent inside a window.

Cost: `add`, `elapsed` and `next_open` walk the calendar one local day at a time, doing a
set look-up per day and a zone conversion per window, never minute by minute. A span of D
calendar days with W windows a day costs O(D + D·W); a year is about 730 conversions.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from workflows.sla.holidays import china_adjusted_workdays, china_days_off, china_known_years
from workflows.sla.hours import (
    DAY,
    FULL_DAY,
    DayHours,
    WeeklyHours,
    check_weekly,
    office_hours,
    weekly_from_dict,
    weekly_to_dict,
)

# 售后工程部 office hours from the issue: Mon-Fri with a lunch break.
CHINA_OFFICE_HOURS: WeeklyHours = office_hours("08:30-12:00", "13:00-17:30")

Interval = tuple[datetime, datetime]


@dataclass(frozen=True)
class BusinessCalendar:
    """A site's working time: weekly windows in a time zone, days off, and adjusted workdays.

    `holidays` are extra days off; `workdays` are days worked although their weekday has no
    windows (调休). An adjusted workday works the hours of the first weekday that has any
    (Monday for a Mon-Fri week). `always_open` makes every instant business time (7×24).
    `known_years` lists the years whose holidays are complete; outside them only the weekday
    rule applies (see `covers`).
    """

    name: str
    tz: str
    windows: WeeklyHours
    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()
    always_open: bool = False
    known_years: frozenset[int] = field(default=frozenset())

    def __post_init__(self) -> None:
        # Normalise so that equal calendars compare equal however they were built.
        object.__setattr__(self, "windows", check_weekly(self.windows))
        object.__setattr__(self, "holidays", frozenset(self.holidays))
        object.__setattr__(self, "workdays", frozenset(self.workdays))
        object.__setattr__(self, "known_years", frozenset(self.known_years))
        try:
            ZoneInfo(self.tz)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(
                f'Unknown time zone {self.tz!r}; use an IANA name such as "Asia/Shanghai".'
            ) from exc
        clash = self.holidays & self.workdays
        if clash:
            raise ValueError(
                f"{sorted(clash)[0]} is listed both as a holiday and as a working day; keep one."
            )
        if not self.always_open and not any(self.windows):
            raise ValueError(
                f"Calendar {self.name!r} has no working hours on any weekday; add windows "
                f"or make it a 7×24 calendar."
            )

    # -- construction -------------------------------------------------------------------

    @classmethod
    def china(
        cls,
        name: str,
        windows: WeeklyHours = CHINA_OFFICE_HOURS,
        years: Iterable[int] | None = None,
        tz: str = "Asia/Shanghai",
    ) -> BusinessCalendar:
        """A mainland China calendar with public holidays and 调休 from `chinese-calendar`.

        `years` defaults to every year the package knows; years it does not know are left out
        of `known_years` and follow the plain weekday rule.
        """
        known = china_known_years()
        covered = frozenset(known if years is None else (y for y in years if y in known))
        return cls(
            name=name,
            tz=tz,
            windows=windows,
            holidays=china_days_off(covered),
            workdays=china_adjusted_workdays(covered),
            known_years=covered,
        )

    @classmethod
    def twenty_four_seven(cls, name: str, tz: str = "Asia/Shanghai") -> BusinessCalendar:
        """A calendar for premium contracts: every instant counts, holidays included."""
        return cls(name=name, tz=tz, windows=((),) * 7, always_open=True)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe form, stable across runs (sorted lists, ISO dates)."""
        return {
            "name": self.name,
            "tz": self.tz,
            "always_open": self.always_open,
            "windows": weekly_to_dict(self.windows),
            "holidays": sorted(day.isoformat() for day in self.holidays),
            "workdays": sorted(day.isoformat() for day in self.workdays),
            "known_years": sorted(self.known_years),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> BusinessCalendar:
        """Read the form written by `to_dict`."""
        return cls(
            name=data["name"],
            tz=data["tz"],
            windows=weekly_from_dict(data.get("windows", {})),
            holidays=frozenset(date.fromisoformat(d) for d in data.get("holidays", ())),
            workdays=frozenset(date.fromisoformat(d) for d in data.get("workdays", ())),
            always_open=bool(data.get("always_open", False)),
            known_years=frozenset(int(y) for y in data.get("known_years", ())),
        )

    # -- questions about days -----------------------------------------------------------

    @property
    def zone(self) -> ZoneInfo:
        """The calendar's time zone."""
        return ZoneInfo(self.tz)

    def hours_on(self, day: date) -> DayHours:
        """The working windows of a local date, after holidays and adjusted workdays."""
        if self.always_open:
            return FULL_DAY
        if day in self.holidays:
            return ()
        if day in self.workdays:
            return next(hours for hours in self.windows if hours)
        return self.windows[day.weekday()]

    def covers(self, day: date) -> bool:
        """Whether this calendar knows the public holidays of `day`'s year."""
        return self.always_open or day.year in self.known_years

    # -- business-time arithmetic -------------------------------------------------------

    def is_open(self, at: datetime) -> bool:
        """Whether `at` falls inside a working window."""
        moment = to_utc(at, "at")
        day = moment.astimezone(self.zone).date()
        return any(opens <= moment < closes for opens, closes in self._intervals_on(day))

    def next_open(self, at: datetime) -> datetime:
        """`at` itself if open, otherwise the start of the next working window (UTC)."""
        moment = to_utc(at, "at")
        opens, _ = next(self._intervals_from(moment))
        return max(opens, moment)

    def add(self, start: datetime, duration: timedelta) -> datetime:
        """The instant at which `duration` of business time has passed since `start` (UTC).

        A start outside working hours begins at the next window; a result that lands exactly
        on a window's end stays there. A zero duration returns `start` unchanged.
        """
        cursor = to_utc(start, "start")
        if duration < timedelta(0):
            raise ValueError(f"Business time to add must not be negative; got {duration}.")
        remaining = duration
        if not remaining:
            return cursor
        for opens, closes in self._intervals_from(cursor):
            begin = max(opens, cursor)
            if remaining <= closes - begin:
                return begin + remaining
            remaining -= closes - begin
        raise AssertionError("unreachable: working intervals never run out")

    def elapsed(self, start: datetime, end: datetime) -> timedelta:
        """Business time between two instants (`end` must not be before `start`)."""
        begin, finish = to_utc(start, "start"), to_utc(end, "end")
        if finish < begin:
            raise ValueError(f"The end {end.isoformat()} is before the start {start.isoformat()}.")
        total = timedelta(0)
        if finish == begin:
            return total
        for opens, closes in self._intervals_from(begin):
            if opens >= finish:
                break
            total += min(closes, finish) - max(opens, begin)
        return total

    # -- working intervals as real instants ---------------------------------------------

    def _intervals_from(self, moment: datetime) -> Iterator[Interval]:
        """Working intervals (UTC) that end after `moment`, in order, without end."""
        day = moment.astimezone(self.zone).date()
        while True:
            for opens, closes in self._intervals_on(day):
                if closes > moment:
                    yield opens, closes
            day += DAY

    def _intervals_on(self, day: date) -> list[Interval]:
        """A local date's windows as UTC instants, in order and without overlap."""
        midnight = datetime.combine(day, time(), tzinfo=self.zone)
        intervals: list[Interval] = []
        previous_close = datetime.min.replace(tzinfo=UTC)
        for window in self.hours_on(day):
            # Wall-clock addition, then conversion: honours a DST switch during the day.
            opens = max((midnight + window.opens).astimezone(UTC), previous_close)
            closes = (midnight + window.closes).astimezone(UTC)
            # A window inside a spring-forward gap can map to nothing (or go backwards).
            if closes > opens:
                intervals.append((opens, closes))
                previous_close = closes
        return intervals


def to_utc(value: datetime, name: str = "datetime") -> datetime:
    """`value` in UTC; a naive datetime is refused, since its instant is unknown."""
    if not isinstance(value, datetime):
        raise TypeError(f"{name} must be a datetime; got {type(value).__name__}.")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(
            f"{name} must be timezone-aware (e.g. datetime(..., tzinfo=UTC)); got naive {value}."
        )
    return value.astimezone(UTC)
