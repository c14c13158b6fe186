"""Process definitions: list, read with the start form, deploy uploads."""

from __future__ import annotations

from pathlib import PurePath

from flask import abort, jsonify, request

from engine.definitions import get_latest_or_404, latest_definitions
from workflows import permissions
from workflows.runtime import get_engine

from ..extensions import db
from . import bp
from .common import actor, api_login_required, commit
from .schemas import definition_schema

MAX_FILES = 50


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
    if not permissions.may_deploy(caller):
        abort(403)
    uploads = request.files.getlist("files")
    if not uploads or len(uploads) > MAX_FILES:
        abort(400)
    files = {PurePath(u.filename or "upload").name: u.read() for u in uploads}
    deployed = get_engine().deploy(db.session, files, caller)
    commit()
    body = [{**_definition_json(d.definition, caller), "created": d.created} for d in deployed]
    return jsonify({"items": body}), 201
