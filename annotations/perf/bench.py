"""The benchmark: a reproducible corpus, then the site measured through a real server over HTTP.

``run`` makes a scratch database, builds the synthetic corpus in it
(``annotations.perf.corpus``) and measures, with gunicorn on 127.0.0.1:

- creating claims one request at a time (POST /api/claims/) on one long article;
- listing that article's claims through the API, page after page;
- the reviewers' article page with those claims, and with ten, for its query count;
- the full export of the verified claims in every format, at each export size,
  with the workers' peak resident memory while they stream.

The corpus grows between measurements: the exports are measured when the
number of verified claims first equals each export size (the main corpus has
only its share verified, so the larger sizes come from articles added after it
whose claims are all verified). Every figure says how large the corpus was.

The figures go into one JSON-ready document (``run`` returns it) with the
machine, the parameters and the targets; ``render_table`` prints it for people.
"""

import math
import os
import platform
import re
import secrets
import sqlite3
import statistics
import time
from collections.abc import Callable, Iterator, Sequence
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

from annotations import exports
from annotations.api import IdCursorPagination
from annotations.models import Article, Speaker

from . import corpus as corpus_module
from .corpus import Corpus, assert_invariants, claim_requests, counts_in_database
from .http import Client, Response, Streamed
from .scratch import scratch_database
from .server import Gunicorn, PeakMemory, server_timing
from .stats import latency_ms

# Articles made for the measurements, numbered apart from the corpus's own.
CREATE_ARTICLE = 1_000_000
SMALL_ARTICLE = 1_000_001
SMALL_CLAIMS = 10  # the small article page's claims, made by the warm-up requests
PAGE_LOADS = 7
# The export's figures are read first in this order, so the target's format is
# measured on a fresh worker, like the first request a real pull makes.
FORMAT_ORDER = ("jsonl", *(name for name in exports.FORMATS if name != "jsonl"))
MB = 2**20


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


@dataclass(frozen=True)
class Parameters:
    """What to build and measure; the defaults are the sizes the targets are set for."""

    articles: int = 100
    words: int = 2000
    claims: int = 100_000
    verified: float = 0.5
    create: int = 1000
    create_words: int = 5000
    export_sizes: tuple[int, ...] = (10_000, 100_000)
    seed: int = 1
    workers: int = 2

    def problems(self) -> list[str]:
        """Return what is wrong with these parameters, naming each flag; empty when all is well."""
        found = []
        if self.articles < 1:
            found.append(f"--articles must be 1 or more, not {self.articles}.")
        if self.words < 20:
            found.append(
                f"--words must be 20 or more (claims need words to span), not {self.words}."
            )
        if self.claims < 0:
            found.append(f"--claims must be 0 or more, not {self.claims}.")
        if not (0 <= self.verified <= 1) or math.isnan(self.verified):
            found.append(
                f"--verified is a fraction of the claims, from 0 to 1, not {self.verified}."
            )
        if self.create < 1:
            found.append(f"--create must be 1 or more, not {self.create}.")
        if self.create_words < 20:
            found.append(f"--create-words must be 20 or more, not {self.create_words}.")
        elif self.create > self.create_words:
            found.append(
                f"--create ({self.create}) must be at most --create-words ({self.create_words}): "
                "each claim made starts at a word of its own, so that no two share a span."
            )
        if not self.export_sizes:
            found.append("--export-sizes needs at least one size.")
        elif any(size < 1 for size in self.export_sizes):
            found.append(f"--export-sizes must all be 1 or more, not {self.export_sizes}.")
        elif len(set(self.export_sizes)) != len(self.export_sizes):
            found.append(f"--export-sizes names a size twice: {self.export_sizes}.")
        if self.workers < 1:
            found.append(f"--workers must be 1 or more, not {self.workers}.")
        return found


# What the site should reach: on the default sizes, on PostgreSQL, on two cores.
TARGETS_FOR = "the default sizes on PostgreSQL, 2 cores, loopback"


@dataclass(frozen=True)
class Target:
    key: str
    label: str
    relation: str  # "<=", ">=", "<", "=="
    limit: float | None
    unit: str

    def met(self, figure: float | bool | None) -> bool | None:
        if figure is None:
            return None
        if self.relation == "==":
            return bool(figure)
        compare: dict[str, Callable[[float, float], bool]] = {
            "<=": lambda a, b: a <= b,
            ">=": lambda a, b: a >= b,
            "<": lambda a, b: a < b,
        }
        return compare[self.relation](float(figure), float(self.limit or 0))


