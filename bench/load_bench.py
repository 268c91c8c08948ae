"""Import throughput: the ETL's load path (etl.load.load_rows) against the raw driver inserting the
same rows in one transaction (sqlite3 `executemany`), and against `pandas.DataFrame.to_sql`.

Every run starts from a copy of the same template database (schema, catalogue, units). The raw
driver and to_sql are handed the rows already resolved to ids, with the site members created
beforehand; load_rows starts from codes and does its own resolving, member creation, existing-row
check, batch and audit record, as an import does. All three write with the app's durability
(WAL, synchronous=NORMAL).
"""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Engine, create_engine, insert

from bench.data import add_units
from bench.measure import Timing, interleaved
from commstats.bootstrap import init_database
from commstats.db import make_engine
from commstats.models import ImportBatch, Member
from etl.load import load_rows
from etl.validate import CleanRow, Reference

COLUMNS = ["unit_id", "metric_id", "period", "member_id", "value", "note", "batch_id", "updated_at"]
RAW_INSERT = (
    "INSERT INTO observation (unit_id, metric_id, period, member_id, value, note, batch_id, updated_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)
STAMP = "2026-01-01 00:00:00.000000"


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def make_template(engine: Engine, unit_count: int) -> None:
    """Schema, catalogue and units: what a national database holds before its first import."""
    init_database(engine)
    add_units(engine, unit_count)


def resolved(engine: Engine, rows: list[CleanRow]) -> list[tuple[Any, ...]]:
    """Create the rows' site members and a batch in `engine`, and return the rows as id tuples in the
    observation table's column order: what a raw loader would be handed."""
    reference = Reference.read(engine)
    missing = {("site", r.member_code) for r in rows if reference.metrics[r.metric_code][1] == "site"}
    missing -= set(reference.members)
    with engine.begin() as conn:
        if missing:
            conn.execute(
                insert(Member),
                [
                    {"dimension": d, "code": c, "name_vi": c, "name_en": c, "sort_order": 500}
                    for d, c in sorted(missing)
                ],
            )
        batch_id = conn.execute(
            insert(ImportBatch).returning(ImportBatch.id),
            {"source_kind": "bench", "source_name": "raw", "sha256": "", "status": "loaded"},
        ).scalar_one()
    reference = Reference.read(engine)
    metrics, members, units = reference.metrics, reference.members, reference.units
    return [
        (
            units[r.unit_code],
            metrics[r.metric_code][0],
            r.period,
            members[(metrics[r.metric_code][1], r.member_code)],
            r.value,
            r.note,
            batch_id,
            STAMP,
        )
        for r in rows
    ]


def _copy(template: Path, target: Path) -> Path:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(template, target)
    return target


def _ratios(timings: dict[str, Timing], ours: str, raw: str, to_sql: str, rows: int) -> dict[str, float]:
    best = {name: t.best for name, t in timings.items()}
    return {
        "load_seconds": best[ours],
        f"{raw}_seconds": best[raw],
        "to_sql_seconds": best[to_sql],
        "load_rows_per_second": rows / best[ours],
        f"load_rate_vs_{raw}": best[raw] / best[ours],
        "load_rate_vs_to_sql": best[to_sql] / best[ours],
        "load_cpu_seconds": timings[ours].best_cpu,
        f"{raw}_cpu_seconds": timings[raw].best_cpu,
        "to_sql_cpu_seconds": timings[to_sql].best_cpu,
    }


def run_sqlite(rows: list[CleanRow], unit_count: int, workdir: Path, repeat: int) -> tuple[dict[str, Any], Path]:
    """Interleaved runs of the three loaders; returns the figures and the path of a database loaded by
    load_rows (the one the query benchmarks use)."""
    bare = workdir / "template.db"
    with_members = workdir / "template-members.db"
    for path in (bare, with_members):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    engine = make_engine(sqlite_url(bare))
    make_template(engine, unit_count)
    engine.dispose()
    _copy(bare, with_members)
    engine = make_engine(sqlite_url(with_members))
    iso: dict[dt.date, str] = {}  # one text per month, not one per row (ten million rows at the big run)
    tuples = [(*t[:2], iso.setdefault(t[2], t[2].isoformat()), *t[3:]) for t in resolved(engine, rows)]
    engine.dispose()
    frame = pd.DataFrame(tuples, columns=COLUMNS)

    ours_db, raw_db, to_sql_db = workdir / "load-ours.db", workdir / "load-raw.db", workdir / "load-to-sql.db"

    def ours() -> None:
        engine = make_engine(sqlite_url(ours_db))
        result = load_rows(engine, rows, source_kind="bench", source_name="national", sha256="")
        engine.dispose()
        assert result.inserted == len(rows), result

    def raw() -> None:
        conn = sqlite3.connect(raw_db)
        conn.execute("PRAGMA synchronous=NORMAL")
        with conn:
            conn.executemany(RAW_INSERT, tuples)
        conn.close()

    def to_sql() -> None:
        engine = make_engine(sqlite_url(to_sql_db))
        frame.to_sql("observation", engine, if_exists="append", index=False)
        engine.dispose()

    timings = interleaved(
        {"ours": ours, "raw_executemany": raw, "to_sql": to_sql},
        repeat,
        prepare={
            "ours": lambda: _copy(bare, ours_db),
            "raw_executemany": lambda: _copy(with_members, raw_db),
            "to_sql": lambda: _copy(with_members, to_sql_db),
        },
    )
    figures = _ratios(timings, "ours", "raw_executemany", "to_sql", len(rows))
    return {"rows": len(rows), "repeat": repeat, **figures, "runs": _runs(timings)}, ours_db


def _runs(timings: dict[str, Timing]) -> dict[str, list[float]]:
    return {name: [round(s, 3) for s in t.wall] for name, t in timings.items()}


# --- PostgreSQL: load_rows against COPY and to_sql, on databases copied from a template ---


def run_postgres(rows: list[CleanRow], unit_count: int, server_url: str, repeat: int) -> dict[str, Any]:
    """`server_url`: a PostgreSQL URL whose user may create databases; the bench creates and drops its own."""
    import psycopg
    from psycopg import sql

    admin_url = server_url.replace("postgresql+psycopg://", "postgresql://")

    def database_url(name: str) -> str:
        return server_url.rsplit("/", 1)[0] + "/" + name

    def execute(statement: sql.Composed) -> None:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(statement)

    stamp = dt.datetime.now().strftime("%H%M%S")
    bare, with_members = f"bench_tmpl_{stamp}", f"bench_tmplm_{stamp}"
    created = [bare, with_members]
    execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(bare)))
    engine = create_engine(database_url(bare))
    make_template(engine, unit_count)
    engine.dispose()
    execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(with_members), sql.Identifier(bare)))
    engine = make_engine(database_url(with_members))
    tuples = resolved(engine, rows)
    engine.dispose()
    frame = pd.DataFrame(tuples, columns=COLUMNS)
    frame["updated_at"] = pd.Timestamp(STAMP)
    counter = iter(range(10**6))

    def fresh(template: str) -> str:
        name = f"bench_run_{stamp}_{next(counter)}"
        execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(name), sql.Identifier(template)))
        created.append(name)
        return name

    def drop_runs() -> None:
        while len(created) > 2:
            execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(created.pop())))

    target: dict[str, str] = {}

    def ours() -> None:
        engine = make_engine(database_url(target["ours"]))
        result = load_rows(engine, rows, source_kind="bench", source_name="national", sha256="")
        engine.dispose()
        assert result.inserted == len(rows), result

    def copy() -> None:
        url = database_url(target["raw_copy"]).replace("postgresql+psycopg://", "postgresql://")
        statement = f"COPY observation ({', '.join(COLUMNS)}) FROM STDIN"
        with psycopg.connect(url) as conn, conn.cursor() as cursor, cursor.copy(statement) as copy_:
            for row in tuples:
                copy_.write_row(row)

    def to_sql() -> None:
        engine = create_engine(database_url(target["to_sql"]))
        frame.to_sql("observation", engine, if_exists="append", index=False, chunksize=50_000)
        engine.dispose()

    def prepare(name: str, template: str) -> None:
        drop_runs()
        target[name] = fresh(template)

    try:
        timings = interleaved(
            {"ours": ours, "raw_copy": copy, "to_sql": to_sql},
            repeat,
            prepare={
                "ours": lambda: prepare("ours", bare),
                "raw_copy": lambda: prepare("raw_copy", with_members),
                "to_sql": lambda: prepare("to_sql", with_members),
            },
        )
    finally:
        drop_runs()
        for name in (with_members, bare):
            execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    figures = _ratios(timings, "ours", "raw_copy", "to_sql", len(rows))
    return {"rows": len(rows), "repeat": repeat, **figures, "runs": _runs(timings)}
