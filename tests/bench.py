"""`make bench`: throughput of "start → 3 user tasks → end" at each layer, as ratios to raw
SpiffWorkflow measured in the same run, the inbox query at 1,000 and 100,000 open tasks, and
timers fired by real Celery workers (per second, and the lag at 10,000 due at once).

Run: `python -m tests.bench [--seconds 3] [--skip-postgres] [--skip-timers] [--timers 10000]`.
PostgreSQL is used when DATABASE_URL (or the machine's 127.0.0.1:5432/test) answers; the timer
rows also need Redis (CELERY_BROKER_URL, or 127.0.0.1:6379; the bench uses its database 6).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import threading
import time
import uuid
from http.client import HTTPConnection
from pathlib import Path

from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.camunda.parser import CamundaParser
from SpiffWorkflow.camunda.serializer import DEFAULT_CONFIG
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import create_engine, delete, event, func, insert, select, text
from sqlalchemy.orm import sessionmaker

from engine.models import Base, HumanTask, ProcessInstance, sqlite_pragmas
from engine.runtime import Actor, Engine
from engine.tasklist import inbox_query

DIAGRAM = Path(__file__).parent / "data" / "three_tasks.bpmn"
ACTOR = Actor("cs1", frozenset({"customer_service"}))
PG_URL = os.environ.get("DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _rate(run_one, seconds: float, threads: int = 1) -> float:
    """Instances per second: `run_one()` repeated for `seconds` on `threads` threads."""
    done = [0] * threads
    stop = time.perf_counter() + seconds

    def worker(i):
        while time.perf_counter() < stop:
            run_one()
            done[i] += 1

    started = time.perf_counter()
    pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return sum(done) / (time.perf_counter() - started)


# -- raw SpiffWorkflow -----------------------------------------------------------------------
def _raw_spec():
    parser = CamundaParser()
    parser.add_bpmn_file(str(DIAGRAM))
    return parser.get_spec("three_tasks"), parser.get_subprocess_specs("three_tasks")


def raw_in_memory(spec, subs):
    def run():
        wf = BpmnWorkflow(spec, subs)
        wf.do_engine_steps()
        while not wf.is_completed():
            task = wf.get_tasks(state=TaskState.READY, manual=True)[0]
            task.data["ok"] = True
            task.run()
            wf.do_engine_steps()

    return run


def raw_round_trip(spec, subs):
    """Spiff's own serializer per step, the spec stored apart (as the notes measure it)."""
    serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(DEFAULT_CONFIG))
    spec_dct = serializer.to_dict(spec)

    def run():
        wf = BpmnWorkflow(spec, subs)
        wf.do_engine_steps()
        while True:
            dct = serializer.to_dict(wf)
            dct.pop("spec"), dct.pop("subprocess_specs")
            state = json.dumps(dct)
            restored = json.loads(state)
            restored["spec"], restored["subprocess_specs"] = spec_dct, {}
            wf = serializer.from_dict(restored)
            if wf.is_completed():
                return
            task = wf.get_tasks(state=TaskState.READY, manual=True)[0]
            task.data["ok"] = True
            task.run()
            wf.do_engine_steps()

    return run


# -- the engine service layer ------------------------------------------------------------------
def _service(url: str, engine: Engine):
    db = create_engine(url, pool_size=4) if url.startswith("postgresql") else create_engine(url)
    if url.startswith("sqlite"):
        event.listen(db, "connect", sqlite_pragmas)
    if url.startswith("postgresql"):
        with db.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS bench CASCADE; CREATE SCHEMA bench"))
        db.dispose()
        db = create_engine(url, pool_size=4, connect_args={"options": "-csearch_path=bench"})
    Base.metadata.create_all(db)
    factory = sessionmaker(db, expire_on_commit=False)
    with factory() as session:
        engine.deploy(session, {"three_tasks.bpmn": DIAGRAM.read_bytes()}, ACTOR)
        session.commit()

    def run():
        with factory() as session:
            instance = engine.start(session, "three_tasks", {}, ACTOR)
            session.commit()
            for _ in range(3):
                task_id = instance.current_tasks[0].id
                instance = engine.complete_task(session, task_id, {"ok": True}, ACTOR)
                session.commit()

    return run, db, factory


