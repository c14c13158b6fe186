"""Two people complete the same task at the same moment: exactly one wins."""

from __future__ import annotations

import threading

from tests.sample_data import fill, request_data


def test_two_clients_complete_the_same_task_at_once(app, api):
    from tests.webapp.repair_walk import new_unit
    from webapp.extensions import db

    with app.app_context():
        serial = new_unit(db.session)
    started = (
        api("cs1")
        .post(
            "/api/v1/process-instances",
            json={"process": "customer_request", "data": request_data("repair")},
        )
        .get_json()
    )
    task = next(t for t in started["tasks"] if t["status"] == "open")
    data = {"data": fill(task["form_key"], serial_number=serial, engineer="")}
    clients = [api("cs1"), api("cs2")]
    barrier = threading.Barrier(len(clients))
    results: list[int] = []

    def complete(client):
        barrier.wait()
        results.append(client.post(f"/api/v1/tasks/{task['id']}/complete", json=data).status_code)

    threads = [threading.Thread(target=complete, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(results) == [200, 409]

    body = api("admin").get(f"/api/v1/process-instances/{started['id']}").get_json()
    completions = [
        e for e in body["history"] if e["kind"] == "complete" and e["task_id"] == task["id"]
    ]
    assert len(completions) == 1
    open_tasks = [t for t in body["tasks"] if t["status"] == "open"]
    assert [t["name"] for t in open_tasks] == ["diagnose_fault"]
    assert body["status"] == "running"


def test_two_technicians_reserving_the_last_part_at_once(app, api):
    """Two repairs, one part left: one technician gets it, the other is told; never below 0."""
    from sqlalchemy import select

    from tests.webapp.repair_walk import do, new_unit, open_tasks, started
    from webapp.extensions import db
    from workflows.records.models import Part

    with app.app_context():
        db.session.add(Part(part_number="T-LAST-ONE", name="最后一个", family="spindle", on_hand=1))
        db.session.commit()
        cases = []
        for _ in range(2):
            serial = new_unit(db.session, delivered_days_ago=30)
            data = {"serial_number": serial, "priority": "normal", "reported_fault": "异响"}
            case = started(api, "repair_replacement", {**data, "channel": "phone"})["id"]
            do(api, case, "register_repair", serial_number=serial, mode="carry_in")
            do(
                api,
                case,
                "diagnose_fault",
                repair_plan="replace_part",
                part1_number="T-LAST-ONE",
                part1_qty=1,
                part2_number="",
            )
            cases.append(case)
    tasks = [open_tasks(api, case)["reserve_parts"] for case in cases]
    clients = [api("tech1"), api("tech2")]
    barrier = threading.Barrier(2)
    results: dict[int, object] = {}

    def reserve(i):
        barrier.wait()
        response = clients[i].post(
            f"/api/v1/tasks/{tasks[i]['id']}/complete",
            json={"data": {"wait_for_parts": False}},
        )
        results[i] = (response.status_code, response.get_json())

    threads = [threading.Thread(target=reserve, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    codes = sorted(code for code, _ in results.values())
    assert codes == [200, 409], results
    loser = next(body for code, body in results.values() if code == 409)
    assert "T-LAST-ONE" in loser["detail"]
    with app.app_context():
        part = db.session.scalar(select(Part).where(Part.part_number == "T-LAST-ONE"))
        assert (part.on_hand, part.reserved) == (1, 1)
    still_open = [case for case in cases if "reserve_parts" in open_tasks(api, case)]
    assert len(still_open) == 1  # the one told keeps the task, to wait for stock or retry
