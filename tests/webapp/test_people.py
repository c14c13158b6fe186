"""The org chart as people use it: everyone reads it, HR and administrators edit a person's
manager, roles and group on a page or through the API, all or nothing, never in a loop.

Edits happen on people of their own (pp_*), so the demo organisation stays as loaded.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests.webapp.test_pages import Browser
from workflows.org.models import User
from workflows.org.operations import create_user

_PERSON = re.compile(
    r'data-testid="person" data-username="([^"]+)"\s+data-manager="([^"]*)" data-group="([^"]*)"'
)


@pytest.fixture
def staff(app):
    """pp_lead ← pp_one, pp_two (维修组); reset to that before each test."""
    from webapp.extensions import db

    with app.app_context():
        users = {
            u.username: u
            for u in db.session.scalars(select(User).where(User.username.like("pp_%")))
        }
        if not users:
            lead = create_user(db.session, "pp_lead", "demo", display_name="测试主管 甲")
            users = {
                "pp_lead": lead,
                "pp_one": create_user(db.session, "pp_one", "demo", display_name="测试员 乙"),
                "pp_two": create_user(db.session, "pp_two", "demo", display_name="测试员 丙"),
            }
        for name in ("pp_one", "pp_two"):
            users[name].manager = users["pp_lead"]
            users[name].group = "维修组"
            users[name].role_rows = []
        users["pp_lead"].manager, users["pp_lead"].group = None, None
        db.session.commit()
    return "pp_lead", "pp_one", "pp_two"


def _row(app, username):
    from webapp.extensions import db

    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == username))
        return (
            user.manager.username if user.manager else None,
            sorted(user.roles),
            user.group,
        )


def chart(page: str) -> dict[str, tuple[str, str]]:
    return {name: (manager, group) for name, manager, group in _PERSON.findall(page)}


# -- reading --------------------------------------------------------------------------------------
@pytest.mark.parametrize("username", ["cs1", "rd1", "hr", "gm", "api"])
def test_everyone_reads_the_org_chart(app, username):
    page = Browser(app, username).text("/people")
    people = chart(page)
    assert people["cs1"] == ("supervisor", "客服组")
    assert people["supervisor"] == ("manager", "售后工程部")
    assert people["manager"] == ("director", "")
    assert 'data-testid="nav-people"' in page and 'data-testid="nav-worklog"' in page


def test_reports_sit_under_their_manager(app):
    page = Browser(app, "cs1").text("/people")
    supervisor = page.index('data-username="supervisor"')
    reports = page.index('data-testid="reports"', supervisor)
    assert (
        supervisor
        < reports
        < page.index('data-username="cs1"')
        < page.index('data-username="tech2"')
    )
    assert 'data-role="customer_service"' in page


def test_only_hr_and_admins_see_edit_links(app):
    assert 'data-testid="edit-person"' not in Browser(app, "supervisor").text("/people")
    assert 'data-testid="edit-person"' in Browser(app, "hr").text("/people")


def test_not_logged_in_goes_to_the_login_page(app):
    response = app.test_client().get("/people")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize(
    ("username", "status"),
    [("cs1", 403), ("supervisor", 403), ("gm", 403), ("hr", 200), ("admin", 200)],
)
def test_who_may_open_the_edit_page(app, staff, username, status):
    assert Browser(app, username).get("/people/pp_one/edit").status_code == status


def test_an_unknown_person_is_not_found(app):
    assert Browser(app, "hr").get("/people/nobody-here/edit").status_code == 404


# -- editing on the page --------------------------------------------------------------------------
def test_hr_moves_a_person_and_sets_roles_and_group(app, staff):
    hr = Browser(app, "hr")
    response = hr.post(
        "/people/pp_two/edit",
        {"manager": "pp_one", "roles": ["repair_tech", "tech_support"], "group": "安装组"},
    )
    assert response.status_code == 302
    assert _row(app, "pp_two") == ("pp_one", ["repair_tech", "tech_support"], "安装组")
    assert chart(hr.text("/people"))["pp_two"] == ("pp_one", "安装组")


def test_a_reporting_loop_is_refused_and_nothing_saved(app, staff):
    response = Browser(app, "hr").post(
        "/people/pp_lead/edit?lang=en", {"manager": "pp_one", "group": "新组", "roles": ["rd"]}
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'data-testid="field-error" data-field="manager"' in page
    assert "already reports to" in page
    assert _row(app, "pp_lead") == (None, [], None)


def test_a_person_cannot_report_to_themselves(app, staff):
    response = Browser(app, "hr").post("/people/pp_one/edit", {"manager": "pp_one"})
    assert response.status_code == 422
    assert "不能向自己汇报" in response.get_data(as_text=True)


def test_hr_cannot_grant_the_admin_role(app, staff):
    hr = Browser(app, "hr")
    page = hr.text("/people/pp_one/edit")
    assert re.search(r'value="admin" id="role-admin"\s+disabled', page)
    # a forged box is ignored: the admin role is not HR's to give
    assert hr.post("/people/pp_one/edit", {"roles": ["admin", "rd"]}).status_code == 302
    assert _row(app, "pp_one")[1] == ["rd"]


def test_hr_editing_an_administrator_keeps_their_admin_role(app, staff):
    from webapp.extensions import db

    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "admin"))
        before = (user.manager_id, user.group)
    hr = Browser(app, "hr")
    assert hr.post("/people/admin/edit", {"roles": ["hr"]}).status_code == 302
    try:
        assert _row(app, "admin")[1] == ["admin", "hr"]
    finally:
        with app.app_context():
            user = db.session.scalar(select(User).where(User.username == "admin"))
            user.role_rows = [r for r in user.role_rows if r.role == "admin"]
            user.manager_id, user.group = before
            db.session.commit()


def test_an_admin_grants_the_admin_role(app, staff):
    assert (
        Browser(app, "admin").post("/people/pp_one/edit", {"roles": ["admin"]}).status_code == 302
    )
    assert _row(app, "pp_one")[1] == ["admin"]


# -- the API --------------------------------------------------------------------------------------
def _put(client, username, body, lang=None):
    path = f"/api/v1/people/{username}" + (f"?lang={lang}" if lang else "")
    return client.client.put(path, json=body, headers=client.headers)


def test_api_reads_a_person(api):
    body = api("cs2").get("/api/v1/people/supervisor").get_json()
    assert body["manager"] == "manager" and body["group"] == "售后工程部"
    assert body["roles"] == ["supervisor"]
    assert body["direct_reports"] == [
        "cs1",
        "cs2",
        "install1",
        "parts1",
        "quality1",
        "returns1",
        "tech1",
        "tech2",
    ]
    missing = api("cs2").get("/api/v1/people/nobody-here")
    assert missing.status_code == 404 and missing.mimetype == "application/problem+json"


def test_api_hr_sets_org_fields(api, app, staff):
    response = _put(api("hr"), "pp_two", {"manager": None, "roles": ["quality"], "group": "质量组"})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["manager"] is None
    assert _row(app, "pp_two") == (None, ["quality"], "质量组")
    # fields left out stay
    assert _put(api("hr"), "pp_two", {"group": "维修组"}).status_code == 200
    assert _row(app, "pp_two") == (None, ["quality"], "维修组")


def test_api_refuses_others(api, staff):
    response = _put(api("supervisor"), "pp_one", {"group": "x"})
    assert response.status_code == 403 and response.mimetype == "application/problem+json"
    assert "人力资源部" in response.get_json()["detail"]
    assert _put(api("hr"), "pp_one", {"roles": ["admin"]}).status_code == 403


def test_api_says_per_field_what_is_wrong_in_the_users_language(api, app, staff):
    response = _put(api("hr"), "pp_lead", {"manager": "pp_two", "roles": ["wizard"], "group": "x"})
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert set(errors) == {"manager", "roles"}
    assert "汇报环" in errors["manager"][0] and "wizard" in errors["roles"][0]
    english = _put(api("hr"), "pp_lead", {"manager": "pp_lead"}, lang="en").get_json()
    assert "cannot report to themselves" in english["errors"]["manager"][0]
    assert _row(app, "pp_lead") == (None, [], None)


def test_openapi_lists_the_org_and_work_log_paths(api):
    paths = api("cs1").get("/api/v1/openapi.json").get_json()["paths"]
    assert {"get", "put"} <= set(paths["/people/{username}"])
    assert {"get", "post"} <= set(paths["/worklogs"])
    assert "post" in paths["/goal-plan-changes/{id}/decide"]
