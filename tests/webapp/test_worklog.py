"""Daily work logs and goal-plan changes as people use them: each writes their own log, one a
day, never ahead and never after review; only their manager reviews it and decides their
goal-plan changes; HR reads everything as filed. Pages and API alike.

A team of its own: wl_lead ← wl_ann, wl_bob; wl_ann ← wl_cat (so wl_lead is wl_cat's skip level).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import delete, select

from tests.webapp.test_pages import Browser
from workflows.notifications.models import Notification
from workflows.org.models import User
from workflows.org.operations import create_user
from workflows.records.warranty import local_today
from workflows.worklog.models import GoalPlanChange, WorkLog
from workflows.worklog.operations import quarter_of

TEAM = ("wl_lead", "wl_ann", "wl_bob", "wl_cat")


@pytest.fixture(autouse=True)
def no_mail(monkeypatch):
    """The e-mails of the notifications are not queued here."""
    from workflows import jobs

    monkeypatch.setattr(jobs.send_notification_email, "delay", lambda _id: None)


@pytest.fixture
def team(app):
    """The team with no logs, goal-plan changes or notifications yet."""
    from webapp.extensions import db

    with app.app_context():
        users = {
            u.username: u for u in db.session.scalars(select(User).where(User.username.in_(TEAM)))
        }
        if not users:
            lead = create_user(db.session, "wl_lead", "demo", display_name="组长 林")
            ann = create_user(db.session, "wl_ann", "demo", display_name="员工 安", manager=lead)
            create_user(db.session, "wl_bob", "demo", display_name="员工 包", manager=lead)
            create_user(db.session, "wl_cat", "demo", display_name="员工 蔡", manager=ann)
        for model in (WorkLog, GoalPlanChange):
            db.session.execute(delete(model).where(model.employee.in_(TEAM)))
        db.session.execute(delete(Notification).where(Notification.recipient.in_(TEAM)))
        db.session.commit()
    return TEAM


def logs(app, username):
    from webapp.extensions import db

    with app.app_context():
        rows = db.session.scalars(
            select(WorkLog).where(WorkLog.employee == username).order_by(WorkLog.day)
        ).all()
        return [(r.day, r.plan, r.done, r.reviewed_by, r.review_note) for r in rows]


def changes(app, username):
    from webapp.extensions import db

    with app.app_context():
        rows = db.session.scalars(
            select(GoalPlanChange).where(GoalPlanChange.employee == username)
        ).all()
        return [(r.id, r.status, r.reviewed_by, r.review_note) for r in rows]


def notified(app, username) -> list[str]:
    from webapp.extensions import db

    with app.app_context():
        return list(
            db.session.scalars(select(Notification.kind).where(Notification.recipient == username))
        )


def day(offset: int = 0) -> str:
    return (local_today() - timedelta(days=offset)).isoformat()


# -- my log on the page ---------------------------------------------------------------------------
def test_the_navbar_leads_to_my_work_log(app, team):
    ann = Browser(app, "wl_ann")
    assert 'data-testid="nav-worklog"' in ann.text("/tasks")
    page = ann.text("/worklog")
    assert f'data-testid="log-of-day" data-day="{day()}"' in page
    assert 'data-testid="log-form"' in page and 'data-testid="plan-change-form"' in page
    # wl_ann leads wl_cat; HR reads the filed logs
    assert (
        'data-testid="worklog-nav-team"' in page and 'data-testid="worklog-nav-filed"' not in page
    )
    assert 'data-testid="worklog-nav-team"' not in Browser(app, "wl_bob").text("/worklog")
    assert 'data-testid="worklog-nav-filed"' in Browser(app, "hr").text("/worklog")


def test_not_logged_in_goes_to_the_login_page(app):
    response = app.test_client().get("/worklog")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_write_and_rewrite_todays_log_one_per_day(app, team):
    ann = Browser(app, "wl_ann")
    response = ann.post("/worklog", {"day": day(), "plan": "走访客户 C001", "done": ""})
    assert response.status_code == 302
    assert (
        ann.post("/worklog", {"day": day(), "plan": "走访客户 C001", "done": "已完成"}).status_code
        == 302
    )
    assert logs(app, "wl_ann") == [(local_today(), "走访客户 C001", "已完成", None, None)]
    page = ann.text("/worklog")
    assert 'data-testid="log-row"' in page and f'data-day="{day()}"' in page
    assert 'data-state="open"' in page and "已完成" in page


def test_a_past_day_can_be_written(app, team):
    ann = Browser(app, "wl_ann")
    page = ann.text(f"/worklog?day={day(3)}")
    assert f'data-day="{day(3)}"' in page and f'name="day" value="{day(3)}"' in page
    assert (
        ann.post("/worklog", {"day": day(3), "plan": "", "done": "补记：培训"}).status_code == 302
    )
    assert logs(app, "wl_ann")[0][0].isoformat() == day(3)


def test_a_future_day_is_refused_and_nothing_saved(app, team):
    response = Browser(app, "wl_ann").post(
        "/worklog?lang=en", {"day": day(-1), "plan": "明天的计划", "done": ""}
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'data-field="day"' in page and "has not come yet" in page
    assert "明天的计划" in page  # what was typed stays in the form
    assert logs(app, "wl_ann") == []


def test_an_empty_log_is_refused(app, team):
    response = Browser(app, "wl_ann").post("/worklog", {"day": day(), "plan": " ", "done": ""})
    assert response.status_code == 422
    assert 'data-field="plan"' in response.get_data(as_text=True)
    assert logs(app, "wl_ann") == []


# -- the manager reviews --------------------------------------------------------------------------
def _log_id(app, username, offset=0):
    from webapp.extensions import db

    with app.app_context():
        return db.session.scalar(
            select(WorkLog.id).where(
                WorkLog.employee == username, WorkLog.day == local_today() - timedelta(days=offset)
            )
        )


def test_the_manager_reviews_a_log_and_it_no_longer_changes(app, team):
    ann = Browser(app, "wl_ann")
    ann.post("/worklog", {"day": day(1), "plan": "整理备件台账", "done": "完成一半"})
    lead = Browser(app, "wl_lead")
    page = lead.text("/worklog/team")
    log_id = _log_id(app, "wl_ann", 1)
    assert f'data-testid="team-log-row" data-log-id="{log_id}" data-employee="wl_ann"' in page
    assert 'data-testid="review-form"' in page
    assert lead.post(f"/worklog/team/logs/{log_id}/review", {"note": "明天补完"}).status_code == 302
    assert logs(app, "wl_ann")[0][3:] == ("wl_lead", "明天补完")
    # the author can no longer change it
    response = ann.post("/worklog", {"day": day(1), "plan": "改过的", "done": "全部完成"})
    assert response.status_code == 302
    assert logs(app, "wl_ann")[0][1:3] == ("整理备件台账", "完成一半")
    page = ann.text(f"/worklog?day={day(1)}")
    assert 'data-testid="log-form"' not in page and 'data-testid="review-note"' in page
    # nor is it reviewed twice
    lead.post(f"/worklog/team/logs/{log_id}/review", {"note": "again"})
    assert logs(app, "wl_ann")[0][4] == "明天补完"


def test_the_team_page_shows_direct_reports_only(app, team):
    Browser(app, "wl_bob").post("/worklog", {"day": day(), "plan": "维修 SN-1", "done": ""})
    Browser(app, "wl_cat").post("/worklog", {"day": day(), "plan": "安装 SN-2", "done": ""})
    page = Browser(app, "wl_lead").text("/worklog/team")
    assert 'data-employee="wl_bob"' in page and 'data-employee="wl_cat"' not in page
    assert 'data-employee="wl_cat"' in Browser(app, "wl_ann").text("/worklog/team")


@pytest.mark.parametrize(
    ("username", "status"),
    [("wl_bob", 404), ("wl_lead", 404), ("wl_cat", 403), ("hr", 403), ("admin", 403)],
)
def test_only_the_authors_manager_reviews(app, team, username, status):
    Browser(app, "wl_cat").post("/worklog", {"day": day(), "plan": "巡检", "done": ""})
    log_id = _log_id(app, "wl_cat")
    response = Browser(app, username).post(f"/worklog/team/logs/{log_id}/review", {"note": "x"})
    assert response.status_code == status
    assert logs(app, "wl_cat")[0][3] is None


# -- goal-plan changes ----------------------------------------------------------------------------
def test_a_goal_plan_change_goes_to_the_manager_who_decides(app, team):
    bob = Browser(app, "wl_bob")
    response = bob.post(
        "/worklog/plan-changes",
        {
            "quarter": quarter_of(local_today()),
            "change": "返修率目标调整为 2%",
            "reason": "新机型上线",
        },
    )
    assert response.status_code == 302
    ((change_id, status, _, _),) = changes(app, "wl_bob")
    assert status == "pending" and notified(app, "wl_lead") == ["goal_plan_change"]
    lead = Browser(app, "wl_lead")
    assert f'data-change-id="{change_id}"' in lead.text("/worklog/team")
    # rejecting needs a reason
    lead.post(f"/worklog/team/plan-changes/{change_id}/decide", {"decision": "reject"})
    assert changes(app, "wl_bob")[0][1] == "pending"
    lead.post(
        f"/worklog/team/plan-changes/{change_id}/decide", {"decision": "reject", "note": "目标过低"}
    )
    assert changes(app, "wl_bob") == [(change_id, "rejected", "wl_lead", "目标过低")]
    assert notified(app, "wl_bob") == ["goal_plan_decided"]
    # decided once
    lead.post(f"/worklog/team/plan-changes/{change_id}/decide", {"decision": "approve"})
    assert changes(app, "wl_bob")[0][1] == "rejected"
    assert 'data-state="rejected"' in bob.text("/worklog")


def test_a_goal_plan_change_needs_a_current_quarter_and_a_reason(app, team):
    response = Browser(app, "wl_bob").post(
        "/worklog/plan-changes", {"quarter": "2020Q1", "change": "x", "reason": ""}
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'data-field="quarter"' in page and 'data-field="reason"' in page
    assert changes(app, "wl_bob") == []


def test_without_a_manager_nobody_could_decide(app, team):
    response = Browser(app, "wl_lead").post(
        "/worklog/plan-changes",
        {"quarter": quarter_of(local_today()), "change": "x", "reason": "y"},
    )
    assert response.status_code == 422
    assert "人力资源部" in response.get_data(as_text=True)
    assert changes(app, "wl_lead") == []


# -- filed with HR --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("username", "status"), [("hr", 200), ("admin", 200), ("supervisor", 403), ("wl_lead", 403)]
)
def test_who_reads_the_filed_logs(app, team, username, status):
    assert Browser(app, username).get("/worklog/filed").status_code == status


def test_hr_filters_the_filed_logs_by_person_and_dates(app, team):
    Browser(app, "wl_ann").post("/worklog", {"day": day(5), "plan": "五天前", "done": ""})
    Browser(app, "wl_ann").post("/worklog", {"day": day(1), "plan": "昨天", "done": ""})
    Browser(app, "wl_bob").post("/worklog", {"day": day(1), "plan": "包的昨天", "done": ""})
    hr = Browser(app, "hr")
    page = hr.text(f"/worklog/filed?employee=wl_ann&from={day(2)}&to={day()}")
    assert "昨天" in page and "五天前" not in page and "包的昨天" not in page
    assert 'data-total="1"' in page
    everyone = hr.text(f"/worklog/filed?from={day(1)}&to={day(1)}")
    assert 'data-employee="wl_ann"' in everyone and 'data-employee="wl_bob"' in everyone
    assert hr.get("/worklog/filed?from=yesterday").status_code == 400


# -- the API --------------------------------------------------------------------------------------
def test_api_write_a_log(api, app, team):
    ann = api("wl_ann")
    created = ann.post("/api/v1/worklogs", json={"day": day(2), "plan": "计划", "done": ""})
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["day"] == day(2) and body["reviewed"] is False
    again = ann.post("/api/v1/worklogs", json={"day": day(2), "plan": "计划", "done": "做完"})
    assert again.status_code == 200 and again.get_json()["id"] == body["id"]
    today = ann.post("/api/v1/worklogs", json={"plan": "今天"})
    assert today.status_code == 201 and today.get_json()["day"] == day()


def test_api_refuses_per_field_in_the_users_language(api, app, team):
    ann = api("wl_ann")
    response = ann.post("/api/v1/worklogs", json={"day": day(-2), "plan": 5})
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    errors = response.get_json()["errors"]
    assert set(errors) == {"day", "plan"} and "尚未到来" in errors["day"][0]
    english = ann.post("/api/v1/worklogs?lang=en", json={"day": "someday", "plan": "x"})
    assert english.get_json()["errors"]["day"] == ["Enter the day as YYYY-MM-DD."]
    assert logs(app, "wl_ann") == []


def test_api_who_reads_which_logs(api, team):
    for username in ("wl_ann", "wl_bob", "wl_cat"):
        api(username).post("/api/v1/worklogs", json={"day": day(1), "plan": username})

    def employees(username, query=""):
        response = api(username).get(f"/api/v1/worklogs?from={day(1)}&to={day(1)}{query}")
        assert response.status_code == 200, response.get_json()
        return {i["employee"] for i in response.get_json()["items"]} & set(TEAM)

    assert employees("wl_bob") == {"wl_bob"}
    assert employees("wl_lead") == {"wl_ann", "wl_bob"}
    assert employees("wl_ann") == {"wl_ann", "wl_cat"}
    assert employees("hr") == {"wl_ann", "wl_bob", "wl_cat"}
    assert employees("wl_lead", "&employee=wl_bob") == {"wl_bob"}
    assert api("wl_lead").get("/api/v1/worklogs?employee=wl_cat").status_code == 403
    assert api("wl_bob").get("/api/v1/worklogs?employee=wl_ann").status_code == 403
    assert api("wl_bob").get("/api/v1/worklogs?employee=nobody-here").status_code == 404
    bad = api("hr").get("/api/v1/worklogs?from=2026-13-01")
    assert bad.status_code == 422 and "from" in bad.get_json()["errors"]


def test_api_review(api, app, team):
    log_id = (
        api("wl_bob").post("/api/v1/worklogs", json={"day": day(), "plan": "p"}).get_json()["id"]
    )
    path = f"/api/v1/worklogs/{log_id}/review"
    assert api("wl_ann").post(path, json={"note": "x"}).status_code == 404
    assert api("hr").post(path, json={"note": "x"}).status_code == 403
    assert api("wl_bob").post(path, json={}).status_code == 403
    reviewed = api("wl_lead").post(path, json={"note": "好"})
    assert reviewed.status_code == 200 and reviewed.get_json()["reviewed_by"] == "wl_lead"
    assert api("wl_lead").post(path, json={}).status_code == 409
    late = api("wl_bob").post("/api/v1/worklogs", json={"day": day(), "plan": "改"})
    assert late.status_code == 409 and "已审阅" in late.get_json()["detail"]
    assert api("wl_bob").post("/api/v1/worklogs/999999/review", json={}).status_code == 404


def test_api_goal_plan_changes(api, app, team):
    proposed = api("wl_cat").post(
        "/api/v1/goal-plan-changes", json={"change": "增加安装培训", "reason": "客户要求"}
    )
    assert proposed.status_code == 201, proposed.get_json()
    body = proposed.get_json()
    assert body["quarter"] == quarter_of(local_today()) and body["status"] == "pending"
    decide = f"/api/v1/goal-plan-changes/{body['id']}/decide"
    assert api("wl_lead").post(decide, json={"decision": "approve"}).status_code == 404
    assert api("hr").post(decide, json={"decision": "approve"}).status_code == 403
    wrong = api("wl_ann").post(decide, json={"decision": "maybe"})
    assert wrong.status_code == 422 and "decision" in wrong.get_json()["errors"]
    no_reason = api("wl_ann").post(decide, json={"decision": "reject"})
    assert no_reason.status_code == 422 and "note" in no_reason.get_json()["errors"]
    approved = api("wl_ann").post(decide, json={"decision": "approve"})
    assert approved.status_code == 200 and approved.get_json()["status"] == "approved"
    assert api("wl_ann").post(decide, json={"decision": "reject", "note": "x"}).status_code == 409
    listed = api("hr").get("/api/v1/goal-plan-changes?employee=wl_cat&status=approved").get_json()
    assert [c["id"] for c in listed["items"]] == [body["id"]]
    assert api("wl_bob").get("/api/v1/goal-plan-changes?employee=wl_cat").status_code == 403
    assert api("hr").get("/api/v1/goal-plan-changes?status=done").status_code == 422
