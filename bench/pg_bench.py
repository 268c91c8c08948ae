"""The pages on PostgreSQL: the same national table bulk-loaded with COPY, every page rendered cold and
warm in AppTest, and every page's queries against the hand-written SQL of bench/baselines.py run on
PostgreSQL through `PgHand` (the same statements, spelled for PostgreSQL: bound arrays instead of JSON
lists), interleaved, best of N, results checked equal first.

The rows are generated and streamed into COPY unit by unit (bench.data.iter_rows), never held in memory
as a list, so ten million rows load in minutes. The database is left in place for the load benchmark
(bench/sessions_bench.py), which serves it to many sessions.

python -m bench.pg_bench --data-dir /work/pg10m [--rows 10000000] [--pages quality,draft] [--output FILE]

measures the pages on a PostgreSQL server whose files are kept in --data-dir (started as the test suite
starts one, tests/pgserver.py, on a free port, and stopped at the end): the first run makes the cluster
and loads the rows; later runs with the same --rows reuse it, so a page measurement takes minutes, not the
load's quarter of an hour. The results file has the layout of `python -m bench` (`--report` prints it).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import pickle
import platform
import re
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql as pgsql
from sqlalchemy import Engine, insert, update

from bench import query_bench, render_bench
from bench.data import LAST_MONTH, SITES_PER_UNIT, add_analyst, add_targets_and_register, iter_rows, unit_specs
from bench.load_bench import make_template
from bench.measure import Timing, repeats_for
from commstats.bootstrap import init_database
from commstats.db import make_engine
from commstats.models import ImportBatch, Member, Unit
from etl.load import load_rows
from etl.validate import CleanRow, Reference

STAMP = "2026-01-01 00:00:00"
CORRECTION_EVERY = 1000  # a correction file over one row in a thousand, loaded through the ETL as an import
COPY_COLUMNS = "unit_id, metric_id, period, member_id, value, note, batch_id, updated_at"


def plain_url(url: str) -> str:
    """A SQLAlchemy PostgreSQL URL as libpq takes it."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def database_url(server_url: str, name: str) -> str:
    return server_url.rsplit("/", 1)[0] + "/" + name


def _admin(server_url: str, statement: pgsql.Composed) -> None:
    with psycopg.connect(plain_url(server_url), autocommit=True) as conn:
        conn.execute(statement)


def create_database(server_url: str, name: str) -> str:
    _admin(server_url, pgsql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(pgsql.Identifier(name)))
    _admin(server_url, pgsql.SQL("CREATE DATABASE {}").format(pgsql.Identifier(name)))
    return database_url(server_url, name)


def drop_database(server_url: str, name: str) -> None:
    _admin(server_url, pgsql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(pgsql.Identifier(name)))


def _site_members(engine: Engine, unit_count: int) -> int:
    """The units' component sites as members (what an import creates on first sight), and a batch."""
    rows = [
        {
            "dimension": "site",
            "code": f"{s.code}-site{i:02d}",
            "name_vi": f"{s.code}-site{i:02d}",
            "name_en": f"{s.code}-site{i:02d}",
            "sort_order": 500,
        }
        for s in unit_specs(unit_count)
        for i in range(SITES_PER_UNIT)
    ]
    with engine.begin() as conn:
        conn.execute(insert(Member), rows)
        return int(
            conn.execute(
                insert(ImportBatch).returning(ImportBatch.id),
                {"source_kind": "bench", "source_name": "national (COPY)", "sha256": "", "status": "loaded"},
            ).scalar_one()
        )


