"""CSV export of every row against pandas.DataFrame.to_csv of the same frame."""

from __future__ import annotations

from sqlalchemy import Engine

from bench.measure import best_of
from commstats import queries
from commstats.export import to_csv_bytes


def run(engine: Engine, repeat: int = 3) -> dict[str, float]:
    frame = queries.observations_for_export(engine)
    ours = best_of(lambda: to_csv_bytes(frame), repeat)
    baseline = best_of(lambda: frame.to_csv(index=False).encode("utf-8"), repeat)
    return {"rows": len(frame), "ours_seconds": ours, "to_csv_seconds": baseline, "ours_vs_to_csv": ours / baseline}
