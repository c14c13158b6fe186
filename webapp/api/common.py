"""Request plumbing shared by the API views: auth, JSON bodies, pagination."""

from __future__ import annotations

from functools import wraps
from typing import Any

from flask import abort, g, request
from sqlalchemy import func, select

from engine.runtime import Actor

from ..extensions import csrf, db
from ..session_user import current_actor

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def api_login_required(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        if g.get("user") is None:
            abort(401)
        if not g.via_token and request.method not in SAFE_METHODS:
            csrf.protect()  # cookie sessions must prove the request came from our pages
        return view(*args, **kwargs)

    return wrapper


def actor() -> Actor:
    result = current_actor()
    if result is None:
        abort(401)
    return result


def json_body() -> dict[str, Any]:
    """The request's JSON object; 400 for malformed JSON or anything but an object."""
    if not request.get_data(cache=True):
        return {}
    try:
        body = request.get_json(force=True, silent=False)
    except Exception:  # noqa: BLE001 - werkzeug raises several kinds for bad JSON
        abort(400)
    if not isinstance(body, dict):
        abort(400)
    return body


def paginate(stmt, dump):
    try:
        page = max(1, int(request.args.get("page", 1)))
        per_page = min(200, max(1, int(request.args.get("per_page", 50))))
    except ValueError:
        abort(400)
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    rows = db.session.scalars(stmt.limit(per_page).offset((page - 1) * per_page)).all()
    return {"items": dump(rows), "total": total, "page": page, "per_page": per_page}


def commit() -> None:
    """The one commit of an API request."""
    db.session.commit()
