"""Repair orders through their life: registered, quoted, diagnosed, worked on, returned,
accepted by the customer item by item, and filed as a failure record."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from engine.errors import Conflict, NotFound
from engine.models import utcnow
from workflows.effects import EffectContext, current_locale, effect
from workflows.org.models import User

from .. import stock
from ..models import REPAIR_MODES, FailureRecord, RepairOrder
from ..warranty import effective_end, grant_extension, in_warranty, local_today
from .cases import identify

RESOLUTIONS = ("repaired", "replaced_part", "unresolvable")
ACCEPTANCE_ITEMS = (
    "accept_appearance",
    "accept_function",
    "accept_accessories",
    "accept_documents",
)
EXTENSION_DAYS = 60


def repair_order(ctx: EffectContext) -> RepairOrder:
    order = ctx.session.get(RepairOrder, ctx.data.get("repair_order_id") or 0)
    if order is None:
        raise NotFound(
            "This case has no repair order yet; register the repair first.",
            "该案例尚无维修单，请先登记维修。",
        )
    return order


@effect("repair.register")
def register(ctx: EffectContext) -> dict[str, Any]:
    """Register the repair: the unit, on site or carry-in, and the engineer."""
    customer, unit = identify(ctx)
    if unit is None:
        raise ctx.refuse(
            "serial_number",
            "Enter the serial number of the unit to repair.",
            "请填写待维修设备的序列号。",
        )
    mode = ctx.text("mode")
    if mode not in REPAIR_MODES:
        raise ctx.refuse("mode", "Choose on site or carry-in.", "请选择上门维修或送修。")
    engineer = ctx.text("engineer") or None
    if engineer is not None:
        user = ctx.session.scalar(select(User).where(User.username == engineer))
        if user is None or not user.active or "repair_tech" not in user.roles:
            raise ctx.refuse(
                "engineer",
                f"{engineer} is not an active repair technician. Choose one, or leave it empty.",
                f"{engineer} 不是在职维修工程师。请重新选择，或留空。",
            )
    busy = ctx.session.scalar(
        select(RepairOrder.id).where(RepairOrder.unit_id == unit.id, RepairOrder.status == "open")
    )
    if busy is not None:
        raise Conflict(
            f"The unit {unit.serial_number} is already being repaired (repair order {busy}).",
            f"设备 {unit.serial_number} 已在维修中（维修单 {busy}）。",
        )
    today = local_today()
    order = RepairOrder(
        instance_id=ctx.instance.id,
        service_case_id=ctx.data.get("service_case_id"),
        unit_id=unit.id,
        customer_id=customer.id,
        mode=mode,
        reported_fault=ctx.text("reported_fault") or ctx.text("description"),
        engineer=engineer,
        in_warranty=in_warranty(unit, today),
        warranty_end=effective_end(unit),
    )
    unit.status = "in_repair"
    ctx.session.add(order)
    ctx.session.flush()
    return {
        "repair_order_id": order.id,
        "unit_id": unit.id,
        "customer_id": customer.id,
        "in_warranty": order.in_warranty,
        "warranty_end": order.warranty_end.isoformat(),
        "production_batch": unit.production_batch,
        "product_model": unit.product.model,
        "engineer": engineer,
    }


@effect("repair.quote")
def quote(ctx: EffectContext) -> dict[str, Any]:
    order = repair_order(ctx)
    if order.in_warranty:
        raise ctx.refuse(
            "quote_amount",
            "This repair is in warranty and free of charge; it needs no quote.",
            "该维修在保修期内，免费维修，无需报价。",
        )
    amount = ctx.number("quote_amount", above=True)
    if order.quote_status in ("accepted", "declined"):
        raise Conflict("The customer has already answered the quote.", "客户已对报价作出答复。")
    order.quote_amount, order.quote_status = amount, "sent"
    return {"quote_amount": str(amount)}


@effect("repair.quote_answer")
def quote_answer(ctx: EffectContext) -> dict[str, Any]:
    order = repair_order(ctx)
    answer = ctx.text("quote_accepted")
    if answer not in ("yes", "no"):
        raise ctx.refuse("quote_accepted", "Choose yes or no.", "请选择是或否。")
    order.decide_quote(answer == "yes")
    if answer == "no":
        stock.release(ctx.session, order, ctx.actor.username)
    return {"quote_accepted": answer}


def part_lines(ctx: EffectContext) -> list[tuple[str, int]]:
    """The parts a diagnosis asks for: (part number, quantity) from up to two rows."""
    lines = []
    for row in (1, 2):
        number, raw = ctx.text(f"part{row}_number"), ctx.data.get(f"part{row}_qty")
        if not number:
            continue
        quantity = ctx.number(f"part{row}_qty", above=True) if raw not in (None, "") else 1
        if quantity != int(quantity):
            raise ctx.refuse(f"part{row}_qty", "Enter a whole number.", "请输入整数。")
        lines.append((number, int(quantity)))
    return lines


@effect("repair.diagnose")
def diagnose(ctx: EffectContext) -> dict[str, Any]:
    order = repair_order(ctx)
    lines = part_lines(ctx)
    known = stock.parts_by_number(ctx.session, (number for number, _ in lines))
    for row, (number, _quantity) in enumerate(lines, start=1):
        if number not in known:
            raise ctx.refuse(
                f"part{row}_number",
                f"There is no spare part {number}. Check the part number in the stock list.",
                f"没有备件号为 {number} 的备件。请在库存列表中核对备件号。",
            )
    order.diagnosis = ctx.text("diagnosis")
    if order.engineer is None:
        order.engineer = ctx.actor.username
    parts = [{"part_number": n, "quantity": q} for n, q in lines]
    return {"needs_parts": bool(parts), "parts": parts}


@effect("repair.record_work")
def record_work(ctx: EffectContext) -> dict[str, Any]:
    order = repair_order(ctx)
    resolution = ctx.text("resolution")
    if resolution not in RESOLUTIONS:
        raise ctx.refuse("resolution", "Choose how the repair ended.", "请选择维修结果。")
    labour = ctx.number("labour_hours")
    charge = ctx.number("charge") if ctx.data.get("charge") not in (None, "") else 0
    if charge and order.in_warranty:
        raise ctx.refuse(
            "charge",
            "This repair is in warranty: it is free of charge. Enter 0.",
            "该维修在保修期内，应免费维修。请填写 0。",
        )
    if resolution == "unresolvable":
        stock.release(ctx.session, order, ctx.actor.username)
    else:
        stock.consume(ctx.session, order, ctx.actor.username)
    order.resolution, order.labour_hours, order.charge = resolution, labour, charge
    work = ctx.text("work_done")
    if work:
        order.diagnosis = f"{order.diagnosis}\n{work}".strip()
    return {"resolution": resolution, "charge": str(charge)}


@effect("warranty.extend")
def extend_warranty(ctx: EffectContext) -> dict[str, Any]:
    """An unresolvable failure in warranty: the unit is replaced and its warranty extended."""
    order = repair_order(ctx)
    if not order.in_warranty:
        raise Conflict(
            "This repair is out of warranty; a free replacement is not due.",
            "该维修已超出保修期，不提供免费更换。",
        )
    grant_extension(
        ctx.session,
        order.unit,
        days=EXTENSION_DAYS,
        reason=ctx.text("replacement_note") or "unresolvable failure in warranty",
        actor=ctx.actor.username,
        repair_order=order,
    )
    order.resolution = "replaced_unit"
    return {"resolution": "replaced_unit", "warranty_end": effective_end(order.unit).isoformat()}


@effect("repair.return")
def return_unit(ctx: EffectContext) -> dict[str, Any]:
    """The unit goes back to the customer; a loaner comes back to stock."""
    order = repair_order(ctx)
    stock.return_loaner(ctx.session, order, ctx.actor.username)
    if order.resolution is None or order.resolution == "unresolvable":
        order.resolution = "not_repaired"
        stock.release(ctx.session, order, ctx.actor.username)
    now = utcnow()
    order.returned_at = now
    order.unit.status = "in_service"
    if order.quote_status == "declined":
        order.status, order.closed_at = "declined", now
    elif order.resolution == "not_repaired":
        order.status, order.closed_at = "closed", now
    else:
        order.status = "returned"
    return {"returned_how": ctx.text("returned_how")}


@effect("repair.accept")
def accept(ctx: EffectContext) -> dict[str, Any]:
    """The customer's acceptance, item by item, signed by name."""
    order = repair_order(ctx)
    signer = ctx.text("signed_by_name")
    if not signer:
        raise ctx.refuse(
            "signed_by_name",
            "Enter the name of the customer who signs the acceptance.",
            "请填写签字验收的客户姓名。",
        )
    for item in ACCEPTANCE_ITEMS:
        if ctx.text(item) not in ("yes", "no"):
            raise ctx.refuse(item, "Choose yes or no.", "请选择是或否。")
    accepted = all(ctx.yes(item) for item in ACCEPTANCE_ITEMS)
    order.acceptance = [{"item": item, "accepted": ctx.yes(item)} for item in ACCEPTANCE_ITEMS] + (
        [{"item": "remarks", "text": ctx.text("acceptance_remarks")}]
        if ctx.text("acceptance_remarks")
        else []
    )
    order.accepted_by_name, order.accepted_at = signer, utcnow()
    order.status = "accepted" if accepted else "open"
    return {"accepted": accepted}


