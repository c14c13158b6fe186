"""The HTML pages as a person uses them: record a request, work the inbox, read the case.

Assertions look at data-testid hooks, field values and status codes rather than sentences,
so they hold whether the zh_CN catalog is compiled or not; the language test asks for English.
"""

from __future__ import annotations

import html
import io
import re

import pytest

from tests.sample_data import fill, request_data

_META_TOKEN = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
_FIELD_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
_CASE_URL = re.compile(r"/cases/(\d+)$")
_ROW = re.compile(
    r'<tr data-testid="task-row" data-task-id="([^"]+)" data-task-name="([^"]+)">(.*?)</tr>', re.S
)


class Browser:
    """A test client logged in through the login page, sending the CSRF token like a form does."""

    def __init__(self, app, username: str):
        self.client = app.test_client()
        page = self.client.get("/login").get_data(as_text=True)
        token = _FIELD_TOKEN.search(page)[1]
        response = self.client.post(
            "/login", data={"username": username, "password": "demo", "csrf_token": token}
        )
        assert response.status_code == 302, response.get_data(as_text=True)
        # logging in starts a new session, and with it a new token
        self.token = _META_TOKEN.search(self.client.get("/tasks").get_data(as_text=True))[1]

    def get(self, path: str, **kw):
        return self.client.get(path, **kw)

    def post(self, path: str, data: dict | None = None, **kw):
        return self.client.post(path, data={**_as_form(data or {}), "csrf_token": self.token}, **kw)

    def text(self, path: str) -> str:
        response = self.get(path)
        assert response.status_code == 200, (path, response.status_code)
        return response.get_data(as_text=True)


def _as_form(data: dict) -> dict:
    """JSON-style answers as a browser posts them: ticked boxes 'true', lists as repeated keys."""
    posted = {}
    for key, value in data.items():
        if value is True:
            posted[key] = "true"
        elif value is False or value is None:
            continue
        else:
            posted[key] = [str(v) for v in value] if isinstance(value, list) else str(value)
    return posted


@pytest.fixture
def browser(app):
    return lambda username: Browser(app, username)


def record_request(browser, category="quality_complaint", user="cs1") -> int:
    response = browser(user).post("/requests/new", request_data(category))
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(_CASE_URL.search(response.headers["Location"])[1])


def inbox_rows(page: str, section: str) -> list[tuple[str, str, str]]:
    """(task id, task spec name, row html) of one inbox section."""
    start = page.index(f'data-testid="inbox-{section}"')
    end = page.find("</section>", start)
    return _ROW.findall(page[start:end])


def repair_at_diagnosis(app, browser) -> int:
    """A repair request registered by customer service: the diagnosis waits for a technician."""
    from tests.webapp.repair_walk import new_unit
    from webapp.extensions import db

    case_id = record_request(browser, category="repair")
    cs1 = browser("cs1")
    task_id = task_of_case(cs1.text("/tasks"), "claimable", case_id, "register_repair")
    with app.app_context():
        serial = new_unit(db.session)
    data = fill("register_repair", serial_number=serial, engineer="")
    assert cs1.post(f"/tasks/{task_id}", data).status_code == 302
    return case_id


def task_of_case(page: str, section: str, case_id: int, spec: str) -> str | None:
    for task_id, name, row in inbox_rows(page, section):
        if name == spec and f'href="/cases/{case_id}"' in row:
            return task_id
    return None


