"""Timing helpers. The machine is shared, so a figure is the best of N runs, and the contenders of a
comparison run interleaved (ours, baseline, ours, baseline...) so that both see the same load."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Timing:
    """Wall and CPU seconds of each run; `best` is the fastest wall time (the least disturbed run)."""

    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)

    @property
    def best(self) -> float:
        return min(self.wall)

    @property
    def best_cpu(self) -> float:
        return min(self.cpu)

    def add(self, fn: Callable[[], Any]) -> Any:
        wall, cpu = time.perf_counter(), time.process_time()
        result = fn()
        self.wall.append(time.perf_counter() - wall)
        self.cpu.append(time.process_time() - cpu)
        return result


def best_of(fn: Callable[[], Any], repeat: int = 5) -> float:
    """The best wall time of `repeat` calls, in seconds."""
    timing = Timing()
    for _ in range(repeat):
        timing.add(fn)
    return timing.best


def interleaved(
    contenders: Mapping[str, Callable[[], Any]],
    repeat: int,
    prepare: Mapping[str, Callable[[], Any]] | None = None,
) -> dict[str, Timing]:
    """Run each contender once per round, `repeat` rounds; the timings of each. `prepare[name]`, when
    given, runs untimed before each run of that contender (a fresh database copy, say)."""
    timings = {name: Timing() for name in contenders}
    for _ in range(repeat):
        for name, fn in contenders.items():
            if prepare and name in prepare:
                prepare[name]()
            timings[name].add(fn)
    return timings


def once(fn: Callable[[], Any]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def repeats_for(rows: int, small: int, middle: int, large: int = 1) -> int:
    """Repetitions by table size: `small` up to 300,000 rows, `middle` up to 3 million, `large` above."""
    if rows <= 300_000:
        return small
    return middle if rows <= 3_000_000 else large
