"""Fixtures: one database per test session (SQLite file, or DATABASE_URL when set), the demo
organisation and shipped diagrams deployed, and a logged-in API client per persona."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import text

from engine.models import Base


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    var = tmp_path_factory.mktemp("var")
    os.environ.setdefault("AFTERSALES_VAR", str(var))
    from webapp import create_app
    from webapp.cli import deploy_shipped
    from webapp.extensions import db
    from workflows.demo import load_demo

    config = {
        "TESTING": True,
        "SESSION_COOKIE_SECURE": False,
        "CELERY_DATA_DIR": str(var / "celery"),
    }
    if not os.environ.get("DATABASE_URL"):
        config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{var / 'test.sqlite'}"
    app = create_app(config)
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        Base.metadata.create_all(db.engine)
        load_demo(db.session)
        db.session.commit()
        deploy_shipped()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def db_session(app):
    from webapp.extensions import db

    with app.app_context():
        yield db.session
        db.session.rollback()


class ApiClient:
    """A test client that sends a bearer token and JSON."""

    def __init__(self, client, token: str | None):
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def get(self, path, **kw):
        return self.client.get(path, headers=self.headers, **kw)

    def post(self, path, json=None, **kw):
        return self.client.post(path, json=json, headers=self.headers, **kw)


_tokens: dict[str, str] = {}


@pytest.fixture
def api(app):
    """`api("cs1")` → an ApiClient logged in as cs1 (token cached per session)."""

    def login(username: str | None = None) -> ApiClient:
        client = app.test_client()
        if username is None:
            return ApiClient(client, None)
        if username not in _tokens:
            response = client.post(
                "/api/v1/auth/token", json={"username": username, "password": "demo"}
            )
            assert response.status_code == 200, response.get_json()
            _tokens[username] = response.get_json()["token"]
        return ApiClient(client, _tokens[username])

    return login


@pytest.fixture
def shared_dir() -> Path:
    return Path(__file__).resolve().parents[2] / "shared"
