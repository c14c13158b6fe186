"""The inbox and the task page: claim, release, complete a task through its form, assign it."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from engine.audit import history
from engine.errors import Conflict, InvalidData
from engine.models import HumanTask, ProcessInstance
from engine.runtime import Actor
from engine.tasklist import can_act, inbox_query
from workflows import casework, permissions
from workflows.org.models import User
from workflows.org.queries import active_users, display_names, users_with_role
from workflows.runtime import get_engine

from . import labels
from .auth import _safe_next, login_required
from .case_panel import request_details, submitted_data, timeline
from .extensions import db
from .i18n import current_locale, pick
from .session_user import current_actor

bp = Blueprint("tasks", __name__)
bp.record_once(labels.register)

# an inbox section shows at most this many rows; the rest waits for the first to be done
SECTION_LIMIT = 200


@dataclass
class Section:
    key: str
    title: str
    empty: str
    tasks: list[HumanTask]
    claimable: bool = False


def _rows(actor: Actor, scope: str) -> list[HumanTask]:
    stmt = inbox_query(actor, scope).options(
        selectinload(HumanTask.instance).selectinload(ProcessInstance.definition)
    )
    return list(db.session.scalars(stmt.limit(SECTION_LIMIT)))


@bp.get("/tasks")
@login_required
def inbox():
    actor = current_actor()
    mine = _rows(actor, "mine")
    sections = [
        Section(
            "assigned",
            _l("Assigned to me"),
            _l("Nothing is assigned to you."),
            [t for t in mine if t.claimed_by is None],
        ),
        Section(
            "claimable",
            _l("Open to my roles"),
            _l("No open tasks for your roles."),
            _rows(actor, "claimable"),
            claimable=True,
        ),
        Section(
            "claimed",
            _l("Claimed by me"),
            _l("You have not claimed any task."),
            [t for t in mine if t.claimed_by == actor.username],
        ),
    ]
    return render_template("tasks/inbox.html", sections=sections, limit=SECTION_LIMIT)


@bp.post("/tasks/<task_id>/<any(claim, unclaim):action>")
@login_required
def claim(task_id: str, action: str):
    actor = current_actor()
    permissions.require_task_visible(db.session, db.session.get(HumanTask, task_id), actor)
    engine = get_engine()
    try:
        (engine.claim if action == "claim" else engine.unclaim)(db.session, task_id, actor)
    except Conflict as exc:
        db.session.rollback()
        flash(exc.text(current_locale()), "error")
    else:
        db.session.commit()
        flash(_("Task claimed.") if action == "claim" else _("Task released."))
    return redirect(_safe_next(request.form.get("next")))


@bp.post("/tasks/<task_id>/assign")
@login_required
def assign(task_id: str):
    back = redirect(url_for("tasks.detail", task_id=task_id))
    username = request.form.get("username", "").strip()
    try:
        row = casework.assign_task(
            db.session, task_id, username, current_actor(), locale=current_locale()
        )
    except (Conflict, InvalidData) as exc:
        db.session.rollback()
        flash(exc.text(current_locale()), "error")
        return back
    db.session.commit()
    name = display_names(db.session, [row.assignee]).get(row.assignee, row.assignee)
    flash(_("Task assigned to %(name)s.", name=name))
    return back


def _assignable(task: HumanTask) -> list[User]:
    """Active holders of the task's roles, or every active user when it names no role."""
    if not task.roles:
        return active_users(db.session)
    people = {u.username: u for role in task.roles for u in users_with_role(db.session, role)}
    return [people[name] for name in sorted(people)]


@bp.route("/tasks/<task_id>", methods=["GET", "POST"])
@login_required
def detail(task_id: str):
    actor = current_actor()
    task = permissions.require_task_visible(db.session, db.session.get(HumanTask, task_id), actor)
    if request.method == "GET":
        return _page(task, actor)
    locale = current_locale()
    form = casework.form_for(task.instance.definition, task.form_key)
    data = submitted_data(request.form, form)
    title = pick(locale, task.name, task.name_en)
    try:
        casework.complete_task(db.session, task_id, data, actor, locale=locale)
    except InvalidData as exc:
        db.session.rollback()
        return _page(task, actor, data=data, errors=exc.errors or {"_": [exc.text(locale)]}), 422
    except Conflict as exc:
        db.session.rollback()
        flash(exc.text(locale), "error")
        return redirect(url_for("tasks.detail", task_id=task_id))
    db.session.commit()
    flash(_("Task “%(task)s” completed.", task=title))
    return redirect(url_for("tasks.inbox"))


def _page(task: HumanTask, actor: Actor, *, data=None, errors=None):
    locale = current_locale()
    instance = task.instance
    events = history(db.session, instance.id)
    may_act = can_act(task, actor) and instance.status != "suspended"
    if data is None:
        data = _saved_answers(task, events) if task.status == "completed" else instance.summary
    form = casework.form_for(instance.definition, task.form_key)
    form_html = form.render_html(data, errors, locale, readonly=not may_act) if form else None
    may_assign = task.status == "open" and permissions.may_assign(actor)
    return render_template(
        "tasks/detail.html",
        task=task,
        instance=instance,
        form_html=form_html,
        errors=errors,
        may_act=may_act,
        may_claim=may_act and task.claimed_by is None and task.assignee is None,
        may_release=task.status == "open"
        and task.claimed_by is not None
        and (task.claimed_by == actor.username or actor.is_admin),
        assignees=_assignable(task) if may_assign else None,
        names=display_names(db.session, {task.assignee, task.claimed_by}),
        details=request_details(instance, locale),
        entries=timeline(db.session, instance, events, locale),
    )


def _saved_answers(task: HumanTask, events) -> dict:
    """What was submitted when the task was completed."""
    for event in reversed(events):
        if event.kind == "complete" and event.task_id == task.id:
            return event.payload.get("data") or {}
    return {}
