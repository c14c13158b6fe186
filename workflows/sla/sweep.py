"""The reminder and breach sweep: each reminder mark and each breach is told once.

Clocks are found by their indexed `next_check_at`; on PostgreSQL rows another sweep holds are
skipped, and the notification dedup keys make a second pass harmless anyway.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models import ProcessInstance, utcnow
from workflows.notifications.operations import notify
from workflows.org.queries import users_with_role

from .models import SlaClockRecord
from .service import KIND_NAMES, REMINDER_THRESHOLDS, clock_of, next_check, open_task_people


def sweep(session: Session, at: datetime | None = None, limit: int = 500) -> int:
    """Send the reminders and breach notices that are due; returns how many clocks it handled."""
    at = at or utcnow()
    records = session.scalars(
        select(SlaClockRecord)
        .where(SlaClockRecord.next_check_at <= at)
        .order_by(SlaClockRecord.next_check_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    for record in records:
        _check(session, record, at)
    session.flush()
    return len(records)


def _check(session: Session, record: SlaClockRecord, at: datetime) -> None:
    clock = clock_of(record)
    used = clock.fraction_used(at) * 100
    instance = session.get(ProcessInstance, record.instance_id)
    case = instance.business_key or f"#{instance.id}"
    kind_zh, kind_en = KIND_NAMES.get(record.kind, (record.kind, record.kind))
    people = open_task_people(session, record.instance_id)
    link = f"/cases/{record.instance_id}"
    for threshold in REMINDER_THRESHOLDS:
        if used >= threshold and threshold not in (record.reminded or ()):
            record.reminded = [*(record.reminded or ()), threshold]
            for person in sorted(people):
                notify(
                    session,
                    person,
                    "sla_reminder",
                    subject=(
                        f"工单 {case} 的{kind_zh}时限已用去 {threshold}%",
                        f"Case {case}: {threshold}% of the {kind_en} time is used",
                    ),
                    body=(
                        f"截止时间：{record.due_at:%Y-%m-%d %H:%M} UTC。",
                        f"Due {record.due_at:%Y-%m-%d %H:%M} UTC.",
                    ),
                    link=link,
                    instance_id=record.instance_id,
                    dedup_key=f"sla:{record.id}:{threshold}:{person}",
                )
    if clock.breached(at) and record.breached_at is None:
        record.breached_at = at
        supervisors = {u.username for u in users_with_role(session, "supervisor")}
        for person in sorted(people | supervisors):
            notify(
                session,
                person,
                "sla_breached",
                subject=(
                    f"工单 {case} 已超过{kind_zh}时限",
                    f"Case {case} missed its {kind_en} deadline",
                ),
                body=(
                    f"截止时间为 {record.due_at:%Y-%m-%d %H:%M} UTC，请立即处理。",
                    f"It was due {record.due_at:%Y-%m-%d %H:%M} UTC. Please act now.",
                ),
                link=link,
                instance_id=record.instance_id,
                dedup_key=f"sla:{record.id}:breach:{person}",
            )
    record.next_check_at = next_check(record, clock)
