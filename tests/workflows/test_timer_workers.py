"""Timers through real processes: `celery -A webapp.celery_app worker` and `beat` started as
subprocesses on the test's own database, fired by the product's beat schedule (a sweep every
15 s), counted by their `timer` audit events.

The tests marked `postgres` need PostgreSQL and Redis (run with DATABASE_URL=postgresql… and
CELERY_BROKER_URL=redis://…); they use Redis database 5, emptied before and after. The
embedded-broker test always runs, on whatever database the suite uses.
"""

from __future__ import annotations

import os
import signal
import time
from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine, func, select, text, update
from sqlalchemy.pool import NullPool

from engine.models import AuditEvent, HumanTask, ProcessInstance, utcnow
from engine.runtime import Actor
from workflows import jobs

from .celery_processes import CeleryProcesses, Sender, flush_redis, redis_db, wait_until

OWNER = Actor("owner", frozenset({"process_owner"}))
REDIS_DB = 5
SWEEP = jobs.celery.conf.beat_schedule["sweep-timers"]["schedule"].total_seconds()

_skip_without_servers = pytest.mark.skipif(
    not (
        os.environ.get("DATABASE_URL", "").startswith("postgres")
        and os.environ.get("CELERY_BROKER_URL", "").startswith("redis")
    ),
    reason="needs PostgreSQL and Redis: set DATABASE_URL=postgresql+psycopg://… and "
    "CELERY_BROKER_URL=redis://… (the CI's second run does)",
)


def postgres_and_redis(test):
    return pytest.mark.postgres(_skip_without_servers(test))


_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="x">
  <bpmn:process id="{key}" isExecutable="true">
    <bpmn:startEvent id="s"/>"""
_TAIL = """
  </bpmn:process>
</bpmn:definitions>"""


def waiting_diagram(key: str, duration: str, then_task: bool = False) -> bytes:
    """start → timer `duration` (bare ISO 8601) → [user task "Call back" →] end."""
    last = "pause"
    body = f"""
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="pause"/>
    <bpmn:intermediateCatchEvent id="pause" name="Wait">
      <bpmn:timerEventDefinition><bpmn:timeDuration>{duration}</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>"""
    if then_task:
        body += """
    <bpmn:sequenceFlow id="f2" sourceRef="pause" targetRef="call_back"/>
    <bpmn:userTask id="call_back" name="Call back"/>"""
        last = "call_back"
    body += f"""
    <bpmn:sequenceFlow id="f3" sourceRef="{last}" targetRef="e"/>
    <bpmn:endEvent id="e"/>"""
    return (_HEAD.format(key=key) + body + _TAIL).encode()


def boundary_diagram(key: str, interrupting: bool) -> bytes:
    """start → "Answer" (boundary timer PT1S → "Escalate" → end) → "Close" → end."""
    body = f"""
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="answer"/>
    <bpmn:userTask id="answer" name="Answer"/>
    <bpmn:boundaryEvent id="late" attachedToRef="answer" cancelActivity="{str(interrupting).lower()}">
      <bpmn:timerEventDefinition><bpmn:timeDuration>PT1S</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="late" targetRef="escalate"/>
    <bpmn:userTask id="escalate" name="Escalate"/>
    <bpmn:sequenceFlow id="f3" sourceRef="escalate" targetRef="e1"/>
    <bpmn:endEvent id="e1"/>
    <bpmn:sequenceFlow id="f4" sourceRef="answer" targetRef="close"/>
    <bpmn:userTask id="close" name="Close"/>
    <bpmn:sequenceFlow id="f5" sourceRef="close" targetRef="e2"/>
    <bpmn:endEvent id="e2"/>"""
    return (_HEAD.format(key=key) + body + _TAIL).encode()


# -- the test's side: deploy, start, look ------------------------------------------------------
def deploy(app, key: str, diagram: bytes) -> None:
    from webapp.extensions import db
    from workflows.runtime import get_engine

    with app.app_context():
        get_engine().deploy(db.session, {f"{key}.bpmn": diagram}, OWNER)
        db.session.commit()
        db.session.remove()


def start(app, key: str, count: int) -> list[int]:
    from webapp.extensions import db
    from workflows.runtime import get_engine

    with app.app_context():
        ids = [get_engine().start(db.session, key, {}, OWNER).id for _ in range(count)]
        db.session.commit()
        db.session.remove()
    return ids


def query(app, stmt):
    from webapp.extensions import db

    with app.app_context():
        try:
            return db.session.execute(stmt).all()
        finally:
            db.session.remove()


def statuses(app, ids: list[int]) -> dict[str, int]:
    rows = query(
        app,
        select(ProcessInstance.status, func.count())
        .where(ProcessInstance.id.in_(ids))
        .group_by(ProcessInstance.status),
    )
    return dict(rows)


def events(app, ids: list[int], kind: str = "timer") -> dict[int, int]:
    """Instance id → how many `kind` audit events it has (instances with none left out)."""
    rows = query(
        app,
        select(AuditEvent.instance_id, func.count())
        .where(AuditEvent.instance_id.in_(ids), AuditEvent.kind == kind)
        .group_by(AuditEvent.instance_id),
    )
    return dict(rows)


def tasks(app, ids: list[int]) -> list[tuple[int, str, str]]:
    """(instance id, step, status) of every human-task row the instances ever had."""
    rows = query(
        app,
        select(HumanTask.instance_id, HumanTask.spec_name, HumanTask.status)
        .where(HumanTask.instance_id.in_(ids))
        .order_by(HumanTask.instance_id, HumanTask.created_at),
    )
    return [tuple(r) for r in rows]


def complete(app, instance_id: int) -> str:
    """Complete the one open task of an instance in-process; the instance's status after."""
    from webapp.extensions import db
    from workflows.runtime import get_engine

    with app.app_context():
        (task_id,) = db.session.scalars(
            select(HumanTask.id).where(
                HumanTask.instance_id == instance_id, HumanTask.status == "open"
            )
        ).all()
        status = get_engine().complete_task(db.session, task_id, {}, OWNER).status
        db.session.commit()
        db.session.remove()
    return status