TARGETS = (
    Target("create_median_ms", "claim creation, median", "<=", 5, "ms"),
    Target("list_ms", "listing the article's claims", "<=", 20, "ms"),
    Target(
        "export_jsonl_claims_per_second", "JSONL export, largest size", ">=", 50_000, "claims/s"
    ),
    Target("export_jsonl_memory_growth_mb", "JSONL export, peak memory growth", "<", 50, "MB"),
    Target("page_queries_constant", "article page, queries independent of claims", "==", None, ""),
    Target("page_server_ms", "article page, server time", "<", 100, "ms"),
)


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
        with Gunicorn(self.database_url, workers=p.workers) as server:
            create = self._create(server, account, desk)
            listing = self._list(server, account, desk, expected=p.create)
            page = self._page(server, account, desk)
        for size in after:
            added = size - self.corpus.counts.verified
            with self._step(f"verified articles until {size:,} verified", added):
                self.corpus.extend_verified(size)
            exports_measured.append(self._exports(size, account))

        document: dict[str, Any] = {
            "machine": machine,
            "parameters": {**asdict(p), "export_sizes": list(p.export_sizes)},
            "corpus": {
                "method": corpus_module.METHOD,
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
                "words": len(corpus_module.article_text_spans(desk.create_article.text)),
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

    # Exports ---------------------------------------------------------------------------

    def _exports(self, size: int, account: _Account) -> dict[str, Any]:
        """Stream every format from a fresh server, with the workers' memory sampled meanwhile."""
        verified = self.corpus.counts.verified
        if verified != size:
            raise BenchFailed(f"The corpus has {verified} verified claims, not {size}.")
        self.progress.phase(f"exports at {size:,} verified claims", len(FORMAT_ORDER), "formats")
        formats = {}
        with Gunicorn(self.database_url, workers=self.parameters.workers) as server:
            client = Client(server.base_url)
            client.token = account.token
            # The same small requests before every size, so that the baselines compare:
            # each worker loads the export's code and opens its database connection.
            for _ in range(2 * self.parameters.workers):
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
            "The server sent no Server-Timing header: is FACTCHECK_SERVER_TIMING on, and "
            "annotations.middleware.ServerTimingMiddleware in MIDDLEWARE?"
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


def evaluate_targets(document: dict[str, Any]) -> list[dict[str, Any]]:
    """Return each target with the figure it applies to and whether it was met."""
    jsonl = [m["formats"].get("jsonl") for m in document["exports"]]
    growth = document["export_memory_growth"]
    figures: dict[str, Any] = {
        "create_median_ms": document["create"]["median_ms"],
        "list_ms": document["list"]["ms"],
        "export_jsonl_claims_per_second": jsonl[-1]["claims_per_second"] if jsonl else None,
        "export_jsonl_memory_growth_mb": (
            round(growth["bytes"]["jsonl"] / MB, 1)
            if growth and "jsonl" in growth["bytes"]
            else None
        ),
        "page_queries_constant": document["page"]["queries_constant"],
        "page_server_ms": document["page"]["large"]["server_app_ms_median"],
    }
    return [
        {
            "key": target.key,
            "label": target.label,
            "figure": figures[target.key],
            "relation": target.relation,
            "limit": target.limit,
            "unit": target.unit,
            "met": target.met(figures[target.key]),
            "for": TARGETS_FOR,
        }
        for target in TARGETS
    ]


# The table for people ------------------------------------------------------------------


def _mb(value: int) -> str:
    return f"{value / MB:,.1f} MB"


def _corpus_size(counts: dict[str, int]) -> str:
    return (
        f"{counts['articles']:,} articles, {counts['claims']:,} claims "
        f"({counts['verified']:,} verified)"
    )


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


def _mark(met: bool | None) -> str:
    return {True: "✓", False: "✗", None: "–"}[met]


def render_table(document: dict[str, Any]) -> str:
    """Return the document as a table to read, each figure beside its target."""
    machine, p, built = document["machine"], document["parameters"], document["corpus"]
    targets = {t["key"]: t for t in document["targets"]}

    def target(key: str) -> str:
        t = targets[key]
        if t["relation"] == "==":
            return f"{_mark(t['met'])} target: the same"
        relation = {"<=": "≤", ">=": "≥"}.get(t["relation"], t["relation"])
        return f"{_mark(t['met'])} target {relation} {t['limit']:,} {t['unit']}"

    create, listing, page = document["create"], document["list"], document["page"]
    database = machine["database"]
    lines = [
        f"Benchmark on {database['vendor']} {database['version']}, {machine['cores']} cores, "
        f"{machine['memory_bytes'] / 2**30:.1f} GB, Python {machine['python']}, "
        f"Django {machine['django']}; {p['workers']} gunicorn workers on 127.0.0.1.",
        f"Corpus: {_corpus_size(built['final'])}, {built['final']['sources']:,} sources, "
        f"{built['final']['verdicts']:,} verdicts; seed {p['seed']}, articles of about "
        f"{p['words']:,} words; built in {built['build_seconds']:,.1f} s "
        f"({built['method']}; {len(built['invariants_checked'])} invariants checked after "
        "each step, none broken).",
        "",
        f"Creating {create['requests']:,} claims, one POST /api/claims/ at a time, on an article "
        f"of {create['article']['words']:,} words (corpus: {_corpus_size(create['corpus'])}):",
        f"  median {create['median_ms']:8.2f} ms   {target('create_median_ms')}",
        f"  p95    {create['p95_ms']:8.2f} ms",
        f"  max    {create['max_ms']:8.2f} ms",
        f"  {create['requests_per_second']:,.0f} requests/s; in the server: median "
        f"{create['server_app_ms_median']:.2f} ms, {create['queries_median']} queries",
        f"Listing them (GET /api/claims/?article=…, page_size {listing['page_size']}): "
        f"{listing['items']:,} items in {_count(listing['pages'], 'page')}, "
        f"{listing['ms']:.1f} ms   {target('list_ms')}",
        f"  in the server: {listing['server_app_ms']:.1f} ms, {listing['queries']} queries",
        f"Article page, median of {page['large']['loads']} loads:",
        f"  {page['large']['claims']:>6,} claims: {page['large']['server_app_ms_median']:7.1f} ms "
        f"in the server, {page['large']['queries']} queries, "
        f"{page['large']['bytes'] / 1024:,.0f} KiB   {target('page_server_ms')}",
        f"  {page['small']['claims']:>6,} claims: {page['small']['server_app_ms_median']:7.1f} ms "
        f"in the server, {page['small']['queries']} queries   {target('page_queries_constant')}",
        "",
        "Exports of the verified claims (a fresh server for each size; memory: the largest "
        "worker's resident set):",
        f"  {'verified':>9}  {'format':<12}{'seconds':>9}{'claims/s':>10}{'bytes':>14}"
        f"{'RSS before':>12}{'RSS peak':>12}",
    ]
    for measured in document["exports"]:
        for name, figures in measured["formats"].items():
            lines.append(
                f"  {measured['verified_claims']:>9,}  {name:<12}{figures['seconds']:>9.2f}"
                f"{figures['claims_per_second']:>10,}{figures['bytes']:>14,}"
                f"{_mb(figures['rss_baseline_bytes']):>12}{_mb(figures['rss_peak_bytes']):>12}"
            )
        lines.append(f"    (corpus: {_corpus_size(measured['corpus'])})")
    growth = document["export_memory_growth"]
    if growth:
        lines.append(
            f"  Peak memory growth from {growth['from_verified_claims']:,} to "
            f"{growth['to_verified_claims']:,} verified claims: "
            + ", ".join(f"{name} {_mb(value)}" for name, value in growth["bytes"].items())
        )
    lines += ["", f"Targets (set for {TARGETS_FOR}):"]
    for t in document["targets"]:
        figure = t["figure"]
        shown = (
            "n/a"
            if figure is None
            else (
                ("yes" if figure else "no")
                if isinstance(figure, bool)
                else f"{figure:,} {t['unit']}"
            )
        )
        lines.append(f"  {_mark(t['met'])} {t['label']}: {shown}")
    return "\n".join(lines)
