"""Fixtures for tests that drive cases through the API and look at the records behind them."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session


@pytest.fixture
def db(app):
    """A session of its own, outside any app context: the API requests of the test run in
    theirs (their own session, language and `g`), and this one reads what they committed."""
    from webapp.extensions import db as flask_db

    with app.app_context():
        engine = flask_db.engine
    with Session(engine) as session:
        yield session
        session.rollback()
