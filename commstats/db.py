"""Engines and sessions. SQLite runs with WAL, foreign keys and a busy timeout."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from commstats.config import PROJECT_ROOT, get_settings

SQLITE_BUSY_TIMEOUT_MS = 30_000
# Execution option that marks a writer: on SQLite its transactions start with BEGIN IMMEDIATE.
WRITE_OPTION = "commstats_write"
T = TypeVar("T")


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    # The driver's own implicit BEGIN is switched off: _sqlite_begin below starts every transaction.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=" + str(int(SQLITE_BUSY_TIMEOUT_MS)))
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(conn: Connection) -> None:
    """Writers take the write lock at BEGIN, so a read-then-write transaction never has to upgrade
    its lock (which SQLite refuses at once with "database is locked" when another writer got there first);
    readers begin a deferred transaction and so see one consistent snapshot."""
    conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(WRITE_OPTION) else "BEGIN")


def writer(engine: Engine) -> Engine:
    """The same engine (same pool) for transactions that write."""
    return engine.execution_options(**{WRITE_OPTION: True})


def is_locked_error(error: BaseException) -> bool:
    text = str(getattr(error, "orig", error)).lower()
    return "database is locked" in text or "database is busy" in text or "database table is locked" in text


def retry_locked(work: Callable[[], T], *, attempts: int = 6, first_delay: float = 0.2) -> T:
    """Run `work` (one whole transaction) again when SQLite stays locked past the busy timeout,
    waiting longer each time (with jitter) so writers queued behind a long import do not fail."""
    for attempt in range(attempts):
        try:
            return work()
        except OperationalError as error:
            if attempt == attempts - 1 or not is_locked_error(error):
                raise
            time.sleep(first_delay * 2**attempt * (1 + random.random()))
    raise AssertionError("unreachable")


def make_engine(url: str | None = None) -> Engine:
    """An engine for `url` (or the configured one), creating the SQLite folder if needed."""
    url = url or get_settings().database_url
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_pre_ping=True)


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One transaction: commit on success, roll back on any error."""
    factory = sessionmaker(writer(engine), expire_on_commit=False)
    with factory() as session, session.begin():
        yield session


def upgrade_schema(engine: Engine) -> None:
    """Create or upgrade the schema with Alembic (the only way the schema changes)."""
    from alembic import command
    from alembic.config import Config

    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    with writer(engine).begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
