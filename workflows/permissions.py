"""Who may do what: every authorization decision of the application is made here.

Objects a caller may not see are reported as missing (404), not as forbidden, so their
existence does not leak; `Forbidden` is for visible things the caller may not change.
"""

from __future__ import annotations

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session

from engine.errors import Forbidden, NotFound
from engine.models import AuditEvent, HumanTask, ProcessDefinition, ProcessInstance
from engine.runtime import Actor
from engine.tasklist import can_act

# roles that see every case in the department
CASE_READERS = frozenset({"admin", "supervisor", "dept_manager"})
# who may start a process whose diagram names no starter groups
DEFAULT_STARTERS = frozenset({"admin", "process_owner"})


def may_start(definition: ProcessDefinition, actor: Actor) -> bool:
    allowed = (
        DEFAULT_STARTERS
        if definition.starter_roles is None
        else frozenset(definition.starter_roles)
    )
    return bool(actor.roles & allowed) or actor.is_admin


def require_start(definition: ProcessDefinition, actor: Actor) -> None:
    if not may_start(definition, actor):
        raise Forbidden("You may not start this process.", "您无权发起此流程。")


def require_role(actor: Actor, *roles: str) -> None:
    if not actor.roles.intersection(roles) and not actor.is_admin:
        raise Forbidden(
            "This needs one of these roles: " + ", ".join(roles) + ".",
            "此操作需要以下角色之一：" + "、".join(roles) + "。",
        )


def require_admin(actor: Actor) -> None:
    if not actor.is_admin:
        raise Forbidden("Only administrators may do this.", "只有系统管理员可以执行此操作。")


def may_deploy(actor: Actor) -> bool:
    return "process_owner" in actor.roles or actor.is_admin


def participation(actor: Actor):
    """SQL condition: the actor started, worked on, or can act on the instance."""
    return or_(
        ProcessInstance.started_by == actor.username,
        exists().where(
            AuditEvent.instance_id == ProcessInstance.id, AuditEvent.actor == actor.username
        ),
        exists().where(
            HumanTask.instance_id == ProcessInstance.id,
            HumanTask.status == "open",
            or_(
                HumanTask.assignee == actor.username,
                HumanTask.claimed_by == actor.username,
                HumanTask.role.in_(sorted(actor.roles)) if actor.roles else False,
            ),
        ),
    )


def sees_all_cases(actor: Actor) -> bool:
    return bool(actor.roles & CASE_READERS)


def visible_instances(actor: Actor):
    stmt = select(ProcessInstance)
    return stmt if sees_all_cases(actor) else stmt.where(participation(actor))


def require_instance_visible(
    session: Session, instance: ProcessInstance | None, actor: Actor
) -> ProcessInstance:
    if instance is not None and (
        sees_all_cases(actor)
        or session.scalar(
            select(ProcessInstance.id).where(
                ProcessInstance.id == instance.id, participation(actor)
            )
        )
    ):
        return instance
    raise NotFound("There is no such case.", "没有这个案例。")


def require_task_visible(session: Session, task: HumanTask | None, actor: Actor) -> HumanTask:
    """Tasks are visible to whoever may act on them, holders of their roles (who are told when
    a colleague has claimed one), their completer, and case readers."""
    if task is not None and (
        can_act(task, actor)
        or actor.roles.intersection(task.roles or ())
        or task.completed_by == actor.username
        or sees_all_cases(actor)
    ):
        return task
    raise NotFound("There is no such task.", "没有这个任务。")


# roles that may hand any department task to a specific person
ASSIGNERS = frozenset({"admin", "supervisor", "dept_manager"})


def may_assign(actor: Actor) -> bool:
    """Whether the actor may hand tasks to a specific person."""
    return bool(actor.roles & ASSIGNERS)


def require_assign(actor: Actor, task: HumanTask) -> None:
    if not may_assign(actor):
        raise Forbidden(
            "Only a supervisor or an administrator may reassign tasks.",
            "只有主管或系统管理员可以转派任务。",
        )


# the department and those who run it: they read every record (customers, units, repairs,
# spare parts, returns); integrations read them through the API
RECORD_READERS = frozenset(
    {
        "admin",
        "process_owner",
        "dept_manager",
        "supervisor",
        "customer_service",
        "repair_tech",
        "tech_support",
        "quality",
        "returns",
        "warehouse",
        "integration",
    }
)
# outside the department, management and the plant read failures and repair rates (返修率) only
FAILURE_READERS = RECORD_READERS | {"gm", "plant_director", "rd", "production", "qa"}


def may_view_records(actor: Actor) -> bool:
    """Whether the actor may read customers, units, repair orders, parts and returns."""
    return bool(actor.roles & RECORD_READERS)


def may_view_failures(actor: Actor) -> bool:
    """Whether the actor may read the failure records and the repair rates."""
    return bool(actor.roles & FAILURE_READERS)


def require_records(actor: Actor) -> None:
    if not may_view_records(actor):
        raise Forbidden(
            "Only the after-sales department may read its records.",
            "只有售后工程部可以查看这些档案。",
        )


def require_failures(actor: Actor) -> None:
    if not may_view_failures(actor):
        raise Forbidden(
            "Your roles do not include reading failure records and repair rates.",
            "您的角色无权查看故障记录和返修率。",
        )
