"""The benchmark's run: the corpus built step by step, and each figure measured over HTTP."""

import math
import os
import platform
import re
import secrets
import sqlite3
import statistics
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any, Protocol
from urllib.parse import urlsplit

import django
import psutil
from django.contrib.auth.models import Group, User
from django.db import connection
from django.urls import reverse
from rest_framework.authtoken.models import Token

from annotations.api.pagination import IdCursorPagination
from annotations.models import Article, Speaker
from annotations.publishing.reader import published
from annotations.publishing.writers import FORMATS
from perfkit.corpus.build import METHOD, Corpus
from perfkit.corpus.checks import assert_invariants, counts_in_database
from perfkit.corpus.plan import article_text_spans, claim_requests
from perfkit.http import Client, Response, Streamed
from perfkit.scratch import scratch_database
from perfkit.server import Gunicorn, PeakMemory, server_timing
from perfkit.stats import latency_ms

from .parameters import Parameters, evaluate_targets
from .public import PublicPageFailed, measure_public_page

# Articles made for the measurements, numbered apart from the corpus's own.
CREATE_ARTICLE = 1_000_000
SMALL_ARTICLE = 1_000_001
SMALL_CLAIMS = 10  # the small article page's claims, made by the warm-up requests
PAGE_LOADS = 7
# The export's figures are read first in this order, so the target's format is
# measured on a fresh worker, like the first request a real pull makes.
FORMAT_ORDER = ("jsonl", *(name for name in FORMATS if name != "jsonl"))


class BenchFailed(RuntimeError):
    """Something the benchmark needs went wrong: its figures would mean nothing."""


class Progress(Protocol):
    """Where the run reports how far it has got: one phase after another."""

    def phase(self, name: str, total: int | None, unit: str) -> None: ...

    def advance(self, amount: int = 1) -> None: ...


class NoProgress:
    def phase(self, name: str, total: int | None, unit: str) -> None:
        pass

    def advance(self, amount: int = 1) -> None:
        pass


# The run ------------------------------------------------------------------------------


@dataclass
class _Account:
    """The reviewer the measurements act as: by session (the page) or by token (the API)."""

    username: str
    password: str
    token: str


@dataclass
class _Desk:
    """The articles the measurements act on, and the speakers their claims name."""

    speakers: list[int]
    create_article: Article
    small_article: Article


def run(
    parameters: Parameters, *, progress: Progress | None = None, keep: bool = False, log: Any = None
) -> dict[str, Any]:
    """Build the corpus in a scratch database, measure everything, return the document.

    Raises BenchFailed (or CorpusError, or the server's ServerFailed) when a
    measurement could not be made as it should: a refused request, a broken
    invariant, a server that did not start. The scratch database is dropped
    in every case, unless ``keep``.
    """
    problems = parameters.problems()
    if problems:
        raise ValueError(" ".join(problems))
    progress = progress or NoProgress()
    started = datetime.now(UTC)
    with scratch_database(label="bench", keep=keep, stdout=log) as database_url:
        figures = _Run(parameters, progress, database_url).measure()
    return {
        "benchmark": "manage.py bench",
        "started_at": started.isoformat(timespec="seconds"),
        "seconds": round((datetime.now(UTC) - started).total_seconds(), 1),
        **figures,
    }


