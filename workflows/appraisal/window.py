"""The appeal window: open while the result process waits on the timer marked
`<camunda:property name="appeals" value="window"/>`, closed when that timer fires.

The diagram owns the window's length (the timer's duration); the application reads the due
time off the waiting timer, tells everyone rated until when they may appeal, and refuses an
appeal once the timer has fired (appeals.open_appeal). Called after every save of a case.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models import ProcessInstance, utcnow
from engine.runtime import timer_due

from ..notifications.operations import notify
from ..records.warranty import department_zone
from . import queries
from .models import AppraisalCycle

PROPERTY, WINDOW = "appeals", "window"


def on_instance_saved(
    session: Session,
    instance: ProcessInstance,
    workflow: Any,
    steps: list[str],
    properties: dict[str, dict[str, str]],
) -> None:
    windows = {name for name, drawn in properties.items() if drawn.get(PROPERTY) == WINDOW}
    if not windows:
        return  # every other process: no query
    fired = windows & set(steps)
    waiting = [
        task
        for task in workflow.get_tasks(state=TaskState.WAITING)
        if task.task_spec.name in windows
    ]
    if not fired and not waiting:
        return
    cycle = session.scalar(
        select(AppraisalCycle).where(AppraisalCycle.sheet_instance_id == instance.id)
    )
    if cycle is None or cycle.status != "published":
        return
    if fired and cycle.appeals_closed_at is None:
        cycle.appeals_closed_at = utcnow()
    elif waiting and cycle.appeals_until is None:
        due = timer_due(waiting[0])
        if due is not None:
            open_window(session, cycle, due)


def shown_deadline(until: datetime) -> str:
    """The window's end as people read it in a message: the department's local minute."""
    return until.astimezone(department_zone()).strftime("%Y-%m-%d %H:%M")


def open_window(session: Session, cycle: AppraisalCycle, until: datetime) -> None:
    """Appeals are open until `until`; tell each person rated their result is out."""
    cycle.appeals_until = until
    shown = shown_deadline(until)
    for appraisal in queries.cycle_appraisals(session, cycle.id):
        notify(
            session,
            appraisal.employee,
            "appraisal_published",
            subject=(
                f"{cycle.quarter} 绩效考核结果已公布",
                f"Your {cycle.quarter} appraisal result is published",
            ),
            body=(
                f"如有异议，请在 {shown} 前提出申诉。",
                f"If you disagree, you may appeal until {shown}.",
            ),
            dedup_key=f"appraisal-published:{appraisal.id}",
        )
    session.flush()
