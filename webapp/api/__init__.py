"""JSON API v1 (see docs/api.md and /api/v1/openapi.json)."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from . import (  # noqa: E402,F401
    appraisal,
    definitions,
    instances,
    kpis,
    openapi,
    records,
    session,
    tasks,
    worklog,
)
