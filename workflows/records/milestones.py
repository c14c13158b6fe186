"""A service case's milestones (first reply, on site, resolved, closed), stamped as the diagram
stops its service clocks and when the case ends."""

from __future__ import annotations

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
    case_id = (instance.summary or {}).get("service_case_id")
    ended = instance.status in ("completed", "terminated")
    if not case_id or (not reached and not ended):
        return  # most saves (and every case that files no service case): no query
    case = session.get(ServiceCase, case_id)
    if case is None:
        return
    now = utcnow()
    for column in reached:
        if getattr(case, column) is None:
            setattr(case, column, now)
    if ended and case.closed_at is None:
        case.status, case.closed_at = "closed", now