def bulk_load(url: str, unit_count: int, chunk_bytes: int = 4 << 20) -> dict[str, Any]:
    """Schema, units, sites and every synthetic row of `unit_count` units into an empty database through
    one COPY; then ANALYZE. Returns the row count and the seconds of each step."""
    engine = make_engine(url)
    started = time.perf_counter()
    make_template(engine, unit_count)
    batch = _site_members(engine, unit_count)
    reference = Reference.read(engine)
    engine.dispose()
    prepared = time.perf_counter()
    metrics, members, units = reference.metrics, reference.members, reference.units
    iso: dict[dt.date, str] = {}
    count = 0
    with psycopg.connect(plain_url(url)) as conn, conn.cursor() as cursor:
        rebuild = _drop_keys(conn)
        with cursor.copy(f"COPY observation ({COPY_COLUMNS}) FROM STDIN") as copy:
            buffer = io.StringIO()
            for row in iter_rows(unit_count):
                metric_id, dimension = metrics[row.metric_code]
                buffer.write(
                    f"{units[row.unit_code]}\t{metric_id}\t{iso.setdefault(row.period, row.period.isoformat())}\t"
                    f"{members[(dimension, row.member_code)]}\t{row.value}\t\t{batch}\t{STAMP}\n"
                )
                count += 1
                if buffer.tell() >= chunk_bytes:
                    copy.write(buffer.getvalue())
                    buffer = io.StringIO()
            copy.write(buffer.getvalue())
        copied = time.perf_counter()
        for statement in rebuild:
            conn.execute(statement)
        conn.execute("UPDATE import_batch SET rows_read = %s, rows_inserted = %s WHERE id = %s", (count, count, batch))
        conn.commit()
    indexed = time.perf_counter()
    with psycopg.connect(plain_url(url), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    analysed = time.perf_counter()
    return {
        "rows": count,
        "prepare_seconds": prepared - started,
        "copy_seconds": copied - prepared,
        "index_seconds": indexed - copied,
        "analyze_seconds": analysed - indexed,
        "rows_per_second": count / (indexed - prepared),
    }


def _drop_keys(conn: psycopg.Connection) -> list[str]:
    """Drop the observation table's foreign keys, unique constraint and secondary indexes (not its primary
    key) in the load's transaction, and return the statements that make them again, exactly as they were:
    building an index once over sorted rows and checking each key in one join is the fast bulk load."""
    constraints = conn.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'observation'::regclass "
        "AND contype IN ('f', 'u') ORDER BY contype DESC, conname"
    ).fetchall()
    indexes = conn.execute(
        "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
        "WHERE i.indrelid = 'observation'::regclass AND NOT i.indisprimary AND NOT EXISTS "
        "(SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)"
    ).fetchall()
    for name, _definition in constraints:
        conn.execute(pgsql.SQL("ALTER TABLE observation DROP CONSTRAINT {}").format(pgsql.Identifier(name)))
    for name, _definition in indexes:
        conn.execute(pgsql.SQL("DROP INDEX {}").format(pgsql.Identifier(name)))
    return [definition for _name, definition in indexes] + [
        f"ALTER TABLE observation ADD CONSTRAINT {name} {definition}" for name, definition in reversed(constraints)
    ]


def correction_rows(unit_count: int, every: int = CORRECTION_EVERY) -> list[CleanRow]:
    """One stored row in `every` with a new value: a late correction file (it writes revisions)."""
    return [
        CleanRow(0, r.unit_code, r.metric_code, r.period, r.member_code, r.value + 1 + i % 50, "")
        for i, r in enumerate(iter_rows(unit_count))
        if i % every == 0
    ]


def prepare(url: str, unit_count: int) -> dict[str, Any]:
    """The served database: the bulk load, targets and register, the analyst, a correction import."""
    figures = bulk_load(url, unit_count)
    engine = make_engine(url)
    figures["extras"] = add_targets_and_register(engine, unit_count)
    add_analyst(engine)
    corrections = correction_rows(unit_count)
    timing = Timing()
    loaded = timing.add(
        lambda: load_rows(engine, corrections, source_kind="bench", source_name="corrections", sha256="")
    )
    figures["correction_load"] = {"rows": len(corrections), "updated": loaded.updated, "seconds": timing.best}
    engine.dispose()
    return figures


def make_public(url: str) -> None:
    """Every unit shown to visitors who have not signed in (the load benchmark's sessions are anonymous)."""
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(update(Unit).values(public_view=True))
    engine.dispose()


# --- the hand-written SQL of bench/baselines.py on PostgreSQL ---

_JSON_LIST = re.compile(r"json_each\(\?\)(?: AS (\w+))?")
_JSON_LENGTH = re.compile(r"json_array_length\(\?\)")
_PLACEHOLDER = re.compile(r"json_each\(\?\)(?: AS \w+)?|json_array_length\(\?\)|\?")
_CROSS_ON = re.compile(r"CROSS JOIN (\w+ \w+) ON")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _value(value: Any) -> Any:
    """ISO dates (the SQLite baselines pass dates as text) as dates, so PostgreSQL compares dates."""
    if isinstance(value, str) and _ISO_DATE.match(value):
        return dt.date.fromisoformat(value)
    return value


