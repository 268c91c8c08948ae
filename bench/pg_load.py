"""load_rows on PostgreSQL against COPY of the same rows (the fastest way in), and SQLite for scale.

python -m bench.pg_load [--rows 100000] [--url postgresql+psycopg://...]   (default: a throwaway server)
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time
from pathlib import Path

from sqlalchemy import Engine, insert, text

from commstats.bootstrap import init_database
from commstats.catalog import load_catalog
from commstats.db import make_engine
from commstats.models import Unit
from commstats.periods import add_months
from etl.load import load_rows
from etl.validate import CleanRow, Reference

MONTHS = 120
SITES = 40


def rows_for(count: int) -> list[CleanRow]:
    """About `count` rows: units × 120 months × every metric and member (40 sites a unit)."""
    catalog = load_catalog()
    keys: list[tuple[str, str]] = []
    for metric in catalog.metrics:
        if metric.dimension == "site":
            keys += [(metric.code, f"site{s:02d}") for s in range(SITES)]
        elif metric.dimension:
            keys += [(metric.code, m.code) for m in catalog.dimensions[metric.dimension].members]
        else:
            keys.append((metric.code, ""))
    units = max(1, round(count / (len(keys) * MONTHS)))
    months = [add_months(dt.date(2016, 1, 1), i) for i in range(MONTHS)]
    return [
        CleanRow(0, f"u{u:04d}", metric, month, member, (u * 7 + i) % 500, "")
        for u in range(units)
        for month in months
        for i, (metric, member) in enumerate(keys)
    ]


def fresh(url: str, rows: list[CleanRow]) -> Engine:
    engine = make_engine(url)
    init_database(engine)
    with engine.begin() as conn:
        codes = sorted({r.unit_code for r in rows})
        conn.execute(
            insert(Unit),
            [
                {"code": c, "name_vi": c, "name_en": c, "cutoff_day": 0, "is_demo": False, "public_view": False}
                for c in codes
            ],
        )
    return engine


def time_load(engine: Engine, rows: list[CleanRow]) -> float:
    start = time.perf_counter()
    result = load_rows(engine, rows, source_kind="bench", source_name="bench", sha256="")
    seconds = time.perf_counter() - start
    assert result.inserted == len(rows), result
    return seconds


def time_copy(engine: Engine, rows: list[CleanRow]) -> float:
    """The floor: the same rows as id tuples straight into COPY (members and batch made beforehand)."""
    load_rows(engine, rows, source_kind="bench", source_name="members", sha256="")  # creates the site members
    reference = Reference.read(engine)
    tuples = [
        (
            reference.units[r.unit_code],
            reference.metrics[r.metric_code][0],
            r.period,
            reference.members[(reference.metrics[r.metric_code][1], r.member_code)],
            r.value,
            r.note,
        )
        for r in rows
    ]
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM observation"))
    start = time.perf_counter()
    with engine.begin() as conn:
        batch: int = conn.execute(text("SELECT max(id) FROM import_batch")).scalar_one()
        cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        columns = "unit_id, metric_id, period, member_id, value, note, batch_id, updated_at"
        with cursor.copy(f"COPY observation ({columns}) FROM STDIN") as copy:
            now = dt.datetime.now()
            for t in tuples:
                copy.write_row((*t, batch, now))
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--url", help="an empty PostgreSQL database (default: start a throwaway server)")
    args = parser.parse_args()
    rows = rows_for(args.rows)
    print(f"{len(rows):,} rows")
    with tempfile.TemporaryDirectory() as folder:
        sqlite = time_load(fresh(f"sqlite:///{Path(folder) / 'bench.db'}", rows), rows)
    server = None
    url = args.url
    if url is None:
        from tests.pgserver import BENCH_SETTINGS, remove_server, start_server

        server = start_server(settings=BENCH_SETTINGS)
        url = server.url(server.create_database())
        copy_url = server.url(server.create_database())
    else:
        copy_url = url
    try:
        postgres = time_load(fresh(url, rows), rows)
        floor = time_copy(fresh(copy_url, rows), rows) if server else float("nan")
    finally:
        if server is not None:
            remove_server(server)
    print(f"load_rows SQLite      {sqlite:7.2f} s  {len(rows) / sqlite:10,.0f} rows/s")
    print(f"load_rows PostgreSQL  {postgres:7.2f} s  {len(rows) / postgres:10,.0f} rows/s")
    print(f"raw COPY  PostgreSQL  {floor:7.2f} s  {len(rows) / floor:10,.0f} rows/s")
    print(f"PostgreSQL load_rows / raw COPY time: {postgres / floor:.2f}x")


if __name__ == "__main__":
    main()
