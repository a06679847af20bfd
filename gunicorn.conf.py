"""Gunicorn's settings, read from the environment: `gunicorn factcheck.wsgi -c gunicorn.conf.py`.

The same file serves production, `make bench` and `make loadtest`, so the
figures they give are those of the server as it runs. Every value can be
changed without editing it:

| variable                    | default   | what                                             |
|-----------------------------|-----------|--------------------------------------------------|
| `HOST`, `PORT`              | 127.0.0.1, 8000 | where to listen                            |
| `GUNICORN_WORKERS`          | 2         | processes                                        |
| `GUNICORN_THREADS`          | 1         | threads a process; more than 1 uses gthread      |
| `GUNICORN_TIMEOUT`          | 120       | seconds before a silent worker is restarted      |
| `GUNICORN_GRACEFUL_TIMEOUT` | 30        | seconds to finish requests on a restart or stop  |
| `GUNICORN_KEEPALIVE`        | 5         | seconds an idle kept-alive connection stays open |
| `GUNICORN_ACCESSLOG`        | (off)     | `-` for standard output, or a file               |
| `LOG_LEVEL`                 | INFO      | gunicorn's own messages (Django's too)           |

Processes, not threads, by default: measured with `make loadtest` (20 clients
on 2 cores), a request here is mostly Python, so threads in one process wait
for each other's turn at the interpreter. Two sync workers served 230
requests/s with a p99 of 115 ms; two workers of four threads, 205 requests/s
with a p99 of 206 ms. Threads pay off where requests wait on something slow
outside the process; `GUNICORN_THREADS` above 1 switches gunicorn to its
gthread worker. Django keeps one database connection per thread, so the
server holds up to workers × threads connections (with `DB_CONN_MAX_AGE` they
persist between requests): keep that below PostgreSQL's `max_connections`,
with room for the admin's and the commands' own.

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
workers = _int("GUNICORN_WORKERS", 2)
threads = _int("GUNICORN_THREADS", 1)
worker_class = "gthread" if threads > 1 else "sync"
# A sync worker busy with one request longer than this is restarted. The longest
# request is an export streamed to its client: 100,000 claims take a few seconds,
# but a slow client behind no buffering proxy reads for longer, hence two minutes.
timeout = _int("GUNICORN_TIMEOUT", 120)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)
loglevel = (os.getenv("LOG_LEVEL") or "info").lower()
accesslog = os.getenv("GUNICORN_ACCESSLOG") or None
# The request line (method, path and query), status, time in ms, and the site's request id.
access_log_format = '%(h)s "%(r)s" %(s)s %(M)sms id=%({x-request-id}o)s'
