"""The department's calendars by name, and `sla_due`, the business-time function diagrams call.

Calendars are few and change rarely, so they live in memory: "standard" (office hours in
Shanghai with China's public holidays and adjusted working days) and "24x7" (premium
contracts). A calendar per customer site arrives with the customer records.
"""

from __future__ import annotations

import re
from datetime import timedelta
from functools import cache

from engine.evaluator import ExpressionError
from engine.models import utcnow

from .calendar import BusinessCalendar

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


def calendar(name: str) -> BusinessCalendar:
    try:
        return _builtin()[name]
    except KeyError:
        raise ExpressionError(
            f"There is no business calendar '{name}'. Use one of: {', '.join(sorted(_builtin()))}.",
            f"没有名为“{name}”的工作日历。可用的有：{'、'.join(sorted(_builtin()))}。",
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
