"""The Aftersales web application: HTML pages per persona and the JSON API."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import event

from engine.models import sqlite_pragmas

from .config import default_config
from .extensions import csrf, db, migrate


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=False)
    app.config.from_mapping(default_config())
    if config:
        app.config.update(config)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(app.root_path + "/migrations"), render_as_batch=True)
    csrf.init_app(app)
    from . import i18n

    i18n.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            event.listen(db.engine, "connect", sqlite_pragmas)

    from . import auth, cli, errors, notifications, session_user
    from .admin import bp as admin_bp
    from .api import bp as api_bp
    from .appraisal import bp as appraisal_bp
    from .cases import bp as cases_bp
    from .editor import bp as editor_bp
    from .kpi import bp as kpi_bp
    from .people import bp as people_bp
    from .records import bp as records_bp
    from .tasks import bp as tasks_bp
    from .worklog import bp as worklog_bp

    session_user.init_app(app)
    errors.init_app(app)
    cli.init_app(app)
    app.register_blueprint(auth.bp)
    app.register_blueprint(tasks_bp)
    app.register_blueprint(cases_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(notifications.bp)
    app.register_blueprint(records_bp)
    app.register_blueprint(appraisal_bp)
    app.register_blueprint(people_bp)
    app.register_blueprint(worklog_bp)
    app.register_blueprint(kpi_bp)
    app.register_blueprint(editor_bp)
    app.register_blueprint(api_bp)
    csrf.exempt(api_bp)  # the API checks CSRF itself for cookie sessions; bearer tokens need none

    from .celery_app import make_celery

    make_celery(app)  # requests queue jobs (e-mails) on this app's broker
    return app
