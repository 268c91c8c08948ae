"""Engines and sessions. SQLite runs with WAL, foreign keys and a busy timeout."""

from __future__ import annotations

import atexit
import errno
import logging
import os
import queue
import random
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, create_engine, event, make_url
from sqlalchemy.exc import DBAPIError, DisconnectionError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from commstats.config import PROJECT_ROOT, get_settings
from commstats.i18n import BilingualError

SQLITE_BUSY_TIMEOUT_MS = 30_000
# How long a small write that must not keep a person waiting (sign-in, its audit event) waits for the
# write lock before it is handed to the background writer (write_or_defer).
QUICK_WAIT_MS = 300
# A pooled PostgreSQL connection idle longer than this is pinged before use (a server restart or a firewall
# may have closed it); one in use more recently is not: a ping on every checkout was a round trip more per
# read, a sixth of a dashboard run's database time with many sessions (bench/sessions_bench.py).
PING_AFTER_IDLE_S = 10.0
_LOGGER = logging.getLogger(__name__)
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


def _sqlite_pragmas(dbapi_connection: sqlite3.Connection, _record: object) -> None:
    # The driver's own implicit BEGIN is switched off: _sqlite_begin below starts every transaction.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=" + str(int(SQLITE_BUSY_TIMEOUT_MS)))
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_read_only_pragmas(dbapi_connection: sqlite3.Connection, _record: object) -> None:
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


def _busy_timeout(milliseconds: int) -> str:
    """SQLite's PRAGMA takes no bound parameter: the statement is built from a whole number only."""
    return "PRAGMA busy_timeout=" + str(int(milliseconds))


def _write_now(engine: Engine, work: Callable[[Connection], None], wait_ms: int) -> None:
    """One write transaction running `work`; on SQLite the write lock is waited for at most `wait_ms`."""
    with writer(engine).connect() as conn:
        driver = conn.connection.driver_connection if engine.dialect.name == "sqlite" else None
        if driver is not None:  # a connection setting, outside any transaction
            driver.execute(_busy_timeout(wait_ms))
        try:
            with conn.begin():
                work(conn)
        finally:
            if driver is not None:
                driver.execute(_busy_timeout(SQLITE_BUSY_TIMEOUT_MS))


_Job = tuple[Engine, Callable[[Connection], None], Callable[[], None] | None]  # engine, work, done


class _DeferredWriter:
    """One background thread per process that runs writes handed over while SQLite's write lock was held
    (an import of a million rows holds it for the whole load, 7 to 16 s on the 2-core machine, and a
    sign-in waiting behind it either keeps the person waiting that long or fails at the busy timeout).
    Each write is retried until the lock is free; what is still queued when the process exits is
    written first (atexit), waiting for the lock as long as it takes."""

    def __init__(self) -> None:
        self._queue: queue.Queue[_Job] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._guard = threading.Lock()

    def submit(self, engine: Engine, work: Callable[[Connection], None], done: Callable[[], None] | None) -> None:
        with self._guard:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="commstats-deferred-writes", daemon=True)
                self._thread.start()
                atexit.register(self.flush)
        self._queue.put((engine, work, done))

    def _run(self) -> None:
        while True:
            engine, work, done = self._queue.get()
            try:
                self._write(engine, work)
            except Exception:  # a write that cannot be made is logged; the next ones still run
                _LOGGER.exception("deferred write failed")
            finally:
                if done is not None:
                    done()
                self._queue.task_done()

    @staticmethod
    def _write(engine: Engine, work: Callable[[Connection], None]) -> None:
        delay = 0.2
        while True:
            try:
                _write_now(engine, work, SQLITE_BUSY_TIMEOUT_MS)
                return
            except OperationalError as error:
                if not is_locked_error(error):
                    raise
                time.sleep(delay * (1 + random.random()))
                delay = min(delay * 2, 5.0)

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until every queued write is done (True), or `timeout` seconds passed (False)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while self._queue.unfinished_tasks:
            if deadline is not None and time.monotonic() > deadline:
                return False
            time.sleep(0.02)
        return True


_deferred = _DeferredWriter()


def write_or_defer(
    engine: Engine, work: Callable[[Connection], None], *, done: Callable[[], None] | None = None
) -> bool:
    """Run `work(conn)` in one write transaction now when the write lock is free within QUICK_WAIT_MS
    (True); otherwise hand it to the background writer, which runs it as soon as the lock is free (False),
    and call `done` once it is written. For small writes that must never keep a person waiting on a long
    import: sign-ins and their audit events. PostgreSQL has no database-wide write lock: always now."""
    try:
        _write_now(engine, work, QUICK_WAIT_MS)
    except OperationalError as error:
        if engine.dialect.name != "sqlite" or not is_locked_error(error):
            raise
        _deferred.submit(engine, work, done)
        return False
    if done is not None:
        done()
    return True


def flush_deferred_writes(timeout: float | None = None) -> bool:
    """Wait for the writes write_or_defer handed to the background writer (tests, the CLI at exit)."""
    return _deferred.flush(timeout)


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
    engine = create_engine(url)
    _ping_when_idle(engine)
    return engine


def _ping_when_idle(engine: Engine) -> None:
    """Ping a connection at checkout only when it sat in the pool longer than PING_AFTER_IDLE_S; a dead one
    is replaced (DisconnectionError makes the pool connect again), as pool_pre_ping does on every checkout."""

    def checkin(_dbapi_connection: object, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    def checkout(dbapi_connection: Any, record: Any, _proxy: object) -> None:
        since = record.info.pop("idle_since", None)
        if since is None or time.monotonic() - since <= PING_AFTER_IDLE_S:
            return
        try:
            alive = engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            raise DisconnectionError(str(error)) from error
        if not alive:
            raise DisconnectionError("the connection did not answer a ping")

    event.listen(engine, "checkin", checkin)
    event.listen(engine, "checkout", checkout)


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