def _process_rate(url: str, seconds: float, processes: int) -> float:
    """Instances/s of the service layer run by `processes` processes at once (scale-out: the
    GIL keeps threads of one process from using more than one core)."""
    import multiprocessing

    def child(queue):
        db = create_engine(url, connect_args={"options": "-csearch_path=bench"})
        factory = sessionmaker(db, expire_on_commit=False)
        engine = Engine()

        def run():
            with factory() as session:
                instance = engine.start(session, "three_tasks", {}, ACTOR)
                session.commit()
                for _ in range(3):
                    instance = engine.complete_task(
                        session, instance.current_tasks[0].id, {}, ACTOR
                    )
                    session.commit()

        run()
        queue.put(_rate(run, seconds))
        db.dispose()

    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    workers = [context.Process(target=child, args=(queue,)) for _ in range(processes)]
    for worker in workers:
        worker.start()
    rates = [queue.get(timeout=seconds + 60) for _ in workers]
    for worker in workers:
        worker.join()
    return sum(rates)


# -- the HTTP API --------------------------------------------------------------------------------
def _cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of processes, from /proc (Linux)."""
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def _http(seconds: float, workers: int = 2) -> tuple[float, float]:
    """Instances/s through gunicorn (a process of its own, `workers` workers) and the server's
    CPU milliseconds per instance."""
    import signal
    import socket
    import subprocess
    import sys

    from webapp import create_app
    from webapp.extensions import db
    from workflows.demo import load_demo

    var = Path(tempfile.mkdtemp(prefix="aftersales-bench-"))
    env = {
        **os.environ,
        "AFTERSALES_VAR": str(var),
        "DATABASE_URL": f"sqlite:///{var / 'bench.sqlite'}",
        "SESSION_COOKIE_SECURE": "0",
    }
    env.pop("CELERY_BROKER_URL", None)
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": env["DATABASE_URL"], "CELERY_DATA_DIR": str(var / "celery")}
    )
    with app.app_context():
        Base.metadata.create_all(db.engine)
        load_demo(db.session)
        db.session.commit()
        from workflows.runtime import get_engine

        get_engine().deploy(db.session, {"three_tasks.bpmn": DIAGRAM.read_bytes()}, ACTOR)
        db.session.commit()
        db.engine.dispose()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(
        [
            str(gunicorn),
            "-w",
            str(workers),
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "webapp:create_app()",
        ],
        env=env,
        cwd=Path(__file__).resolve().parents[1],
    )
    try:
        conn = HTTPConnection("127.0.0.1", port)
        for _ in range(100):
            try:
                conn.request("GET", "/api/v1/openapi.json")
                conn.getresponse().read()
                break
            except OSError:
                conn.close()
                time.sleep(0.1)

        def call(method, path, body=None, token=None):
            headers = {"Content-Type": "application/json"}
            if token:
                headers["Authorization"] = f"Bearer {token}"
            conn.request(
                method, path, body=json.dumps(body) if body is not None else None, headers=headers
            )
            response = conn.getresponse()
            payload = json.loads(response.read())
            assert response.status < 300, payload
            return payload

        token = call("POST", "/api/v1/auth/token", {"username": "cs1", "password": "demo"})["token"]

        def run():
            instance = call(
                "POST", "/api/v1/process-instances", {"process": "three_tasks", "data": {}}, token
            )
            task = next(t for t in instance["tasks"] if t["status"] == "open")
            for _ in range(3):
                result = call("POST", f"/api/v1/tasks/{task['id']}/complete", {"data": {}}, token)
                task = result["next_tasks"][0] if result["next_tasks"] else None

        for _ in range(20):
            run()
        children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
        pids = [server.pid, *map(int, children)]
        cpu_before = _cpu_seconds(pids)
        done = [0]
        started = time.perf_counter()
        while time.perf_counter() - started < seconds:
            run()
            done[0] += 1
        elapsed = time.perf_counter() - started
        cpu_ms = (_cpu_seconds(pids) - cpu_before) * 1000 / done[0]
        return done[0] / elapsed, cpu_ms
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(10)


# -- the inbox query ------------------------------------------------------------------------------
def inbox_timing(factory, counts=(1_000, 100_000)) -> dict[int, float]:
    """Median ms of one inbox page (50 rows + total) for cs1 while the system holds `count`
    open tasks. cs1's own inbox stays the same size (80 tasks open to the role, 15 assigned,
    5 claimed); the rest belong to 200 other roles and 2,000 other people, as in a big
    department: the query must cost what the caller sees, not what the system holds."""
    results = {}
    with factory() as session:
        instance_id = session.scalar(select(func.min(ProcessInstance.id)))
        definition_id = session.scalar(
            select(ProcessInstance.definition_id).where(ProcessInstance.id == instance_id)
        )
        for count in counts:
            session.execute(delete(HumanTask).where(HumanTask.process_key == "bench_inbox"))
            rows = []
            for i in range(count):
                role, assignee, claimed = f"role_{i % 200}", None, None
                if i < 80:
                    role = "customer_service"
                elif i < 95:
                    assignee = "cs1"
                elif i < 100:
                    role, claimed = "customer_service", "cs1"
                elif i % 3 == 0:
                    assignee = f"user{i % 2000}"
                elif i % 3 == 1:
                    role, claimed = "customer_service", f"user{i % 2000}"
                rows.append(
                    {
                        "id": str(uuid.uuid4()),
                        "instance_id": instance_id,
                        "definition_id": definition_id,
                        "process_key": "bench_inbox",
                        "spec_name": "t",
                        "name": "t",
                        "role": role,
                        "roles": [role],
                        "status": "open",
                        "assignee": assignee,
                        "claimed_by": claimed,
                    }
                )
            for start in range(0, count, 5_000):
                session.execute(insert(HumanTask), rows[start : start + 5_000])
            session.commit()
            session.execute(text("ANALYZE"))
            stmt = inbox_query(ACTOR, "open")
            samples = []
            for _ in range(30):
                started = time.perf_counter()
                page = session.scalars(stmt.limit(50)).all()
                total = session.scalar(
                    select(func.count()).select_from(stmt.order_by(None).subquery())
                )
                samples.append((time.perf_counter() - started) * 1000)
            assert len(page) == 50 and total >= 100, (len(page), total)
            results[count] = statistics.median(samples)
        session.execute(delete(HumanTask).where(HumanTask.process_key == "bench_inbox"))
        session.commit()
    return results


# -- timers: real Celery processes on PostgreSQL + Redis ------------------------------------------
TIMER_SCHEMA = "bench_timers"
TIMER_REDIS_DB = 6  # a database of the bench's own on the Redis server, emptied before and after
TIMER_DIAGRAM = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="t" targetNamespace="x">
  <bpmn:process id="bench_timer" isExecutable="true">
    <bpmn:startEvent id="s"/>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="pause"/>
    <bpmn:intermediateCatchEvent id="pause" name="Wait">
      <bpmn:timerEventDefinition><bpmn:timeDuration>PT5S</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="pause" targetRef="e"/>
    <bpmn:endEvent id="e"/>
  </bpmn:process>
</bpmn:definitions>"""


