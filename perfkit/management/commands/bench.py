"""manage.py bench: build a synthetic corpus in a scratch database and measure the site over HTTP.

Standard output gets the table to read, then the JSON document with every
figure on one line, last, so that ``manage.py bench | tail -n 1`` is the
JSON; ``--json PATH`` also writes it (indented) to a file. The progress goes
to standard error: a bar on a terminal, a line a phase elsewhere.
"""

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, TextIO

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from perfkit.bench.measure import BenchFailed, run
from perfkit.bench.parameters import Parameters
from perfkit.bench.report import render_table
from perfkit.corpus.checks import CorpusError
from perfkit.http import LoginRefused
from perfkit.server import ServerFailed

DEFAULTS = Parameters()


class PhaseProgress:
    """Show the run's phases: a tqdm bar each on a terminal, else a line each (for CI logs)."""

    def __init__(self, stream: TextIO, *, bars: bool) -> None:
        self.stream = stream
        self.bars = bars
        self.bar: tqdm | None = None
        self.started = time.perf_counter()

    def phase(self, name: str, total: int | None, unit: str) -> None:
        self.close()
        if self.bars:
            self.bar = tqdm(
                total=total, desc=name, unit=f" {unit}", file=self.stream, dynamic_ncols=True
            )
        else:
            elapsed = time.perf_counter() - self.started
            self.stream.write(f"[{elapsed:7.1f} s] {name}\n")
            self.stream.flush()

    def advance(self, amount: int = 1) -> None:
        if self.bar is not None:
            self.bar.update(amount)

    def close(self) -> None:
        if self.bar is not None:
            if self.bar.total is not None and self.bar.n != self.bar.total:
                self.bar.total = self.bar.n  # an estimate, now known
                self.bar.refresh()
            self.bar.close()
            self.bar = None


def _sizes(value: str) -> tuple[int, ...]:
    try:
        return tuple(int(part.replace("_", "")) for part in value.split(",") if part.strip())
    except ValueError:
        raise CommandError(
            f"--export-sizes takes whole numbers separated by commas, such as 10000,100000; "
            f"not “{value}”."
        ) from None


class Command(BaseCommand):
    help = (
        "Benchmark the site: build a reproducible synthetic corpus in a scratch database beside "
        "DATABASE_URL's (dropped afterwards), then measure through gunicorn on 127.0.0.1 "
        "claim creation, listing, the article page, the public page (direct, 304, through "
        "nginx) and the exports. Prints a table, then the "
        "JSON document on the last line."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        d = DEFAULTS
        parser.add_argument(
            "--articles",
            type=int,
            default=d.articles,
            help="Articles in the corpus (default: %(default)s).",
        )
        parser.add_argument(
            "--words", type=int, default=d.words, help="Words an article (default: %(default)s)."
        )
        parser.add_argument(
            "--claims",
            type=int,
            default=d.claims,
            help="Claims in the corpus (default: %(default)s).",
        )
        parser.add_argument(
            "--verified",
            type=float,
            default=d.verified,
            help="Fraction of the corpus's claims that are verified (default: %(default)s).",
        )
        parser.add_argument(
            "--create",
            type=int,
            default=d.create,
            help="Claims to create through the API, one request at a time (default: %(default)s).",
        )
        parser.add_argument(
            "--create-words",
            type=int,
            default=d.create_words,
            help="Words of the article they are created on (default: %(default)s).",
        )
        parser.add_argument(
            "--export-sizes",
            type=str,
            default=",".join(str(size) for size in d.export_sizes),
            help="Numbers of verified claims to measure the exports at, comma-separated "
            "(default: %(default)s).",
        )
        parser.add_argument(
            "--seed", type=int, default=d.seed, help="Seed of the corpus (default: %(default)s)."
        )
        parser.add_argument(
            "--public-clients",
            type=int,
            default=d.public_clients,
            help="Client processes reading the public page at once (default: %(default)s).",
        )
        parser.add_argument(
            "--public-seconds",
            type=float,
            default=d.public_seconds,
            help="Seconds each public-page run lasts: direct, with 304s, through nginx "
            "(default: %(default)s).",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=d.workers,
            help="Gunicorn worker processes (default: gunicorn.conf.py's, GUNICORN_WORKERS).",
        )
        parser.add_argument(
            "--threads",
            type=int,
            default=d.threads,
            help="Threads of each worker (default: gunicorn.conf.py's, GUNICORN_THREADS).",
        )
        parser.add_argument(
            "--json",
            dest="json_path",
            default=None,
            help="Also write the JSON document to this file.",
        )
        parser.add_argument(
            "--keep",
            action="store_true",
            help="Keep the scratch database afterwards, and print its DATABASE_URL.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        parameters = Parameters(
            articles=options["articles"],
            words=options["words"],
            claims=options["claims"],
            verified=options["verified"],
            create=options["create"],
            create_words=options["create_words"],
            export_sizes=_sizes(options["export_sizes"]),
            seed=options["seed"],
            public_clients=options["public_clients"],
            public_seconds=options["public_seconds"],
            workers=options["workers"],
            threads=options["threads"],
        )
        problems = parameters.problems()
        json_path = Path(options["json_path"]) if options["json_path"] else None
        if json_path is not None and not json_path.parent.is_dir():
            problems.append(f"--json: the folder {json_path.parent} does not exist.")
        if problems:
            raise CommandError(" ".join(problems))

        # The underlying stream: Django's wrapper would end every write with a newline.
        stderr = getattr(self.stderr, "_out", sys.stderr)
        progress = PhaseProgress(stderr, bars=stderr.isatty())
        try:
            document = run(parameters, progress=progress, keep=options["keep"], log=stderr)
        except (
            BenchFailed,
            CorpusError,
            ServerFailed,
            LoginRefused,
            subprocess.CalledProcessError,  # collectstatic, before the server starts
        ) as error:
            raise CommandError(f"The benchmark failed: {error}") from error
        finally:
            progress.close()

        text = json.dumps(document, ensure_ascii=False)
        if json_path is not None:
            json_path.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n")
        self.stdout.write(render_table(document))
        self.stdout.write(text)
