"""Decision tables through the JSON API: deployed with processes or alone, read by owners."""

from __future__ import annotations

import io

import pytest

TABLE = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="defs" name="D" namespace="http://aftersales">
  <decision id="KEY" name="Level by points">
    <decisionTable id="table" hitPolicy="FIRST">
      <input id="in_points" label="Points"><inputExpression id="ie" typeRef="number"><text>points</text></inputExpression></input>
      <output id="out_level" label="Level" name="level" typeRef="string"/>
      <rule id="r1"><inputEntry id="c1"><text>&gt;= 10</text></inputEntry><outputEntry id="o1"><text>"high"</text></outputEntry></rule>
      <rule id="r2"><inputEntry id="c2"><text>-</text></inputEntry><outputEntry id="o2"><text>"LOW"</text></outputEntry></rule>
    </decisionTable>
  </decision>
</definitions>
"""
PROCESS = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="x">
  <bpmn:process id="api_leveled" isExecutable="true">
    <bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="rate"/>
    <bpmn:businessRuleTask id="rate" name="Rate" camunda:decisionRef="api_used_level"/>
    <bpmn:sequenceFlow id="f2" sourceRef="rate" targetRef="e"/><bpmn:endEvent id="e"/>
  </bpmn:process>
</bpmn:definitions>"""


def table(key: str, low: str = "low") -> bytes:
    return TABLE.replace("KEY", key).replace("LOW", low).encode()


def upload(client, files: dict[str, bytes], lang: str = "en"):
    return client.post(
        f"/api/v1/process-definitions?lang={lang}",
        data={"files": [(io.BytesIO(raw), name) for name, raw in files.items()]},
        content_type="multipart/form-data",
    )


@pytest.fixture
def evaluated_alone(monkeypatch):
    """The application evaluates `api_level` itself and only accepts a table whose low is "low"."""
    from workflows.runtime import get_engine

    def check(compiled):
        level = compiled.evaluate({"points": 0})["level"]
        return [] if level == "low" else [(f"0 points give {level}.", f"0 分得到 {level}。")]

    monkeypatch.setitem(get_engine().decision_checks, "api_level", check)
    return "api_level"


def test_a_process_upload_answers_with_its_decisions(api):
    response = upload(
        api("owner"), {"leveled.bpmn": PROCESS, "used_level.dmn": table("api_used_level")}
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert [item["key"] for item in body["items"]] == ["api_leveled"]
    (decision,) = body["decisions"]
    assert decision["key"] == "api_used_level" and decision["name"] == "Level by points"
    assert decision["created"] is True and decision["deployed_by"] == "owner"
    assert decision["version"] >= 1 and decision["deployed_at"]


def test_a_standalone_decision_is_deployed_versioned_and_read(api, evaluated_alone):
    owner = api("owner")
    first = upload(owner, {"alone_level.dmn": table(evaluated_alone)})
    assert first.status_code == 201, first.get_json()
    body = first.get_json()
    assert body["items"] == [] and body["decisions"][0]["created"] is True
    version = body["decisions"][0]["version"]
    again = upload(owner, {"alone_level.dmn": table(evaluated_alone)}).get_json()["decisions"][0]
    assert (again["version"], again["created"]) == (version, False)

    listed = owner.get("/api/v1/decision-definitions").get_json()["items"]
    entry = next(d for d in listed if d["key"] == evaluated_alone)
    assert entry["version"] == version and entry["filename"] == "alone_level.dmn"
    assert "source" not in entry
    detail = api("admin").get(f"/api/v1/decision-definitions/{evaluated_alone}").get_json()
    assert detail["source"] == table(evaluated_alone).decode() and detail["version"] == version

    changed = table(evaluated_alone).replace(b"&gt;= 10", b"&gt;= 20")
    assert upload(owner, {"alone_level.dmn": changed}).get_json()["decisions"][0]["version"] == (
        version + 1
    )


def test_a_table_the_check_refuses_is_not_deployed(api, evaluated_alone):
    owner = api("owner")
    assert upload(owner, {"alone_level.dmn": table(evaluated_alone)}).status_code == 201
    before = owner.get(f"/api/v1/decision-definitions/{evaluated_alone}").get_json()["version"]
    refused = table(evaluated_alone, low="medium")
    response = upload(owner, {"alone_level.dmn": refused, "leveled.bpmn": PROCESS}, lang="zh_CN")
    assert response.status_code == 422
    problems = response.get_json()["errors"]["files"]
    problem = next(p for p in problems if p["element_id"] == evaluated_alone)
    assert problem["file"] == "alone_level.dmn" and "0 分得到 medium。" in problem["message"]
    english = upload(owner, {"alone_level.dmn": refused}).get_json()["errors"]["files"][0][
        "message"
    ]
    assert "0 points give medium." in english and "cannot be deployed" in english
    after = owner.get(f"/api/v1/decision-definitions/{evaluated_alone}").get_json()["version"]
    assert after == before


def test_a_decision_nobody_evaluates_is_refused(api):
    response = upload(api("owner"), {"lonely.dmn": table("api_lonely")})
    assert response.status_code == 422
    assert api("owner").get("/api/v1/decision-definitions/api_lonely").status_code == 404


@pytest.mark.parametrize("user, status", [("cs1", 403), ("tech1", 403), ("owner", 200)])
def test_only_those_who_deploy_read_decision_tables(api, user, status):
    assert api(user).get("/api/v1/decision-definitions").status_code == status
    detail = api(user).get("/api/v1/decision-definitions/api_used_level")
    assert detail.status_code in ((403,) if status == 403 else (200, 404))
    assert api(None).get("/api/v1/decision-definitions").status_code == 401


def test_an_unknown_decision_is_404_in_words(api):
    response = api("owner").get("/api/v1/decision-definitions/nope?lang=en")
    assert response.status_code == 404
    assert "There is no decision table 'nope'" in response.get_json()["detail"]


def test_openapi_lists_the_decision_paths(api):
    paths = api(None).get("/api/v1/openapi.json").get_json()["paths"]
    assert "/decision-definitions" in paths and "/decision-definitions/{key}" in paths
