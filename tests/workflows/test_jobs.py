"""Background jobs through a real Celery worker on the configured broker (the embedded
filesystem transport, or Redis when CELERY_BROKER_URL is set)."""

from __future__ import annotations

import time

from celery.contrib.testing.worker import start_worker
from sqlalchemy import func, select

from engine.models import AuditEvent, Incident, ProcessInstance, utcnow
from engine.runtime import Actor

TIMER_DIAGRAM = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="t" targetNamespace="x">
  <bpmn:process id="wait_a_second" isExecutable="true">
    <bpmn:startEvent id="s"/>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="pause"/>
    <bpmn:intermediateCatchEvent id="pause" name="One second">
      <bpmn:timerEventDefinition><bpmn:timeDuration>PT1S</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="pause" targetRef="e"/>
    <bpmn:endEvent id="e"/>
  </bpmn:process>
</bpmn:definitions>"""
OWNER = Actor("owner", frozenset({"process_owner"}))


def test_a_due_timer_fires_once_through_the_worker(app):
    from webapp.celery_app import make_celery
    from webapp.extensions import db
    from workflows import jobs
    from workflows.runtime import get_engine

    celery = make_celery(app)
    with app.app_context():
        get_engine().deploy(db.session, {"wait.bpmn": TIMER_DIAGRAM}, OWNER)
        instance = get_engine().start(db.session, "wait_a_second", {}, OWNER)
        db.session.commit()
        instance_id = instance.id
        assert instance.status == "waiting" and instance.next_timer_at > utcnow()
        # not due yet: the sweep leaves it alone
        assert jobs.sweep_timers.apply().get() == 0

    time.sleep(1.2)
    with start_worker(celery, perform_ping_check=False, pool="solo", shutdown_timeout=10):
        jobs.sweep_timers.delay()
        jobs.fire_timers.delay(instance_id)  # a duplicate delivery must change nothing
        deadline = time.monotonic() + 30
        status = None
        while time.monotonic() < deadline:
            with app.app_context():
                status = db.session.scalar(
                    select(ProcessInstance.status).where(ProcessInstance.id == instance_id)
                )
                db.session.remove()
            if status == "completed":
                break
            time.sleep(0.2)
    assert status == "completed"
    with app.app_context():
        fired = db.session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.instance_id == instance_id, AuditEvent.kind == "timer")
        )
        db.session.remove()
    assert fired == 1


def test_a_timer_job_that_keeps_failing_ends_in_an_incident(app, monkeypatch):
    from webapp.celery_app import make_celery
    from webapp.extensions import db
    from workflows import jobs
    from workflows.runtime import get_engine

    make_celery(app)
    with app.app_context():
        get_engine().deploy(db.session, {"wait.bpmn": TIMER_DIAGRAM}, OWNER)
        instance_id = get_engine().start(db.session, "wait_a_second", {}, OWNER).id
        db.session.commit()

    def broken(session, instance_id):
        raise ConnectionError("database went away")

    monkeypatch.setattr(get_engine(), "fire_timers", broken)
    # the last allowed attempt: no further retry, an incident instead
    jobs.fire_timers.apply(args=[instance_id], retries=jobs.fire_timers.max_retries).get()
    with app.app_context():
        instance = db.session.get(ProcessInstance, instance_id)
        incidents = db.session.scalars(
            select(Incident).where(Incident.instance_id == instance_id)
        ).all()
        assert instance.status == "error"
        assert len(incidents) == 1 and "ConnectionError" in incidents[0].message
        db.session.remove()
    monkeypatch.undo()

    time.sleep(1.1)
    with app.app_context():
        # once the cause is gone, the administrator's retry runs the timer that fell due
        get_engine().retry(db.session, instance_id, Actor("admin", frozenset({"admin"})))
        db.session.commit()
        assert db.session.get(ProcessInstance, instance_id).status == "completed"
        db.session.remove()


def test_a_timer_survives_a_restart_of_everything(app):
    """Armed by one engine, fired by a new one after the due time passed while none ran."""
    from webapp.extensions import db
    from workflows.runtime import build_engine, get_engine

    with app.app_context():
        get_engine().deploy(db.session, {"wait.bpmn": TIMER_DIAGRAM}, OWNER)
        instance_id = get_engine().start(db.session, "wait_a_second", {}, OWNER).id
        db.session.commit()
        db.session.remove()
    time.sleep(1.1)
    restarted = build_engine()  # empty caches: the spec and state come from the database
    with app.app_context():
        restarted.fire_timers(db.session, instance_id)
        db.session.commit()
        assert db.session.get(ProcessInstance, instance_id).status == "completed"
        db.session.remove()
