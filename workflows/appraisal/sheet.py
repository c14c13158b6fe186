"""The result sheet (绩效考核结果处理表): HR's Art. 17 decisions, compiling, the signatures
supervisor → HR → plant director → GM, a return and its revision, publication. Flush only.

After the general manager's approval nothing here changes a result: only an appeal's outcome
does, beside the original (`appeals.py`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.errors import Conflict
from engine.models import utcnow
from engine.runtime import Actor

from .. import permissions
from ..org.queries import display_names
from . import queries
from .models import APPROVAL_STEPS, CONSEQUENCE_CHOICES, Appraisal, AppraisalCycle, Approval
from .operations import invalid, locked_cycle, whole_number

MIN_TRAINING_DAYS = 3  # Art. 17: unpaid training wait of at least 3 days


def _decision_errors(
    appraisal: Appraisal, choice: Any, reason: Any, days: Any
) -> dict[str, tuple[str, str]]:
    name, errors = appraisal.employee, {}
    if choice not in CONSEQUENCE_CHOICES:
        errors[f"choice_{name}"] = (
            "Choose keep, training_wait, transfer or dismissal.",
            "请选择：留任、待岗培训、调岗或辞退。",
        )
    if not isinstance(reason, str) or not reason.strip():
        errors[f"reason_{name}"] = ("Give the reason for this decision.", "请填写决定的理由。")
    if choice == "training_wait":
        whole = whole_number(days)
        if whole is None or whole < MIN_TRAINING_DAYS:
            errors[f"days_{name}"] = (
                f"An unpaid training wait lasts at least {MIN_TRAINING_DAYS} days.",
                f"无薪待岗培训至少 {MIN_TRAINING_DAYS} 天。",
            )
    return errors


def _apply_decisions(
    session: Session, cycle: AppraisalCycle, decisions: Iterable[Mapping[str, Any]], locale: str
) -> list[Appraisal]:
    flagged = {
        a.employee: a for a in queries.needs_decision(queries.cycle_appraisals(session, cycle.id))
    }
    errors: dict[str, tuple[str, str]] = {}
    chosen = []
    for item in decisions:
        name = item.get("employee") if isinstance(item, Mapping) else None
        appraisal = flagged.get(name) if isinstance(name, str) else None
        if appraisal is None:
            errors[f"choice_{name}"] = (
                f"{name} is not among the people who need a decision "
                "(the bottom of the department and every 差).",
                f"{name} 不在需要决定的人员中（部门末位及所有“差”）。",
            )
            continue
        problems = _decision_errors(
            appraisal, item.get("choice"), item.get("reason"), item.get("days")
        )
        errors |= problems
        if not problems:
            chosen.append((appraisal, item))
    if errors:
        raise invalid(errors, locale)
    for appraisal, item in chosen:
        appraisal.consequence_choice = item["choice"]
        appraisal.consequence_reason = item["reason"].strip()
        appraisal.consequence_days = (
            whole_number(item.get("days")) if item["choice"] == "training_wait" else None
        )
    session.flush()
    return list(flagged.values())


def _editable_sheet(cycle: AppraisalCycle) -> None:
    if cycle.status in ("launching", "rating"):
        raise Conflict(
            "Not everyone has been rated yet; decide once every rating is in.",
            "尚未全部评分完成；请在全部评分完成后再作决定。",
        )
    if cycle.status != "compiling":
        raise Conflict(
            "The result sheet is in approval or published and cannot change now; a published "
            "result changes only through an appeal.",
            "考核结果表正在审批或已公布，现在不能修改；已公布的结果只能通过申诉更改。",
        )


def set_consequences(
    session: Session,
    cycle_id: int,
    decisions: Iterable[Mapping[str, Any]],
    actor: Actor,
    *,
    locale: str = "zh_CN",
) -> list[Appraisal]:
    """HR's Art. 17 decisions, each `{employee, choice, reason, days?}`, for the people
    flagged; before compiling or while the sheet is returned. Returns everyone flagged."""
    permissions.require_appraisal_hr(actor)
    cycle = locked_cycle(session, cycle_id)
    _editable_sheet(cycle)
    return _apply_decisions(session, cycle, decisions, locale)


def _decisions_in(data: Mapping[str, Any]) -> list[dict[str, Any]]:
    """`choice_<username>`, `reason_<username>`, `days_<username>` fields of a task's data."""
    return [
        {
            "employee": key[len("choice_") :],
            "choice": value,
            "reason": data.get("reason_" + key[len("choice_") :]),
            "days": data.get("days_" + key[len("choice_") :]),
        }
        for key, value in data.items()
        if key.startswith("choice_") and value
    ]


