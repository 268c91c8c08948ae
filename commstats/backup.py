"""Backup and restore while the dashboard runs.

SQLite: the online backup API (sqlite3.Connection.backup) copies one committed snapshot, whatever
other processes are writing; restore copies a checked backup back into the live file the same way,
after keeping a copy of what it replaces. PostgreSQL: `pg_dump -Fc` (one snapshot) and
`pg_restore --clean --single-transaction` (all or nothing).
"""

from __future__ import annotations

import datetime as dt
import glob
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy import Engine, func, inspect, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from commstats import audit
from commstats.config import PROJECT_ROOT
from commstats.db import connect_read_only, create_private_file, is_read_only, make_engine, read_only, upgrade_schema
from commstats.i18n import BilingualError
from commstats.models import Base

SQLITE_MAGIC = b"SQLite format 3\x00"
# A backup without these rows would leave a database that nobody can use: restoring it is refused.
REQUIRED_ROWS = ("unit", "metric", "section")
PG_DUMP_MAGIC = b"PGDMP"


class BackupError(BilingualError):
    namespace = "backup."  # its texts are the catalogue's backup.* keys


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    backend: str
    size_bytes: int


def _backend(url: str) -> str:
    name = make_url(url).get_backend_name()
    if name not in ("sqlite", "postgresql"):
        raise BackupError("backend_unsupported", backend=name)
    return name


def _sqlite_path(url: str) -> Path:
    return Path(make_url(url).database or "")


def detect_format(path: Path) -> str:
    """The backend a backup file is for, "sqlite" or "postgresql", from its first bytes."""
    if not path.is_file():
        raise BackupError("not_found", path=path)
    with path.open("rb") as handle:
        head = handle.read(len(SQLITE_MAGIC))
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PG_DUMP_MAGIC):
        return "postgresql"
    raise BackupError("unknown_format", path=path)


# --- SQLite ------------------------------------------------------------------------------------


def _sqlite_copy(source: sqlite3.Connection, target_path: Path) -> None:
    """Copy `source` into a new single file (rollback journal, not WAL), checked, then renamed into place."""
    part = target_path.with_name(target_path.name + ".part")
    with _removed_on_failure(part):
        create_private_file(part)  # 0600 before the first byte is written
        target = sqlite3.connect(part)
        try:
            source.backup(target)  # pages=-1: the whole database from one committed snapshot
            target.execute("PRAGMA journal_mode=DELETE")
            result = target.execute("PRAGMA integrity_check").fetchone()[0]
            if result != "ok":
                raise BackupError("damaged", path=target_path, detail=result)
        finally:
            target.close()
        with part.open("rb") as handle:
            os.fsync(handle.fileno())
        os.replace(part, target_path)


@contextmanager
def _removed_on_failure(part: Path) -> Iterator[None]:
    """A half-written copy (and its journal) never stays behind: a full disk must not stay full."""
    part.unlink(missing_ok=True)
    try:
        yield
    except BaseException:
        for leftover in (part, part.with_name(part.name + "-journal")):
            leftover.unlink(missing_ok=True)
        raise


