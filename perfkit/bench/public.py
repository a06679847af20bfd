"""The public page under a burst of anonymous readers: direct, with 304s, and through a cache.

Several client processes (threads of one would wait for each other's turn at
the interpreter) each request one published check's page as fast as it is
answered, for a fixed time, over a connection of their own kept open when the
server allows (gunicorn's sync workers close it after each answer; nginx keeps
it). Three runs:

- **direct**: gunicorn renders every answer (200), as for a first visit;
- **304**: each request carries the page's ETag in If-None-Match, as a browser
  or a cache revalidating its copy does: the site answers from one query;
- **cache**: nginx with proxy_cache in front of gunicorn (perfkit.nginx), as a
  CDN or a proxy would be: after the first request, nginx answers alone.

Every answer's status is checked; a wrong one fails the run.
"""

import http.client
import multiprocessing
import statistics
import time
from collections import Counter
from typing import Any

from ..http import Client
from ..nginx import NginxCache, nginx_binary
from ..server import Gunicorn, server_timing

# Requests made one at a time each way, to read the server's own time from Server-Timing.
SAMPLES = 21


class PublicPageFailed(RuntimeError):
    pass


def _hammer(
    host: str, port: int, path: str, headers: dict[str, str], seconds: float, expected: int
) -> dict[str, Any]:
    """Request ``path`` until ``seconds`` pass; return the count and any unexpected statuses."""
    connection = http.client.HTTPConnection(host, port, timeout=30)
    counts: Counter[int] = Counter()
    cache: Counter[str] = Counter()
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        try:
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            response.read()
        except (http.client.HTTPException, OSError):
            connection.close()  # the server closed it: open another
            counts[0] += 1
            continue
        counts[response.status] += 1
        cache[response.headers.get("X-Cache-Status", "")] += 1
        if response.will_close:
            connection.close()
    connection.close()
    return {"counts": dict(counts), "cache": dict(cache), "expected": expected}


def burst(
    base_url: str,
    path: str,
    *,
    clients: int,
    seconds: float,
    expected: int,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Run ``clients`` processes requesting ``path`` for ``seconds``; return requests per second."""
    client = Client(base_url)
    request_headers = {"Host": f"{client.host}:{client.port}", **(headers or {})}
    context = multiprocessing.get_context("spawn")
    arguments = [
        (client.host, client.port, path, request_headers, seconds, expected) for _ in range(clients)
    ]
    began = time.perf_counter()
    with context.Pool(clients) as pool:
        results = pool.starmap(_hammer, arguments)
    elapsed = time.perf_counter() - began
    counts: Counter[int] = Counter()
    cache: Counter[str] = Counter()
    for result in results:
        counts.update({int(k): v for k, v in result["counts"].items()})
        cache.update(result["cache"])
    wrong = {status: n for status, n in counts.items() if status != expected}
    if wrong:
        raise PublicPageFailed(
            f"GET {path} at {base_url}: expected only {expected}, got {dict(counts)}"
        )
    total = counts[expected]
    figures: dict[str, Any] = {
        "requests": total,
        "seconds": seconds,
        "clients": clients,
        # Per second of the clients' own time: starting the processes is not counted.
        "requests_per_second": round(total / seconds, 1),
        "wall_seconds": round(elapsed, 2),
    }
    hits = cache.get("HIT", 0)
    if any(cache.get(status) for status in ("HIT", "MISS", "EXPIRED", "REVALIDATED")):
        figures["cache_hits"] = hits
    return figures


def _check(condition: bool, message: str) -> None:
    if not condition:
        raise PublicPageFailed(message)


def measure_public_page(
    server: Gunicorn, claim_id: int, *, clients: int, seconds: float
) -> dict[str, Any]:
    """Measure one check's page for anonymous readers: direct, with 304s, through nginx."""
    path = f"/checks/{claim_id}/"
    first = Client(server.base_url).request("GET", path)
    _check(first.status == 200, f"GET {path} answered {first.status}, not 200.")
    cache_control = first.headers.get("Cache-Control", "")
    etag = first.headers.get("ETag", "")
    _check("public" in cache_control, f"GET {path} is not public: {cache_control!r}")
    _check(bool(etag), f"GET {path} has no ETag.")
    _check(first.headers.get("Set-Cookie") is None, f"GET {path} sets a cookie.")
    revalidated = Client(server.base_url).request("GET", path, headers={"If-None-Match": etag})
    _check(revalidated.status == 304, f"If-None-Match answered {revalidated.status}, not 304.")

    # What one answer costs the server, each way, from its Server-Timing (one request at a time).
    in_server = {}
    for key, headers in (("direct", {}), ("not_modified", {"If-None-Match": etag})):
        timings = []
        for _ in range(SAMPLES):
            answer = Client(server.base_url).request("GET", path, headers=headers)
            timing = server_timing(answer.headers)
            _check(timing is not None, f"GET {path} sent no Server-Timing header.")
            timings.append(timing)
        in_server[key] = {
            "server_app_ms_median": round(statistics.median(t["app_ms"] for t in timings), 3),
            "queries": statistics.median_low(int(t["queries"]) for t in timings),
        }

    figures: dict[str, Any] = {
        "path_claim_id": claim_id,
        "bytes": len(first.body),
        "cache_control": cache_control,
        "server": server.description,
    }
    figures["direct"] = (
        burst(server.base_url, path, clients=clients, seconds=seconds, expected=200)
        | in_server["direct"]
    )
    figures["not_modified"] = (
        burst(
            server.base_url,
            path,
            clients=clients,
            seconds=seconds,
            expected=304,
            headers={"If-None-Match": etag},
        )
        | in_server["not_modified"]
    )
    if nginx_binary() is None:
        figures["through_cache"] = None
        figures["through_cache_skipped"] = "nginx is not installed"
        return figures
    with NginxCache(server.port) as cache:
        warm = Client(cache.base_url).request("GET", path)
        _check(warm.status == 200, f"GET {path} through nginx answered {warm.status}.")
        again = Client(cache.base_url).request("GET", path)
        status = again.headers.get("X-Cache-Status")
        _check(status == "HIT", f"nginx did not keep the page: X-Cache-Status {status!r}.")
        figures["through_cache"] = burst(
            cache.base_url, path, clients=clients, seconds=seconds, expected=200
        )
        figures["through_cache"]["cache"] = "nginx proxy_cache, 1 worker process"
    return figures