class _Run:
    def __init__(self, parameters: Parameters, progress: Progress, database_url: str) -> None:
        self.parameters = parameters
        self.progress = progress
        self.database_url = database_url
        self.corpus = Corpus(
            seed=parameters.seed,
            articles=parameters.articles,
            words=parameters.words,
            claims=parameters.claims,
            verified=parameters.verified,
            progress=progress.advance,
        )
        self.build_steps: list[dict[str, Any]] = []
        self.checks: dict[str, int] = {}

    def measure(self) -> dict[str, Any]:
        p = self.parameters
        machine = machine_info()
        sizes = sorted(p.export_sizes)
        during = [size for size in sizes if size <= self.corpus.planned_verified]
        after = [size for size in sizes if size > self.corpus.planned_verified]

        with self._step("people and speakers", None):
            self.corpus.setup()
        account = _make_account()
        exports_measured = []
        for size in during:
            estimate = min(p.claims, math.ceil(size / p.verified)) - self.corpus.counts.claims
            with self._step(f"main corpus until {size:,} verified", estimate):
                self.corpus.build(until_verified=size)
            exports_measured.append(self._exports(size, account))
        with self._step("main corpus", p.claims - self.corpus.counts.claims):
            self.corpus.build()
        with self._step("articles to measure on", None):
            desk = self._desk()
        with self._server() as server:
            served_by = server.description
            create = self._create(server, account, desk)
            listing = self._list(server, account, desk, expected=p.create)
            page = self._page(server, account, desk)
            public_page = self._public_page(server)
        for size in after:
            added = size - self.corpus.counts.verified
            with self._step(f"verified articles until {size:,} verified", added):
                self.corpus.extend_verified(size)
            exports_measured.append(self._exports(size, account))

        document: dict[str, Any] = {
            "machine": machine,
            "server": served_by,
            "parameters": {**asdict(p), "export_sizes": list(p.export_sizes)},
            "corpus": {
                "method": METHOD,
                "build_seconds": round(sum(s["seconds"] for s in self.build_steps), 1),
                "check_seconds": round(sum(s["check_seconds"] for s in self.build_steps), 1),
                "steps": self.build_steps,
                "final": counts_in_database(),
                "invariants_checked": sorted(self.checks),
                "invariants_broken": 0,
            },
            "create": create,
            "list": listing,
            "page": page,
            "public_page": public_page,
            "exports": exports_measured,
            "export_memory_growth": _memory_growth(exports_measured),
        }
        document["targets"] = evaluate_targets(document)
        return document

    @contextmanager
    def _step(self, name: str, estimate: int | None) -> Iterator[dict[str, Any]]:
        """Time one step of the corpus's build, check every invariant after it, and record it."""
        self.progress.phase(f"corpus: {name}", estimate, "claims")
        step: dict[str, Any] = {"step": name}
        began = time.perf_counter()
        yield step
        self.corpus.analyze()
        self.progress.phase(f"corpus: checking the invariants after {name}", 1, "pass")
        checked = time.perf_counter()
        self.checks = assert_invariants()
        self.progress.advance()
        step["check_seconds"] = round(time.perf_counter() - checked, 2)
        step["seconds"] = round(time.perf_counter() - began, 2)
        step["counts"] = counts_in_database()
        self.build_steps.append(step)

    def _server(self) -> Gunicorn:
        return Gunicorn(
            self.database_url, workers=self.parameters.workers, threads=self.parameters.threads
        )

    def _desk(self) -> _Desk:
        words = self.parameters.create_words
        return _Desk(
            speakers=list(Speaker.objects.order_by("pk").values_list("pk", flat=True)),
            create_article=self.corpus.empty_article(CREATE_ARTICLE, words),
            small_article=self.corpus.empty_article(SMALL_ARTICLE, words),
        )

    # Claims, one request at a time -----------------------------------------------------

    def _create(self, server: Gunicorn, account: _Account, desk: _Desk) -> dict[str, Any]:
        client = Client(server.base_url)
        client.token = account.token
        seed = self.parameters.seed
        # The warm-up requests make the small article's claims: not timed, and they
        # load the code and the connections in both workers first.
        warm_up = claim_requests(
            seed,
            desk.small_article.text,
            SMALL_CLAIMS,
            article=desk.small_article.pk,
            speakers=desk.speakers,
        )
        bodies = claim_requests(
            seed,
            desk.create_article.text,
            self.parameters.create,
            article=desk.create_article.pk,
            speakers=desk.speakers,
        )
        self.progress.phase("creating claims", len(warm_up) + len(bodies), "requests")
        for body in warm_up:
            _expect(client.request("POST", "/api/claims/", json=body), 201, "POST /api/claims/")
            self.progress.advance()
        corpus_before = counts_in_database()
        answers = []
        began = time.perf_counter()
        for body in bodies:
            answers.append(client.request("POST", "/api/claims/", json=body))
            _expect(answers[-1], 201, "POST /api/claims/")
            self.progress.advance()
        seconds = time.perf_counter() - began
        return {
            "requests": len(bodies),
            "warm_up_requests": len(warm_up),
            "article": {
                "id": desk.create_article.pk,
                "words": len(article_text_spans(desk.create_article.text)),
                "characters": len(desk.create_article.text),
            },
            "corpus": corpus_before,
            **_latency(answers),
            "requests_per_second": round(len(bodies) / seconds, 1),
        }

    def _list(
        self, server: Gunicorn, account: _Account, desk: _Desk, *, expected: int
    ) -> dict[str, Any]:
        client = Client(server.base_url)
        client.token = account.token
        page_size = IdCursorPagination.max_page_size or IdCursorPagination.page_size
        first = f"/api/claims/?article={desk.create_article.pk}&page_size={page_size}"
        self.progress.phase("listing claims", None, "pages")
        # One pass to warm up (not timed), one timed: the same pages both times.
        passes = []
        for _ in range(2):
            answers: list[Response] = []
            items = 0
            path: str | None = first
            while path:
                answers.append(client.request("GET", path))
                body = _expect(answers[-1], 200, "GET /api/claims/").json()
                items += len(body["results"])
                path = _local(body["next"])
                self.progress.advance()
            passes.append((answers, items))
        answers, items = passes[-1]
        if items != expected:
            raise BenchFailed(f"Listing the article's claims gave {items} items, not {expected}.")
        timings = [_timing(answer) for answer in answers]
        return {
            "items": items,
            "pages": len(answers),
            "page_size": page_size,
            "ms": round(sum(a.seconds for a in answers) * 1000, 3),
            "server_app_ms": round(sum(t["app_ms"] for t in timings), 3),
            "server_db_ms": round(sum(t["db_ms"] for t in timings), 3),
            "queries": sum(int(t["queries"]) for t in timings),
        }

    def _page(self, server: Gunicorn, account: _Account, desk: _Desk) -> dict[str, Any]:
        client = Client(server.base_url)
        client.login(account.username, account.password)
        self.progress.phase("article pages", 2 * (PAGE_LOADS + 1), "loads")
        figures = {}
        for key, article, claims in (
            ("large", desk.create_article, self.parameters.create),
            ("small", desk.small_article, SMALL_CLAIMS),
        ):
            path = reverse("article_detail", args=[article.pk])
            answers = []
            for _ in range(PAGE_LOADS + 1):  # the first one warms up
                answers.append(client.request("GET", path))
                _expect(answers[-1], 200, f"GET {path}")
                self.progress.advance()
            answers = answers[1:]
            timings = [_timing(answer) for answer in answers]
            queries = sorted({int(t["queries"]) for t in timings})
            figures[key] = {
                "claims": claims,
                "loads": len(answers),
                "server_app_ms_median": round(statistics.median(t["app_ms"] for t in timings), 3),
                "server_db_ms_median": round(statistics.median(t["db_ms"] for t in timings), 3),
                "queries": queries[0] if len(queries) == 1 else queries,
                "wall_ms_median": round(statistics.median(a.seconds for a in answers) * 1000, 3),
                "bytes": len(answers[-1].body),
            }
        figures["queries_constant"] = figures["large"]["queries"] == figures["small"]["queries"]
        return figures

    # The public page, for anonymous readers --------------------------------------------

    def _public_page(self, server: Gunicorn) -> dict[str, Any] | None:
        claim_id = published().order_by("pk").values_list("pk", flat=True).first()
        if claim_id is None:
            return None  # no verified claim in the corpus: no public page to read
        p = self.parameters
        self.progress.phase("public page: direct, 304, through nginx", None, "runs")
        try:
            return measure_public_page(
                server, claim_id, clients=p.public_clients, seconds=p.public_seconds
            )
        except PublicPageFailed as failed:
            raise BenchFailed(str(failed)) from failed

    # Exports ---------------------------------------------------------------------------

    def _exports(self, size: int, account: _Account) -> dict[str, Any]:
        """Stream every format from a fresh server, with the workers' memory sampled meanwhile."""
        verified = self.corpus.counts.verified
        if verified != size:
            raise BenchFailed(f"The corpus has {verified} verified claims, not {size}.")
        self.progress.phase(f"exports at {size:,} verified claims", len(FORMAT_ORDER), "formats")
        formats = {}
        with self._server() as server:
            client = Client(server.base_url)
            client.token = account.token
            # The same small requests before every size, so that the baselines compare:
            # each worker loads the export's code and opens its database connection.
            for _ in range(2 * server.workers):
                for name in FORMAT_ORDER:
                    _expect(
                        client.request(
                            "GET", f"/api/export/?format={name}&updated_since=2999-01-01"
                        ),
                        200,
                        "GET /api/export/",
                    )
            for name in FORMAT_ORDER:
                with PeakMemory(server) as memory:
                    streamed = client.stream("GET", f"/api/export/?format={name}")
                if streamed.status != 200:
                    raise BenchFailed(
                        f"GET /api/export/?format={name} answered {streamed.status}: "
                        f"{streamed.head[:500].decode(errors='replace')}"
                    )
                _check_export_count(name, streamed, verified)
                formats[name] = {
                    "seconds": round(streamed.seconds, 3),
                    "claims_per_second": round(verified / streamed.seconds),
                    "bytes": streamed.size,
                    "rss_baseline_bytes": memory.baseline,
                    "rss_peak_bytes": memory.peak,
                    "rss_growth_bytes": memory.growth,
                }
                self.progress.advance()
        return {"verified_claims": size, "corpus": counts_in_database(), "formats": formats}


