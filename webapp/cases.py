"""Case pages, starting processes (the new customer request form), and the case diagram."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from engine.audit import history
from engine.definitions import get_latest_or_404, latest_definitions
from engine.errors import InvalidData, NotFound
from engine.incidents import open_incidents
from engine.models import HumanTask, ProcessInstance
from workflows import casework, permissions
from workflows.org.queries import display_names
from workflows.sla.service import clock_of, clocks_of, missed

from . import labels
from .auth import login_required
from .case_panel import (
    called_diagrams,
    called_keys,
    process_xml,
    request_details,
    submitted_data,
    timeline,
)
from .extensions import db
from .i18n import current_locale
from .records import case_records
from .session_user import current_actor

bp = Blueprint("cases", __name__)
bp.record_once(labels.register)

PER_PAGE = 50
CUSTOMER_REQUEST = "customer_request"


# -- lists ----------------------------------------------------------------------------------------
@bp.get("/cases")
@login_required
def index():
    actor = current_actor()
    status = request.args.get("status") or None
    process = request.args.get("process") or None
    page = request.args.get("page", 1, type=int)
    if status is not None and status not in labels.STATUS_LABELS or page < 1:
        abort(400)
    stmt = permissions.visible_instances(actor)
    if status:
        stmt = stmt.where(ProcessInstance.status == status)
    if process:
        stmt = stmt.where(ProcessInstance.process_key == process)
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    cases = db.session.scalars(
        stmt.options(selectinload(ProcessInstance.definition))
        .order_by(ProcessInstance.id.desc())
        .limit(PER_PAGE)
        .offset((page - 1) * PER_PAGE)
    ).all()
    open_counts = _open_task_counts([c.id for c in cases])
    return render_template(
        "cases/index.html",
        cases=cases,
        open_counts=open_counts,
        names=display_names(db.session, {c.started_by for c in cases}),
        processes=latest_definitions(db.session),
        status=status,
        process=process,
        page=page,
        pages=max(1, -(-total // PER_PAGE)),
        total=total,
    )


def _open_task_counts(instance_ids: list[int]) -> dict[int, int]:
    if not instance_ids:
        return {}
    rows = db.session.execute(
        select(HumanTask.instance_id, func.count())
        .where(HumanTask.instance_id.in_(instance_ids), HumanTask.status == "open")
        .group_by(HumanTask.instance_id)
    )
    return dict(rows.all())


@bp.get("/processes")
@login_required
def processes():
    actor = current_actor()
    definitions = latest_definitions(db.session)
    startable = {d.key for d in definitions if permissions.may_start(d, actor)}
    return render_template("cases/processes.html", definitions=definitions, startable=startable)


# -- one case -------------------------------------------------------------------------------------
def _visible_case(instance_id: int) -> ProcessInstance:
    instance = db.session.get(ProcessInstance, instance_id)
    return permissions.require_instance_visible(db.session, instance, current_actor())


@bp.get("/cases/<int:instance_id>")
@login_required
def detail(instance_id: int):
    actor = current_actor()
    instance = _visible_case(instance_id)
    locale = current_locale()
    tasks = casework.instance_tasks(db.session, instance.id)
    open_tasks = [t for t in tasks if t.status == "open"]
    events = history(db.session, instance.id)
    incidents = open_incidents(db.session, instance.id)
    active = sorted({t.spec_name for t in open_tasks})
    done = {t.spec_name for t in tasks if t.status == "completed"}
    done |= {e.payload.get("task") for e in events if e.kind == "step" and e.payload.get("task")}
    people = {t.assignee for t in open_tasks} | {t.claimed_by for t in open_tasks}
    return render_template(
        "cases/detail.html",
        instance=instance,
        details=request_details(instance, locale),
        open_tasks=open_tasks,
        openable={t.id for t in open_tasks if _may_open(t, actor)},
        names=display_names(db.session, people | {instance.started_by}),
        entries=timeline(db.session, instance, events, locale),
        incidents=incidents,
        clocks=[
            (r, clock_of(r), missed(r)) for r in clocks_of(db.session, [instance.id])[instance.id]
        ],
        records=case_records(db.session, instance.id)
        if permissions.may_view_records(actor)
        else None,
        diagram={
            "active": active,
            "completed": sorted(done - set(active)),
            "failed": sorted({i.task_spec for i in incidents if i.task_spec}),
        },
        called=called_diagrams(instance.definition, done | set(active)),
    )


def _may_open(task: HumanTask, actor) -> bool:
    try:
        permissions.require_task_visible(db.session, task, actor)
    except NotFound:
        return False
    return True


@bp.get("/cases/<int:instance_id>/diagram.bpmn")
@login_required
def diagram(instance_id: int):
    """The case's diagram, or with `?process=` one of the processes it calls."""
    instance = _visible_case(instance_id)
    key = request.args.get("process") or instance.definition.key
    if key != instance.definition.key and key not in called_keys(instance.definition):
        abort(404)
    return Response(process_xml(instance.definition, key), mimetype="application/xml")


# -- starting -------------------------------------------------------------------------------------
@bp.route("/requests/new", methods=["GET", "POST"])
@login_required
def new_request():
    return _start(CUSTOMER_REQUEST, request_page=True)


@bp.route("/processes/<key>/start", methods=["GET", "POST"])
@login_required
def start(key: str):
    return _start(key, request_page=key == CUSTOMER_REQUEST)


def _start(key: str, *, request_page: bool):
    actor = current_actor()
    definition = get_latest_or_404(db.session, key)
    if not permissions.may_start(definition, actor):
        return render_template("cases/not_allowed.html", definition=definition), 403
    form = casework.form_for(definition, definition.start_form_key)
    locale = current_locale()
    data, errors, status = None, None, 200
    if request.method == "GET" and form is not None:
        # a link may prefill the form, e.g. an appeal names the appraisal it is about
        data = {f.key: request.args[f.key] for f in form.fields if f.key in request.args} or None
    if request.method == "POST":
        data = submitted_data(request.form, form)
        try:
            instance = casework.start_case(db.session, key, data, actor, locale=locale)
        except InvalidData as exc:
            db.session.rollback()
            errors, status = exc.errors or {"_": [exc.text(locale)]}, 422
        else:
            db.session.commit()
            if request_page:
                flash(_("Request %(case)s recorded.", case=labels.case_ref(instance)))
            else:
                flash(_("Case %(case)s started.", case=labels.case_ref(instance)))
            return redirect(url_for("cases.detail", instance_id=instance.id))
    form_html = form.render_html(data, errors, locale) if form is not None else None
    return render_template(
        "cases/start.html",
        definition=definition,
        form_html=form_html,
        errors=errors,
        request_page=request_page,
    ), status
