"""Real Celery processes for tests and `make bench`: `celery -A webapp.celery_app worker|beat`
started as subprocesses on a given database and broker, each with a log file, and always killed.

    with CeleryProcesses(tmp_path, database_url, broker_url) as procs:
        worker = procs.worker("w1")
        procs.beat("b1")
        procs.wait_ready()
        ...
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from celery import Celery
from kombu import Connection
from kombu.pidbox import Mailbox

ROOT = Path(__file__).resolve().parents[2]
CELERY = str(Path(sys.executable).with_name("celery"))


def wait_until(predicate: Callable[[], object], timeout: float, interval: float = 0.2, what=""):
    """`predicate()`'s first truthy value, polled until `timeout` seconds have passed."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"waited {timeout:g} s for {what or predicate}")
        time.sleep(interval)


def redis_db(url: str, number: int) -> str:
    """The same Redis server as `url`, database `number` (kept apart from what others queue)."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{number}", parts.query, parts.fragment))


def flush_redis(url: str) -> None:
    import redis

    client = redis.Redis.from_url(url)
    try:
        client.flushdb()
    finally:
        client.close()


class Sender:
    """Queues jobs by name on the broker at `url`, as the sweep or a view would.

    The connection is explicit: Celery prefers the CELERY_BROKER_URL variable to its settings.
    """

    def __init__(self, url: str):
        self.url = url
        self.app = Celery("timer-tests")
        self.app.conf.update(task_serializer="json", accept_content=["json"])

    def send(self, task: str, *args, **kwargs) -> str:
        with self.app.connection_for_write(self.url) as connection:
            producer = self.app.amqp.Producer(connection)
            return self.app.send_task(task, list(args), kwargs, producer=producer).id

    def ping(self, hostname: str) -> bool:
        """Whether the worker named `hostname` answers (needs no log line, whatever its level)."""
        # kombu's mailbox straight: Celery's control publishes through the app's own broker
        with Connection(self.url) as connection:
            mailbox = Mailbox("celery", type="fanout", accept=["json"], serializer="json")
            return bool(
                mailbox(connection)._broadcast(
                    "ping", reply=True, timeout=0.5, destination=[hostname]
                )
            )

    def close(self) -> None:
        self.app.close()


class Process:
    """One `celery` subprocess (a session of its own, so its pool children die with it)."""

    def __init__(self, name: str, kind: str, args: list[str], env: dict, log: Path):
        self.name, self.kind, self.log = name, kind, log
        self.hostname = f"{name}@{socket.gethostname()}"  # what `-n name@%h` gives a worker
        self._offset = log.stat().st_size if log.exists() else 0  # a restart appends
        self._out = log.open("ab")
        self.popen = subprocess.Popen(
            [CELERY, "-A", "webapp.celery_app", kind, *args],
            env=env,
            cwd=ROOT,
            stdout=self._out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    @property
    def pid(self) -> int:
        return self.popen.pid

    def text(self) -> str:
        """What this process logged (not what an earlier one of the same name did)."""
        with self.log.open("rb") as log:
            log.seek(self._offset)
            return log.read().decode(errors="replace")

    def alive(self) -> bool:
        return self.popen.poll() is None

    def ready(self) -> bool:
        if not self.alive():
            raise RuntimeError(f"{self.kind} {self.name} exited:\n{self.tail()}")
        marker = " ready." if self.kind == "worker" else "beat: Starting..."
        return marker in self.text()

    def children(self) -> list[int]:
        path = Path(f"/proc/{self.pid}/task/{self.pid}/children")
        return [int(p) for p in path.read_text().split()] if path.exists() else []

    def received(self, task_id: str) -> int:
        """How many times this process logged receiving the message with `task_id`."""
        job = rf"[\w.]+\[{re.escape(task_id)}\]"
        return len(re.findall(rf"Received task: {job}|Task {job} received", self.text()))

    def succeeded(self, task_name: str) -> list[str]:
        """The return values this worker logged for `task_name`'s successful runs."""
        pattern = rf"Task {re.escape(task_name)}\[[0-9a-f-]+\] succeeded in [\d.]+s: (.*)"
        return re.findall(pattern, self.text())

    def stop(self, timeout: float = 30) -> None:
        """Warm shutdown (SIGTERM), as a service manager stops it; killed if it hangs."""
        if self.alive():
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill()
        self._out.close()

    def kill(self) -> None:
        """SIGKILL the whole process group (the worker and its pool children)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signal.SIGKILL)
        self.popen.wait(30)
        self._out.close()

    def tail(self, lines: int = 40) -> str:
        return "\n".join(self.text().splitlines()[-lines:])


class CeleryProcesses:
    """Workers and beats of the application under test, on the same database and broker."""

    def __init__(
        self,
        folder: Path,
        database_url: str,
        broker_url: str,
        extra_env: dict[str, str] | None = None,
        loglevel: str = "INFO",
    ):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        var = self.folder / "var"  # secret key, and the filesystem broker's folders
        var.mkdir(exist_ok=True)
        env = {k: v for k, v in os.environ.items() if not k.startswith("CELERY_")}
        env.update(
            DATABASE_URL=database_url,
            CELERY_BROKER_URL=broker_url,
            AFTERSALES_VAR=str(var),
            PYTHONUNBUFFERED="1",
        )
        env.update(extra_env or {})
        self.env = env
        self.loglevel = loglevel
        self.processes: list[Process] = []

    def worker(self, name: str, pool: str = "prefork", concurrency: int = 2, **env) -> Process:
        args = [
            "-n",
            f"{name}@%h",
            "-P",
            pool,
            f"--concurrency={concurrency}",
            f"--loglevel={self.loglevel}",
            "--without-mingle",
            "--without-gossip",
        ]
        return self._start(name, "worker", args, env)

    def beat(self, name: str, **env) -> Process:
        schedule = self.folder / f"{name}-schedule"
        return self._start(name, "beat", ["-s", str(schedule), f"--loglevel={self.loglevel}"], env)

    def _start(self, name, kind, args, env) -> Process:
        process = Process(name, kind, args, {**self.env, **env}, self.folder / f"{name}.log")
        self.processes.append(process)
        return process

    def wait_ready(self, timeout: float = 60, sender: Sender | None = None) -> None:
        """Until every running process has started: from its log, or for a worker below INFO
        level, by a ping through `sender`."""
        for process in self.processes:
            if not process.alive():
                continue
            ready = process.ready
            if sender is not None and process.kind == "worker":
                ready = lambda p=process: p.alive() and sender.ping(p.hostname)  # noqa: E731
            wait_until(ready, timeout, what=f"{process.kind} {process.name} to start")

    def stop_all(self) -> None:
        for process in self.processes:
            if process.alive():
                process.popen.send_signal(signal.SIGTERM)
        for process in self.processes:
            process.stop()

    def kill_all(self) -> None:
        for process in self.processes:
            process.kill()

    def logs(self, lines: int = 30) -> str:
        return "\n".join(
            f"--- {p.kind} {p.name} (pid {p.pid}) ---\n{p.tail(lines)}" for p in self.processes
        )

    def __enter__(self) -> CeleryProcesses:
        return self

    def __exit__(self, *exc) -> None:
        self.kill_all()
