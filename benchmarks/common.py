"""What every benchmark module shares: a timer, peak memory, and one way to print a figure
with its target, so the runner's output reads as one table."""

from __future__ import annotations

import resource
import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Timer:
    seconds: float = 0.0
    laps: list[float] = field(default_factory=list)


@contextmanager
def timed() -> Iterator[Timer]:
    t = Timer()
    start = time.perf_counter()
    yield t
    t.seconds = time.perf_counter() - start


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def own_peak_mb() -> float:
    """This process's own peak RSS (VmHWM: ru_maxrss would be the parent's, kept across
    fork and exec), for an import measured in a child process."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return peak_rss_mb()


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def median(values: list[float]) -> float:
    return statistics.median(values)


def figure(name: str, value: float, unit: str, target: str = "", ok: bool | None = None
           ) -> None:
    mark = "" if ok is None else ("  ✓" if ok else "  ✗ 未达标")
    goal = f"  (目标 {target})" if target else ""
    print(f"  {name:<46} {value:>10.3f} {unit:<6}{goal}{mark}", flush=True)


def section(title: str) -> None:
    print(f"\n== {title}", flush=True)
