"""Working hours: the windows of a working day, written as "08:30-12:00", and the week.

A window is kept as offsets from local midnight rather than as `time` objects so that a
window may end at "24:00" (midnight of the next day) without a special value.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta

WEEKDAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY = timedelta(days=1)
MINUTE = timedelta(minutes=1)


@dataclass(frozen=True, order=True)
class WorkingWindow:
    """One stretch of working time on a day, as offsets from local midnight: [opens, closes)."""

    opens: timedelta
    closes: timedelta

    def __post_init__(self) -> None:
        if not timedelta(0) <= self.opens < self.closes <= DAY:
            raise ValueError(
                f"A working window must open before it closes, within one day (00:00-24:00); "
                f"got {self}. Split a night shift into two windows on consecutive days."
            )
        if self.opens % MINUTE or self.closes % MINUTE:
            raise ValueError(f"Working windows are set in whole minutes; got {self!r}.")

    @classmethod
    def parse(cls, text: str) -> WorkingWindow:
        """Read a window written "HH:MM-HH:MM", e.g. "08:30-12:00" or "18:00-24:00"."""
        opens, sep, closes = text.partition("-")
        if not sep:
            raise ValueError(
                f'Write a working window as "HH:MM-HH:MM", e.g. "08:30-12:00"; got {text!r}.'
            )
        return cls(_parse_clock(opens), _parse_clock(closes))

    def __str__(self) -> str:
        return f"{_format_clock(self.opens)}-{_format_clock(self.closes)}"

    @property
    def length(self) -> timedelta:
        """Nominal length on the wall clock (a DST switch inside the window changes the real one)."""
        return self.closes - self.opens


DayHours = tuple[WorkingWindow, ...]
# Seven entries, Monday first (index = date.weekday()).
WeeklyHours = tuple[DayHours, ...]

FULL_DAY: DayHours = (WorkingWindow(timedelta(0), DAY),)


def office_hours(*windows: str, days: Iterable[int] = range(5)) -> WeeklyHours:
    """The same windows on the given weekdays (0 = Monday), e.g. office_hours("08:30-12:00", "13:00-17:30")."""
    day_hours = day_hours_from(windows)
    chosen = set(days)
    return tuple(day_hours if weekday in chosen else () for weekday in range(7))


def day_hours_from(windows: Iterable[str | WorkingWindow]) -> DayHours:
    """Parse, sort and check one day's windows: they may touch but not overlap."""
    parsed = sorted(w if isinstance(w, WorkingWindow) else WorkingWindow.parse(w) for w in windows)
    for earlier, later in zip(parsed, parsed[1:], strict=False):
        if later.opens < earlier.closes:
            raise ValueError(
                f"Working windows {earlier} and {later} overlap; merge or shorten one."
            )
    return tuple(parsed)


def check_weekly(windows: Sequence[DayHours]) -> WeeklyHours:
    """Validate a week of hours: seven days, each sorted and without overlaps."""
    if len(windows) != 7:
        raise ValueError(f"Give working hours for 7 weekdays (Monday first); got {len(windows)}.")
    return tuple(day_hours_from(day) for day in windows)


def weekly_to_dict(windows: WeeklyHours) -> dict[str, list[str]]:
    """JSON form: {"mon": ["08:30-12:00", "13:00-17:30"], ...}; days off are left out."""
    return {
        key: [str(w) for w in day] for key, day in zip(WEEKDAY_KEYS, windows, strict=True) if day
    }


def weekly_from_dict(data: Mapping[str, Iterable[str]]) -> WeeklyHours:
    """Read the JSON form written by `weekly_to_dict`."""
    unknown = set(data) - set(WEEKDAY_KEYS)
    if unknown:
        raise ValueError(f"Unknown weekday keys {sorted(unknown)}; use {', '.join(WEEKDAY_KEYS)}.")
    return tuple(day_hours_from(data.get(key, ())) for key in WEEKDAY_KEYS)


def _parse_clock(text: str) -> timedelta:
    hours, sep, minutes = text.strip().partition(":")
    if not (sep and hours.isdigit() and minutes.isdigit() and len(minutes) == 2):
        raise ValueError(f'Write a time of day as "HH:MM" (00:00 to 24:00); got {text!r}.')
    value = timedelta(hours=int(hours), minutes=int(minutes))
    if int(minutes) >= 60 or value > DAY:
        raise ValueError(f'Write a time of day as "HH:MM" (00:00 to 24:00); got {text!r}.')
    return value


def _format_clock(offset: timedelta) -> str:
    minutes = int(offset.total_seconds()) // 60
    return f"{minutes // 60:02d}:{minutes % 60:02d}"