# Helpers -----------------------------------------------------------------------------


def _make_account() -> _Account:
    """Make a reviewer with a password and an API token, both known to this run only."""
    username, password = "bench-reviewer", secrets.token_urlsafe(24)
    user = User.objects.create_user(
        username, password=password, first_name="Bench", last_name="Reviewer"
    )
    user.groups.add(Group.objects.get(name="Reviewers"))
    return _Account(username, password, Token.objects.create(user=user).key)


# Where a format says how many claims it holds, in its last bytes or its lines.
_EXPORT_COUNTS = {
    "json": lambda streamed: _last_number(rb'"count":(\d+)\}\s*$', streamed.tail),
    "w3c": lambda streamed: _last_number(rb'"total":(\d+)\}\s*$', streamed.tail),
    "jsonl": lambda streamed: streamed.lines,
}


def _last_number(pattern: bytes, tail: bytes) -> int | None:
    match = re.search(pattern, tail)
    return int(match[1]) if match else None


def _check_export_count(name: str, streamed: Streamed, verified: int) -> None:
    """Fail unless an export that states its count holds every verified claim."""
    count = _EXPORT_COUNTS[name](streamed) if name in _EXPORT_COUNTS else verified
    if count != verified:
        raise BenchFailed(
            f"The {name} export holds {count} claims, not the {verified} verified: "
            f"it ends {streamed.tail[-200:].decode(errors='replace')!r}"
        )


