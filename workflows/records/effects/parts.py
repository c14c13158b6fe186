"""Spare parts and loaners as repairs use them: reserved, replenished, lent, sent upstream."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from engine.models import utcnow
from workflows.effects import EffectContext, current_locale, effect

from .. import stock
from ..models import FailureRecord
from .repairs import repair_order


def _lines(ctx: EffectContext) -> list[tuple[str, int]]:
    return [(p["part_number"], p["quantity"]) for p in ctx.data.get("parts") or ()]


@effect("parts.reserve")
def reserve(ctx: EffectContext) -> dict[str, Any]:
    """Hold the diagnosed parts. Short and not willing to wait → 409 naming the part; willing
    to wait → nothing is held and the process asks the warehouse to replenish."""
    order, lines = repair_order(ctx), _lines(ctx)
    if ctx.yes("wait_for_parts") and not stock.in_stock(ctx.session, lines):
        return {"parts_short": True}
    # a part taken meanwhile by someone else still ends in OutOfStock: the person is told
    stock.reserve(ctx.session, order, lines, ctx.actor.username, locale=current_locale.get())
    return {"parts_short": False}


@effect("parts.receive")
def receive(ctx: EffectContext) -> dict[str, Any]:
    part = stock.receive(
        ctx.session,
        ctx.text("part_number"),
        ctx.data.get("quantity"),
        ctx.actor.username,
        ctx.text("supplier_note"),
        locale=current_locale.get(),
    )
    return {"received": {"part_number": part.part_number, "quantity": ctx.data.get("quantity")}}


@effect("loaner.issue")
def issue_loaner(ctx: EffectContext) -> dict[str, Any]:
    """The repair has taken more than two days: lend a unit free of charge."""
    loaner = stock.issue_loaner(
        ctx.session,
        repair_order(ctx),
        ctx.actor.username,
        ctx.text("asset_tag") or None,
        locale=current_locale.get(),
    )
    return {"loaner_asset_tag": loaner.asset_tag}


@effect("parts.replace_same_spec")
def replace_part(ctx: EffectContext) -> dict[str, Any]:
    """Not fixed within 24 h in warranty: a free part of the same spec; another model needs the
    customer's consent first."""
    order = repair_order(ctx)
    choice, number = ctx.text("replacement"), ctx.text("part_number")
    if choice not in ("same_spec", "substitute"):
        raise ctx.refuse("replacement", "Choose the kind of replacement.", "请选择更换方式。")
    if number not in stock.parts_by_number(ctx.session, [number]):
        raise ctx.refuse(
            "part_number",
            f"There is no spare part {number}. Check the part number in the stock list.",
            f"没有备件号为 {number} 的备件。请在库存列表中核对备件号。",
        )
    if choice == "same_spec":
        stock.reserve(
            ctx.session, order, [(number, 1)], ctx.actor.username, locale=current_locale.get()
        )
    return {
        "replacement": choice,
        "replacement_part_number": number,
        "substitute_needs_consent": choice == "substitute",
    }


@effect("parts.send_upstream")
def send_upstream(ctx: EffectContext) -> dict[str, Any]:
    """Defective parts mailed to the supplier with a failure summary; the order is closed."""
    order = repair_order(ctx)
    summary = ctx.text("failure_summary")
    if not summary:
        raise ctx.refuse(
            "failure_summary",
            "Summarise the failure for the supplier.",
            "请为供应商填写故障摘要。",
        )
    stock.send_upstream(ctx.session, order, ctx.actor.username, summary)
    now = utcnow()
    for record in ctx.session.scalars(
        select(FailureRecord).where(FailureRecord.repair_order_id == order.id)
    ):
        record.sent_upstream_at = now
        record.upstream_summary = summary
        record.upstream_tracking = ctx.text("tracking_number") or None
    order.status, order.closed_at = "closed", now
    return {}
