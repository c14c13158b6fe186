"""Stock movements: all or nothing, never below zero, the 3 % rule and its replenishment cases.

Every test makes its own parts, products and units (unique names), so the demo stock other
tests rely on (e.g. SP-SPD-02 on hand 1) stays as loaded.
"""

from __future__ import annotations

import threading
import uuid
from datetime import date

import pytest
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from engine.errors import Conflict, InvalidData
from engine.models import ProcessInstance
from engine.runtime import Actor
from workflows.records import stock
from workflows.records.models import (
    Customer,
    LoanerUnit,
    Part,
    PartReservation,
    Product,
    RepairOrder,
    Site,
    StockMovement,
    Unit,
)
from workflows.records.replenishment import business_key, start_replenishment
from workflows.records.stock import OutOfStock

OWNER = Actor("owner", frozenset({"process_owner"}))


class Records:
    """A product of its own part family, with a customer, units, repair orders and parts."""

    def __init__(self, session: Session, units: int = 1):
        self.session = session
        self.tag = tag = uuid.uuid4().hex[:8]
        self.family = f"fam-{tag}"
        self.customer = Customer(code=f"T-{tag}", name=f"测试客户 {tag}")
        self.customer.sites = [Site(name="测试工厂")]
        self.product = Product(model=f"M-{tag}", name="测试设备", part_family=self.family)
        self.units = [self.unit() for _ in range(units)]
        session.add_all([self.customer, self.product])
        session.flush()

    def unit(self, status: str = "in_service") -> Unit:
        unit = Unit(
            serial_number=f"SN-{self.tag}-{uuid.uuid4().hex[:6]}",
            product=self.product,
            customer=self.customer,
            production_batch="B-T",
            delivered_on=date(2026, 1, 5),
            status=status,
        )
        self.session.add(unit)
        return unit

    def order(self) -> RepairOrder:
        order = RepairOrder(
            unit=self.units[0],
            customer=self.customer,
            mode="carry_in",
            in_warranty=True,
            warranty_end=date(2027, 1, 4),
        )
        self.session.add(order)
        self.session.flush()
        return order

    def part(self, suffix: str, on_hand: int, name: str = "测试备件") -> Part:
        part = Part(
            part_number=f"P-{self.tag}-{suffix}", name=name, family=self.family, on_hand=on_hand
        )
        self.session.add(part)
        self.session.flush()
        return part

    def loaner(self) -> LoanerUnit:
        loaner = LoanerUnit(asset_tag=f"LN-{self.tag}-{uuid.uuid4().hex[:4]}", product=self.product)
        self.session.add(loaner)
        self.session.flush()
        return loaner


def movements(session, **where) -> list[tuple[str, int]]:
    stmt = select(StockMovement.kind, StockMovement.quantity).order_by(StockMovement.id)
    for column, value in where.items():
        stmt = stmt.where(getattr(StockMovement, column) == value)
    return [tuple(row) for row in session.execute(stmt)]


def counts(part: Part) -> tuple[int, int]:
    return part.on_hand, part.reserved


# -- reserve ---------------------------------------------------------------------------------


def test_reserve_holds_every_line(db_session):
    records = Records(db_session)
    order, a, b = records.order(), records.part("A", 5), records.part("B", 1)
    held = stock.reserve(db_session, order, [(a.part_number, 2), (b.part_number, 1)], "tech1")
    assert [(r.part.part_number, r.quantity, r.status) for r in held] == [
        (a.part_number, 2, "reserved"),
        (b.part_number, 1, "reserved"),
    ]
    assert counts(a) == (5, 2) and a.available == 3
    assert counts(b) == (1, 1) and b.available == 0
    assert movements(db_session, repair_order_id=order.id) == [("reserve", 2), ("reserve", 1)]


def test_reserve_adds_up_lines_of_the_same_part(db_session):
    records = Records(db_session)
    order, a = records.order(), records.part("A", 3)
    with pytest.raises(OutOfStock):
        stock.reserve(db_session, order, [(a.part_number, 2), (a.part_number, 2)], "tech1")
    assert counts(a) == (3, 0)
    stock.reserve(db_session, order, [(a.part_number, 1), (a.part_number, 2)], "tech1")
    assert counts(a) == (3, 3)


