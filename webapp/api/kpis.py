"""The department's KPIs for a period: `GET /api/v1/kpis?from=YYYY-MM-DD&to=YYYY-MM-DD`."""

from __future__ import annotations

from flask import jsonify, request
from marshmallow import Schema, fields

from workflows import permissions
from workflows.kpi.queries import Period, department_kpis

from ..extensions import db
from ..i18n import current_locale
from . import bp
from .common import actor, api_login_required
from .schemas import FamilyStockSchema, RepairRateSchema


def _ratio(description: str):
    """A rate or mean as a decimal string, as computed: no float rounding on the way."""
    return fields.Decimal(
        as_string=True,
        allow_none=True,
        metadata={"type": "string", "format": "decimal", "description": description},
    )


class PeriodSchema(Schema):
    first = fields.Date(data_key="from")
    last = fields.Date(data_key="to")


class PromiseSchema(Schema):
    kind = fields.String(metadata={"description": "reply | onsite | resolve"})
    kept = fields.Integer()
    broken = fields.Integer()
    total = fields.Integer()
    rate = _ratio("kept / total, null without clocks stopped in the period")
    overdue_now = fields.Integer(metadata={"description": "running past their deadline now"})


class SatisfactionSchema(Schema):
    answers = fields.Integer()
    satisfied = fields.Integer()
    rate = _ratio("satisfied / answers (满意率)")
    target = _ratio("0.90")
    on_target = fields.Boolean(allow_none=True)
    average_score = _ratio("1 … 5")


class RepairsSchema(Schema):
    closed = fields.Integer()
    average_days = _ratio("opened → returned to the customer, in days")
    over_limit = fields.Integer(metadata={"description": "repairs that took over 2 days"})
    over_limit_rate = _ratio("over_limit / closed")
    loaners_lent = fields.Integer()
    open_now = fields.Integer()


class ComplaintsSchema(Schema):
    received = fields.Integer()
    by_problem_type = fields.Dict(keys=fields.String(), values=fields.Integer())
    corrective_actions_open = fields.Integer()


class GradeCountSchema(Schema):
    quarter = fields.String()
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())


class KpiSchema(Schema):
    period = fields.Nested(PeriodSchema)
    promises = fields.List(fields.Nested(PromiseSchema))
    satisfaction = fields.Nested(SatisfactionSchema)
    repairs = fields.Nested(RepairsSchema)
    complaints = fields.Nested(ComplaintsSchema)
    repair_rates = fields.List(fields.Nested(RepairRateSchema))
    stock = fields.List(fields.Nested(FamilyStockSchema))
    grades = fields.List(
        fields.Nested(GradeCountSchema),
        allow_none=True,
        metadata={
            "description": "published grades per quarter of the period's year; null for readers "
            "other than hr, plant_director and gm"
        },
    )


kpi_schema = KpiSchema()


@bp.get("/kpis")
@api_login_required
def get_kpis():
    """Service promises kept, satisfaction, repairs, complaints, repair rates, spare stock and
    (for HR, the plant director and the GM) the appraisal grades of the period's year."""
    caller = actor()
    permissions.require_kpis(caller)
    period = Period.parse(request.args.get("from"), request.args.get("to"), current_locale())
    kpis = department_kpis(
        db.session, period, with_grades=permissions.may_read_all_appraisals(caller)
    )
    return jsonify(kpi_schema.dump(kpis))
