"""CSV export (commstats.export.to_csv_bytes: BOM, formula neutralising, localised headers) of up to a
million rows against pandas.DataFrame.to_csv of the same frame."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine

from bench.data import rows_per_unit, unit_code
from bench.measure import Timing, interleaved
from commstats import queries
from commstats.export import to_csv_bytes

EXPORT_ROWS = 1_000_000


def run(engine: Engine, unit_count: int, repeat: int) -> dict[str, Any]:
    """The export frame of the first units up to EXPORT_ROWS rows (the page's and the CLI's query)."""
    codes = [unit_code(u) for u in range(min(unit_count, max(1, round(EXPORT_ROWS / rows_per_unit()))))]
    query = Timing()
    frame = query.add(lambda: queries.observations_for_export(engine, unit_codes=codes))
    timings = interleaved(
        {"ours": lambda: to_csv_bytes(frame), "to_csv": lambda: frame.to_csv(index=False).encode("utf-8")}, repeat
    )
    ours, baseline = timings["ours"].best, timings["to_csv"].best
    return {
        "rows": len(frame),
        "units": len(codes),
        "query_seconds": query.best,
        "ours_seconds": ours,
        "to_csv_seconds": baseline,
        "ours_vs_to_csv": ours / baseline,
    }
