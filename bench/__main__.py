"""`make bench`: national-scale synthetic data, every figure as a ratio against a baseline measured in the
same process on the same rows; prints tables and writes bench/results/latest.json.

python -m bench [--rows 1000000] [--sizes 100000,1000000,10000000] [--workdir DIR] [--pg-url URL | --no-pg]
python -m bench --quick --sizes 11880 --no-pg      every section and target once, fast: a smoke run, not figures
python -m bench --report bench/results/latest.json      print the tables of an earlier run again
python -m bench hostile [--size-mb 49] [--only csv,xlsx]  the budget per file on hostile files (bench/hostile.py)

Sizes default to 100,000 and --rows (1,000,000). PostgreSQL: the load comparison runs on --pg-url (a
server whose user may create databases), or on a throwaway server started like the test suite's
(tests/pgserver.py) when PostgreSQL's binaries are installed; --no-pg skips it. The targets are judged
at the size nearest to a million rows (where they are set), the growth between the smallest and the
largest size.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import platform
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from bench import export_bench, load_bench, query_bench, render_bench, report
from bench.data import LAST_MONTH, add_analyst, add_targets_and_register, revised_rows, synthetic_rows, units_for
from bench.measure import Timing, repeats_for
from commstats.db import make_engine
from etl.load import load_rows
from etl.validate import CleanRow

RESULTS = Path(__file__).parent / "results"
TARGET_ROWS = 1_000_000  # the size the targets are set at


@contextmanager
def postgres(url: str | None, enabled: bool) -> Iterator[tuple[str | None, str]]:
    """(server URL or None, why not): the given server, a throwaway one, or none."""
    if url or not enabled:
        yield url, "" if url else "--no-pg"
        return
    try:
        from tests.pgserver import BENCH_SETTINGS, PostgresUnavailable, remove_server, start_server
    except ImportError as error:  # psycopg missing
        yield None, str(error)
        return
    try:
        server = start_server(settings=BENCH_SETTINGS)
    except PostgresUnavailable as error:
        yield None, str(error)
        return
    try:
        yield server.url("postgres"), ""
    finally:
        remove_server(server)


def measure_size(
    rows_wanted: int,
    workdir: Path,
    pg_url: str | None,
    pg_note: str,
    backends: set[str],
    sessions: dict[str, Any],
    quick: bool = False,
) -> dict[str, Any]:
    unit_count = units_for(rows_wanted)
    result: dict[str, Any] = {"units": unit_count}
    if "sqlite" in backends:
        result |= measure_sqlite(unit_count, workdir, pg_url, pg_note, quick)
    if "postgresql" in backends:
        result["postgresql"] = measure_postgresql(unit_count, pg_url, sessions) if pg_url else {"skipped": pg_note}
        result.setdefault("rows", result["postgresql"].get("load", {}).get("rows", 0))
    result["targets"] = report.targets(result)
    return result


def measure_postgresql(unit_count: int, server_url: str, sessions: dict[str, Any]) -> dict[str, Any]:
    """The national table bulk-loaded into a fresh database of the server, every page rendered and its
    queries timed there; then, if asked, the sessions benchmark on it. The database is dropped after."""
    from bench import pg_bench, sessions_bench

    name = f"bench_pages_{unit_count}"
    url = pg_bench.create_database(server_url, name)
    try:
        load = pg_bench.prepare(url, unit_count)
        print(
            f"\n— PostgreSQL: {load['rows']:,} rows by COPY in {load['copy_seconds']:.0f} s, indexes "
            f"{load['index_seconds']:.0f} s —",
            flush=True,
        )
        result = {"load": load, **pg_bench.measure(url, load["rows"])}
        print("  PostgreSQL pages rendered and their queries measured", flush=True)
        if sessions["count"]:
            plan = sessions_bench.Plan(sessions["count"], sessions["steps"], sessions["ramp"], sessions["think"])
            result["sessions"] = sessions_bench.run(url, sessions["instances"], plan, unit_count)
        return result
    finally:
        pg_bench.drop_database(server_url, name)


def measure_sqlite(
    unit_count: int, workdir: Path, pg_url: str | None, pg_note: str, quick: bool = False
) -> dict[str, Any]:
    """`quick`: every figure measured once (one repetition, the pages rendered in one process)."""

    def repeats(rows: int, small: int, middle: int, large: int = 1) -> int:
        return 1 if quick else repeats_for(rows, small, middle, large)

    generate = Timing()
    rows = generate.add(lambda: synthetic_rows(unit_count))
    print(f"\n— {len(rows):,} rows, {unit_count} units (generated in {generate.best:.1f}s) —", flush=True)
    result: dict[str, Any] = {"rows": len(rows), "units": unit_count, "generate_seconds": generate.best}

    load, db = load_bench.run_sqlite(rows, unit_count, workdir, repeats(len(rows), 3, 3))  # noisy: best of 3
    result["load"] = load
    print(
        f"  load: ours {load['load_seconds']:.1f}s, raw {load['raw_executemany_seconds']:.1f}s, "
        f"to_sql {load['to_sql_seconds']:.1f}s",
        flush=True,
    )
    if pg_url:
        result["load_postgresql"] = load_bench.run_postgres(rows, unit_count, pg_url, repeats(len(rows), 2, 2))
        print(f"  PostgreSQL load: ours {result['load_postgresql']['load_seconds']:.1f}s", flush=True)
    else:
        result["load_postgresql"] = {"skipped": pg_note}

    engine = make_engine(load_bench.sqlite_url(db))
    result["extras"] = add_targets_and_register(engine, unit_count)
    add_analyst(engine)
    result["correction_load"] = _corrections(engine, rows)
    del rows
    gc.collect()

    url = load_bench.sqlite_url(db)
    rendered, memory = render_bench.run(url, quick=quick)
    result["render"] = {
        page: {k: v for k, v in r.items() if k != "calls"} | {"calls": len(r["calls"])} for page, r in rendered.items()
    }
    result["memory"] = memory
    print(f"  rendered {len(rendered)} pages; peak memory {memory['peak_rss_mb']:.0f} MB", flush=True)

    page_calls = {page: r["calls"] for page, r in rendered.items()}
    result["queries"], result["draft_year"] = query_bench.run(
        engine, db, page_calls, repeats(result["rows"], 15, 15, 9), LAST_MONTH.year
    )
    result["export"] = export_bench.run(engine, unit_count, repeats(result["rows"], 3, 2))
    engine.dispose()
    return result


def _corrections(engine: Engine, rows: list[CleanRow]) -> dict[str, Any]:
    """A late correction file over the loaded table: updates with revisions (as real corrections do)."""
    corrections = revised_rows(rows)
    timing = Timing()
    loaded = timing.add(
        lambda: load_rows(engine, corrections, source_kind="bench", source_name="corrections", sha256="")
    )
    return {"rows": len(corrections), "updated": loaded.updated, "seconds": timing.best}


def main() -> None:
    if sys.argv[1:2] == ["hostile"]:
        from bench import hostile

        hostile.main(sys.argv[2:])
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000, help="the largest size (default 1,000,000)")
    parser.add_argument("--sizes", default="", help="comma-separated sizes (default 100000 and --rows)")
    parser.add_argument("--workdir", type=Path, default=None, help="where the databases go (default: a temp folder)")
    parser.add_argument("--pg-url", default=None, help="PostgreSQL server for the load comparison")
    parser.add_argument("--no-pg", action="store_true", help="skip PostgreSQL")
    parser.add_argument(
        "--backends",
        default="sqlite,postgresql",
        help="sqlite, postgresql or both (default): where the pages are measured",
    )
    parser.add_argument(
        "--sessions",
        type=int,
        default=0,
        help="PostgreSQL: this many concurrent sessions through nginx (bench/sessions_bench.py)",
    )
    parser.add_argument("--instances", default="1,2,4", help="with --sessions: the instance counts, one phase each")
    parser.add_argument("--steps", type=int, default=40, help="with --sessions: measured interactions per session")
    parser.add_argument("--ramp", type=float, default=30.0, help="with --sessions: seconds over which sessions arrive")
    parser.add_argument("--think", default="3,10", help="with --sessions: think time range in seconds, lo,hi")
    parser.add_argument(
        "--quick", action="store_true", help="every figure once, pages in one process: a smoke run, not figures"
    )
    parser.add_argument("--output", type=Path, default=RESULTS / "latest.json")
    parser.add_argument(
        "--report",
        type=Path,
        nargs="+",
        default=None,
        help="print the tables of these results files (their sizes combined, the last file wins)",
    )
    parser.add_argument("--markdown", action="store_true", help="with --report: print the README's table")
    args = parser.parse_args()
    if args.report:
        reported = {
            size: result for path in args.report for size, result in json.loads(path.read_text())["results"].items()
        }
        if args.markdown:
            sqlite = {size: r for size, r in reported.items() if "load" in r}
            print(report.markdown(sqlite)) if sqlite else None
            for r in reported.values():
                if "queries" in r.get("postgresql", {}):
                    print(report.markdown_postgresql(r))
        else:
            show({"results": reported})
        return
    sizes = sorted({int(s) for s in args.sizes.split(",") if s} or {100_000, args.rows})
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="commstats-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    backends = {b.strip() for b in args.backends.split(",") if b.strip()}
    sessions = {
        "count": args.sessions,
        "instances": [int(n) for n in args.instances.split(",")],
        "steps": args.steps,
        "ramp": args.ramp,
        "think": tuple(float(v) for v in (args.think.split(",") * 2)[:2]),
    }
    started = time.time()
    load_before = os.getloadavg()
    results: dict[str, dict[str, Any]] = {}
    try:
        with postgres(args.pg_url, not args.no_pg) as (pg_url, pg_note):
            for size in sizes:
                size_dir = workdir / str(size)
                size_dir.mkdir(exist_ok=True)
                results[str(size)] = measure_size(size, size_dir, pg_url, pg_note, backends, sessions, args.quick)
                shutil.rmtree(size_dir, ignore_errors=True)
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    table, judged_rows, checks = judge(results)
    output = {
        "machine": platform.platform(),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "started_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)),
        "load_average_before": load_before,
        "load_average_after": os.getloadavg(),
        "seconds": round(time.time() - started, 1),
        "quick": args.quick,
        "sizes": sizes,
        "results": results,
        "growth": table,
        "targets_at_rows": judged_rows,
        "targets": checks,
        "targets_met": all(c["met"] for c in checks.values()),
    }
    show(output)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(output, indent=2, default=str, ensure_ascii=False))
    print(f"\nwritten {args.output}")


def judge(results: dict[str, dict[str, Any]]) -> tuple[dict[str, Any], int, dict[str, dict[str, Any]]]:
    """The growth table, and the targets of the size nearest a million rows with the growth targets."""
    table = report.growth(results)
    judged = min(results.values(), key=lambda r: abs(math.log(r["rows"] / TARGET_ROWS)))
    return table, judged["rows"], {**report.targets(judged), **report.growth_targets(table)}


def show(output: dict[str, Any]) -> None:
    """Print a results file: each size, the growth table and the targets."""
    results = output["results"]
    for result in results.values():
        report.print_size(result)
    table, judged_rows, checks = judge(results)
    report.print_growth(table, list(results))
    report.print_targets(checks, f"{judged_rows:,} rows")


if __name__ == "__main__":
    main()
