"""Service clocks of cases: started, stopped, paused and resumed as the diagram says, and swept
for reminders and breaches.

A diagram says what its steps mean with element properties: completing an element with
`sla_start="reply,onsite,resolve"` starts those clocks (targets from `<kind>_within`, calendar
from `sla_calendar` in the data), `sla_stop`, `sla_pause` and `sla_resume` act on the named
clocks. When a case ends, every clock still running stops.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from engine.models import HumanTask, ProcessInstance, utcnow

from .calendars import calendar, parse_duration
from .clock import SlaClock, SlaClockError
from .models import SlaClockRecord

KINDS = ("reply", "onsite", "resolve")
ACTIONS = ("sla_start", "sla_stop", "sla_pause", "sla_resume")
REMINDER_THRESHOLDS = (50, 80)

# (中文, English) names of the promises, for people
KIND_NAMES = {
    "reply": ("答复", "reply"),
    "onsite": ("到场", "on-site visit"),
    "resolve": ("解决", "resolution"),
}


def clock_of(record: SlaClockRecord) -> SlaClock:
    return SlaClock.from_dict(record.clock, calendar(record.calendar))


def _store(record: SlaClockRecord, clock: SlaClock) -> None:
    record.clock = clock.to_dict()
    record.stopped_at = clock.stopped_at
    record.due_at = None if clock.is_stopped or clock.is_paused else clock.due_at()
    record.next_check_at = next_check(record, clock)


def next_check(record: SlaClockRecord, clock: SlaClock) -> datetime | None:
    """The next instant the sweep has something to do for this clock: a reminder mark not yet
    sent, or the deadline not yet reported; None while paused, stopped or when all is done."""
    if record.due_at is None:
        return None
    marks = [
        replace(clock, target=clock.target * threshold / 100).due_at()
        for threshold in REMINDER_THRESHOLDS
        if threshold not in (record.reminded or ())
    ]
    if record.breached_at is None:
        marks.append(record.due_at)
    marks = [m for m in marks if m is not None]
    return min(marks) if marks else None


def clocks_of(session: Session, instance_ids: Iterable[int]) -> dict[int, list[SlaClockRecord]]:
    """Clocks by instance, in promise order."""
    ids = list(set(instance_ids))
    found: dict[int, list[SlaClockRecord]] = {i: [] for i in ids}
    if ids:
        for record in session.scalars(
            select(SlaClockRecord).where(SlaClockRecord.instance_id.in_(ids))
        ):
            found[record.instance_id].append(record)
    for records in found.values():
        records.sort(key=lambda r: KINDS.index(r.kind) if r.kind in KINDS else 99)
    return found


def start_clocks(
    session: Session, instance_id: int, kinds: Iterable[str], data: dict, at: datetime
) -> list[SlaClockRecord]:
    """Start the named clocks with targets from the case data; a clock already started stays."""
    existing = {r.kind: r for r in clocks_of(session, [instance_id])[instance_id]}
    started = []
    name = data.get("sla_calendar") or "standard"
    for kind in kinds:
        within = data.get(f"{kind}_within")
        if kind in existing or not within:
            continue
        clock = SlaClock(started_at=at, target=parse_duration(within), calendar=calendar(name))
        record = SlaClockRecord(instance_id=instance_id, kind=kind, calendar=name, clock={})
        _store(record, clock)
        session.add(record)
        started.append(record)
    return started


def _act(session: Session, instance_id: int, action: str, kinds: Iterable[str], at: datetime):
    records = {r.kind: r for r in clocks_of(session, [instance_id])[instance_id]}
    for kind in kinds:
        record = records.get(kind)
        if record is None:
            continue
        clock = clock_of(record)
        try:
            if action == "sla_stop":
                clock = clock.stop(at)
            elif action == "sla_pause":
                clock = clock.pause(at)
            elif action == "sla_resume":
                clock = clock.resume(at)
        except SlaClockError:
            # stopping a stopped clock, pausing a paused one: the diagram passed here twice
            continue
        _store(record, clock)


def stop_all(session: Session, instance_id: int, at: datetime) -> None:
    _act(session, instance_id, "sla_stop", KINDS, at)


def _step_data(workflow, spec_name: str) -> dict:
    tasks = [t for t in workflow.get_tasks(spec_name=spec_name) if t.data is not None]
    if not tasks:
        return dict(workflow.data)
    return dict(max(tasks, key=lambda t: t.last_state_change).data)


def on_instance_saved(
    session: Session, instance: ProcessInstance, workflow, steps: list[str], properties: dict
) -> None:
    """Apply the clock actions drawn on the steps just completed; stop all when the case ends;
    give the case's open tasks the deadline of its soonest running clock (the inbox sorts by it).
    """
    if not _uses_clocks(properties):
        return  # a process that keeps no time: not a single query
    now = utcnow()
    for step in steps:
        drawn = properties.get(step) or {}
        for action in ACTIONS:
            kinds = [k.strip() for k in (drawn.get(action) or "").split(",") if k.strip()]
            if not kinds:
                continue
            if action == "sla_start":
                session.flush()
                start_clocks(session, instance.id, kinds, _step_data(workflow, step), now)
            else:
                _act(session, instance.id, action, kinds, now)
    if instance.status in ("completed", "terminated"):
        stop_all(session, instance.id, now)
    session.flush()
    soonest = due_soonest(clocks_of(session, [instance.id])[instance.id])
    table = HumanTask.__table__
    due_at = soonest.due_at if soonest else None
    session.connection().execute(
        update(table)
        .where(table.c.instance_id == instance.id, table.c.status == "open")
        .values(due_at=due_at)
    )
    for task in getattr(instance, "current_tasks", ()):
        set_committed_value(task, "due_at", due_at)


def _uses_clocks(properties: dict) -> bool:
    return any(action in drawn for drawn in properties.values() for action in ACTIONS)


def missed(record: SlaClockRecord) -> bool:
    """Was (or is) the promise broken: reported as breached, or stopped after its target."""
    if record.breached_at is not None:
        return True
    clock = clock_of(record)
    return clock.is_stopped and clock.used(clock.stopped_at) > clock.target


def due_soonest(records: list[SlaClockRecord]) -> SlaClockRecord | None:
    """The running clock whose deadline comes first."""
    running = [r for r in records if r.due_at is not None]
    return min(running, key=lambda r: r.due_at) if running else None


def open_task_people(session: Session, instance_id: int) -> set[str]:
    """Who can act on the case's open tasks: assignees and claimers, else holders of the roles."""
    from workflows.org.queries import users_with_role

    people: set[str] = set()
    for task in session.scalars(
        select(HumanTask).where(HumanTask.instance_id == instance_id, HumanTask.status == "open")
    ):
        if task.claimed_by or task.assignee:
            people.add(task.claimed_by or task.assignee)
        else:
            for role in task.roles or ():
                people.update(u.username for u in users_with_role(session, role))
    return people
