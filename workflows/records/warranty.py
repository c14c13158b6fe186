"""Warranty arithmetic, the one place for it (docs/records.md "Warranty").

All dates are local dates in the department's zone; every end date is the last day covered,
inclusive. The functions take a `Unit` or plain `Terms`, so they need no database.
"""

from __future__ import annotations

import calendar
import os
from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import update
from sqlalchemy.orm import Session

from engine.models import utcnow

from .models import RepairOrder, Unit, WarrantyExtension

# what each failure in warranty that could not be repaired adds (construction commitment §7)
EXTENSION_DAYS = 60
DEFAULT_TIMEZONE = "Asia/Shanghai"


@dataclass(frozen=True)
class Terms:
    """The warranty terms of one unit, as plain values."""

    delivered_on: date
    accepted_on: date | None = None
    warranty_months: int = 12
    manufacturer_warranty_end: date | None = None
    extension_days: int = 0

    @classmethod
    def of(cls, unit: Unit | Terms) -> Terms:
        if isinstance(unit, Terms):
            return unit
        return cls(
            delivered_on=unit.delivered_on,
            accepted_on=unit.accepted_on,
            warranty_months=unit.warranty_months,
            manufacturer_warranty_end=unit.manufacturer_warranty_end,
            extension_days=unit.extension_days or 0,
        )


def add_months(day: date, months: int) -> date:
    """The same day `months` calendar months later, clamped to the end of a shorter month."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def warranty_start(unit: Unit | Terms) -> date:
    """Acceptance starts the warranty; without one, delivery does."""
    terms = Terms.of(unit)
    return terms.accepted_on or terms.delivered_on


def contract_end(unit: Unit | Terms) -> date:
    """Last day the contract warranty covers: start + warranty months − 1 day."""
    terms = Terms.of(unit)
    return add_months(warranty_start(terms), terms.warranty_months) - timedelta(days=1)


def effective_end(unit: Unit | Terms) -> date:
    """Last day in warranty: the longer of contract and manufacturer warranty, plus extensions."""
    terms = Terms.of(unit)
    end = contract_end(terms)
    if terms.manufacturer_warranty_end is not None:
        end = max(end, terms.manufacturer_warranty_end)
    return end + timedelta(days=terms.extension_days)


def in_warranty(unit: Unit | Terms, on: date) -> bool:
    """Whether the local day `on` is covered (the last day is)."""
    return on <= effective_end(unit)


def department_zone() -> ZoneInfo:
    return ZoneInfo(os.environ.get("AFTERSALES_TIMEZONE") or DEFAULT_TIMEZONE)


def local_today() -> date:
    """Today in the department's zone (AFTERSALES_TIMEZONE)."""
    return utcnow().astimezone(department_zone()).date()


def grant_extension(
    session: Session,
    unit: Unit,
    *,
    days: int = EXTENSION_DAYS,
    reason: str,
    actor: str,
    repair_order: RepairOrder | None = None,
    on: date | None = None,
) -> WarrantyExtension:
    """Extend the unit's warranty by `days`: an extension row and the unit's running total."""
    if isinstance(days, bool) or not isinstance(days, int) or days <= 0:
        raise ValueError(f"an extension adds a positive number of days, not {days!r}")
    session.flush()  # the unit and the order need their ids
    extension = WarrantyExtension(
        unit=unit,
        days=days,
        granted_on=on or local_today(),
        reason=reason,
        repair_order_id=repair_order.id if repair_order is not None else None,
        granted_by=actor,
    )
    session.add(extension)
    # added in SQL, so two cases extending the same unit at once both count
    session.execute(
        update(Unit)
        .where(Unit.id == unit.id)
        .values(extension_days=Unit.extension_days + days)
        .execution_options(synchronize_session=False)
    )
    session.flush()
    session.expire(unit, ["extension_days"])
    return extension
