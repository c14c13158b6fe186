"""Appeals (Art. 6–7): the employee files one on a published result within the week; HR
records the outcome, a revision beside the original. Flush only."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.errors import Conflict
from engine.models import utcnow
from engine.runtime import Actor

from ..notifications.operations import notify
from ..org.queries import superior, user_by_name
from . import grades, scoring
from .models import APPEAL_OUTCOMES, Appeal, Appraisal, ScoreRevision
from .operations import invalid
from .window import shown_deadline


def _window_closed(appraisal: Appraisal) -> tuple[str, str]:
    until = appraisal.appeal_until
    if until is None:
        return ("The time to appeal this result has not begun.", "该结果的申诉期尚未开始。")
    shown = shown_deadline(until)
    return (
        f"The time to appeal this result ended at {shown}.",
        f"该结果的申诉期已于 {shown} 结束。",
    )


def open_appeal(
    session: Session, appraisal_id: Any, reason: Any, actor: Actor, *, locale: str = "zh_CN"
) -> tuple[Appeal, dict[str, Any]]:
    """The employee appeals their published result within the week; returns the appeal and
    what the appeal process needs (who states the superior's view, who mediates)."""
    appraisal = (
        session.scalar(select(Appraisal).where(Appraisal.id == appraisal_id).with_for_update())
        if isinstance(appraisal_id, int) and not isinstance(appraisal_id, bool)
        else None
    )
    if appraisal is None or appraisal.employee != actor.username:
        raise invalid(
            {"appraisal_id": ("This is not one of your appraisals.", "这不是您本人的考核。")},
            locale,
        )
    if appraisal.status != "published":
        raise invalid(
            {"appraisal_id": ("This result is not published yet.", "该考核结果尚未公布。")},
            locale,
        )
    if not appraisal.appeals_open:
        raise invalid({"appraisal_id": _window_closed(appraisal)}, locale)
    reason = str(reason).strip() if reason else ""
    if len(reason) < 10:
        raise invalid(
            {
                "reason": (
                    "Explain your appeal in at least 10 characters.",
                    "请用至少 10 个字说明申诉理由。",
                )
            },
            locale,
        )
    if session.scalar(
        select(Appeal.id).where(Appeal.appraisal_id == appraisal.id, Appeal.status == "open")
    ):
        raise Conflict(
            "An appeal of this result is already open; wait for its outcome.",
            "该结果已有进行中的申诉；请等待处理结果。",
        )
    appeal = Appeal(appraisal=appraisal, filed_by=actor.username, filed_at=utcnow(), reason=reason)
    session.add(appeal)
    session.flush()
    # the superior who rated the person takes part; the one above them mediates
    boss = next((a.rater for a in appraisal.assignments if a.group == "superior"), None)
    boss_user = user_by_name(session, boss) if boss else None
    above = superior(session, boss_user) if boss_user is not None else None
    employee = user_by_name(session, appraisal.employee)
    return appeal, {
        "appeal_id": appeal.id,
        "employee": appraisal.employee,
        "employee_name": employee.display_name if employee else appraisal.employee,
        "quarter": appraisal.cycle.quarter,
        "composite": str(appraisal.effective_composite),
        "grade": appraisal.effective_grade,
        "superior": boss,
        "skip_level": above.username if above is not None else boss,
    }


def decide_appeal(
    session: Session,
    appeal_id: Any,
    outcome: Any,
    revised_composite: Any,
    reason: Any,
    actor: Actor,
    *,
    locale: str = "zh_CN",
) -> Appeal:
    """HR records the outcome: `upheld`, or `revised` with a composite 0–100 written as a
    ScoreRevision beside the original (graded by the cycle's grade table)."""
    appeal = session.scalar(select(Appeal).where(Appeal.id == appeal_id).with_for_update())
    if appeal is None:
        raise Conflict(f"There is no appeal {appeal_id}.", f"没有编号为 {appeal_id} 的申诉。")
    errors: dict[str, tuple[str, str]] = {}
    if outcome not in APPEAL_OUTCOMES:
        errors["outcome"] = ("Choose upheld or revised.", "请选择维持原结果或修改结果。")
    reason = str(reason).strip() if reason else ""
    if not reason:
        errors["outcome_reason"] = ("Give the reason for the outcome.", "请填写处理结果的理由。")
    revised = None
    if outcome == "revised":
        try:
            revised = (
                Decimal(str(revised_composite)) if revised_composite not in (None, "") else None
            )
        except InvalidOperation:
            revised = None
        if revised is None or not revised.is_finite() or not 0 <= revised <= 100:
            errors["revised_composite"] = (
                "Enter the revised composite score, from 0 to 100.",
                "请填写修改后的综合得分（0 到 100）。",
            )
    if errors:
        raise invalid(errors, locale)
    appeal.decide(outcome, reason, actor.username)
    appraisal = appeal.appraisal
    if revised is not None:
        score = scoring.round_to(revised)
        session.add(
            ScoreRevision(
                appraisal_id=appraisal.id,
                appeal_id=appeal.id,
                original_composite=appraisal.composite,
                original_grade=appraisal.grade,
                revised_composite=score,
                revised_grade=grades.cycle_grade(session, appraisal.cycle, score),
                reason=reason,
                decided_by=actor.username,
                decided_at=utcnow(),
            )
        )
    session.flush()
    session.expire(appraisal, ["revisions"])
    notify(
        session,
        appraisal.employee,
        "appraisal_appeal_decided",
        subject=(
            f"您对 {appraisal.cycle.quarter} 考核结果的申诉已有结论",
            f"Your appeal of the {appraisal.cycle.quarter} result is decided",
        ),
        body=(
            "结果已修改。" if revised is not None else "维持原结果。",
            "The result was revised." if revised is not None else "The result stands.",
        ),
        instance_id=appeal.instance_id,
    )
    return appeal
