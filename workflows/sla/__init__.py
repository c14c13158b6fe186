"""Service promises in business time: site calendars, and SLA clocks that pause and stop.

Pure Python, no database and no Flask: the engine and the web app store what `to_dict`
returns and rebuild values with `from_dict`.

    calendar = BusinessCalendar.china("Shanghai")
    clock = SlaClock(started_at=received, target=timedelta(hours=2), calendar=calendar)
    clock.due_at(), clock.fraction_used(now), clock.pause(quote_sent).resume(quote_accepted)
"""

from workflows.sla.calendar import CHINA_OFFICE_HOURS, BusinessCalendar, to_utc
from workflows.sla.clock import Pause, SlaClock, SlaClockError
from workflows.sla.holidays import china_known_years
from workflows.sla.hours import WorkingWindow, office_hours

__all__ = [
    "CHINA_OFFICE_HOURS",
    "BusinessCalendar",
    "Pause",
    "SlaClock",
    "SlaClockError",
    "WorkingWindow",
    "china_known_years",
    "office_hours",
    "to_utc",
]