def _require_decided(session: Session, cycle: AppraisalCycle, locale: str) -> None:
    flagged = queries.needs_decision(queries.cycle_appraisals(session, cycle.id))
    undecided = [a.employee for a in flagged if not (a.consequence_choice and a.consequence_reason)]
    if undecided:
        names = display_names(session, undecided)
        listed = [names.get(u, u) for u in undecided]
        raise invalid(
            {
                "decisions_note": (
                    "Decide on "
                    + ", ".join(listed)
                    + " (keep, training wait, transfer or dismissal, with a reason) on the "
                    "result sheet first.",
                    "请先在结果处理表上为"
                    + "、".join(listed)
                    + "作出处理决定（留任、待岗培训、调岗或辞退，并填写理由）。",
                )
            },
            locale,
        )


def compile_sheet(
    session: Session, cycle_id: int, data: Mapping[str, Any] | None = None, *, locale: str = "zh_CN"
) -> AppraisalCycle:
    """HR compiles the result sheet: everyone rated (409 naming who has not finished), every
    flagged person decided (422); the sheet goes to approval."""
    cycle = locked_cycle(session, cycle_id)
    pending = queries.pending_raters(session, cycle.id)
    if pending or cycle.status in ("launching", "rating"):
        names = display_names(session, [r for r, _ in pending])
        en = ", ".join(f"{names.get(r, r)} ({n})" for r, n in pending)
        zh = "、".join(f"{names.get(r, r)}（{n} 份）" for r, n in pending)
        raise Conflict(
            f"Not everyone has finished rating: waiting for {en or 'the launch to finish'}.",
            f"尚未全部完成评分：仍在等待{zh or '考核发起完成'}。",
        )
    _editable_sheet(cycle)
    decisions = _decisions_in(data or {})
    if decisions:
        _apply_decisions(session, cycle, decisions, locale)
    _require_decided(session, cycle, locale)
    cycle.compiled()
    session.flush()
    return cycle


def current_step(session: Session, cycle: AppraisalCycle) -> str | None:
    """The approver whose signature the sheet waits for in this round, None when none."""
    if cycle.status != "approving":
        return None
    signed = set(
        session.scalars(
            select(Approval.step).where(
                Approval.cycle_id == cycle.id,
                Approval.round == cycle.round,
                Approval.decision == "approve",
            )
        )
    )
    return next((step for step in APPROVAL_STEPS if step not in signed), None)


def sign_sheet(
    session: Session,
    cycle_id: int,
    step: str,
    decision: Any,
    comment: Any,
    actor: Actor,
    *,
    round_: int | None = None,
    locale: str = "zh_CN",
) -> Approval:
    """An approver signs at their step of the current round: approve, or return to HR with a
    comment. The general manager's approval publishes the results."""
    comment = str(comment).strip() if comment else ""
    if decision not in ("approve", "return"):
        raise invalid({"decision": ("Choose approve or return.", "请选择同意或退回。")}, locale)
    if decision == "return" and not comment:
        raise invalid(
            {"comment": ("Say what HR should change.", "请说明需要人力资源部修改的内容。")}, locale
        )
    cycle = locked_cycle(session, cycle_id)
    waiting = current_step(session, cycle)
    if waiting is None or waiting != step or (round_ is not None and round_ != cycle.round):
        raise Conflict(
            "The result sheet is not waiting for this signature now. Reload it.",
            "考核结果表当前不在等待此项审批。请刷新后查看。",
        )
    approval = Approval(
        cycle_id=cycle.id,
        round=cycle.round,
        step=step,
        decision=decision,
        comment=comment,
        signer=actor.username,
        signed_at=utcnow(),
    )
    session.add(approval)
    if decision == "return":
        cycle.returned()
    elif step == APPROVAL_STEPS[-1]:
        publish(session, cycle)
    session.flush()
    return approval


def revise_sheet(session: Session, cycle_id: int, *, locale: str = "zh_CN") -> AppraisalCycle:
    """HR has revised a returned sheet: the next round of signatures starts."""
    cycle = locked_cycle(session, cycle_id)
    if cycle.status == "compiling":
        _require_decided(session, cycle, locale)
    cycle.revised()
    session.flush()
    return cycle


def publish(session: Session, cycle: AppraisalCycle) -> None:
    """The general manager approved: everyone sees their result. The appeal window opens
    when the process reaches its timer (window.py), which also tells everyone until when."""
    cycle.published()
    for appraisal in queries.cycle_appraisals(session, cycle.id):
        appraisal.publish()
    session.flush()
