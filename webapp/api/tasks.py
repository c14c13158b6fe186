"""Tasks: inbox scopes, reading one with its form, claim, unclaim, complete, assign."""

from __future__ import annotations

from flask import abort, jsonify, request

from engine.models import HumanTask
from engine.tasklist import SCOPES, inbox_query
from workflows import casework, permissions
from workflows.runtime import get_engine

from ..extensions import db
from ..i18n import current_locale
from . import bp
from .common import actor, api_login_required, commit, json_body, paginate
from .instances import instance_json, visible_instance
from .schemas import task_schema, tasks_schema


@bp.get("/tasks")
@api_login_required
def list_tasks():
    caller = actor()
    scope = request.args.get("scope", "open")
    instance_id = request.args.get("instance", type=int)
    if scope not in SCOPES:
        abort(400)
    if scope == "all":
        permissions.require_admin(caller)
    if instance_id is not None and scope == "open" and "scope" not in request.args:
        # every open task of a case the caller may see, not only their own
        visible_instance(instance_id)
        stmt = inbox_query(caller, "all", instance_id)
    else:
        stmt = inbox_query(caller, scope, instance_id)
    return jsonify(paginate(stmt, lambda rows: tasks_schema.dump(rows)))


def _task(task_id: str) -> HumanTask:
    return permissions.require_task_visible(db.session, db.session.get(HumanTask, task_id), actor())


@bp.get("/tasks/<task_id>")
@api_login_required
def get_task(task_id: str):
    task = _task(task_id)
    body = task_schema.dump(task)
    definition = task.instance.definition
    body["form"] = definition.forms.get(task.form_key) if task.form_key else None
    body["data"] = task.instance.summary
    return jsonify(body)


@bp.post("/tasks/<task_id>/<any(claim, unclaim):action>")
@api_login_required
def claim(task_id: str, action: str):
    _task(task_id)
    engine = get_engine()
    method = engine.claim if action == "claim" else engine.unclaim
    row = method(db.session, task_id, actor())
    commit()
    return jsonify(task_schema.dump(row))


@bp.post("/tasks/<task_id>/complete")
@api_login_required
def complete(task_id: str):
    body = json_body()
    version = body.get("version")
    if version is not None and not isinstance(version, int):
        abort(400)
    instance, next_tasks = casework.complete_task(
        db.session,
        task_id,
        body.get("data"),
        actor(),
        locale=current_locale(),
        expected_version=version,
    )
    commit()
    return jsonify(
        {"instance": instance_json(instance), "next_tasks": tasks_schema.dump(next_tasks)}
    )


@bp.post("/tasks/<task_id>/assign")
@api_login_required
def assign(task_id: str):
    username = json_body().get("username")
    if not isinstance(username, str):
        abort(400)
    row = casework.assign_task(db.session, task_id, username, actor(), locale=current_locale())
    commit()
    return jsonify(task_schema.dump(row))
