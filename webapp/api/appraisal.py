"""The quarterly appraisal: cycles (launch, progress, reminders, HR's decisions), appraisals
as each persona may see them, the year's summary, the settings, and approving result sheets
in bulk. Raters are never named to the person rated."""

from __future__ import annotations

import logging
from dataclasses import asdict

from flask import abort, jsonify, request
from marshmallow import Schema, fields
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from engine.errors import NotFound
from workflows import jobs, permissions
from workflows.appraisal import bulk, grades, operations, queries, sheet
from workflows.appraisal.models import Appraisal, AppraisalCycle
from workflows.org.queries import display_names

from ..extensions import db
from ..i18n import current_locale
from . import bp
from .common import actor, api_login_required, commit, json_body, paginate

log = logging.getLogger(__name__)


def _decimal(places: int):
    """A score as a decimal string, as stored: no rounding by floats on the way."""
    return fields.Decimal(
        places=places,
        as_string=True,
        allow_none=True,
        metadata={"type": "string", "format": "decimal"},
    )


class ProgressSchema(Schema):
    done = fields.Integer(metadata={"description": "appraisals with every rating in"})
    total = fields.Integer(metadata={"description": "people in scope"})
    launched = fields.Integer(metadata={"description": "appraisals started so far"})


class PendingRaterSchema(Schema):
    rater = fields.String()
    display_name = fields.String()
    count = fields.Integer()


class CycleSchema(Schema):
    id = fields.Integer()
    quarter = fields.String()
    status = fields.String()
    round = fields.Integer()
    total = fields.Integer()
    launched_by = fields.String()
    launched_at = fields.AwareDateTime()
    weights = fields.Dict()
    bands = fields.Dict()
    grade_table_id = fields.Integer(allow_none=True)
    appeals_until = fields.AwareDateTime(allow_none=True)
    appeals_closed_at = fields.AwareDateTime(allow_none=True)
    sheet_instance_id = fields.Integer(allow_none=True)
    progress = fields.Nested(ProgressSchema)
    current_step = fields.String(allow_none=True)
    pending_raters = fields.List(fields.Nested(PendingRaterSchema))


class ScoresSchema(Schema):
    superior = _decimal(4)
    peers = _decimal(4)
    subordinates = _decimal(4)


class RevisionSchema(Schema):
    composite = _decimal(2)
    grade = fields.String()
    original_composite = _decimal(2)
    original_grade = fields.String()
    reason = fields.String()
    decided_at = fields.AwareDateTime()


class AppraisalSchema(Schema):
    id = fields.Integer()
    employee = fields.String()
    display_name = fields.String()
    quarter = fields.String()
    kind = fields.String()
    status = fields.String()
    scores = fields.Nested(ScoresSchema)
    weights = fields.Dict(allow_none=True)
    composite = _decimal(2)
    grade = fields.String(allow_none=True)
    consequence = fields.String(allow_none=True)
    consequence_choice = fields.String(allow_none=True)
    consequence_reason = fields.String(allow_none=True)
    consequence_days = fields.Integer(allow_none=True)
    needs_decision = fields.Boolean()
    published_at = fields.AwareDateTime(allow_none=True)
    appeal_until = fields.AwareDateTime(allow_none=True)
    revision = fields.Nested(RevisionSchema, allow_none=True)
    effective = fields.Dict(metadata={"description": "{composite, grade} after any appeal"})


class AnnualSchema(Schema):
    employee = fields.String()
    display_name = fields.String()
    quarters = fields.Dict(keys=fields.String(), values=_decimal(2))
    score = _decimal(2)
    grade = fields.String(allow_none=True)


class GradeTableSchema(Schema):
    key = fields.String()
    version = fields.Integer()
    deployed_by = fields.String(allow_none=True)
    deployed_at = fields.AwareDateTime()


class SettingsSchema(Schema):
    weights = fields.Dict()
    bands = fields.Dict(keys=fields.String(), values=_decimal(2))
    grade_table = fields.Nested(GradeTableSchema, allow_none=True)
    updated_by = fields.String(allow_none=True)
    updated_at = fields.AwareDateTime(allow_none=True)


cycle_schema = CycleSchema()
cycle_list_schema = CycleSchema(exclude=("pending_raters",))
appraisals_schema = AppraisalSchema(many=True)
annual_schema = AnnualSchema(many=True)
settings_schema = SettingsSchema()


# -- cycles -----------------------------------------------------------------------------------------
def _cycle(cycle_id: int) -> AppraisalCycle:
    permissions.require_appraisal_readers(actor())
    cycle = db.session.get(AppraisalCycle, cycle_id)
    if cycle is None:
        raise NotFound("There is no such appraisal cycle.", "没有这个考核周期。")
    return cycle


