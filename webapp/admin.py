"""Administrator pages: monitoring stuck and failed cases."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/monitor")
def monitor():
    return "monitor"
