"""The department's KPIs (售后服务指标) for its managers, the plant director, the GM and HR."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from engine.errors import InvalidData
from workflows import permissions
from workflows.kpi.queries import SATISFACTION_TARGET, Period, department_kpis

from . import labels
from .auth import login_required
from .extensions import db
from .i18n import current_locale
from .session_user import current_actor

bp = Blueprint("kpi", __name__, url_prefix="/kpi")
bp.record_once(labels.register)


@bp.get("")
@login_required
def dashboard():
    actor = current_actor()
    permissions.require_kpis(actor)
    typed = {"from": request.args.get("from", ""), "to": request.args.get("to", "")}
    errors: dict[str, list[str]] = {}
    try:
        period = Period.parse(typed["from"], typed["to"], current_locale())
    except InvalidData as exc:
        errors, period = exc.errors, Period.quarter_to_date()
    kpis = department_kpis(
        db.session, period, with_grades=permissions.may_read_all_appraisals(actor)
    )
    return render_template(
        "kpi/dashboard.html",
        kpis=kpis,
        typed=typed,
        errors=errors,
        target=SATISFACTION_TARGET,
    ), (422 if errors else 200)


@bp.app_context_processor
def _helpers() -> dict:
    def kpi_access() -> bool:
        actor = current_actor()
        return actor is not None and permissions.may_read_kpis(actor)

    return {"kpi_access": kpi_access}
