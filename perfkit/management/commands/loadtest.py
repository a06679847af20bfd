"""Load-test the API: concurrent reviewers against gunicorn on PostgreSQL, then an integrity check.

Everything happens in a scratch database beside the one DATABASE_URL names,
dropped at the end: reviewers with passwords, articles, speakers and the
shared claims. The server listens on 127.0.0.1 only, and the run stops by
itself after ``--seconds``.
"""

import json
import math
import sys
from collections import Counter, defaultdict
from pathlib import Path
from statistics import median, median_low
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from tqdm import tqdm

from perfkit.load.checks import Check, check_integrity
from perfkit.load.clients import LoginFailed, Run, run_clients
from perfkit.load.desk import Desk, setup_desk
from perfkit.load.ledger import CLIENT_FAILED, Entry
from perfkit.scratch import scratch_database
from perfkit.server import Gunicorn, ServerFailed
from perfkit.stats import latency_ms

LIMITS = {
    "clients": (1, 200),
    "seconds": (1, 3600),
    "shared_claims": (1, 100),
    "workers": (1, 16),
    "threads": (1, 64),
}
SHOWN_FAILURES = 10  # per check, in the summary; the JSON document keeps up to MAX_FAILURES
MAX_FAILURES = 500
SQLITE_REFUSAL = (
    "The load test is for PostgreSQL: it measures many writers at once on the database the "
    "site runs on in production, and SQLite lets one write at a time. Point DATABASE_URL at "
    "a PostgreSQL server (postgres://user@127.0.0.1:5432/name; README.md, 'PostgreSQL'); the "
    "test makes and drops a database of its own beside it."
)


def _figures(entries: list[Entry]) -> dict[str, Any]:
    """Return count, latency and the server's own figures (medians) for some requests."""
    figures: dict[str, Any] = latency_ms([e.seconds for e in entries if e.status is not None])
    timed = [e.timing for e in entries if e.timing]
    if timed:
        figures["server_app_ms_median"] = round(median(t["app_ms"] for t in timed), 3)
        figures["server_db_ms_median"] = round(median(t["db_ms"] for t in timed), 3)
        figures["queries_median"] = median_low(t["queries"] for t in timed)
        figures["queries_max"] = max(t["queries"] for t in timed)
    figures["statuses"] = {
        str(status or "no answer"): count
        for status, count in sorted(Counter(e.status or 0 for e in entries).items())
    }
    return {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in figures.items()}


def build_report(
    run: Run, checks: list[Check], *, config: dict[str, Any], editors: int
) -> dict[str, Any]:
    """Return the run's figures and the checks' verdicts as one JSON-ready document."""
    by_kind: dict[str, list[Entry]] = defaultdict(list)
    answered = [e for e in run.ledger if e.method != CLIENT_FAILED]
    for entry in answered:
        by_kind[entry.kind].append(entry)
    return {
        "config": {**config, "editors": editors},
        "ok": all(check.ok for check in checks) and not run.stopped_early,
        "stopped_early": run.stopped_early or None,
        "login_seconds": round(run.login_seconds, 3),
        "client_cpu_seconds": round(run.client_cpu_seconds, 3),
        "seconds": round(run.seconds, 3),
        "requests": len(answered),
        "requests_per_second": round(len(answered) / run.seconds, 2) if run.seconds else 0.0,
        "latency": {
            "all": _figures(answered),
            "per_kind": {kind: _figures(by_kind[kind]) for kind in sorted(by_kind)},
        },
        "checks": [
            {
                "name": check.name,
                "ok": check.ok,
                "summary": check.summary,
                "failure_count": len(check.failures),
                "failures": check.failures[:MAX_FAILURES],
            }
            for check in checks
        ],
    }