def _expect(response: Response, status: int, what: str) -> Response:
    """Return the response if it has ``status``; else fail, with the body to say why."""
    if response.status != status:
        body = response.body[:2000].decode(errors="replace")
        raise BenchFailed(f"{what} answered {response.status}, not {status}: {body}")
    return response


def _timing(response: Response) -> dict[str, float | int]:
    timing = server_timing(response.headers)
    if timing is None:
        raise BenchFailed(
            "The server sent no Server-Timing header: are FACTCHECK_DEV_TOOLS (which puts "
            "perfkit's ServerTimingMiddleware in MIDDLEWARE) and FACTCHECK_SERVER_TIMING on?"
        )
    return timing


def _latency(answers: Sequence[Response]) -> dict[str, Any]:
    figures = latency_ms([answer.seconds for answer in answers])
    timings = [_timing(answer) for answer in answers]
    return {
        "median_ms": figures["median_ms"],
        "p95_ms": figures["p95_ms"],
        "max_ms": figures["max_ms"],
        "mean_ms": round(statistics.fmean(a.seconds for a in answers) * 1000, 3),
        "server_app_ms_median": round(statistics.median(t["app_ms"] for t in timings), 3),
        "server_db_ms_median": round(statistics.median(t["db_ms"] for t in timings), 3),
        "queries_median": statistics.median_low(int(t["queries"]) for t in timings),
    }


def _local(url: str | None) -> str | None:
    """Return the path and query of a link the API gave, to request from the same server."""
    if url is None:
        return None
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def _memory_growth(measured: Sequence[dict[str, Any]]) -> dict[str, Any] | None:
    """Return how much each format's peak grew from the smallest export size to the largest."""
    if len(measured) < 2:
        return None
    smallest, largest = measured[0], measured[-1]
    return {
        "from_verified_claims": smallest["verified_claims"],
        "to_verified_claims": largest["verified_claims"],
        "bytes": {
            name: largest["formats"][name]["rss_peak_bytes"] - figures["rss_peak_bytes"]
            for name, figures in smallest["formats"].items()
        },
    }


def machine_info() -> dict[str, Any]:
    """Return what the figures depend on: processor, memory, versions, the database."""
    model = ""
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            model = next(
                (
                    line.split(":", 1)[1].strip()
                    for line in cpuinfo
                    if line.startswith("model name")
                ),
                "",
            )
    except OSError:
        pass
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            database_version = cursor.fetchone()[0]
    elif connection.vendor == "sqlite":
        database_version = sqlite3.sqlite_version
    else:
        database_version = ""
    return {
        "cores": os.cpu_count(),
        "processor": model or platform.processor(),
        "memory_bytes": psutil.virtual_memory().total,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "database": {"vendor": connection.vendor, "version": database_version},
    }
