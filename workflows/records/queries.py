"""Reads on the records for pages, the API and task effects."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from .models import (
    Customer,
    FailureRecord,
    Product,
    RepairOrder,
    ReturnRequest,
    ServiceCase,
    Unit,
    WarrantyExtension,
)
from .warranty import department_zone


def customer_by_code(session: Session, code: str) -> Customer | None:
    return session.scalar(select(Customer).where(Customer.code == code))


def unit_by_serial(session: Session, serial: str) -> Unit | None:
    return session.scalar(select(Unit).where(Unit.serial_number == serial))


@dataclass(frozen=True)
class HistoryEntry:
    """One thing that happened to a unit; `record` is the row itself."""

    # service_case | repair_order | return_request | failure_record | warranty_extension
    kind: str
    at: datetime  # aware, UTC
    record: Any


def _end_of_local_day(day: date) -> datetime:
    # an extension carries only its day; it is granted during the repair that day, so it
    # sorts above that day's other entries
    return datetime.combine(day, time.max, tzinfo=department_zone()).astimezone(UTC)


def unit_history(session: Session, unit_id: int) -> list[HistoryEntry]:
    """The unit's cases, repairs, returns, failures and warranty extensions, newest first."""
    sources: list[tuple[str, Any, Any]] = [
        ("service_case", ServiceCase, lambda r: r.received_at),
        ("repair_order", RepairOrder, lambda r: r.opened_at),
        ("return_request", ReturnRequest, lambda r: r.opened_at),
        ("failure_record", FailureRecord, lambda r: r.recorded_at),
        ("warranty_extension", WarrantyExtension, lambda r: _end_of_local_day(r.granted_on)),
    ]
    entries = [
        HistoryEntry(kind, when(row), row)
        for kind, model, when in sources
        for row in session.scalars(select(model).where(model.unit_id == unit_id))
    ]
    return sorted(entries, key=lambda e: (e.at, e.record.id), reverse=True)


@dataclass(frozen=True)
class RepairRate:
    """Failures against units delivered, for a product (batch None) or one of its batches."""

    product_model: str
    production_batch: str | None
    units: int
    failures: int
    rate: float  # failures / units; 0 when no unit was delivered


def repair_rate(session: Session) -> list[RepairRate]:
    """返修率 per product, each followed by its batches, by model and batch."""
    units = session.execute(
        select(Product.model, Unit.production_batch, func.count(Unit.id))
        .join(Product, Unit.product_id == Product.id)
        .group_by(Product.model, Unit.production_batch)
    ).all()
    failures = session.execute(
        select(Product.model, FailureRecord.production_batch, func.count(FailureRecord.id))
        .join(Product, FailureRecord.product_id == Product.id)
        .group_by(Product.model, FailureRecord.production_batch)
    ).all()
    counts: dict[tuple[str, str | None], list[int]] = {}
    for column, rows in ((0, units), (1, failures)):
        for model, batch, n in rows:
            for key in ((model, None), (model, batch)):
                counts.setdefault(key, [0, 0])[column] += n
    return [
        RepairRate(model, batch, n_units, n_failures, n_failures / n_units if n_units else 0.0)
        for (model, batch), (n_units, n_failures) in sorted(
            counts.items(), key=lambda item: (item[0][0], item[0][1] is not None, item[0][1] or "")
        )
    ]


@dataclass(frozen=True)
class Page:
    items: list[Any]
    total: int
    page: int
    per_page: int


def _page(session: Session, stmt: Select, page: int, per_page: int) -> Page:
    page, per_page = max(1, page), max(1, per_page)
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    items = list(session.scalars(stmt.limit(per_page).offset((page - 1) * per_page)))
    return Page(items, total or 0, page, per_page)


def _matching(q: str, *columns):
    q = (q or "").strip()
    if not q:
        return None
    return or_(*(column.icontains(q, autoescape=True) for column in columns))


def search_customers(session: Session, q: str, page: int = 1, per_page: int = 50) -> Page:
    """Customers whose code, name, contact, phone or e-mail contain `q`, by code."""
    stmt = select(Customer).order_by(Customer.code)
    condition = _matching(
        q, Customer.code, Customer.name, Customer.contact_name, Customer.phone, Customer.email
    )
    return _page(session, stmt if condition is None else stmt.where(condition), page, per_page)


def search_units(session: Session, q: str, page: int = 1, per_page: int = 50) -> Page:
    """Units whose serial, batch, product model or customer code or name contain `q`."""
    stmt = (
        select(Unit)
        .join(Product, Unit.product_id == Product.id)
        .join(Customer, Unit.customer_id == Customer.id)
        .order_by(Unit.serial_number)
    )
    condition = _matching(
        q,
        Unit.serial_number,
        Unit.production_batch,
        Product.model,
        Customer.code,
        Customer.name,
    )
    return _page(session, stmt if condition is None else stmt.where(condition), page, per_page)
