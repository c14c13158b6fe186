"""Administrator pages: monitoring stuck and failed cases, and the levers to move them."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import selectinload

from engine.errors import Conflict, InvalidData
from engine.models import Incident, ProcessInstance
from workflows import casework, permissions
from workflows.org.queries import display_names

from . import labels
from .auth import _safe_next, login_required
from .extensions import db
from .i18n import current_locale, pick
from .session_user import current_actor

bp = Blueprint("admin", __name__, url_prefix="/admin")
bp.record_once(labels.register)

STUCK_LIMIT = 200

# the same rule as the API's `stuck=true`, plus suspended cases, which wait for an administrator
NEEDS_ATTENTION = or_(
    ProcessInstance.status.in_(("error", "suspended")),
    and_(ProcessInstance.status == "waiting", ProcessInstance.next_timer_at.is_(None)),
)

DONE_MESSAGES = {
    "retry": lambda case: _("Case %(case)s: the failed step was run again.", case=case),
    "suspend": lambda case: _("Case %(case)s suspended.", case=case),
    "resume": lambda case: _("Case %(case)s resumed.", case=case),
    "terminate": lambda case: _("Case %(case)s terminated.", case=case),
}


@bp.get("/monitor")
@login_required
def monitor():
    permissions.require_admin(current_actor())
    counts = dict(
        db.session.execute(
            select(ProcessInstance.status, func.count()).group_by(ProcessInstance.status)
        ).all()
    )
    cases = db.session.scalars(
        select(ProcessInstance)
        .where(NEEDS_ATTENTION)
        .options(selectinload(ProcessInstance.definition))
        .order_by(ProcessInstance.updated_at)
        .limit(STUCK_LIMIT)
    ).all()
    return render_template(
        "admin/monitor.html",
        counts=counts,
        statuses=list(labels.STATUS_LABELS),
        cases=cases,
        problems=_incident_messages([c.id for c in cases]),
        names=display_names(db.session, {c.started_by for c in cases}),
        limit=STUCK_LIMIT,
    )


def _incident_messages(instance_ids: list[int]) -> dict[int, list[str]]:
    """Open incident messages per case, in the viewer's language."""
    messages: dict[int, list[str]] = {}
    if not instance_ids:
        return messages
    locale = current_locale()
    rows = db.session.scalars(
        select(Incident)
        .where(Incident.instance_id.in_(instance_ids), Incident.resolved_at.is_(None))
        .order_by(Incident.id)
    )
    for incident in rows:
        text = pick(locale, incident.message_zh, incident.message)
        if incident.line:
            text = _("%(message)s (line %(line)s)", message=text, line=incident.line)
        messages.setdefault(incident.instance_id, []).append(text)
    return messages


@bp.post("/cases/<int:instance_id>/<any(retry, suspend, resume, terminate):action>")
@login_required
def case_action(instance_id: int, action: str):
    actor = current_actor()
    permissions.require_admin(actor)
    target = request.form.get("next")
    back = redirect(_safe_next(target) if target else url_for("admin.monitor"))
    locale = current_locale()
    try:
        data = _corrections(request.form.get("data", "")) if action == "retry" else None
    except ValueError as exc:
        flash(str(exc), "error")
        return back
    try:
        instance = casework.administer(
            db.session, instance_id, action, actor, data=data, locale=locale
        )
    except (Conflict, InvalidData) as exc:
        db.session.rollback()
        flash(exc.text(locale), "error")
        return back
    db.session.commit()
    case = labels.case_ref(instance)
    if action == "retry" and instance.status == "error":
        flash(
            _("Case %(case)s: the step failed again. Read its incident and retry.", case=case),
            "error",
        )
    else:
        flash(DONE_MESSAGES[action](case))
    return back


def _corrections(text: str) -> dict[str, Any] | None:
    """The administrator's corrected values typed as a JSON object; None when left empty.

    Raises ValueError with a sentence to show when the text is not a JSON object."""
    if not text.strip():
        return None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(
            _(
                "The corrected values are not valid JSON (line %(line)s, column %(column)s). "
                "Nothing was changed; fix them and retry.",
                line=exc.lineno,
                column=exc.colno,
            )
        ) from exc
    if not isinstance(value, dict):
        raise ValueError(
            _(
                'The corrected values must be a JSON object, such as {"amount": 500}. '
                "Nothing was changed."
            )
        )
    return value
