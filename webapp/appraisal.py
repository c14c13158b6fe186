"""The quarterly appraisal pages (docs/appraisal.md): HR's cycles, launches and reminders, the
result sheet (绩效考核结果处理表) with HR's decisions and its approval trail, approving sheets
in bulk, the year's summary, the weights and grade bands, and each person's own results.

The writes are the core's (`workflows.appraisal`); this module reads and commits.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import select

from engine.errors import Conflict, InvalidData
from engine.models import HumanTask, ProcessInstance
from engine.runtime import Actor
from engine.tasklist import can_act
from workflows import casework, jobs, permissions
from workflows.appraisal import bulk, grades, operations, queries, scoring, sheet
from workflows.appraisal.models import (
    APPROVAL_STEPS,
    CONSEQUENCE_CHOICES,
    AppraisalCycle,
)
from workflows.org.queries import display_names
from workflows.records.warranty import local_today

from . import appraisal_export, labels
from . import appraisal_sheets as sheets
from .extensions import db
from .i18n import current_locale
from .session_user import current_actor

log = logging.getLogger(__name__)

bp = Blueprint("appraisal", __name__, url_prefix="/appraisal")
bp.record_once(labels.register)

CYCLE_LABELS = {
    "launching": _l("Launching"),
    "rating": _l("Rating"),
    "compiling": _l("Compiling the result sheet"),
    "approving": _l("In approval"),
    "published": _l("Published"),
}
STEP_LABELS = {
    "supervisor": _l("Supervisor"),
    "hr": _l("Human resources"),
    "plant_director": _l("Plant director"),
    "gm": _l("General manager"),
}
GROUP_LABELS = {
    "superior": _l("Superior"),
    "peers": _l("Peers"),
    "subordinates": _l("Subordinates"),
}
CASE_LABELS = {
    "all": _l("Superior, peers and subordinates"),
    "no_peers": _l("No peers"),
    "no_subordinates": _l("No subordinates"),
    "neither": _l("Neither peers nor subordinates"),
}
CONSEQUENCE_LABELS = {
    "none": _l("No consequence"),
    "no_raise": _l("No pay raise"),
    "step_down": _l("Down one salary step"),
}
CHOICE_LABELS = {
    "keep": _l("Keep in post"),
    "training_wait": _l("Unpaid training wait"),
    "transfer": _l("Transfer"),
    "dismissal": _l("Dismissal"),
}
DECISION_LABELS = {"approve": _l("Approved"), "return": _l("Returned")}

_LABELS = {
    "cycle": CYCLE_LABELS,
    "step": STEP_LABELS,
    "group": GROUP_LABELS,
    "case": CASE_LABELS,
    "consequence": CONSEQUENCE_LABELS,
    "choice": CHOICE_LABELS,
    "decision": DECISION_LABELS,
}


def appraisal_label(kind: str, code: str | None) -> str:
    """What the pages call a stored appraisal code; a dash for none."""
    if code in (None, ""):
        return "—"
    return str(_LABELS[kind].get(code, code))


def grade_label(grade: str | None) -> str:
    if not grade:
        return "—"
    zh, en = scoring.GRADE_LABELS.get(grade, (grade, grade))
    return zh if current_locale().startswith("zh") else f"{en} ({zh})"


def score(value: Decimal | None, places: int = 2) -> str:
    """A stored score or average as people read it: 2 decimals, half up; a dash for none."""
    return "—" if value is None else str(scoring.round_to(value, places))


def weights_text(weights: dict[str, Any] | None) -> str:
    if not weights:
        return "—"
    groups = [g for g in scoring.GROUP_KEYS if g in weights]
    return " · ".join(f"{appraisal_label('group', g)} {weights[g]}%" for g in groups)


@bp.app_context_processor
def _helpers() -> dict:
    def appraisal_access() -> bool:
        """Whether the navbar offers the appraisal: readers, approvers, the appraised."""
        actor = current_actor()
        if actor is None:
            return False
        if permissions.may_read_all_appraisals(actor):
            return True
        return sheets.has_own_results(db.session, actor) or bool(_my_approvals(actor))

    def appraisal_reader() -> bool:
        actor = current_actor()
        return actor is not None and permissions.may_read_all_appraisals(actor)

    return {
        "appraisal_access": appraisal_access,
        "appraisal_reader": appraisal_reader,
        "appraisal_label": appraisal_label,
        "grade_label": grade_label,
        "weights_text": weights_text,
    }


@bp.app_template_filter("score")
def _score_filter(value: Decimal | None, places: int = 2) -> str:
    return score(value, places)


@bp.before_request
def _guard():
    if current_actor() is None:
        return redirect(url_for("auth.login", next=request.full_path))
    return None


def _my_approvals(actor: Actor) -> list[HumanTask]:
    return queries.approvals_for(db.session, actor)


# -- the overview ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class CycleRow:
    cycle: AppraisalCycle
    progress: queries.Progress
    ratings: tuple[int, int]  # forms filled, forms expected
    pending: list[tuple[str, int]]  # raters with forms to fill (HR only)


def _cycle_rows(actor: Actor) -> list[CycleRow]:
    if not permissions.may_read_all_appraisals(actor):
        return []
    cycles = list(
        db.session.scalars(select(AppraisalCycle).order_by(AppraisalCycle.quarter.desc()))
    )
    ratings = sheets.forms_filled(db.session, [c.id for c in cycles])
    runs = permissions.may_run_appraisals(actor)
    return [
        CycleRow(
            c,
            queries.progress(db.session, c),
            ratings.get(c.id, (0, 0)),
            queries.pending_raters(db.session, c.id) if runs and c.status == "rating" else [],
        )
        for c in cycles
    ]


def _overview(status: int = 200, *, launch: dict | None = None):
    actor = current_actor()
    rows = _cycle_rows(actor)
    mine = sheets.own_results(db.session, actor)
    return render_template(
        "appraisal/index.html",
        section="overview",
        rows=rows,
        mine=mine,
        appealing=sheets.open_appeals(db.session, (a.id for a in mine)),
        may_run=permissions.may_run_appraisals(actor),
        launch=launch or {"quarter": _this_quarter()},
        names=display_names(db.session, {r for row in rows for r, _ in row.pending}),
    ), status


def _this_quarter() -> str:
    today = local_today()
    return f"{today.year}Q{(today.month - 1) // 3 + 1}"


@bp.get("")
def index():
    return _overview()


@bp.post("/cycles")
def launch():
    """HR launches a quarter: the cycle is saved, a background job starts the appraisals."""
    locale = current_locale()
    quarter = request.form.get("quarter", "")
    try:
        cycle = operations.create_cycle(db.session, quarter, current_actor(), locale=locale)
    except InvalidData as exc:
        db.session.rollback()
        return _overview(422, launch={"quarter": quarter, "errors": exc.errors})
    except Conflict:
        db.session.rollback()
        problem = _("This quarter already has a cycle.")
        return _overview(409, launch={"quarter": quarter, "errors": {"quarter": [problem]}})
    db.session.commit()
    try:
        jobs.launch_appraisal_cycle.delay(cycle.id)
    except Exception:  # noqa: BLE001 - the cycle is saved; the beat job queues it again later
        log.exception("could not queue the launch of appraisal cycle %s", cycle.id)
    flash(_("The %(quarter)s appraisal is being launched.", quarter=cycle.quarter))
    return redirect(url_for("appraisal.index"))


@bp.post("/cycles/<int:cycle_id>/remind")
def remind(cycle_id: int):
    cycle = _cycle(cycle_id)
    pending = operations.remind_raters(
        db.session, cycle.id, current_actor(), locale=current_locale()
    )
    db.session.commit()
    flash(ngettext("%(num)d rater was reminded.", "%(num)d raters were reminded.", len(pending)))
    return redirect(url_for("appraisal.index"))


# -- the result sheet -----------------------------------------------------------------------------
def _cycle(cycle_id: int) -> AppraisalCycle:
    permissions.require_appraisal_readers(current_actor())
    cycle = db.session.get(AppraisalCycle, cycle_id)
    if cycle is None:
        abort(404)
    return cycle


def _sheet_cycle(cycle_id: int) -> AppraisalCycle:
    """HR, the plant director and the GM read every sheet; whoever takes part in the sheet's
    case (the supervisor who signs it) reads that one."""
    actor = current_actor()
    cycle = db.session.get(AppraisalCycle, cycle_id)
    if cycle is None:
        abort(404)
    if not permissions.may_read_all_appraisals(actor):
        instance = (
            db.session.get(ProcessInstance, cycle.sheet_instance_id)
            if cycle.sheet_instance_id
            else None
        )
        permissions.require_instance_visible(db.session, instance, actor)
    return cycle


def _sheet_page(cycle: AppraisalCycle, status: int = 200, *, form=None, errors=None):
    actor = current_actor()
    locale = current_locale()
    tasks = (
        casework.instance_tasks(db.session, cycle.sheet_instance_id)
        if cycle.sheet_instance_id
        else []
    )
    return render_template(
        "appraisal/sheet.html",
        section="overview",
        sheet=sheets.result_sheet(db.session, cycle, locale),
        steps=APPROVAL_STEPS,
        choices=CONSEQUENCE_CHOICES,
        min_days=sheet.MIN_TRAINING_DAYS,
        my_tasks=[t for t in tasks if t.status == "open" and can_act(t, actor)],
        may_decide=permissions.may_run_appraisals(actor) and cycle.status == "compiling",
        may_export=permissions.may_read_all_appraisals(actor),
        form=form or {},
        errors=errors or {},
    ), status


@bp.get("/cycles/<int:cycle_id>/sheet")
def result_sheet_page(cycle_id: int):
    return _sheet_page(_sheet_cycle(cycle_id))


@bp.post("/cycles/<int:cycle_id>/consequences")
def decide(cycle_id: int):
    """HR's Art. 17 decisions for the flagged people, posted from the sheet."""
    cycle = _cycle(cycle_id)
    locale = current_locale()
    names = request.form.getlist("employee")
    decisions = [
        {
            "employee": name,
            "choice": request.form.get(f"choice_{name}", ""),
            "reason": request.form.get(f"reason_{name}", ""),
            "days": request.form.get(f"days_{name}", ""),
        }
        for name in names
    ]
    try:
        sheet.set_consequences(db.session, cycle.id, decisions, current_actor(), locale=locale)
    except InvalidData as exc:
        db.session.rollback()
        form = {f"{k}_{d['employee']}": v for d in decisions for k, v in d.items()}
        return _sheet_page(cycle, 422, form=form, errors=exc.errors)
    except Conflict as exc:
        db.session.rollback()
        flash(exc.text(locale), "error")
        return redirect(url_for("appraisal.result_sheet_page", cycle_id=cycle_id))
    db.session.commit()
    flash(_("The decisions were saved."))
    return redirect(url_for("appraisal.result_sheet_page", cycle_id=cycle_id))


