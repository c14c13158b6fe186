"""Two people complete the same task at the same moment: exactly one wins."""

from __future__ import annotations

import threading

from tests.sample_data import fill, request_data


def test_two_clients_complete_the_same_task_at_once(app, api):
    started = (
        api("cs1")
        .post(
            "/api/v1/process-instances",
            json={"process": "customer_request", "data": request_data("repair")},
        )
        .get_json()
    )
    task = next(t for t in started["tasks"] if t["status"] == "open")
    data = {"data": fill(task["form_key"])}
    clients = [api("tech1"), api("tech2")]
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
    assert [t["name"] for t in open_tasks] == ["record_customer_acceptance"]
    assert body["status"] == "running"