# -- the main path ----------------------------------------------------------------------------
def test_quality_complaint_from_request_to_timeline(browser):
    cs1 = browser("cs1")
    form = cs1.text("/requests/new")
    assert 'name="customer_name"' in form and 'name="csrf_token"' in form

    data = request_data("quality_complaint", customer_name="苏州网页测试有限公司")
    response = cs1.post("/requests/new", data)
    assert response.status_code == 302
    case_id = int(_CASE_URL.search(response.headers["Location"])[1])
    case_page = cs1.get(response.headers["Location"]).get_data(as_text=True)
    assert "苏州网页测试有限公司" in case_page
    assert f"#{case_id}" in case_page  # the flash and the heading name the case
    assert 'data-testid="open-task" data-task-name="verify_defect"' in case_page

    quality1 = browser("quality1")
    task_id = task_of_case(quality1.text("/tasks"), "claimable", case_id, "verify_defect")
    assert task_id is not None

    # claiming moves the task from "open to my roles" to "claimed by me"
    assert quality1.post(f"/tasks/{task_id}/claim", {"next": "/tasks"}).status_code == 302
    inbox = quality1.text("/tasks")
    assert task_of_case(inbox, "claimed", case_id, "verify_defect") == task_id
    assert task_of_case(inbox, "claimable", case_id, "verify_defect") is None

    task_page = quality1.text(f"/tasks/{task_id}")
    assert 'name="defect_description"' in task_page and 'data-testid="complete-task"' in task_page
    assert "苏州网页测试有限公司" in task_page  # the case panel shows the request

    answers = fill("verify_defect", defect_description="太短", production_batch="B-2026-07")
    invalid = quality1.post(f"/tasks/{task_id}", answers)
    assert invalid.status_code == 422
    body = invalid.get_data(as_text=True)
    assert 'id="f-defect_description-error"' in body and 'data-testid="form-errors"' in body
    assert "B-2026-07" in body  # what the person typed is kept
    assert 'data-testid="complete-task"' in quality1.text(f"/tasks/{task_id}")  # still open

    done = quality1.post(f"/tasks/{task_id}", fill("verify_defect", production_batch="B-2026-07"))
    assert done.status_code == 302 and done.headers["Location"].endswith("/tasks")
    after = quality1.text(f"/tasks/{task_id}")
    assert 'data-testid="task-done"' in after and 'data-testid="complete-task"' not in after

    timeline = cs1.text(f"/cases/{case_id}")
    assert 'data-kind="complete"' in timeline and "投诉备案并验证不良现象" in timeline
    assert "B-2026-07" in timeline  # the answers of the completed task
    assert 'data-task-name="define_problem_type"' in timeline
    completed = re.search(r"data-bpmn-completed='([^']*)'", timeline)[1]
    assert "verify_defect" in completed and "route_request" in completed


def test_start_form_errors_keep_the_input(browser):
    cs1 = browser("cs1")
    data = request_data(serial_number="bad serial", customer_name="保留的名字")
    response = cs1.post("/requests/new", data)
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert 'id="f-serial_number-error"' in body and "保留的名字" in body


# -- who may see what -------------------------------------------------------------------------
def test_another_agent_cannot_open_the_task(browser):
    case_id = record_request(browser)
    inbox = browser("quality1").text("/tasks")
    task_id = task_of_case(inbox, "claimable", case_id, "verify_defect")
    cs2 = browser("cs2")
    assert cs2.get(f"/tasks/{task_id}").status_code == 404
    assert cs2.post(f"/tasks/{task_id}", fill("verify_defect")).status_code == 404
    assert cs2.post(f"/tasks/{task_id}/claim").status_code == 404
    assert cs2.get(f"/cases/{case_id}").status_code == 404


def test_only_starters_see_the_request_form(browser):
    response = browser("tech1").get("/requests/new")
    assert response.status_code == 403
    assert 'data-testid="not-allowed"' in response.get_data(as_text=True)
    assert browser("tech1").post("/requests/new", request_data()).status_code == 403


def test_monitor_is_for_administrators(browser):
    assert browser("cs1").get("/admin/monitor").status_code == 403
    assert browser("supervisor").post("/admin/cases/1/suspend").status_code == 403
    page = browser("admin").text("/admin/monitor")
    assert 'data-testid="count-running"' in page


