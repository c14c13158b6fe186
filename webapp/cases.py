"""Case pages and the new customer request form."""

from flask import Blueprint

bp = Blueprint("cases", __name__)


@bp.get("/cases")
def index():
    return "cases"


@bp.get("/requests/new")
def new_request():
    return "new"
