"""A small HTTP client for measuring the site: one connection per request, cookies, CSRF, tokens.

The standard library's http.client keeps the client's own cost low and
visible; each request opens its own connection (no keep-alive), so that every
figure includes it, as for a client's first request.
"""

import http.client
import json as jsonlib
import re
import time
from dataclasses import dataclass
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import urlencode, urlsplit

CHUNK = 64 * 1024
KEPT = 1024  # bytes of a streamed body kept at each end
_CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes
    seconds: float  # from opening the connection to the last byte

    def json(self) -> Any:
        return jsonlib.loads(self.body)


@dataclass
class Streamed:
    """A response read chunk by chunk and not kept: its size, lines, first and last bytes."""

    status: int
    headers: http.client.HTTPMessage
    size: int
    seconds: float
    head: bytes
    tail: bytes
    lines: int  # newline characters in the body


class LoginRefused(RuntimeError):
    pass


class Client:
    """Talk to one site as one user: a session after ``login``, or an API ``token``."""

    def __init__(self, base_url: str, *, timeout: float = 300) -> None:
        parts = urlsplit(base_url)
        if parts.scheme != "http" or not parts.hostname:
            raise ValueError(f"Only plain http://host:port addresses are measured, not {base_url}")
        self.host = parts.hostname
        self.port = parts.port or 80
        self.timeout = timeout
        self.cookies: dict[str, str] = {}
        self.token: str | None = None

    def _headers(self, method: str, extra: dict[str, str] | None) -> dict[str, str]:
        headers = {"Host": f"{self.host}:{self.port}"}
        if self.token:
            headers["Authorization"] = f"Token {self.token}"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
            if method in UNSAFE and "csrftoken" in self.cookies:
                headers["X-CSRFToken"] = self.cookies["csrftoken"]
        headers.update(extra or {})
        return headers

    def _keep_cookies(self, response: http.client.HTTPResponse) -> None:
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(header)
            for name, morsel in cookie.items():
                if morsel["max-age"] == "0" or morsel.value == "":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value

    def _send(
        self,
        method: str,
        path: str,
        json: Any = None,
        form: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[http.client.HTTPConnection, http.client.HTTPResponse, float]:
        body: bytes | None = None
        extra = dict(headers or {})
        if json is not None:
            body = jsonlib.dumps(json).encode()
            extra.setdefault("Content-Type", "application/json")
        elif form is not None:
            body = urlencode(form).encode()
            extra.setdefault("Content-Type", "application/x-www-form-urlencoded")
        started = time.perf_counter()
        connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        connection.request(method, path, body=body, headers=self._headers(method, extra))
        response = connection.getresponse()
        self._keep_cookies(response)
        return connection, response, started

    def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        form: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Response:
        connection, response, started = self._send(method, path, json, form, headers)
        try:
            body = response.read()
        finally:
            connection.close()
        return Response(response.status, response.headers, body, time.perf_counter() - started)

    def stream(self, method: str, path: str, *, headers: dict[str, str] | None = None) -> Streamed:
        connection, response, started = self._send(method, path, headers=headers)
        size, lines, head, tail = 0, 0, b"", b""
        try:
            while chunk := response.read(CHUNK):
                if size < KEPT:
                    head += chunk[: KEPT - size]
                tail = (tail + chunk)[-KEPT:]
                size += len(chunk)
                lines += chunk.count(b"\n")
        finally:
            connection.close()
        seconds = time.perf_counter() - started
        return Streamed(response.status, response.headers, size, seconds, head, tail, lines)

    def login(self, username: str, password: str) -> None:
        """Log in through the site's login form, as a browser does."""
        page = self.request("GET", "/login/")
        match = _CSRF_INPUT.search(page.body.decode())
        if page.status != 200 or match is None:
            raise LoginRefused(f"The login page answered {page.status} without a form.")
        answer = self.request(
            "POST",
            "/login/",
            form={"username": username, "password": password, "csrfmiddlewaretoken": match[1]},
        )
        if answer.status != 302 or "sessionid" not in self.cookies:
            raise LoginRefused(f"Logging in as {username} was refused ({answer.status}).")