def _timer_redis_url() -> str | None:
    """The bench's Redis database, on CELERY_BROKER_URL's server (else 127.0.0.1:6379)."""
    import redis

    from tests.workflows.celery_processes import redis_db

    url = os.environ.get("CELERY_BROKER_URL", "")
    url = redis_db(url if url.startswith("redis") else "redis://127.0.0.1:6379/0", TIMER_REDIS_DB)
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=2)
        client.ping()
        client.close()
        return url
    except Exception:  # noqa: BLE001 - any failure means "not here"
        return None


class _TimerBench:
    """A schema of its own in PostgreSQL; instances whose one timer falls due at one moment."""

    def __init__(self):
        from webapp import create_app
        from workflows.runtime import build_engine

        sep = "&" if "?" in PG_URL else "?"
        self.url = f"{PG_URL}{sep}options=-csearch_path%3D{TIMER_SCHEMA}"
        setup = create_engine(PG_URL)
        with setup.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {TIMER_SCHEMA} CASCADE"))
            conn.execute(text(f"CREATE SCHEMA {TIMER_SCHEMA}"))
        setup.dispose()
        self.tmp = Path(tempfile.mkdtemp(prefix="aftersales-bench-timers-"))
        # the application's models, all of them (the worker's engine writes SLA rows too)
        create_app({"SQLALCHEMY_DATABASE_URI": self.url, "CELERY_DATA_DIR": str(self.tmp)})
        self.db = create_engine(self.url)
        Base.metadata.create_all(self.db)
        self.factory = sessionmaker(self.db, expire_on_commit=False)
        self.engine = build_engine()  # not the process's cached one: definition ids differ here
        with self.factory() as session:
            self.engine.deploy(session, {"bench_timer.bpmn": TIMER_DIAGRAM}, ACTOR)
            session.commit()

    def due_instances(self, count: int):
        """`count` waiting instances due at the same moment (one started, the rest copies of its
        row: the same state, the same due time); that moment."""
        with self.factory() as session:
            session.execute(text("TRUNCATE audit_event, human_task, process_instance CASCADE"))
            template = self.engine.start(session, "bench_timer", {}, ACTOR)
            session.commit()
            columns = ", ".join(c.name for c in ProcessInstance.__table__.columns if c.name != "id")
            session.execute(
                text(
                    f"INSERT INTO process_instance ({columns}) SELECT {columns} "
                    "FROM process_instance, generate_series(1, :n) WHERE id = :template"
                ),
                {"n": count - 1, "template": template.id},
            )
            session.commit()
            session.execute(text("ANALYZE"))
            return template.next_timer_at

    def fired(self) -> int:
        with self.db.connect() as conn:
            return conn.scalar(text("SELECT count(*) FROM audit_event WHERE kind = 'timer'"))

    def lags(self, due) -> list[float]:
        with self.db.connect() as conn:
            rows = conn.scalars(text("SELECT at FROM audit_event WHERE kind = 'timer'")).all()
        return sorted((at - due).total_seconds() for at in rows)

    def close(self):
        self.db.dispose()


