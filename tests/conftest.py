"""Shared fixtures: real databases on every backend (SQLite files and a PostgreSQL server the session starts).

`demo_url` / `empty_url` / `blank_url` (and the engines) are parametrised over the backends in
COMMSTATS_TEST_BACKENDS (default "sqlite,postgres"; `COMMSTATS_TEST_BACKENDS=sqlite` for quick local runs).
If PostgreSQL cannot be started, its tests fail with the reason; they are never skipped.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from commstats.bootstrap import add_unit, init_database
from commstats.config import PROJECT_ROOT
from commstats.db import make_engine
from etl.demo import load_demo
from tests.pgserver import PostgresServer, PostgresUnavailable, remove_server, start_server

FIXTURES = Path(__file__).parent / "fixtures"
# The suite starts a few hundred Python processes (the CLI as cron runs it, Streamlit servers, bench workers,
# importers to kill), each importing ~1,100 modules. Where the environment forbids writing bytecode
# (PYTHONDONTWRITEBYTECODE), each of them compiled every module from source again: ~2.5 s of CPU a start,
# half the time of a test that runs the CLI. Their bytecode goes to one folder outside the source tree instead,
# for this process too.
if os.environ.pop("PYTHONDONTWRITEBYTECODE", None):
    os.environ.setdefault("PYTHONPYCACHEPREFIX", str(PROJECT_ROOT / ".pytest_cache" / "pycache"))
    sys.pycache_prefix = os.environ["PYTHONPYCACHEPREFIX"]
    sys.dont_write_bytecode = False
# Page tests run as an admin of every unit unless they test sign-in and roles themselves (tests/test_auth_pages.py
# sets COMMSTATS_AUTH=on); the dashboards' servers in tests/browser inherit this too.
os.environ.setdefault("COMMSTATS_AUTH", "off")
KNOWN_BACKENDS = ("sqlite", "postgres")
_BACKENDS_ENV = os.environ.get("COMMSTATS_TEST_BACKENDS", "sqlite,postgres")
BACKENDS = tuple(b.strip() for b in _BACKENDS_ENV.split(",") if b.strip())
if not BACKENDS or set(BACKENDS) - set(KNOWN_BACKENDS):
    raise pytest.UsageError(f"COMMSTATS_TEST_BACKENDS={BACKENDS}: use a comma list of {', '.join(KNOWN_BACKENDS)}")
PG_DEMO_TEMPLATE = "commstats_demo_template"
PG_EMPTY_TEMPLATE = "commstats_empty_template"

# The files whose tests take a minute or more run first: the suite's workers take whole files in order
# (--dist loadfile), and one of these started last kept a worker busy for a minute after the other was done.
LONGEST_FIRST = ("test_crash_safety.py", "test_pages_open_directly_browser.py", "test_bench_smoke.py")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    rank = {name: position for position, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(LONGEST_FIRST)))  # stable: the rest keep their order


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


@pytest.fixture(scope="session")
def demo_db_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo database, generated once; tests get their own copy."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    engine = make_engine(sqlite_url(path))
    init_database(engine)
    load_demo(engine)
    engine.dispose()
    return path


@pytest.fixture
def demo_db(demo_db_template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "demo.db"
    shutil.copy(demo_db_template, path)
    return path


@pytest.fixture(
    params=[pytest.param(b, marks=[pytest.mark.postgres] if b == "postgres" else [], id=b) for b in BACKENDS]
)
def backend(request: pytest.FixtureRequest) -> str:
    """The backend, "sqlite" or "postgres": every test that uses a *_url / *_engine fixture runs on each backend."""
    return str(request.param)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A PostgreSQL server started for this session (initdb in a temporary directory), stopped at the end."""
    try:
        server = start_server()
    except PostgresUnavailable as error:
        pytest.fail(f"PostgreSQL test server unavailable: {error}", pytrace=False)
    yield server
    remove_server(server)


def _pg_template(server: PostgresServer, name: str, demo: bool) -> str:
    server.create_database(name=name)
    engine = make_engine(server.url(name))
    init_database(engine)
    if demo:
        load_demo(engine)
    else:
        add_unit(engine, "test-unit", "Sở Thông tin và Truyền thông thử nghiệm", "Test department")
    engine.dispose()
    return name


@pytest.fixture(scope="session")
def pg_demo_template(postgres_server: PostgresServer) -> str:
    """The demo database on PostgreSQL, built once; tests get `CREATE DATABASE ... TEMPLATE` copies."""
    return _pg_template(postgres_server, PG_DEMO_TEMPLATE, demo=True)


@pytest.fixture(scope="session")
def pg_empty_template(postgres_server: PostgresServer) -> str:
    return _pg_template(postgres_server, PG_EMPTY_TEMPLATE, demo=False)


def _pg_copy(request: pytest.FixtureRequest, template: str | None) -> Iterator[str]:
    server: PostgresServer = request.getfixturevalue("postgres_server")
    name = server.create_database(template=request.getfixturevalue(template) if template else None)
    yield server.url(name)
    server.drop_database(name)


@pytest.fixture
def demo_url(backend: str, request: pytest.FixtureRequest) -> Iterator[str]:
    """The URL of a private copy of the demo database (backend-neutral: use this in new tests)."""
    if backend == "postgres":
        yield from _pg_copy(request, "pg_demo_template")
    else:
        yield sqlite_url(request.getfixturevalue("demo_db"))


@pytest.fixture
def demo_engine(demo_url: str) -> Iterator[Engine]:
    engine = make_engine(demo_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def empty_db_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The empty database, made once (Alembic takes a while); tests get their own copy."""
    path = tmp_path_factory.mktemp("empty") / "empty.db"
    engine = make_engine(sqlite_url(path))
    init_database(engine)
    add_unit(engine, "test-unit", "Sở Thông tin và Truyền thông thử nghiệm", "Test department")
    engine.dispose()
    return path


@pytest.fixture
def empty_db(empty_db_template: Path, tmp_path: Path) -> Path:
    """A schema and catalogue with one unit and no observations."""
    path = tmp_path / "empty.db"
    shutil.copy(empty_db_template, path)
    return path


@pytest.fixture
def empty_url(backend: str, request: pytest.FixtureRequest) -> Iterator[str]:
    """The URL of a database with the schema, the catalogue, one unit `test-unit` and no figures."""
    if backend == "postgres":
        yield from _pg_copy(request, "pg_empty_template")
    else:
        yield sqlite_url(request.getfixturevalue("empty_db"))


@pytest.fixture
def blank_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of a database with nothing in it, not even the schema (for `init` and migrations)."""
    if backend == "postgres":
        yield from _pg_copy(request, None)
    else:
        yield sqlite_url(tmp_path / "blank.db")


@pytest.fixture
def empty_engine(empty_url: str) -> Iterator[Engine]:
    engine = make_engine(empty_url)
    yield engine
    engine.dispose()
