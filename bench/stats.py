"""Latency percentiles as every benchmark reports them."""

import statistics


def percentiles(samples: list[float]) -> dict[str, float | None]:
    """p50 (median), p90 and p99 (nearest rank) of ``samples`` (seconds) in milliseconds.

    Returns:
        ``p50_ms``, ``p90_ms``, ``p99_ms``; None each without samples.
    """
    ordered = sorted(samples)
    if not ordered:
        return {"p50_ms": None, "p90_ms": None, "p99_ms": None}
    rank = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))]  # noqa: E731
    return {"p50_ms": round(statistics.median(ordered) * 1000, 2), "p90_ms": round(rank(0.9) * 1000, 2),
            "p99_ms": round(rank(0.99) * 1000, 2)}
