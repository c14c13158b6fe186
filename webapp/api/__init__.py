"""JSON API v1 (see docs/api.md and /api/v1/openapi.json)."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from . import appraisal, definitions, instances, openapi, records, session, tasks, worklog  # noqa: E402,F401
