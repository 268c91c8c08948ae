"""The database fixtures themselves: every URL fixture runs on each backend, PostgreSQL copies are
private, and a PostgreSQL that cannot start makes its tests fail (never skip)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import text

from commstats import queries
from commstats.config import PROJECT_ROOT
from commstats.db import make_engine
from tests.conftest import BACKENDS


def test_urls_match_the_backend(backend, empty_url, demo_url):
    assert backend in BACKENDS
    prefix = "postgresql+psycopg://" if backend == "postgres" else "sqlite:///"
    assert empty_url.startswith(prefix) and demo_url.startswith(prefix) and empty_url != demo_url
    engine = make_engine(demo_url)
    with engine.connect() as conn:
        assert conn.dialect.name == ("postgresql" if backend == "postgres" else "sqlite")
        if backend == "postgres":
            assert int(conn.execute(text("SHOW server_version_num")).scalar_one()) >= 150000
            assert conn.execute(text("SHOW server_encoding")).scalar_one() == "UTF8"
    engine.dispose()


def test_each_test_gets_a_private_copy_part_one(demo_engine):
    """Deletes everything; part two (the next test) still sees the whole demo."""
    with demo_engine.begin() as conn:
        conn.execute(text("DELETE FROM revision"))
        conn.execute(text("DELETE FROM observation"))
    assert queries.observation_count(demo_engine) == 0


def test_each_test_gets_a_private_copy_part_two(demo_engine):
    assert queries.observation_count(demo_engine) > 5_000


PROBE = """
def test_probe(empty_url):
    assert empty_url
"""


def _run_probe(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    probe = tmp_path / "test_probe.py"
    probe.write_text(PROBE)
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "tests.conftest",
            "-p",
            "no:cacheprovider",
            "--rootdir",
            str(tmp_path),
            "-c",
            os.devnull,
            str(probe),
        ],
        cwd=PROJECT_ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_postgres_that_cannot_start_fails_the_tests_with_the_reason(tmp_path):
    done = _run_probe(tmp_path, COMMSTATS_TEST_BACKENDS="sqlite,postgres", COMMSTATS_TEST_PG_BINDIR="/nonexistent")
    assert done.returncode != 0, done.stdout
    assert "1 passed, 1 error" in done.stdout, done.stdout
    assert "PostgreSQL test server unavailable: COMMSTATS_TEST_PG_BINDIR=/nonexistent has no initdb" in done.stdout
    assert "skipped" not in done.stdout


def test_sqlite_only_runs_skip_nothing_and_start_no_server(tmp_path):
    done = _run_probe(tmp_path, COMMSTATS_TEST_BACKENDS="sqlite", COMMSTATS_TEST_PG_BINDIR="/nonexistent")
    assert done.returncode == 0 and "1 passed" in done.stdout and "skipped" not in done.stdout, done.stdout
