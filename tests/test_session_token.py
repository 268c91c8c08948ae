"""The sign-in cookie's token: signed with the database's secret, expiring, naming a server-side session
(table `user_session`) that signing out deletes, so a copied cookie stops working; a new password or a
disabled account ends every session of the account, and expired rows are deleted (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from commstats import audit, auth
from commstats.db import flush_deferred_writes
from commstats.models import UserSession, _now
from tests.dbstate import a_load_holding_the_write_lock

PASSWORD = "mat-khau-phien-lam-viec"


def test_a_token_names_its_account_until_it_expires_or_the_password_changes(empty_engine):
    auth.create_user(empty_engine, "lan", PASSWORD, actor="test", role="viewer", unit_code="*")
    auth.create_user(empty_engine, "binh", PASSWORD, actor="test", role="admin", unit_code="*")
    token = auth.session_token(empty_engine, "lan")
    found = auth.principal_for_token(empty_engine, token)
    assert found is not None and found.username == "lan"
    later = _now() + dt.timedelta(hours=auth.SESSION_HOURS, minutes=1)
    assert auth.principal_for_token(empty_engine, token, now=later) is None
    _name, expires, session_id, signature = token.rsplit(".", 3)
    assert auth.principal_for_token(empty_engine, f"binh.{expires}.{session_id}.{signature}") is None
    assert auth.principal_for_token(empty_engine, f"lan.{int(expires) + 3600}.{session_id}.{signature}") is None
    assert auth.principal_for_token(empty_engine, f"lan.{expires}.{'0' * 32}.{signature}") is None
    assert auth.principal_for_token(empty_engine, f"lan.{expires}.{signature}") is None  # the old form: no session
    assert auth.principal_for_token(empty_engine, "lan") is None and auth.principal_for_token(empty_engine, "") is None
    auth.set_password(empty_engine, "lan", PASSWORD + "-moi", actor="test")
    assert auth.principal_for_token(empty_engine, token) is None
    fresh = auth.session_token(empty_engine, "lan")
    auth.set_active(empty_engine, "lan", False, actor="test")
    assert auth.principal_for_token(empty_engine, fresh) is None


def test_signing_out_ends_that_session_and_no_other(empty_engine):
    auth.create_user(empty_engine, "lan", PASSWORD, actor="test", role="viewer", unit_code="*")
    office, home = auth.session_token(empty_engine, "lan"), auth.session_token(empty_engine, "lan")
    copied = str(office)  # the cookie copied to another machine is the same text
    assert auth.open_sessions(empty_engine, "lan") == 2
    auth.sign_out(empty_engine, office, actor="lan")
    assert auth.principal_for_token(empty_engine, copied) is None  # signed out at the office: the copy is void
    kept = auth.principal_for_token(empty_engine, home)
    assert kept is not None and kept.username == "lan"
    assert auth.open_sessions(empty_engine, "lan") == 1
    with Session(empty_engine) as session:  # the table keeps only a hash of the id: the token is not in it
        stored = set(session.scalars(select(UserSession.id_hash)))
    assert len(stored) == 1 and not any(part in stored for part in home.split("."))
    assert [e.action for e in audit.events(empty_engine, actions=["sign_out"])] == ["sign_out"]


def test_a_password_change_or_reset_and_disabling_end_every_session(empty_engine):
    auth.create_user(empty_engine, "lan", PASSWORD, actor="test", role="viewer", unit_code="*")
    auth.create_user(empty_engine, "binh", PASSWORD, actor="test", role="viewer", unit_code="*")
    tokens = [auth.session_token(empty_engine, "lan") for _ in range(3)]
    other = auth.session_token(empty_engine, "binh")
    auth.change_own_password(empty_engine, "lan", PASSWORD, PASSWORD + "-moi")
    assert auth.open_sessions(empty_engine, "lan") == 0
    assert all(auth.principal_for_token(empty_engine, token) is None for token in tokens)
    assert auth.principal_for_token(empty_engine, other) is not None  # another account's session is kept
    after = auth.session_token(empty_engine, "lan")
    auth.set_password(empty_engine, "lan", PASSWORD + "-reset", actor="admin")  # an admin's reset
    assert auth.principal_for_token(empty_engine, after) is None and auth.open_sessions(empty_engine, "lan") == 0
    auth.set_active(empty_engine, "binh", False, actor="admin")
    auth.set_active(empty_engine, "binh", True, actor="admin")
    assert auth.principal_for_token(empty_engine, other) is None and auth.open_sessions(empty_engine, "binh") == 0


def test_expired_sessions_are_deleted_at_the_next_sign_in(empty_engine):
    auth.create_user(empty_engine, "lan", PASSWORD, actor="test", role="viewer", unit_code="*")
    long_ago = _now() - dt.timedelta(hours=auth.SESSION_HOURS * 3)
    old = [auth.session_token(empty_engine, "lan", now=long_ago) for _ in range(4)]
    assert all(auth.principal_for_token(empty_engine, token) is None for token in old)
    with Session(empty_engine) as session:
        assert session.scalar(select(func.count()).select_from(UserSession)) == 4
    auth.session_token(empty_engine, "lan")
    with Session(empty_engine) as session:
        rows = session.scalars(select(UserSession.expires_at)).all()
    assert len(rows) == 1 and rows[0] > _now()


def test_sign_in_and_sign_out_answer_while_an_import_holds_the_lock(empty_engine):
    """While a long import holds the write lock, a new session works at once and a signed-out one stops at
    once in this process (sqlite: written after the import commits; PostgreSQL: written at once)."""
    auth.create_user(empty_engine, "gia", PASSWORD, actor="t", role="viewer", unit_code="*")
    auth.name_key(empty_engine, "gia")  # the database's hash key, read once before the lock is taken
    before = auth.session_token(empty_engine, "gia")
    with a_load_holding_the_write_lock(empty_engine) as still_held:
        during = auth.session_token(empty_engine, "gia")
        assert auth.principal_for_token(empty_engine, during) is not None
        auth.sign_out(empty_engine, before, actor="gia")
        assert auth.signed_out_here(before) == (empty_engine.dialect.name == "sqlite")
        assert auth.principal_for_token(empty_engine, before) is None
        assert still_held()  # all of it answered while the lock was held
    assert flush_deferred_writes(timeout=120)
    assert not auth.signed_out_here(before) and auth.principal_for_token(empty_engine, before) is None
    assert auth.principal_for_token(empty_engine, during) is not None and auth.open_sessions(empty_engine, "gia") == 1