def wait_until_due(app, ids: list[int]) -> None:
    (latest,) = query(
        app, select(func.max(ProcessInstance.next_timer_at)).where(ProcessInstance.id.in_(ids))
    )[0]
    pause = (latest - utcnow()).total_seconds()
    time.sleep(max(0.0, pause) + 0.3)


def due_now(app, ids: list[int]) -> list[int]:
    """Those of `ids` the sweep would pick up now."""
    rows = query(
        app,
        select(ProcessInstance.id)
        .where(ProcessInstance.id.in_(ids), ProcessInstance.next_timer_at <= utcnow())
        .order_by(ProcessInstance.id),
    )
    return [i for (i,) in rows]


def retire(app, ids: list[int]) -> None:
    """Leave nothing due behind for the rest of the suite, whatever happened."""
    from webapp.extensions import db

    with app.app_context():
        db.session.execute(
            update(ProcessInstance)
            .where(ProcessInstance.id.in_(ids), ProcessInstance.status.in_(("running", "waiting")))
            .values(status="terminated", next_timer_at=None)
        )
        db.session.commit()
        db.session.remove()


def all_completed(app, ids: list[int]):
    return lambda: statuses(app, ids) == {"completed": len(ids)}


# -- the processes' side ---------------------------------------------------------------------
@pytest.fixture
def broker():
    """A Redis database of the tests' own, empty before and after."""
    url = redis_db(os.environ["CELERY_BROKER_URL"], REDIS_DB)
    flush_redis(url)
    yield url
    flush_redis(url)


@pytest.fixture
def sender(broker):
    sender = Sender(broker)
    yield sender
    sender.close()


def database_url(app) -> str:
    return app.config["SQLALCHEMY_DATABASE_URI"]


def lags(app, ids: list[int]) -> list[float]:
    """Seconds from each `timer` event's due time to when it was written, in firing order."""
    rows = query(
        app,
        select(AuditEvent.at, AuditEvent.payload)
        .where(AuditEvent.instance_id.in_(ids), AuditEvent.kind == "timer")
        .order_by(AuditEvent.at),
    )
    result = []
    for at, payload in rows:
        due = datetime.fromisoformat(payload["due"])
        at, due = (d if d.tzinfo else d.replace(tzinfo=UTC) for d in (at, due))
        result.append((at - due).total_seconds())
    return result


