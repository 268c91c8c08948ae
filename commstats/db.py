"""Engines and sessions. SQLite runs with WAL, foreign keys and a busy timeout."""

from __future__ import annotations

import errno
import os
import random
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TypeVar

from sqlalchemy import Connection, Engine, create_engine, event, make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from commstats.config import PROJECT_ROOT, get_settings
from commstats.i18n import BilingualError

SQLITE_BUSY_TIMEOUT_MS = 30_000
# Execution option that marks a writer: on SQLite its transactions start with BEGIN IMMEDIATE.
WRITE_OPTION = "commstats_write"
T = TypeVar("T")


PRIVATE_FILE_MODE = 0o600  # figures and accounts: readable by the service account only


class StorageError(BilingualError):
    """The disk is full or the database is read-only: said in words, never as a traceback."""

    namespace = "storage."


_FULL_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}
_READ_ONLY_ERRNOS = {errno.EROFS, errno.EACCES, errno.EPERM}
_PG_STATES = {"53100": "disk_full", "53400": "disk_full", "25006": "read_only"}  # disk_full, config limit, RO tx


def storage_fault(error: BaseException) -> StorageError | None:
    """A StorageError when `error` (or what it wraps) is a full disk or a read-only database, else None."""
    for cause in (error, getattr(error, "orig", None), error.__cause__, error.__context__):
        if cause is None:
            continue
        if isinstance(cause, StorageError):
            return cause
        if isinstance(cause, OSError) and cause.errno in _FULL_ERRNOS:
            return StorageError("disk_full", detail=cause.strerror or cause)
        if isinstance(cause, OSError) and cause.errno in _READ_ONLY_ERRNOS:
            return StorageError("read_only", detail=cause.strerror or cause)
        driver = getattr(cause, "orig", None) or cause
        detail = (str(driver).strip().splitlines() or [type(driver).__name__])[0]
        text = detail.lower()
        if isinstance(cause, (sqlite3.Error, DBAPIError)):
            if "disk is full" in text or "disk full" in text:
                return StorageError("disk_full", detail=detail)
            if "readonly database" in text or "read-only" in text:
                return StorageError("read_only", detail=detail)
        kind = _PG_STATES.get(str(getattr(driver, "sqlstate", "") or ""))
        if kind:
            return StorageError(kind, detail=detail)
    return None


def create_private_file(path: Path) -> None:
    """Create `path` empty with mode 0600 unless it exists (SQLite gives -wal, -shm and journals the mode of
    the database file, so they are private too)."""
    with suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE))


def is_read_only(path: Path) -> bool:
    """An existing SQLite file this process may not write (or whose folder it may not write: WAL needs it)."""
    return path.is_file() and not (os.access(path, os.W_OK) and os.access(path.parent, os.W_OK))


def read_only(engine: Engine) -> bool:
    """Whether `engine` reads an SQLite file it may not write (commands then skip their schema upgrade)."""
    return engine.dialect.name == "sqlite" and is_read_only(Path(engine.url.database or ""))


def connect_read_only(path: Path) -> sqlite3.Connection:
    """Read a database nobody may write: `mode=ro`, and `immutable=1` when there is no WAL to replay, since
    SQLite cannot create the -shm file a WAL database needs in a folder it may not write."""
    wal = path.with_name(path.name + "-wal")
    immutable = "&immutable=1" if not wal.exists() else ""
    uri = f"{path.resolve().as_uri()}?mode=ro{immutable}"
    return sqlite3.connect(uri, uri=True, timeout=SQLITE_BUSY_TIMEOUT_MS / 1000, check_same_thread=False)


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    # The driver's own implicit BEGIN is switched off: _sqlite_begin below starts every transaction.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=" + str(int(SQLITE_BUSY_TIMEOUT_MS)))
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_read_only_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    dbapi_connection.isolation_level = None  # as above, without switching the journal (that would write)
    dbapi_connection.execute("PRAGMA foreign_keys=ON")


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
        parsed = make_url(url)
        path = parsed.database or ""
        on_disk = bool(path) and path != ":memory:" and not parsed.query and not path.startswith("file:")
        if on_disk and is_read_only(Path(path)):
            file = Path(path)
            engine = create_engine(url, creator=lambda: connect_read_only(file))
            event.listen(engine, "connect", _sqlite_read_only_pragmas)
            event.listen(engine, "begin", _sqlite_begin)
            return engine
        if on_disk:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            create_private_file(Path(path))
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