def _cycle_json(cycle: AppraisalCycle, *, detail: bool = False) -> dict:
    progress = queries.progress(db.session, cycle)
    body = {
        "id": cycle.id,
        "quarter": cycle.quarter,
        "status": cycle.status,
        "round": cycle.round,
        "total": cycle.total,
        "launched_by": cycle.launched_by,
        "launched_at": cycle.launched_at,
        "weights": cycle.weights,
        "bands": cycle.bands,
        "grade_table_id": cycle.grade_table_id,
        "appeals_until": cycle.appeals_until,
        "appeals_closed_at": cycle.appeals_closed_at,
        "sheet_instance_id": cycle.sheet_instance_id,
        "progress": asdict(progress),
        "current_step": sheet.current_step(db.session, cycle),
    }
    if not detail:
        return cycle_list_schema.dump(body)
    pending = queries.pending_raters(db.session, cycle.id)
    names = display_names(db.session, [r for r, _ in pending])
    body["pending_raters"] = [
        {"rater": r, "display_name": names.get(r, r), "count": n} for r, n in pending
    ]
    return cycle_schema.dump(body)


@bp.get("/appraisal-cycles")
@api_login_required
def list_cycles():
    permissions.require_appraisal_readers(actor())
    stmt = select(AppraisalCycle).order_by(AppraisalCycle.quarter.desc())
    return jsonify(paginate(stmt, lambda rows: [_cycle_json(c) for c in rows]))


@bp.post("/appraisal-cycles")
@api_login_required
def create_cycle():
    """202: the cycle exists; a background job starts everyone's appraisal."""
    cycle = operations.create_cycle(
        db.session, json_body().get("quarter"), actor(), locale=current_locale()
    )
    commit()
    try:
        jobs.launch_appraisal_cycle.delay(cycle.id)
    except Exception:  # noqa: BLE001 - the cycle is saved; the beat job queues it again later
        log.exception("could not queue the launch of appraisal cycle %s", cycle.id)
    return jsonify(_cycle_json(cycle)), 202


@bp.get("/appraisal-cycles/<int:cycle_id>")
@api_login_required
def get_cycle(cycle_id: int):
    return jsonify(_cycle_json(_cycle(cycle_id), detail=True))


@bp.post("/appraisal-cycles/<int:cycle_id>/remind")
@api_login_required
def remind(cycle_id: int):
    cycle = _cycle(cycle_id)
    pending = operations.remind_raters(db.session, cycle.id, actor(), locale=current_locale())
    commit()
    return jsonify({"notified": len(pending), "cycle": _cycle_json(cycle, detail=True)})


def _flagged_json(appraisals: list[Appraisal]) -> dict:
    items = _appraisals_json(appraisals, flagged={a.id for a in appraisals})
    return {"items": items, "total": len(items), "page": 1, "per_page": max(1, len(items))}


@bp.get("/appraisal-cycles/<int:cycle_id>/consequences")
@api_login_required
def consequences(cycle_id: int):
    """The people HR must decide on (Art. 17: the bottom of the department and every 差)."""
    cycle = _cycle(cycle_id)
    return jsonify(
        _flagged_json(queries.needs_decision(queries.cycle_appraisals(db.session, cycle.id)))
    )


@bp.post("/appraisal-cycles/<int:cycle_id>/consequences")
@api_login_required
def decide_consequences(cycle_id: int):
    """`{"decisions": [{employee, choice: keep|training_wait|transfer|dismissal, reason,
    days (training_wait, ≥ 3)}]}`, before compiling or while the sheet is returned."""
    cycle = _cycle(cycle_id)
    decisions = json_body().get("decisions")
    if not isinstance(decisions, list):
        abort(400)
    flagged = sheet.set_consequences(
        db.session, cycle.id, decisions, actor(), locale=current_locale()
    )
    commit()
    return jsonify(_flagged_json(flagged))