def test_reserve_is_all_or_nothing_when_a_later_line_is_short(db_session):
    records = Records(db_session)
    order = records.order()
    a, b = records.part("A", 5), records.part("B", 1, name="主轴电机")
    with pytest.raises(OutOfStock) as raised:
        stock.reserve(db_session, order, [(a.part_number, 2), (b.part_number, 2)], "tech1")
    error = raised.value
    assert error.status == 409 and isinstance(error, Conflict)
    assert (error.part_number, error.available, error.requested) == (b.part_number, 1, 2)
    assert error.text("en") == (
        f"Only 1 of part {b.part_number} (主轴电机) are available; you asked for 2. "
        "Tick 'wait for replenishment' to order it."
    )
    assert b.part_number in error.text("zh_CN") and "等待补货" in error.text("zh_CN")
    # nothing half-saved: the first line was given back, no reservation, no movement
    db_session.flush()
    assert counts(a) == (5, 0) and counts(b) == (1, 0)
    held = select(PartReservation).where(PartReservation.repair_order_id == order.id)
    assert db_session.scalars(held).all() == []
    assert movements(db_session, repair_order_id=order.id) == []


def test_reserve_names_an_unknown_part(db_session):
    records = Records(db_session)
    order, a = records.order(), records.part("A", 5)
    with pytest.raises(InvalidData) as raised:
        stock.reserve(db_session, order, [(a.part_number, 1), ("NO-SUCH-PART", 1)], "tech1")
    assert raised.value.status == 422
    assert list(raised.value.errors) == ["part2_number"]
    assert "NO-SUCH-PART" in raised.value.errors["part2_number"][0]
    assert counts(a) == (5, 0)


@pytest.mark.parametrize("quantity", [0, -1, 1.5, "2", None, True])
def test_reserve_refuses_a_quantity_that_is_not_a_whole_number_above_0(db_session, quantity):
    records = Records(db_session)
    order, a = records.order(), records.part("A", 5)
    with pytest.raises(InvalidData) as raised:
        stock.reserve(db_session, order, [(a.part_number, quantity)], "tech1", locale="en")
    assert raised.value.errors == {"part1_qty": ["Enter a whole number above 0."]}
    assert counts(a) == (5, 0)


# -- consume, release, receive, send upstream ------------------------------------------------


def test_consume_takes_the_held_parts_out_of_stock_once(db_session):
    records = Records(db_session)
    order, a, b = records.order(), records.part("A", 5), records.part("B", 2)
    stock.reserve(db_session, order, [(a.part_number, 2), (b.part_number, 1)], "tech1")
    consumed = stock.consume(db_session, order, "tech1")
    assert [r.status for r in consumed] == ["consumed", "consumed"]
    assert counts(a) == (3, 0) and counts(b) == (1, 0)
    assert stock.consume(db_session, order, "tech1") == []  # a second run changes nothing
    assert counts(a) == (3, 0)
    assert movements(db_session, part_id=a.id) == [("reserve", 2), ("consume", 2)]


def test_release_frees_the_held_parts(db_session):
    records = Records(db_session)
    order, a = records.order(), records.part("A", 5)
    stock.reserve(db_session, order, [(a.part_number, 4)], "tech1")
    released = stock.release(db_session, order, "tech1")
    assert [r.status for r in released] == ["released"]
    assert counts(a) == (5, 0)
    assert stock.consume(db_session, order, "tech1") == []  # nothing held any more
    assert movements(db_session, part_id=a.id) == [("reserve", 4), ("release", 4)]


def test_receive_adds_to_stock(db_session):
    records = Records(db_session)
    a = records.part("A", 0)
    part = stock.receive(db_session, a.part_number, 3, "parts1", note="供应商 A 到货")
    assert part is a and counts(a) == (3, 0)
    moved = db_session.scalars(select(StockMovement).where(StockMovement.part_id == a.id)).one()
    assert (moved.kind, moved.quantity, moved.note, moved.actor) == (
        "receive",
        3,
        "供应商 A 到货",
        "parts1",
    )


@pytest.mark.parametrize(
    ("number", "quantity", "fields"),
    [
        ("NO-SUCH-PART", 1, ["part_number"]),
        (None, 0, ["part_number", "quantity"]),
        ("A", 0, ["quantity"]),
        ("A", -2, ["quantity"]),
    ],
)
def test_receive_refuses_bad_input(db_session, number, quantity, fields):
    records = Records(db_session)
    a = records.part("A", 1)
    with pytest.raises(InvalidData) as raised:
        stock.receive(db_session, a.part_number if number == "A" else number, quantity, "parts1")
    assert sorted(raised.value.errors) == fields
    assert counts(a) == (1, 0)