class Command(BaseCommand):
    help = (
        "Load-test the API: N reviewers, each logged in through the login form, create claims, "
        "sources and verdicts and race on shared claims for S seconds against gunicorn on "
        "PostgreSQL (127.0.0.1 only, in a scratch database); then check the database against "
        "every answer. Exits non-zero on any failure."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--clients", type=int, default=20, help="Reviewers working at once (default 20)."
        )
        parser.add_argument(
            "--seconds", type=int, default=60, help="How long they work (default 60)."
        )
        parser.add_argument(
            "--shared-claims",
            type=int,
            default=5,
            help="Claims in review that every client works on (default 5).",
        )
        parser.add_argument(
            "--seed", type=int, default=1, help="Seed of each client's choices (default 1)."
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help="Gunicorn worker processes (default: gunicorn.conf.py's, GUNICORN_WORKERS).",
        )
        parser.add_argument(
            "--threads",
            type=int,
            default=None,
            help="Threads of each worker (default: gunicorn.conf.py's, GUNICORN_THREADS).",
        )
        parser.add_argument(
            "--json",
            metavar="PATH",
            help="Also write the figures and checks as JSON here (- for stdout).",
        )
        parser.add_argument(
            "--keep",
            action="store_true",
            help="Keep the scratch database afterwards, and print its URL.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        config = self._validated(options)
        if connection.vendor != "postgresql":
            raise CommandError(
                SQLITE_REFUSAL
                if connection.vendor == "sqlite"
                else f"The load test is for PostgreSQL, not {connection.vendor}."
            )
        with scratch_database(label="load", keep=options["keep"], stdout=self.stdout) as url:
            desk = setup_desk(
                clients=config["clients"],
                shared_claims=config["shared_claims"],
                seed=config["seed"],
            )
            try:
                with Gunicorn(url, workers=config["workers"], threads=config["threads"]) as server:
                    # As gunicorn.conf.py resolved them, for the report.
                    config.update(workers=server.workers, threads=server.threads)
                    self.stdout.write(
                        f"Load test: {config['clients']} reviewers ({desk.editors} of them "
                        f"moderators, who may edit the shared claims) for {config['seconds']} s "
                        f"on {config['shared_claims']} shared claims, seed {config['seed']}; "
                        f"gunicorn with {server.summary} on PostgreSQL."
                    )
                    run = self._run(server, desk, config)
            except ServerFailed as exc:
                raise CommandError(f"The server failed: {exc}") from exc
            except LoginFailed as exc:
                raise CommandError(str(exc)) from exc
            checks = check_integrity(run.ledger, desk)
        report = build_report(run, checks, config=config, editors=desk.editors)
        self._print(report)
        if config["json"]:
            self._write_json(report, config["json"])
        if not report["ok"]:
            failed = [c["name"] for c in report["checks"] if not c["ok"]]
            if run.stopped_early:
                failed.insert(0, f"stopped early ({run.stopped_early})")
            raise CommandError("The load test failed: " + "; ".join(failed) + ".")

    def _validated(self, options: dict[str, Any]) -> dict[str, Any]:
        for name, (low, high) in LIMITS.items():
            value = options[name]
            if value is not None and not low <= value <= high:
                flag = "--" + name.replace("_", "-")
                raise CommandError(f"{flag} must be between {low} and {high}, not {value}.")
        path = options["json"]
        if path and path != "-":
            folder = Path(path).expanduser().resolve().parent
            if not folder.is_dir():
                raise CommandError(f"--json: the folder {folder} does not exist.")
            if Path(path).is_dir():
                raise CommandError(f"--json: {path} is a folder; name a file.")
        return {name: options[name] for name in (*LIMITS, "seed", "json")}

    def _run(self, server: Gunicorn, desk: Desk, config: dict[str, Any]) -> Run:
        # On a terminal only (tqdm's disable=None), so that logs hold no bar.
        with tqdm(
            total=config["seconds"], unit="s", file=sys.stderr, disable=None, leave=False
        ) as bar:

            def tick(elapsed: float, requests: int) -> None:
                bar.n = min(config["seconds"], int(elapsed))
                bar.set_postfix(requests=requests, refresh=False)
                bar.refresh()

            return run_clients(
                server.base_url,
                desk,
                seconds=config["seconds"],
                seed=config["seed"],
                tick=tick,
                alive=server.check_running,
            )

    def _print(self, report: dict[str, Any]) -> None:
        write = self.stdout.write
        write(
            f"{report['requests']:,} requests in {report['seconds']:.1f} s: "
            f"{report['requests_per_second']:,.1f} requests/s "
            f"(logging the clients in took {report['login_seconds']:.1f} s before that)."
        )
        if report["seconds"]:
            share = report["client_cpu_seconds"] / report["seconds"]
            write(
                f"The clients used {report['client_cpu_seconds']:.1f} s of CPU "
                f"({share:.0%} of one core), on the machine the server runs on."
            )
        if report["stopped_early"]:
            write(self.style.ERROR(f"The run stopped early: {report['stopped_early']}"))
        header = (
            f"{'':<22}{'count':>7}{'p50 ms':>9}{'p90 ms':>9}{'p99 ms':>9}{'max ms':>9}"
            f"{'app ms':>8}{'queries':>8}  statuses"
        )
        write(header)
        rows = [*report["latency"]["per_kind"].items(), ("all", report["latency"]["all"])]
        for kind, figures in rows:
            statuses = " ".join(f"{n}×{status}" for status, n in figures["statuses"].items())
            write(
                f"{kind:<22}{figures['count']:>7,}{_ms(figures['median_ms']):>9}"
                f"{_ms(figures['p90_ms']):>9}{_ms(figures['p99_ms']):>9}"
                f"{_ms(figures['max_ms']):>9}{_ms(figures.get('server_app_ms_median')):>8}"
                f"{figures.get('queries_median', '-'):>8}  {statuses}"
            )
        write("(app ms and queries: the server's median Server-Timing figures.)")
        write("Integrity:")
        for check in report["checks"]:
            mark = self.style.SUCCESS("✓") if check["ok"] else self.style.ERROR("✗")
            write(f"  {mark} {check['name']}: {check['summary']}")
            for failure in check["failures"][:SHOWN_FAILURES]:
                write(f"      {failure}")
            hidden = check["failure_count"] - SHOWN_FAILURES
            if hidden > 0:
                write(f"      … and {hidden:,} more (the JSON document lists them)")
        write(
            self.style.SUCCESS("Passed.")
            if report["ok"]
            else self.style.ERROR("Failed: see the ✗ above.")
        )

    def _write_json(self, report: dict[str, Any], path: str) -> None:
        document = json.dumps(report, indent=2, ensure_ascii=False) + "\n"
        if path == "-":
            self.stdout.write(document, ending="")
            return
        Path(path).expanduser().write_text(document, encoding="utf-8")
        self.stdout.write(f"Wrote {path}.")


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:,.1f}"
