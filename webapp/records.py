"""The record pages: customers, units with their warranty and service history, repair orders,
spare parts and loaners, returns, failure records and repair rates; and a case's Records panel.

Reading only: processes write the records through their task effects.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import Blueprint, abort, redirect, render_template, request, url_for
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from workflows import permissions
from workflows.org.queries import display_names
from workflows.records import queries
from workflows.records.models import (
    Customer,
    FailureRecord,
    LoanerUnit,
    Part,
    RepairOrder,
    ReturnRequest,
    ServiceCase,
    StockMovement,
    Unit,
)
from workflows.records.stock import family_stock
from workflows.records.warranty import contract_end, effective_end, in_warranty, local_today

from . import labels, record_labels
from .extensions import db
from .session_user import current_actor

bp = Blueprint("records", __name__, url_prefix="/records")
bp.record_once(labels.register)
bp.record_once(record_labels.register)

PER_PAGE = 50
RECENT_MOVEMENTS = 30
REPAIR_STATUSES = ("open", "returned", "closed", "declined")
RETURN_STATUSES = ("open", "closed")


@bp.app_context_processor
def _access() -> dict:
    def records_access() -> str | None:
        """'all', 'failures' or None: what the viewer's navbar offers."""
        actor = current_actor()
        if actor is None:
            return None
        if permissions.may_view_records(actor):
            return "all"
        return "failures" if permissions.may_view_failures(actor) else None

    return {"records_access": records_access}


@bp.before_request
def _guard():
    actor = current_actor()
    if actor is None:
        return redirect(url_for("auth.login", next=request.full_path))
    if request.endpoint in ("records.failures", "records.index"):
        permissions.require_failures(actor)
    else:
        permissions.require_records(actor)
    return None


def _page_number() -> int:
    page = request.args.get("page", 1, type=int)
    if page < 1:
        abort(400)
    return page


def _paged(stmt: Select) -> queries.Page:
    page = _page_number()
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    rows = list(db.session.scalars(stmt.limit(PER_PAGE).offset((page - 1) * PER_PAGE)))
    return queries.Page(rows, total or 0, page, PER_PAGE)