def test_send_upstream_records_the_consumed_parts_without_changing_stock(db_session):
    records = Records(db_session)
    order, a = records.order(), records.part("A", 5)
    stock.reserve(db_session, order, [(a.part_number, 2)], "tech1")
    stock.consume(db_session, order, "tech1")
    sent = stock.send_upstream(db_session, order, "parts1", "轴承异响")
    assert [(m.kind, m.part_id, m.quantity, m.note) for m in sent] == [
        ("send_upstream", a.id, 2, "轴承异响")
    ]
    assert counts(a) == (3, 0)

    nothing_used = records.order()
    sent = stock.send_upstream(db_session, nothing_used, "parts1", "整机故障")
    assert [(m.kind, m.part_id, m.quantity) for m in sent] == [("send_upstream", None, 0)]


# -- loaners ---------------------------------------------------------------------------------


def test_a_loaner_goes_out_and_comes_back(db_session):
    records = Records(db_session)
    loaner = records.loaner()
    first, second = records.order(), records.order()

    assert stock.issue_loaner(db_session, first, "parts1") is loaner
    assert loaner.status == "on_loan" and first.loaner_id == loaner.id
    assert first.loaner_issued_at is not None
    assert stock.issue_loaner(db_session, first, "parts1") is loaner  # already holds it

    with pytest.raises(Conflict) as raised:
        stock.issue_loaner(db_session, second, "parts1")
    assert raised.value.status == 409
    assert records.product.model in raised.value.text("en")
    assert records.product.model in raised.value.text("zh_CN")

    assert stock.return_loaner(db_session, first, "parts1") is loaner
    assert loaner.status == "available" and first.loaner_returned_at is not None
    assert stock.return_loaner(db_session, first, "parts1") is None  # already back
    assert stock.issue_loaner(db_session, second, "parts1", loaner.asset_tag) is loaner
    assert movements(db_session, loaner_id=loaner.id) == [
        ("loaner_out", 1),
        ("loaner_in", 1),
        ("loaner_out", 1),
    ]


def test_a_loaner_is_chosen_by_tag_of_the_same_product(db_session):
    records, other = Records(db_session), Records(db_session)
    order, foreign = records.order(), other.loaner()
    assert stock.return_loaner(db_session, order, "parts1") is None  # none issued
    with pytest.raises(InvalidData) as raised:
        stock.issue_loaner(db_session, order, "parts1", foreign.asset_tag)
    assert list(raised.value.errors) == ["asset_tag"]
    assert foreign.status == "available" and order.loaner_id is None


# -- the 3 % rule ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("volume", "required"), [(0, 0), (1, 1), (33, 1), (34, 2), (100, 3), (101, 4)]
)
def test_required_stock_is_3_percent_rounded_up(volume, required):
    assert stock.required_stock(volume) == required


def _family(session, family):
    return next(row for row in stock.family_stock(session) if row.family == family)


def test_family_stock_counts_units_in_service_against_stock_on_hand(db_session):
    records = Records(db_session, units=33)
    records.unit(status="in_repair")
    records.unit(status="returned")  # no longer served
    db_session.flush()
    # a family with units and no parts at all is short
    assert _family(db_session, records.family) == stock.FamilyStock(
        records.family, on_hand=0, service_volume=34, required=2, ok=False
    )
    records.part("A", 1)
    records.part("B", 1)
    assert _family(db_session, records.family).ok


# -- replenishment ---------------------------------------------------------------------------

REPLENISH_KEY = "replenish_stock_test"
REPLENISH_DIAGRAM = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="r" targetNamespace="x">
  <bpmn:process id="{REPLENISH_KEY}" isExecutable="true">
    <bpmn:startEvent id="s"/>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="replenish_family"/>
    <bpmn:userTask id="replenish_family" name="补货" camunda:candidateGroups="warehouse"/>
    <bpmn:sequenceFlow id="f2" sourceRef="replenish_family" targetRef="e"/>
    <bpmn:endEvent id="e"/>
  </bpmn:process>