def _wait_fired(bench: _TimerBench, count: int, timeout: float, label: str) -> int:
    """Poll until `count` timers fired or `timeout` passed; progress on stderr every 30 s."""
    import sys

    started = last_note = time.monotonic()
    fired = 0
    while time.monotonic() - started < timeout:
        fired = bench.fired()
        if fired >= count:
            break
        if time.monotonic() - last_note > 30:
            last_note = time.monotonic()
            print(
                f"  {label}: {fired:,} of {count:,} fired after {last_note - started:.0f} s",
                file=sys.stderr,
            )
        time.sleep(0.25)
    return fired


def _sleep_until(moment) -> None:
    from engine.models import utcnow

    time.sleep(max(0.0, (moment - utcnow()).total_seconds()) + 0.2)


def timer_timing(rate_count: int, lag_count: int, timeout: float) -> dict:
    """Timers fired per second by one worker process, and the lag from due time to firing when
    `lag_count` timers fall due at once (the product's beat schedule doing the sweeping)."""
    from tests.workflows.celery_processes import CeleryProcesses, Sender, flush_redis
    from workflows import jobs

    redis_url = _timer_redis_url()
    bench = _TimerBench()
    sweep = jobs.celery.conf.beat_schedule["sweep-timers"]["schedule"].total_seconds()
    result = {"sweep": sweep, "lag_count": lag_count}
    sender = Sender(redis_url)
    flush_redis(redis_url)
    try:
        # 1. throughput: one worker, every due instance queued at once by one sweep
        for pool, concurrency in (("solo", 1), ("prefork", 2)):
            due = bench.due_instances(rate_count)
            with CeleryProcesses(
                bench.tmp / f"rate-{pool}", bench.url, redis_url, loglevel="WARNING"
            ) as procs:
                procs.worker("rate", pool=pool, concurrency=concurrency)
                procs.wait_ready(sender=sender)  # it logs nothing at WARNING when ready
                _sleep_until(due)
                started = time.perf_counter()
                sender.send("workflows.jobs.sweep_timers", batch=rate_count)
                fired = _wait_fired(bench, rate_count, timeout, f"rate ({pool})")
                elapsed = time.perf_counter() - started
            if fired < rate_count:
                raise RuntimeError(f"only {fired} of {rate_count} timers fired:\n{procs.logs()}")
            result[f"rate_{pool}"] = (rate_count / elapsed, concurrency)
            flush_redis(redis_url)

        # 2. lag: many timers due at one moment, one worker, the beat on its schedule
        with CeleryProcesses(bench.tmp / "lag", bench.url, redis_url) as procs:
            worker = procs.worker("lag", pool="prefork", concurrency=2)
            procs.beat("lag-beat")
            procs.wait_ready()
            due = bench.due_instances(lag_count)
            fired = _wait_fired(bench, lag_count, timeout, "lag")
            lags = bench.lags(due)
            result["fired"] = fired
            result["jobs"] = len(worker.succeeded("workflows.jobs.fire_timers"))
            result["sweeps"] = len(worker.succeeded("workflows.jobs.sweep_timers"))
        if lags:
            result["lag_max"] = lags[-1]
            result["lag_p95"] = lags[max(0, int(len(lags) * 0.95) - 1)]
            result["lag_p50"] = statistics.median(lags)
    finally:
        flush_redis(redis_url)
        sender.close()
        bench.close()
    return result