def _pages(page: queries.Page) -> int:
    return max(1, -(-page.total // page.per_page))


def _get(model, record_id: int):
    row = db.session.get(model, record_id)
    if row is None:
        abort(404)
    return row


@bp.get("")
def index():
    if permissions.may_view_records(current_actor()):
        return redirect(url_for("records.units"))
    return redirect(url_for("records.failures"))


# -- customers ------------------------------------------------------------------------------------
@bp.get("/customers")
def customers():
    q = request.args.get("q", "").strip()
    found = queries.search_customers(db.session, q, _page_number(), PER_PAGE)
    return render_template("records/customers.html", found=found, pages=_pages(found), q=q)


@bp.get("/customers/<int:customer_id>")
def customer(customer_id: int):
    row = _get(Customer, customer_id)

    def of_customer(model, order):
        return db.session.scalars(select(model).where(model.customer_id == row.id).order_by(order))

    return render_template(
        "records/customer.html",
        customer=row,
        units=of_customer(Unit, Unit.serial_number).all(),
        cases=of_customer(ServiceCase, ServiceCase.id.desc()).all(),
        repairs=of_customer(RepairOrder, RepairOrder.id.desc()).all(),
        returns=of_customer(ReturnRequest, ReturnRequest.id.desc()).all(),
        warranty=_warranty,
    )


# -- units ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Warranty:
    contract_end: date
    end: date
    active: bool


def _warranty(unit: Unit) -> Warranty:
    return Warranty(contract_end(unit), effective_end(unit), in_warranty(unit, local_today()))


@bp.get("/units")
def units():
    q = request.args.get("q", "").strip()
    found = queries.search_units(db.session, q, _page_number(), PER_PAGE)
    return render_template(
        "records/units.html", found=found, pages=_pages(found), q=q, warranty=_warranty
    )


@bp.get("/units/<int:unit_id>")
def unit(unit_id: int):
    row = _get(Unit, unit_id)
    return render_template(
        "records/unit.html",
        unit=row,
        warranty=_warranty(row),
        history=queries.unit_history(db.session, row.id),
        names=display_names(db.session, {e.granted_by for e in row.extensions}),
    )


# -- repair orders --------------------------------------------------------------------------------
@bp.get("/repairs")
def repairs():
    status = request.args.get("status") or None
    serial = request.args.get("serial", "").strip()
    if status is not None and status not in REPAIR_STATUSES:
        abort(400)
    stmt = select(RepairOrder).join(Unit, RepairOrder.unit_id == Unit.id)
    if status:
        stmt = stmt.where(RepairOrder.status == status)
    if serial:
        stmt = stmt.where(Unit.serial_number.icontains(serial, autoescape=True))
    found = _paged(stmt.order_by(RepairOrder.id.desc()))
    return render_template(
        "records/repairs.html",
        found=found,
        pages=_pages(found),
        status=status,
        serial=serial,
        statuses=REPAIR_STATUSES,
    )


@bp.get("/repairs/<int:order_id>")
def repair(order_id: int):
    order = _get(RepairOrder, order_id)
    failures = db.session.scalars(
        select(FailureRecord).where(FailureRecord.repair_order_id == order.id)
    ).all()
    return render_template(
        "records/repair.html",
        order=order,
        failures=failures,
        names=display_names(db.session, [order.engineer]),
    )


# -- spare parts and loaners ----------------------------------------------------------------------
@bp.get("/parts")
def parts():
    found = _paged(select(Part).order_by(Part.family, Part.part_number))
    movements = db.session.scalars(
        select(StockMovement)
        .order_by(StockMovement.at.desc(), StockMovement.id.desc())
        .limit(RECENT_MOVEMENTS)
    ).all()
    loaners = db.session.scalars(select(LoanerUnit).order_by(LoanerUnit.asset_tag)).all()
    holders = {
        o.loaner_id: o
        for o in db.session.scalars(
            select(RepairOrder).where(
                RepairOrder.loaner_id.is_not(None), RepairOrder.loaner_returned_at.is_(None)
            )
        )
    }
    return render_template(
        "records/parts.html",
        found=found,
        pages=_pages(found),
        families=family_stock(db.session),
        movements=movements,
        loaner_tags={loaner.id: loaner.asset_tag for loaner in loaners},
        names=display_names(db.session, {m.actor for m in movements}),
        loaners=loaners,
        holders=holders,
        recent=RECENT_MOVEMENTS,
    )


# -- returns --------------------------------------------------------------------------------------
@bp.get("/returns")
def returns():
    status = request.args.get("status") or None
    if status is not None and status not in RETURN_STATUSES:
        abort(400)
    stmt = select(ReturnRequest)
    if status:
        stmt = stmt.where(ReturnRequest.status == status)
    found = _paged(stmt.order_by(ReturnRequest.id.desc()))
    return render_template(
        "records/returns.html",
        found=found,
        pages=_pages(found),
        status=status,
        statuses=RETURN_STATUSES,
    )


@bp.get("/returns/<int:request_id>")
def return_request(request_id: int):
    rma = _get(ReturnRequest, request_id)
    replacement = db.session.get(Unit, rma.replacement_unit_id) if rma.replacement_unit_id else None
    return render_template("records/return.html", rma=rma, replacement=replacement)


# -- failures and repair rates --------------------------------------------------------------------
@bp.get("/failures")
def failures():
    found = _paged(
        select(FailureRecord).order_by(FailureRecord.recorded_at.desc(), FailureRecord.id.desc())
    )
    return render_template(
        "records/failures.html",
        found=found,
        pages=_pages(found),
        rates=queries.repair_rate(db.session),
        names=display_names(db.session, {f.recorded_by for f in found.items}),
        may_view_records=permissions.may_view_records(current_actor()),
    )


# -- a case's records -----------------------------------------------------------------------------
@dataclass(frozen=True)
class CaseRecords:
    """What the department filed for one case: its service case, repair orders and returns."""

    service_case: ServiceCase | None
    repair_orders: list[RepairOrder]
    return_requests: list[ReturnRequest]

    def __bool__(self) -> bool:
        return bool(self.service_case or self.repair_orders or self.return_requests)


def case_records(session: Session, instance_id: int) -> CaseRecords:
    """The records whose instance is this case (repairs of its call activities carry it too)."""
    service_case = session.scalar(select(ServiceCase).where(ServiceCase.instance_id == instance_id))
    linked = RepairOrder.instance_id == instance_id
    if service_case is not None:
        linked = or_(linked, RepairOrder.service_case_id == service_case.id)
    return CaseRecords(
        service_case,
        list(session.scalars(select(RepairOrder).where(linked).order_by(RepairOrder.id))),
        list(
            session.scalars(
                select(ReturnRequest)
                .where(ReturnRequest.instance_id == instance_id)
                .order_by(ReturnRequest.id)
            )
        ),
    )
