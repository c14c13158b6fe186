"""Background jobs (Celery): jobs take ids only and are safe to run twice."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from datetime import timedelta

from celery import Celery, Task
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models import ProcessInstance, utcnow

from .runtime import get_engine

_session_factory: Callable[[], Session] | None = None
_job_context: Callable[[], AbstractContextManager] = nullcontext


class JobTask(Task):
    """Runs each job inside the context the application provides (e.g. Flask's app context)."""

    def __call__(self, *args, **kwargs):
        with _job_context():
            return super().__call__(*args, **kwargs)


celery = Celery("aftersales", task_cls=JobTask)
celery.conf.update(
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    task_serializer="json",
    accept_content=["json"],
    timezone="UTC",
    beat_schedule={
        "sweep-timers": {"task": "workflows.jobs.sweep_timers", "schedule": timedelta(seconds=15)},
    },
)


def configure(
    session_factory: Callable[[], Session],
    context: Callable[[], AbstractContextManager] = nullcontext,
    **conf,
) -> Celery:
    """Bind the jobs to the application's session, job context and broker settings."""
    global _session_factory, _job_context
    _session_factory, _job_context = session_factory, context
    celery.conf.update(conf)
    return celery


def _session() -> Session:
    if _session_factory is None:
        raise RuntimeError("workflows.jobs.configure() was not called")
    return _session_factory()


@celery.task(name="workflows.jobs.sweep_timers")
def sweep_timers(limit: int = 500) -> int:
    """Queue one job per instance whose next timer is due."""
    session = _session()
    due = session.scalars(
        select(ProcessInstance.id)
        .where(
            ProcessInstance.next_timer_at <= utcnow(),
            ProcessInstance.status.in_(("running", "waiting")),
        )
        .order_by(ProcessInstance.next_timer_at)
        .limit(limit)
    ).all()
    session.rollback()
    for instance_id in due:
        fire_timers.delay(instance_id)
    return len(due)


@celery.task(
    name="workflows.jobs.fire_timers", autoretry_for=(Exception,), retry_backoff=True, max_retries=5
)
def fire_timers(instance_id: int) -> None:
    """Fire the due timers of one instance; does nothing when none is due any more."""
    session = _session()
    try:
        get_engine().fire_timers(session, instance_id)
        session.commit()
    except Exception:
        session.rollback()
        raise