# -- approving in bulk ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Outcome:
    task_id: str
    step: str | None  # supervisor | hr | plant_director | gm
    quarter: str | None
    approved: bool
    detail: str | None = None


def _quarters_of(tasks: Iterable[HumanTask]) -> dict[int, AppraisalCycle]:
    ids = {t.instance_id for t in tasks}
    if not ids:
        return {}
    return {
        c.sheet_instance_id: c
        for c in db.session.scalars(
            select(AppraisalCycle).where(AppraisalCycle.sheet_instance_id.in_(ids))
        )
    }


@bp.get("/approvals")
def approvals():
    tasks = _my_approvals(current_actor())
    return render_template(
        "appraisal/approvals.html", section="approvals", tasks=tasks, cycles=_quarters_of(tasks)
    )


@bp.post("/approvals/approve-all")
def approve_all():
    """Approve each open result-sheet approval the caller may act on, one by one through the
    one complete-task path (the same checks), each committed on its own; report each."""
    actor, locale = current_actor(), current_locale()
    tasks = _my_approvals(actor)
    cycles = _quarters_of(tasks)
    steps = queries.RESULTS_APPROVAL_TASKS
    outcomes = []
    for s in bulk.approve_all(db.session, actor, commit=db.session.commit, locale=locale):
        cycle = cycles.get(s.instance_id)
        quarter = cycle.quarter if cycle else None
        if s.approved:
            outcomes.append(Outcome(s.task_id, steps.get(s.task), quarter, True))
            continue
        details = [
            m for messages in (getattr(s.error, "errors", None) or {}).values() for m in messages
        ]
        outcomes.append(
            Outcome(
                s.task_id,
                steps.get(s.task),
                quarter,
                False,
                " ".join([s.error.text(locale), *details]),
            )
        )
    remaining = _my_approvals(actor)
    return render_template(
        "appraisal/approvals.html",
        section="approvals",
        tasks=remaining,
        cycles=_quarters_of(remaining),
        outcomes=outcomes,
    )


