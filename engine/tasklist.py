"""Human-task rows: kept in step with the workflow at every save, queried for inboxes.

Who may act is decided when asked, from the task's assignee, claim and candidate roles and the
actor's roles at that moment, so a change of someone's roles applies to open tasks at once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from SpiffWorkflow.util.task import TaskState
from sqlalchemy import Select, and_, false, insert, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from .evaluator import ExpressionError
from .incidents import describe_failure, open_incident
from .models import HumanTask, ProcessInstance, utcnow

if TYPE_CHECKING:
    from .runtime import Actor

SCOPES = ("mine", "claimable", "all", "open")


def can_act(row: HumanTask, actor: Actor) -> bool:
    """May `actor` claim or complete this open task?"""
    if row.status != "open":
        return False
    if row.claimed_by is not None:
        return row.claimed_by == actor.username
    if row.assignee is not None:
        return row.assignee == actor.username
    return bool(actor.roles.intersection(row.roles or ()))


def _actionable(actor: Actor):
    """SQL condition equivalent to `can_act` for open rows."""
    mine = or_(
        HumanTask.claimed_by == actor.username,
        and_(HumanTask.claimed_by.is_(None), HumanTask.assignee == actor.username),
    )
    return or_(mine, _claimable(actor))


def _claimable(actor: Actor):
    if not actor.roles:
        return false()
    return and_(
        HumanTask.claimed_by.is_(None),
        HumanTask.assignee.is_(None),
        HumanTask.role.in_(sorted(actor.roles)),
    )


def inbox_query(actor: Actor, scope: str = "open", instance_id: int | None = None) -> Select:
    """Open tasks for an inbox scope: mine, claimable, open (both) or all (administrators)."""
    stmt = select(HumanTask).where(HumanTask.status == "open")
    if scope == "mine":
        stmt = stmt.where(
            or_(
                HumanTask.claimed_by == actor.username,
                and_(HumanTask.claimed_by.is_(None), HumanTask.assignee == actor.username),
            )
        )
    elif scope == "claimable":
        stmt = stmt.where(_claimable(actor))
    elif scope == "open":
        stmt = stmt.where(_actionable(actor))
    elif scope != "all":
        raise ValueError(scope)
    if instance_id is not None:
        stmt = stmt.where(HumanTask.instance_id == instance_id)
    return stmt.order_by(
        HumanTask.due_at.is_(None), HumanTask.due_at, HumanTask.created_at, HumanTask.id
    )


def sync_human_tasks(
    session: Session,
    instance: ProcessInstance,
    workflow,
    evaluator,
    meta_by_spec: dict,
    open_rows: dict[str, HumanTask] | None = None,
) -> list[HumanTask]:
    """Make the open rows of `instance` match its READY manual tasks; returns the open rows.

    `open_rows`, when the caller has just read them under the instance lock, saves a query;
    without it, rows of tasks coming back after a retry are found and reopened too.
    """
    ready = {}
    if instance.status not in ("terminated", "completed"):
        ready = {str(t.id): t for t in workflow.get_tasks(state=TaskState.READY, manual=True)}
    if open_rows is not None:
        rows = dict(open_rows)
    else:
        with session.no_autoflush:
            rows = {
                row.id: row
                for row in session.scalars(
                    select(HumanTask).where(
                        or_(
                            and_(HumanTask.instance_id == instance.id, HumanTask.status == "open"),
                            HumanTask.id.in_(list(ready)),
                        )
                    )
                )
            }
    now = utcnow()
    gone = [row for task_id, row in rows.items() if row.status == "open" and task_id not in ready]
    update_rows(session, gone, status="cancelled", completed_at=now)
    back = [rows[task_id] for task_id in ready if task_id in rows]
    # a retried or reset task comes back
    update_rows(
        session, [row for row in back if row.status != "open"], status="open", completed_at=None
    )
    current = list(back)
    new_rows = []
    for task_id, task in ready.items():
        if task_id in rows:
            continue
        meta = meta_by_spec.get(task.task_spec.name, {})
        roles = list(meta.get("roles") or ())
        try:
            assignee = meta.get("assignee") or _assignee_from_expression(meta, task, evaluator)
        except ExpressionError as exc:
            # the task stays open to its roles; an administrator sees why nobody was named
            assignee = None
            open_incident(session, instance, describe_failure(exc, workflow))
            instance.status = "error"
        if not roles and not assignee:
            # a task nobody was named for belongs to whoever started the case
            assignee = instance.started_by
        new_rows.append(
            dict(
                id=task_id,
                instance_id=instance.id,
                process_key=instance.process_key,
                definition_id=instance.definition_id,
                spec_name=task.task_spec.name,
                name=meta.get("name") or task.task_spec.bpmn_name or task.task_spec.name,
                name_en=meta.get("name_en"),
                lane=task.task_spec.lane,
                role=roles[0] if roles else None,
                roles=roles,
                assignee=assignee,
                form_key=meta.get("form_key"),
                created_at=now,
                status="open",
                due_at=None,
                claimed_by=None,
            )
        )
    if new_rows:
        session.connection().execute(insert(HumanTask.__table__), new_rows)
        # detached copies for the caller's answer; the rows themselves were just written
        current.extend(HumanTask(**values) for values in new_rows)
    return current


def update_rows(
    session: Session, rows: list[HumanTask], *, only_open: bool = False, **values
) -> bool:
    """Write `values` to task rows in one statement and keep the loaded objects in step;
    with `only_open`, rows no longer open are left alone and False is returned.

    Straight to the table, not through the unit of work: this runs on every completion.
    """
    if not rows:
        return True
    table = HumanTask.__table__
    stmt = update(table).where(table.c.id.in_([row.id for row in rows]))
    if only_open:
        stmt = stmt.where(table.c.status == "open")
    result = session.connection().execute(stmt.values(**values))
    if result.rowcount != len(rows):
        return False
    for row in rows:
        for key, value in values.items():
            set_committed_value(row, key, value)
    return True


def _assignee_from_expression(meta: dict, task, evaluator) -> str | None:
    expression = meta.get("assignee_expr")
    if not expression:
        return None
    value = evaluator.evaluate(expression, task.data)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ExpressionError(
            f"The assignee expression '{expression}' must give a username, not {type(value).__name__}.",
            f"处理人表达式“{expression}”的结果必须是用户名。",
        )
    return value
