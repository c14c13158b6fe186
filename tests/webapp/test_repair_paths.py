"""Repair and replacement (process 2a) through the API as the demo users: every path to its
end, with the records each step writes, and the bad input each step refuses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine
from sqlalchemy import func, select

from tests.webapp.repair_walk import (
    do,
    ends,
    new_unit,
    open_tasks,
    started,
    submit,
    task_data,
    walk,
)
from workflows.org.models import User
from workflows.records.models import (
    FailureRecord,
    LoanerUnit,
    Part,
    PartReservation,
    RepairOrder,
    StockMovement,
    Unit,
)
from workflows.records.warranty import effective_end
from workflows.runtime import get_engine
from workflows.sla.models import SlaClockRecord


def repair(api, serial: str, **extra) -> int:
    data = {
        "serial_number": serial,
        "channel": "phone",
        "priority": "normal",
        "reported_fault": "主轴异响，加工精度下降",
        **extra,
    }
    return started(api, "repair_replacement", data)["id"]


def order_of(db, instance_id: int) -> RepairOrder:
    db.expire_all()
    return db.scalar(select(RepairOrder).where(RepairOrder.instance_id == instance_id))


def register(api, instance_id, serial, mode="carry_in"):
    return do(
        api, instance_id, "register_repair", serial_number=serial, mode=mode, engineer="tech1"
    )


DIAGNOSE_NO_PARTS = {"repair_plan": "repair", "part1_number": "", "part2_number": ""}
FINISH = [
    ("test_unit", {"test_passed": "yes"}),
    ("return_unit", {"returned_how": "handover"}),
    (
        "customer_acceptance",
        {
            "accept_appearance": "yes",
            "accept_function": "yes",
            "accept_accessories": "yes",
            "accept_documents": "yes",
            "signed_by_name": "刘经理",
        },
    ),
]


def fire_timers(app, instance_id: int, later: timedelta) -> None:
    from webapp.extensions import db

    with time_machine.travel(datetime.now(UTC) + later, tick=False), app.app_context():
        get_engine().fire_timers(db.session, instance_id)
        db.session.commit()


def test_in_warranty_repaired_first_time(api, db):
    serial = new_unit(db)
    case = repair(api, serial)
    body = register(api, case, serial)
    assert body["instance"]["data"]["in_warranty"] is True
    assert task_data(api, case, "diagnose_fault")["charge_policy"] == "free"
    walk(
        api,
        case,
        [
            ("diagnose_fault", DIAGNOSE_NO_PARTS),
            ("repair_unit", {"resolution": "repaired", "labour_hours": 2, "charge": 0}),
            *FINISH,
            ("record_failure", {"phenomenon": "主轴轴承磨损", "defective_parts": "no"}),
        ],
    )
    assert open_tasks(api, case) == {}
    order = order_of(db, case)
    assert (order.status, order.resolution, order.charge) == ("closed", "repaired", 0)
    assert order.accepted_by_name == "刘经理" and all(
        item["accepted"] for item in order.acceptance if "accepted" in item
    )
    failure = db.scalar(select(FailureRecord).where(FailureRecord.repair_order_id == order.id))
    assert failure.production_batch == "T-BATCH-1"
    assert db.get(Unit, order.unit_id).status == "in_service"
    # a repair started directly runs its own clocks; all stopped at the end
    clocks = db.scalars(select(SlaClockRecord).where(SlaClockRecord.instance_id == case)).all()
    assert {c.kind for c in clocks} == {"reply", "onsite", "resolve"}
    assert all(c.stopped_at is not None for c in clocks)


def test_out_of_warranty_quote_declined_pauses_the_clock(api, db):
    serial = new_unit(db, delivered_days_ago=900)
    case = repair(api, serial)
    register(api, case, serial)
    assert task_data(api, case, "prepare_quote")["charge_policy"] == "quote"
    do(api, case, "prepare_quote", quote_amount=1800, quote_note="更换主轴轴承，含工时")
    resolve = db.scalar(
        select(SlaClockRecord).where(
            SlaClockRecord.instance_id == case, SlaClockRecord.kind == "resolve"
        )
    )
    assert resolve.due_at is None  # paused while the customer decides
    do(api, case, "record_quote_answer", quote_accepted="no")
    do(api, case, "return_unrepaired", returned_how="handover")
    assert open_tasks(api, case) == {}
    order = order_of(db, case)
    assert (order.quote_status, order.status, order.resolution) == (
        "declined",
        "declined",
        "not_repaired",
    )


def test_out_of_warranty_quote_accepted_parts_short_replenished_and_sent_upstream(api, db):
    part = Part(part_number="T-SPD-LAST", name="测试主轴电机", family="spindle", on_hand=0)
    db.add(part)
    db.commit()
    serial = new_unit(db, delivered_days_ago=900)
    case = repair(api, serial)
    register(api, case, serial)
    do(api, case, "prepare_quote", quote_amount=2600)
    do(api, case, "record_quote_answer", quote_accepted="yes")
    body = do(
        api,
        case,
        "diagnose_fault",
        repair_plan="replace_part",
        part1_number="T-SPD-LAST",
        part1_qty=1,
        part2_number="",
    )
    assert body["instance"]["data"]["needs_parts"] is True
    # short, and not willing to wait: told so, nothing held, the task stays open
    refused = submit(api, case, "reserve_parts", wait_for_parts=False)
    assert refused.status_code == 409
    assert "T-SPD-LAST" in refused.get_json()["detail"]
    assert "reserve_parts" in open_tasks(api, case)
    do(api, case, "reserve_parts", wait_for_parts=True)
    do(api, case, "replenish_parts", part_number="T-SPD-LAST", quantity=2)
    do(api, case, "reserve_parts", wait_for_parts=True)
    db.expire_all()
    assert (db.get(Part, part.id).on_hand, db.get(Part, part.id).reserved) == (2, 1)
    walk(
        api,
        case,
        [
            ("repair_unit", {"resolution": "replaced_part", "labour_hours": 3, "charge": 2600}),
            *FINISH,
            ("record_failure", {"phenomenon": "电机绕组烧毁", "defective_parts": "yes"}),
            ("send_parts_upstream", {"failure_summary": "电机绕组短路", "tracking_number": "SF1"}),
        ],
    )
    db.expire_all()
    assert (db.get(Part, part.id).on_hand, db.get(Part, part.id).reserved) == (1, 0)
    order = order_of(db, case)
    assert (order.status, order.charge) == ("closed", 2600)
    kinds = db.scalars(
        select(StockMovement.kind).where(StockMovement.repair_order_id == order.id)
    ).all()
    assert {"reserve", "consume", "send_upstream"} <= set(kinds)
    failure = db.scalar(select(FailureRecord).where(FailureRecord.repair_order_id == order.id))
    assert failure.sent_upstream_at is not None and failure.upstream_tracking == "SF1"


def test_unresolvable_in_warranty_replaced_and_warranty_extended_each_time(api, db):
    serial = new_unit(db)
    unit = db.scalar(select(Unit).where(Unit.serial_number == serial))
    before = effective_end(unit)
    for attempt in (1, 2):
        case = repair(api, serial)
        register(api, case, serial)
        walk(
            api,
            case,
            [
                ("diagnose_fault", {**DIAGNOSE_NO_PARTS, "repair_plan": "unresolvable"}),
                ("decide_repair_plan_escalation", {}),  # the supervisor decides the plan
                ("repair_unit", {"resolution": "unresolvable", "labour_hours": 1, "charge": 0}),
                ("replace_unit", {"replacement_note": f"第{attempt}次无法修复，整机更换"}),
                *FINISH,
                ("record_failure", {"phenomenon": "控制板间歇性故障", "defective_parts": "no"}),
            ],
        )
        assert open_tasks(api, case) == {}
    db.expire_all()
    unit = db.get(Unit, unit.id)
    assert unit.extension_days == 120 and len(unit.extensions) == 2
    assert (effective_end(unit) - before).days == 120


def test_test_failed_and_acceptance_refused_go_back_to_the_repair(api, db):
    serial = new_unit(db)
    case = repair(api, serial)
    register(api, case, serial)
    walk(
        api,
        case,
        [
            ("diagnose_fault", DIAGNOSE_NO_PARTS),
            ("repair_unit", {"resolution": "repaired", "labour_hours": 1, "charge": 0}),
            ("test_unit", {"test_passed": "no"}),
            ("repair_unit", {"resolution": "repaired", "labour_hours": 1, "charge": 0}),
            ("test_unit", {"test_passed": "yes"}),
            ("return_unit", {"returned_how": "ship", "tracking_number": "SF2"}),
        ],
    )
    refused = dict(FINISH[2][1], accept_function="no", acceptance_remarks="仍有异响")
    body = do(api, case, "customer_acceptance", **refused)
    assert body["instance"]["data"]["accepted"] is False
    assert "repair_unit" in open_tasks(api, case)
    assert order_of(db, case).status == "open"
    walk(
        api,
        case,
        [
            ("repair_unit", {"resolution": "repaired", "labour_hours": 2, "charge": 0}),
            *FINISH,
            ("record_failure", {"phenomenon": "主轴异响", "defective_parts": "no"}),
        ],
    )
    assert open_tasks(api, case) == {}


def test_a_loaner_after_two_days_and_a_same_spec_part_after_24_hours(app, api, db):
    serial = new_unit(db)
    loaner = LoanerUnit(
        asset_tag="T-LN-CNC",
        product_id=db.scalar(select(Unit.product_id).where(Unit.serial_number == serial)),
    )
    db.add(loaner)
    db.add(Part(part_number="T-SPD-SAME", name="测试轴承", family="spindle", on_hand=3))
    db.commit()
    case = repair(api, serial)
    register(api, case, serial)
    do(api, case, "diagnose_fault", **DIAGNOSE_NO_PARTS)
    assert "repair_unit" in open_tasks(api, case)
    fire_timers(app, case, timedelta(hours=25))
    tasks = open_tasks(api, case)
    assert {"repair_unit", "offer_replacement_part"} <= set(tasks)
    do(api, case, "offer_replacement_part", replacement="same_spec", part_number="T-SPD-SAME")
    fire_timers(app, case, timedelta(days=2, hours=1))
    assert "issue_loaner" in open_tasks(api, case)
    do(api, case, "issue_loaner", asset_tag="T-LN-CNC")
    db.expire_all()
    assert db.get(LoanerUnit, loaner.id).status == "on_loan"
    walk(
        api,
        case,
        [
            ("repair_unit", {"resolution": "replaced_part", "labour_hours": 4, "charge": 0}),
            *FINISH,
            ("record_failure", {"phenomenon": "轴承磨损", "defective_parts": "no"}),
        ],
    )
    db.expire_all()
    order = order_of(db, case)
    assert db.get(LoanerUnit, loaner.id).status == "available"
    assert order.loaner_issued_at is not None and order.loaner_returned_at is not None
    consumed = db.scalar(
        select(func.sum(PartReservation.quantity)).where(
            PartReservation.repair_order_id == order.id, PartReservation.status == "consumed"
        )
    )
    assert consumed == 1
    assert open_tasks(api, case) == {}


def test_a_substitute_part_needs_the_customers_consent(app, api, db):
    serial = new_unit(db)
    db.add(Part(part_number="T-SPD-SUB", name="替代轴承", family="spindle", on_hand=1))
    db.commit()
    case = repair(api, serial)
    register(api, case, serial)
    do(api, case, "diagnose_fault", **DIAGNOSE_NO_PARTS)
    fire_timers(app, case, timedelta(hours=25))
    do(api, case, "offer_replacement_part", replacement="substitute", part_number="T-SPD-SUB")
    assert "substitute_consent" in open_tasks(api, case)
    do(api, case, "substitute_consent", consent="yes")
    db.expire_all()
    assert db.scalar(select(Part.reserved).where(Part.part_number == "T-SPD-SUB")) == 1


# -- bad input: a clear 422 or 409 in the user's language, nothing half-saved ---------------
def test_unknown_serial_and_a_unit_of_another_customer_are_422(api, db):
    response = started_or(api, {"serial_number": "NO-SUCH-UNIT"})
    assert response.status_code == 422
    assert "serial_number" in response.get_json()["errors"]
    assert "NO-SUCH-UNIT" in response.get_json()["errors"]["serial_number"][0]
    serial = new_unit(db, customer="C003")
    other = started_or(api, {"serial_number": serial, "customer_code": "C001"})
    assert other.status_code == 422
    assert "属于其他客户" in other.get_json()["errors"]["serial_number"][0]
    assert (
        db.scalar(
            select(func.count())
            .select_from(RepairOrder)
            .where(
                RepairOrder.unit_id
                == db.scalar(select(Unit.id).where(Unit.serial_number == serial))
            )
        )
        == 0
    )


def test_the_refusal_speaks_the_users_language(app, api):
    # no app context held across the requests: each request chooses its own language
    from webapp.extensions import db

    with app.app_context():
        serial = new_unit(db.session, customer="C003")
        db.session.scalar(select(User).where(User.username == "cs2")).locale = "en"
        db.session.commit()
    try:
        english = started_or(api, {"serial_number": serial, "customer_code": "C001"}, "cs2")
    finally:
        with app.app_context():
            db.session.scalar(select(User).where(User.username == "cs2")).locale = "zh_CN"
            db.session.commit()
    assert english.status_code == 422
    assert "belongs to another customer" in english.get_json()["errors"]["serial_number"][0]


def started_or(api, data: dict, user: str = "cs1"):
    client = api(user)
    body = {
        "process": "repair_replacement",
        "data": {"channel": "phone", "priority": "normal", "reported_fault": "无法开机", **data},
    }
    return client.post("/api/v1/process-instances", json=body)


def test_negative_quantity_charge_in_warranty_and_quote_twice(api, db):
    serial = new_unit(db)
    case = repair(api, serial)
    register(api, case, serial)
    negative = submit(
        api,
        case,
        "diagnose_fault",
        repair_plan="repair",
        part1_number="SP-SPD-01",
        part1_qty=-2,
        part2_number="",
    )
    assert negative.status_code == 422 and "part1_qty" in negative.get_json()["errors"]
    do(api, case, "diagnose_fault", **DIAGNOSE_NO_PARTS)
    charged = submit(api, case, "repair_unit", resolution="repaired", labour_hours=1, charge=500)
    assert charged.status_code == 422 and "charge" in charged.get_json()["errors"]
    order = order_of(db, case)
    assert (order.resolution, order.charge) == (None, 0)  # nothing half-saved

    serial = new_unit(db, delivered_days_ago=900)
    case = repair(api, serial)
    register(api, case, serial)
    do(api, case, "prepare_quote", quote_amount=900)
    task = open_tasks(api, case)["record_quote_answer"]
    first = do(api, case, "record_quote_answer", quote_accepted="yes")
    assert first["instance"]["data"]["quote_accepted"] == "yes"
    again = api("cs1").post(
        f"/api/v1/tasks/{task['id']}/complete", json={"data": {"quote_accepted": "yes"}}
    )
    assert again.status_code == 409
    assert order_of(db, case).quote_status == "accepted"


def test_a_busy_unit_cannot_be_registered_twice(api, db):
    serial = new_unit(db)
    first = repair(api, serial)
    register(api, first, serial)
    second = repair(api, serial)
    response = submit(api, second, "register_repair", serial_number=serial, mode="onsite")
    assert response.status_code == 409
    assert "register_repair" in open_tasks(api, second)
    assert ends(api, second) == []


def test_unresolvable_out_of_warranty_goes_back_unrepaired(app, api, db):
    serial = new_unit(db, delivered_days_ago=900)
    case = repair(api, serial)
    register(api, case, serial)
    do(api, case, "prepare_quote", quote_amount=600)
    do(api, case, "record_quote_answer", quote_accepted="yes")
    do(api, case, "diagnose_fault", **{**DIAGNOSE_NO_PARTS, "repair_plan": "unresolvable"})
    do(api, case, "decide_repair_plan_escalation")
    # out of warranty, 24 hours bring no free replacement part
    fire_timers(app, case, timedelta(hours=25))
    assert set(open_tasks(api, case)) == {"repair_unit"}
    do(api, case, "repair_unit", resolution="unresolvable", labour_hours=1, charge=200)
    do(api, case, "return_unrepaired", returned_how="ship", tracking_number="SF3")
    assert open_tasks(api, case) == {}
    assert {"no_free_replacement", "returned_unrepaired"} <= set(ends(api, case))
    order = order_of(db, case)
    assert (order.resolution, order.status, order.charge) == ("not_repaired", "closed", 200)
    assert db.get(Unit, order.unit_id).extension_days == 0  # no extension out of warranty


def test_a_late_first_reply_goes_to_the_supervisor_while_the_clerk_keeps_the_task(app, api, db):
    serial = new_unit(db)
    case = repair(api, serial)
    fire_timers(app, case, timedelta(days=10))
    assert set(open_tasks(api, case)) == {"register_repair", "handle_overdue_repair_reply"}
    do(api, case, "handle_overdue_repair_reply", user="supervisor")
    assert "repair_escalation_handled" in ends(api, case)
    assert set(open_tasks(api, case)) == {"register_repair"}
