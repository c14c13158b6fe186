"""Token login and the caller's own profile."""

from __future__ import annotations

from flask import abort, g, jsonify, request

from workflows.org.operations import TooManyAttempts, authenticate, issue_token

from ..extensions import db
from . import bp
from .common import api_login_required, commit, json_body


def _user_json(user) -> dict:
    return {
        "username": user.username,
        "display_name": user.display_name,
        "roles": sorted(user.roles),
        "locale": user.locale,
    }


@bp.post("/auth/token")
def token():
    body = json_body()
    username, password = body.get("username"), body.get("password")
    if not isinstance(username, str) or not isinstance(password, str):
        abort(401)
    try:
        user = authenticate(db.session, username, password, request.remote_addr or "")
    except TooManyAttempts:
        commit()
        abort(429)
    if user is None:
        commit()  # keep the failed attempt for the rate limit
        abort(401)
    raw, expires_at = issue_token(db.session, user)
    commit()
    return jsonify({"token": raw, "expires_at": expires_at.isoformat(), "user": _user_json(user)})


@bp.get("/me")
@api_login_required
def me():
    return jsonify(_user_json(g.user))
