"""Times are shown in the viewer's zone when they set one, else in the department's."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import g
from flask_babel import format_datetime, refresh

from workflows.org.queries import user_by_name


def test_times_follow_the_viewers_zone(app):
    from webapp.extensions import db

    moment = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
    with app.test_request_context("/?lang=en"):
        g.user = user_by_name(db.session, "cs2")
        assert format_datetime(moment, "H:mm") == "20:00"  # the department's zone: Shanghai
        g.user.timezone = "Europe/Berlin"
        refresh()
        assert format_datetime(moment, "H:mm") == "13:00"
        db.session.rollback()