# -- the year -------------------------------------------------------------------------------------
def _year(year: int) -> int:
    permissions.require_appraisal_readers(current_actor())
    if not 2000 <= year <= 2999:
        abort(404)
    return year


@bp.get("/annual")
def annual_latest():
    permissions.require_appraisal_readers(current_actor())
    return redirect(url_for("appraisal.annual", year=local_today().year))


@bp.get("/annual/<int:year>")
def annual(year: int):
    table = sheets.annual_table(db.session, _year(year))
    years = sorted(
        {int(q[:4]) for q in db.session.scalars(select(AppraisalCycle.quarter))} | {year},
        reverse=True,
    )
    return render_template("appraisal/annual.html", section="annual", table=table, years=years)


# -- exports --------------------------------------------------------------------------------------
def _download(body: bytes, filename: str, mimetype: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f"attachment; filename={filename}"
    return response


@bp.get("/cycles/<int:cycle_id>/results.<any(xlsx, pdf):fmt>")
def export_sheet(cycle_id: int, fmt: str):
    data = sheets.result_sheet(db.session, _cycle(cycle_id), "zh_CN")
    name = f"appraisal-results-{data.cycle.quarter}.{fmt}"
    if fmt == "xlsx":
        return _download(appraisal_export.sheet_xlsx(data), name, appraisal_export.XLSX)
    return _download(appraisal_export.sheet_pdf(data), name, "application/pdf")


@bp.get("/annual/<int:year>.<any(xlsx, pdf):fmt>")
def export_annual(year: int, fmt: str):
    table = sheets.annual_table(db.session, _year(year))
    name = f"appraisal-annual-{year}.{fmt}"
    if fmt == "xlsx":
        return _download(appraisal_export.annual_xlsx(table), name, appraisal_export.XLSX)
    return _download(appraisal_export.annual_pdf(table), name, "application/pdf")


# -- settings -------------------------------------------------------------------------------------
def _settings_page(status: int = 200, *, weights=None, bands=None, errors=None):
    current = queries.current_settings(db.session)
    table, bounds = grades.deployed_bands(db.session)
    people = [current.updated_by] + ([table.deployed_by] if table else [])
    return render_template(
        "appraisal/settings.html",
        section="settings",
        cases=scoring.CASES,
        grades=scoring.BANDED_GRADES,
        lowest=scoring.LOWEST_GRADE,
        weights=weights or current.weights,
        bands=bands or {g: b for g, b in bounds.items() if b is not None},
        table=table,
        updated=current,
        may_edit=permissions.may_run_appraisals(current_actor()) and table is not None,
        errors=errors or {},
        names=display_names(db.session, people),
    ), status


@bp.get("/settings/appraisal_grade.dmn")
def grade_table_source():
    """The grade table as deployed, to edit in a DMN editor and upload as a new version."""
    permissions.require_appraisal_readers(current_actor())
    try:
        table, _table = grades.current_table(db.session)
    except Conflict:
        abort(404)
    return _download(table.source.encode(), grades.GRADE_FILE, "application/xml")


@bp.get("/settings")
def settings():
    permissions.require_appraisal_readers(current_actor())
    return _settings_page()


@bp.post("/settings")
def save_settings():
    weights = {
        case: {g: request.form.get(f"weights.{case}.{g}", "").strip() for g in groups}
        for case, groups in scoring.CASES.items()
    }
    bands = {g: request.form.get(f"bands.{g}", "").strip() for g in scoring.BANDED_GRADES}
    try:  # the core reads the typed numbers, refuses what is not one, and stores numbers
        operations.update_settings(
            db.session, weights, bands, current_actor(), locale=current_locale()
        )
    except InvalidData as exc:
        db.session.rollback()
        return _settings_page(422, weights=weights, bands=bands, errors=exc.errors)
    db.session.commit()
    flash(_("The weights and grade bands were saved. Quarters launched from now on use them."))
    return redirect(url_for("appraisal.settings"))
