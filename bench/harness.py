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


def report(label: str, subject: float, baseline: float, baseline_label: str, goal: float | None = None, *,
           unit: str = "ms") -> None:
    """One figure: ``label: X ms vs baseline Y ms → ratio×  goal ≤ N× met``; ``unit`` "ms" or "s"."""
    ratio = subject / baseline if baseline else float("inf")
    verdict = ""
    if goal is not None:
        verdict = f"  goal ≤ {goal:g}× {'met' if ratio <= goal else 'NOT met'}"
    scale = 1000 if unit == "ms" else 1
    print(f"{label}: {subject * scale:.2f} {unit} vs {baseline_label} {baseline * scale:.2f} {unit} → "
          f"{ratio:.2f}×{verdict}")
