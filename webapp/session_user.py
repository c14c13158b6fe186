"""Who is calling: a browser session or an API bearer token, resolved once per request."""

from __future__ import annotations

from flask import Flask, g, request, session
from sqlalchemy import select

from engine.runtime import Actor
from workflows.org.models import User
from workflows.org.operations import user_for_token

from .extensions import db


def load_user() -> None:
    g.user = None
    g.via_token = False
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        g.user = user_for_token(db.session, header.removeprefix("Bearer ").strip())
        g.via_token = g.user is not None
        return
    user_id = session.get("user_id")
    if user_id is not None:
        user = db.session.scalar(select(User).where(User.id == user_id, User.active.is_(True)))
        # a password change or deactivation ends old sessions
        if user is not None and session.get("auth_stamp") == user.password_hash[-16:]:
            g.user = user


def current_actor() -> Actor | None:
    user = g.get("user")
    return Actor(user.username, user.roles) if user is not None else None


def init_app(app: Flask) -> None:
    app.before_request(load_user)

    @app.context_processor
    def _inject_user():
        return {"current_user": g.get("user"), "actor": current_actor()}
