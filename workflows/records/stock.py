"""Stock movements: spare parts reserved, consumed, released, received and sent upstream, and
loaners lent and taken back. Flush only; the caller commits.

Every change is one conditional UPDATE, so two people taking the last part at the same moment
cannot both get it (PostgreSQL re-checks the condition on the locked row; SQLite serialises
writers); the CHECK constraints on `spare_part` are only the last guard. Each change writes a
`StockMovement` whose `quantity` is a count of pieces (never negative): `kind` says which way.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from engine.errors import Conflict, field_message, fields_invalid
from engine.models import utcnow

from .models import LoanerUnit, Part, PartReservation, Product, RepairOrder, StockMovement, Unit

# "local spare-part stock ≥ 3 % of total service volume" (construction commitment §5)
STOCK_SHARE_OF_SERVICE_VOLUME = Decimal("0.03")
# units that count towards a family's service volume
SERVICED_STATUSES = ("in_service", "in_repair")


class OutOfStock(Conflict):
    """Fewer pieces of a part are free than a repair asks for."""

    code = "out_of_stock"

    def __init__(self, part: Part, available: int, requested: int):
        super().__init__(
            f"Only {available} of part {part.part_number} ({part.name}) are available; "
            f"you asked for {requested}. Tick 'wait for replenishment' to order it.",
            f"备件 {part.part_number}（{part.name}）仅有 {available} 件可用，"
            f"您需要 {requested} 件。请勾选“等待补货”以订购。",
        )
        self.part_number, self.available, self.requested = part.part_number, available, requested


def _quantity(value: Any) -> int | None:
    """A positive whole number, or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return value if isinstance(value, int) and value > 0 else None


def _bad_quantity(locale: str) -> list[str]:
    return field_message(locale, "Enter a whole number above 0.", "请输入大于 0 的整数。")


def _unknown_part(locale: str, part_number: Any) -> list[str]:
    return field_message(
        locale,
        f"There is no part '{part_number}'. Check the part number.",
        f"没有备件“{part_number}”。请核对备件编号。",
    )


def parts_by_number(session: Session, numbers) -> dict[str, Part]:
    wanted = {n for n in numbers if isinstance(n, str)}
    if not wanted:
        return {}
    rows = session.scalars(select(Part).where(Part.part_number.in_(wanted)))
    return {p.part_number: p for p in rows}


def in_stock(session: Session, lines: list[tuple[str, int]]) -> bool:
    """Whether every line could be reserved right now (lines of one part added up)."""
    wanted: dict[str, int] = {}
    for number, quantity in lines:
        wanted[number] = wanted.get(number, 0) + quantity
    parts = parts_by_number(session, wanted)
    return all(n in parts and parts[n].available >= q for n, q in wanted.items())


def _move(session: Session, kind: str, quantity: int, actor: str, **refs) -> StockMovement:
    movement = StockMovement(kind=kind, quantity=quantity, actor=actor, **refs)
    session.add(movement)
    return movement


