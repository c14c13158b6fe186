"""Daily work logs and goal-plan changes (Art. 10–14): each person writes their own, their
manager reviews them on the team page, HR reads them all as filed."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from engine.errors import Conflict, InvalidData
from workflows import permissions
from workflows.org.models import User
from workflows.org.queries import direct_reports, display_names, user_by_name
from workflows.records.warranty import local_today
from workflows.worklog import operations, queries

from . import labels
from .extensions import db
from .i18n import current_locale
from .session_user import current_actor

bp = Blueprint("worklog", __name__, url_prefix="/worklog")
bp.record_once(labels.register)

PER_PAGE = 50
PLAN_CHANGE_LABELS = {
    "pending": _l("Waiting for decision"),
    "approved": _l("Approved"),
    "rejected": _l("Rejected"),
}


@bp.before_request
def _guard():
    if current_actor() is None:
        return redirect(url_for("auth.login", next=request.full_path))
    return None


@bp.app_context_processor
def _helpers() -> dict:
    return {"plan_change_label": lambda status: str(PLAN_CHANGE_LABELS.get(status, status))}


def _me() -> User:
    return user_by_name(db.session, current_actor().username)


def _sections() -> dict:
    """Which sections the viewer's page offers."""
    return {
        "has_reports": bool(direct_reports(db.session, _me())),
        "may_see_filed": permissions.may_see_filed_logs(current_actor()),
    }


def _day_arg(name: str) -> date | None:
    value = request.args.get(name, "").strip()
    if not value:
        return None
    day = operations.parse_day(value)
    if day is None:
        abort(400)
    return day


# -- my log ---------------------------------------------------------------------------------------
def _mine(status: int = 200, *, day: date | None = None, log_form=None, plan_form=None):
    """The person's own page: the log of one day to write, recent logs, goal-plan changes."""
    actor = current_actor()
    today = local_today()
    day = day or _day_arg("day") or today
    entry = queries.log_for(db.session, actor.username, day)
    recent = queries.recent_logs(db.session, actor.username)
    changes = queries.plan_changes_of(db.session, actor.username)
    return render_template(
        "worklog/mine.html",
        section="mine",
        today=today,
        day=day,
        entry=entry,
        log_form=log_form
        or {"fields": {"plan": entry.plan if entry else "", "done": entry.done if entry else ""}},
        plan_form=plan_form or {"fields": {"quarter": operations.quarter_of(today)}},
        recent=recent,
        changes=changes,
        names=display_names(
            db.session, {e.reviewed_by for e in recent} | {c.reviewed_by for c in changes}
        ),
        **_sections(),
    ), status


@bp.get("")
def mine():
    return _mine()


@bp.post("")
def write():
    actor = current_actor()
    locale = current_locale()
    form = {k: request.form.get(k, "") for k in ("day", "plan", "done")}
    try:
        log, created = operations.write_log(
            db.session, actor, form["day"], form["plan"], form["done"], locale=locale
        )
    except InvalidData as exc:
        db.session.rollback()
        day = operations.parse_day(form["day"])
        return _mine(
            422,
            day=day if day and day <= local_today() else None,
            log_form={"fields": form, "errors": exc.errors, "problem": exc.text(locale)},
        )
    except Conflict as exc:
        db.session.rollback()
        flash(exc.text(locale), "error")
        return redirect(url_for("worklog.mine", day=form["day"]))
    db.session.commit()
    day = log.day.isoformat()
    flash(_("Your log of %(day)s was saved.", day=day))
    return redirect(url_for("worklog.mine", day=day))


@bp.post("/plan-changes")
def propose():
    actor = current_actor()
    locale = current_locale()
    form = {k: request.form.get(k, "") for k in ("quarter", "change", "reason")}
    try:
        change = operations.propose_plan_change(
            db.session, actor, form["quarter"], form["change"], form["reason"], locale=locale
        )
    except InvalidData as exc:
        db.session.rollback()
        return _mine(
            422, plan_form={"fields": form, "errors": exc.errors, "problem": exc.text(locale)}
        )
    db.session.commit()
    flash(
        _(
            "Your change to the %(quarter)s goal plan was sent to your manager.",
            quarter=change.quarter,
        )
    )
    return redirect(url_for("worklog.mine", _anchor="plan-changes"))


# -- the manager's team ---------------------------------------------------------------------------
@bp.get("/team")
def team():
    me = _me()
    logs = queries.team_logs(db.session, me)
    changes = queries.team_plan_changes(db.session, me)
    return render_template(
        "worklog/team.html",
        section="team",
        reports=direct_reports(db.session, me),
        logs=logs,
        changes=changes,
        **_sections(),
    )


def _refused(exc: InvalidData | Conflict) -> None:
    """Say on the next page why nothing was saved."""
    locale = current_locale()
    details = [m for messages in getattr(exc, "errors", {}).values() for m in messages]
    flash(" ".join([exc.text(locale), *details]), "error")


@bp.post("/team/logs/<int:log_id>/review")
def review(log_id: int):
    try:
        log = operations.review_log(
            db.session,
            log_id,
            current_actor(),
            request.form.get("note", ""),
            locale=current_locale(),
        )
    except (InvalidData, Conflict) as exc:
        db.session.rollback()
        _refused(exc)
    else:
        db.session.commit()
        flash(
            _(
                "%(name)s's log of %(day)s is reviewed.",
                name=log.author.display_name,
                day=log.day.isoformat(),
            )
        )
    return redirect(url_for("worklog.team"))


@bp.post("/team/plan-changes/<int:change_id>/decide")
def decide(change_id: int):
    try:
        change = operations.decide_plan_change(
            db.session,
            change_id,
            current_actor(),
            request.form.get("decision"),
            request.form.get("note", ""),
            locale=current_locale(),
        )
    except (InvalidData, Conflict) as exc:
        db.session.rollback()
        _refused(exc)
    else:
        db.session.commit()
        flash(
            _("%(name)s's goal-plan change was approved.", name=change.author.display_name)
            if change.status == "approved"
            else _("%(name)s's goal-plan change was rejected.", name=change.author.display_name)
        )
    return redirect(url_for("worklog.team", _anchor="plan-changes"))


# -- filed with HR --------------------------------------------------------------------------------
@bp.get("/filed")
def filed():
    actor = current_actor()
    permissions.require_filed_logs(actor)
    employee = request.args.get("employee", "").strip() or None
    start, end = _day_arg("from"), _day_arg("to")
    page = request.args.get("page", 1, type=int)
    if page < 1:
        abort(400)
    stmt = queries.visible_logs(actor, employee=employee, start=start, end=end)
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    logs = db.session.scalars(stmt.limit(PER_PAGE).offset((page - 1) * PER_PAGE)).all()
    changes = db.session.scalars(
        queries.visible_plan_changes(actor, employee=employee, start=start, end=end).limit(200)
    ).all()
    people = db.session.scalars(select(User).order_by(User.username)).all()
    return render_template(
        "worklog/filed.html",
        section="filed",
        logs=logs,
        total=total or 0,
        page=page,
        pages=max(1, -(-(total or 0) // PER_PAGE)),
        changes=changes,
        people=people,
        employee=employee,
        start=start,
        end=end,
        names=display_names(
            db.session, {e.reviewed_by for e in logs} | {c.reviewed_by for c in changes}
        ),
        **_sections(),
    )
