"""Audit trail: one row per state change, written in the same transaction as the change."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import AuditEvent


def record(
    session: Session,
    kind: str,
    actor: str | None,
    *,
    instance_id: int | None = None,
    task_id: str | None = None,
    payload: dict[str, Any] | None = None,
) -> AuditEvent:
    event = AuditEvent(
        kind=kind, actor=actor, instance_id=instance_id, task_id=task_id, payload=payload or {}
    )
    session.add(event)
    return event


def history(session: Session, instance_id: int) -> list[AuditEvent]:
    return list(
        session.scalars(
            select(AuditEvent)
            .where(AuditEvent.instance_id == instance_id)
            .order_by(AuditEvent.at, AuditEvent.id)
        )
    )