def _array(text: str) -> list[Any]:
    import json

    return [_value(v) for v in json.loads(text)]


def _kind(placeholder: str) -> str:
    if placeholder.startswith("json_each"):
        return "list"
    return "length" if placeholder.startswith("json_array_length") else "value"


def _array_type(values: list[Any]) -> str:
    """A bound list with its element type (an empty list has no element to tell it: text)."""
    first = values[0] if values else ""
    return "%s::bigint[]" if isinstance(first, int) else "%s::date[]" if isinstance(first, dt.date) else "%s::text[]"


@dataclass
class _Result:
    rows: list[tuple[Any, ...]]

    def fetchall(self) -> list[tuple[Any, ...]]:
        return self.rows


class PgHand:
    """What the hand-written baselines call on a sqlite3 connection (`execute(sql, params).fetchall()`),
    on one open psycopg connection: each statement spelled for PostgreSQL once (JSON lists become bound
    arrays through unnest, `?` becomes `%s`, `substr` of a month becomes `to_char`) and prepared."""

    def __init__(self, url: str) -> None:
        self.conn = psycopg.connect(plain_url(url), autocommit=True, prepare_threshold=0)
        self._spelled: dict[str, tuple[str, list[str]]] = {}

    def close(self) -> None:
        self.conn.close()

    def _spell(self, statement: str) -> tuple[str, list[str]]:
        """The PostgreSQL text and the kind of each placeholder: "list", "length" or "value"."""
        if statement not in self._spelled:
            kinds = [_kind(match.group(0)) for match in _PLACEHOLDER.finditer(statement)]
            spelled = _JSON_LIST.sub(lambda m: f"unnest(%s) AS {m.group(1) or 'j'}(value)", statement)
            spelled = _JSON_LENGTH.sub("%s", spelled)  # bound as the length itself
            spelled = _CROSS_ON.sub(r"JOIN \1 ON", spelled)  # SQLite's plan hint; a plain join to PostgreSQL
            spelled = spelled.replace("?", "%s").replace("substr(o.period, 1, 7)", "to_char(o.period, 'YYYY-MM')")
            spelled = spelled.replace("MAX(o.estimated)", "bool_or(o.estimated)")  # a boolean column on PostgreSQL
            spelled = spelled.replace("date(MAX(period), '+11 months')", "(MAX(period) + interval '11 months')::date")
            spelled = spelled.replace(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'observation'",
                "SELECT 1 FROM information_schema.tables WHERE table_name = 'observation'",
            )
            self._spelled[statement] = (spelled, kinds)
        return self._spelled[statement]

    def execute(self, statement: str, params: Sequence[Any] | dict[str, Any] = ()) -> _Result:
        spelled, kinds = self._spell(statement)
        values: list[Any] = []
        for kind, value in zip(kinds, list(params), strict=True):
            if kind == "list":
                values.append(_array(value))
            elif kind == "length":
                values.append(len(_array(value)))
            else:
                values.append(_value(value))
        parts = spelled.split("%s")
        spelled = parts[0] + "".join(
            (_array_type(value) if kind == "list" else "%s") + part
            for kind, value, part in zip(kinds, values, parts[1:], strict=True)
        )
        return _Result(self.conn.execute(spelled, values).fetchall())


@contextmanager
def hand_connection(url: str) -> Iterator[PgHand]:
    hand = PgHand(url)
    try:
        yield hand
    finally:
        hand.close()


def measure(
    url: str, rows: int, pages: tuple[str, ...] = render_bench.PAGES, renders: Path | None = None
) -> dict[str, Any]:
    """Every page rendered cold and warm on PostgreSQL and its queries against the hand-written SQL. With
    `renders`: the renders (and the calls they recorded) are kept in that file, and read from it when it
    exists, so that the queries alone can be measured again."""
    if renders is not None and renders.is_file():
        rendered, memory = pickle.loads(renders.read_bytes())
    else:
        rendered, memory = render_bench.run(url, pages)
        if renders is not None:
            renders.write_bytes(pickle.dumps((rendered, memory)))
    result: dict[str, Any] = {
        "render": {
            page: {k: v for k, v in r.items() if k != "calls"} | {"calls": len(r["calls"])}
            for page, r in rendered.items()
        },
        "memory": memory,
    }
    engine = make_engine(url)
    try:
        with hand_connection(url) as hand:
            page_calls = {page: r["calls"] for page, r in rendered.items()}
            result["queries"], result["draft_year"] = query_bench.run_on(
                engine, hand, None, page_calls, repeats_for(rows, 15, 15, 9), LAST_MONTH.year
            )
    finally:
        engine.dispose()
    return result