def print_timers(timers: dict | None, note: str = "") -> None:
    print("\ntimers (PostgreSQL + Redis, `celery -A webapp.celery_app` subprocesses)")
    if timers is None:
        print(f"  skipped: {note}")
        return
    for pool in ("solo", "prefork"):
        rate, concurrency = timers[f"rate_{pool}"]
        worker = f"one worker (-P {pool} --concurrency={concurrency})"
        print(f"  timers fired per second, {worker:40} {rate:7.1f}")
    count, sweep = timers["lag_count"], timers["sweep"]
    goal = sweep + 30
    print(
        f"  {count:,} timers due at once, one worker (-P prefork --concurrency=2, as `make run` starts it) + beat (sweep every {sweep:g} s):"
    )
    if "lag_max" not in timers:
        print("    none fired")
        return
    print(
        f"    lag due → fired: p50 {timers['lag_p50']:.1f} s   p95 {timers['lag_p95']:.1f} s"
        f"   max {timers['lag_max']:.1f} s"
    )
    print(
        f"    fired {timers['fired']:,} of {count:,}; {timers['jobs']:,} fire jobs run in "
        f"{timers['sweeps']} sweeps"
    )
    met = timers["fired"] == count and timers["lag_max"] <= goal
    print(
        f"    goal (every timer within one sweep + 30 s = {goal:g} s): {'met' if met else 'MISSED'}"
    )


def _pg_available() -> bool:
    try:
        probe = create_engine(PG_URL)
        with probe.connect():
            pass
        probe.dispose()
        return True
    except Exception:  # noqa: BLE001 - any failure means "not here"
        return False


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--skip-timers", action="store_true")
    parser.add_argument("--timers", type=int, default=10_000, help="timers due at once (lag)")
    parser.add_argument("--timer-rate-count", type=int, default=2_000)
    parser.add_argument("--timer-timeout", type=float, default=900, help="seconds per phase")
    args = parser.parse_args()
    seconds = args.seconds

    spec, subs = _raw_spec()
    rows = []
    raw = _rate(raw_in_memory(spec, subs), seconds)
    rows.append(("raw SpiffWorkflow, in memory", raw))
    round_trip = _rate(raw_round_trip(spec, subs), seconds)
    rows.append(("raw SpiffWorkflow, JSON round-trip per step", round_trip))

    engine = Engine()
    tmp = Path(tempfile.mkdtemp(prefix="aftersales-bench-"))
    run, sqlite_db, sqlite_factory = _service(f"sqlite:///{tmp / 'service.sqlite'}", engine)
    rows.append(("engine service layer, SQLite, 1 thread", _rate(run, seconds)))
    inbox = {}
    if not args.skip_postgres and _pg_available():
        run, pg_db, pg_factory = _service(PG_URL, engine)
        rows.append(("engine service layer, PostgreSQL, 2 threads", _rate(run, seconds, threads=2)))
        pg_db.dispose()
        rows.append(
            ("engine service layer, PostgreSQL, 2 processes", _process_rate(PG_URL, seconds, 2))
        )
        inbox["PostgreSQL"] = inbox_timing(pg_factory)
        pg_db.dispose()
    inbox["SQLite"] = inbox_timing(sqlite_factory)
    http_rate, http_cpu = _http(seconds)
    rows.append(("HTTP API (gunicorn 2 workers, SQLite), 1 client", http_rate))

    print(f"\nstart → 3 user tasks → end, {seconds:g} s per row\n")
    print(f"{'layer':50} {'inst/s':>9} {'× raw':>8} {'× round-trip':>13}")
    for name, rate in rows:
        print(f"{name:50} {rate:9.1f} {rate / raw:8.3f} {rate / round_trip:13.3f}")
    print(f"\nHTTP API: {http_cpu:.1f} ms of server CPU per instance (4 requests)")
    print("\ninbox query (first page of 50 + total), median ms")
    for backend, timings in inbox.items():
        small, large = timings[1_000], timings[100_000]
        print(
            f"{backend:12} 1,000 open: {small:7.2f} ms   100,000 open: {large:7.2f} ms   ratio {large / small:5.2f}"
        )
    sqlite_db.dispose()

    if args.skip_timers or args.skip_postgres:
        print_timers(None, "--skip-timers" if args.skip_timers else "--skip-postgres")
    elif not _pg_available():
        print_timers(None, f"no PostgreSQL at {PG_URL}")
    elif _timer_redis_url() is None:
        print_timers(None, "no Redis at CELERY_BROKER_URL or redis://127.0.0.1:6379")
    else:
        print_timers(timer_timing(args.timer_rate_count, args.timers, args.timer_timeout))


if __name__ == "__main__":
    main()
