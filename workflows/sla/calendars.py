"""The department's calendars by name, and `sla_due`, the business-time function diagrams call.

Two calendars are built in: "standard" (office hours in Shanghai with China's public holidays
and adjusted working days) and "24x7" (premium contracts). A customer site's calendar travels
in the case data as a spec, `site:<zone>|<windows>|<weekdays>|<holidays>` (see
`calendar_spec`): a case keeps counting on the calendar it was opened with, even if the site's
hours are edited later, and no database is needed to read it. Parsed calendars are cached.
"""

from __future__ import annotations

import re
from datetime import timedelta
from functools import cache

from engine.evaluator import ExpressionError
from engine.models import utcnow

from .calendar import BusinessCalendar
from .hours import WEEKDAY_KEYS, office_hours

_ISO_DURATION = re.compile(
    r"^P(?:(?P<weeks>\d+(?:\.\d+)?)W)?(?:(?P<days>\d+(?:\.\d+)?)D)?"
    r"(?:T(?:(?P<hours>\d+(?:\.\d+)?)H)?(?:(?P<minutes>\d+(?:\.\d+)?)M)?(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?$"
)


@cache
def _builtin() -> dict[str, BusinessCalendar]:
    return {
        "standard": BusinessCalendar.china("standard"),
        "24x7": BusinessCalendar.twenty_four_seven("24x7", "Asia/Shanghai"),
    }


SITE_PREFIX = "site:"
HOLIDAY_RULES = ("CN", "none")


def calendar_spec(timezone: str, hours: str, weekdays: str, holidays: str) -> str:
    """The spec of a site's calendar, checked by parsing it: e.g.
    `site:Asia/Shanghai|08:30-12:00,13:00-17:30|mon-fri|CN`."""
    spec = f"{SITE_PREFIX}{timezone}|{hours}|{weekdays}|{holidays}"
    calendar(spec)
    return spec


def calendar(name: str) -> BusinessCalendar:
    if name in _builtin():
        return _builtin()[name]
    if isinstance(name, str) and name.startswith(SITE_PREFIX):
        return _site_calendar(name)
    raise ExpressionError(
        f"There is no business calendar '{name}'. Use one of: {', '.join(sorted(_builtin()))}.",
        f"没有名为“{name}”的工作日历。可用的有：{'、'.join(sorted(_builtin()))}。",
    )


def _weekday_numbers(text: str) -> list[int]:
    """'mon-fri' or 'mon,wed,sat' → weekday numbers (Monday 0)."""
    days: list[int] = []
    for part in text.split(","):
        first, _, last = part.strip().partition("-")
        start = WEEKDAY_KEYS.index(first)
        days.extend(range(start, WEEKDAY_KEYS.index(last) + 1) if last else [start])
    return days


@cache
def _site_calendar(spec: str) -> BusinessCalendar:
    try:
        tz, hours, weekdays, holidays = spec.removeprefix(SITE_PREFIX).split("|")
        if holidays not in HOLIDAY_RULES:
            raise ValueError(holidays)
        windows = office_hours(*hours.split(","), days=_weekday_numbers(weekdays))
        if holidays == "CN":
            return BusinessCalendar.china(spec, windows=windows, tz=tz)
        return BusinessCalendar(name=spec, tz=tz, windows=windows)
    except (ValueError, KeyError) as exc:
        raise ExpressionError(
            f"The site calendar '{spec}' cannot be read ({exc}). Write it as "
            "zone|hours|weekdays|holidays, e.g. Asia/Shanghai|08:30-12:00,13:00-17:30|mon-fri|CN.",
            f"无法读取站点日历“{spec}”（{exc}）。格式为 时区|工作时段|工作日|节假日，"
            "例如 Asia/Shanghai|08:30-12:00,13:00-17:30|mon-fri|CN。",
        ) from None


def parse_duration(text: str) -> timedelta:
    """An ISO 8601 duration without years or months (their length depends on the date)."""
    match = _ISO_DURATION.match(text.strip()) if isinstance(text, str) else None
    if not match or text.strip() in ("P", "PT"):
        raise ExpressionError(
            f"'{text}' is not a duration. Write it in ISO 8601, for example PT2H or P3D.",
            f"“{text}”不是时长。请用 ISO 8601 格式书写，例如 PT2H 或 P3D。",
        )
    parts = {k: float(v) for k, v in match.groupdict().items() if v}
    return timedelta(**parts)


def sla_due(within: str, calendar_name: str = "standard") -> str:
    """When `within` of business time on `calendar_name` will have passed from now (ISO, UTC)."""
    return calendar(calendar_name).add(utcnow(), parse_duration(within)).isoformat()
