"""`make bench`: generate synthetic data, measure, print a table, write bench/results/latest.json.

python -m bench [--rows 1000000] [--sizes 100000,1000000] [--workdir DIR]
"""

from __future__ import annotations

import argparse
import json
import platform
import tempfile
import time
from pathlib import Path

from bench import export_bench, load_bench, query_bench
from bench.data import synthetic_rows, units_for

RESULTS = Path(__file__).parent / "results"


def measure_size(rows_wanted: int, workdir: Path) -> dict[str, object]:
    unit_count = units_for(rows_wanted)
    rows = synthetic_rows(unit_count)
    print(f"— {len(rows):,} rows, {unit_count} units —", flush=True)
    load = load_bench.run(rows, unit_count, workdir)
    print(f"  load: {load['load_seconds']:.2f}s; raw {load['raw_executemany_seconds']:.2f}s; "
          f"to_sql {load['to_sql_seconds']:.2f}s", flush=True)  # fmt: skip
    engine = load_bench.make_engine(f"sqlite:///{workdir / 'load-ours.db'}")
    page_queries = query_bench.run(engine, workdir / "load-ours.db")
    export = export_bench.run(engine)
    engine.dispose()
    return {"rows": len(rows), "units": unit_count, "load": load, "queries": page_queries, "export": export}


def print_table(results: dict[str, dict[str, object]]) -> None:
    for size, result in results.items():
        load, export = result["load"], result["export"]
        print(f"\n## {int(size):,} rows")
        print(f"load rate vs raw executemany: {load['load_rate_vs_raw']:.2f}x (target >= 0.5)")
        print(f"load rate vs pandas.to_sql:   {load['load_rate_vs_to_sql']:.2f}x (target >= 1.5)")
        print(f"CSV export vs to_csv:         {export['ours_vs_to_csv']:.2f}x time (target <= 1.5)")
        print(f"{'query':<32}{'ours ms':>10}{'hand ms':>10}{'naive ms':>10}{'ours/hand':>11}{'naive/ours':>12}")
        for name, q in result["queries"].items():
            print(f"{name:<32}{q['ours_ms']:>10.1f}{q['hand_sql_ms']:>10.1f}{q['naive_pandas_ms']:>10.0f}"
                  f"{q['ours_vs_hand']:>11.2f}{q['naive_vs_ours']:>12.0f}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--sizes", default="", help="comma-separated sizes for the growth table")
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s] or sorted({100_000, args.rows})
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="commstats-bench-"))
    started = time.time()
    results = {str(size): measure_size(size, workdir) for size in sizes}
    print_table(results)
    report = {"machine": platform.platform(), "python": platform.python_version(),
              "seconds": round(time.time() - started, 1), "results": results}  # fmt: skip
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps(report, indent=2, default=str))
    print(f"\nwritten {RESULTS / 'latest.json'}")


if __name__ == "__main__":
    main()
