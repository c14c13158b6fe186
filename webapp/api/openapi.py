"""The OpenAPI description of the JSON API, built from the same schemas the views dump."""

from __future__ import annotations

from functools import lru_cache

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import jsonify

from . import bp
from .appraisal import AnnualSchema, AppraisalSchema, CycleSchema, SettingsSchema
from .kpis import KpiSchema
from .schemas import (
    AuditEventSchema,
    CustomerSchema,
    DecisionSchema,
    DefinitionSchema,
    FailureRecordSchema,
    FamilyStockSchema,
    IncidentSchema,
    InstanceSchema,
    PartSchema,
    RepairOrderSchema,
    RepairRateSchema,
    ReturnRequestSchema,
    TaskSchema,
    UnitSchema,
)
from .worklog import GoalPlanChangeSchema, PersonSchema, WorkLogSchema

_ERRORS = {
    code: {
        "description": text,
        "content": {
            "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
        },
    }
    for code, text in {
        "400": "Malformed JSON",
        "401": "Not logged in",
        "403": "Not allowed",
        "404": "Unknown id, or one the caller may not see",
        "409": "Conflict",
        "422": "Invalid data or invalid diagram",
    }.items()
}

_PATHS = {
    "/auth/token": {
        "post": ("Exchange username and password for a bearer token", None, ["401", "400"])
    },
    "/me": {"get": ("The caller's profile and roles", None, ["401"])},
    "/process-definitions": {
        "get": ("Latest version of each process", "Definition", ["401"]),
        "post": (
            "Deploy .bpmn/.dmn/.form files (multipart field `files`) as new versions; "
            "`items` the processes, `decisions` the decision tables",
            "Definition",
            ["401", "403", "422"],
        ),
    },
    "/process-definitions/{key}": {
        "get": ("A process with its start form", "Definition", ["401", "404"])
    },
    "/decision-definitions": {
        "get": (
            "Latest version of each decision table (process_owner, admin)",
            "Decision",
            ["401", "403"],
        )
    },
    "/decision-definitions/{key}": {
        "get": (
            "The latest version of a decision table with its .dmn source (process_owner, admin)",
            "Decision",
            ["401", "403", "404"],
        )
    },
    "/process-instances": {
        "get": (
            "Instances the caller may see; filters process, status, business_key, stuck",
            "Instance",
            ["401"],
        ),
        "post": (
            "Start an instance: {process, data, business_key?}",
            "Instance",
            ["400", "401", "403", "404", "422"],
        ),
    },
    "/process-instances/{id}": {
        "get": ("An instance with tasks, history and incidents", "Instance", ["401", "404"])
    },
    "/process-instances/{id}/retry": {
        "post": ("Re-run the failed step (admin)", "Instance", ["401", "403", "404", "409"])
    },
    "/process-instances/{id}/suspend": {
        "post": ("Suspend (admin)", "Instance", ["401", "403", "404", "409"])
    },
    "/process-instances/{id}/resume": {
        "post": ("Resume (admin)", "Instance", ["401", "403", "404", "409"])
    },
    "/process-instances/{id}/terminate": {
        "post": ("Terminate (admin)", "Instance", ["401", "403", "404", "409"])
    },
    "/tasks": {
        "get": (
            "Tasks by scope: mine, claimable, open, all (admin); instance=<id>",
            "Task",
            ["400", "401", "403"],
        )
    },
    "/tasks/{id}": {"get": ("A task with its form and the case data", "Task", ["401", "404"])},
    "/tasks/{id}/claim": {"post": ("Claim a task", "Task", ["401", "403", "404", "409"])},
    "/tasks/{id}/unclaim": {"post": ("Release a claim", "Task", ["401", "404", "409"])},
    "/tasks/{id}/complete": {
        "post": ("Complete with {data}", "Instance", ["400", "401", "403", "404", "409", "422"])
    },
    "/tasks/{id}/assign": {
        "post": (
            "Assign to {username} (supervisor, admin)",
            "Task",
            ["400", "401", "403", "404", "409", "422"],
        )
    },
    "/customers": {
        "get": (
            "Customers whose code, name or contact contain q",
            "Customer",
            ["400", "401", "403"],
        )
    },
    "/customers/{id}": {
        "get": ("A customer with sites and units", "Customer", ["401", "403", "404"])
    },
    "/units": {
        "get": (
            "Units by exact serial, or whose serial, batch, model or customer contain q; "
            "with warranty_end and in_warranty (today, local)",
            "Unit",
            ["400", "401", "403"],
        )
    },
    "/units/{id}": {
        "get": (
            "A unit with its warranty extensions and history (newest first)",
            "Unit",
            ["401", "403", "404"],
        )
    },
    "/repair-orders": {
        "get": (
            "Repair orders, newest first; filters status, unit",
            "RepairOrder",
            ["400", "401", "403"],
        )
    },
    "/repair-orders/{id}": {
        "get": (
            "A repair order with its parts and acceptance",
            "RepairOrder",
            ["401", "403", "404"],
        )
    },
    "/parts": {
        "get": (
            "Spare parts with stock on hand, reserved and available; `families`: the 3 % rule",
            "Part",
            ["400", "401", "403"],
        )
    },
    "/return-requests": {
        "get": (
            "Returns and exchanges, newest first; filters status, unit",
            "ReturnRequest",
            ["400", "401", "403"],
        )
    },
    "/return-requests/{id}": {
        "get": (
            "A return or exchange and the rule that decided it",
            "ReturnRequest",
            ["401", "403", "404"],
        )
    },
    "/failure-records": {
        "get": (
            "Failure records, newest first; filters unit, batch",
            "FailureRecord",
            ["400", "401", "403"],
        )
    },
    "/repair-rate": {
        "get": (
            "Repair rate (返修率) per product and production batch",
            "RepairRate",
            ["401", "403"],
        )
    },
    "/people/{username}": {
        "get": ("A person's manager, roles, group and direct reports", "Person", ["401", "404"]),
        "put": (
            "Set {manager?, roles?, group?} (hr, admin; only an admin grants admin)",
            "Person",
            ["400", "401", "403", "404", "422"],
        ),
    },
    "/worklogs": {
        "get": (
            "Daily work logs: one's own, a manager's reports', HR all; filters employee, from, to",
            "WorkLog",
            ["401", "403", "404", "422"],
        ),
        "post": (
            "Write one's own log {day?, plan, done}: 201 new, 200 updated; 409 once reviewed",
            "WorkLog",
            ["400", "401", "409", "422"],
        ),
    },
    "/worklogs/{id}/review": {
        "post": (
            "Mark a report's log reviewed {note?} (the author's manager)",
            "WorkLog",
            ["400", "401", "403", "404", "409", "422"],
        )
    },
    "/goal-plan-changes": {
        "get": (
            "Goal-plan changes, as for work logs; filters employee, status, from, to",
            "GoalPlanChange",
            ["401", "403", "404", "422"],
        ),
        "post": (
            "Propose a change to one's goal plan {quarter?, change, reason}",
            "GoalPlanChange",
            ["400", "401", "422"],
        ),
    },
    "/goal-plan-changes/{id}/decide": {
        "post": (
            "Approve or reject {decision: approve|reject, note (required to reject)} "
            "(the employee's manager)",
            "GoalPlanChange",
            ["400", "401", "403", "404", "409", "422"],
        )
    },
    "/appraisal-cycles": {
        "get": (
            "Appraisal cycles, newest first (hr, plant_director, gm)",
            "AppraisalCycle",
            ["401", "403"],
        ),
        "post": (
            "Launch a quarter {quarter: 2026Q3} (hr): 202, a job starts everyone's appraisal; "
            "409 when the quarter has a cycle, 422 for a malformed quarter",
            "AppraisalCycle",
            ["400", "401", "403", "409", "422"],
        ),
    },
    "/appraisal-cycles/{id}": {
        "get": (
            "A cycle: status, progress, the raters who have not finished (pending_raters)",
            "AppraisalCycle",
            ["401", "403", "404"],
        )
    },
    "/appraisal-cycles/{id}/remind": {
        "post": (
            "Remind the pending raters, once a day (hr)",
            "AppraisalCycle",
            ["401", "403", "404"],
        )
    },
    "/appraisal-cycles/{id}/consequences": {
        "get": (
            "The people HR must decide on: the bottom of the department and every 差",
            "Appraisal",
            ["401", "403", "404"],
        ),
        "post": (
            "HR's decisions {decisions: [{employee, choice, reason, days?}]} before compiling "
            "or while the sheet is returned",
            "Appraisal",
            ["400", "401", "403", "404", "409", "422"],
        ),
    },
    "/appraisals": {
        "get": (
            "Appraisals by quarter, employee: hr, plant_director, gm all; others their own once "
            "published; group averages only, never raters",
            "Appraisal",
            ["400", "401"],
        )
    },
    "/appraisals/{id}": {"get": ("One appraisal, as above", "Appraisal", ["401", "404"])},
    "/appraisals/annual": {
        "get": (
            "?year=: per person the four quarters, the annual score (their mean) and grade",
            "AnnualAppraisal",
            ["400", "401"],
        )
    },
    "/appraisal-settings": {
        "get": (
            "Weights per case and grade bands (hr, plant_director, gm)",
            "AppraisalSettings",
            ["401", "403"],
        ),
        "put": (
            "Set {weights, bands} (hr): each case adds up to 100, bands strictly descending",
            "AppraisalSettings",
            ["400", "401", "403", "422"],
        ),
    },
    "/kpis": {
        "get": (
            "?from=&to= (local days, default this quarter to date): service promises kept, "
            "satisfaction, repairs, complaints, repair rates, spare stock; appraisal grades for "
            "hr, plant_director, gm (supervisor, dept_manager, plant_director, gm, hr)",
            "Kpis",
            ["401", "403", "422"],
        )
    },
    "/approvals/approve-all": {
        "post": (
            "Approve every open result-sheet approval the caller may act on; per-task report",
            None,
            ["401"],
        )
    },
}


