"""Returns and exchanges (RMA): registered, reviewed against the policy, picked up, inspected,
and settled by a refund, an exchange or a rejection with its reason."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from engine.errors import Conflict, NotFound
from engine.models import utcnow
from workflows.effects import EffectContext, effect

from ..models import ReturnRequest, StockMovement, Unit
from ..warranty import in_warranty, local_today
from .cases import identify

KINDS = ("return", "exchange")
REASONS = ("quality_defect", "transport_damage", "not_as_described", "changed_mind")
OUTCOMES = ("refund", "exchange")


def return_request(ctx: EffectContext) -> ReturnRequest:
    request = ctx.session.get(ReturnRequest, ctx.data.get("rma_id") or 0)
    if request is None:
        raise NotFound("This case has no return request.", "该案例没有退换货申请。")
    if request.status != "open":
        raise Conflict("This return request is already closed.", "该退换货申请已关闭。")
    return request


@effect("rma.open")
def open_return(ctx: EffectContext) -> dict[str, Any]:
    customer, unit = identify(ctx)
    if unit is None:
        raise ctx.refuse(
            "serial_number",
            "Enter the serial number of the unit to return or exchange.",
            "请填写退换设备的序列号。",
        )
    kind, reason = ctx.text("kind"), ctx.text("reason_code")
    if kind not in KINDS:
        raise ctx.refuse("kind", "Choose return or exchange.", "请选择退货或换货。")
    if reason not in REASONS:
        raise ctx.refuse("reason_code", "Choose the reason.", "请选择原因。")
    today = local_today()
    request = ReturnRequest(
        unit_id=unit.id,
        customer_id=customer.id,
        kind=kind,
        reason_code=reason,
        reason=ctx.text("reason"),
        days_since_delivery=(today - unit.delivered_on).days,
    )
    ctx.session.add(request)
    ctx.session.flush()
    ctx.call.after_save.append(lambda instance: setattr(request, "instance_id", instance.id))
    return {
        "rma_id": request.id,
        "unit_id": unit.id,
        "customer_id": customer.id,
        "customer_name": customer.name,
        "days_since_delivery": request.days_since_delivery,
        "in_warranty": in_warranty(unit, today),
        "product_model": unit.product.model,
    }


@effect("rma.review")
def review(ctx: EffectContext) -> dict[str, Any]:
    request = return_request(ctx)
    answer = ctx.text("eligible")
    if answer not in ("yes", "no"):
        raise ctx.refuse("eligible", "Choose yes or no.", "请选择是或否。")
    eligible = answer == "yes"
    policy = bool(ctx.data.get("policy_eligible"))
    if eligible != policy and not ctx.text("review_note"):
        raise ctx.refuse(
            "review_note",
            "Your decision departs from the return policy: say why.",
            "您的决定与退换货政策不一致，请说明理由。",
        )
    request.eligible = eligible
    rule = ctx.text("policy_rule")
    request.policy_rule = (
        rule if eligible == policy else f"{rule}（复核改判：{ctx.text('review_note')}）"
    )
    return {"eligible": eligible}


@effect("rma.pickup")
def pickup(ctx: EffectContext) -> dict[str, Any]:
    request = return_request(ctx)
    try:
        day = date.fromisoformat(ctx.text("pickup_on"))
    except ValueError:
        raise ctx.refuse("pickup_on", "Enter the pickup date.", "请填写取件日期。") from None
    if day < local_today():
        raise ctx.refuse("pickup_on", "The pickup cannot be in the past.", "取件日期不能早于今天。")
    request.pickup_on, request.carrier = day, ctx.text("carrier") or None
    return {}


@effect("rma.inspect")
def inspect(ctx: EffectContext) -> dict[str, Any]:
    request = return_request(ctx)
    answer = ctx.text("inspection_ok")
    if answer not in ("yes", "no"):
        raise ctx.refuse("inspection_ok", "Choose yes or no.", "请选择是或否。")
    request.inspection_ok = answer == "yes"
    request.inspection_result = ctx.text("inspection_result")
    return {"inspection_ok": request.inspection_ok}


@effect("rma.settle")
def settle(ctx: EffectContext) -> dict[str, Any]:
    """Refund or exchange; the returned unit goes into stock, an exchanged one goes out."""
    request = return_request(ctx)
    outcome = ctx.text("outcome")
    if outcome not in OUTCOMES:
        raise ctx.refuse("outcome", "Choose refund or exchange.", "请选择退款或换货。")
    returned = request.unit
    if outcome == "refund":
        request.refund_amount = ctx.number("refund_amount")
    else:
        serial = ctx.text("replacement_serial")
        if not serial:
            raise ctx.refuse(
                "replacement_serial",
                "Enter the serial number of the replacement unit.",
                "请填写换货设备的序列号。",
            )
        if ctx.session.scalar(select(Unit.id).where(Unit.serial_number == serial)) is not None:
            raise ctx.refuse(
                "replacement_serial",
                f"The serial number {serial} is already on file. Check the new unit's nameplate.",
                f"序列号 {serial} 已存在。请核对新设备的铭牌。",
            )
        replacement = Unit(
            serial_number=serial,
            product_id=returned.product_id,
            customer_id=returned.customer_id,
            site_id=returned.site_id,
            production_batch=ctx.text("replacement_batch") or returned.production_batch,
            delivered_on=local_today(),
            warranty_months=returned.warranty_months,
        )
        ctx.session.add(replacement)
        ctx.session.flush()
        request.replacement_unit_id = replacement.id
    returned.status = "returned"
    ctx.session.add(
        StockMovement(
            kind="return_in",
            quantity=1,
            return_request_id=request.id,
            note=returned.serial_number,
            actor=ctx.actor.username,
        )
    )
    request.outcome, request.status, request.closed_at = outcome, "closed", utcnow()
    return {"outcome": outcome}


@effect("rma.reject")
def reject(ctx: EffectContext) -> dict[str, Any]:
    request = return_request(ctx)
    reason = ctx.text("rejection_reason")
    if not reason:
        raise ctx.refuse(
            "rejection_reason",
            "Tell the customer why the request is rejected.",
            "请向客户说明拒绝的理由。",
        )
    request.outcome, request.outcome_reason = "rejected", reason
    request.status, request.closed_at = "closed", utcnow()
    return {}
