"""A throwaway PostgreSQL server for the test session.

`initdb` into a temporary directory, `pg_ctl start` on a free port of 127.0.0.1 with the unix
socket in the same directory, and `pg_ctl stop` at the end. As root the server runs as the
`postgres` system user (PostgreSQL refuses to run as root). Test databases are copies of
templates (`CREATE DATABASE ... TEMPLATE ...`), which takes a fraction of a second.

COMMSTATS_TEST_PG_BINDIR names the folder with initdb/pg_ctl; by default the newest
/usr/lib/postgresql/*/bin is used.
"""

from __future__ import annotations

import os
import pwd
import re
import shlex
import shutil
import socket
import subprocess
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from psycopg import sql

SERVER_USER = "postgres"
SERVER_SETTINGS = {
    # A test server: durability is not needed, speed is.
    "listen_addresses": "127.0.0.1",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "200",
    "shared_buffers": "64MB",
}
# The benchmarks' servers hold up to 10M rows (about 2 GB with indexes) and are configured as a database
# server of that size would be: PostgreSQL's advice of a quarter of its memory as shared_buffers, on a 4 GB
# machine. The tests' 64 MB suits their throwaway databases of a few thousand rows.
BENCH_SETTINGS = SERVER_SETTINGS | {"shared_buffers": "1GB", "effective_cache_size": "3GB"}


class PostgresUnavailable(RuntimeError):
    """The server could not be found or started; the message says why and how to fix it."""


def find_bindir() -> Path:
    """The folder with initdb and pg_ctl: COMMSTATS_TEST_PG_BINDIR, else the newest installed version."""
    named = os.environ.get("COMMSTATS_TEST_PG_BINDIR")
    if named:
        if not (Path(named) / "initdb").is_file():
            raise PostgresUnavailable(f"COMMSTATS_TEST_PG_BINDIR={named} has no initdb")
        return Path(named)
    candidates = [p for p in Path("/usr/lib/postgresql").glob("*/bin") if (p / "initdb").is_file()]
    if not candidates:
        raise PostgresUnavailable(
            "no PostgreSQL binaries under /usr/lib/postgresql/*/bin: install them with "
            "`apt-get install postgresql` (or set COMMSTATS_TEST_PG_BINDIR), or run only SQLite with "
            "COMMSTATS_TEST_BACKENDS=sqlite"
        )

    def version(path: Path) -> tuple[int, ...]:
        return tuple(int(n) for n in re.findall(r"\d+", path.parent.name)) or (0,)

    return max(candidates, key=version)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _memory_dir() -> str | None:
    """/dev/shm when there is one: creating a database there takes 20 ms instead of 400 ms on disk."""
    shm = Path("/dev/shm")
    return str(shm) if shm.is_dir() and os.access(shm, os.W_OK | os.X_OK) else None


def _ensure_server_user() -> None:
    try:
        pwd.getpwnam(SERVER_USER)
    except KeyError:
        subprocess.run(
            ["useradd", "--system", "--user-group", "--no-create-home", "--shell", "/usr/sbin/nologin", SERVER_USER],
            check=True,
            capture_output=True,
        )


