"""Walking repair, return and request cases through the JSON API as the demo users."""

from __future__ import annotations

import itertools
from datetime import timedelta

from sqlalchemy import select

from tests.sample_data import fill
from workflows.records.models import Customer, Product, Unit
from workflows.records.warranty import local_today

# who does a role's work in the demo organisation
DOER = {
    "customer_service": "cs1",
    "repair_tech": "tech1",
    "warehouse": "parts1",
    "supervisor": "supervisor",
    "returns": "returns1",
    "quality": "quality1",
    "tech_support": "install1",
}
_serials = itertools.count(1)


def new_unit(
    db_session,
    *,
    customer: str = "C001",
    model: str = "CNC-500",
    delivered_days_ago: int = 100,
    manufacturer_end_in_days: int | None = None,
) -> str:
    """A fresh unit of a demo customer (so tests never share a unit under repair)."""
    owner = db_session.scalar(select(Customer).where(Customer.code == customer))
    product = db_session.scalar(select(Product).where(Product.model == model))
    today = local_today()
    serial = f"T-{model}-{next(_serials):05d}-{id(db_session) % 10000}"
    db_session.add(
        Unit(
            serial_number=serial,
            product_id=product.id,
            customer_id=owner.id,
            site_id=owner.sites[0].id if owner.sites else None,
            production_batch="T-BATCH-1",
            delivered_on=today - timedelta(days=delivered_days_ago),
            warranty_months=product.warranty_months,
            manufacturer_warranty_end=today + timedelta(days=manufacturer_end_in_days)
            if manufacturer_end_in_days is not None
            else None,
        )
    )
    db_session.commit()
    return serial


def start(api, process: str, data: dict, user: str = "cs1"):
    return api(user).post("/api/v1/process-instances", json={"process": process, "data": data})


def started(api, process: str, data: dict, user: str = "cs1") -> dict:
    response = start(api, process, data, user)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def instance(api, instance_id: int) -> dict:
    return api("admin").get(f"/api/v1/process-instances/{instance_id}").get_json()


def open_tasks(api, instance_id: int) -> dict[str, dict]:
    return {t["name"]: t for t in instance(api, instance_id)["tasks"] if t["status"] == "open"}


def submit(api, instance_id: int, task: str, user: str | None = None, **answers):
    """Complete the open task `task` with its form filled and `answers` applied; the response."""
    tasks = open_tasks(api, instance_id)
    assert task in tasks, f"{task} is not open; open: {sorted(tasks)}"
    row = tasks[task]
    who = user or row["assignee"] or DOER[row["role"]]
    data = {**(fill(row["form_key"]) if row["form_key"] else {}), **answers}
    return api(who).post(f"/api/v1/tasks/{row['id']}/complete", json={"data": data})


def do(api, instance_id: int, task: str, user: str | None = None, **answers) -> dict:
    response = submit(api, instance_id, task, user, **answers)
    assert response.status_code == 200, (task, response.get_json())
    return response.get_json()


def walk(api, instance_id: int, steps: list[tuple[str, dict]]) -> dict:
    body = {}
    for task, answers in steps:
        body = do(api, instance_id, task, **answers)
    return body


def ends(api, instance_id: int) -> list[str]:
    """The end events the instance passed, from its history."""
    return [
        e["payload"].get("task")
        for e in instance(api, instance_id)["history"]
        if e["kind"] == "step" and e["payload"].get("kind") == "EndEvent"
    ]


def task_data(api, instance_id: int, task: str) -> dict:
    """The data the open task `task` sees in the engine: decision outputs and effect results."""
    from SpiffWorkflow.util.task import TaskState

    from webapp.extensions import db
    from workflows.runtime import get_engine

    with api("admin").client.application.app_context():
        _, workflow = get_engine().load(db.session, instance_id, lock=False)
        ready = workflow.get_tasks(state=TaskState.READY, manual=True)
        data = next(dict(t.data) for t in ready if t.task_spec.name == task)
        db.session.rollback()
    return data
