"""The one load step every source shares: an idempotent upsert in one transaction.

New keys are inserted, changed values are updated with a revision, identical values are
left alone; a file that changes nothing writes nothing (not even a batch).
"""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from itertools import repeat
from operator import attrgetter, itemgetter

from sqlalchemy import Connection, Engine, RootTransaction, Select, bindparam, insert, select, text, update

from commstats import audit
from commstats.cycle.lock import (
    LockedChange,
    any_locked,
    locked_changes,
    locked_months,
    record_adjustments,
    refuse_without_reason,
    span_of,
)
from commstats.db import retry_locked, writer
from commstats.models import ImportBatch, Member, Observation, Revision, _now
from etl.validate import CleanRow, Reference

CHUNK = 50_000
# SQLite's page cache during a load: up to 256 MiB (pages are allocated only as the load touches them,
# about 64 bytes a row), so the table and its indexes stay in memory until the commit writes each page once.
_LOAD_CACHE = "PRAGMA cache_size=-262144"
_DEFAULT_CACHE = "PRAGMA cache_size=-2000"  # SQLite's default, restored after the load
# The query planner's statistics are refreshed when a load adds a tenth of the table or more (PostgreSQL's
# autovacuum uses the same share): without them SQLite may read a metric's rows of every unit through the
# (metric, period) index where the unique index leads straight to the chosen units' rows (bench/).
ANALYZE_SHARE = 0.1
_SQLITE_STAT_ROWS = text("SELECT stat FROM sqlite_stat1 WHERE tbl = 'observation'")
_SQLITE_HAS_STATS = text("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")
_PG_STAT_ROWS = text("SELECT reltuples FROM pg_class WHERE oid = 'observation'::regclass")
_ANALYZE = text("ANALYZE observation")
Key = tuple[int, int, dt.date, int, str]  # (unit, metric, period, member) ids and the grain
# Existing rows are looked up key by key when a load has at most SPARSE_KEYS keys filling less than
# 1/SPARSE_SHARE of the units × metrics × months they span (see _existing).
SPARSE_KEYS = 20_000
SPARSE_SHARE = 20
_UNIT, _METRIC, _MEMBER = attrgetter("unit_code"), attrgetter("metric_code"), attrgetter("member_code")
_PERIOD, _VALUE, _NOTE = attrgetter("period"), attrgetter("value"), attrgetter("note")
_GRAIN, _ESTIMATED = attrgetter("grain"), attrgetter("estimated")
Stored = tuple[int, int, bool]  # (observation id, value, estimated)


@dataclass(frozen=True)
class LoadResult:
    batch_id: int | None
    inserted: int
    updated: int
    unchanged: int
    dry_run: bool = False
    new_members: tuple[str, ...] = ()  # codes of open-dimension members (sites) first seen in this load
    adjusted: int = 0  # changes to figures of approved (locked) rounds, each kept as an adjustment

    @property
    def changed_anything(self) -> bool:
        return self.batch_id is not None


def _ensure_members(conn: Connection, rows: Sequence[CleanRow], reference: Reference) -> tuple[str, ...]:
    """Create members of open dimensions (component sites) first seen in this load; returns their codes
    (a new site code may be a typo of a known one: the import summary names them)."""
    new: dict[tuple[str, str], dict[str, object]] = {}
    for metric_code, member_code in dict.fromkeys(zip(map(_METRIC, rows), map(_MEMBER, rows), strict=True)):
        dimension = reference.metrics[metric_code][1]
        key = (dimension, member_code)
        if key not in reference.members and key not in new:
            new[key] = {
                "dimension": dimension,
                "code": member_code,
                "name_vi": member_code,
                "name_en": member_code,
                "sort_order": 500,
            }
    if new:
        conn.execute(insert(Member), list(new.values()))
        for m in conn.execute(select(Member.id, Member.dimension, Member.code)):
            reference.members[(m.dimension, m.code)] = m.id
    return tuple(code for _dimension, code in new)


