"""Business time on a frozen clock: every instant is built explicitly, nothing sleeps.

The China calendar uses the real 2026 holidays from `chinese-calendar`: National Day
1-7 October 2026 (Thursday to Wednesday), made up on Sunday 20 September and Saturday
10 October.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest

from workflows.sla import (
    BusinessCalendar,
    SlaClock,
    SlaClockError,
    WorkingWindow,
    china_known_years,
    office_hours,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")
H = timedelta(hours=1)
WORKDAY = 8 * H  # 08:30-12:00 and 13:00-17:30

SITE = BusinessCalendar.china("Shanghai plant")
PREMIUM = BusinessCalendar.twenty_four_seven("Premium 7x24")
BERLIN_SITE = BusinessCalendar("Berlin", "Europe/Berlin", office_hours("08:00-17:00"))


def sh(*parts: int) -> datetime:
    """A Shanghai wall-clock instant."""
    return datetime(*parts, tzinfo=SHANGHAI)


def berlin(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=BERLIN)


def test_the_package_knows_2026():
    assert 2026 in china_known_years()
    assert SITE.covers(date(2026, 10, 1))
    assert chinese_calendar.is_holiday(date(2026, 10, 1))
    assert chinese_calendar.is_workday(date(2026, 10, 10))  # a Saturday


def test_reply_sla_started_friday_afternoon_is_due_monday_morning():
    due = SITE.add(sh(2026, 3, 6, 16, 30), 2 * H)  # Friday
    assert due == sh(2026, 3, 9, 9, 30)  # Monday: 1 h on Friday, 1 h on Monday
    assert due.tzinfo is UTC
    assert due == datetime(2026, 3, 9, 1, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("start", "due"),
    [
        (sh(2026, 3, 10, 12, 15), sh(2026, 3, 10, 15, 0)),  # lunch break: begins at 13:00
        (sh(2026, 3, 10, 11, 0), sh(2026, 3, 10, 14, 0)),  # 1 h before lunch, 1 h after
        (sh(2026, 3, 10, 7, 0), sh(2026, 3, 10, 10, 30)),  # before opening
        (sh(2026, 3, 10, 17, 45), sh(2026, 3, 11, 10, 30)),  # after closing
        (sh(2026, 3, 10, 10, 0), sh(2026, 3, 10, 12, 0)),  # lands on a window end: stays
        (sh(2026, 3, 7, 10, 0), sh(2026, 3, 9, 10, 30)),  # Saturday
    ],
)
def test_two_hour_reply_around_lunch_nights_and_weekends(start, due):
    assert SITE.add(start, 2 * H) == due


@pytest.mark.parametrize(
    ("start", "due", "why"),
    [
        (sh(2026, 9, 30, 16, 30), sh(2026, 10, 8, 9, 30), "National Day 1-7 October"),
        (sh(2026, 10, 9, 16, 30), sh(2026, 10, 10, 9, 30), "Saturday 10 October is worked"),
        (sh(2026, 9, 19, 10, 0), sh(2026, 9, 20, 10, 30), "Sunday 20 September is worked"),
        (sh(2026, 9, 24, 16, 30), sh(2026, 9, 28, 9, 30), "Mid-autumn Friday 25 September"),
    ],
)
def test_chinese_holidays_and_adjusted_working_days(start, due, why):
    assert SITE.add(start, 2 * H) == due, why


def test_an_adjusted_saturday_works_the_weekday_hours():
    saturday = date(2026, 10, 10)
    assert SITE.hours_on(saturday) == SITE.windows[0]
    assert SITE.is_open(sh(2026, 10, 10, 9, 0))
    assert not SITE.is_open(sh(2026, 10, 10, 12, 30))


def test_a_plain_weekday_calendar_ignores_holidays():
    plain = BusinessCalendar("plain", "Asia/Shanghai", office_hours("08:30-12:00", "13:00-17:30"))
    assert plain.add(sh(2026, 9, 30, 16, 30), 2 * H) == sh(2026, 10, 1, 9, 30)
    assert plain.add(sh(2026, 10, 9, 16, 30), 2 * H) == sh(2026, 10, 12, 9, 30)


def test_a_year_the_package_does_not_know_falls_back_to_the_weekday_rule():
    future = max(china_known_years()) + 1
    calendar = BusinessCalendar.china("future", years=[2026, future])
    assert calendar.known_years == {2026}
    assert not calendar.covers(date(future, 1, 1))
    assert {day.year for day in calendar.holidays | calendar.workdays} == {2026}
    monday = next(date(future, 10, d) for d in range(1, 8) if date(future, 10, d).weekday() == 0)
    assert calendar.hours_on(monday) == calendar.windows[0]


def test_a_thirty_business_day_sla_skips_weekends_and_holidays():
    # From the morning of 2026-09-01, thirty working days end at 17:30 on the 30th one.
    due = SITE.add(sh(2026, 9, 1, 8, 30), 30 * WORKDAY)
    last_day = chinese_calendar.find_workday(29, date(2026, 9, 1))
    assert due == sh(last_day.year, last_day.month, last_day.day, 17, 30)


@pytest.mark.parametrize(
    ("instant", "open_"),
    [
        # 2026-03-10 01:00 UTC is Tuesday 09:00 in Shanghai: open, though UTC says 01:00.
        (datetime(2026, 3, 10, 1, 0, tzinfo=UTC), True),
        # 2026-03-09 23:00 UTC (Monday) is Tuesday 07:00 in Shanghai: not yet open.
        (datetime(2026, 3, 9, 23, 0, tzinfo=UTC), False),
        # Friday 20:00 UTC is Saturday 04:00 in Shanghai.
        (datetime(2026, 3, 6, 20, 0, tzinfo=UTC), False),
        # 2026-10-09 16:30 UTC (Friday) is 00:30 on the worked Saturday: closed until 08:30.
        (datetime(2026, 10, 9, 16, 30, tzinfo=UTC), False),
    ],
)
def test_open_is_judged_on_the_sites_local_date(instant, open_):
    assert SITE.is_open(instant) is open_


def test_time_zone_boundary_uses_the_local_date():
    # Monday 23:00 UTC is already Tuesday 07:00 in Shanghai.
    start = datetime(2026, 3, 9, 23, 0, tzinfo=UTC)
    assert SITE.next_open(start) == sh(2026, 3, 10, 8, 30)
    assert SITE.add(start, 2 * H) == datetime(2026, 3, 10, 2, 30, tzinfo=UTC)
    # Friday 20:00 UTC is Saturday in Shanghai: next open is Monday 08:30 local.
    assert SITE.next_open(datetime(2026, 3, 6, 20, 0, tzinfo=UTC)) == sh(2026, 3, 9, 8, 30)
    # Any aware zone goes in; UTC comes out.
    new_york = datetime(2026, 3, 9, 19, 0, tzinfo=ZoneInfo("America/New_York"))
    assert SITE.add(new_york, 2 * H) == datetime(2026, 3, 10, 2, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("start", "due"),
    [
        # Spring forward on Sunday 29 March 2026: Friday is UTC+1, Monday UTC+2.
        (berlin(2026, 3, 27, 16, 0), datetime(2026, 3, 30, 7, 0, tzinfo=UTC)),
        # Fall back on Sunday 25 October 2026: Friday is UTC+2, Monday UTC+1.
        (berlin(2026, 10, 23, 16, 0), datetime(2026, 10, 26, 8, 0, tzinfo=UTC)),
    ],
)
def test_working_hours_follow_the_dst_switch(start, due):
    assert BERLIN_SITE.add(start, 2 * H) == due
    assert due == berlin(due.astimezone(BERLIN).year, due.month, due.day, 9, 0)
    assert BERLIN_SITE.elapsed(start, due) == 2 * H


@pytest.mark.parametrize(("day", "hours"), [(29, 23), (25, 25)])
def test_a_whole_day_window_is_real_time_on_switch_days(day, hours):
    sundays = BusinessCalendar("Sundays", "Europe/Berlin", office_hours("00:00-24:00", days=[6]))
    month = 3 if day == 29 else 10
    start, end = berlin(2026, month, day), berlin(2026, month, day + 1)
    assert sundays.elapsed(start, end) == hours * H


@pytest.mark.parametrize(
    ("target", "due"),
    [
        (H / 2, sh(2026, 10, 3, 23, 30)),
        (1.5 * H, sh(2026, 10, 4, 0, 30)),
        (2 * H, sh(2026, 10, 4, 1, 0)),
    ],
)
def test_premium_seven_by_twenty_four_counts_nights_weekends_and_holidays(target, due):
    start = sh(2026, 10, 3, 23, 0)  # Saturday night of National Day
    assert PREMIUM.add(start, target) == due
    assert PREMIUM.elapsed(start, due) == target
    assert PREMIUM.is_open(start)


STARTS = [
    sh(2026, 3, 6, 16, 30),
    sh(2026, 3, 10, 12, 15),
    sh(2026, 9, 30, 17, 0),
    datetime(2026, 3, 9, 23, 0, tzinfo=UTC),
]
DURATIONS = [timedelta(0), timedelta(minutes=1), 2 * H, 12 * H, 24 * H, 3 * WORKDAY + 17 * H / 7]


@pytest.mark.parametrize("start", STARTS)
@pytest.mark.parametrize("duration", DURATIONS)
def test_elapsed_is_the_inverse_of_add(start, duration):
    assert SITE.elapsed(start, SITE.add(start, duration)) == duration


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (sh(2026, 3, 6, 16, 30), sh(2026, 3, 9, 9, 30)),  # over a weekend
        (sh(2026, 3, 10, 12, 15), sh(2026, 3, 11, 14, 15)),  # from the lunch break
        (sh(2026, 9, 30, 9, 0), sh(2026, 10, 10, 11, 59)),  # over National Day
        (sh(2026, 3, 6, 16, 30), sh(2026, 3, 6, 17, 30)),  # to a window end
    ],
)
def test_add_undoes_elapsed_when_the_end_is_in_working_time(start, end):
    assert SITE.add(start, SITE.elapsed(start, end)) == end


def test_elapsed_over_a_year_counts_every_working_day():
    elapsed = SITE.elapsed(sh(2026, 1, 1), sh(2027, 1, 1))
    working_days = chinese_calendar.get_workdays(date(2026, 1, 1), date(2026, 12, 31))
    assert elapsed == len(working_days) * WORKDAY


@pytest.mark.parametrize(
    "call",
    [
        lambda: SITE.add(datetime(2026, 3, 6, 16, 30), H),
        lambda: SITE.elapsed(datetime(2026, 3, 6), sh(2026, 3, 7)),
        lambda: SITE.is_open(datetime(2026, 3, 6, 9)),
        lambda: SITE.next_open(datetime(2026, 3, 6, 9)),
        lambda: SlaClock(started_at=datetime(2026, 3, 6), target=H, calendar=SITE),
    ],
)
def test_naive_datetimes_are_refused(call):
    with pytest.raises(ValueError, match="timezone-aware"):
        call()


def test_bad_input_is_refused_with_a_sentence():
    with pytest.raises(ValueError, match="before the start"):
        SITE.elapsed(sh(2026, 3, 7), sh(2026, 3, 6))
    with pytest.raises(ValueError, match="must not be negative"):
        SITE.add(sh(2026, 3, 6), -H)
    with pytest.raises(ValueError, match="overlap"):
        office_hours("08:00-12:00", "11:00-14:00")
    with pytest.raises(ValueError, match="HH:MM"):
        WorkingWindow.parse("8h-12h")
    with pytest.raises(ValueError, match="time zone"):
        BusinessCalendar("x", "Mars/Olympus", office_hours("08:00-17:00"))
    with pytest.raises(ValueError, match="no working hours"):
        BusinessCalendar("x", "UTC", ((),) * 7)


def test_calendars_round_trip_through_json():
    for calendar in (SITE, PREMIUM, BERLIN_SITE):
        stored = json.loads(json.dumps(calendar.to_dict()))
        assert BusinessCalendar.from_dict(stored) == calendar
    assert SITE.to_dict()["windows"]["mon"] == ["08:30-12:00", "13:00-17:30"]
    assert "sat" not in SITE.to_dict()["windows"]


# -- the SLA clock ------------------------------------------------------------------------


def resolve_clock(target: timedelta = 8 * H) -> SlaClock:
    return SlaClock(started_at=sh(2026, 3, 10, 10, 0), target=target, calendar=SITE)  # Tuesday


def test_a_pause_that_spans_a_night_is_not_charged():
    clock = resolve_clock().pause(sh(2026, 3, 10, 16, 0)).resume(sh(2026, 3, 11, 11, 0))
    # Tue 10-12 and 13-16 (5 h), then Wed from 11:00; Tue 16-17:30 and Wed 08:30-11 are not charged.
    assert clock.used(sh(2026, 3, 11, 12, 0)) == 6 * H
    assert clock.due_at() == sh(2026, 3, 11, 15, 0)  # 2 h left at noon, lunch, 13-15
    assert clock.remaining(sh(2026, 3, 11, 12, 0)) == 2 * H
    assert clock.fraction_used(sh(2026, 3, 11, 12, 0)) == pytest.approx(0.75)
    assert not clock.breached(sh(2026, 3, 11, 15, 0))
    assert clock.breached(sh(2026, 3, 11, 15, 1))


def test_while_paused_nothing_is_charged_and_the_deadline_is_open():
    paused = resolve_clock().pause(sh(2026, 3, 10, 16, 0))
    assert paused.is_paused
    assert paused.used(sh(2026, 3, 13, 17, 0)) == 5 * H
    assert paused.due_at() is None
    assert not paused.breached(sh(2026, 3, 20, 9, 0))


def test_closing_while_paused_charges_nothing_for_the_pause():
    clock = resolve_clock(2 * H).pause(sh(2026, 3, 10, 11, 0)).stop(sh(2026, 3, 11, 10, 0))
    assert clock.is_stopped and not clock.is_paused
    assert clock.pauses[-1].resumed_at == sh(2026, 3, 11, 10, 0)
    assert clock.used(sh(2026, 3, 20, 9, 0)) == H
    assert not clock.breached(sh(2026, 3, 20, 9, 0))
    assert clock.fraction_used(sh(2026, 3, 20, 9, 0)) == pytest.approx(0.5)


def test_a_premium_pause_overnight():
    clock = SlaClock(started_at=sh(2026, 10, 3, 22, 0), target=2 * H, calendar=PREMIUM)
    clock = clock.pause(sh(2026, 10, 3, 23, 0)).resume(sh(2026, 10, 4, 7, 0))
    assert clock.used(sh(2026, 10, 4, 7, 30)) == 1.5 * H
    assert clock.due_at() == sh(2026, 10, 4, 8, 0)


def test_the_deadline_passes_outside_working_hours():
    clock = SlaClock(started_at=sh(2026, 3, 6, 15, 30), target=2 * H, calendar=SITE)  # Friday
    assert clock.due_at() == sh(2026, 3, 6, 17, 30)
    saturday = sh(2026, 3, 7, 10, 0)
    assert clock.used(saturday) == 2 * H and clock.remaining(saturday) == timedelta(0)
    assert clock.breached(saturday)
    assert not clock.stop(sh(2026, 3, 6, 17, 30)).breached(saturday)  # closed on the dot
    assert clock.stop(sh(2026, 3, 9, 9, 0)).breached(saturday)


def test_a_breach_before_a_pause_stays_a_breach():
    clock = resolve_clock(H).pause(sh(2026, 3, 10, 13, 30))
    assert clock.due_at() == sh(2026, 3, 10, 11, 0)
    assert clock.breached(sh(2026, 3, 10, 14, 0))
    assert clock.remaining(sh(2026, 3, 10, 14, 0)) == -1.5 * H


@pytest.mark.parametrize(
    ("fraction", "at"),
    [
        (0.0, sh(2026, 3, 6, 15, 0)),  # asked before the start
        (0.5, sh(2026, 3, 6, 17, 0)),
        (0.75, sh(2026, 3, 7, 12, 0)),  # Saturday: still 1.5 h
        (1.0, sh(2026, 3, 9, 9, 0)),
        (1.25, sh(2026, 3, 9, 9, 30)),
    ],
)
def test_fraction_used_drives_the_reminders(fraction, at):
    clock = SlaClock(started_at=sh(2026, 3, 6, 16, 0), target=2 * H, calendar=SITE)
    assert clock.fraction_used(at) == pytest.approx(fraction)


def test_clock_events_out_of_turn_are_refused():
    clock = resolve_clock()
    paused = clock.pause(sh(2026, 3, 10, 11, 0))
    with pytest.raises(SlaClockError, match="already paused since"):
        paused.pause(sh(2026, 3, 10, 11, 30))
    with pytest.raises(SlaClockError, match="not paused"):
        clock.resume(sh(2026, 3, 10, 11, 0))
    with pytest.raises(SlaClockError, match="in the order they happened"):
        paused.resume(sh(2026, 3, 10, 10, 30))
    stopped = clock.stop(sh(2026, 3, 10, 12, 0))
    with pytest.raises(SlaClockError, match="was stopped"):
        stopped.pause(sh(2026, 3, 10, 13, 0))
    assert not clock.is_paused  # the original value is unchanged


def test_a_clock_round_trips_through_json():
    clock = resolve_clock().pause(sh(2026, 3, 10, 16, 0)).resume(sh(2026, 3, 11, 11, 0))
    clock = clock.pause(sh(2026, 3, 11, 14, 0))
    stored = json.loads(json.dumps(clock.to_dict()))
    assert stored["started_at"] == "2026-03-10T02:00:00+00:00"
    assert SlaClock.from_dict(stored, SITE) == clock
    with pytest.raises(SlaClockError, match="load it with that calendar"):
        SlaClock.from_dict(stored, PREMIUM)
