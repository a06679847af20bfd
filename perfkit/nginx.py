"""A real HTTP cache in front of the measured server: nginx with proxy_cache, in a scratch folder.

Debian's ``nginx`` (or ``nginx-light``) package provides the binary; nothing of
the system's nginx is used or started. The benchmark starts its own master
process in the foreground (``daemon off``) with a configuration, cache, logs,
temporary files and pid file in a folder of its own, on a free port of
127.0.0.1, and stops it at the end of the ``with`` block.
"""

import getpass
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import Self

from .http import Client
from .server import HOST, START_TIMEOUT, ServerFailed, _free_port

# Where Debian installs it; /usr/sbin is not on every user's PATH.
SEARCH_PATH = os.pathsep.join([os.getenv("PATH", ""), "/usr/sbin", "/sbin"])

# proxy_cache as a CDN would use it: keep what Cache-Control allows for as long as it
# allows, revalidate with the validators (If-None-Match, If-Modified-Since), one request
# at a time to the site for the same page (proxy_cache_lock), and never cache or serve
# from the cache a request that carries a session (a reviewer gets the site's own page).
CONFIG = """
worker_processes 1;
{user}
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  client_body_temp_path {folder}/client_body;
  proxy_temp_path {folder}/proxy_temp;
  fastcgi_temp_path {folder}/fastcgi_temp;
  uwsgi_temp_path {folder}/uwsgi_temp;
  scgi_temp_path {folder}/scgi_temp;
  proxy_cache_path {folder}/cache levels=1:2 keys_zone=site:10m max_size=256m inactive=10m
                   use_temp_path=off;
  server {{
    listen {host}:{port};
    location / {{
      proxy_pass http://{host}:{upstream_port};
      proxy_http_version 1.1;
      proxy_set_header Host $http_host;
      proxy_cache site;
      proxy_cache_revalidate on;
      proxy_cache_lock on;
      proxy_cache_use_stale updating;
      proxy_cache_bypass $cookie_sessionid;
      proxy_no_cache $cookie_sessionid;
      add_header X-Cache-Status $upstream_cache_status always;
    }}
  }}
}}
"""


def nginx_binary() -> str | None:
    """Return the path of the nginx binary, or None when it is not installed."""
    return shutil.which("nginx", path=SEARCH_PATH)


class NginxCache:
    """nginx with proxy_cache on 127.0.0.1 (a free port) in front of ``upstream_port``."""

    def __init__(self, upstream_port: int) -> None:
        binary = nginx_binary()
        if binary is None:
            raise ServerFailed(
                "nginx is not installed: apt-get install nginx-light (no service is started)."
            )
        self.binary = binary
        self.upstream_port = upstream_port
        self.port = _free_port()
        self.base_url = f"http://{HOST}:{self.port}"
        self.folder = Path(tempfile.mkdtemp(prefix="factcheck_nginx_"))
        self._process: subprocess.Popen[bytes] | None = None

    def config(self) -> str:
        # Run as root, nginx would hand its workers to "nobody", who cannot write in this
        # folder: keep them as the user who runs the benchmark. Otherwise the directive
        # means nothing (nginx says so in its log).
        user = f"user {getpass.getuser()};" if os.geteuid() == 0 else ""
        return CONFIG.format(
            folder=self.folder,
            host=HOST,
            port=self.port,
            upstream_port=self.upstream_port,
            user=user,
        )

    def __enter__(self) -> Self:
        config = self.folder / "nginx.conf"
        config.write_text(self.config())
        log = self.folder / "error.log"
        command = [
            self.binary,
            *("-p", str(self.folder)),
            *("-c", str(config)),
            *("-e", str(log)),
            *("-g", "daemon off;"),
        ]
        with (self.folder / "output.log").open("wb") as output:
            self._process = subprocess.Popen(  # noqa: S603 (a fixed command of our own)
                command, stdout=output, stderr=output
            )
        try:
            self._wait_until_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()

    def log(self) -> str:
        text = ""
        for name in ("output.log", "error.log"):
            path = self.folder / name
            if path.exists():
                text += path.read_text(errors="replace")[-2000:]
        return text

    def _wait_until_ready(self) -> None:
        client = Client(self.base_url, timeout=5)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self._process is None or self._process.poll() is not None:
                raise ServerFailed(f"nginx stopped.\n{self.log()}")
            try:
                client.request("GET", "/healthz")
                return
            except OSError:
                time.sleep(0.05)  # not listening yet
        raise ServerFailed(f"nginx did not answer within {START_TIMEOUT:.0f} s.\n{self.log()}")

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGQUIT)  # finish the open requests, then stop
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)
