"""A real server to measure: gunicorn on the loopback interface, with production settings."""

import contextlib
import fcntl
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import psutil
from django.conf import settings

from .http import Client

HOST = "127.0.0.1"  # measurements never leave the machine
START_TIMEOUT = 60.0  # seconds for the workers to answer, on a slow CI machine
# The site's WSGI application with the production settings file (gunicorn.conf.py).
GUNICORN_ARGS = ("factcheck.wsgi", "--config", "gunicorn.conf.py")

_static_collected = False


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def server_environment(database_url: str) -> dict[str, str]:
    """Return the environment of a server run as in production, but over plain HTTP.

    DEBUG off (no query log, compressed static files), persistent database
    connections, a fresh secret key; the secure-cookie and HTTPS-redirect
    settings are off because loopback has no TLS, and any DATABASE_REPLICA_URL is
    dropped (it would name another database than the scratch one). The development tools are
    installed and Server-Timing is on, so that each response says what it cost. The
    API's throttles allow far more than the measured clients send.
    Gunicorn's own settings come from gunicorn.conf.py, as in production.
    """
    environment = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": HOST,
        "DB_CONN_MAX_AGE": "60",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "SECURE_HSTS_SECONDS": "0",
        "FACTCHECK_DEV_TOOLS": "true",
        "FACTCHECK_SERVER_TIMING": "true",
        # One reviewer creating 1,000 claims, and twenty clients at full speed from one
        # address, are what is measured here, not refused: far above the defaults.
        "THROTTLE_ANON": "100000/min",
        "THROTTLE_USER": "100000/min",
        "THROTTLE_EXPORT": "100000/min",
        "PYTHONUNBUFFERED": "1",
    }
    # The scratch database has no replica: a replica named here would be another database.
    environment.pop("DATABASE_REPLICA_URL", None)
    return environment


def gunicorn_config(environment: Mapping[str, str]) -> dict[str, str]:
    """Return the settings gunicorn resolves from gunicorn.conf.py in ``environment``.

    Gunicorn prints them itself (``--print-config``, which loads no code of the
    site), so the workers and threads measured are those it will run.
    """
    printed = subprocess.run(  # noqa: S603 (our own interpreter and fixed arguments)
        [sys.executable, "-m", "gunicorn", *GUNICORN_ARGS, "--print-config"],
        cwd=settings.BASE_DIR,
        env=dict(environment),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    found = {}
    for line in printed.splitlines():
        name, equals, value = line.partition("=")
        if equals:
            found[name.strip()] = value.strip()
    return found


def collect_static(environment: Mapping[str, str]) -> None:
    """Run collectstatic once per process: with DEBUG off, pages name the hashed files.

    A lock keeps two runs on one checkout (a benchmark and a test, say) from
    writing the same files at once.
    """
    global _static_collected
    if _static_collected:
        return
    lock_path = Path(tempfile.gettempdir()) / f"factcheck-collectstatic-{os.getuid()}.lock"
    with lock_path.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
            cwd=settings.BASE_DIR,
            env=dict(environment),
            check=True,
        )
    _static_collected = True


class ServerFailed(RuntimeError):
    """The server did not start, or stopped while being measured."""