@dataclass
class PostgresServer:
    bindir: Path
    root: Path
    port: int
    as_user: list[str] = field(default_factory=list)
    settings: dict[str, str] = field(default_factory=lambda: dict(SERVER_SETTINGS))

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def log_file(self) -> Path:
        return self.root / "server.log"

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://{SERVER_USER}@127.0.0.1:{self.port}/{database}"

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*self.as_user, *args], capture_output=True, text=True, timeout=120, check=False)

    def start(self) -> None:
        if (self.data_dir / "PG_VERSION").is_file():  # a kept data directory (start_kept_server)
            self._start()
            return
        initdb = self._run(
            str(self.bindir / "initdb"),
            "-D",
            str(self.data_dir),
            "-U",
            SERVER_USER,
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        )
        if initdb.returncode != 0:
            raise PostgresUnavailable(f"initdb failed ({initdb.returncode}): {initdb.stderr.strip()[-2000:]}")
        self._start()

    def _start(self) -> None:
        options = " ".join(f"-c {name}={value}" for name, value in self.settings.items())
        started = self._run(
            str(self.bindir / "pg_ctl"),
            "-D",
            str(self.data_dir),
            "-l",
            str(self.log_file),
            "-w",
            "-t",
            "60",
            "-o",
            f"-p {self.port} -k {self.root} {options}",
            "start",
        )
        if started.returncode != 0:
            log = self.log_file.read_text(errors="replace")[-2000:] if self.log_file.exists() else ""
            raise PostgresUnavailable(f"pg_ctl start failed ({started.returncode}): {started.stderr.strip()} {log}")

    def stop(self) -> None:
        stopped = self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data_dir), "-m", "fast", "-w", "stop")
        if stopped.returncode != 0:
            self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data_dir), "-m", "immediate", "-w", "stop")

    def admin(self) -> psycopg.Connection:
        return psycopg.connect(host="127.0.0.1", port=self.port, user=SERVER_USER, dbname="postgres", autocommit=True)

    def create_database(self, template: str | None = None, name: str | None = None) -> str:
        """A new database (a copy of `template` if given); returns its name."""
        name = name or f"t_{uuid.uuid4().hex[:16]}"
        statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template:
            statement = sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(name), sql.Identifier(template))
        with self.admin() as conn:
            conn.execute(statement)
        return name

    def drop_database(self, name: str) -> None:
        """Drop `name`, ending the connections that cached engines may still hold to it."""
        with self.admin() as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def start_server(root: Path | None = None, settings: dict[str, str] | None = None) -> PostgresServer:
    """Start a fresh server; raises PostgresUnavailable with the reason if that is impossible. With `root`
    the server's files live there and are kept: its data directory is made on the first start and reused
    after (see start_kept_server)."""
    bindir = find_bindir()
    kept = root is not None
    if root is None:
        root = Path(tempfile.mkdtemp(prefix="commstats-pg-", dir=_memory_dir()))
    else:
        root.mkdir(parents=True, exist_ok=True)
    as_user: list[str] = []
    if os.geteuid() == 0:
        _ensure_server_user()
        shutil.chown(root, user=SERVER_USER)
        runuser = shutil.which("runuser")
        if not runuser:
            raise PostgresUnavailable("running as root but `runuser` is missing (install util-linux)")
        as_user = [runuser, "-u", SERVER_USER, "--"]
    server = PostgresServer(bindir, root, free_port(), as_user, settings or SERVER_SETTINGS)
    try:
        server.start()
    except (PostgresUnavailable, OSError, subprocess.SubprocessError) as error:
        if not kept:
            shutil.rmtree(root, ignore_errors=True)
        raise PostgresUnavailable(str(error)) from error
    _watch(server, remove=not kept)
    return server


def start_kept_server(root: Path) -> PostgresServer:
    """A server whose files stay in `root` (a benchmark's 10M-row database, loaded once): started on a
    free port, stopped by `stop_kept_server` or when this process ends, its data directory kept."""
    return start_server(root, BENCH_SETTINGS)


def stop_kept_server(server: PostgresServer) -> None:
    server.stop()


def _watch(server: PostgresServer, remove: bool = True) -> None:
    """A detached shell that stops the server (and removes its files, unless kept) once this process is
    gone, so a test run that is killed (a timeout, Ctrl-C twice) leaves no server behind."""
    stop = shlex.join(
        [*server.as_user, str(server.bindir / "pg_ctl"), "-D", str(server.data_dir), "-m", "immediate", "stop"]
    )
    remove_files = shlex.join(["rm", "-rf", str(server.root)]) if remove else "true"
    script = f"while kill -0 {os.getpid()} 2>/dev/null; do sleep 2; done; {stop}; {remove_files}"
    subprocess.Popen(
        ["sh", "-c", script],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def remove_server(server: PostgresServer) -> None:
    server.stop()
    shutil.rmtree(server.root, ignore_errors=True)
