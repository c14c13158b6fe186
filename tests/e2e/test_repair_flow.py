"""A carry-in repair in real browsers: the technician diagnoses, reserves a part, repairs and
returns the unit; customer service records the customer's item-by-item acceptance; the repair
order shows the part used and who signed."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from tests.e2e.test_complaint_flow import task_row, watch_errors
from tests.webapp.repair_walk import do, new_unit, open_tasks, started

pytestmark = pytest.mark.e2e

PART = "T-E2E-BRG"


def answer(page: Page, key: str, value) -> None:
    """Fill field `key` of the task form however the form draws it."""
    radio = page.locator(f'input[type="radio"][name="{key}"][value="{value}"]')
    if radio.count():
        radio.check()
        return
    field = page.locator(f"#f-{key}")
    tag = field.evaluate("element => element.tagName.toLowerCase()")
    kind = field.get_attribute("type") or ""
    if tag == "select":
        field.select_option(str(value))
    elif kind == "checkbox":
        field.set_checked(bool(value))
    else:
        field.fill(str(value))


def complete(page: Page, api, case_id: int, task: str, **answers) -> None:
    page.goto(f"/tasks/{open_tasks(api, case_id)[task]['id']}")
    expect(page.get_by_test_id("task-title")).to_be_visible()
    for key, value in answers.items():
        answer(page, key, value)
    page.get_by_test_id("complete-task").click()
    expect(page).to_have_url(re.compile(r"/tasks$"))
    expect(page.locator(".alert-success")).to_be_visible()


def test_a_carry_in_repair_with_a_part_and_the_customers_acceptance(app, api, log_in):
    from webapp.extensions import db
    from workflows.records.models import Part, RepairOrder

    with app.app_context():
        db.session.add(Part(part_number=PART, name="主轴轴承（测试）", family="spindle", on_hand=2))
        db.session.commit()
        serial = new_unit(db.session, delivered_days_ago=60)
    case_id = started(
        api,
        "repair_replacement",
        {
            "serial_number": serial,
            "channel": "phone",
            "priority": "normal",
            "reported_fault": "主轴异响",
        },
    )["id"]
    do(api, case_id, "register_repair", serial_number=serial, mode="carry_in", engineer="tech1")

    tech1 = log_in("tech1")
    errors = watch_errors(tech1)
    tech1.goto("/tasks")
    rows = task_row(tech1, case_id, "diagnose_fault", "mine")
    if not rows.count():
        rows = task_row(tech1, case_id, "diagnose_fault", "claimable")
    expect(rows).to_have_count(1)
    complete(
        tech1,
        api,
        case_id,
        "diagnose_fault",
        diagnosis="前轴承磨损，需更换。",
        repair_plan="replace_part",
        part1_number=PART,
        part1_qty=1,
    )
    complete(tech1, api, case_id, "reserve_parts")
    complete(
        tech1,
        api,
        case_id,
        "repair_unit",
        resolution="replaced_part",
        work_done="更换前轴承并重新预紧。",
        labour_hours=2,
        charge=0,
    )
    complete(tech1, api, case_id, "test_unit", test_passed="yes", test_notes="空运转 2 小时正常。")
    complete(tech1, api, case_id, "return_unit", returned_how="handover")

    cs1 = log_in("cs1")
    errors += watch_errors(cs1)
    complete(
        cs1,
        api,
        case_id,
        "customer_acceptance",
        accept_appearance="yes",
        accept_function="yes",
        accept_accessories="yes",
        accept_documents="yes",
        signed_by_name="刘经理",
    )
    assert "record_failure" in open_tasks(api, case_id)

    with app.app_context():
        order = db.session.scalar(select(RepairOrder).where(RepairOrder.instance_id == case_id))
        part = db.session.scalar(select(Part).where(Part.part_number == PART))
        assert (order.mode, order.accepted_by_name, order.status) == (
            "carry_in",
            "刘经理",
            "accepted",
        )
        assert (part.on_hand, part.reserved) == (1, 0)
        order_id = order.id
    cs1.goto(f"/records/repairs/{order_id}")
    expect(cs1.locator("main")).to_contain_text("刘经理")
    expect(cs1.locator("main")).to_contain_text(PART)
    cs1.screenshot(path="/tmp/e2e-repair-order.png", full_page=True)
    assert errors == [], "\n".join(errors)