def check_all_fired_once(app, ids, procs: CeleryProcesses, within: float) -> list[float]:
    """Every instance ended after exactly one `timer` event; the lags of those events."""
    try:
        wait_until(all_completed(app, ids), within, interval=0.5, what="every instance to end")
    except TimeoutError as exc:
        raise AssertionError(f"{exc}: {statuses(app, ids)}\n{procs.logs()}") from None
    fired = events(app, ids)
    assert sum(fired.values()) == len(ids), fired
    assert set(fired) == set(ids) and set(fired.values()) == {1}
    ended = events(app, ids, "end")
    assert set(ended) == set(ids) and set(ended.values()) == {1}
    for process in procs.processes:
        assert "Traceback" not in process.text(), process.tail()
    return lags(app, ids)


def check_lag_goal(lag: list[float]) -> None:
    """The issue's goal: every timer fired within one sweep interval plus 30 s of its due time."""
    assert lag and min(lag) >= 0, lag
    assert max(lag) <= SWEEP + 30, f"max lag {max(lag):.1f} s > {SWEEP:g} s sweep + 30 s"


# -- PostgreSQL + Redis ------------------------------------------------------------------------
@postgres_and_redis
def test_two_workers_and_two_beats_fire_each_of_200_due_timers_once(app, tmp_path, broker):
    key = "timer_workers_many"
    deploy(app, key, waiting_diagram(key, "PT2S"))
    ids: list[int] = []
    with CeleryProcesses(tmp_path, database_url(app), broker) as procs:
        try:
            workers = [procs.worker("w1"), procs.worker("w2")]
            beats = [procs.beat("b1"), procs.beat("b2")]
            procs.wait_ready()
            ids = start(app, key, 200)
            assert statuses(app, ids) == {"waiting": 200}
            check_lag_goal(check_all_fired_once(app, ids, procs, within=120))
        finally:
            retire(app, ids)
    # both beats swept (so instances still due were queued twice); both workers fired
    for beat in beats:
        assert "Sending due task sweep-timers" in beat.text(), beat.tail()
    runs = [len(worker.succeeded("workflows.jobs.fire_timers")) for worker in workers]
    assert min(runs) > 0 and sum(runs) >= len(ids), runs


def waiting_on_audit_insert(probe) -> int | None:
    """The PostgreSQL backend blocked writing audit events (behind the test's table lock)."""
    with probe.connect() as conn:
        return conn.scalar(
            text(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock' AND query ILIKE 'INSERT INTO audit_event%'"
            )
        )


def backend_alive(probe, pid: int) -> bool:
    with probe.connect() as conn:
        return bool(
            conn.scalar(text("SELECT count(*) FROM pg_stat_activity WHERE pid = :p"), {"p": pid})
        )


@postgres_and_redis
def test_a_worker_killed_mid_job_loses_nothing_and_its_job_fires_once(
    app, tmp_path, broker, sender
):
    """SIGKILL while the job holds the instance and has run it on, before it commits: the
    broker gives the message to the next worker, which fires the timer once."""
    key = "timer_workers_killed"
    deploy(app, key, waiting_diagram(key, "PT1S", then_task=True))
    ids = start(app, key, 1)
    (instance_id,) = ids
    # Redis returns a dead worker's message after the visibility timeout: 5 s here, not 1 h
    redelivery = {"CELERY_CONFIG_MODULE": "tests.workflows.redis_redelivery"}
    probe = create_engine(database_url(app), poolclass=NullPool)
    try:
        with CeleryProcesses(tmp_path, database_url(app), broker, redelivery) as procs:
            first = procs.worker("w1", pool="solo")
            procs.wait_ready()
            with probe.connect() as lock:
                # writes to the audit trail wait: the job will stop just before its last writes
                lock.execute(text("LOCK TABLE audit_event IN EXCLUSIVE MODE"))
                wait_until_due(app, ids)
                job = sender.send("workflows.jobs.fire_timers", instance_id)
                blocked = wait_until(
                    lambda: waiting_on_audit_insert(probe), 30, what="the job to get mid-way"
                )
                os.kill(first.pid, signal.SIGKILL)
                first.popen.wait(10)
                lock.rollback()
            # the dead worker's database session ends, and its transaction is rolled back
            wait_until(lambda: not backend_alive(probe, blocked), 30, what="its session to end")
            assert events(app, ids) == {} and tasks(app, ids) == []
            assert statuses(app, ids) == {"waiting": 1} and due_now(app, ids) == ids

            second = procs.worker("w2", pool="solo")
            procs.wait_ready()
            try:
                wait_until(lambda: tasks(app, ids), 30, what="the redelivered job")
            except TimeoutError as exc:
                raise AssertionError(f"{exc}\n{procs.logs()}") from None
            # no sweep runs here: the job that fired is the killed one's message, redelivered
            assert first.received(job) == 1 and second.received(job) == 1, procs.logs()
            assert "Traceback" not in second.text(), second.tail()
        assert events(app, ids) == {instance_id: 1}
        assert tasks(app, ids) == [(instance_id, "call_back", "open")]
        assert complete(app, instance_id) == "completed"
        assert events(app, ids) == {instance_id: 1} and events(app, ids, "end") == {instance_id: 1}
        assert tasks(app, ids) == [(instance_id, "call_back", "completed")]
    finally:
        probe.dispose()
        retire(app, ids)