def _adjust(session: Session, part_id: int, *conditions, **values) -> bool:
    """One conditional UPDATE of a part row; True when the row matched."""
    result = session.execute(
        update(Part)
        .where(Part.id == part_id, *conditions)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def reserve(
    session: Session,
    order: RepairOrder,
    lines: list[tuple[str, int]],
    actor: str,
    *,
    locale: str = "zh_CN",
) -> list[PartReservation]:
    """Hold parts for a repair, all lines or none.

    Errors name the fields `part<n>_number` / `part<n>_qty` (n from 1, as the diagnosis form
    does): 422 for an unknown part or a quantity that is not a whole number above 0,
    `OutOfStock` (409) when a part is short.
    """
    errors: dict[str, list[str]] = {}
    parts = parts_by_number(session, (number for number, _ in lines))
    wanted: dict[str, int] = {}  # part number -> pieces, lines of the same part added up
    for n, (number, quantity) in enumerate(lines, start=1):
        if not isinstance(number, str) or number not in parts:
            errors[f"part{n}_number"] = _unknown_part(locale, number)
        if _quantity(quantity) is None:
            errors[f"part{n}_qty"] = _bad_quantity(locale)
        if not errors:
            wanted[number] = wanted.get(number, 0) + _quantity(quantity)
    if errors:
        raise fields_invalid(errors)

    held: list[tuple[Part, int]] = []
    for number, quantity in wanted.items():
        part = parts[number]
        if _adjust(
            session,
            part.id,
            Part.on_hand - Part.reserved >= quantity,
            reserved=Part.reserved + quantity,
        ):
            held.append((part, quantity))
            continue
        # undo the lines already held: this transaction holds their rows, so nobody saw them,
        # and a caller that goes on (waiting for replenishment) keeps nothing half-reserved
        for done, count in held:
            _adjust(session, done.id, reserved=Part.reserved - count)
        available = session.scalar(select(Part.on_hand - Part.reserved).where(Part.id == part.id))
        _expire(session, [p for p, _ in held] + [part])
        raise OutOfStock(part, max(available or 0, 0), quantity)

    reservations = []
    for part, quantity in held:
        reservation = PartReservation(part=part, repair_order=order, quantity=quantity)
        session.add(reservation)
        _move(session, "reserve", quantity, actor, part=part, repair_order_id=order.id)
        reservations.append(reservation)
    session.flush()
    _expire(session, [p for p, _ in held])
    return reservations


def _expire(session: Session, parts) -> None:
    for part in parts:
        session.expire(part, ["on_hand", "reserved"])


def _settle(session: Session, order: RepairOrder, actor: str, outcome: str) -> list:
    """Move the order's held reservations to `outcome` (consumed or released) and the stock."""
    settled = []
    held = session.scalars(
        select(PartReservation)
        .where(PartReservation.repair_order_id == order.id, PartReservation.status == "reserved")
        .order_by(PartReservation.id)
    )
    for reservation in list(held):
        # claimed row by row: a second run (or a concurrent one) finds nothing left to settle
        claimed = session.execute(
            update(PartReservation)
            .where(PartReservation.id == reservation.id, PartReservation.status == "reserved")
            .values(status=outcome)
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount != 1:
            continue
        q = reservation.quantity
        values: dict[str, Any] = {"reserved": Part.reserved - q}
        if outcome == "consumed":
            values["on_hand"] = Part.on_hand - q
        if not _adjust(
            session, reservation.part_id, Part.reserved >= q, Part.on_hand >= q, **values
        ):
            raise Conflict(
                f"The stock of part {reservation.part.part_number} does not match its "
                "reservations. Ask the warehouse to count it.",
                f"备件 {reservation.part.part_number} 的库存与预留不符。请联系备件管理员盘点。",
            )
        kind = "consume" if outcome == "consumed" else "release"
        _move(session, kind, q, actor, part_id=reservation.part_id, repair_order_id=order.id)
        session.expire(reservation, ["status"])
        _expire(session, [reservation.part])
        settled.append(reservation)
    session.flush()
    return settled


def consume(session: Session, order: RepairOrder, actor: str) -> list[PartReservation]:
    """The parts held for the order went into the unit: they leave stock."""
    return _settle(session, order, actor, "consumed")


def release(session: Session, order: RepairOrder, actor: str) -> list[PartReservation]:
    """The parts held for the order are free again (repair declined or done without them)."""
    return _settle(session, order, actor, "released")


def receive(
    session: Session,
    part_number: str,
    quantity: int,
    actor: str,
    note: str = "",
    *,
    locale: str = "zh_CN",
) -> Part:
    """Pieces of a part arrived in stock; 422 naming `part_number` or `quantity`."""
    errors: dict[str, list[str]] = {}
    part = parts_by_number(session, [part_number]).get(part_number)
    if part is None:
        errors["part_number"] = _unknown_part(locale, part_number)
    if _quantity(quantity) is None:
        errors["quantity"] = _bad_quantity(locale)
    if errors:
        raise fields_invalid(errors)
    quantity = _quantity(quantity)
    _adjust(session, part.id, on_hand=Part.on_hand + quantity)
    _move(session, "receive", quantity, actor, part=part, note=note)
    session.flush()
    _expire(session, [part])
    return part


def send_upstream(session: Session, order: RepairOrder, actor: str, note: str) -> list:
    """The defective parts taken out in this repair were mailed to the supplier (邮寄上家).

    Stock does not change (the parts consumed already left it): one movement per part with
    the consumed count, or a single movement of 0 with no part when nothing was consumed, so
    the shipment is on record either way.
    """
    consumed: dict[int, int] = defaultdict(int)
    for part_id, quantity in session.execute(
        select(PartReservation.part_id, PartReservation.quantity)
        .where(PartReservation.repair_order_id == order.id, PartReservation.status == "consumed")
        .order_by(PartReservation.id)
    ):
        consumed[part_id] += quantity
    refs = {"repair_order_id": order.id, "note": note}
    movements = [
        _move(session, "send_upstream", quantity, actor, part_id=part_id, **refs)
        for part_id, quantity in consumed.items()
    ] or [_move(session, "send_upstream", 0, actor, **refs)]
    session.flush()
    return movements


def _no_loaner(product: Product) -> Conflict:
    return Conflict(
        f"No loaner of {product.model} ({product.name}) is available right now. Take one back "
        "from a finished repair, or try again later.",
        f"目前没有可用的 {product.model}（{product.name}）备用机。请先收回已完成维修的备用机，"
        "或稍后再试。",
    )


def _lend(session: Session, loaner_id: int) -> bool:
    result = session.execute(
        update(LoanerUnit)
        .where(LoanerUnit.id == loaner_id, LoanerUnit.status == "available")
        .values(status="on_loan")
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def issue_loaner(
    session: Session,
    order: RepairOrder,
    actor: str,
    asset_tag: str | None = None,
    *,
    locale: str = "zh_CN",
) -> LoanerUnit:
    """Lend a loaner of the unit's product: the one tagged, else any available; 409 when none.

    An order that already holds a loaner keeps it (a second call changes nothing).
    """
    if order.loaner_id is not None and order.loaner_returned_at is None:
        return session.get(LoanerUnit, order.loaner_id)
    product = order.unit.product
    if asset_tag:
        loaner = session.scalar(select(LoanerUnit).where(LoanerUnit.asset_tag == asset_tag))
        if loaner is None or loaner.product_id != product.id:
            raise fields_invalid(
                {
                    "asset_tag": field_message(
                        locale,
                        f"There is no loaner '{asset_tag}' of {product.model}. "
                        "Leave it empty to take any available one.",
                        f"没有编号为“{asset_tag}”的 {product.model} 备用机。留空则自动选择可用的一台。",
                    )
                }
            )
        candidates = [loaner.id]
    else:
        candidates = list(
            session.scalars(
                select(LoanerUnit.id)
                .where(LoanerUnit.product_id == product.id, LoanerUnit.status == "available")
                .order_by(LoanerUnit.id)
            )
        )
    # someone may lend the same loaner between our read and our update: take the next one
    lent = next((loaner_id for loaner_id in candidates if _lend(session, loaner_id)), None)
    if lent is None:
        raise _no_loaner(product)
    loaner = session.get(LoanerUnit, lent)
    session.expire(loaner, ["status"])
    order.loaner_id, order.loaner_issued_at, order.loaner_returned_at = lent, utcnow(), None
    _move(session, "loaner_out", 1, actor, loaner_id=lent, repair_order_id=order.id)
    session.flush()
    return loaner


def return_loaner(session: Session, order: RepairOrder, actor: str) -> LoanerUnit | None:
    """Take the order's loaner back; nothing happens when none is out."""
    if order.loaner_id is None or order.loaner_returned_at is not None:
        return None
    session.execute(
        update(LoanerUnit)
        .where(LoanerUnit.id == order.loaner_id, LoanerUnit.status == "on_loan")
        .values(status="available")
        .execution_options(synchronize_session=False)
    )
    order.loaner_returned_at = utcnow()
    _move(session, "loaner_in", 1, actor, loaner_id=order.loaner_id, repair_order_id=order.id)
    session.flush()
    loaner = session.get(LoanerUnit, order.loaner_id)
    session.expire(loaner, ["status"])
    return loaner


@dataclass(frozen=True)
class FamilyStock:
    """A part family's stock against the 3 % rule."""

    family: str
    on_hand: int
    service_volume: int
    required: int
    ok: bool


def required_stock(service_volume: int) -> int:
    """Pieces a family must keep: 3 % of its service volume, rounded up."""
    return math.ceil(service_volume * STOCK_SHARE_OF_SERVICE_VOLUME)


def family_stock(session: Session) -> list[FamilyStock]:
    """Every family a part or a product names, by name, with its stock and what it needs."""
    on_hand = dict(
        session.execute(select(Part.family, func.sum(Part.on_hand)).group_by(Part.family)).all()
    )
    volume = dict(
        session.execute(
            select(Product.part_family, func.count(Unit.id))
            .join(Unit, Unit.product_id == Product.id)
            .where(Unit.status.in_(SERVICED_STATUSES))
            .group_by(Product.part_family)
        ).all()
    )
    families = set(on_hand) | set(volume) | set(session.scalars(select(Product.part_family)))
    rows = []
    for family in sorted(families):
        stock, units = int(on_hand.get(family) or 0), int(volume.get(family) or 0)
        required = required_stock(units)
        rows.append(FamilyStock(family, stock, units, required, stock >= required))
    return rows
