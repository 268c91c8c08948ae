"""Import throughput: the ETL's load path against the raw driver and pandas.to_sql."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine, insert

from bench.data import unit_code
from bench.measure import once
from commstats.bootstrap import init_database
from commstats.db import make_engine
from commstats.models import ImportBatch, Member, Unit
from etl.load import load_rows
from etl.validate import CleanRow, Reference


def fresh_database(path: Path, unit_count: int) -> Engine:
    path.unlink(missing_ok=True)
    engine = make_engine(f"sqlite:///{path}")
    init_database(engine)
    with engine.begin() as conn:
        conn.execute(
            insert(Unit),
            [{"code": unit_code(u), "name_vi": f"Đơn vị {u}", "name_en": f"Unit {u}", "cutoff_day": 0,
              "is_demo": False, "public_view": False} for u in range(unit_count)],
        )  # fmt: skip
    return engine


def _resolved(engine: Engine, rows: list[CleanRow]) -> list[tuple]:
    """Rows as id tuples, members created first: what a raw loader would be handed."""
    reference = Reference.read(engine)
    missing = {("site", r.member_code) for r in rows if reference.metrics[r.metric_code][1] == "site"}
    missing -= set(reference.members)
    with engine.begin() as conn:
        if missing:
            conn.execute(insert(Member), [{"dimension": d, "code": c, "name_vi": c, "name_en": c, "sort_order": 500}
                                          for d, c in missing])  # fmt: skip
        batch_id = conn.execute(
            insert(ImportBatch).returning(ImportBatch.id),
            {"source_kind": "bench", "source_name": "raw", "sha256": "", "status": "loaded"},
        ).scalar_one()
    reference = Reference.read(engine)
    return [
        (reference.units[r.unit_code], reference.metrics[r.metric_code][0], r.period.isoformat(),
         reference.members[(reference.metrics[r.metric_code][1], r.member_code)], r.value, "", batch_id,
         "2026-01-01 00:00:00.000000")
        for r in rows
    ]  # fmt: skip


COLUMNS = ["unit_id", "metric_id", "period", "member_id", "value", "note", "batch_id", "updated_at"]
RAW_INSERT = (
    "INSERT INTO observation (unit_id, metric_id, period, member_id, value, note, batch_id, updated_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)


def run(rows: list[CleanRow], unit_count: int, workdir: Path) -> dict[str, float]:
    ours_engine = fresh_database(workdir / "load-ours.db", unit_count)
    ours = once(lambda: load_rows(ours_engine, rows, source_kind="bench", source_name="bench", sha256="x"))

    raw_engine = fresh_database(workdir / "load-raw.db", unit_count)
    tuples = _resolved(raw_engine, rows)
    raw_engine.dispose()

    def raw_insert() -> None:
        conn = sqlite3.connect(workdir / "load-raw.db")
        with conn:
            conn.executemany(RAW_INSERT, tuples)
        conn.close()

    raw = once(raw_insert)

    to_sql_engine = fresh_database(workdir / "load-to-sql.db", unit_count)
    frame = pd.DataFrame(_resolved(to_sql_engine, rows), columns=COLUMNS)
    to_sql = once(lambda: frame.to_sql("observation", to_sql_engine, if_exists="append", index=False))
    checksum = hashlib.sha256(str(len(rows)).encode()).hexdigest()[:8]
    return {
        "rows": len(rows),
        "load_seconds": ours,
        "raw_executemany_seconds": raw,
        "to_sql_seconds": to_sql,
        "load_rate_vs_raw": raw / ours,
        "load_rate_vs_to_sql": to_sql / ours,
        "checksum": checksum,  # type: ignore[dict-item]
    }