def _check_sqlite_backup(path: Path) -> None:
    """The file is an intact SQLite database with Alembic's version table (the first, cheap checks)."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            result = conn.execute("PRAGMA integrity_check").fetchone()[0]
            tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            revisions = [row[0] for row in conn.execute("SELECT version_num FROM alembic_version")] if (
                "alembic_version" in tables) else []  # fmt: skip
        finally:
            conn.close()
    except sqlite3.DatabaseError as error:
        raise BackupError("damaged", path=path, detail=str(error)) from error
    if result != "ok":
        raise BackupError("damaged", path=path, detail=result)
    if "alembic_version" not in tables:
        raise BackupError("not_commstats", path=path)
    _check_revision(path, revisions)


def _scripts() -> ScriptDirectory:
    return ScriptDirectory(str(PROJECT_ROOT / "migrations"))


def _known_revisions() -> list[str]:
    return sorted(r.revision for r in _scripts().walk_revisions())


def _head_revision() -> str:
    return str(_scripts().get_current_head())


def _check_revision(path: Path, revisions: list[str]) -> None:
    known = _known_revisions()
    if len(revisions) != 1 or revisions[0] not in known:
        raise BackupError("unknown_revision", path=path, revision=", ".join(revisions) or "-", known=", ".join(known))


def _check_contents(path: Path, tables: dict[str, set[str]], counts: dict[str, int]) -> None:
    """Every table and column of the current schema is there, and the file has units and a catalogue."""
    missing = [
        f"{name}.{column}" if name in tables else name
        for name, table in Base.metadata.tables.items()
        for column in ([c.name for c in table.columns] if name in tables else [""])
        if name not in tables or column not in tables[name]
    ]
    if missing:
        raise BackupError("schema_mismatch", path=path, missing=", ".join(sorted(set(missing))[:8]))
    if not all(counts.get(name, 0) > 0 for name in REQUIRED_ROWS):
        raise BackupError("empty_backup", path=path, counts=_counts_text(counts))


def _counts_text(counts: dict[str, int]) -> str:
    return ", ".join(f"{name}: {count}" for name, count in counts.items())


def _contents(engine: Engine) -> tuple[dict[str, set[str]], dict[str, int]]:
    """Tables with their columns, and the row counts of the tables a usable database cannot be without."""
    inspector = inspect(engine)
    tables = {name: {c["name"] for c in inspector.get_columns(name)} for name in inspector.get_table_names()}
    with engine.connect() as conn:
        counts = {
            name: int(conn.scalar(select(func.count()).select_from(Base.metadata.tables[name])) or 0)
            for name in (*REQUIRED_ROWS, "observation")
            if name in tables
        }
    return tables, counts


def _sqlite_backup(url: str, out: Path) -> None:
    db_path = _sqlite_path(url)
    if not db_path.is_file():
        raise BackupError("no_database", path=db_path)
    # A database nobody may write (a read-only mount) is still backed up: read it read-only.
    source = connect_read_only(db_path) if is_read_only(db_path) else sqlite3.connect(db_path, timeout=30)
    try:
        _sqlite_copy(source, out)
    finally:
        source.close()


def _sqlite_restore(url: str, backup: Path, keep_dir: Path) -> Path | None:
    """Check the backup on a private copy (upgraded to this version's schema) before the live file is touched."""
    _check_sqlite_backup(backup)
    db_path = _sqlite_path(url)
    staged = keep_dir / f".restore-check-{_stamp()}.db"
    try:
        source = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
        try:
            _sqlite_copy(source, staged)
        finally:
            source.close()
        engine = make_engine(f"sqlite:///{staged}")
        try:
            try:
                upgrade_schema(engine)  # an older backup is brought to this version's schema first
            except SQLAlchemyError as error:  # its tables are not what its revision says
                raise BackupError(
                    "schema_mismatch",
                    path=backup,
                    missing=str(error.orig if isinstance(error, DBAPIError) and error.orig else error)[:200],
                ) from error
            _check_contents(backup, *_contents(engine))
        finally:
            engine.dispose()
        kept = None
        if db_path.is_file():
            kept = keep_dir / f"{db_path.stem}.before-restore-{_stamp()}.db"
            _sqlite_backup(url, kept)
        source = sqlite3.connect(f"file:{staged}?mode=ro", uri=True)
        target = sqlite3.connect(db_path, timeout=30)
        try:
            # Into the live file: the backup API takes the write lock and other connections see the
            # restored database from their next transaction on.
            source.backup(target)
        finally:
            target.close()
            source.close()
        return kept
    finally:
        for leftover in (staged, staged.with_name(staged.name + ".part")):
            leftover.unlink(missing_ok=True)


# --- PostgreSQL --------------------------------------------------------------------------------


def _pg_tool(name: str) -> str:
    folder = os.environ.get("COMMSTATS_PG_BINDIR")
    candidates = [str(Path(folder) / name)] if folder else []
    candidates += [shutil.which(name) or ""]
    candidates += sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=_version_key, reverse=True)
    for candidate in candidates:
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    raise BackupError("tool_missing", tool=name)


def _version_key(path: str) -> int:
    part = Path(path).parent.parent.name
    return int(part) if part.isdigit() else 0


def _pg_args(url: str) -> tuple[list[str], dict[str, str]]:
    """libpq connection options, with the password in the environment rather than on the command line."""
    parsed = make_url(url)
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    args = ["--dbname", str(parsed.database or "")]
    if parsed.host:
        args += ["--host", parsed.host]
    if parsed.port:
        args += ["--port", str(parsed.port)]
    if parsed.username:
        args += ["--username", parsed.username]
    host = parsed.query.get("host")  # a unix-socket folder given as ?host=/path
    if host and not parsed.host:
        args += ["--host", host if isinstance(host, str) else host[0]]
    return args, env


def _run(tool: str, args: list[str], env: dict[str, str]) -> None:
    _output(tool, args, env)