def _keys(rows: Sequence[CleanRow], reference: Reference) -> list[Key]:
    """Each row's (unit, metric, period, member) ids and grain. The lookups run column by column through map and
    zip, whose loops run in C: on a million rows this takes a third of the time of a Python loop."""
    metric_ids = {code: metric_id for code, (metric_id, _dimension) in reference.metrics.items()}
    dimensions = {code: dimension for code, (_metric_id, dimension) in reference.metrics.items()}
    metric_codes = list(map(_METRIC, rows))
    member_keys = zip(map(dimensions.__getitem__, metric_codes), map(_MEMBER, rows), strict=True)
    return list(
        zip(
            map(reference.units.__getitem__, map(_UNIT, rows)),
            map(metric_ids.__getitem__, metric_codes),
            map(_PERIOD, rows),
            map(reference.members.__getitem__, member_keys),
            map(_GRAIN, rows),
            strict=True,
        )
    )


def _existing(conn: Connection, keys: dict[Key, CleanRow]) -> dict[tuple, Stored]:
    """(unit, metric, period, member, grain) -> (observation id, value, estimated) for the keys of this load.

    A file that fills its units × metrics × months (an import) is matched against every stored row of
    that box, in one query. A few keys scattered over a big box (a correction file over several units
    and years) are looked up one by one in the unique index instead: the box would be the whole table.
    """
    if not keys:
        return {}
    unit_ids = set(map(itemgetter(0), keys))
    metric_ids = set(map(itemgetter(1), keys))
    periods = set(map(itemgetter(2), keys))
    first, last = min(periods), max(periods)
    box = len(unit_ids) * len(metric_ids) * ((last.year - first.year) * 12 + last.month - first.month + 1)
    if len(keys) <= SPARSE_KEYS and len(keys) * SPARSE_SHARE < box:
        return _existing_by_key(conn, keys)
    query = select(
        Observation.id,
        Observation.unit_id,
        Observation.metric_id,
        Observation.period,
        Observation.member_id,
        Observation.value,
        Observation.grain,
        Observation.estimated,
    ).where(
        Observation.unit_id.in_(unit_ids),
        Observation.metric_id.in_(metric_ids),
        Observation.period.between(first, last),
    )
    found = {}
    for r in conn.execute(query):
        key = (r.unit_id, r.metric_id, r.period, r.member_id, r.grain)
        if key in keys:
            found[key] = (r.id, r.value, bool(r.estimated))
    return found


@cache
def _by_key_query() -> Select:
    return select(Observation.id, Observation.value, Observation.estimated).where(
        Observation.unit_id == bindparam("unit"),
        Observation.metric_id == bindparam("metric"),
        Observation.period == bindparam("period"),
        Observation.member_id == bindparam("member"),
        Observation.grain == bindparam("grain"),
    )


def _existing_by_key(conn: Connection, keys: dict[Key, CleanRow]) -> dict[tuple, Stored]:
    found = {}
    for key in keys:
        row = conn.execute(
            _by_key_query(), {"unit": key[0], "metric": key[1], "period": key[2], "member": key[3], "grain": key[4]}
        ).first()
        if row is not None:
            found[key] = (row.id, row.value, bool(row.estimated))
    return found


