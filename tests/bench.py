"""`make bench`: throughput of "start → 3 user tasks → end" at each layer, as ratios to raw
SpiffWorkflow measured in the same run, and the inbox query at 1,000 and 100,000 open tasks.

Run: `python -m tests.bench [--seconds 3] [--skip-postgres]`. PostgreSQL is used when
DATABASE_URL (or the machine's 127.0.0.1:5432/test) answers.
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


if __name__ == "__main__":
    main()