@effect("failure.record")
def record_failure(ctx: EffectContext) -> dict[str, Any]:
    """File what failed against the production batch, for the repair-rate figures."""
    order = repair_order(ctx)
    phenomenon = ctx.text("phenomenon")
    if not phenomenon:
        raise ctx.refuse("phenomenon", "Describe what the customer saw fail.", "请描述故障现象。")
    record = FailureRecord(
        repair_order_id=order.id,
        unit_id=order.unit_id,
        product_id=order.unit.product_id,
        production_batch=order.unit.production_batch,
        phenomenon=phenomenon,
        problem_type=ctx.text("problem_type") or "other",
        recorded_by=ctx.actor.username,
    )
    ctx.session.add(record)
    ctx.session.flush()
    if not ctx.yes("defective_parts"):
        order.status, order.closed_at = "closed", utcnow()
    return {"failure_record_id": record.id}


@effect("repair.substitute_consent")
def substitute_consent(ctx: EffectContext) -> dict[str, Any]:
    """A substitute part of another model needs the customer's consent (no price difference)."""
    order = repair_order(ctx)
    consent = ctx.text("consent")
    if consent not in ("yes", "no"):
        raise ctx.refuse("consent", "Choose yes or no.", "请选择是或否。")
    number = ctx.data.get("replacement_part_number")
    if consent == "yes" and number:
        stock.reserve(
            ctx.session, order, [(number, 1)], ctx.actor.username, locale=current_locale.get()
        )
    return {"consent": consent}