# -- appraisals -------------------------------------------------------------------------------------
def _appraisals_json(rows: list[Appraisal], *, flagged: set[int] | None = None) -> list[dict]:
    names = display_names(db.session, [a.employee for a in rows])
    if flagged is None:
        flagged = set()
        for cycle_id in {a.cycle_id for a in rows}:
            cycle = db.session.get(AppraisalCycle, cycle_id)
            if cycle.status != "launching" and not any(
                a.status == "rating" for a in cycle.appraisals
            ):
                flagged |= {a.id for a in queries.needs_decision(cycle.appraisals)}
    items = []
    for a in rows:
        revision = a.revision
        items.append(
            {
                "id": a.id,
                "employee": a.employee,
                "display_name": names.get(a.employee, a.employee),
                "quarter": a.cycle.quarter,
                "kind": a.kind,
                "status": a.status,
                # group averages only: who gave what is never shown
                "scores": {
                    "superior": a.superior_avg,
                    "peers": a.peers_avg,
                    "subordinates": a.subordinates_avg,
                },
                "weights": a.weights,
                "composite": a.composite,
                "grade": a.grade,
                "consequence": a.consequence,
                "consequence_choice": a.consequence_choice,
                "consequence_reason": a.consequence_reason,
                "consequence_days": a.consequence_days,
                "needs_decision": a.id in flagged,
                "published_at": a.published_at,
                "appeal_until": a.appeal_until,
                "revision": (
                    {
                        "composite": revision.revised_composite,
                        "grade": revision.revised_grade,
                        "original_composite": revision.original_composite,
                        "original_grade": revision.original_grade,
                        "reason": revision.reason,
                        "decided_at": revision.decided_at,
                    }
                    if revision
                    else None
                ),
                "effective": {
                    "composite": None
                    if a.effective_composite is None
                    else str(a.effective_composite),
                    "grade": a.effective_grade,
                },
            }
        )
    return appraisals_schema.dump(items)


@bp.get("/appraisals")
@api_login_required
def list_appraisals():
    """Filters `quarter`, `employee`; HR, the plant director and the GM see all, others their
    own once published."""
    caller = actor()
    stmt = (
        select(Appraisal)
        .join(AppraisalCycle)
        .where(permissions.appraisals_visible_to(caller))
        .options(selectinload(Appraisal.revisions), selectinload(Appraisal.cycle))
        .order_by(AppraisalCycle.quarter.desc(), Appraisal.employee)
    )
    if request.args.get("quarter"):
        stmt = stmt.where(AppraisalCycle.quarter == request.args["quarter"])
    if request.args.get("employee"):
        stmt = stmt.where(Appraisal.employee == request.args["employee"])
    return jsonify(paginate(stmt, _appraisals_json))


@bp.get("/appraisals/<int:appraisal_id>")
@api_login_required
def get_appraisal(appraisal_id: int):
    appraisal = permissions.require_appraisal_visible(
        actor(), db.session.get(Appraisal, appraisal_id)
    )
    return jsonify(_appraisals_json([appraisal])[0])


@bp.get("/appraisals/annual")
@api_login_required
def annual():
    """Per person: the year's four quarters (published, revised where an appeal revised
    them), the annual score (their mean) and grade. Others than HR, the plant director and
    the GM get their own row only."""
    try:
        year = int(request.args.get("year", ""))
    except ValueError:
        abort(400)
    caller = actor()
    employee = None if permissions.may_read_all_appraisals(caller) else caller.username
    rows = queries.annual_summary(db.session, year, employee=employee)
    items = annual_schema.dump(rows)
    return jsonify({"year": year, "items": items, "total": len(items)})


# -- settings ---------------------------------------------------------------------------------------
@bp.get("/appraisal-settings")
@api_login_required
def get_settings():
    permissions.require_appraisal_readers(actor())
    return jsonify(_settings_json())


def _settings_json() -> dict:
    """The weights, and the grade table's current version with each grade's lowest score."""
    settings = queries.current_settings(db.session)
    table, bounds = grades.deployed_bands(db.session)
    return settings_schema.dump(
        {
            "weights": settings.weights,
            "bands": bounds,
            "grade_table": table,
            "updated_by": settings.updated_by,
            "updated_at": settings.updated_at,
        }
    )


@bp.put("/appraisal-settings")
@api_login_required
def put_settings():
    """`{"weights": {case: {group: percent}}, "bands": {grade: lower bound}}`; each case adds
    up to 100, bounds strictly descending; other bounds deploy a new version of the grade
    table. Cycles already launched keep theirs."""
    body = json_body()
    operations.update_settings(
        db.session, body.get("weights"), body.get("bands"), actor(), locale=current_locale()
    )
    commit()
    return jsonify(_settings_json())


# -- approving result sheets in bulk ----------------------------------------------------------------
@bp.post("/approvals/approve-all")
@api_login_required
def approve_all():
    """Approve every open result-sheet approval the caller may act on, each through the one
    complete-task path (the same checks) and in its own transaction; reports per task."""
    locale = current_locale()
    signed = bulk.approve_all(db.session, actor(), commit=commit, locale=locale)
    items = [
        {"task_id": s.task_id, "instance_id": s.instance_id, "step": s.task, "status": 200}
        if s.approved
        else {
            "task_id": s.task_id,
            "instance_id": s.instance_id,
            "step": s.task,
            "status": s.error.status,
            "detail": s.error.text(locale),
            "errors": getattr(s.error, "errors", None),
        }
        for s in signed
    ]
    approved = sum(1 for item in items if item["status"] == 200)
    return jsonify({"items": items, "approved": approved, "failed": len(items) - approved})
