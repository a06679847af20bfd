"""Latency figures, the same way in the benchmark and the load test."""

import math
from collections.abc import Sequence


def percentile(values: Sequence[float], share: float) -> float:
    """Return the nearest-rank percentile: the smallest value at or above ``share`` of them."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


def latency_ms(seconds: Sequence[float]) -> dict[str, float | int]:
    """Return count, median, p90, p95, p99 and max of durations given in seconds, in ms."""
    figures: dict[str, float | int] = {"count": len(seconds)}
    for name, share in (("median", 0.5), ("p90", 0.9), ("p95", 0.95), ("p99", 0.99)):
        figures[f"{name}_ms"] = round(percentile(seconds, share) * 1000, 3)
    figures["max_ms"] = round(max(seconds) * 1000, 3) if seconds else math.nan
    return figures
