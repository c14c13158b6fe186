"""Who may do what: every authorization decision of the application is made here.

Objects a caller may not see are reported as missing (404), not as forbidden, so their
existence does not leak; `Forbidden` is for visible things the caller may not change.
"""

from __future__ import annotations

from sqlalchemy import and_, exists, not_, or_, select, true
from sqlalchemy.orm import Session

from engine.errors import Forbidden, NotFound
from engine.models import AuditEvent, HumanTask, ProcessDefinition, ProcessInstance
from engine.runtime import Actor
from engine.tasklist import can_act

from .appraisal.models import Appraisal
from .org.models import User
from .worklog.models import GoalPlanChange, WorkLog

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


def require_deploy(actor: Actor) -> None:
    """Deploying, and reading the deployed decision tables, is for process owners and admins."""
    if not may_deploy(actor):
        raise Forbidden(
            "Only process owners and administrators may do this.",
            "只有流程负责人和系统管理员可以执行此操作。",
        )


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


# the case collecting a person's ratings names their raters, so it is never shown to that
# person (Art. 5: raters are anonymous to whom they rate), case reader or not
RATINGS_PROCESS = "quarterly_appraisal"


def _own_ratings(actor: Actor):
    """SQL condition: the instance collects the ratings of the actor's own appraisal."""
    return and_(
        ProcessInstance.process_key == RATINGS_PROCESS,
        ProcessInstance.id.in_(
            select(Appraisal.instance_id).where(
                Appraisal.employee == actor.username, Appraisal.instance_id.is_not(None)
            )
        ),
    )


def _rates_actor(session: Session, process_key: str, instance_id: int, actor: Actor) -> bool:
    return process_key == RATINGS_PROCESS and bool(
        session.scalar(
            select(Appraisal.id).where(
                Appraisal.instance_id == instance_id, Appraisal.employee == actor.username
            )
        )
    )


def visible_instances(actor: Actor):
    stmt = select(ProcessInstance).where(not_(_own_ratings(actor)))
    return stmt if sees_all_cases(actor) else stmt.where(participation(actor))


def require_instance_visible(
    session: Session, instance: ProcessInstance | None, actor: Actor
) -> ProcessInstance:
    if (
        instance is not None
        and (
            sees_all_cases(actor)
            or session.scalar(
                select(ProcessInstance.id).where(
                    ProcessInstance.id == instance.id, participation(actor)
                )
            )
        )
        and not _rates_actor(session, instance.process_key, instance.id, actor)
    ):
        return instance
    raise NotFound("There is no such case.", "没有这个案例。")


