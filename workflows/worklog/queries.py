"""Reads on the daily work logs and goal-plan changes."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from engine.runtime import Actor

from .. import permissions
from ..org.models import User
from ..records.warranty import department_zone
from .models import GoalPlanChange, WorkLog


def log_for(session: Session, username: str, day: date) -> WorkLog | None:
    """The person's log of that day, if written."""
    return session.scalar(select(WorkLog).where(WorkLog.employee == username, WorkLog.day == day))


def recent_logs(session: Session, username: str, limit: int = 30) -> list[WorkLog]:
    """The person's newest logs, newest day first."""
    return list(
        session.scalars(
            select(WorkLog)
            .where(WorkLog.employee == username)
            .order_by(WorkLog.day.desc())
            .limit(limit)
        )
    )


def visible_logs(
    actor: Actor,
    *,
    employee: str | None = None,
    start: date | None = None,
    end: date | None = None,
) -> Select:
    """The logs the actor may read, optionally of one person and within [start, end], newest
    day first."""
    stmt = select(WorkLog).where(permissions.logs_visible_to(actor, WorkLog.employee))
    if employee:
        stmt = stmt.where(WorkLog.employee == employee)
    if start:
        stmt = stmt.where(WorkLog.day >= start)
    if end:
        stmt = stmt.where(WorkLog.day <= end)
    return stmt.order_by(WorkLog.day.desc(), WorkLog.employee)


def visible_plan_changes(
    actor: Actor,
    *,
    employee: str | None = None,
    status: str | None = None,
    start: date | None = None,
    end: date | None = None,
) -> Select:
    """The goal-plan changes the actor may read, optionally of one person, in one status and
    proposed within [start, end] (the department's local days), newest first."""
    stmt = select(GoalPlanChange).where(permissions.logs_visible_to(actor, GoalPlanChange.employee))
    if employee:
        stmt = stmt.where(GoalPlanChange.employee == employee)
    if status:
        stmt = stmt.where(GoalPlanChange.status == status)
    if start:
        stmt = stmt.where(GoalPlanChange.created_at >= _midnight(start))
    if end:
        stmt = stmt.where(GoalPlanChange.created_at < _midnight(end, 1))
    return stmt.order_by(GoalPlanChange.created_at.desc(), GoalPlanChange.id.desc())


def team_logs(session: Session, manager: User, limit: int = 100) -> list[WorkLog]:
    """The logs of the manager's direct reports: those waiting for review first (oldest day
    first), then the newest reviewed ones."""
    reports = select(User.username).where(User.manager_id == manager.id)
    waiting = session.scalars(
        select(WorkLog)
        .where(WorkLog.employee.in_(reports), WorkLog.reviewed_at.is_(None))
        .order_by(WorkLog.day, WorkLog.employee)
        .limit(limit)
    ).all()
    reviewed = session.scalars(
        select(WorkLog)
        .where(WorkLog.employee.in_(reports), WorkLog.reviewed_at.is_not(None))
        .order_by(WorkLog.day.desc(), WorkLog.employee)
        .limit(max(0, limit - len(waiting)))
    ).all()
    return [*waiting, *reviewed]


def team_plan_changes(session: Session, manager: User, limit: int = 100) -> list[GoalPlanChange]:
    """Goal-plan changes of the manager's direct reports: pending first, then the newest."""
    reports = select(User.username).where(User.manager_id == manager.id)
    rows = session.scalars(
        select(GoalPlanChange)
        .where(GoalPlanChange.employee.in_(reports))
        .order_by(GoalPlanChange.created_at.desc(), GoalPlanChange.id.desc())
        .limit(limit)
    ).all()
    return sorted(rows, key=lambda c: c.status != "pending")


def plan_changes_of(session: Session, username: str, limit: int = 50) -> list[GoalPlanChange]:
    """The person's own goal-plan changes, newest first."""
    return list(
        session.scalars(
            select(GoalPlanChange)
            .where(GoalPlanChange.employee == username)
            .order_by(GoalPlanChange.created_at.desc(), GoalPlanChange.id.desc())
            .limit(limit)
        )
    )


def _midnight(day: date, days_later: int = 0) -> datetime:
    """The start of a local day in the department's zone."""
    return datetime.combine(day + timedelta(days=days_later), time.min, department_zone())
