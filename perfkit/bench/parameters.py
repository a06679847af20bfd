"""What the benchmark builds and measures, and the targets its figures are held to."""

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

MB = 2**20


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
    # The public page's bursts: client processes, and seconds each run lasts.
    public_clients: int = 4
    public_seconds: float = 10.0
    # Gunicorn's processes and threads; None: as gunicorn.conf.py sets them.
    workers: int | None = None
    threads: int | None = None

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
        if self.public_clients < 1:
            found.append(f"--public-clients must be 1 or more, not {self.public_clients}.")
        if not self.public_seconds > 0:
            found.append(f"--public-seconds must be more than 0, not {self.public_seconds}.")
        for flag, value in (("--workers", self.workers), ("--threads", self.threads)):
            if value is not None and value < 1:
                found.append(f"{flag} must be 1 or more, not {value}.")
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
