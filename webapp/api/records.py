"""The department's records, read-only: customers, units with their warranty and history,
repair orders, spare parts with the 3 % check, returns, failure records and repair rates."""

from __future__ import annotations

from datetime import UTC

from flask import abort, jsonify, request
from sqlalchemy import select

from engine.errors import NotFound
from workflows import permissions
from workflows.records import queries
from workflows.records.models import (
    Customer,
    FailureRecord,
    Part,
    RepairOrder,
    ReturnRequest,
    Unit,
)
from workflows.records.stock import family_stock

from ..extensions import db
from ..records import REPAIR_STATUSES, RETURN_STATUSES
from . import bp
from .common import actor, api_login_required, paginate
from .schemas import (
    customer_schema,
    customers_schema,
    extensions_schema,
    failure_records_schema,
    family_stock_schema,
    parts_schema,
    repair_order_schema,
    repair_orders_schema,
    repair_rates_schema,
    return_request_schema,
    return_requests_schema,
    service_cases_schema,
    unit_schema,
    units_schema,
)

# how each kind of unit history entry is written
HISTORY_SCHEMAS = {
    "service_case": service_cases_schema,
    "repair_order": repair_orders_schema,
    "return_request": return_requests_schema,
    "failure_record": failure_records_schema,
    "warranty_extension": extensions_schema,
}


def _readers() -> None:
    permissions.require_records(actor())


def _get(model, record_id: int):
    row = db.session.get(model, record_id)
    if row is None:
        raise NotFound("There is no such record.", "没有这条记录。")
    return row


def _page_args() -> tuple[int, int]:
    """`page` and `per_page` as `paginate` reads them, for the searches that page themselves."""
    try:
        page = max(1, int(request.args.get("page", 1)))
        per_page = min(200, max(1, int(request.args.get("per_page", 50))))
    except ValueError:
        abort(400)
    return page, per_page


def _found(found: queries.Page, schema) -> dict:
    return {
        "items": schema.dump(found.items),
        "total": found.total,
        "page": found.page,
        "per_page": found.per_page,
    }


def _choice(name: str, allowed: tuple[str, ...]) -> str | None:
    value = request.args.get(name) or None
    if value is not None and value not in allowed:
        abort(400)
    return value


# -- customers and units --------------------------------------------------------------------------
@bp.get("/customers")
@api_login_required
def list_customers():
    _readers()
    page, per_page = _page_args()
    found = queries.search_customers(db.session, request.args.get("q", ""), page, per_page)
    return jsonify(_found(found, customers_schema))


@bp.get("/customers/<int:customer_id>")
@api_login_required
def get_customer(customer_id: int):
    _readers()
    customer = _get(Customer, customer_id)
    body = customer_schema.dump(customer)
    body["units"] = units_schema.dump(
        db.session.scalars(
            select(Unit).where(Unit.customer_id == customer.id).order_by(Unit.serial_number)
        )
    )
    return jsonify(body)


@bp.get("/units")
@api_login_required
def list_units():
    _readers()
    page, per_page = _page_args()
    serial = request.args.get("serial")
    if serial:
        unit = queries.unit_by_serial(db.session, serial.strip())
        rows = [unit] if unit is not None and page == 1 else []
        found = queries.Page(rows, int(unit is not None), page, per_page)
    else:
        found = queries.search_units(db.session, request.args.get("q", ""), page, per_page)
    return jsonify(_found(found, units_schema))


@bp.get("/units/<int:unit_id>")
@api_login_required
def get_unit(unit_id: int):
    _readers()
    unit = _get(Unit, unit_id)
    body = unit_schema.dump(unit)
    body["extensions"] = extensions_schema.dump(unit.extensions)
    body["history"] = [
        {
            "kind": entry.kind,
            "at": entry.at.astimezone(UTC).isoformat(),
            "record": HISTORY_SCHEMAS[entry.kind].dump([entry.record])[0],
        }
        for entry in queries.unit_history(db.session, unit.id)
    ]
    return jsonify(body)


# -- repair orders and parts ----------------------------------------------------------------------
def _unit_filter(stmt, model):
    unit_id = request.args.get("unit")
    if unit_id:
        if not unit_id.isdigit():
            abort(400)
        stmt = stmt.where(model.unit_id == int(unit_id))
    return stmt


@bp.get("/repair-orders")
@api_login_required
def list_repair_orders():
    _readers()
    stmt = _unit_filter(select(RepairOrder), RepairOrder)
    status = _choice("status", REPAIR_STATUSES)
    if status:
        stmt = stmt.where(RepairOrder.status == status)
    return jsonify(paginate(stmt.order_by(RepairOrder.id.desc()), repair_orders_schema.dump))


@bp.get("/repair-orders/<int:order_id>")
@api_login_required
def get_repair_order(order_id: int):
    _readers()
    return jsonify(repair_order_schema.dump(_get(RepairOrder, order_id)))


@bp.get("/parts")
@api_login_required
def list_parts():
    """The parts, a page at a time, and every family against the 3 % rule."""
    _readers()
    body = paginate(select(Part).order_by(Part.family, Part.part_number), parts_schema.dump)
    body["families"] = family_stock_schema.dump(family_stock(db.session))
    return jsonify(body)


# -- returns --------------------------------------------------------------------------------------
@bp.get("/return-requests")
@api_login_required
def list_return_requests():
    _readers()
    stmt = _unit_filter(select(ReturnRequest), ReturnRequest)
    status = _choice("status", RETURN_STATUSES)
    if status:
        stmt = stmt.where(ReturnRequest.status == status)
    return jsonify(paginate(stmt.order_by(ReturnRequest.id.desc()), return_requests_schema.dump))


@bp.get("/return-requests/<int:request_id>")
@api_login_required
def get_return_request(request_id: int):
    _readers()
    return jsonify(return_request_schema.dump(_get(ReturnRequest, request_id)))


# -- failures and repair rates --------------------------------------------------------------------
@bp.get("/failure-records")
@api_login_required
def list_failure_records():
    permissions.require_failures(actor())
    stmt = _unit_filter(select(FailureRecord), FailureRecord)
    if request.args.get("batch"):
        stmt = stmt.where(FailureRecord.production_batch == request.args["batch"])
    stmt = stmt.order_by(FailureRecord.recorded_at.desc(), FailureRecord.id.desc())
    return jsonify(paginate(stmt, failure_records_schema.dump))


@bp.get("/repair-rate")
@api_login_required
def repair_rate():
    """返修率 per product (`production_batch` null) and per production batch; not paged."""
    permissions.require_failures(actor())
    items = repair_rates_schema.dump(queries.repair_rate(db.session))
    return jsonify({"items": items, "total": len(items), "page": 1, "per_page": len(items)})
