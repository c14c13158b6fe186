"""Logging in and out of the browser pages, and switching language."""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlsplit

from flask import Blueprint, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from workflows.org.operations import TooManyAttempts, authenticate

from .extensions import db

bp = Blueprint("auth", __name__)


def login_required(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        if g.get("user") is None:
            return redirect(url_for("auth.login", next=request.full_path))
        return view(*args, **kwargs)

    return wrapper


def _safe_next(target: str | None) -> str:
    # only paths on this site, never another host
    if (
        target
        and target.startswith("/")
        and not target.startswith("//")
        and not urlsplit(target).netloc
    ):
        return target
    return url_for("tasks.inbox")


@bp.route("/login", methods=["GET", "POST"])
def login():
    error = None
    status = 200
    if request.method == "POST":
        username = request.form.get("username", "").strip()
        password = request.form.get("password", "")
        try:
            user = authenticate(db.session, username, password, request.remote_addr or "")
        except TooManyAttempts:
            user, error, status = (
                None,
                _("Too many failed attempts. Wait 15 minutes and try again."),
                429,
            )
        else:
            if user is None:
                error, status = _("Wrong username or password."), 401
        db.session.commit()
        if user is not None:
            session.clear()
            session["user_id"] = user.id
            session["auth_stamp"] = user.password_hash[-16:]
            session["locale"] = user.locale
            return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", error=error), status


@bp.post("/logout")
def logout():
    session.clear()
    return redirect(url_for("auth.login"))


@bp.post("/language")
def language():
    choice = request.form.get("locale")
    if choice in ("zh_CN", "en"):
        session["locale"] = choice
        if g.get("user") is not None:
            g.user.locale = choice
            db.session.commit()
    return redirect(_safe_next(request.form.get("next")))


@bp.get("/")
def home():
    return redirect(url_for("tasks.inbox"))