def test_admin_suspends_and_resumes_a_case(browser):
    case_id = record_request(browser)
    admin = browser("admin")
    response = admin.post(f"/admin/cases/{case_id}/suspend", {"next": f"/cases/{case_id}"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/cases/{case_id}")
    page = admin.text(f"/cases/{case_id}")
    assert 'data-status="suspended"' in page and 'data-testid="case-resume"' in page
    assert f'data-case-id="{case_id}"' in admin.text("/admin/monitor")
    admin.post(f"/admin/cases/{case_id}/resume")
    assert 'data-status="running"' in admin.text(f"/cases/{case_id}")


FAILING = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="x">
  <bpmn:process id="failing_pages" name="Fails on purpose" isExecutable="true">
    <bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="boom"/>
    <bpmn:scriptTask id="boom" name="Divide" scriptFormat="python">
      <bpmn:script>result = 1 / 0</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:sequenceFlow id="f2" sourceRef="boom" targetRef="e"/><bpmn:endEvent id="e"/>
  </bpmn:process>
</bpmn:definitions>"""


def test_failed_case_shows_its_incident_to_the_administrator(api, browser):
    deployed = api("owner").post(
        "/api/v1/process-definitions",
        data={"files": (io.BytesIO(FAILING), "failing_pages.bpmn")},
        content_type="multipart/form-data",
    )
    assert deployed.status_code == 201, deployed.get_json()
    owner = browser("owner")
    assert 'data-process="failing_pages"' in owner.text("/processes")
    response = owner.post("/processes/failing_pages/start")
    assert response.status_code == 302
    case_id = int(_CASE_URL.search(response.headers["Location"])[1])

    admin = browser("admin")
    monitor = admin.text("/admin/monitor")
    row = monitor[monitor.index(f'data-case-id="{case_id}"') :]
    row = row[: row.index("</tr>")]
    assert 'data-status="error"' in row and "Divide" in row and 'data-testid="case-retry"' in row
    page = admin.text(f"/cases/{case_id}")
    assert 'data-testid="incidents"' in page and 'data-kind="incident"' in page
    assert re.search(r"data-bpmn-failed='([^']*)'", page)[1] == '["boom"]'
    # the step fails again: the case stays failed and the administrator is told why
    assert admin.post(f"/admin/cases/{case_id}/retry").status_code == 302
    assert 'data-status="error"' in admin.text(f"/cases/{case_id}")


NEEDS_AMOUNT = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="d" targetNamespace="x">
  <bpmn:process id="needs_amount_pages" name="Needs an amount" isExecutable="true">
    <bpmn:startEvent id="s"/>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="big"/>
    <bpmn:exclusiveGateway id="big" name="Big order?" default="small"/>
    <bpmn:sequenceFlow id="large" sourceRef="big" targetRef="approve">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">amount &gt; 100</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="small" sourceRef="big" targetRef="done"/>
    <bpmn:userTask id="approve" name="Approve"/>
    <bpmn:sequenceFlow id="f2" sourceRef="approve" targetRef="done"/>
    <bpmn:endEvent id="done"/>
  </bpmn:process>
</bpmn:definitions>"""


@pytest.fixture
def failed_case(api, browser) -> int:
    """A case stopped at a gateway whose condition needs an `amount` nobody gave."""
    deployed = api("owner").post(
        "/api/v1/process-definitions",
        data={"files": (io.BytesIO(NEEDS_AMOUNT), "needs_amount_pages.bpmn")},
        content_type="multipart/form-data",
    )
    assert deployed.status_code == 201, deployed.get_json()
    response = browser("owner").post("/processes/needs_amount_pages/start")
    assert response.status_code == 302
    return int(_CASE_URL.search(response.headers["Location"])[1])


def test_admin_retries_a_failed_case_with_corrected_values(failed_case, browser):
    admin = browser("admin")
    page = admin.text(f"/cases/{failed_case}?lang=en")
    assert 'data-status="error"' in page and 'data-testid="retry-form"' in page
    incident = re.search(r'<li data-testid="incident">(.*?)</li>', page, re.S)[1]
    assert "Big order?" in incident and "amount" in incident
    assert page.count('data-testid="case-retry"') == 1  # beside the incident, not in the header
    assert 'data-testid="retry-form"' not in browser("supervisor").text(f"/cases/{failed_case}")

    back = f"/cases/{failed_case}"
    response = admin.post(
        f"/admin/cases/{failed_case}/retry", {"data": '{"amount": 500}', "next": back}
    )
    assert response.status_code == 302 and response.headers["Location"].endswith(back)
    page = admin.text(back)
    assert 'data-status="running"' in page and 'data-testid="incidents"' not in page
    assert 'data-testid="open-task" data-task-name="approve"' in page
    assert 'data-kind="retry"' in page


@pytest.mark.parametrize("typed", ['{"amount": 500', "[500]", '"500"'])
def test_retry_with_values_that_are_not_a_json_object_changes_nothing(failed_case, browser, typed):
    admin = browser("admin")
    response = admin.post(
        f"/admin/cases/{failed_case}/retry?lang=en",
        {"data": typed, "next": f"/cases/{failed_case}"},
        follow_redirects=True,
    )
    page = html.unescape(response.get_data(as_text=True))
    assert "The corrected values" in page and "Nothing was changed" in page
    assert 'data-status="error"' in page and 'data-testid="incidents"' in page
    assert 'data-kind="retry"' not in page


# -- assigning --------------------------------------------------------------------------------
def test_supervisor_assigns_a_repair_task_through_the_task_page(app, browser):
    case_id = repair_at_diagnosis(app, browser)
    tech1, tech2, supervisor = browser("tech1"), browser("tech2"), browser("supervisor")
    task_id = task_of_case(tech1.text("/tasks"), "claimable", case_id, "diagnose_fault")
    assert task_id is not None
    assert 'data-testid="assign-form"' not in tech1.text(f"/tasks/{task_id}")

    page = supervisor.text(f"/tasks/{task_id}")
    options = re.findall(
        r'<option value="([^"]+)"', page[page.index('data-testid="assign-form"') :]
    )
    assert "tech1" in options and "tech2" in options and "cs1" not in options

    response = supervisor.post(f"/tasks/{task_id}/assign?lang=en", {"username": "tech2"})
    assert response.status_code == 302 and response.headers["Location"].endswith(
        f"/tasks/{task_id}"
    )
    page = supervisor.text(f"/tasks/{task_id}")
    assert "Task assigned to 维修工程师 冯涛." in page
    assert re.search(r'data-testid="task-holder">[^<]*冯涛', page)

    assert task_of_case(tech2.text("/tasks"), "assigned", case_id, "diagnose_fault") == task_id
    assert task_of_case(tech1.text("/tasks"), "claimable", case_id, "diagnose_fault") is None
    assert 'data-testid="complete-task"' not in tech1.text(f"/tasks/{task_id}")
    assert tech1.post(f"/tasks/{task_id}", fill("diagnose_fault")).status_code == 403
    assert 'data-testid="complete-task"' in tech2.text(f"/tasks/{task_id}")  # still open, tech2's


def test_assigning_needs_an_assigner_and_a_known_person(app, browser):
    case_id = repair_at_diagnosis(app, browser)
    tech1, supervisor = browser("tech1"), browser("supervisor")
    task_id = task_of_case(tech1.text("/tasks"), "claimable", case_id, "diagnose_fault")
    assert tech1.post(f"/tasks/{task_id}/assign", {"username": "tech1"}).status_code == 403
    assert browser("cs2").post(f"/tasks/{task_id}/assign", {"username": "tech2"}).status_code == 404

    response = supervisor.post(
        f"/tasks/{task_id}/assign?lang=en", {"username": "ghost"}, follow_redirects=True
    )
    assert "Choose a person from the list" in response.get_data(as_text=True)
    # nobody was assigned: the task is still open to every repair technician
    assert task_of_case(tech1.text("/tasks"), "claimable", case_id, "diagnose_fault") == task_id


# -- lists, language, diagram -----------------------------------------------------------------
def test_case_list_shows_my_cases_and_filters(browser):
    case_id = record_request(browser, category="repair")
    cs1 = browser("cs1")
    assert f'data-case-id="{case_id}"' in cs1.text("/cases")
    assert f'data-case-id="{case_id}"' not in cs1.text("/cases?status=completed")
    assert f'data-case-id="{case_id}"' not in browser("quality1").text("/cases")
    assert cs1.get("/cases?status=bogus").status_code == 400


def test_language_switch_renders_english(browser):
    hr = browser("hr")
    assert 'lang="zh-CN"' in hr.text("/tasks")
    try:
        response = hr.post("/language", {"locale": "en", "next": "/tasks"})
        assert response.status_code == 302
        page = hr.text("/tasks")
        assert 'lang="en"' in page
        assert "Assigned to me" in page and "Open to my roles" in page and "Claimed by me" in page
        # form labels come from the form's own translations
        form = browser("admin").text("/requests/new?lang=en")
        assert "Customer name" in html.unescape(form)
    finally:
        hr.post("/language", {"locale": "zh_CN", "next": "/tasks"})
    assert 'lang="zh-CN"' in hr.text("/tasks")


def test_case_diagram_is_bpmn_xml(browser):
    case_id = record_request(browser)
    response = browser("cs1").get(f"/cases/{case_id}/diagram.bpmn")
    assert response.status_code == 200 and response.mimetype == "application/xml"
    assert 'id="customer_request"' in response.get_data(as_text=True)
    assert browser("tech1").get(f"/cases/{case_id}/diagram.bpmn").status_code == 404


def test_pages_need_a_login(app):
    client = app.test_client()
    for path in ("/tasks", "/cases", "/requests/new", "/admin/monitor"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]
