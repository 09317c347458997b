"""Timing helpers shared by the benchmarks."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def median_seconds(fn: Callable[[], object], *, repeat: int = 30, warmup: int = 3) -> float:
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def report(label: str, subject: float, baseline: float, baseline_label: str, goal: float | None = None) -> None:
    ratio = subject / baseline if baseline else float("inf")
    verdict = ""
    if goal is not None:
        verdict = f"  goal ≤ {goal:g}× {'met' if ratio <= goal else 'NOT met'}"
    print(f"{label}: {subject * 1000:.2f} ms vs {baseline_label} {baseline * 1000:.2f} ms → {ratio:.2f}×{verdict}")
