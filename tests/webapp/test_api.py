"""The JSON API as a client sees it: every status code of the contract."""

from __future__ import annotations

import io

import pytest

from tests.sample_data import fill, request_data


def start_request(api, category="quality_complaint", user="cs1"):
    response = api(user).post(
        "/api/v1/process-instances",
        json={"process": "customer_request", "data": request_data(category)},
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def open_task(body):
    return [t for t in body["tasks"] if t["status"] == "open"][0]


# -- auth ------------------------------------------------------------------------------------
def test_token_and_me(api):
    me = api("cs1").get("/api/v1/me")
    assert me.status_code == 200
    assert me.get_json()["roles"] == ["customer_service"]


def test_wrong_password_is_401_problem_json(app):
    response = app.test_client().post(
        "/api/v1/auth/token", json={"username": "cs1", "password": "nope"}
    )
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert set(response.get_json()) >= {"type", "title", "status", "detail"}


def test_login_attempts_are_rate_limited(app):
    client = app.test_client()
    codes = [
        client.post(
            "/api/v1/auth/token",
            json={"username": "cs2", "password": "bad"},
            environ_base={"REMOTE_ADDR": "10.9.9.9"},
        ).status_code
        for _ in range(6)
    ]
    assert codes[:5] == [401] * 5 and codes[5] == 429
    # the right password is refused too while the limit holds
    response = client.post(
        "/api/v1/auth/token",
        json={"username": "cs2", "password": "demo"},
        environ_base={"REMOTE_ADDR": "10.9.9.9"},
    )
    assert response.status_code == 429


def test_not_logged_in_is_401(api):
    assert api(None).get("/api/v1/tasks").status_code == 401


def test_malformed_json_is_400(api):
    client = api("cs1")
    response = client.client.post(
        "/api/v1/process-instances",
        data="{not json",
        headers={**client.headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"


# -- definitions ---------------------------------------------------------------------------
def test_definitions_list_and_start_form(api):
    body = api("cs1").get("/api/v1/process-definitions").get_json()
    entry = next(d for d in body["items"] if d["key"] == "customer_request")
    assert entry["startable"] is True
    detail = api("cs1").get("/api/v1/process-definitions/customer_request").get_json()
    assert detail["start_form"]["id"] == "customer_request_start"
    assert (
        api("tech1").get("/api/v1/process-definitions/customer_request").get_json()["startable"]
        is False
    )
    assert api("cs1").get("/api/v1/process-definitions/nope").status_code == 404


def test_deploy_needs_process_owner(api):
    response = api("cs1").post(
        "/api/v1/process-definitions",
        data={"files": (io.BytesIO(b"<x/>"), "x.bpmn")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 403


def test_deploy_rejects_a_broken_diagram_whole(api):
    script = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="x">
  <bpmn:process id="evil" isExecutable="true">
    <bpmn:startEvent id="s"/>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="run"/>
    <bpmn:scriptTask id="run" name="Run it" scriptFormat="python">
      <bpmn:script>import os
os.system("touch /tmp/pwned")</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:sequenceFlow id="f2" sourceRef="run" targetRef="e"/>
    <bpmn:endEvent id="e"/>
  </bpmn:process>
</bpmn:definitions>"""
    good = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d2" targetNamespace="x">
  <bpmn:process id="fine_one" isExecutable="true">
    <bpmn:startEvent id="s2"/><bpmn:sequenceFlow id="g1" sourceRef="s2" targetRef="e2"/><bpmn:endEvent id="e2"/>
  </bpmn:process>
</bpmn:definitions>"""
    response = api("owner").post(
        "/api/v1/process-definitions",
        data={"files": [(io.BytesIO(script), "evil.bpmn"), (io.BytesIO(good), "fine.bpmn")]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    problems = response.get_json()["errors"]["files"]
    assert any(
        p["element_id"] == "run" and p["line"] and p["file"] == "evil.bpmn" for p in problems
    )
    # nothing deployed: the good file in the same upload was refused with it
    assert api("owner").get("/api/v1/process-definitions/fine_one").status_code == 404


def test_deploy_same_checksum_keeps_version(api):
    diagram = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d3" targetNamespace="x">
  <bpmn:process id="tiny_api" isExecutable="true">
    <bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f" sourceRef="s" targetRef="t"/>
    <bpmn:userTask id="t" name="Look"/><bpmn:sequenceFlow id="f2" sourceRef="t" targetRef="e"/>
    <bpmn:endEvent id="e"/>
  </bpmn:process>
</bpmn:definitions>"""
    owner = api("owner")

    def upload(content):
        return owner.post(
            "/api/v1/process-definitions",
            data={"files": (io.BytesIO(content), "tiny.bpmn")},
            content_type="multipart/form-data",
        )

    first = upload(diagram)
    assert first.status_code == 201
    version = first.get_json()["items"][0]["version"]
    started = owner.post("/api/v1/process-instances", json={"process": "tiny_api"}).get_json()
    again = upload(diagram).get_json()["items"][0]
    assert again["version"] == version and again["created"] is False
    changed = upload(diagram.replace(b'name="Look"', b'name="Look again"')).get_json()["items"][0]
    assert changed["version"] == version + 1
    # the running instance stays on its version
    assert owner.get(f"/api/v1/process-instances/{started['id']}").get_json()["version"] == version


# -- instances and tasks ----------------------------------------------------------------------
def test_start_validates_against_the_start_form(api):
    response = api("cs1").post(
        "/api/v1/process-instances",
        json={"process": "customer_request", "data": {"channel": "fax"}},
    )
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert "channel" in errors and "category" in errors


def test_start_needs_a_starter_role(api):
    response = api("tech1").post(
        "/api/v1/process-instances", json={"process": "customer_request", "data": request_data()}
    )
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("category", "who", "others"),
    [
        ("installation", ["install1"], ["tech1", "quality1", "cs2"]),
        # a repair is registered by customer service first (process 2 inside the case)
        ("repair", ["cs1", "cs2"], ["install1", "quality1", "tech1"]),
        ("quality_complaint", ["quality1"], ["tech1", "install1", "cs1"]),
    ],
)
def test_routing_puts_the_task_in_the_right_inboxes_only(api, category, who, others):
    body = start_request(api, category)
    task = open_task(body)
    for user in who:
        ids = [
            t["id"]
            for t in api(user).get("/api/v1/tasks?scope=claimable&per_page=200").get_json()["items"]
        ]
        assert task["id"] in ids
    for user in others:
        ids = [
            t["id"]
            for t in api(user).get("/api/v1/tasks?scope=open&per_page=200").get_json()["items"]
        ]
        assert task["id"] not in ids
        assert api(user).get(f"/api/v1/tasks/{task['id']}").status_code == 404
        response = api(user).post(f"/api/v1/tasks/{task['id']}/complete", json={"data": {}})
        assert response.status_code in (403, 404)


def test_complete_task_flow_and_conflicts(api):
    body = start_request(api)
    task = open_task(body)
    q = api("quality1")
    got = q.get(f"/api/v1/tasks/{task['id']}").get_json()
    assert got["form"]["id"] == task["form_key"] and got["data"]["customer_name"]

    invalid = q.post(f"/api/v1/tasks/{task['id']}/complete", json={"data": {}})
    assert invalid.status_code == 422 and invalid.get_json()["errors"]
    assert q.get(f"/api/v1/tasks/{task['id']}").get_json()["status"] == "open"

    assert q.post(f"/api/v1/tasks/{task['id']}/claim").status_code == 200
    assert (
        q.post(f"/api/v1/tasks/{task['id']}/claim").status_code == 200
    )  # claiming again is harmless
    done = q.post(f"/api/v1/tasks/{task['id']}/complete", json={"data": fill(task["form_key"])})
    assert done.status_code == 200
    result = done.get_json()
    assert [t["name"] for t in result["next_tasks"]] == ["define_problem_type"]
    again = q.post(f"/api/v1/tasks/{task['id']}/complete", json={"data": fill(task["form_key"])})
    assert again.status_code == 409

    history = q.get(f"/api/v1/process-instances/{body['id']}").get_json()["history"]
    completed = [e for e in history if e["kind"] == "complete"]
    assert (
        completed[0]["actor"] == "quality1" and completed[0]["payload"]["task"] == "verify_defect"
    )


def test_claimed_by_someone_else_is_409(api):
    body = start_request(api, "repair")
    task = open_task(body)
    assert api("cs1").post(f"/api/v1/tasks/{task['id']}/claim").status_code == 200
    assert api("cs2").post(f"/api/v1/tasks/{task['id']}/claim").status_code == 409
    mine = [t["id"] for t in api("cs1").get("/api/v1/tasks?scope=mine").get_json()["items"]]
    assert task["id"] in mine
    assert api("cs1").post(f"/api/v1/tasks/{task['id']}/unclaim").status_code == 200
    assert api("cs2").post(f"/api/v1/tasks/{task['id']}/claim").status_code == 200


def test_assign_by_supervisor(api):
    body = start_request(api, "repair")
    task = open_task(body)
    assert (
        api("cs1").post(f"/api/v1/tasks/{task['id']}/assign", json={"username": "cs2"}).status_code
        == 403
    )
    response = api("supervisor").post(
        f"/api/v1/tasks/{task['id']}/assign", json={"username": "cs2"}
    )
    assert response.status_code == 200 and response.get_json()["assignee"] == "cs2"
    assert (
        api("supervisor")
        .post(f"/api/v1/tasks/{task['id']}/assign", json={"username": "ghost"})
        .status_code
        == 422
    )
    # cs1 still sees the task of their role, but it is cs2's now
    assert (
        api("cs1")
        .post(f"/api/v1/tasks/{task['id']}/complete", json={"data": fill(task["form_key"])})
        .status_code
        == 403
    )
    assert api("install1").get(f"/api/v1/tasks/{task['id']}").status_code == 404


def test_instances_visibility(api):
    body = start_request(api)
    assert api("cs1").get(f"/api/v1/process-instances/{body['id']}").status_code == 200
    assert api("tech1").get(f"/api/v1/process-instances/{body['id']}").status_code == 404
    assert api("admin").get(f"/api/v1/process-instances/{body['id']}").status_code == 200
    listed = api("tech1").get("/api/v1/process-instances?per_page=200").get_json()["items"]
    assert body["id"] not in [i["id"] for i in listed]
    assert api("admin").get("/api/v1/process-instances?status=bogus").status_code == 400
    assert api("admin").get("/api/v1/process-instances/999999").status_code == 404


def test_admin_actions(api):
    body = start_request(api)
    assert api("cs1").post(f"/api/v1/process-instances/{body['id']}/suspend").status_code == 403
    admin = api("admin")
    assert (
        admin.post(f"/api/v1/process-instances/{body['id']}/suspend").get_json()["status"]
        == "suspended"
    )
    task = open_task(body)
    assert (
        api("quality1")
        .post(f"/api/v1/tasks/{task['id']}/complete", json={"data": fill(task["form_key"])})
        .status_code
        == 409
    )
    assert (
        admin.post(f"/api/v1/process-instances/{body['id']}/resume").get_json()["status"]
        == "running"
    )
    assert admin.post(f"/api/v1/process-instances/{body['id']}/retry").status_code == 409
    assert (
        admin.post(f"/api/v1/process-instances/{body['id']}/terminate").get_json()["status"]
        == "terminated"
    )
    assert admin.post(f"/api/v1/process-instances/{body['id']}/terminate").status_code == 409


def test_openapi(api):
    spec = api(None).get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.") and "/tasks/{id}/complete" in spec["paths"]


def test_a_failing_step_becomes_an_incident_and_retry_with_a_correction_resumes(api):
    diagram = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="d4" targetNamespace="x">
  <bpmn:process id="needs_amount" isExecutable="true">
    <bpmn:startEvent id="s"/>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="look"/>
    <bpmn:userTask id="look" name="Look"/>
    <bpmn:sequenceFlow id="f2" sourceRef="look" targetRef="big"/>
    <bpmn:exclusiveGateway id="big" name="Big order?" default="small"/>
    <bpmn:sequenceFlow id="large" sourceRef="big" targetRef="approve">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">amount &gt; 100</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="small" sourceRef="big" targetRef="done"/>
    <bpmn:userTask id="approve" name="Approve"/>
    <bpmn:sequenceFlow id="f3" sourceRef="approve" targetRef="done"/>
    <bpmn:endEvent id="done"/>
  </bpmn:process>
</bpmn:definitions>"""
    owner, admin = api("owner"), api("admin")
    response = owner.post(
        "/api/v1/process-definitions",
        data={"files": (io.BytesIO(diagram), "amount.bpmn")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 201, response.get_json()
    started = owner.post("/api/v1/process-instances", json={"process": "needs_amount"}).get_json()
    look = open_task(started)
    # the completion is kept; the gateway that needs `amount` fails and becomes an incident
    done = owner.post(f"/api/v1/tasks/{look['id']}/complete", json={"data": {}})
    assert done.status_code == 200 and done.get_json()["instance"]["status"] == "error"
    body = admin.get(f"/api/v1/process-instances/{started['id']}").get_json()
    incident = body["incidents"][0]
    assert incident["task"] == "big" and "amount" in incident["message"]
    assert "Traceback" not in incident["message"] and "0x" not in incident["message"]
    stuck = admin.get("/api/v1/process-instances?stuck=true&per_page=200").get_json()["items"]
    assert started["id"] in [i["id"] for i in stuck]

    assert owner.post(f"/api/v1/process-instances/{started['id']}/retry").status_code == 403
    # retried as it is, it fails again; with the missing value it goes on
    again = admin.post(f"/api/v1/process-instances/{started['id']}/retry", json={})
    assert again.get_json()["status"] == "error"
    fixed = admin.post(
        f"/api/v1/process-instances/{started['id']}/retry", json={"data": {"amount": 500}}
    )
    assert fixed.status_code == 200
    result = fixed.get_json()
    assert result["status"] == "running" and result["incidents"] == []
    assert [t["name"] for t in result["tasks"] if t["status"] == "open"] == ["approve"]
    retries = [e for e in result["history"] if e["kind"] == "retry"]
    assert retries[-1]["actor"] == "admin" and retries[-1]["payload"]["data"] == {"amount": 500}
