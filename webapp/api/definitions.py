"""Process definitions: list, read with the start form, deploy uploads; the decision tables."""

from __future__ import annotations

from pathlib import PurePath

from flask import abort, jsonify, request
from werkzeug.datastructures import FileStorage

from engine.decisions import latest_decision, latest_decisions
from engine.definitions import Deployed, get_latest_or_404, latest_definitions
from engine.errors import NotFound
from engine.runtime import Actor
from workflows import permissions
from workflows.runtime import get_engine

from ..extensions import db
from . import bp
from .common import actor, api_login_required, commit
from .schemas import decision_schema, decision_source_schema, definition_schema

MAX_FILES = 50


def deploy_uploads(uploads: list[FileStorage], caller: Actor) -> list[Deployed]:
    """Deploy uploaded .bpmn/.dmn/.form files for a process owner; the caller commits.

    400 for no file or too many; raises DeployRejected when the set cannot be deployed."""
    permissions.require_deploy(caller)
    if not uploads or len(uploads) > MAX_FILES:
        abort(400)
    files = {PurePath(u.filename or "upload").name: u.read() for u in uploads}
    return get_engine().deploy(db.session, files, caller)


def _definition_json(definition, caller) -> dict:
    body = definition_schema.dump(definition)
    body["startable"] = permissions.may_start(definition, caller)
    return body


@bp.get("/process-definitions")
@api_login_required
def list_definitions():
    caller = actor()
    items = [_definition_json(d, caller) for d in latest_definitions(db.session)]
    return jsonify({"items": items, "total": len(items), "page": 1, "per_page": len(items)})


@bp.get("/process-definitions/<key>")
@api_login_required
def get_definition(key: str):
    definition = get_latest_or_404(db.session, key)
    body = _definition_json(definition, actor())
    body["start_form"] = (
        definition.forms.get(definition.start_form_key) if definition.start_form_key else None
    )
    return jsonify(body)


@bp.post("/process-definitions")
@api_login_required
def deploy_definitions():
    caller = actor()
    deployed = deploy_uploads(request.files.getlist("files"), caller)
    commit()
    processes = [
        {**_definition_json(d.definition, caller), "created": d.created}
        for d in deployed
        if d.kind == "process"
    ]
    decisions = [
        {**decision_schema.dump(d.definition), "created": d.created}
        for d in deployed
        if d.kind == "decision"
    ]
    return jsonify({"items": processes, "decisions": decisions}), 201


@bp.get("/decision-definitions")
@api_login_required
def list_decisions():
    permissions.require_deploy(actor())
    items = decision_schema.dump(latest_decisions(db.session), many=True)
    return jsonify({"items": items, "total": len(items), "page": 1, "per_page": len(items)})


@bp.get("/decision-definitions/<key>")
@api_login_required
def get_decision(key: str):
    permissions.require_deploy(actor())
    decision = latest_decision(db.session, key)
    if decision is None:
        raise NotFound(f"There is no decision table '{key}'.", f"没有名为“{key}”的决策表。")
    return jsonify(decision_source_schema.dump(decision))
