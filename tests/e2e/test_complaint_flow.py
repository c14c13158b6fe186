"""A quality complaint in a real browser: recorded by customer service, verified by quality,
then read on the case page with its timeline and diagram; and the inbox in English."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e

CUSTOMER = "华东精密机械有限公司"  # demo customer C001, found by the unit's serial number
SERIAL = "SN-C001-0003"
VERIFY_DEFECT_ZH = "投诉备案并验证不良现象"
QUALITY1_NAME = "褚静"  # part of quality1's display name in the demo organisation
CASE_URL = re.compile(r"/cases/(\d+)$")


def watch_errors(page: Page, *, ignore: tuple[str, ...] = ()) -> list[str]:
    """Script errors and console errors on `page`, collected as they happen; messages that
    start with one of `ignore` are left out."""
    errors: list[str] = []

    def on_console(message) -> None:
        if message.type == "error" and not message.text.startswith(ignore):
            errors.append(f"console: {message.text}")

    page.on("pageerror", lambda error: errors.append(f"script error: {error}"))
    page.on("console", on_console)
    return errors


def record_quality_complaint(page: Page) -> int:
    page.click('nav a[href="/requests/new"]')
    expect(page.get_by_test_id("start-form")).to_be_visible()
    page.check('input[name="channel"][value="phone"]')
    page.fill("#f-customer_name", "")
    page.fill("#f-contact", "13800138000")
    page.fill("#f-product_model", "CNC-800")
    page.fill("#f-serial_number", SERIAL)
    page.select_option("#f-category", "quality_complaint")
    page.select_option("#f-priority", "high")
    page.fill("#f-description", "设备运行时外壳发热并有异响，客户要求检测。")
    page.get_by_test_id("submit-start").click()
    expect(page).to_have_url(CASE_URL)
    return int(CASE_URL.search(page.url)[1])


def task_row(page: Page, case_id: int, task_name: str, section: str = "claimable"):
    """The row of `task_name` for case `case_id` in an inbox section (the demo has other cases)."""
    rows = page.get_by_test_id(f"inbox-{section}").locator(
        f'[data-testid="task-row"][data-task-name="{task_name}"]'
    )
    return rows.filter(has=page.locator(f'a[href="/cases/{case_id}"]'))


def test_quality_complaint_through_the_browser(log_in):
    # customer service records the complaint and lands on the new case
    cs1 = log_in("cs1")
    cs1_errors = watch_errors(cs1)
    case_id = record_quality_complaint(cs1)
    expect(cs1.get_by_test_id("case-title")).to_contain_text(f"#{case_id}")
    expect(cs1.get_by_test_id("case-data")).to_contain_text(CUSTOMER)
    expect(cs1.get_by_test_id("case-data")).to_contain_text(SERIAL)
    expect(cs1.locator('[data-testid="open-task"][data-task-name="verify_defect"]')).to_be_visible()

    # quality, in a browser of its own, finds the task in the inbox and opens it
    quality1 = log_in("quality1")
    errors = watch_errors(quality1)
    row = task_row(quality1, case_id, "verify_defect")
    expect(row).to_have_count(1)
    row.locator('a[href^="/tasks/"]').click()
    expect(quality1).to_have_url(re.compile(r"/tasks/[^/]+$"))
    expect(quality1.get_by_test_id("task-title")).to_have_text(VERIFY_DEFECT_ZH)
    expect(quality1.get_by_test_id("case-data")).to_contain_text(CUSTOMER)

    quality1.fill("#f-defect_description", "开机十分钟后外壳温度超过 70 ℃，伴随轴承异响。")
    quality1.fill("#f-verification_method", "现场复测三次，红外测温，三次均复现。")
    quality1.check("#f-defect_reproduced")
    quality1.fill("#f-production_batch", "B-2026-07")
    quality1.screenshot(path="/tmp/e2e-task.png", full_page=True)
    quality1.get_by_test_id("complete-task").click()
    expect(quality1).to_have_url(re.compile(r"/tasks$"))
    expect(quality1.locator(".alert-success")).to_contain_text(VERIFY_DEFECT_ZH)
    expect(task_row(quality1, case_id, "verify_defect")).to_have_count(0)

    # the case page shows who completed the step, and the diagram marks it done
    quality1.goto(f"/cases/{case_id}")
    done = quality1.locator('[data-testid="timeline-entry"][data-kind="complete"]')
    expect(done).to_have_count(1)
    expect(done).to_contain_text(VERIFY_DEFECT_ZH)
    expect(done).to_contain_text(QUALITY1_NAME)
    diagram = quality1.get_by_test_id("case-diagram")
    expect(diagram.locator("svg").first).to_be_visible()
    expect(diagram.locator('.djs-element[data-element-id="verify_defect"]')).to_have_class(
        re.compile(r"\bas-completed\b")
    )
    expect(diagram.locator('.djs-element[data-element-id="define_problem_type"]')).to_have_class(
        re.compile(r"\bas-active\b")
    )
    expect(diagram.locator(".as-bpmn-error")).to_have_count(0)
    quality1.screenshot(path="/tmp/e2e-case.png", full_page=True)

    assert cs1_errors == [] and errors == [], "\n".join(cs1_errors + errors)


def test_switching_to_english_relabels_the_inbox(log_in):
    cs1 = log_in("cs1")
    case_id = record_quality_complaint(cs1)
    quality1 = log_in("quality1")
    row = task_row(quality1, case_id, "verify_defect")
    expect(row).to_contain_text(VERIFY_DEFECT_ZH)
    expect(quality1.locator("html")).to_have_attribute("lang", "zh-CN")

    quality1.get_by_test_id("switch-language").click()
    expect(quality1).to_have_url(re.compile(r"/tasks$"))
    expect(quality1.locator("html")).to_have_attribute("lang", "en")
    expect(quality1.locator("nav.navbar")).to_contain_text("Inbox")
    expect(quality1.get_by_test_id("switch-language")).to_have_text("中文")
    expect(row).to_contain_text("File the complaint, verify the defect")

    # the choice holds for the following pages, and for the case data labels too
    quality1.goto(f"/cases/{case_id}")
    expect(quality1.get_by_test_id("case-data")).to_contain_text("Quality complaint")


def test_start_form_patterns_are_checked_by_the_browser(log_in):
    cs1 = log_in("cs1")
    problems = watch_errors(cs1)
    cs1.goto("/requests/new")
    cs1.fill("#f-serial_number", "bad serial")
    cs1.fill("#f-contact", "call me")
    assert problems == []
    for field in ("#f-serial_number", "#f-contact"):
        assert cs1.locator(field).evaluate("input => input.validity.patternMismatch"), field
