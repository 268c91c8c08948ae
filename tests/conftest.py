"""Shared fixtures: real SQLite files (a fresh one, and a demo one built once per session)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from commstats.bootstrap import add_unit, init_database
from commstats.db import make_engine

FIXTURES = Path(__file__).parent / "fixtures"


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


@pytest.fixture(scope="session")
def demo_db_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo database, generated once; tests get their own copy."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    engine = make_engine(sqlite_url(path))
    init_database(engine, demo=True)
    engine.dispose()
    return path


@pytest.fixture
def demo_db(demo_db_template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "demo.db"
    shutil.copy(demo_db_template, path)
    return path


@pytest.fixture
def demo_url(demo_db: Path) -> str:
    """The URL of a private copy of the demo database (backend-neutral: use this in new tests)."""
    return sqlite_url(demo_db)


@pytest.fixture
def demo_engine(demo_url: str) -> Iterator[Engine]:
    engine = make_engine(demo_url)
    yield engine
    engine.dispose()


@pytest.fixture
def empty_db(tmp_path: Path) -> Path:
    """A schema and catalogue with one unit and no observations."""
    path = tmp_path / "empty.db"
    engine = make_engine(sqlite_url(path))
    init_database(engine)
    add_unit(engine, "test-unit", "Sở Thông tin và Truyền thông thử nghiệm", "Test department")
    engine.dispose()
    return path


@pytest.fixture
def empty_url(empty_db: Path) -> str:
    """The URL of a database with the schema, the catalogue, one unit `test-unit` and no figures."""
    return sqlite_url(empty_db)


@pytest.fixture
def empty_engine(empty_url: str) -> Iterator[Engine]:
    engine = make_engine(empty_url)
    yield engine
    engine.dispose()