def _output(tool: str, args: list[str], env: dict[str, str]) -> str:
    done = subprocess.run([_pg_tool(tool), *args], env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()
        raise BackupError("tool_failed", tool=tool, detail=" | ".join(detail[-3:]) or f"exit {done.returncode}")
    return done.stdout


def _copy_rows(archive: Path, table: str, env: dict[str, str]) -> list[str]:
    """The data lines of one table in a pg_dump archive (the rows of its COPY block), read without a server."""
    script = _output("pg_restore", ["--data-only", "--table", table, "--file", "-", str(archive)], env)
    rows, inside = [], False
    for line in script.splitlines():
        if line.startswith("COPY "):
            inside = True
        elif inside and line == "\\.":
            inside = False
        elif inside:
            rows.append(line)
    return rows


def _check_pg_archive(archive: Path, env: dict[str, str]) -> None:
    """Table of contents, schema revision and row counts of the archive, before the live database is touched."""
    listing = _output("pg_restore", ["--list", str(archive)], env)
    tables = {parts[-2] for line in listing.splitlines() if " TABLE " in line and (parts := line.split())}
    if "alembic_version" not in tables:
        raise BackupError("not_commstats", path=archive)
    revisions = [row.split("\t")[0] for row in _copy_rows(archive, "alembic_version", env)]
    _check_revision(archive, revisions)
    missing = sorted(set(Base.metadata.tables) - tables)
    if missing and revisions == [_head_revision()]:  # an older archive gains its newer tables on upgrade
        raise BackupError("schema_mismatch", path=archive, missing=", ".join(missing[:8]))
    counts = {name: len(_copy_rows(archive, name, env)) for name in REQUIRED_ROWS}  # small tables only
    if not all(counts[name] > 0 for name in REQUIRED_ROWS):
        raise BackupError("empty_backup", path=archive, counts=_counts_text(counts))


def _pg_backup(url: str, out: Path) -> None:
    args, env = _pg_args(url)
    part = out.with_name(out.name + ".part")
    with _removed_on_failure(part):
        create_private_file(part)  # pg_dump writes into it and keeps the mode
        _run("pg_dump", ["--format=custom", "--no-owner", "--no-privileges", "--file", str(part), *args], env)
        os.replace(part, out)


def _pg_restore(url: str, backup: Path, keep_dir: Path) -> Path:
    args, env = _pg_args(url)
    _check_pg_archive(backup, env)  # a damaged, foreign or empty archive is refused before anything changes
    kept = keep_dir / f"{make_url(url).database}.before-restore-{_stamp()}.dump"
    _pg_backup(url, kept)
    _run(
        "pg_restore",
        ["--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error",
         *args, str(backup)],
        env,
    )  # fmt: skip
    return kept


# --- the two commands --------------------------------------------------------------------------


def _stamp() -> str:
    return dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")


def backup(url: str, out: Path, *, actor: str = "") -> BackupInfo:
    """A consistent copy of the database at `url` into `out` (written whole, then renamed)."""
    backend = _backend(url)
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    if backend == "sqlite":
        _sqlite_backup(url, out)
    else:
        _pg_backup(url, out)
    engine = make_engine(url)
    try:
        if not read_only(engine):  # a read-only database cannot record it, and the copy is still good
            detail = {"bytes": out.stat().st_size}
            audit.record_now(engine, actor=actor, action="backup", target=str(out), detail=detail)
    finally:
        engine.dispose()
    return BackupInfo(out, backend, out.stat().st_size)


def restore(url: str, source: Path, *, actor: str = "", keep_dir: Path | None = None) -> Path | None:
    """Replace the database at `url` with the backup `source`; returns where the replaced data was kept.

    The backup is checked first (format, backend, integrity), the schema is upgraded afterwards if the
    backup is older than the code, and the restore is recorded in the restored audit trail.
    """
    backend = _backend(url)
    found = detect_format(source)
    if found != backend:
        raise BackupError("wrong_backend", path=source, found=found, expected=backend)
    keep = keep_dir or (_sqlite_path(url).parent if backend == "sqlite" else source.resolve().parent)
    keep.mkdir(parents=True, exist_ok=True)
    kept = _sqlite_restore(url, source, keep) if backend == "sqlite" else _pg_restore(url, source, keep)
    engine = make_engine(url)
    try:
        upgrade_schema(engine)
        audit.record_now(engine, actor=actor, action="restore", target=str(source.resolve()),
                         detail={"kept": str(kept or "")})  # fmt: skip
    finally:
        engine.dispose()
    return kept
