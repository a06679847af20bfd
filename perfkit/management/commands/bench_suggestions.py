"""Time the suggested claims for a generated article of about 5,000 words.

The article is the gold files' articles (wire copy, direct quotes, a speech
transcript, a report citing a monitor group, the seed article) in turn, with
their numbers, names and places varied, until it has the words asked for; the
register holds a few hundred speakers with aliases, as a busy desk's might.
It prints the time the engine takes: the first run, then the median and the
slowest of the others, by the wall clock and in CPU time (which a busy
machine's waits for a core do not inflate). No database is touched: the engine is pure Python.
"""

import json
import random
import statistics
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from annotations.names import bare_key
from annotations.suggestions.engine import suggest
from annotations.suggestions.speakers import RegisterName

GOLD = Path(settings.BASE_DIR) / "fixtures" / "gold"
PLACES = ["Tellan", "Kafr Amsa", "Brenmoor", "Saraqeb", "Mleiha", "Varna", "Homs", "Idlib"]
NAMES = ["Mariam Haddad", "Yusuf Barakat", "Sarah Okafor", "Pavel Sorokin", "Lars Engström"]


def generated_article(words: int, seed: int = 14) -> str:
    """Return an article of at least ``words`` words made from the gold articles, varied."""
    rng = random.Random(seed)  # noqa: S311 -- varied test text, not a secret
    texts = [json.loads(p.read_text(encoding="utf-8"))["text"] for p in sorted(GOLD.glob("*.json"))]
    paragraphs: list[str] = []
    count = 0
    while count < words:
        for line in rng.choice(texts).splitlines():
            for place in PLACES:
                line = line.replace(place, rng.choice(PLACES))
            for name in NAMES:
                line = line.replace(name, rng.choice(NAMES))
            line = " ".join(
                str(rng.randint(2, 90_000)) if word.isdigit() and len(word) < 4 else word
                for word in line.split(" ")
            )
            paragraphs.append(line)
            count += len(line.split())
    return "\n".join(paragraphs)


def generated_register(speakers: int) -> list[RegisterName]:
    names: list[RegisterName] = []
    for number in range(1, speakers + 1):
        name = f"Speaker {number} of the {PLACES[number % len(PLACES)]} council"
        for value in (name, f"SP{number}", f"the {number}th council"):
            names.append((number, name, value, bare_key(value)))
    return names


class Command(BaseCommand):
    help = "Time the suggested claims for a generated article (about 5,000 words)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--words", type=int, default=5_000)
        parser.add_argument("--speakers", type=int, default=300, help="Speakers in the register.")
        parser.add_argument("--runs", type=int, default=10)

    def handle(self, *args: Any, words: int, speakers: int, runs: int, **options: Any) -> None:
        text = generated_article(words)
        register = generated_register(speakers)
        times = []
        cpu_times = []
        found: list[Any] = []
        for _ in range(max(1, runs)):
            started, cpu_started = time.perf_counter(), time.process_time()
            found = suggest(text, register)
            times.append((time.perf_counter() - started) * 1000)
            cpu_times.append((time.process_time() - cpu_started) * 1000)
        cold, warm = times[0], times[1:] or times
        warm_cpu = cpu_times[1:] or cpu_times
        self.stdout.write(
            f"{len(text.split()):,} words, {len(text):,} characters, {len(register)} register "
            f"names ({speakers} speakers): {len(found)} suggestions"
        )
        self.stdout.write(
            f"suggest: first run {cold:.0f} ms; median {statistics.median(warm):.0f} ms, "
            f"slowest {max(warm):.0f} ms over {len(warm)} more runs"
        )
        # On a shared machine the wall clock counts the waits for a core; CPU time does not.
        self.stdout.write(
            f"CPU time: median {statistics.median(warm_cpu):.0f} ms, slowest {max(warm_cpu):.0f} ms"
        )
