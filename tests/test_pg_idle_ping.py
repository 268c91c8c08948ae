"""PostgreSQL connections are pinged before use only after sitting idle in the pool (commstats.db): a
connection the server closed meanwhile (a restart, a firewall) is replaced without an error, and one in use
a moment ago costs no extra round trip."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from commstats import db
from tests.pgserver import PostgresServer


@pytest.fixture
def pg_engine(postgres_server: PostgresServer) -> Iterator[Engine]:
    name = postgres_server.create_database()
    engine = db.make_engine(postgres_server.url(name))
    yield engine
    engine.dispose()
    postgres_server.drop_database(name)


def _backend_pid(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one())


def _terminate(server: PostgresServer, pid: int) -> None:
    with server.admin() as admin:
        admin.execute("SELECT pg_terminate_backend(%s, 5000)", (pid,))


@pytest.mark.postgres
def test_a_connection_closed_by_the_server_while_idle_is_replaced(
    postgres_server: PostgresServer, pg_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    pid = _backend_pid(pg_engine)
    _terminate(postgres_server, pid)
    monkeypatch.setattr(db, "PING_AFTER_IDLE_S", 0.0)  # every checkin counts as idle long enough
    time.sleep(0.01)
    assert _backend_pid(pg_engine) != pid  # the dead connection was pinged, dropped and replaced


@pytest.mark.postgres
def test_a_connection_used_a_moment_ago_is_not_pinged(
    postgres_server: PostgresServer, pg_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    pid = _backend_pid(pg_engine)
    _terminate(postgres_server, pid)
    monkeypatch.setattr(db, "PING_AFTER_IDLE_S", 3600.0)
    with pytest.raises(OperationalError):  # no ping: the statement itself finds the connection closed
        _backend_pid(pg_engine)
    assert _backend_pid(pg_engine) != pid  # and the pool then connects afresh
