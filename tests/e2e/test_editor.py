"""The process owner's editors in a real browser: change a diagram in the modeler and deploy
it as a new version; a diagram the deploy refuses lists its problems and marks the elements.

The tests edit a small process of their own (deployed first through the API), so the
shipped processes stay the latest versions for the other tests sharing the database.
"""

from __future__ import annotations

import io
import json
import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.test_complaint_flow import watch_errors
from tests.webapp.test_pages import Browser

pytestmark = pytest.mark.e2e

KEY = "editor_e2e"
TASK = "first_task"  # the user task of the diagram "New process" draws
_SOURCE = re.compile(r'<script type="application/json" id="editor-source">(.*?)</script>', re.S)


@pytest.fixture
def own_process(app, api) -> int:
    """Version of a start → user task → end process of the test's own, deployed via the API."""
    page = Browser(app, "owner").text(f"/definitions/processes/new?key={KEY}_seed")
    source = json.loads(_SOURCE.search(page)[1])["source"].replace(f"{KEY}_seed", KEY)
    response = api("owner").post(
        "/api/v1/process-definitions",
        data={"files": (io.BytesIO(source.encode()), f"{KEY}.bpmn")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()["items"][0]["version"]


def open_editor(page: Page, path: str) -> None:
    page.goto(path)
    expect(page.locator("[data-editor][data-ready=true]")).to_have_count(1)


def modeler(page: Page, script: str):
    """Run `script` (a function of the bpmn-js Modeler) in the page."""
    return page.evaluate(f"(({script}))(window.aftersalesModeler)")


def test_owner_edits_a_process_and_deploys_it(log_in, own_process):
    owner = log_in("owner")
    errors = watch_errors(owner)
    owner.get_by_test_id("nav-definitions").click()
    owner.locator(
        f'[data-testid="process-row"][data-key="{KEY}"] [data-testid="edit-process"]'
    ).click()
    expect(owner.locator("[data-editor][data-ready=true]")).to_have_count(1)
    expect(owner.locator(".bio-properties-panel")).to_be_visible()

    modeler(
        owner,
        f"""m => m.get('modeling').updateLabel(
              m.get('elementRegistry').get('{TASK}'), 'Check the request twice')""",
    )
    owner.get_by_test_id("deploy").click()
    result = owner.get_by_test_id("deploy-result")
    expect(result).to_have_attribute("data-version", str(own_process + 1))
    expect(result).to_contain_text(str(own_process + 1))
    expect(result.locator("a")).to_have_attribute("href", "/definitions")

    # the list shows the new version, and the editor opens it with the new name
    owner.goto("/definitions")
    row = owner.locator(f'[data-testid="process-row"][data-key="{KEY}"]')
    expect(row).to_have_attribute("data-version", str(own_process + 1))
    open_editor(owner, f"/definitions/processes/{KEY}/edit")
    name = modeler(owner, f"m => m.get('elementRegistry').get('{TASK}').businessObject.name")
    assert name == "Check the request twice"
    assert errors == []


def test_a_refused_diagram_lists_its_problems_and_marks_them(log_in, own_process):
    owner = log_in("owner")
    errors = watch_errors(owner, ignore=("Failed to load resource",))  # the 422 itself
    open_editor(owner, f"/definitions/processes/{KEY}/edit")
    # a task offered to named people: the application routes work by role only
    modeler(
        owner,
        f"""m => m.get('modeling').updateProperties(
              m.get('elementRegistry').get('{TASK}'), {{'camunda:candidateUsers': 'cs1'}})""",
    )
    owner.get_by_test_id("deploy").click()

    problems = owner.get_by_test_id("deploy-problems")
    expect(problems).to_be_visible()
    problem = problems.locator(f'[data-testid="deploy-problem"][data-element-id="{TASK}"]')
    expect(problem).to_have_count(1)
    expect(problem).to_contain_text(f"{KEY}.bpmn")
    shape = owner.locator(f'g.djs-element[data-element-id="{TASK}"]')
    expect(shape).to_have_class(re.compile(r"\bdeploy-problem\b"))

    # clicking the problem selects the element it names
    problem.locator("button").click()
    selected = modeler(owner, "m => m.get('selection').get().map(e => e.id)")
    assert selected == [TASK]

    # nothing was deployed
    owner.goto("/definitions")
    row = owner.locator(f'[data-testid="process-row"][data-key="{KEY}"]')
    expect(row).to_have_attribute("data-version", str(own_process))

    # fixed again, the marker goes and the deploy goes through
    open_editor(owner, f"/definitions/processes/{KEY}/edit")
    modeler(
        owner,
        f"""m => m.get('modeling').updateProperties(
              m.get('elementRegistry').get('{TASK}'), {{'camunda:candidateUsers': 'cs1'}})""",
    )
    owner.get_by_test_id("deploy").click()
    expect(shape).to_have_class(re.compile(r"\bdeploy-problem\b"))
    modeler(
        owner,
        f"""m => m.get('modeling').updateProperties(
              m.get('elementRegistry').get('{TASK}'), {{'camunda:candidateUsers': undefined}})""",
    )
    owner.get_by_test_id("deploy").click()
    expect(owner.get_by_test_id("deploy-result")).to_have_attribute(
        "data-version", re.compile(r"\d+")
    )
    expect(shape).not_to_have_class(re.compile(r"\bdeploy-problem\b"))
    expect(owner.get_by_test_id("deploy-problems")).to_be_hidden()
    assert errors == []


@pytest.mark.parametrize(
    "path",
    ["/definitions/decisions/route_request/edit", "/definitions/forms/verify_defect/edit"],
)
def test_the_table_and_form_editors_open_the_stored_file(log_in, path):
    owner = log_in("owner")
    errors = watch_errors(owner)
    open_editor(owner, path)
    expect(owner.get_by_test_id("deploy")).to_be_enabled()
    if "decisions" in path:
        expect(owner.locator(".tjs-table")).to_be_visible()
        expect(owner.locator(".tjs-table")).to_contain_text("安装")
    else:
        expect(owner.locator(".fjs-editor-container")).to_be_visible()
    assert errors == []


@pytest.mark.parametrize(
    "lang, texts",
    [
        (
            "zh_CN",
            {
                "html": "zh-CN",
                "palette": "创建开始事件",
                "header": "用户任务",
                "groups": ["常规", "文档", "用户分配", "表单", "扩展属性"],
                "labels": ["名称", "处理人", "候选组", "表单键"],
                "change": "更改元素",
                "service_task": "服务任务",
                "create": "新建",
            },
        ),
        (
            "en",
            {
                "html": "en",
                "palette": "Create start event",
                "header": "User Task",
                "groups": ["General", "Documentation", "User assignment", "Forms"],
                "labels": ["Name", "Assignee", "Candidate groups", "Form key"],
                "change": "Change element",
                "service_task": "Service task",
                "create": "Create",
            },
        ),
    ],
)
def test_the_process_editor_speaks_the_page_language(log_in, lang, texts):
    """bpmn-js and its properties panel show their own texts in the page's language."""
    owner = log_in("owner")
    errors = watch_errors(owner)
    open_editor(owner, f"/definitions/processes/new?key={KEY}_lang&lang={lang}")
    expect(owner.locator("html")).to_have_attribute("lang", texts["html"])

    palette = owner.locator('.djs-palette [data-action="create.start-event"]')
    expect(palette).to_have_attribute("aria-label", texts["palette"])

    # the task with a form key, so the Forms group shows the form key entry
    modeler(
        owner,
        f"""m => {{ const task = m.get('elementRegistry').get('{TASK}');
              m.get('modeling').updateProperties(task, {{'camunda:formKey': 'verify_defect'}});
              m.get('selection').select(task); }}""",
    )
    panel = owner.get_by_test_id("editor-panel")
    expect(panel.locator(".bio-properties-panel-header-type")).to_have_text(texts["header"])
    groups = panel.locator(".bio-properties-panel-group-header-title")
    for group in texts["groups"]:
        expect(groups.filter(has_text=re.compile(f"^{re.escape(group)}$"))).to_have_count(1)
    for group in ("general", "CamundaPlatform__UserAssignment", "CamundaPlatform__Form"):
        header = panel.locator(
            f'[data-group-id="group-{group}"] .bio-properties-panel-group-header'
        )
        if "open" not in (header.get_attribute("class") or "").split():
            header.click()
    # the list groups' own button (@bpmn-io/properties-panel)
    add = panel.locator(
        '[data-group-id="group-CamundaPlatform__ExtensionProperties"] .bio-properties-panel-add-entry'
    )
    expect(add).to_have_text(texts["create"])
    labels = panel.locator(".bio-properties-panel-label")
    for label in texts["labels"]:
        expect(labels.filter(has_text=re.compile(f"^{re.escape(label)}$")).first).to_be_visible()

    # the context pad and its replace menu
    change = owner.locator('.djs-context-pad .entry[data-action="replace"]')
    expect(change).to_have_attribute("title", texts["change"])
    change.click()
    entry = owner.locator('.djs-popup [data-id="replace-with-service-task"]')
    expect(entry).to_have_text(texts["service_task"])
    assert errors == []


@pytest.mark.parametrize(
    "lang, texts",
    [
        ("zh_CN", {"hit_policy": "命中策略：", "when": "当", "then": "则", "drd": "查看 DRD"}),
        ("en", {"hit_policy": "Hit policy:", "when": "When", "then": "Then", "drd": "View DRD"}),
    ],
)
def test_the_table_editor_speaks_the_page_language(log_in, lang, texts):
    owner = log_in("owner")
    errors = watch_errors(owner)
    open_editor(owner, f"/definitions/decisions/route_request/edit?lang={lang}")
    table = owner.get_by_test_id("editor-canvas")
    expect(table.locator(".hit-policy .dms-label")).to_have_text(texts["hit_policy"])
    expect(table.locator("th.input-cell .clause").first).to_have_text(texts["when"])
    expect(table.locator("th.output-cell .clause").first).to_have_text(texts["then"])
    expect(table.locator(".view-drd-button")).to_have_text(texts["drd"])
    assert errors == []
