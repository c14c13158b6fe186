"""What the appraisal diagrams' steps do to the appraisal records (docs/appraisal.md);
registered on import (`workflows/runtime.py`).

Each effect runs under the instance lock, in the step's transaction, before the step runs; a
refusal (422 per field, 409) leaves the task open and nothing saved.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from engine.errors import Conflict
from workflows.effects import EffectContext, current_locale, effect

from . import appeals, operations, sheet
from .queries import RESULTS_APPROVAL_TASKS


def _id(ctx: EffectContext, key: str) -> int | None:
    """A record id from the case data or a form's number field (which may arrive as 3.0)."""
    raw = ctx.data.get(key)
    if isinstance(raw, bool) or raw in (None, ""):
        return None
    try:
        number = Decimal(str(raw))
    except InvalidOperation:
        return None
    return int(number) if number.is_finite() and number == number.to_integral_value() else None


def _cycle_id(ctx: EffectContext) -> int:
    cycle_id = _id(ctx, "cycle_id")
    if cycle_id is None:
        raise Conflict(
            "This case names no appraisal cycle; ask an administrator.",
            "此流程未关联考核周期；请联系系统管理员。",
        )
    return cycle_id


@effect("appraisal.rate")
def rate(ctx: EffectContext) -> dict[str, Any]:
    """A rater's performance or competency form (the step says which): the dimensions 0–100
    and `comment`; the last form of the appraisal scores it."""
    form = "performance" if "performance" in ctx.call.step else "competency"
    rater = ctx.text("rater") or ctx.actor.username
    appraisal_id = _id(ctx, "appraisal_id")
    if appraisal_id is None:
        raise Conflict(
            "This case names no appraisal; ask an administrator.",
            "此流程未关联考核记录；请联系系统管理员。",
        )
    operations.record_rating(
        ctx.session, appraisal_id, rater, form, ctx.data, locale=current_locale.get()
    )
    # nothing for the process: the scores stay in the ratings, not in the case data
    return {}


@effect("sheet.compile")
def compile_results(ctx: EffectContext) -> dict[str, Any]:
    """HR compiles the result sheet: 409 while someone has not rated, 422 while a flagged
    person has no decision (`choice_<username>`, `reason_<username>` here or set before)."""
    cycle = sheet.compile_sheet(ctx.session, _cycle_id(ctx), ctx.data, locale=current_locale.get())
    return {"round": cycle.round}


@effect("sheet.sign")
def sign(ctx: EffectContext) -> dict[str, Any]:
    """An approver's `decision` (approve / return, `comment` required on return) at their
    step of the current round; the GM's approval publishes."""
    step = RESULTS_APPROVAL_TASKS.get(ctx.call.step)
    if step is None:
        raise Conflict(
            f"The step {ctx.call.step} is not an approval of the result sheet.",
            f"步骤 {ctx.call.step} 不是考核结果表的审批步骤。",
        )
    approval = sheet.sign_sheet(
        ctx.session,
        _cycle_id(ctx),
        step,
        ctx.data.get("decision"),
        ctx.data.get("comment"),
        ctx.actor,
        round_=_id(ctx, "round"),
        locale=current_locale.get(),
    )
    return {"decision": approval.decision}


@effect("sheet.revise")
def revise(ctx: EffectContext) -> dict[str, Any]:
    """HR has revised a returned sheet: the next round of signatures."""
    cycle = sheet.revise_sheet(ctx.session, _cycle_id(ctx), locale=current_locale.get())
    return {"round": cycle.round}


@effect("appeal.open")
def open_appeal(ctx: EffectContext) -> dict[str, Any]:
    """The employee's appeal of their published result (`appraisal_id`, `reason`): who takes
    part (`superior`, `skip_level`) for the steps after it."""
    appeal, facts = appeals.open_appeal(
        ctx.session,
        _id(ctx, "appraisal_id"),
        ctx.data.get("reason"),
        ctx.actor,
        locale=current_locale.get(),
    )
    ctx.call.after_save.append(lambda instance: setattr(appeal, "instance_id", instance.id))
    return facts


@effect("appeal.decide")
def decide_appeal(ctx: EffectContext) -> dict[str, Any]:
    """HR records the `outcome`: upheld, or revised with `revised_composite`, and why
    (`outcome_reason`: not `reason`, which holds the appellant's own words)."""
    appeal_id = _id(ctx, "appeal_id")
    appeal = appeals.decide_appeal(
        ctx.session,
        appeal_id,
        ctx.data.get("outcome"),
        ctx.data.get("revised_composite"),
        ctx.data.get("outcome_reason"),
        ctx.actor,
        locale=current_locale.get(),
    )
    revision = appeal.appraisal.revision if appeal.status == "revised" else None
    return {
        "outcome": appeal.status,
        "revised_grade": revision.revised_grade if revision else None,
    }
