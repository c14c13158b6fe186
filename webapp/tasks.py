"""Inbox and task pages."""

from flask import Blueprint

bp = Blueprint("tasks", __name__)


@bp.get("/tasks")
def inbox():
    return "inbox"