_SQLITE_INSERT = (
    "INSERT INTO observation (unit_id, metric_id, period, member_id, grain, value, note, batch_id, updated_at, "
    "estimated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


_PG_COPY = (
    "COPY observation (unit_id, metric_id, period, member_id, grain, value, note, batch_id, updated_at, estimated) "
    "FROM STDIN"
)
_COLUMNS = (
    "unit_id",
    "metric_id",
    "period",
    "member_id",
    "grain",
    "value",
    "note",
    "batch_id",
    "updated_at",
    "estimated",
)


def _locked(
    conn: Connection,
    keyed: dict[Key, CleanRow],
    existing: dict[tuple, Stored],
    new: list[Key],
    updates: list[Key],
) -> list[LockedChange]:
    """The new and changed figures that fall in a locked month: one short query, and the keys are looked at
    only when some month of the load is locked (most loads touch none, and a big load pays nothing more)."""
    if not (new or updates) or not any_locked(conn):
        return []
    locked = locked_months(conn, *span_of(keyed))  # every month a quarter's (a year's …) figure covers
    if not locked:
        return []
    changes: list[tuple[Key, int | None, int, int | None]] = [(k, None, keyed[k].value, keyed[k].line) for k in new]
    changes += [(k, existing[k][1], keyed[k].value, keyed[k].line) for k in updates]
    return locked_changes(changes, locked)


def _new_keys(keyed: dict[Key, CleanRow], existing: dict[tuple, Stored]) -> list[Key]:
    return [key for key in keyed if key not in existing] if existing else list(keyed)


def _changed_keys(keyed: dict[Key, CleanRow], existing: dict[tuple, Stored]) -> list[Key]:
    """Stored figures this load changes: another value, or an estimate replaced by the actual figure (even of
    the same value: the quality page lists it). An estimate never replaces an actual figure (loading the
    half-year report again after June's actual figure came in leaves June alone)."""
    changed = []
    for key, row in keyed.items():
        stored = existing.get(key)
        if stored is None or (row.estimated and not stored[2]):
            continue
        if stored[1] != row.value or stored[2] != row.estimated:
            changed.append(key)
    return changed


def _new_rows(
    conn: Connection, keyed: dict[Key, CleanRow], keys: list[Key], *, batch_id: int, now: dt.datetime
) -> list[tuple]:
    """The new observations as the driver's parameter tuples (unit, metric, period, member, grain, value, note,
    batch, time, estimated), zipped from columns (loops in C) and sorted in the unique index's order: SQLite then
    appends to the index instead of splitting pages all over it, which makes the insert itself cheaper
    (bench/). On SQLite dates are the same ISO text SQLAlchemy's Date and DateTime types write."""
    rows = list(keyed.values()) if len(keys) == len(keyed) else list(map(keyed.__getitem__, keys))
    periods: Iterator[object] = map(itemgetter(2), keys)
    stamp: object = now
    if conn.dialect.name == "sqlite":
        iso = {period: period.isoformat() for period in set(map(itemgetter(2), keys))}
        periods, stamp = map(iso.__getitem__, map(itemgetter(2), keys)), now.isoformat(sep=" ", timespec="microseconds")
    params = list(
        zip(
            map(itemgetter(0), keys),
            map(itemgetter(1), keys),
            periods,
            map(itemgetter(3), keys),
            map(itemgetter(4), keys),
            map(_VALUE, rows),
            map(_NOTE, rows),
            repeat(batch_id),
            repeat(stamp),
            map(_ESTIMATED, rows),
        )
    )
    params.sort()  # keys are unique: the order is decided by (unit, metric, period, member, grain)
    return params


def _copy_observations(conn: Connection, params: list[tuple]) -> None:
    """PostgreSQL's COPY, in the load's own transaction: 1.4x faster than psycopg's pipelined executemany
    on 100k rows, and within 10% of a bare COPY of the same rows (python -m bench.pg_load)."""
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    with cursor.copy(_PG_COPY) as copy:
        for row in params:
            copy.write_row(row)


def _insert_observations(conn: Connection, params: list[tuple]) -> None:
    """Insert one chunk of new observations (tuples from _new_rows).

    On SQLite the rows go straight to the driver's executemany: SQLAlchemy's per-row parameter
    processing would otherwise cost more than the insert itself (see bench/).
    """
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql(_SQLITE_INSERT, params)
        return
    if conn.dialect.name == "postgresql" and conn.dialect.driver == "psycopg":
        _copy_observations(conn, params)
        return
    conn.execute(insert(Observation), [dict(zip(_COLUMNS, row, strict=True)) for row in params])


def _rows_in_statistics(conn: Connection) -> float | None:
    """How many rows the planner's statistics counted in the observation table (None: never counted)."""
    if conn.dialect.name == "sqlite":
        if conn.execute(_SQLITE_HAS_STATS).first() is None:
            return None
        stat = conn.execute(_SQLITE_STAT_ROWS).scalar()
        return float(str(stat).split()[0]) if stat else None
    count = conn.execute(_PG_STAT_ROWS).scalar()
    return float(count) if count is not None and count >= 0 else None


def _refresh_statistics(conn: Connection, inserted: int) -> None:
    """ANALYZE the observation table when this load adds ANALYZE_SHARE of it or more (or it was never
    analysed), in the load's transaction, so the first query after a big import gets a good plan."""
    if conn.dialect.name not in ("sqlite", "postgresql"):
        return  # other databases: left to their own maintenance
    counted = _rows_in_statistics(conn)
    if counted is None or inserted >= ANALYZE_SHARE * counted:
        conn.execute(_ANALYZE)


@contextmanager
def _gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while a load builds millions of tuples (none of them in a cycle): each
    full collection would walk every one of them, a fifth of a million-row load's time (bench/)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@contextmanager
def _load_page_cache(conn: Connection) -> Iterator[None]:
    """On SQLite, a page cache sized to the load for its duration (the 2 MiB default makes a big load
    write and re-read the same index pages many times); the previous size afterwards."""
    if conn.dialect.name != "sqlite":
        yield
        return
    driver = conn.connection.driver_connection  # a connection setting, outside the transaction
    driver.execute(_LOAD_CACHE)  # type: ignore[union-attr]
    try:
        yield
    finally:
        driver.execute(_DEFAULT_CACHE)  # type: ignore[union-attr]


@contextmanager
def _transaction(engine: Engine, connection: Connection | None) -> Iterator[tuple[Connection, RootTransaction | None]]:
    """The caller's connection (the caller owns its transaction) or a new connection with its own."""
    if connection is not None:
        yield connection, None
        return
    with writer(engine).connect() as conn, conn.begin() as transaction:
        yield conn, transaction


def load_rows(
    engine: Engine,
    rows: Sequence[CleanRow],
    *,
    source_kind: str,
    source_name: str,
    sha256: str,
    reference: Reference | None = None,
    dry_run: bool = False,
    created_by: str = "",
    progress: Callable[[int, int], None] | None = None,
    connection: Connection | None = None,
    reason: str = "",
) -> LoadResult:
    """`progress(done, total)` is called after each chunk; with `connection` the load joins the caller's
    transaction (used when a source writes its own records in the same transaction). Every batch is
    recorded in the audit trail in the same transaction. A load in its own transaction is retried
    (with backoff) when SQLite stays locked by another writer past the busy timeout.

    A figure in a month of an approved round (locked, commstats.cycle.lock) is changed only with a
    `reason`: without one the whole load is refused (CycleError "period_locked") and nothing is written;
    with one, each such change is also kept as an adjustment for the next report."""
    options = {
        "source_kind": source_kind,
        "source_name": source_name,
        "sha256": sha256,
        "dry_run": dry_run,
        "created_by": created_by,
        "progress": progress,
        "reason": reason,
    }
    if connection is not None:
        return _load_once(engine, rows, reference=reference, connection=connection, **options)  # type: ignore[arg-type]
    attempts = [reference]
    # A failed attempt may have added member ids to the reference; later attempts read it afresh.
    return retry_locked(
        lambda: _load_once(engine, rows, reference=attempts.pop() if attempts else None, connection=None, **options)  # type: ignore[arg-type]
    )


def _load_once(
    engine: Engine,
    rows: Sequence[CleanRow],
    *,
    source_kind: str,
    source_name: str,
    sha256: str,
    reference: Reference | None,
    dry_run: bool,
    created_by: str,
    progress: Callable[[int, int], None] | None,
    connection: Connection | None,
    reason: str,
) -> LoadResult:
    reference = reference or Reference.read(engine)
    with _gc_paused(), _transaction(engine, connection) as (conn, transaction), _load_page_cache(conn):
        new_members = _ensure_members(conn, rows, reference)
        keyed = dict(zip(_keys(rows, reference), rows, strict=True))  # a repeated key: the last row wins
        existing = _existing(conn, keyed)
        new = _new_keys(keyed, existing)
        updates = _changed_keys(keyed, existing) if existing else []
        unchanged = len(keyed) - len(new) - len(updates)
        locked = _locked(conn, keyed, existing, new, updates)
        reason = refuse_without_reason(conn, locked, reason)

        if dry_run or not (new or updates):
            if transaction is not None:
                transaction.rollback()
            return LoadResult(None, len(new), len(updates), unchanged, dry_run, new_members)

        now = _now()
        batch_id = conn.execute(
            insert(ImportBatch).returning(ImportBatch.id),
            {
                "source_kind": source_kind,
                "source_name": source_name,
                "sha256": sha256,
                "started_at": now,
                "rows_read": len(rows),
                "rows_inserted": len(new),
                "rows_updated": len(updates),
                "rows_unchanged": unchanged,
                "status": "loaded",
                "created_by": created_by,
                "message": "",
            },
        ).scalar_one()
        total = len(new) + len(updates)
        params = _new_rows(conn, keyed, new, batch_id=batch_id, now=now)
        for start in range(0, len(params), CHUNK):
            _insert_observations(conn, params[start : start + CHUNK])
            if progress is not None:
                progress(min(start + CHUNK, len(params)), total)
        if updates:
            conn.execute(
                insert(Revision),
                [
                    {
                        "observation_id": existing[k][0],
                        "old_value": existing[k][1],
                        "new_value": keyed[k].value,
                        "old_estimated": existing[k][2],
                        "new_estimated": keyed[k].estimated,
                        "batch_id": batch_id,
                        "changed_at": now,
                    }
                    for k in updates
                ],
            )
            conn.execute(
                update(Observation)
                .where(Observation.id == bindparam("obs_id"))
                .values(
                    value=bindparam("new_value"),
                    note=bindparam("new_note"),
                    estimated=bindparam("new_estimated"),
                    batch_id=batch_id,
                    updated_at=now,
                ),
                [
                    {
                        "obs_id": existing[k][0],
                        "new_value": keyed[k].value,
                        "new_note": keyed[k].note,
                        "new_estimated": keyed[k].estimated,
                    }
                    for k in updates
                ],
            )
        if locked:
            record_adjustments(conn, locked, reason=reason, batch_id=batch_id, actor=created_by, at=now)
            units = ",".join(sorted(set(map(_UNIT, rows))))
            detail = {"reason": reason, "figures": len(locked)}
            audit.record(
                conn,
                actor=created_by,
                action="adjustment",
                unit_code=units,
                target=source_name,
                batch_id=batch_id,
                detail=detail,
            )
        if progress is not None:
            progress(total, total)
        if new:
            _refresh_statistics(conn, len(new))
        conn.execute(update(ImportBatch).where(ImportBatch.id == batch_id).values(finished_at=_now()))
        audit.record(
            conn,
            actor=created_by,
            action="entry" if source_kind == "entry" else "import",
            unit_code=",".join(sorted(set(map(_UNIT, rows)))),
            target=source_name,
            batch_id=batch_id,
            detail={
                "source_kind": source_kind,
                "inserted": len(new),
                "updated": len(updates),
                "unchanged": unchanged,
                "sha256": sha256,
            },
        )
        return LoadResult(batch_id, len(new), len(updates), unchanged, new_members=new_members, adjusted=len(locked))
