"""A customer request (process 1) filed as a service case: the customer's record supplies the
contract and the site's calendar, the repair route runs process 2a inside the case, and the
case's milestones are stamped as its clocks stop."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from tests.sample_data import request_data
from tests.webapp.repair_walk import do, new_unit, open_tasks, start, started, walk
from tests.webapp.test_repair_paths import DIAGNOSE_NO_PARTS, FINISH
from workflows.records.models import RepairOrder, ServiceCase
from workflows.runtime import get_engine
from workflows.sla.models import SlaClockRecord


def request(api, **fields) -> dict:
    return started(api, "customer_request", {**request_data("repair"), **fields})


def clocks(db, instance_id: int) -> dict[str, SlaClockRecord]:
    db.expire_all()
    rows = db.scalars(select(SlaClockRecord).where(SlaClockRecord.instance_id == instance_id))
    return {row.kind: row for row in rows}


def test_the_repair_route_runs_the_repair_process_inside_the_case(app, api, db):
    serial = new_unit(db, customer="C001")
    case = request(api, customer_code="C001", serial_number=serial, customer_name="")
    filed = db.scalar(select(ServiceCase).where(ServiceCase.instance_id == case["id"]))
    assert filed is not None and filed.customer_name == "华东精密机械有限公司"
    assert case["data"]["site_calendar"].startswith("site:Asia/Shanghai|08:30-12:00")
    assert clocks(db, case["id"])["reply"].calendar == case["data"]["site_calendar"]
    assert "register_repair" in open_tasks(api, case["id"])
    do(api, case["id"], "register_repair", serial_number=serial, mode="onsite")
    walk(
        api,
        case["id"],
        [
            ("diagnose_fault", DIAGNOSE_NO_PARTS),
            ("repair_unit", {"resolution": "repaired", "labour_hours": 2, "charge": 0}),
            *FINISH,
            ("record_failure", {"phenomenon": "主轴异响", "defective_parts": "no"}),
        ],
    )
    order = db.scalar(select(RepairOrder).where(RepairOrder.instance_id == case["id"]))
    assert order.service_case_id == filed.id and order.status == "closed"
    db.expire_all()
    filed = db.get(ServiceCase, filed.id)
    assert filed.first_reply_at and filed.onsite_at and filed.resolved_at
    assert filed.closed_at is None  # the follow-up visit is still to come
    from webapp.extensions import db as flask_db

    with time_machine.travel(datetime.now(UTC) + timedelta(days=4), tick=False), app.app_context():
        get_engine().fire_timers(flask_db.session, case["id"])
        flask_db.session.commit()
    do(api, case["id"], "follow_up_repair")
    assert open_tasks(api, case["id"]) == {}
    db.expire_all()
    filed = db.get(ServiceCase, filed.id)
    assert filed.status == "closed" and filed.closed_at is not None


@pytest.mark.parametrize(
    ("code", "calendar"),
    [
        ("C002", "24x7"),  # premium contract: round the clock, whatever the site
        ("C003", "site:Asia/Singapore|09:00-13:00,14:00-18:00|mon-fri|none"),
    ],
)
def test_the_customer_decides_the_calendar(api, db, code, calendar):
    case = request(api, customer_code=code, serial_number="", customer_name="")
    assert clocks(db, case["id"])["reply"].calendar == calendar


def test_a_request_from_someone_not_on_file_uses_the_standard_calendar(api, db):
    case = request(api, customer_code="", serial_number="", customer_name="新客户")
    assert case["data"]["site_calendar"] == "standard"
    assert clocks(db, case["id"])["reply"].calendar == "standard"


def test_unknown_customer_or_serial_is_refused_and_nothing_is_filed(api, db):
    before = db.scalar(select(ServiceCase.id).order_by(ServiceCase.id.desc()).limit(1))
    unknown = start(api, "customer_request", {**request_data("repair"), "customer_code": "C999"})
    assert unknown.status_code == 422 and "customer_code" in unknown.get_json()["errors"]
    serial = new_unit(db, customer="C003")
    wrong = start(
        api,
        "customer_request",
        {**request_data("repair"), "customer_code": "C001", "serial_number": serial},
    )
    assert wrong.status_code == 422 and "serial_number" in wrong.get_json()["errors"]
    db.expire_all()
    assert db.scalar(select(ServiceCase.id).order_by(ServiceCase.id.desc()).limit(1)) == before


def test_a_request_names_its_customer_one_way_or_another(api):
    nobody = {"customer_code": "", "serial_number": "", "customer_name": ""}
    response = start(api, "customer_request", {**request_data("repair"), **nobody})
    assert response.status_code == 422
    assert "customer_name" in response.get_json()["errors"]


def test_the_case_page_draws_the_repair_process_it_called(api, browser_for_case):
    page, diagram = browser_for_case
    assert 'data-testid="called-diagram" data-process="repair_replacement"' in page
    assert '<bpmn:process id="repair_replacement"' in diagram


@pytest.fixture
def browser_for_case(app, api, db):
    from tests.webapp.test_pages import Browser

    serial = new_unit(db, customer="C001")
    case = request(api, customer_code="C001", serial_number=serial, customer_name="")
    complaint = request(api, category="quality_complaint", customer_code="C001")
    elsewhere = Browser(app, "cs1").text(f"/cases/{complaint['id']}")
    assert 'data-testid="called-diagram"' not in elsewhere  # the route never called a repair
    do(api, case["id"], "register_repair", serial_number=serial, mode="onsite")
    cs1 = Browser(app, "cs1")
    page = cs1.text(f"/cases/{case['id']}")
    diagram = cs1.text(f"/cases/{case['id']}/diagram.bpmn?process=repair_replacement")
    assert cs1.get(f"/cases/{case['id']}/diagram.bpmn?process=nothing").status_code == 404
    return page, diagram