@postgres_and_redis
def test_timers_that_fell_due_while_everything_was_stopped_fire_on_restart(app, tmp_path, broker):
    key = "timer_workers_restart"
    deploy(app, key, waiting_diagram(key, "PT1S"))
    ids: list[int] = []
    with CeleryProcesses(tmp_path, database_url(app), broker) as procs:
        try:
            procs.worker("w1")
            procs.beat("b1")
            procs.wait_ready()
            procs.stop_all()
            ids = start(app, key, 20)
            wait_until_due(app, ids)
            assert statuses(app, ids) == {"waiting": 20} and events(app, ids) == {}
            restarted = utcnow()
            procs.worker("w1")
            procs.beat("b1")  # the same schedule file, as a restarted service has
            procs.wait_ready()
            lag = check_all_fired_once(app, ids, procs, within=SWEEP + 60)
        finally:
            retire(app, ids)
    check_lag_goal(lag)
    (last,) = query(app, select(func.max(AuditEvent.at)).where(AuditEvent.instance_id.in_(ids)))[0]
    last = last if last.tzinfo else last.replace(tzinfo=UTC)
    assert (last - restarted).total_seconds() <= SWEEP + 30


@postgres_and_redis
def test_a_timer_whose_task_was_completed_meanwhile_does_nothing(app, tmp_path, broker, sender):
    ids = []
    for interrupting in (True, False):
        key = f"timer_workers_done_{'interrupting' if interrupting else 'non_interrupting'}"
        deploy(app, key, boundary_diagram(key, interrupting))
        ids += start(app, key, 1)
    try:
        wait_until_due(app, ids)
        # the sweep saw them due and queued their jobs; before any worker took them…
        for instance_id in ids:
            sender.send("workflows.jobs.fire_timers", instance_id)
        # …the person finished the task the timer was on
        for instance_id in ids:
            assert complete(app, instance_id) == "running"  # "Close" is open
        due = query(app, select(ProcessInstance.next_timer_at).where(ProcessInstance.id.in_(ids)))
        assert [d for (d,) in due] == [None, None]
        with CeleryProcesses(tmp_path, database_url(app), broker) as procs:
            worker = procs.worker("w1", pool="solo")
            procs.wait_ready()
            wait_until(
                lambda: len(worker.succeeded("workflows.jobs.fire_timers")) == 2,
                30,
                what="the queued jobs to run",
            )
            sender.send("workflows.jobs.sweep_timers")
            wait_until(lambda: worker.succeeded("workflows.jobs.sweep_timers"), 30, what="a sweep")
            assert "Traceback" not in worker.text(), worker.tail()
    finally:
        retire(app, ids)
    assert events(app, ids) == {}
    assert tasks(app, ids) == [
        row for i in ids for row in ((i, "answer", "completed"), (i, "close", "open"))
    ]


# -- the embedded default: filesystem broker, whatever database the suite uses ------------------
def test_the_embedded_broker_fires_each_due_timer_once(app, tmp_path):
    key = "timer_workers_embedded"
    deploy(app, key, waiting_diagram(key, "PT2S"))
    ids: list[int] = []
    with CeleryProcesses(tmp_path, database_url(app), "filesystem://") as procs:
        try:
            procs.worker("w1")
            procs.beat("b1")
            procs.wait_ready()
            ids = start(app, key, 30)
            check_lag_goal(check_all_fired_once(app, ids, procs, within=120))
        finally:
            retire(app, ids)
