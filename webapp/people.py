"""The org chart: who reports to whom, with roles and groups, for everyone logged in; HR and
administrators set a person's manager, roles and group."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from engine.errors import InvalidData
from workflows import permissions
from workflows.org.models import ROLES, User
from workflows.org.operations import update_org
from workflows.org.queries import active_users, group_names, org_chart, user_by_name

from . import labels
from .auth import login_required
from .extensions import db
from .i18n import current_locale
from .session_user import current_actor

bp = Blueprint("people", __name__, url_prefix="/people")
bp.record_once(labels.register)


@bp.get("")
@login_required
def chart():
    return render_template(
        "people/chart.html",
        tops=org_chart(db.session),
        may_edit=permissions.may_edit_org(current_actor()),
    )


def _person(username: str) -> User:
    user = user_by_name(db.session, username)
    if user is None:
        abort(404)
    return user


@bp.route("/<username>/edit", methods=["GET", "POST"])
@login_required
def edit(username: str):
    actor = current_actor()
    permissions.require_edit_org(actor)
    person = _person(username)
    errors: dict[str, list[str]] = {}
    problem = None
    values = {
        "manager": person.manager.username if person.manager else "",
        "roles": set(person.roles),
        "group": person.group or "",
    }
    if request.method == "POST":
        # a role the editor may not change is not on the form: it stays as it is
        roles = {r for r in request.form.getlist("roles") if permissions.may_change_role(actor, r)}
        roles |= {r for r in person.roles if not permissions.may_change_role(actor, r)}
        values = {
            "manager": request.form.get("manager", ""),
            "roles": roles,
            "group": request.form.get("group", ""),
        }
        try:
            update_org(
                db.session,
                person,
                actor,
                manager=values["manager"] or None,
                roles=sorted(roles),
                group=values["group"],
                locale=current_locale(),
            )
        except InvalidData as exc:
            db.session.rollback()
            errors, problem = exc.errors, exc.text(current_locale())
            person = _person(username)
        else:
            db.session.commit()
            flash(_("%(name)s's place on the org chart was saved.", name=person.display_name))
            return redirect(url_for("people.chart", _anchor=f"person-{person.username}"))
    return render_template(
        "people/edit.html",
        person=person,
        values=values,
        errors=errors,
        problem=problem,
        managers=[u for u in active_users(db.session) if u.id != person.id],
        roles=list(ROLES),
        may_change_role=lambda role: permissions.may_change_role(actor, role),
        groups=group_names(db.session),
    ), (422 if problem else 200)
