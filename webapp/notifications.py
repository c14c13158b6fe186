"""The bell in the navbar, the list of a person's notifications, and marking them read."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, g, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import SQLAlchemyError

from workflows import notifications

from .auth import _safe_next, login_required
from .extensions import db

bp = Blueprint("notifications", __name__)

# the list shows the newest this many
LIST_LIMIT = 100

# notification kind -> the tag the list shows; kinds not named here show none
KIND_LABELS = {
    "task_assigned": _l("Task assigned"),
    "sla_reminder": _l("Deadline approaching"),
    "sla_breached": _l("Deadline passed"),
    "escalated": _l("Escalated"),
}


@bp.app_context_processor
def _bell() -> dict:
    def unread_notifications() -> int:
        user = g.get("user")
        if user is None:
            return 0
        try:
            return notifications.unread_count(db.session, user.username)
        except SQLAlchemyError:
            # the bell must not take the page (an error page, say) down with it
            current_app.logger.warning("unread count failed", exc_info=True)
            return 0

    return {"unread_notifications": unread_notifications}


@bp.get("/notifications")
@login_required
def index():
    rows = notifications.recent(db.session, g.user.username, LIST_LIMIT)
    return render_template(
        "notifications/index.html",
        notifications=rows,
        kind_labels=KIND_LABELS,
        limit=LIST_LIMIT,
    )


@bp.post("/notifications/read")
@login_required
def mark_read():
    """Mark one notification read (`id`), or all of them."""
    raw_id = request.form.get("id")
    if raw_id is None:
        notifications.mark_read(db.session, g.user.username, "all")
    else:
        if not raw_id.isdigit():
            abort(400)
        notification_id = int(raw_id)
        # someone else's notification is not found, like anything else one may not see
        if notifications.notification_for(db.session, g.user.username, notification_id) is None:
            abort(404)
        notifications.mark_read(db.session, g.user.username, [notification_id])
    db.session.commit()
    next_page = request.form.get("next")
    return redirect(_safe_next(next_page) if next_page else url_for("notifications.index"), 303)
