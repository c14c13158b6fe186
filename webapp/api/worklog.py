"""The org chart (a person's manager, roles and group), daily work logs and goal-plan changes."""

from __future__ import annotations

from datetime import date

from flask import jsonify, request
from marshmallow import Schema, fields

from engine.errors import Forbidden, InvalidData, NotFound, field_message
from workflows import permissions
from workflows.org.models import User
from workflows.org.operations import UNSET, update_org
from workflows.org.queries import direct_reports, user_by_name
from workflows.records.warranty import local_today
from workflows.worklog import operations, queries
from workflows.worklog.models import PLAN_CHANGE_STATUSES

from ..extensions import db
from ..i18n import current_locale
from . import bp
from .common import actor, api_login_required, commit, json_body, paginate


class PersonSchema(Schema):
    username = fields.String()
    display_name = fields.String()
    active = fields.Boolean()
    group = fields.String(allow_none=True)
    roles = fields.Method("get_roles")
    manager = fields.Method("get_manager")

    def get_roles(self, user: User) -> list[str]:
        return sorted(user.roles)

    def get_manager(self, user: User) -> str | None:
        return user.manager.username if user.manager else None


class WorkLogSchema(Schema):
    id = fields.Integer()
    employee = fields.String()
    day = fields.Date()
    plan = fields.String()
    done = fields.String()
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()
    reviewed = fields.Boolean()
    reviewed_by = fields.String(allow_none=True)
    reviewed_at = fields.AwareDateTime(allow_none=True)
    review_note = fields.String(allow_none=True)


class GoalPlanChangeSchema(Schema):
    id = fields.Integer()
    employee = fields.String()
    quarter = fields.String()
    change = fields.String()
    reason = fields.String()
    status = fields.String()
    created_at = fields.AwareDateTime()
    reviewed_by = fields.String(allow_none=True)
    reviewed_at = fields.AwareDateTime(allow_none=True)
    review_note = fields.String(allow_none=True)


person_schema = PersonSchema()
work_log_schema = WorkLogSchema()
work_logs_schema = WorkLogSchema(many=True)
plan_change_schema = GoalPlanChangeSchema()
plan_changes_schema = GoalPlanChangeSchema(many=True)


def _person(username: str) -> User:
    user = user_by_name(db.session, username)
    if user is None:
        raise NotFound("There is no such person.", "没有这个人。")
    return user


def _person_json(user: User) -> dict:
    body = person_schema.dump(user)
    body["direct_reports"] = [u.username for u in direct_reports(db.session, user)]
    return body


def _filters() -> tuple[str | None, date | None, date | None]:
    """`employee`, `from` and `to` of the query; 404 for an unknown person, 403 for one whose
    logs the caller may not read, 422 for a malformed date."""
    errors: dict[str, list[str]] = {}
    days: dict[str, date | None] = {}
    for name in ("from", "to"):
        value = request.args.get(name, "").strip()
        days[name] = operations.parse_day(value) if value else None
        if value and days[name] is None:
            errors[name] = field_message(
                current_locale(), "Write the day as YYYY-MM-DD.", "请按 YYYY-MM-DD 格式填写日期。"
            )
    if errors:
        raise InvalidData("Some filters need your attention.", "部分筛选条件需要修改。", errors)
    employee = request.args.get("employee", "").strip() or None
    if employee is not None and not permissions.may_read_logs_of(actor(), _person(employee)):
        raise Forbidden(
            "You may read your own logs, those of the people who report to you, and HR all.",
            "您只能查看自己和直属下级的日志；人力资源部可查看全部。",
        )
    return employee, days["from"], days["to"]


# -- people ---------------------------------------------------------------------------------------
@bp.get("/people/<username>")
@api_login_required
def get_person(username: str):
    return jsonify(_person_json(_person(username)))


@bp.put("/people/<username>")
@api_login_required
def put_person(username: str):
    body = json_body()
    permissions.require_edit_org(actor())
    user = _person(username)
    update_org(
        db.session,
        user,
        actor(),
        manager=body.get("manager", UNSET),
        roles=body.get("roles", UNSET),
        group=body.get("group", UNSET),
        locale=current_locale(),
    )
    commit()
    return jsonify(_person_json(user))


# -- daily work logs ------------------------------------------------------------------------------
@bp.get("/worklogs")
@api_login_required
def list_worklogs():
    employee, start, end = _filters()
    stmt = queries.visible_logs(actor(), employee=employee, start=start, end=end)
    return jsonify(paginate(stmt, work_logs_schema.dump))


@bp.post("/worklogs")
@api_login_required
def write_worklog():
    body = json_body()
    log, created = operations.write_log(
        db.session,
        actor(),
        body.get("day", local_today().isoformat()),
        body.get("plan"),
        body.get("done"),
        locale=current_locale(),
    )
    commit()
    return jsonify(work_log_schema.dump(log)), 201 if created else 200


@bp.post("/worklogs/<int:log_id>/review")
@api_login_required
def review_worklog(log_id: int):
    body = json_body()
    log = operations.review_log(
        db.session, log_id, actor(), body.get("note"), locale=current_locale()
    )
    commit()
    return jsonify(work_log_schema.dump(log))


# -- goal-plan changes ----------------------------------------------------------------------------
@bp.get("/goal-plan-changes")
@api_login_required
def list_plan_changes():
    employee, start, end = _filters()
    status = request.args.get("status") or None
    if status is not None and status not in PLAN_CHANGE_STATUSES:
        raise InvalidData(
            "Some filters need your attention.",
            "部分筛选条件需要修改。",
            {
                "status": field_message(
                    current_locale(),
                    "Choose pending, approved or rejected.",
                    "请选择 pending、approved 或 rejected。",
                )
            },
        )
    stmt = queries.visible_plan_changes(
        actor(), employee=employee, status=status, start=start, end=end
    )
    return jsonify(paginate(stmt, plan_changes_schema.dump))


@bp.post("/goal-plan-changes")
@api_login_required
def propose_plan_change():
    body = json_body()
    change = operations.propose_plan_change(
        db.session,
        actor(),
        body.get("quarter", operations.quarter_of(local_today())),
        body.get("change"),
        body.get("reason"),
        locale=current_locale(),
    )
    commit()
    return jsonify(plan_change_schema.dump(change)), 201


@bp.post("/goal-plan-changes/<int:change_id>/decide")
@api_login_required
def decide_plan_change(change_id: int):
    body = json_body()
    change = operations.decide_plan_change(
        db.session,
        change_id,
        actor(),
        body.get("decision"),
        body.get("note"),
        locale=current_locale(),
    )
    commit()
    return jsonify(plan_change_schema.dump(change))
