"""Writes on the daily work logs and goal-plan changes. Flush only; the caller commits.

Each person writes their own log, one per day, never for a day still to come and never after
their manager reviewed it; only the manager reviews it. A goal-plan change is proposed by the
person and approved or rejected by their manager, who is told by a notification.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from engine.errors import Conflict, InvalidData, field_message, fields_invalid
from engine.runtime import Actor

from .. import permissions
from ..notifications.operations import notify
from ..org.queries import user_by_name
from ..records.warranty import local_today
from .models import GoalPlanChange, WorkLog

TEXT_MAX = 4000
_QUARTER = re.compile(r"^(\d{4})Q([1-4])$")


def parse_day(value: Any) -> date | None:
    """A date from a date or an ISO string (2026-07-01), or None."""
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def quarter_of(day: date) -> str:
    """The quarter a day falls in, as "2026Q3"."""
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def _text(value: Any, field: str, errors: dict[str, list[str]], locale: str) -> str:
    """Stripped text ("" for none); a sentence in `errors[field]` when it is not text or too
    long."""
    if value is None:
        return ""
    if not isinstance(value, str):
        errors[field] = field_message(locale, "Write this as text.", "请填写文字。")
        return ""
    if len(value.strip()) > TEXT_MAX:
        errors[field] = field_message(
            locale, f"Write at most {TEXT_MAX} characters.", f"最多 {TEXT_MAX} 个字符。"
        )
    return value.strip()


# -- daily work logs ------------------------------------------------------------------------------
def write_log(
    session: Session,
    actor: Actor,
    day: Any,
    plan: Any,
    done: Any,
    *,
    locale: str = "zh_CN",
    today: date | None = None,
) -> tuple[WorkLog, bool]:
    """Write the actor's own log for `day` (a new one, or the one already there while it is
    not reviewed); returns the log and whether it is new. 422 per field, 409 once reviewed."""
    today = today or local_today()
    errors: dict[str, list[str]] = {}
    when = parse_day(day)
    if when is None:
        errors["day"] = field_message(
            locale, "Enter the day as YYYY-MM-DD.", "请按 YYYY-MM-DD 格式填写日期。"
        )
    elif when > today:
        errors["day"] = field_message(
            locale,
            f"{when.isoformat()} has not come yet. Write the log on the day or after it.",
            f"{when.isoformat()} 尚未到来。请在当天或之后填写日志。",
        )
    plan_text, done_text = _text(plan, "plan", errors, locale), _text(done, "done", errors, locale)
    if not plan_text and not done_text and not ({"plan", "done"} & set(errors)):
        empty = field_message(
            locale,
            "Write the day's plan, what was done, or both.",
            "请填写当天的工作安排、完成情况，或两者都填。",
        )
        errors["plan"] = errors["done"] = empty
    if errors:
        raise fields_invalid(errors)

    log = session.scalar(
        select(WorkLog).where(WorkLog.employee == actor.username, WorkLog.day == when)
    )
    created = log is None
    if created:
        log = WorkLog(employee=actor.username, day=when, plan=plan_text, done=done_text)
        try:
            with session.begin_nested():
                session.add(log)
        except IntegrityError:
            # the same person saved this day at the same moment elsewhere
            raise Conflict(
                f"Your log of {when.isoformat()} was just saved elsewhere. Reload it and try "
                "again.",
                f"您 {when.isoformat()} 的日志刚在别处保存。请重新加载后再试。",
            ) from None
    else:
        log.write(plan_text, done_text)
    session.flush()
    return log, created


def review_log(
    session: Session, log_id: int, actor: Actor, note: Any = None, *, locale: str = "zh_CN"
) -> WorkLog:
    """Mark a report's log reviewed, with an optional note; only the author's manager."""
    log = permissions.require_log_visible(actor, session.get(WorkLog, log_id))
    permissions.require_review_log(actor, log)
    errors: dict[str, list[str]] = {}
    text = _text(note, "note", errors, locale)
    if errors:
        raise fields_invalid(errors)
    log.review(actor.username, text)
    session.flush()
    return log


# -- goal-plan changes ----------------------------------------------------------------------------
def propose_plan_change(
    session: Session,
    actor: Actor,
    quarter: Any,
    change: Any,
    reason: Any,
    *,
    locale: str = "zh_CN",
    today: date | None = None,
) -> GoalPlanChange:
    """Propose a change to the actor's goal plan for the current or a later quarter; their
    manager is told. 422 per field, or when the actor has no manager to decide it."""
    today = today or local_today()
    employee = user_by_name(session, actor.username)
    manager = employee.manager if employee is not None else None
    if manager is None or not manager.active:
        raise InvalidData(
            "Nobody on the org chart is your manager, so nobody could decide this. "
            "Ask HR to set your manager first.",
            "组织架构中没有您的直属上级，无人可以审批。请先请人力资源部设置您的上级。",
        )
    errors: dict[str, list[str]] = {}
    found = _QUARTER.match(quarter.strip()) if isinstance(quarter, str) else None
    if found is None:
        errors["quarter"] = field_message(
            locale,
            "Enter the quarter as year and quarter, such as 2026Q3.",
            "请按“年份Q季度”填写季度，例如 2026Q3。",
        )
    elif found[0] < quarter_of(today):
        errors["quarter"] = field_message(
            locale,
            f"{found[0]} has ended. Goal plans change only for this quarter or a later one.",
            f"{found[0]} 已结束。只能变更本季度或以后季度的目标计划。",
        )
    texts = {
        "change": _text(change, "change", errors, locale),
        "reason": _text(reason, "reason", errors, locale),
    }
    for field, text in texts.items():
        if not text and field not in errors:
            errors[field] = field_message(
                locale,
                "Describe the change to the goal plan."
                if field == "change"
                else "Say why the plan has to change.",
                "请描述目标计划的变更内容。" if field == "change" else "请说明变更的原因。",
            )
    if errors:
        raise fields_invalid(errors)

    row = GoalPlanChange(
        employee=actor.username,
        quarter=found[0],
        change=texts["change"],
        reason=texts["reason"],
        status="pending",
    )
    session.add(row)
    session.flush()
    notify(
        session,
        manager.username,
        "goal_plan_change",
        subject=(
            f"{employee.display_name} 提出了 {row.quarter} 的目标计划变更，请审批",
            f"{employee.display_name} proposes a change to their {row.quarter} goal plan",
        ),
        body=(row.change, row.change),
        link="/worklog/team",
    )
    return row


def decide_plan_change(
    session: Session,
    change_id: int,
    actor: Actor,
    decision: Any,
    note: Any = None,
    *,
    locale: str = "zh_CN",
) -> GoalPlanChange:
    """Approve or reject a report's pending goal-plan change (`decision` approve | reject; a
    rejection says why); the employee is told."""
    row = permissions.require_plan_change_visible(actor, session.get(GoalPlanChange, change_id))
    permissions.require_decide_plan_change(actor, row)
    errors: dict[str, list[str]] = {}
    if decision not in ("approve", "reject"):
        errors["decision"] = field_message(
            locale, "Choose approve or reject.", "请选择批准或驳回。"
        )
    text = _text(note, "note", errors, locale)
    if not text and decision == "reject" and "note" not in errors:
        errors["note"] = field_message(
            locale,
            "Say why you reject the change, so they know what to propose instead.",
            "请说明驳回的原因，以便对方知道应如何调整。",
        )
    if errors:
        raise fields_invalid(errors)
    row.decide(decision == "approve", actor.username, text)
    session.flush()
    approved = row.status == "approved"
    notify(
        session,
        row.employee,
        "goal_plan_decided",
        subject=(
            f"您的 {row.quarter} 目标计划变更已{'批准' if approved else '驳回'}",
            f"Your {row.quarter} goal-plan change was {'approved' if approved else 'rejected'}",
        ),
        body=(text or "", text or ""),
        link="/worklog",
    )
    return row
