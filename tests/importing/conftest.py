"""A local web server on 127.0.0.1 with news pages written for these tests; nothing reaches the
internet. The fetcher refuses internal addresses unless told otherwise, so the tests that
fetch from here turn ARTICLE_IMPORT_ALLOW_PRIVATE_ADDRESSES on."""

import gzip
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

PAGES = Path(__file__).resolve().parent / "pages"
# The ports this project's tests may take for servers of their own.
PORTS = range(8110, 8120)


def page(name: str) -> str:
    return (PAGES / name).read_text(encoding="utf-8")


class Handler(BaseHTTPRequestHandler):
    """Serve the pages, and the answers a careful fetcher must refuse or follow."""

    def log_message(self, format: str, *args: object) -> None:
        pass  # quiet tests

    def send(self, status: int, body: bytes, content_type: str, **headers: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        path, _, query = self.path.partition("?")
        html_type = "text/html; charset=utf-8"
        if path.startswith("/pages/") and (PAGES / path.removeprefix("/pages/")).is_file():
            body = (PAGES / path.removeprefix("/pages/")).read_bytes()
            self.send(200, body, html_type)
        elif path == "/gzip":
            self.send(200, gzip.compress(page("wire-video.html").encode()), html_type,
                      Content_Encoding="gzip")  # fmt: skip
        elif path == "/redirect":  # ?n: redirect n times, then the wire story
            hops = int(query or 1)
            target = f"/redirect?{hops - 1}" if hops > 1 else "/pages/wire-video.html"
            self.send(302, b"", "text/plain", Location=target)
        elif path == "/redirect-elsewhere":  # ?address
            self.send(302, b"", "text/plain", Location=query)
        elif path == "/json":
            self.send(200, b'{"title": "not a page"}', "application/json")
        elif path == "/big":
            self.send(200, b"<html><body><p>" + b"x" * 200_000 + b"</p></body></html>", html_type)
        elif path == "/slow":
            self.send_response(200)
            self.send_header("Content-Type", html_type)
            self.end_headers()
            for _ in range(40):
                self.wfile.write(b"<p>drip</p>")
                self.wfile.flush()
                time.sleep(0.1)
        elif path == "/empty":
            self.send(200, b"<html><body><nav><a href='/'>Home</a></nav></body></html>", html_type)
        else:
            self.send(404, b"not found", "text/plain")


@pytest.fixture(scope="session")
def page_server() -> Iterator[str]:
    """Return the base address (http://127.0.0.1:PORT) of the test pages' server."""
    server = None
    for port in PORTS:
        try:
            server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
            break
        except OSError:
            continue
    if server is None:
        pytest.fail(f"No free port in {PORTS.start}-{PORTS.stop - 1} for the test pages.")
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def local_fetches(settings) -> None:
    """Let the fetcher reach the test server on 127.0.0.1."""
    settings.ARTICLE_IMPORT_ALLOW_PRIVATE_ADDRESSES = True


@pytest.fixture
def client_for(db) -> Callable[[User], APIClient]:
    def make(user: User) -> APIClient:
        token, _ = Token.objects.get_or_create(user=user)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return make
