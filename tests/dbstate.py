"""Every row of every table, to prove that something changed nothing (on any backend)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, MetaData, select

from commstats import audit
from commstats.db import make_engine, writer

Snapshot = dict[str, list[tuple[object, ...]]]


def snapshot(target: str | Engine) -> Snapshot:
    """All tables (reflected, so tables added by later migrations count too), rows in key order."""
    engine = make_engine(target) if isinstance(target, str) else target
    try:
        metadata = MetaData()
        metadata.reflect(engine)
        state: Snapshot = {}
        with engine.connect() as conn:
            for name, table in sorted(metadata.tables.items()):
                order = list(table.primary_key.columns) or list(table.columns)
                state[name] = [tuple(row) for row in conn.execute(select(table).order_by(*order))]
        return state
    finally:
        if isinstance(target, str):
            engine.dispose()


def row_counts(state: Snapshot) -> dict[str, int]:
    return {name: len(rows) for name, rows in state.items()}


@contextmanager
def a_load_holding_the_write_lock(engine: Engine) -> Iterator[Callable[[], bool]]:
    """An import's write transaction held open (as etl.load holds one for a whole load) while the body runs;
    yields a check that the lock is still held, so a test can assert its work did not wait for it."""
    holding, release = threading.Event(), threading.Event()

    def hold_the_lock() -> None:
        with writer(engine).begin() as conn:
            audit.record(conn, actor="importer", action="import", target="big.csv")
            holding.set()
            release.wait(timeout=120)

    holder = threading.Thread(target=hold_the_lock)
    holder.start()
    try:
        assert holding.wait(timeout=60)
        yield lambda: not release.is_set() and holder.is_alive()
    finally:
        release.set()
        holder.join(timeout=120)