# --- a kept database: load once, measure the pages as often as needed ---

DATABASE = "bench_pages"
LOADED = "bench-load.json"  # in the data directory's root: what was loaded, so a later run can reuse it


def kept_database(server_url: str, root: Path, unit_count: int) -> tuple[str, dict[str, Any]]:
    """The URL of the bench database of `unit_count` units on the server, loaded now unless `root` notes
    that it already was; and the load's figures (of the run that made it)."""
    marker = root / LOADED
    if marker.is_file():
        noted = json.loads(marker.read_text())
        if noted.get("units") == unit_count:
            url = database_url(server_url, DATABASE)
            engine = make_engine(url)
            init_database(engine)  # the schema as the code now has it (a migration since the load)
            engine.dispose()
            # The sessions benchmark's imports since the load left pages not all-visible (index-only scans
            # then read the heap): vacuumed as autovacuum would have done on a server left running.
            with psycopg.connect(plain_url(url), autocommit=True) as conn:
                conn.execute("VACUUM ANALYZE")
            return url, dict(noted["load"])
    marker.unlink(missing_ok=True)
    url = create_database(server_url, DATABASE)
    load = prepare(url, unit_count)
    marker.write_text(json.dumps({"units": unit_count, "load": load}, indent=2, default=str))
    return url, load


def _uptime() -> str:
    done = subprocess.run(["uptime"], capture_output=True, text=True, check=False)
    return done.stdout.strip()


def main(argv: list[str] | None = None) -> None:
    from bench import report
    from bench.data import units_for
    from tests.pgserver import start_kept_server, stop_kept_server

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, required=True, help="where the server's files are kept")
    parser.add_argument("--rows", type=int, default=10_000_000, help="rows wanted (default 10,000,000)")
    parser.add_argument("--pages", default=",".join(render_bench.PAGES), help="comma-separated pages (default all)")
    parser.add_argument("--output", type=Path, default=None, help="results file (default: print only)")
    parser.add_argument("--load-only", action="store_true", help="make and load the database, measure nothing")
    parser.add_argument(
        "--renders", type=Path, default=None, help="keep the renders in this file; reuse them when it exists"
    )
    args = parser.parse_args(argv)
    pages = tuple(p.strip() for p in args.pages.split(",") if p.strip())
    unit_count = units_for(args.rows)
    started, uptime_before, load_before = time.time(), _uptime(), os.getloadavg()
    server = start_kept_server(args.data_dir.resolve())
    try:
        url, load = kept_database(server.url("postgres"), args.data_dir.resolve(), unit_count)
        if args.load_only:
            print(json.dumps(load, indent=2, default=str))
            return
        result: dict[str, Any] = {"units": unit_count, "rows": load["rows"]}
        result["postgresql"] = {"load": load, **measure(url, load["rows"], pages, args.renders)}
        result["targets"] = report.targets(result)
    finally:
        stop_kept_server(server)
    output = {
        "machine": platform.platform(),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "started_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)),
        "command": "python -m bench.pg_bench " + " ".join(argv if argv is not None else sys.argv[1:]),
        "uptime_before": uptime_before,
        "uptime_after": _uptime(),
        "load_average_before": load_before,
        "load_average_after": os.getloadavg(),
        "seconds": round(time.time() - started, 1),
        "sizes": [args.rows],
        "results": {str(args.rows): result},
        "growth": {},
        "targets_at_rows": result["rows"],
        "targets": result["targets"],
        "targets_met": all(c["met"] for c in result["targets"].values()),
    }
    report.print_postgresql(result["postgresql"])
    report.print_targets(result["targets"], f"{result['rows']:,} rows")
    print(output["uptime_before"], "→", output["uptime_after"])
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(json.dumps(output, indent=2, default=str, ensure_ascii=False))
        print(f"written {args.output}")


if __name__ == "__main__":
    main()
