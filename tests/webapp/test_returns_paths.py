"""Returns and exchanges (process 2b) through the API: the policy decides, people confirm, and
stock follows the outcome."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tests.webapp.repair_walk import do, new_unit, open_tasks, started, submit, task_data, walk
from workflows.records.models import ReturnRequest, StockMovement, Unit
from workflows.records.warranty import local_today


def return_case(api, serial: str, kind: str, reason: str) -> dict:
    data = {"serial_number": serial, "kind": kind, "reason_code": reason, "reason": "客户来电申请"}
    return started(api, "returns_exchange", data, user="returns1")


def request_of(db, instance_id: int) -> ReturnRequest:
    db.expire_all()
    return db.scalar(select(ReturnRequest).where(ReturnRequest.instance_id == instance_id))


TOMORROW = (local_today() + timedelta(days=1)).isoformat()


def test_defect_within_seven_days_is_refunded_and_the_unit_comes_back_to_stock(api, db):
    serial = new_unit(db, delivered_days_ago=3)
    case = return_case(api, serial, "return", "quality_defect")
    policy = task_data(api, case["id"], "review_eligibility")
    assert (policy["policy_eligible"], policy["policy_outcome"]) == (True, "refund")
    walk(
        api,
        case["id"],
        [
            ("review_eligibility", {"eligible": "yes", "review_note": ""}),
            ("arrange_pickup", {"pickup_on": TOMORROW, "carrier": "顺丰"}),
            ("inspect_return", {"inspection_ok": "yes", "inspection_result": "确认主板故障"}),
            ("settle_return", {"outcome": "refund", "refund_amount": 128000}),
        ],
    )
    assert open_tasks(api, case["id"]) == {}
    request = request_of(db, case["id"])
    assert (request.status, request.outcome, request.eligible) == ("closed", "refund", True)
    assert request.policy_rule
    assert db.scalar(select(Unit.status).where(Unit.serial_number == serial)) == "returned"
    moved = db.scalar(select(StockMovement).where(StockMovement.return_request_id == request.id))
    assert moved.kind == "return_in" and moved.note == serial


def test_exchange_within_fifteen_days_gives_the_customer_a_new_unit(api, db):
    serial = new_unit(db, delivered_days_ago=10)
    case = return_case(api, serial, "exchange", "not_as_described")
    assert task_data(api, case["id"], "review_eligibility")["policy_outcome"] == "exchange"
    new_serial = f"{serial}-X"
    walk(
        api,
        case["id"],
        [
            ("review_eligibility", {"eligible": "yes"}),
            ("arrange_pickup", {"pickup_on": TOMORROW, "carrier": "德邦"}),
            ("inspect_return", {"inspection_ok": "yes"}),
            ("settle_return", {"outcome": "exchange", "replacement_serial": new_serial}),
        ],
    )
    request = request_of(db, case["id"])
    replacement = db.get(Unit, request.replacement_unit_id)
    assert replacement.serial_number == new_serial
    assert replacement.customer_id == request.customer_id
    assert replacement.delivered_on == local_today()


def test_changed_mind_is_rejected_with_the_reason(api, db):
    serial = new_unit(db, delivered_days_ago=3)
    case = return_case(api, serial, "return", "changed_mind")
    assert task_data(api, case["id"], "review_eligibility")["policy_eligible"] is False
    # departing from the policy needs a reason
    refused = submit(api, case["id"], "review_eligibility", eligible="yes", review_note="")
    assert refused.status_code == 422 and "review_note" in refused.get_json()["errors"]
    do(api, case["id"], "review_eligibility", eligible="no")
    do(api, case["id"], "inform_rejection", rejection_reason="非质量问题，不符合三包退货条件")
    request = request_of(db, case["id"])
    assert (request.outcome, request.status) == ("rejected", "closed")
    assert "三包" in request.outcome_reason
    assert db.scalar(select(Unit.status).where(Unit.serial_number == serial)) == "in_service"


def test_a_failed_inspection_rejects_the_return(api, db):
    serial = new_unit(db, delivered_days_ago=2)
    case = return_case(api, serial, "return", "transport_damage")
    walk(
        api,
        case["id"],
        [
            ("review_eligibility", {"eligible": "yes"}),
            ("arrange_pickup", {"pickup_on": TOMORROW, "carrier": "顺丰"}),
            ("inspect_return", {"inspection_ok": "no", "inspection_result": "人为损坏"}),
            ("inform_rejection", {"rejection_reason": "检验发现人为损坏"}),
        ],
    )
    assert open_tasks(api, case["id"]) == {}
    assert request_of(db, case["id"]).outcome == "rejected"


def test_bad_return_input(api, db):
    serial = new_unit(db, delivered_days_ago=3)
    case = return_case(api, serial, "return", "quality_defect")
    do(api, case["id"], "review_eligibility", eligible="yes")
    past = submit(api, case["id"], "arrange_pickup", pickup_on="2020-01-01", carrier="顺丰")
    assert past.status_code == 422 and "pickup_on" in past.get_json()["errors"]
    do(api, case["id"], "arrange_pickup", pickup_on=TOMORROW, carrier="顺丰")
    do(api, case["id"], "inspect_return", inspection_ok="yes")
    taken = submit(
        api, case["id"], "settle_return", outcome="exchange", replacement_serial="SN-C001-0001"
    )
    assert taken.status_code == 422 and "replacement_serial" in taken.get_json()["errors"]
    assert request_of(db, case["id"]).status == "open"  # nothing half-saved