@lru_cache(maxsize=1)
def build_spec() -> dict:
    spec = APISpec(
        title="Aftersales API",
        version="1.0.0",
        openapi_version="3.0.3",
        plugins=[MarshmallowPlugin()],
        servers=[{"url": "/api/v1"}],
        components={"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
    )
    for name, schema in {
        "Task": TaskSchema,
        "Instance": InstanceSchema,
        "Definition": DefinitionSchema,
        "Decision": DecisionSchema,
        "AuditEvent": AuditEventSchema,
        "Incident": IncidentSchema,
        "Customer": CustomerSchema,
        "Unit": UnitSchema,
        "RepairOrder": RepairOrderSchema,
        "Part": PartSchema,
        "FamilyStock": FamilyStockSchema,
        "ReturnRequest": ReturnRequestSchema,
        "FailureRecord": FailureRecordSchema,
        "RepairRate": RepairRateSchema,
        "Person": PersonSchema,
        "WorkLog": WorkLogSchema,
        "GoalPlanChange": GoalPlanChangeSchema,
        "AppraisalCycle": CycleSchema,
        "Appraisal": AppraisalSchema,
        "AnnualAppraisal": AnnualSchema,
        "AppraisalSettings": SettingsSchema,
        "Kpis": KpiSchema,
    }.items():
        spec.components.schema(name, schema=schema)
    spec.components.schema(
        "Problem",
        {
            "type": "object",
            "properties": {
                "type": {"type": "string"},
                "title": {"type": "string"},
                "status": {"type": "integer"},
                "detail": {"type": "string"},
                "errors": {"type": "object"},
            },
        },
    )
    for path, operations in _PATHS.items():
        ops = {}
        for method, (summary, schema, errors) in operations.items():
            ok = {"description": "OK"}
            if schema:
                ok["content"] = {
                    "application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}
                }
            ops[method] = {
                "summary": summary,
                "security": [] if path == "/auth/token" else [{"bearer": []}],
                "responses": {"200": ok, **{code: _ERRORS[code] for code in errors}},
            }
        params = [
            {"name": n, "in": "path", "required": True, "schema": {"type": "string"}}
            for n in ("id", "key", "username")
            if "{" + n + "}" in path
        ]
        spec.path(path=path, operations=ops, parameters=params or None)
    return spec.to_dict()


@bp.get("/openapi.json")
def openapi():
    return jsonify(build_spec())