</bpmn:definitions>""".encode()


@pytest.fixture(scope="module")
def replenish_process(app):
    """A stand-in for replenish_stock under its own key, so the shipped one stays the latest."""
    from webapp.extensions import db
    from workflows.runtime import get_engine

    with app.app_context():
        get_engine().deploy(db.session, {"replenish_test.bpmn": REPLENISH_DIAGRAM}, OWNER)
        db.session.commit()
    return REPLENISH_KEY


def test_a_short_family_gets_one_replenishment_case(db_session, replenish_process):
    records = Records(db_session, units=40)
    records.part("A", 1)
    key = business_key(records.family)

    started = start_replenishment(db_session, process_key=replenish_process)
    mine = [i for i in started if i.business_key == key]
    assert len(mine) == 1
    assert mine[0].started_by == "system" and mine[0].status in ("running", "waiting")
    assert {k: mine[0].summary[k] for k in ("family", "on_hand", "required", "service_volume")} == {
        "family": records.family,
        "on_hand": 1,
        "required": 2,
        "service_volume": 40,
    }
    # one is open: the next check starts no second one
    again = start_replenishment(db_session, process_key=replenish_process)
    assert [i for i in again if i.business_key == key] == []
    cases = select(ProcessInstance.id).where(ProcessInstance.business_key == key)
    assert db_session.scalars(cases).all() == [mine[0].id]


def test_replenishment_is_skipped_without_a_deployed_process(db_session, caplog):
    Records(db_session, units=40)
    with caplog.at_level("INFO", logger="workflows.records.replenishment"):
        assert start_replenishment(db_session, process_key="no_such_process") == []
    assert "no_such_process" in caplog.text


def test_the_daily_job_checks_stock_in_its_own_session(app, monkeypatch):
    from webapp.celery_app import make_celery
    from workflows import jobs

    make_celery(app)
    entry = jobs.celery.conf.beat_schedule["check-spare-stock"]
    assert entry["task"] == "workflows.jobs.check_spare_stock"
    assert entry["schedule"].total_seconds() == 86400
    seen = []
    monkeypatch.setattr(jobs, "start_replenishment", lambda session: seen.append(session) or [1])
    assert jobs.check_spare_stock.apply().get() == 1
    assert len(seen) == 1


# -- concurrency -----------------------------------------------------------------------------


def test_two_people_reserving_the_last_piece_at_once_one_gets_it(app):
    """Runs on the suite's database: PostgreSQL re-checks the row a waiting UPDATE locked,
    SQLite serialises the writers; either way exactly one reservation wins."""
    from webapp.extensions import db

    with app.app_context():
        engine = db.engine
        records = Records(db.session)
        part = records.part("LAST", 1)
        orders = [records.order(), records.order()]
        db.session.commit()
        part_id, part_number = part.id, part.part_number
        order_ids = [o.id for o in orders]
        db.session.remove()

    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def take(order_id: int) -> None:
        with Session(engine) as session:
            order = session.get(RepairOrder, order_id)
            barrier.wait()
            try:
                stock.reserve(session, order, [(part_number, 1)], f"tech-{order_id}")
                session.commit()
                outcomes.append("reserved")
            except OutOfStock as error:
                session.rollback()
                outcomes.append(f"short:{error.available}")

    threads = [threading.Thread(target=take, args=(i,)) for i in order_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    try:
        assert sorted(outcomes) == ["reserved", "short:0"]
        with Session(engine) as session:
            on_hand, reserved = session.execute(
                select(Part.on_hand, Part.reserved).where(Part.id == part_id)
            ).one()
            assert (on_hand, reserved) == (1, 1) and on_hand - reserved == 0
            held = session.scalars(
                select(PartReservation).where(PartReservation.part_id == part_id)
            ).all()
            assert len(held) == 1 and held[0].repair_order_id in order_ids
            assert movements(session, part_id=part_id) == [("reserve", 1)]
    finally:
        _remove(engine, records.tag, order_ids, part_id)


def _remove(engine, tag: str, order_ids: list[int], part_id: int) -> None:
    """Delete what the committed test wrote, children first."""
    with Session(engine) as session, session.begin():
        session.execute(delete(StockMovement).where(StockMovement.part_id == part_id))
        session.execute(delete(PartReservation).where(PartReservation.part_id == part_id))
        session.execute(delete(RepairOrder).where(RepairOrder.id.in_(order_ids)))
        session.execute(delete(Part).where(Part.id == part_id))
        session.execute(delete(Unit).where(Unit.serial_number.like(f"SN-{tag}-%")))
        customer_id = session.scalar(select(Customer.id).where(Customer.code == f"T-{tag}"))
        session.execute(delete(Site).where(Site.customer_id == customer_id))
        session.execute(delete(Customer).where(Customer.id == customer_id))
        session.execute(delete(Product).where(Product.model == f"M-{tag}"))
