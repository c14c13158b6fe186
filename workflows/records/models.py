"""The department's records: customers and their sites, products and units, service cases,
repair orders, spare parts and loaners, returns, and failure records.

Processes read and write these through the task effects (`workflows.records.effects`), in the
same transaction as the task that causes the change; the pages and the API read them.
Models guard their own state changes: an illegal transition raises `Conflict`.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.errors import Conflict
from engine.models import Base, ProcessInstance, utcnow

Money = Numeric(12, 2)


class Customer(Base):
    __tablename__ = "customer"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    contact_name: Mapped[str] = mapped_column(String(100), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    # standard | premium (the sla_targets decision table's contract tiers)
    contract_tier: Mapped[str] = mapped_column(String(20), default="standard")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    sites: Mapped[list[Site]] = relationship(back_populates="customer", order_by="Site.id")


class Site(Base):
    """A place where a customer's units stand, with the working time its promises count in."""

    __tablename__ = "customer_site"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(300), default="")
    # business calendar of this site, as `workflows.sla.calendars.calendar_spec` writes it
    timezone: Mapped[str] = mapped_column(String(50), default="Asia/Shanghai")
    hours: Mapped[str] = mapped_column(String(100), default="08:30-12:00,13:00-17:30")
    weekdays: Mapped[str] = mapped_column(String(20), default="mon-fri")
    holidays: Mapped[str] = mapped_column(String(10), default="CN")  # CN | none

    customer: Mapped[Customer] = relationship(back_populates="sites")


class Product(Base):
    __tablename__ = "product"

    id: Mapped[int] = mapped_column(primary_key=True)
    model: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    # the spare-part family that serves this product (the 3 % stock rule is per family)
    part_family: Mapped[str] = mapped_column(String(60), index=True)
    warranty_months: Mapped[int] = mapped_column(default=12)


