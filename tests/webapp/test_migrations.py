"""The Alembic migrations build exactly the schema the models describe."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect

from webapp import create_app
from webapp.extensions import db


def test_migrations_match_models(tmp_path):
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'migrated.sqlite'}", "TESTING": True}
    )
    with app.app_context():
        config = app.extensions["migrate"].migrate.get_config()
        command.upgrade(config, "head")
        command.check(config)  # raises when the models and the migrations differ
        assert {"process_instance", "human_task", "app_user"} <= set(
            inspect(db.engine).get_table_names()
        )
        db.engine.dispose()