class Gunicorn:
    """Serve the site with gunicorn on 127.0.0.1 (a free port) for the length of a ``with``.

    Gunicorn reads gunicorn.conf.py, as in production; ``workers`` and ``threads``,
    when given, reach it through the environment (GUNICORN_WORKERS, GUNICORN_THREADS).
    """

    def __init__(
        self, database_url: str, *, workers: int | None = None, threads: int | None = None
    ) -> None:
        self.database_url = database_url
        self.port = _free_port()
        self.base_url = f"http://{HOST}:{self.port}"
        self.environment = {
            **server_environment(database_url),
            "HOST": HOST,
            "PORT": str(self.port),
        }
        if workers is not None:
            self.environment["GUNICORN_WORKERS"] = str(workers)
        if threads is not None:
            self.environment["GUNICORN_THREADS"] = str(threads)
        self.workers = 0  # as gunicorn resolves them, once started
        self.threads = 0
        self.worker_class = ""
        self._process: subprocess.Popen[bytes] | None = None
        self._log_dir = Path(tempfile.mkdtemp(prefix="factcheck_gunicorn_"))
        self.log_path = self._log_dir / "gunicorn.log"

    def __enter__(self) -> Self:
        collect_static(self.environment)
        config = gunicorn_config(self.environment)
        self.workers, self.threads = int(config["workers"]), int(config["threads"])
        self.worker_class = config["worker_class"]
        command = [sys.executable, "-m", "gunicorn", *GUNICORN_ARGS]
        with self.log_path.open("wb") as log:
            # The command is ours, built from fixed words: no shell, no user input.
            self._process = subprocess.Popen(  # noqa: S603
                command, cwd=settings.BASE_DIR, env=self.environment, stdout=log, stderr=log
            )
        try:
            self._wait_until_ready()
        except BaseException:
            self.stop()
            raise
        return self

    @property
    def summary(self) -> str:
        """Return how the server runs, in words: "2 sync workers", "2 workers × 4 threads"."""
        return workers_in_words(self.workers, self.threads, self.worker_class)

    @property
    def description(self) -> dict[str, Any]:
        """Return how the server runs, for a report: workers, threads, worker class."""
        return {
            "workers": self.workers,
            "threads": self.threads,
            "worker_class": self.worker_class,
        }

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()

    def _wait_until_ready(self) -> None:
        client = Client(self.base_url, timeout=5)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            self.check_running()
            try:
                if client.request("GET", "/login/").status == 200 and (
                    len(self.worker_pids()) == self.workers
                ):
                    return
            except OSError:
                pass  # not listening yet
            time.sleep(0.1)
        raise ServerFailed(f"gunicorn did not answer within {START_TIMEOUT:.0f} s.\n{self.log()}")

    def log(self) -> str:
        """Return the end of the server's log, to show with a failure."""
        try:
            return self.log_path.read_text(errors="replace")[-4000:]
        except OSError:
            return ""

    def check_running(self) -> None:
        if self._process is None or self._process.poll() is not None:
            raise ServerFailed(f"gunicorn stopped.\n{self.log()}")

    def worker_pids(self) -> list[int]:
        """Return the process ids of the workers (not of the master, which serves nothing)."""
        if self._process is None:
            return []
        try:
            return [child.pid for child in psutil.Process(self._process.pid).children()]
        except psutil.NoSuchProcess:
            return []

    def rss(self) -> int:
        """Return the resident memory of the largest worker, in bytes."""
        sizes = [0]
        for pid in self.worker_pids():
            with contextlib.suppress(psutil.NoSuchProcess):  # a worker being replaced
                sizes.append(psutil.Process(pid).memory_info().rss)
        return max(sizes)

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        shutil.rmtree(self._log_dir, ignore_errors=True)


class PeakMemory:
    """Sample each worker's resident memory every ``interval`` seconds in a thread.

    A worker keeps the memory it grew to, so the figures are those of the
    worker that grew the most during the block (the one that served it):
    ``baseline`` its memory on entry, ``peak`` the most it held, ``growth``
    the difference.
    """

    def __init__(self, server: Gunicorn, *, interval: float = 0.005) -> None:
        self.server = server
        self.interval = interval
        self.baseline = 0
        self.peak = 0
        self._baselines: dict[int, int] = {}
        self._peaks: dict[int, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    @property
    def growth(self) -> int:
        return self.peak - self.baseline

    def __enter__(self) -> Self:
        self._processes = [psutil.Process(pid) for pid in self.server.worker_pids()]
        self._take()
        self._baselines = dict(self._peaks)
        self._thread.start()
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self._stop.set()
        self._thread.join()
        self._take()
        grown = max(self._peaks, key=lambda pid: self._peaks[pid] - self._baselines.get(pid, 0))
        self.baseline, self.peak = self._baselines.get(grown, 0), self._peaks[grown]

    def _take(self) -> None:
        for process in self._processes:
            with contextlib.suppress(psutil.NoSuchProcess):  # a worker being replaced
                rss = process.memory_info().rss
                self._peaks[process.pid] = max(self._peaks.get(process.pid, 0), rss)

    def _sample(self) -> None:
        while not self._stop.wait(self.interval):
            self._take()


_TIMING = re.compile(r'(\w+);dur=([0-9.]+)(?:;desc="(\d+) queries")?')


def server_timing(headers: Mapping[str, str] | Any) -> dict[str, float | int] | None:
    """Read the Server-Timing header the site sends when asked: app and db ms, query count."""
    header = headers.get("Server-Timing")
    if not header:
        return None
    found: dict[str, float | int] = {}
    for name, duration, queries in _TIMING.findall(header):
        found[f"{name}_ms"] = float(duration)
        if queries:
            found["queries"] = int(queries)
    if not {"app_ms", "db_ms", "queries"} <= found.keys():
        return None
    return found


def workers_in_words(workers: int, threads: int, worker_class: str) -> str:
    """Return "2 sync workers" or "2 workers × 4 threads (gthread)" for a report."""
    if threads <= 1:
        return f"{workers} {worker_class} worker{'s' if workers != 1 else ''}"
    return f"{workers} workers × {threads} threads ({worker_class})"
