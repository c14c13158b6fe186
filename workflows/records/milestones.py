"""A service case's milestones (first reply, on site, resolved, closed), stamped as the diagram
stops its service clocks and when the case ends."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models import ProcessInstance, utcnow

from .models import ServiceCase

MILESTONES = {"reply": "first_reply_at", "onsite": "onsite_at", "resolve": "resolved_at"}


def on_instance_saved(
    session: Session, instance: ProcessInstance, steps: list[str], properties: dict
) -> None:
    reached = {
        MILESTONES[kind.strip()]
        for step in steps
        for kind in properties.get(step, {}).get("sla_stop", "").split(",")
        if kind.strip() in MILESTONES
    }
    ended = instance.status in ("completed", "terminated")
    if not reached and not ended:
        return  # most saves: nothing to stamp, no query
    case = session.scalar(select(ServiceCase).where(ServiceCase.instance_id == instance.id))
    if case is None:
        return
    now = utcnow()
    for column in reached:
        if getattr(case, column) is None:
            setattr(case, column, now)
    if ended and case.closed_at is None:
        case.status, case.closed_at = "closed", now
