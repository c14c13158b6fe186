"""The OpenAPI description of the JSON API, built from the same schemas the views dump."""

from __future__ import annotations

from functools import lru_cache

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import jsonify

from . import bp
from .schemas import (
    AuditEventSchema,
    CustomerSchema,
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
            "Deploy .bpmn/.dmn/.form files (multipart field `files`) as new versions",
            "Definition",
            ["401", "403", "422"],
        ),
    },
    "/process-definitions/{key}": {
        "get": ("A process with its start form", "Definition", ["401", "404"])
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
            for n in ("id", "key")
            if "{" + n + "}" in path
        ]
        spec.path(path=path, operations=ops, parameters=params or None)
    return spec.to_dict()


@bp.get("/openapi.json")
def openapi():
    return jsonify(build_spec())
