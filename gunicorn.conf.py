"""Gunicorn's settings, read from the environment: `gunicorn factcheck.wsgi -c gunicorn.conf.py`.

The same file serves production, `make bench` and `make loadtest`, so the
figures they give are those of the server as it runs. Every value can be
changed without editing it:

| variable                    | default   | what                                             |
|-----------------------------|-----------|--------------------------------------------------|
| `HOST`, `PORT`              | 127.0.0.1, 8000 | where to listen                            |
| `GUNICORN_WORKERS`          | 2         | processes                                        |
| `GUNICORN_THREADS`          | 4         | threads a process, each serving one request      |
| `GUNICORN_TIMEOUT`          | 30        | seconds before a silent worker is restarted      |
| `GUNICORN_GRACEFUL_TIMEOUT` | 30        | seconds to finish requests on a restart or stop  |
| `GUNICORN_KEEPALIVE`        | 5         | seconds an idle kept-alive connection stays open |
| `GUNICORN_ACCESSLOG`        | (off)     | `-` for standard output, or a file               |
| `LOG_LEVEL`                 | INFO      | gunicorn's own messages (Django's too)           |

Threads, not more processes: a request spends much of its time waiting for
PostgreSQL, and while one thread waits another runs. With sync workers, a
request that arrives while both processes are busy waits in the queue for the
whole of one; with 2 × 4 threads eight are served at once on two cores, and
memory stays that of two processes. Django keeps one database connection per
thread, so the server holds up to workers × threads connections (8 by
default; with `DB_CONN_MAX_AGE` they persist between requests): keep that
below PostgreSQL's `max_connections`, with room for the admin's and the
commands' own.

The site logs one line per request itself (`factcheck.middleware`, with the
request id); the access log below is gunicorn's, off unless asked for.
"""

import os


def _int(name: str, default: int) -> int:
    value = os.getenv(name) or str(default)  # unset or empty: the default
    try:
        return int(value)
    except ValueError:
        raise SystemExit(f"{name} must be a whole number, not {value!r}.") from None


bind = f"{os.getenv('HOST') or '127.0.0.1'}:{_int('PORT', 8000)}"
worker_class = "gthread"
workers = _int("GUNICORN_WORKERS", 2)
threads = _int("GUNICORN_THREADS", 4)
# gthread workers answer the master's heartbeat between requests, so this catches a
# stuck process; a long export streaming in one thread does not trip it.
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)
loglevel = (os.getenv("LOG_LEVEL") or "info").lower()
accesslog = os.getenv("GUNICORN_ACCESSLOG") or None
# The request line (method, path and query), status, time in ms, and the site's request id.
access_log_format = '%(h)s "%(r)s" %(s)s %(M)sms id=%({x-request-id}o)s'
