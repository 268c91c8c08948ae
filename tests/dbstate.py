"""Every row of every table, to prove that something changed nothing (on any backend)."""

from __future__ import annotations

from sqlalchemy import Engine, MetaData, select

from commstats.db import make_engine

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
