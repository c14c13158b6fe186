"""Background jobs (Celery): jobs take ids only and are safe to run twice."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from datetime import timedelta

from celery import Celery, Task
from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from engine.models import ProcessInstance, utcnow

from .appraisal.models import AppraisalCycle
from .appraisal.operations import launch_cycle
from .notifications import delivery
from .records.replenishment import start_replenishment
from .runtime import get_engine
from .sla.sweep import sweep as sla_sweep

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
        "sweep-service-clocks": {
            "task": "workflows.jobs.sweep_service_clocks",
            "schedule": timedelta(seconds=60),
        },
        "sweep-notification-emails": {
            "task": "workflows.jobs.sweep_notification_emails",
            "schedule": timedelta(minutes=5),
        },
        "check-spare-stock": {
            "task": "workflows.jobs.check_spare_stock",
            "schedule": timedelta(days=1),
        },
        "resume-appraisal-launches": {
            "task": "workflows.jobs.resume_appraisal_launches",
            "schedule": timedelta(minutes=10),
        },
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
def sweep_timers(batch: int = 500) -> int:
    """Queue one job per instance whose next timer is due: all of them, `batch` rows a query."""
    session = _session()
    now, after, queued = utcnow(), None, 0
    while True:
        stmt = (
            select(ProcessInstance.next_timer_at, ProcessInstance.id)
            .where(
                ProcessInstance.next_timer_at <= now,
                ProcessInstance.status.in_(("running", "waiting")),
            )
            .order_by(ProcessInstance.next_timer_at, ProcessInstance.id)
            .limit(batch)
        )
        if after is not None:
            # keyset paging: each query starts after the last row of the one before
            stmt = stmt.where(tuple_(ProcessInstance.next_timer_at, ProcessInstance.id) > after)
        rows = session.execute(stmt).all()
        session.rollback()
        for _, instance_id in rows:
            fire_timers.delay(instance_id)
        queued += len(rows)
        if len(rows) < batch:
            return queued
        after = tuple(rows[-1])


@celery.task(bind=True, name="workflows.jobs.fire_timers", max_retries=5)
def fire_timers(self, instance_id: int) -> None:
    """Fire the due timers of one instance; does nothing when none is due any more.

    A failure is retried with growing pauses; when the retries are spent the case gets an
    incident an administrator sees, never a silent loss.
    """
    session = _session()
    try:
        get_engine().fire_timers(session, instance_id)
        session.commit()
    except Exception as exc:
        session.rollback()
        if self.request.retries >= self.max_retries:
            get_engine().record_failure(session, instance_id, exc)
            session.commit()
            return
        raise self.retry(exc=exc, countdown=min(600, 5 * 2**self.request.retries)) from exc


@celery.task(
    name="workflows.jobs.send_notification_email",
    autoretry_for=(OSError,),  # SMTP errors and unreachable servers; see delivery.send_email
    retry_backoff=30,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=delivery.MAX_ATTEMPTS,  # the attempts counted on the row decide first
)
def send_notification_email(notification_id: int) -> str:
    """E-mail one notification; a second run of a sent one sends nothing."""
    session = _session()
    try:
        outcome = delivery.send_email(session, notification_id)
        session.commit()  # the failed attempt is on record before the retry
    except Exception:
        session.rollback()
        raise
    if outcome.retry is not None:
        raise outcome.retry
    return outcome.status


# longer than a notification's retries take, so only e-mails whose job was lost are picked
NOTIFICATION_EMAIL_LOST_AFTER = timedelta(minutes=30)


@celery.task(name="workflows.jobs.sweep_notification_emails")
def sweep_notification_emails(limit: int = 500) -> int:
    """Queue again the e-mails left pending because queueing failed after their commit."""
    session = _session()
    ids = delivery.stale_pending(session, NOTIFICATION_EMAIL_LOST_AFTER, limit)
    session.rollback()
    for notification_id in ids:
        send_notification_email.delay(notification_id)
    return len(ids)


@celery.task(name="workflows.jobs.sweep_service_clocks")
def sweep_service_clocks(limit: int = 500) -> int:
    """Send the SLA reminders and breach notices that have fallen due."""
    session = _session()
    try:
        handled = sla_sweep(session, limit=limit)
        session.commit()
        return handled
    except Exception:
        session.rollback()
        raise


@celery.task(name="workflows.jobs.check_spare_stock")
def check_spare_stock() -> int:
    """Start a replenishment case for each part family below 3 % of its service volume."""
    session = _session()
    try:
        started = start_replenishment(session)
        session.commit()
        return len(started)
    except Exception:
        session.rollback()
        raise


@celery.task(name="workflows.jobs.launch_appraisal_cycle")
def launch_appraisal_cycle(cycle_id: int) -> str | None:
    """Start one appraisal per person in scope, each in its own transaction, then the cycle's
    result sheet; a second run, or one after a crash half-way, skips whoever has theirs."""
    session = _session()
    try:
        cycle = launch_cycle(session, cycle_id, session.commit)
        return cycle.status if cycle is not None else None
    except Exception:
        session.rollback()
        raise


# longer than a launch takes, so only cycles whose job was lost or failed are picked
APPRAISAL_LAUNCH_LOST_AFTER = timedelta(minutes=10)


@celery.task(name="workflows.jobs.resume_appraisal_launches")
def resume_appraisal_launches() -> int:
    """Queue the launch again of cycles still `launching` long after they were created."""
    session = _session()
    ids = list(
        session.scalars(
            select(AppraisalCycle.id).where(
                AppraisalCycle.status == "launching",
                AppraisalCycle.launched_at < utcnow() - APPRAISAL_LAUNCH_LOST_AFTER,
            )
        )
    )
    session.rollback()
    for cycle_id in ids:
        launch_appraisal_cycle.delay(cycle_id)
    return len(ids)
