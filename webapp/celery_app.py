"""The Celery app bound to a Flask app: `celery -A webapp.celery_app worker` / `beat`."""

from __future__ import annotations

from contextlib import contextmanager
from functools import cache
from pathlib import Path

from workflows import jobs
from workflows.notifications.delivery import MailSettings, configure_mail

from . import create_app
from .extensions import db


def make_celery(app=None):
    """Bind the background jobs (broker, session, mail settings) to `app`."""
    app = app or create_app()
    configure_mail(MailSettings.from_config(app.config))
    broker = app.config["CELERY_BROKER_URL"]
    conf = {"broker_url": broker}
    if broker.startswith("filesystem://"):
        # the embedded default: jobs travel through a folder, no broker server needed
        folder = Path(app.config["CELERY_DATA_DIR"])
        for sub in ("queue", "processed", "control"):
            (folder / sub).mkdir(parents=True, exist_ok=True)
        conf["broker_transport_options"] = {
            "data_folder_in": str(folder / "queue"),
            "data_folder_out": str(folder / "queue"),
            "processed_folder": str(folder / "processed"),
            "control_folder": str(folder / "control"),
            "store_processed": False,
            # an idle worker looks for new jobs this often (kombu's default of 1 s caps the
            # embedded default at about one job per second per worker process)
            "polling_interval": 0.1,
        }
        conf["beat_schedule_filename"] = str(folder / "beat-schedule")

    @contextmanager
    def job_context():
        with app.app_context():
            try:
                yield
            finally:
                db.session.remove()

    return jobs.configure(lambda: db.session, job_context, **conf)


@cache
def _default():
    return make_celery()


def __getattr__(name: str):
    # `celery -A webapp.celery_app` looks up `celery`; build the app only then, not on import
    if name in ("celery", "app"):
        return _default()
    raise AttributeError(name)
