"""Alembic environment: one settings function gives the URL; batch mode for SQLite."""

from __future__ import annotations

from alembic import context

from commstats.db import make_engine
from commstats.models import Base

target_metadata = Base.metadata


def run_migrations(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is not None:
    run_migrations(connection)
else:
    with make_engine().begin() as new_connection:
        run_migrations(new_connection)
