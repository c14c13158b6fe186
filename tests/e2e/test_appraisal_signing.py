"""An approver signs a result sheet in a real browser: the supervisor finds it among their
approvals, approves it on the task page, and the sheet's trail shows who signed and when."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.test_complaint_flow import watch_errors
from tests.webapp.test_appraisal_pages import APPROVERS, compile_sheet, decide_flagged, launch, sign
from tests.workflows.test_appraisal_launch import forget_quarters

pytestmark = pytest.mark.e2e

QUARTER = "2049Q2"
SUPERVISOR_NAME = "周伟"  # part of the supervisor's display name in the demo organisation


def test_the_supervisor_signs_the_result_sheet(app, log_in):
    from webapp.extensions import db

    with app.app_context():
        cycle = launch(db.session, QUARTER)
        decide_flagged(db.session, cycle)
        compile_sheet(db.session, cycle)
        cycle_id = cycle.id

    supervisor = log_in("supervisor")
    errors = watch_errors(supervisor)
    supervisor.goto("/appraisal/approvals")
    row = supervisor.locator('[data-testid="approval-task"][data-task-name="approve_supervisor"]')
    expect(row).to_have_count(1)
    row.locator('a[href^="/tasks/"]').first.click()
    expect(supervisor).to_have_url(re.compile(r"/tasks/[^/]+$"))
    supervisor.check('input[name="decision"][value="approve"]')
    supervisor.fill("#f-comment", "同意。")
    supervisor.get_by_test_id("complete-task").click()
    expect(supervisor).to_have_url(re.compile(r"/tasks$"))
    expect(supervisor.locator(".alert-success")).to_be_visible()

    supervisor.goto(f"/appraisal/cycles/{cycle_id}/sheet")
    trail = supervisor.get_by_test_id("approval-trail")
    expect(trail).to_contain_text(SUPERVISOR_NAME)
    expect(trail).to_contain_text("同意。")
    supervisor.screenshot(path="/tmp/e2e-sheet.png", full_page=True)
    assert errors == [], "\n".join(errors)

    # the rest of the chain signs, so no inbox keeps this quarter's tasks; then the quarter's
    # records go, so tests counting someone's results elsewhere see only their own
    with app.app_context():
        for spec in list(APPROVERS)[1:]:
            sign(db.session, db.session.get(type(cycle), cycle_id), spec)
        forget_quarters(db.session, [QUARTER])