class Unit(Base):
    """One delivered product, by serial number, with its warranty terms."""

    __tablename__ = "unit"
    __table_args__ = (
        CheckConstraint("warranty_months >= 0", name="warranty_months_not_negative"),
        CheckConstraint("extension_days >= 0", name="extension_days_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    serial_number: Mapped[str] = mapped_column(String(60), unique=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    site_id: Mapped[int | None] = mapped_column(ForeignKey("customer_site.id"))
    production_batch: Mapped[str] = mapped_column(String(60), index=True)
    delivered_on: Mapped[date]
    accepted_on: Mapped[date | None]  # warranty runs from acceptance, else from delivery
    warranty_months: Mapped[int] = mapped_column(default=12)
    extension_days: Mapped[int] = mapped_column(default=0)  # sum of granted extensions
    manufacturer_warranty_end: Mapped[date | None]
    # in_service | in_repair | returned | replaced
    status: Mapped[str] = mapped_column(String(20), default="in_service")

    product: Mapped[Product] = relationship(lazy="joined")
    customer: Mapped[Customer] = relationship()
    site: Mapped[Site | None] = relationship()
    extensions: Mapped[list[WarrantyExtension]] = relationship(
        order_by="WarrantyExtension.id", back_populates="unit"
    )


class WarrantyExtension(Base):
    """60 days more for each failure in warranty that could not be repaired."""

    __tablename__ = "warranty_extension"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    days: Mapped[int]
    granted_on: Mapped[date]
    reason: Mapped[str] = mapped_column(Text, default="")
    repair_order_id: Mapped[int | None] = mapped_column(ForeignKey("repair_order.id"))
    granted_by: Mapped[str] = mapped_column(String(80))

    unit: Mapped[Unit] = relationship(back_populates="extensions")


class ServiceCase(Base):
    """A customer request (process 1) as the department files it."""

    __tablename__ = "service_case"

    id: Mapped[int] = mapped_column(primary_key=True)
    # linked right after the case's first save: the record is written while the case starts
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"), unique=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customer.id"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    customer_name: Mapped[str] = mapped_column(String(200), default="")
    channel: Mapped[str] = mapped_column(String(20))
    category: Mapped[str] = mapped_column(String(40))
    priority: Mapped[str] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="open")  # open | closed
    received_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    first_reply_at: Mapped[datetime | None]
    onsite_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    # a quality complaint's problem type (define_problem_type), for the complaint statistics
    problem_type: Mapped[str | None] = mapped_column(String(40))

    instance: Mapped[ProcessInstance | None] = relationship()
    customer: Mapped[Customer | None] = relationship()
    unit: Mapped[Unit | None] = relationship()
    surveys: Mapped[list[SatisfactionSurvey]] = relationship(
        back_populates="service_case", order_by="SatisfactionSurvey.id"
    )


class SatisfactionSurvey(Base):
    """A follow-up visit's answers (回访 / 满意度调查): the satisfaction rate counts `satisfied`."""

    __tablename__ = "satisfaction_survey"

    id: Mapped[int] = mapped_column(primary_key=True)
    service_case_id: Mapped[int] = mapped_column(ForeignKey("service_case.id"), index=True)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"))
    visited_at: Mapped[datetime]  # when the customer was visited or called
    score: Mapped[int]  # 1 (very unsatisfied) … 5 (very satisfied)
    satisfied: Mapped[bool]
    comments: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[str] = mapped_column(String(100))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    service_case: Mapped[ServiceCase] = relationship(back_populates="surveys")


REPAIR_MODES = ("onsite", "carry_in")


class RepairOrder(Base):
    """One repair or replacement of a unit (process 2)."""

    __tablename__ = "repair_order"
    __table_args__ = (
        CheckConstraint("charge >= 0", name="charge_not_negative"),
        CheckConstraint("labour_hours >= 0", name="labour_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"), index=True)
    service_case_id: Mapped[int | None] = mapped_column(ForeignKey("service_case.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    mode: Mapped[str] = mapped_column(String(20))  # onsite | carry_in
    reported_fault: Mapped[str] = mapped_column(Text, default="")
    engineer: Mapped[str | None] = mapped_column(String(80))
    in_warranty: Mapped[bool]
    warranty_end: Mapped[date]
    # quote for work out of warranty: none | sent | accepted | declined
    quote_status: Mapped[str] = mapped_column(String(20), default="none")
    quote_amount: Mapped[Decimal | None] = mapped_column(Money)
    diagnosis: Mapped[str] = mapped_column(Text, default="")
    # repaired | replaced_part | replaced_unit | unresolvable | not_repaired
    resolution: Mapped[str | None] = mapped_column(String(20))
    labour_hours: Mapped[Decimal] = mapped_column(Numeric(6, 2), default=Decimal(0))
    charge: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    loaner_id: Mapped[int | None] = mapped_column(ForeignKey("loaner_unit.id"))
    loaner_issued_at: Mapped[datetime | None] = mapped_column(index=True)
    loaner_returned_at: Mapped[datetime | None]
    # [{"item": key, "accepted": bool, "remark": str}], signed by name at a time
    acceptance: Mapped[list[Any]] = mapped_column(default=list)
    accepted_by_name: Mapped[str | None] = mapped_column(String(100))
    accepted_at: Mapped[datetime | None]
    # open | returned | closed | declined
    status: Mapped[str] = mapped_column(String(20), default="open")
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    returned_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None] = mapped_column(index=True)

    instance: Mapped[ProcessInstance | None] = relationship()
    unit: Mapped[Unit] = relationship()
    customer: Mapped[Customer] = relationship()
    loaner: Mapped[LoanerUnit | None] = relationship(foreign_keys=[loaner_id])
    reservations: Mapped[list[PartReservation]] = relationship(
        order_by="PartReservation.id", back_populates="repair_order"
    )

    def decide_quote(self, accepted: bool) -> None:
        if self.quote_status != "sent":
            raise Conflict(
                "The customer has already answered this quote.",
                "客户已对此报价作出答复。",
            )
        self.quote_status = "accepted" if accepted else "declined"


class Part(Base):
    """A spare part kept in stock. `reserved` is held for open repairs; on hand ≥ reserved ≥ 0."""

    __tablename__ = "spare_part"
    __table_args__ = (
        CheckConstraint("on_hand >= 0", name="on_hand_not_negative"),
        CheckConstraint("reserved >= 0", name="reserved_not_negative"),
        CheckConstraint("reserved <= on_hand", name="reserved_within_on_hand"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    part_number: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    family: Mapped[str] = mapped_column(String(60), index=True)
    spec: Mapped[str] = mapped_column(String(200), default="")  # same spec = interchangeable
    on_hand: Mapped[int] = mapped_column(default=0)
    reserved: Mapped[int] = mapped_column(default=0)

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved


class PartReservation(Base):
    __tablename__ = "part_reservation"
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    part_id: Mapped[int] = mapped_column(ForeignKey("spare_part.id"), index=True)
    repair_order_id: Mapped[int] = mapped_column(ForeignKey("repair_order.id"), index=True)
    quantity: Mapped[int]
    # reserved | consumed | released
    status: Mapped[str] = mapped_column(String(20), default="reserved")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    part: Mapped[Part] = relationship(lazy="joined")
    repair_order: Mapped[RepairOrder] = relationship(back_populates="reservations")


class StockMovement(Base):
    """Every change of stock, signed: what moved, why, for which order, by whom."""

    __tablename__ = "stock_movement"

    id: Mapped[int] = mapped_column(primary_key=True)
    part_id: Mapped[int | None] = mapped_column(ForeignKey("spare_part.id"), index=True)
    loaner_id: Mapped[int | None] = mapped_column(ForeignKey("loaner_unit.id"), index=True)
    # receive | reserve | release | consume | send_upstream | loaner_out | loaner_in | return_in
    kind: Mapped[str] = mapped_column(String(20))
    quantity: Mapped[int]
    repair_order_id: Mapped[int | None] = mapped_column(ForeignKey("repair_order.id"))
    return_request_id: Mapped[int | None] = mapped_column(ForeignKey("return_request.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    actor: Mapped[str] = mapped_column(String(80))
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    part: Mapped[Part | None] = relationship()


class LoanerUnit(Base):
    """A unit lent free of charge while a repair takes longer than two days (备品)."""

    __tablename__ = "loaner_unit"

    id: Mapped[int] = mapped_column(primary_key=True)
    asset_tag: Mapped[str] = mapped_column(String(60), unique=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"), index=True)
    # available | on_loan (the repair order that holds it names it in `loaner_id`)
    status: Mapped[str] = mapped_column(String(20), default="available")

    product: Mapped[Product] = relationship()


class ReturnRequest(Base):
    """A return or exchange (RMA) and the policy rule that decided it."""

    __tablename__ = "return_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # return | exchange
    reason_code: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(Text, default="")
    days_since_delivery: Mapped[int]
    eligible: Mapped[bool | None]
    policy_rule: Mapped[str | None] = mapped_column(String(200))
    pickup_on: Mapped[date | None]
    carrier: Mapped[str | None] = mapped_column(String(100))
    inspection_ok: Mapped[bool | None]
    inspection_result: Mapped[str] = mapped_column(Text, default="")
    # refund | exchange | rejected
    outcome: Mapped[str | None] = mapped_column(String(20))
    outcome_reason: Mapped[str] = mapped_column(Text, default="")
    refund_amount: Mapped[Decimal | None] = mapped_column(Money)
    replacement_unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    status: Mapped[str] = mapped_column(String(20), default="open")  # open | closed
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]

    instance: Mapped[ProcessInstance | None] = relationship()
    unit: Mapped[Unit] = relationship(foreign_keys=[unit_id])
    customer: Mapped[Customer] = relationship()


class FailureRecord(Base):
    """What failed, on which unit of which production batch: the repair-rate (返修率) figures."""

    __tablename__ = "failure_record"

    id: Mapped[int] = mapped_column(primary_key=True)
    repair_order_id: Mapped[int | None] = mapped_column(ForeignKey("repair_order.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"), index=True)
    production_batch: Mapped[str] = mapped_column(String(60), index=True)
    phenomenon: Mapped[str] = mapped_column(Text)
    problem_type: Mapped[str] = mapped_column(String(40))
    sent_upstream_at: Mapped[datetime | None]
    upstream_summary: Mapped[str] = mapped_column(Text, default="")
    upstream_tracking: Mapped[str | None] = mapped_column(String(100))
    recorded_by: Mapped[str] = mapped_column(String(80))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    unit: Mapped[Unit] = relationship()
    product: Mapped[Product] = relationship()
