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

from sqlalchemy.engine import make_url

from commstats import audit
from commstats.db import create_private_file, make_engine, upgrade_schema
from commstats.i18n import BilingualError

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"

MESSAGES: dict[str, tuple[str, str]] = {
    "not_found": ("Không tìm thấy tệp sao lưu {path}.", "Backup file {path} not found."),
    "unknown_format": (
        "{path} không phải bản sao lưu của commstats (không phải tệp SQLite hay pg_dump -Fc).",
        "{path} is not a commstats backup (neither an SQLite file nor a pg_dump -Fc archive).",
    ),
    "wrong_backend": (
        "Bản sao lưu {path} dành cho {found}, còn cơ sở dữ liệu là {expected}. Chọn đúng bản sao lưu.",
        "Backup {path} is for {found} but the database is {expected}. Use a matching backup.",
    ),
    "damaged": (
        "Bản sao lưu {path} bị hỏng ({detail}); không khôi phục gì.",
        "Backup {path} is damaged ({detail}); nothing was restored.",
    ),
    "not_commstats": (
        "{path} là tệp SQLite nhưng không có lược đồ commstats (thiếu bảng alembic_version).",
        "{path} is an SQLite file without the commstats schema (no alembic_version table).",
    ),
    "no_database": (
        "Chưa có cơ sở dữ liệu tại {path} để sao lưu.",
        "There is no database at {path} to back up.",
    ),
    "tool_missing": (
        "Không tìm thấy {tool}. Cài gói postgresql-client hoặc đặt COMMSTATS_PG_BINDIR.",
        "{tool} not found. Install postgresql-client or set COMMSTATS_PG_BINDIR.",
    ),
    "tool_failed": ("{tool} báo lỗi: {detail}", "{tool} failed: {detail}"),
    "backend_unsupported": (
        "Chỉ sao lưu được SQLite và PostgreSQL (không phải {backend}).",
        "Only SQLite and PostgreSQL can be backed up (not {backend}).",
    ),
}


class BackupError(BilingualError):
    messages = MESSAGES


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
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            result = conn.execute("PRAGMA integrity_check").fetchone()[0]
            tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        finally:
            conn.close()
    except sqlite3.DatabaseError as error:
        raise BackupError("damaged", path=path, detail=str(error)) from error
    if result != "ok":
        raise BackupError("damaged", path=path, detail=result)
    if "alembic_version" not in tables:
        raise BackupError("not_commstats", path=path)


def _sqlite_backup(url: str, out: Path) -> None:
    db_path = _sqlite_path(url)
    if not db_path.is_file():
        raise BackupError("no_database", path=db_path)
    source = sqlite3.connect(db_path, timeout=30)
    try:
        _sqlite_copy(source, out)
    finally:
        source.close()


def _sqlite_restore(url: str, backup: Path, keep_dir: Path) -> Path | None:
    _check_sqlite_backup(backup)
    db_path = _sqlite_path(url)
    kept = None
    if db_path.is_file():
        kept = keep_dir / f"{db_path.stem}.before-restore-{_stamp()}.db"
        _sqlite_backup(url, kept)
    source = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
    target = sqlite3.connect(db_path, timeout=30)
    try:
        # Into the live file: the backup API takes the write lock and other connections see the
        # restored database from their next transaction on.
        source.backup(target)
    finally:
        target.close()
        source.close()
    return kept


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
    done = subprocess.run([_pg_tool(tool), *args], env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()
        raise BackupError("tool_failed", tool=tool, detail=" | ".join(detail[-3:]) or f"exit {done.returncode}")


def _pg_backup(url: str, out: Path) -> None:
    args, env = _pg_args(url)
    part = out.with_name(out.name + ".part")
    with _removed_on_failure(part):
        create_private_file(part)  # pg_dump writes into it and keeps the mode
        _run("pg_dump", ["--format=custom", "--no-owner", "--no-privileges", "--file", str(part), *args], env)
        os.replace(part, out)


def _pg_restore(url: str, backup: Path, keep_dir: Path) -> Path:
    args, env = _pg_args(url)
    _run("pg_restore", ["--list", str(backup)], env)  # a damaged archive is refused before anything changes
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
        audit.record_now(engine, actor=actor, action="backup", target=str(out), detail={"bytes": out.stat().st_size})
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
