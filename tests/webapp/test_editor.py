"""The definitions pages: process owners list, open and upload diagrams, tables and forms.

The editors themselves run in the browser (tests/e2e/test_editor.py); here the pages must
carry the stored source, refuse everyone but process owners and admins, and the upload
form must deploy through the same checks as the API.
"""

from __future__ import annotations

import html
import io
import json
import re
from pathlib import Path

import pytest

from tests.webapp.test_pages import Browser

DIAGRAMS = Path(__file__).resolve().parents[2] / "diagrams"
_SOURCE = re.compile(r'<script type="application/json" id="editor-source">(.*?)</script>', re.S)
_ROW = re.compile(r'data-testid="(process|decision)-row" data-key="([^"]+)" data-version="(\d+)"')

BROKEN = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="x">
  <bpmn:process id="editor_broken" isExecutable="true">
    <bpmn:startEvent id="begin"/>
    <bpmn:sequenceFlow id="f1" sourceRef="begin" targetRef="by_name"/>
    <bpmn:userTask id="by_name" name="For one person" camunda:candidateUsers="cs1"/>
  </bpmn:process>
</bpmn:definitions>"""


@pytest.fixture
def owner(app):
    return Browser(app, "owner")


def embedded_source(page: str) -> dict:
    return json.loads(_SOURCE.search(page)[1])


def versions(page: str) -> dict[tuple[str, str], int]:
    return {(kind, key): int(version) for kind, key, version in _ROW.findall(page)}


def upload(browser: Browser, files: dict[str, bytes]):
    return browser.client.post(
        "/definitions/upload",
        data={
            "csrf_token": browser.token,
            "files": [(io.BytesIO(raw), name) for name, raw in files.items()],
        },
        content_type="multipart/form-data",
    )


def test_the_list_shows_shipped_processes_tables_and_forms(owner):
    page = owner.text("/definitions")
    listed = versions(page)
    for key in ("customer_request", "repair_replacement", "returns_exchange"):
        assert ("process", key) in listed
    for key in ("route_request", "appraisal_grade", "warranty_policy"):
        assert ("decision", key) in listed
    assert 'data-testid="form-row" data-key="verify_defect"' in page
    assert 'href="/definitions/processes/customer_request/edit"' in page
    assert 'href="/definitions/decisions/route_request/edit"' in page
    assert 'href="/definitions/forms/verify_defect/edit"' in page
    assert 'data-testid="upload-form"' in page and 'data-testid="new-process-form"' in page
    assert 'data-testid="nav-definitions"' in page


@pytest.mark.parametrize(
    ("user", "status"), [("owner", 200), ("admin", 200), ("cs1", 403), ("hr", 403)]
)
def test_only_process_owners_and_admins_open_the_definitions(app, user, status):
    browser = Browser(app, user)
    assert browser.get("/definitions").status_code == status
    assert browser.get("/definitions/processes/customer_request/edit").status_code == status
    assert browser.get("/definitions/forms/verify_defect/edit").status_code == status
    inbox = browser.text("/tasks")
    assert ('data-testid="nav-definitions"' in inbox) is (status == 200)


def test_each_editor_page_embeds_the_latest_source(owner):
    process = owner.text("/definitions/processes/customer_request/edit")
    embedded = embedded_source(process)
    assert embedded["filename"] == "customer_request.bpmn"
    assert embedded["source"] == (DIAGRAMS / "customer_request.bpmn").read_text(encoding="utf-8")
    assert 'data-editor="process"' in process and "dist/modeler.js" in process
    assert "dist/viewer.js" not in process

    decision = owner.text("/definitions/decisions/route_request/edit")
    embedded = embedded_source(decision)
    assert embedded["filename"] == "route_request.dmn"
    assert 'id="route_request"' in embedded["source"]
    assert "dist/dmn-editor.js" in decision

    form = owner.text("/definitions/forms/verify_defect/edit")
    embedded = embedded_source(form)
    assert embedded["filename"] == "verify_defect.form"
    assert json.loads(embedded["source"])["id"] == "verify_defect"
    assert "dist/form-editor.js" in form


@pytest.mark.parametrize(
    "path",
    [
        "/definitions/processes/no_such_process/edit",
        "/definitions/decisions/no_such_table/edit",
        "/definitions/forms/no_such_form/edit",
    ],
)
def test_an_unknown_key_is_not_found(owner, path):
    assert owner.get(path).status_code == 404


def test_the_labels_for_the_editor_script_come_from_the_page(owner):
    page = owner.text("/definitions/processes/customer_request/edit")
    labels = json.loads(html.unescape(re.search(r"data-labels='([^']+)'", page)[1]))
    assert "{version}" in labels["deployed"] and "{line}" in labels["line"]


def test_uploading_a_changed_table_deploys_a_new_version(owner):
    before = versions(owner.text("/definitions"))
    shipped = (DIAGRAMS / "route_request.dmn").read_bytes()
    changed = shipped.replace("安装 → 技术支持".encode(), "安装 → 技术支持（已复核）".encode())
    assert changed != shipped
    try:
        response = upload(owner, {"route_request.dmn": changed})
        assert response.status_code == 302, response.get_data(as_text=True)
        after = versions(owner.text("/definitions"))
        assert after[("decision", "route_request")] == before[("decision", "route_request")] + 1
        # the process that uses the table gets a version with it
        assert after[("process", "customer_request")] == before[("process", "customer_request")] + 1
        source = embedded_source(owner.text("/definitions/decisions/route_request/edit"))
        assert "已复核" in source["source"]
    finally:
        # later tests expect the shipped table to be the current one
        assert upload(owner, {"route_request.dmn": shipped}).status_code == 302
    assert (
        "已复核"
        not in embedded_source(owner.text("/definitions/decisions/route_request/edit"))["source"]
    )


def test_a_broken_upload_lists_its_problems_and_deploys_nothing(owner):
    response = upload(owner, {"editor_broken.bpmn": BROKEN})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'data-testid="upload-problems"' in page
    assert 'data-testid="deploy-problem" data-element-id="by_name"' in page
    assert "editor_broken.bpmn" in page
    assert ("process", "editor_broken") not in versions(owner.text("/definitions"))


def test_an_upload_without_files_says_what_to_do(owner):
    response = upload(owner, {})
    assert response.status_code == 302
    assert 'class="alert alert-danger"' in owner.text("/definitions")


def test_a_new_process_opens_a_minimal_diagram_under_the_typed_id(owner):
    page = owner.text("/definitions/processes/new?key=editor_new_one&name=Follow-up")
    embedded = embedded_source(page)
    assert embedded["filename"] == "editor_new_one.bpmn"
    assert '<bpmn:process id="editor_new_one" name="Follow-up"' in embedded["source"]
    # the diagram is valid as it is: it deploys without a change
    response = upload(owner, {"editor_new_one.bpmn": embedded["source"].encode()})
    assert response.status_code == 302
    assert ("process", "editor_new_one") in versions(owner.text("/definitions"))


@pytest.mark.parametrize("key", ["", "1abc", "has space", "customer_request", "route-request"])
def test_a_new_process_needs_a_fresh_valid_id(owner, key):
    response = owner.get("/definitions/processes/new", query_string={"key": key})
    assert response.status_code == 422
    assert 'data-testid="new-process-error"' in response.get_data(as_text=True)
