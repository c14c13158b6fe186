"""Errors as `application/problem+json` for the API and as pages for people."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from engine.bundle import DeployRejected
from engine.errors import EngineError, instance_changed

from .extensions import db
from .i18n import current_locale

_TITLES = {
    400: _l("Bad request"),
    401: _l("Not logged in"),
    403: _l("Not allowed"),
    404: _l("Not found"),
    405: _l("Method not allowed"),
    409: _l("Conflict"),
    413: _l("Too large"),
    422: _l("Invalid data"),
    429: _l("Too many attempts"),
    500: _l("Server error"),
}


def wants_json() -> bool:
    return request.path.startswith("/api/")


def problem(status: int, detail: str, *, errors=None, type_: str = "about:blank"):
    title = str(_TITLES.get(status, _l("Error")))
    body = {"type": type_, "title": title, "status": status, "detail": detail}
    if errors is not None:
        body["errors"] = errors
    response = jsonify(body)
    response.status_code = status
    response.mimetype = "application/problem+json"
    return response


def _page(status: int, detail: str):
    title = str(_TITLES.get(status, _l("Error")))
    return render_template("error.html", status=status, title=title, detail=detail), status


def deploy_problems(exc: DeployRejected) -> list[dict]:
    """Each reason a deployment was refused, with its message in the caller's language."""
    zh = current_locale().startswith("zh")
    return [
        {
            "file": p.file,
            "element_id": p.element_id,
            "element_name": p.element_name,
            "line": p.line,
            "message": p.message_zh if zh else p.message,
        }
        for p in exc.problems
    ]


def init_app(app: Flask) -> None:
    @app.errorhandler(EngineError)
    def _engine_error(exc: EngineError):
        db.session.rollback()
        detail = exc.text(current_locale())
        if wants_json():
            return problem(exc.status, detail, errors=getattr(exc, "errors", None), type_=exc.code)
        return _page(exc.status, detail)

    @app.errorhandler(StaleDataError)
    def _stale(_exc):
        return _engine_error(instance_changed())

    @app.errorhandler(DeployRejected)
    def _deploy_rejected(exc: DeployRejected):
        db.session.rollback()
        items = deploy_problems(exc)
        detail = _("The files were not deployed: %(n)d problem(s) to fix.", n=len(items))
        if wants_json():
            return problem(422, detail, errors={"files": items}, type_="invalid_diagram")
        return _page(422, detail)

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        db.session.rollback()
        status = exc.code or 500
        detail = _http_detail(status)
        if wants_json():
            return problem(status, detail)
        return _page(status, detail)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        db.session.rollback()
        app.logger.exception("unhandled error")
        detail = _http_detail(500)
        if wants_json():
            return problem(500, detail)
        return _page(500, detail)


def _http_detail(status: int) -> str:
    messages = {
        400: _("The request could not be read. Send valid JSON."),
        401: _("Log in first."),
        403: _("You are not allowed to do this."),
        404: _("There is nothing here. Check the address."),
        405: _("This address does not accept that method."),
        413: _("The upload is too large."),
        429: _("Too many attempts. Wait a few minutes and try again."),
        500: _("Something went wrong on our side. The error was logged; try again later."),
    }
    return messages.get(status, _("The request failed."))
