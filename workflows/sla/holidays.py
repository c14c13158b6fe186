"""China's public holidays and adjusted working days (调休), from the `chinese-calendar` package.

The package ships the State Council's notice for each year, so it knows only the years up to
its release (a new release follows each November's notice). For a year it does not know we
add nothing: such a year falls back to the plain weekday rule, and callers can tell from
`china_known_years()` (and `BusinessCalendar.known_years`) that its holidays are missing.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import chinese_calendar


def china_known_years() -> range:
    """The years for which the installed `chinese-calendar` has holidays and adjusted workdays."""
    days = chinese_calendar.holidays.keys()
    return range(min(days).year, max(days).year + 1)


def china_days_off(years: Iterable[int]) -> frozenset[date]:
    """Public holidays in the given years (weekends inside a holiday stretch included)."""
    wanted = set(years)
    return frozenset(day for day in chinese_calendar.holidays if day.year in wanted)


def china_adjusted_workdays(years: Iterable[int]) -> frozenset[date]:
    """Weekend days worked to make up for a holiday (调休上班) in the given years."""
    wanted = set(years)
    return frozenset(day for day in chinese_calendar.workdays if day.year in wanted)
