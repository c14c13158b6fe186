"""Process instances: start, list, read, and the administrator's levers."""

from __future__ import annotations

from flask import abort, jsonify, request
from sqlalchemy import and_, or_

from engine.audit import history
from engine.incidents import open_incidents
from engine.models import ProcessInstance
from workflows import casework, permissions

from ..extensions import db
from ..i18n import current_locale
from . import bp
from .common import actor, api_login_required, commit, json_body, paginate
from .schemas import events_schema, incidents_schema, instance_schema, tasks_schema

STATUSES = ("running", "waiting", "completed", "error", "suspended", "terminated")


def instance_json(instance: ProcessInstance, *, full: bool = False) -> dict:
    body = instance_schema.dump(instance)
    if full:
        body["tasks"] = tasks_schema.dump(casework.instance_tasks(db.session, instance.id))
        body["history"] = events_schema.dump(history(db.session, instance.id))
        body["incidents"] = incidents_schema.dump(open_incidents(db.session, instance.id))
    return body


@bp.post("/process-instances")
@api_login_required
def start_instance():
    body = json_body()
    key = body.get("process")
    business_key = body.get("business_key")
    if not isinstance(key, str) or (business_key is not None and not isinstance(business_key, str)):
        abort(400)
    instance = casework.start_case(
        db.session,
        key,
        body.get("data"),
        actor(),
        business_key=business_key,
        locale=current_locale(),
    )
    commit()
    # a new case: its tasks are the ones just opened, its history the start itself
    body = instance_json(instance)
    body["tasks"] = tasks_schema.dump(instance.current_tasks)
    return jsonify(body), 201


@bp.get("/process-instances")
@api_login_required
def list_instances():
    stmt = permissions.visible_instances(actor())
    args = request.args
    if args.get("process"):
        stmt = stmt.where(ProcessInstance.process_key == args["process"])
    if args.get("status"):
        if args["status"] not in STATUSES:
            abort(400)
        stmt = stmt.where(ProcessInstance.status == args["status"])
    if args.get("business_key"):
        stmt = stmt.where(ProcessInstance.business_key == args["business_key"])
    if args.get("stuck") == "true":
        stmt = stmt.where(
            or_(
                ProcessInstance.status == "error",
                and_(ProcessInstance.status == "waiting", ProcessInstance.next_timer_at.is_(None)),
            )
        )
    stmt = stmt.order_by(ProcessInstance.id.desc())
    return jsonify(paginate(stmt, lambda rows: [instance_json(r) for r in rows]))


def visible_instance(instance_id: int) -> ProcessInstance:
    instance = db.session.get(ProcessInstance, instance_id)
    return permissions.require_instance_visible(db.session, instance, actor())


@bp.get("/process-instances/<int:instance_id>")
@api_login_required
def get_instance(instance_id: int):
    return jsonify(instance_json(visible_instance(instance_id), full=True))


@bp.post("/process-instances/<int:instance_id>/<any(suspend, resume, terminate, retry):action>")
@api_login_required
def admin_action(instance_id: int, action: str):
    caller = actor()
    visible_instance(instance_id)
    instance = casework.administer(
        db.session,
        instance_id,
        action,
        caller,
        data=json_body().get("data"),
        locale=current_locale(),
    )
    commit()
    return jsonify(instance_json(instance, full=True))
