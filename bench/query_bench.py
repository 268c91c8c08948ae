"""Every page's queries against the hand-written SQL and the naive pandas approach (bench.baselines).

A page's queries are the calls its cold run made into commstats (recorded by bench.apptest_worker); the
shared sidebar's calls are counted once, as "frame". The draft page's one call, draft_report, also writes
the paragraphs, so the page is measured by the queries it makes (recorded the same way); the whole draft
is measured on its own (a full year, every comparison). Each call is first run three ways and the results
compared; then the page's whole list of calls is timed, ours and hand-written interleaved, best of N.
The naive figure is the time to read every table whole (once per database, the same for every page)
plus that page's filtering and grouping in pandas.
"""

from __future__ import annotations

import importlib
import sqlite3
import types
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from bench.baselines import BASELINES, DRAFT, Call, Q, Tables, agrees
from bench.measure import Timing, interleaved
from commstats import queries
from commstats.narrative import COMPARISONS
from commstats.periods import Period

# Core calls that also write (the draft's paragraphs, the whole report's appendix): measured by the
# commstats.queries calls they make.
COMPOSITE = (DRAFT, "commstats.narrative.report.report_inputs")


class MissingBaseline(RuntimeError):
    """A page calls a core function the benchmark has no hand-written or naive version of."""


def core_function(name: str) -> Callable[..., Any]:
    module, _, attribute = name.rpartition(".")
    return getattr(importlib.import_module(module), attribute)  # type: ignore[no-any-return]


def _check(engine: Engine, conn: Any, tables: Tables | None, calls: Sequence[Call]) -> list[str]:
    """Each call run three ways; the names of the calls whose baselines disagree with the core."""
    missing = sorted({name for _caller, name, _args, _kwargs in calls if name not in BASELINES})
    if missing:
        names = ", ".join(missing)
        raise MissingBaseline(f"{names}: no baseline in bench/baselines.py: add a hand-written and a naive one")
    disagreements = []
    for _caller, name, args, kwargs in calls:
        ours = core_function(name)(engine, *args, **kwargs)
        baseline = BASELINES[name]
        if not agrees(name, ours, baseline.hand(conn, *args, **kwargs)):
            disagreements.append(f"{name} (hand)")
        if tables is not None and not agrees(name, ours, baseline.naive(tables, *args, **kwargs)):
            disagreements.append(f"{name} (naive)")
    return disagreements


def expand(engine: Engine, call: Call) -> list[Call]:
    """The commstats.queries calls that a composite core call makes (outermost ones only)."""
    recorded: list[Call] = []
    depth = [0]
    originals = {
        name: fn
        for name, fn in vars(queries).items()
        if isinstance(fn, types.FunctionType) and fn.__module__ == queries.__name__
    }

    def wrap(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def recording(*args: Any, **kwargs: Any) -> Any:
            if depth[0] == 0 and args and isinstance(args[0], Engine):
                recorded.append((call[0], Q + name, args[1:], kwargs))
            depth[0] += 1
            try:
                return fn(*args, **kwargs)
            finally:
                depth[0] -= 1

        return recording

    for name, fn in originals.items():
        setattr(queries, name, wrap(name, fn))
    try:
        core_function(call[1])(engine, *call[2], **call[3])
    finally:
        for name, fn in originals.items():
            setattr(queries, name, fn)
    return recorded


def _runner(calls: Sequence[Call], run: Callable[[str, tuple, dict], Any]) -> Callable[[], None]:
    def all_calls() -> None:
        for _caller, name, args, kwargs in calls:
            run(name, args, kwargs)

    return all_calls


def measure(
    engine: Engine, conn: Any, tables: Tables | None, calls: Sequence[Call], naive_read_s: float, repeat: int
) -> dict[str, Any]:
    """Figures of one list of calls (a page's): ours, hand-written and naive, and their ratios. `conn` is
    a sqlite3 connection or anything with its `execute(sql, params).fetchall()` (bench.pg_bench.PgHand);
    without `tables` the naive approach is not measured."""
    disagreements = _check(engine, conn, tables, calls)
    ours = _runner(calls, lambda name, args, kwargs: core_function(name)(engine, *args, **kwargs))
    hand = _runner(calls, lambda name, args, kwargs: BASELINES[name].hand(conn, *args, **kwargs))
    timings = interleaved({"ours": ours, "hand": hand}, repeat)
    ours_s, hand_s = timings["ours"].best, timings["hand"].best
    figures = {
        "calls": len(calls),
        "functions": sorted({name.rpartition(".")[2] for _c, name, _a, _k in calls}),
        "ours_ms": ours_s * 1000,
        "hand_sql_ms": hand_s * 1000,
        "ours_vs_hand": ours_s / hand_s,
        "ours_cpu_ms": timings["ours"].best_cpu * 1000,
        "hand_cpu_ms": timings["hand"].best_cpu * 1000,
        "agree": not disagreements,
        "disagreements": disagreements,
    }
    if tables is not None:
        naive = _runner(calls, lambda name, args, kwargs: BASELINES[name].naive(tables, *args, **kwargs))
        naive_timing = Timing()
        naive_timing.add(naive)
        naive_s = naive_read_s + naive_timing.best
        figures |= {"naive_pandas_ms": naive_s * 1000, "naive_vs_ours": naive_s / ours_s}
    return figures


def run(
    engine: Engine, db: Path, page_calls: dict[str, list[Call]], repeat: int, year: int
) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    """Per page (and "frame" for the sidebar) the figures of its queries on a SQLite file, with the naive
    approach; and the figures of a full year's draft (all sections, every comparison)."""
    conn = sqlite3.connect(db, check_same_thread=False)
    try:
        return run_on(engine, conn, conn, page_calls, repeat, year)
    finally:
        conn.close()


def run_on(
    engine: Engine,
    conn: Any,
    naive_source: sqlite3.Connection | None,
    page_calls: dict[str, list[Call]],
    repeat: int,
    year: int,
) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    """As `run`, the hand-written SQL on `conn`; the naive approach reads its tables from `naive_source`
    (none: not measured). Also the figures of a full year's draft for the unit the pages showed."""
    naive_read = Timing()
    tables = naive_read.add(lambda: Tables.read(naive_source)) if naive_source is not None else None
    naive_read_s = naive_read.best if tables is not None else 0.0
    results: dict[str, dict[str, Any]] = {}
    frame_calls = next((c for c in page_calls.values() if c), [])
    results["frame"] = measure(engine, conn, tables, [c for c in frame_calls if c[0] == "frame"], naive_read_s, repeat)
    for page, calls in page_calls.items():
        own = [e for c in calls if c[0] == "page" for e in (expand(engine, c) if c[1] in COMPOSITE else [c])]
        results[page] = measure(engine, conn, tables, own, naive_read_s, repeat)
    draft_calls = [c for calls in page_calls.values() for c in calls if c[1] == DRAFT]
    codes = draft_calls[0][2][0] if draft_calls else ()
    year_draft: Call = ("draft", DRAFT, (codes, Period("year", year), "vi", COMPARISONS), {})
    draft = measure(engine, conn, tables, [year_draft], naive_read_s, repeat)
    draft["units"] = list(codes)
    draft["period"] = str(year)
    draft["compare"] = list(COMPARISONS)
    draft["paragraphs"] = len(core_function(DRAFT)(engine, codes, Period("year", year), "vi", COMPARISONS).paragraphs)
    if tables is not None:
        for figures in results.values():
            figures["naive_read_ms"] = naive_read_s * 1000
        draft["naive_read_ms"] = naive_read_s * 1000
    return results, draft
