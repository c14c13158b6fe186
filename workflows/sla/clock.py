"""The SLA clock of one promise on one case: business time charged against a target.

A clock is an immutable value: `pause`, `resume` and `stop` return a new clock and leave
the old one as it was, so a caller stores the result. Time while paused (waiting on the
customer, e.g. a quote not yet accepted) is never charged, also when the case is closed
straight from the paused state.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from workflows.sla.calendar import BusinessCalendar, to_utc

# A stretch in which the clock runs: (from, until); until None = still running.
Span = tuple[datetime, datetime | None]


class SlaClockError(ValueError):
    """An SLA clock was asked to do something its state does not allow."""


@dataclass(frozen=True)
class Pause:
    """The clock stood still from `paused_at` until `resumed_at` (None: still paused)."""

    paused_at: datetime
    resumed_at: datetime | None = None


@dataclass(frozen=True)
class SlaClock:
    """Business time charged against `target` since `started_at`, on `calendar`."""

    started_at: datetime
    target: timedelta
    calendar: BusinessCalendar
    pauses: tuple[Pause, ...] = ()
    stopped_at: datetime | None = None

    def __post_init__(self) -> None:
        if self.target <= timedelta(0):
            raise SlaClockError(f"An SLA target must be a positive duration; got {self.target}.")
        object.__setattr__(self, "started_at", to_utc(self.started_at, "started_at"))
        pauses = tuple(
            Pause(to_utc(p.paused_at, "paused_at"), _utc_or_none(p.resumed_at, "resumed_at"))
            for p in self.pauses
        )
        object.__setattr__(self, "pauses", pauses)
        object.__setattr__(self, "stopped_at", _utc_or_none(self.stopped_at, "stopped_at"))
        self._check_history()

    # -- state ----------------------------------------------------------------------------

    @property
    def is_paused(self) -> bool:
        """Whether the clock is waiting on the customer right now."""
        return bool(self.pauses) and self.pauses[-1].resumed_at is None

    @property
    def is_stopped(self) -> bool:
        """Whether the promise is settled (case closed or step done)."""
        return self.stopped_at is not None

    def pause(self, at: datetime) -> SlaClock:
        """A clock paused at `at`, e.g. when a quote goes to the customer."""
        self._refuse_if_stopped("pause")
        if self.is_paused:
            raise SlaClockError(
                f"The SLA clock is already paused since {self.pauses[-1].paused_at.isoformat()}; "
                f"resume it before pausing it again."
            )
        moment = self._after_last_event(at, "pause")
        return replace(self, pauses=(*self.pauses, Pause(moment)))

    def resume(self, at: datetime) -> SlaClock:
        """A clock running again from `at`, e.g. when the customer accepts the quote."""
        self._refuse_if_stopped("resume")
        if not self.is_paused:
            raise SlaClockError("The SLA clock is not paused, so it cannot be resumed.")
        moment = self._after_last_event(at, "resume")
        return replace(self, pauses=(*self.pauses[:-1], Pause(self.pauses[-1].paused_at, moment)))

    def stop(self, at: datetime) -> SlaClock:
        """A clock stopped at `at`; a pause still open ends there, so it is not charged."""
        self._refuse_if_stopped("stop")
        moment = self._after_last_event(at, "stop")
        clock = self.resume(moment) if self.is_paused else self
        return replace(clock, stopped_at=moment)

    # -- measures -------------------------------------------------------------------------

    def used(self, at: datetime) -> timedelta:
        """Business time charged up to `at` (nothing before the start, nothing after a stop)."""
        until = self._effective(at)
        charged = timedelta(0)
        for begin, end in self._running_spans():
            if begin >= until:
                break
            charged += self.calendar.elapsed(begin, until if end is None else min(end, until))
        return charged

    def due_at(self) -> datetime | None:
        """When the target is (or was) reached; None while paused, since the deadline moves.

        A clock paused after its target was reached keeps that past deadline. A stopped clock
        reports the deadline as it stood at the stop.
        """
        deadline = self._deadline()
        return None if deadline is None else deadline[0]

    def remaining(self, at: datetime) -> timedelta:
        """Business time left at `at`; negative by the overrun once the target is exceeded."""
        return self.target - self.used(at)

    def breached(self, at: datetime) -> bool:
        """Whether the clock was still running after its deadline, by `at`."""
        deadline = self._deadline()
        if deadline is None:
            return False
        due, running_until = deadline
        until = self._effective(at)
        return due < (until if running_until is None else min(running_until, until))

    def fraction_used(self, at: datetime) -> float:
        """Share of the target charged by `at` (0.5 and 0.8 trigger reminders; > 1 is over)."""
        return self.used(at) / self.target

    # -- storage --------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe form with ISO 8601 instants; the calendar is stored by name only."""
        return {
            "calendar": self.calendar.name,
            "target_seconds": self.target.total_seconds(),
            "started_at": self.started_at.isoformat(),
            "pauses": [
                {"paused_at": p.paused_at.isoformat(), "resumed_at": _iso_or_none(p.resumed_at)}
                for p in self.pauses
            ],
            "stopped_at": _iso_or_none(self.stopped_at),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], calendar: BusinessCalendar) -> SlaClock:
        """Read `to_dict`'s form with the site's current calendar (it names the one it needs)."""
        if data["calendar"] != calendar.name:
            raise SlaClockError(
                f"This clock runs on calendar {data['calendar']!r}, not {calendar.name!r}; "
                f"load it with that calendar."
            )
        return cls(
            started_at=datetime.fromisoformat(data["started_at"]),
            target=timedelta(seconds=data["target_seconds"]),
            calendar=calendar,
            pauses=tuple(
                Pause(datetime.fromisoformat(p["paused_at"]), _parse_or_none(p["resumed_at"]))
                for p in data.get("pauses", ())
            ),
            stopped_at=_parse_or_none(data.get("stopped_at")),
        )

    # -- internals ------------------------------------------------------------------------

    def _running_spans(self) -> list[Span]:
        """The stretches between start, pauses and stop in which business time is charged."""
        spans: list[Span] = []
        begin: datetime | None = self.started_at
        for pause in self.pauses:
            assert begin is not None  # only the last pause may be open (_check_history)
            spans.append((begin, pause.paused_at))
            begin = pause.resumed_at
        if begin is not None:
            spans.append((begin, self.stopped_at))
        return spans

    def _deadline(self) -> tuple[datetime, datetime | None] | None:
        """(instant the target is reached, end of the span it falls in), or None if paused."""
        charged = timedelta(0)
        spans = self._running_spans()
        for index, (begin, end) in enumerate(spans):
            # The last span of a stopped clock carries on, to say what the deadline was.
            if end is None or (self.is_stopped and index == len(spans) - 1):
                return self.calendar.add(begin, self.target - charged), end
            span_time = self.calendar.elapsed(begin, end)
            if charged + span_time >= self.target:
                return self.calendar.add(begin, self.target - charged), end
            charged += span_time
        return None

    def _effective(self, at: datetime) -> datetime:
        """`at` held between the start and the stop."""
        moment = max(to_utc(at, "at"), self.started_at)
        return moment if self.stopped_at is None else min(moment, self.stopped_at)

    def _last_event(self) -> datetime:
        if not self.pauses:
            return self.started_at
        last = self.pauses[-1]
        return last.paused_at if last.resumed_at is None else last.resumed_at

    def _after_last_event(self, at: datetime, action: str) -> datetime:
        moment = to_utc(at, "at")
        last = self._last_event()
        if moment < last:
            raise SlaClockError(
                f"Cannot {action} the SLA clock at {moment.isoformat()}: its last event was at "
                f"{last.isoformat()}. Record events in the order they happened."
            )
        return moment

    def _refuse_if_stopped(self, action: str) -> None:
        if self.stopped_at is not None:
            raise SlaClockError(
                f"The SLA clock was stopped at {self.stopped_at.isoformat()}; "
                f"it cannot {action} any more. Start a new clock for a new promise."
            )

    def _check_history(self) -> None:
        """Events must be in time order; only the last pause may be open, and not after a stop."""
        moments = [self.started_at]
        for index, pause in enumerate(self.pauses):
            is_last = index == len(self.pauses) - 1
            if pause.resumed_at is None and not is_last:
                raise SlaClockError("Only the last pause of an SLA clock may still be open.")
            moments += [pause.paused_at] + ([] if pause.resumed_at is None else [pause.resumed_at])
        if self.stopped_at is not None:
            if self.is_paused:
                raise SlaClockError("A stopped SLA clock cannot still be paused; end the pause.")
            moments.append(self.stopped_at)
        if moments != sorted(moments):
            raise SlaClockError("SLA clock events must be in time order: start, pauses, stop.")


def _utc_or_none(value: datetime | None, name: str) -> datetime | None:
    return None if value is None else to_utc(value, name)


def _iso_or_none(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _parse_or_none(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)
