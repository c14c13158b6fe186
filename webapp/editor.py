"""Process owners edit diagrams, decision tables and forms in the browser and deploy them.

The pages only hand out the deployed sources; the edited file comes back through the API's
deploy path (webapp.api.definitions.deploy_uploads), which checks everything. Uploads stay
untrusted: nothing here evaluates a file, and the only parsing is the safe XML loader
finding which stored .bpmn draws a process.
"""

from __future__ import annotations

import json
import re

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from engine.bundle import DeployRejected
from engine.bundle_xml import XmlRejected, bpmn_children, load_xml
from engine.decisions import latest_decision, latest_decisions
from engine.definitions import Deployed, latest_definition, latest_definitions, latest_forms
from workflows import permissions

from . import labels
from .api.definitions import deploy_uploads
from .auth import login_required
from .errors import deploy_problems
from .extensions import db
from .i18n import current_locale, pick
from .session_user import current_actor

bp = Blueprint("editor", __name__, url_prefix="/definitions")
bp.record_once(labels.register)

# a new process's id: what the engine and the Python side call it (BPMN ids match Python names)
PROCESS_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,99}")


@bp.app_context_processor
def _helpers() -> dict:
    def deploy_access() -> bool:
        actor = current_actor()
        return actor is not None and permissions.may_deploy(actor)

    return {"deploy_access": deploy_access}


def _require_owner():
    actor = current_actor()
    permissions.require_deploy(actor)
    return actor


@bp.get("")
@login_required
def index():
    _require_owner()
    return _index_page()


def _index_page(*, problems=None, typed_process=None, new_errors=None, status=200):
    processes = latest_definitions(db.session)
    forms = latest_forms(db.session)
    users = {key: [p for p in processes if key in p.forms] for key in forms}
    return render_template(
        "editor/index.html",
        processes=processes,
        decisions=latest_decisions(db.session),
        forms=sorted(forms),
        form_users=users,
        problems=problems,
        typed_process=typed_process or {"key": "", "name": ""},
        new_errors=new_errors or {},
    ), status


@bp.post("/upload")
@login_required
def upload():
    """The upload form: the files go through the API's deploy; problems are listed on the page."""
    actor = _require_owner()
    uploads = [u for u in request.files.getlist("files") if u.filename]
    if not uploads:
        flash(_("Choose at least one .bpmn, .dmn or .form file to upload."), "error")
        return redirect(url_for(".index"))
    try:
        deployed = deploy_uploads(uploads, actor)
    except DeployRejected as rejected:
        db.session.rollback()
        return _index_page(problems=deploy_problems(rejected), status=422)
    db.session.commit()
    flash(_deployed_text(deployed))
    return redirect(url_for(".index"))


def _deployed_text(deployed: list[Deployed]) -> str:
    parts = [
        _("%(name)s: version %(version)d", name=d.definition.key, version=d.definition.version)
        + ("" if d.created else " " + _("(unchanged)"))
        for d in deployed
    ]
    if not parts:
        return _("Deployed. No process or decision table changed.")
    return _("Deployed: %(list)s.", list=", ".join(parts))


# -- the editors --------------------------------------------------------------------------------
@bp.get("/processes/<key>/edit")
@login_required
def edit_process(key: str):
    _require_owner()
    definition = latest_definition(db.session, key)
    if definition is None:
        abort(404)
    filename = _process_file(definition.source_files, key)
    if filename is None:
        abort(404)
    return _editor_page(
        "process",
        key=key,
        title=pick(current_locale(), definition.name, definition.name_en),
        version=definition.version,
        filename=filename,
        source=definition.source_files[filename],
    )


@bp.get("/processes/new")
@login_required
def new_process():
    """A start → user task → end diagram under the id the owner typed; deployed by the editor."""
    _require_owner()
    typed = {
        "key": request.args.get("key", "").strip(),
        "name": request.args.get("name", "").strip(),
    }
    errors = _new_process_errors(typed["key"])
    if errors:
        return _index_page(typed_process=typed, new_errors=errors, status=422)
    source = render_template(
        "editor/new_process.bpmn",
        key=typed["key"],
        name=typed["name"] or typed["key"],
        start_name=_("Start"),
        task_name=_("First task"),
        end_name=_("Done"),
    )
    return _editor_page(
        "process",
        key=typed["key"],
        title=typed["name"] or typed["key"],
        version=None,
        filename=f"{typed['key']}.bpmn",
        source=source,
    )


def _new_process_errors(key: str) -> dict[str, str]:
    if not key:
        return {"key": _("Enter an id for the new process.")}
    if not PROCESS_KEY.fullmatch(key):
        return {
            "key": _(
                "Use letters, digits and underscores for the id, starting with a letter "
                "(for example repair_follow_up)."
            )
        }
    if latest_definition(db.session, key) is not None:
        return {"key": _("A process with this id exists already. Choose another id.")}
    filename = f"{key}.bpmn"
    if any(filename in d.source_files for d in latest_definitions(db.session)):
        return {
            "key": _(
                "A deployed file is already called %(file)s. Choose another id.", file=filename
            )
        }
    return {}


@bp.get("/decisions/<key>/edit")
@login_required
def edit_decision(key: str):
    _require_owner()
    decision = latest_decision(db.session, key)
    if decision is None:
        abort(404)
    return _editor_page(
        "decision",
        key=key,
        title=decision.name,
        version=decision.version,
        filename=decision.filename,
        source=decision.source,
    )


@bp.get("/forms/<key>/edit")
@login_required
def edit_form(key: str):
    _require_owner()
    source = latest_forms(db.session).get(key)
    if source is None:
        abort(404)
    return _editor_page(
        "form",
        key=key,
        title=key,
        version=None,
        filename=f"{key}.form",
        source=json.dumps(json.loads(source), ensure_ascii=False, indent=2),
    )


# what each kind of file is edited with: the esbuild bundle, and the type it is sent as
EDITORS = {
    "process": ("modeler", "application/xml"),
    "decision": ("dmn-editor", "application/xml"),
    "form": ("form-editor", "application/json"),
}


def _editor_page(kind: str, **page):
    bundle, mime_type = EDITORS[kind]
    return render_template(
        f"editor/{kind}.html", kind=kind, bundle=bundle, mime_type=mime_type, **page
    )


def _process_file(source_files: dict[str, str], key: str) -> str | None:
    """The .bpmn file among a version's sources that draws process `key` (it may call others)."""
    names = sorted(n for n in source_files if n.endswith(".bpmn"))
    names.sort(key=lambda n: n != f"{key}.bpmn")  # the usual file first: most parse once
    for name in names:
        try:
            root = load_xml(source_files[name].encode())
        except XmlRejected:
            continue
        if any(p.get("id") == key for p in bpmn_children(root, "process")):
            return name
    return None