def require_task_visible(session: Session, task: HumanTask | None, actor: Actor) -> HumanTask:
    """Tasks are visible to whoever may act on them, holders of their roles (who are told when
    a colleague has claimed one), their completer, and case readers; never a task rating the
    actor."""
    if (
        task is not None
        and (
            can_act(task, actor)
            or actor.roles.intersection(task.roles or ())
            or task.completed_by == actor.username
            or sees_all_cases(actor)
        )
        and not _rates_actor(session, task.process_key, task.instance_id, actor)
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


# -- the org chart, daily work logs and goal-plan changes (Art. 10–14) ---------------------------
# who sets managers, roles and groups
ORG_EDITORS = frozenset({"admin", "hr"})
# with whom the logs and goal-plan changes are filed: they read everyone's
LOG_FILERS = frozenset({"hr", "admin"})


def may_edit_org(actor: Actor) -> bool:
    """Whether the actor may set people's managers, roles and groups."""
    return bool(actor.roles & ORG_EDITORS)


def require_edit_org(actor: Actor) -> None:
    if not may_edit_org(actor):
        raise Forbidden(
            "Only HR or an administrator may change the org chart.",
            "只有人力资源部或系统管理员可以修改组织架构。",
        )


def may_change_role(actor: Actor, role: str) -> bool:
    """Whether the actor may grant or take away `role`: the admin role only an administrator."""
    return actor.is_admin if role == "admin" else may_edit_org(actor)


def require_change_role(actor: Actor, role: str) -> None:
    if not may_change_role(actor, role):
        raise Forbidden(
            "Only an administrator may grant or take away the administrator role.",
            "只有系统管理员可以授予或收回系统管理员角色。",
        )


def may_see_filed_logs(actor: Actor) -> bool:
    """Whether the actor reads every work log and goal-plan change (they are filed with HR)."""
    return bool(actor.roles & LOG_FILERS)


def require_filed_logs(actor: Actor) -> None:
    if not may_see_filed_logs(actor):
        raise Forbidden(
            "Only HR may read the filed work logs and goal-plan changes.",
            "只有人力资源部可以查看归档的工作日志和目标计划变更。",
        )


def is_manager_of(actor: Actor, user: User | None) -> bool:
    """Whether the actor is the person's manager on the org chart."""
    return user is not None and user.manager is not None and user.manager.username == actor.username


def may_read_logs_of(actor: Actor, user: User) -> bool:
    """One's own logs, one's direct reports', and HR everyone's."""
    return (
        user.username == actor.username or is_manager_of(actor, user) or may_see_filed_logs(actor)
    )


def logs_visible_to(actor: Actor, employee_column):
    """SQL condition on a username column: the rows of people whose logs the actor may read."""
    if may_see_filed_logs(actor):
        return true()
    reports = select(User.username).where(
        User.manager_id.in_(select(User.id).where(User.username == actor.username))
    )
    return or_(employee_column == actor.username, employee_column.in_(reports))


def may_review_log(actor: Actor, log: WorkLog) -> bool:
    """Only the author's manager reviews a daily work log."""
    return is_manager_of(actor, log.author)


def may_decide_plan_change(actor: Actor, change: GoalPlanChange) -> bool:
    """Only the employee's manager approves or rejects a goal-plan change."""
    return is_manager_of(actor, change.author)


def require_log_visible(actor: Actor, log: WorkLog | None) -> WorkLog:
    if log is not None and may_read_logs_of(actor, log.author):
        return log
    raise NotFound("There is no such work log.", "没有这篇工作日志。")


def require_plan_change_visible(actor: Actor, change: GoalPlanChange | None) -> GoalPlanChange:
    if change is not None and may_read_logs_of(actor, change.author):
        return change
    raise NotFound("There is no such goal-plan change.", "没有这项目标计划变更。")


def require_review_log(actor: Actor, log: WorkLog) -> None:
    if not may_review_log(actor, log):
        raise Forbidden(
            "Only the author's manager may review a work log.",
            "只有日志作者的直属上级可以审阅工作日志。",
        )


def require_decide_plan_change(actor: Actor, change: GoalPlanChange) -> None:
    if not may_decide_plan_change(actor, change):
        raise Forbidden(
            "Only the employee's manager may approve or reject a goal-plan change.",
            "只有员工的直属上级可以批准或驳回目标计划变更。",
        )


# -- the quarterly appraisal (process 3) ------------------------------------------------------------
# they read every appraisal, cycle and result sheet; HR also runs them
APPRAISAL_READERS = frozenset({"hr", "plant_director", "gm"})
APPRAISAL_RUNNERS = frozenset({"hr"})


def may_read_all_appraisals(actor: Actor) -> bool:
    """HR, the plant director and the GM see every appraisal; others only their own."""
    return bool(actor.roles & APPRAISAL_READERS)


def may_run_appraisals(actor: Actor) -> bool:
    """Whether the actor launches cycles, reminds raters, decides consequences, sets weights."""
    return bool(actor.roles & APPRAISAL_RUNNERS)


def require_appraisal_readers(actor: Actor) -> None:
    if not may_read_all_appraisals(actor):
        raise Forbidden(
            "Only HR, the plant director and the general manager see appraisal cycles.",
            "只有人力资源部、厂长和总经理可以查看考核周期。",
        )


def require_appraisal_hr(actor: Actor) -> None:
    if not may_run_appraisals(actor):
        raise Forbidden(
            "Only HR runs the appraisal: cycles, reminders, decisions and weights.",
            "只有人力资源部可以组织考核：考核周期、催办、处理决定和权重设置。",
        )


def appraisals_visible_to(actor: Actor):
    """SQL condition on Appraisal: all for the readers; one's own once published for others."""
    if may_read_all_appraisals(actor):
        return true()
    return and_(Appraisal.employee == actor.username, Appraisal.status == "published")


def require_appraisal_visible(actor: Actor, appraisal: Appraisal | None) -> Appraisal:
    if appraisal is not None and (
        may_read_all_appraisals(actor)
        or (appraisal.employee == actor.username and appraisal.status == "published")
    ):
        return appraisal
    raise NotFound("There is no such appraisal.", "没有这条考核记录。")


# the department's KPIs: its managers and the plant's; HR also sees the grade distribution
KPI_READERS = frozenset({"supervisor", "dept_manager", "plant_director", "gm", "hr"})


def may_read_kpis(actor: Actor) -> bool:
    return bool(actor.roles & KPI_READERS) or actor.is_admin


def require_kpis(actor: Actor) -> None:
    if not may_read_kpis(actor):
        raise Forbidden(
            "Only the department's managers, the plant director, the general manager and HR "
            "see the KPIs.",
            "只有部门管理人员、厂长、总经理和人力资源部可以查看服务指标。",
        )
