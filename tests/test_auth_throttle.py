"""The sign-in throttle per (name, client), `user unlock`, what the audit keeps of an unknown name, the
account lists of an admin of some units, and sign-ins while another writer holds the write lock."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select, text, update
from typer.testing import CliRunner

from commstats import audit, auth
from commstats.auth import AuthError
from commstats.bootstrap import add_unit
from commstats.cli import app
from commstats.db import flush_deferred_writes
from commstats.models import AuditEvent, SignInThrottle
from tests.dbstate import a_load_holding_the_write_lock

PASSWORD = "đúng-mật-khẩu-2019"
ATTACKER, OWNER = "203.0.113.66", "198.51.100.7"


def fail(engine: Engine, name: str, client: str, times: int = 1) -> list[str]:
    """`times` wrong passwords for `name` from `client`; the refusal keys."""
    keys = []
    for _ in range(times):
        with pytest.raises(AuthError) as refused:
            auth.authenticate(engine, name, "khong-dung-mat-khau", client)
        keys.append(refused.value.key)
    return keys


def age_failures(engine: Engine, by) -> None:  # type: ignore[no-untyped-def]
    """Move every counted failure `by` into the past (what waiting that long would do)."""
    with engine.begin() as conn:
        for key, client, at in conn.execute(
            select(SignInThrottle.name_key, SignInThrottle.client, SignInThrottle.last_failure_at)
        ).all():
            conn.execute(
                update(SignInThrottle)
                .where(SignInThrottle.name_key == key, SignInThrottle.client == client)
                .values(last_failure_at=at - by)
            )


def test_an_attacker_elsewhere_never_locks_the_owner_out(empty_engine):
    auth.create_user(empty_engine, "admin", PASSWORD, actor="t")
    keys = fail(empty_engine, "admin", ATTACKER, auth.MAX_FAILURES + 3)
    assert keys == ["sign_in_failed"] * auth.MAX_FAILURES + ["too_many_attempts"] * 3
    with pytest.raises(AuthError) as refused:  # the attacker's client is refused even the right password
        auth.authenticate(empty_engine, "admin", PASSWORD, ATTACKER)
    assert refused.value.key == "too_many_attempts" and "user unlock" in refused.value.message("en")
    assert auth.authenticate(empty_engine, "admin", PASSWORD, OWNER).username == "admin"
    assert auth.locked_for(empty_engine, "admin", OWNER).total_seconds() == 0


def test_the_lock_backs_off_exponentially_up_to_a_cap_and_refused_attempts_do_not_extend_it(empty_engine):
    auth.create_user(empty_engine, "chi", PASSWORD, actor="t")
    fail(empty_engine, "chi", ATTACKER, auth.MAX_FAILURES)
    locks = [auth.locked_for(empty_engine, "chi", ATTACKER)]
    assert auth.FIRST_LOCK * 0.9 < locks[0] <= auth.FIRST_LOCK
    for _ in range(8):
        # Hammering while refused is neither counted nor extends the lock.
        assert fail(empty_engine, "chi", ATTACKER, 3) == ["too_many_attempts"] * 3
        assert auth.locked_for(empty_engine, "chi", ATTACKER) <= locks[-1]
        age_failures(empty_engine, locks[-1])  # the lock has run out
        assert auth.locked_for(empty_engine, "chi", ATTACKER).total_seconds() == 0
        assert fail(empty_engine, "chi", ATTACKER) == ["sign_in_failed"]  # one more counted guess
        locks.append(auth.locked_for(empty_engine, "chi", ATTACKER))
    minutes = [round(lock.total_seconds() / 60) for lock in locks]
    assert minutes == [1, 2, 4, 8, 15, 15, 15, 15, 15]  # doubling, capped at MAX_LOCK
    assert max(locks) <= auth.MAX_LOCK
    with empty_engine.connect() as conn:
        assert conn.scalar(select(SignInThrottle.failures)) == auth.MAX_FAILURES + 8
    # After the cap has run out the owner signs in from that client too, and the count starts again.
    age_failures(empty_engine, auth.MAX_LOCK)
    assert auth.authenticate(empty_engine, "chi", PASSWORD, ATTACKER).username == "chi"
    with empty_engine.connect() as conn:
        assert conn.scalar(select(SignInThrottle.failures)) is None


def test_user_unlock_clears_every_client_and_is_audited(empty_engine):
    auth.create_user(empty_engine, "dung", PASSWORD, actor="t")
    fail(empty_engine, "dung", ATTACKER, auth.MAX_FAILURES)
    fail(empty_engine, "dung", OWNER, auth.MAX_FAILURES)
    fail(empty_engine, "khac", OWNER, auth.MAX_FAILURES)  # another name stays locked
    url = empty_engine.url.render_as_string(hide_password=False)
    done = CliRunner().invoke(app, ["user", "unlock", "Dung", "--db", url])
    assert done.exit_code == 0, done.output
    assert "dung (2 " in done.output
    for client in (ATTACKER, OWNER):
        assert auth.locked_for(empty_engine, "dung", client).total_seconds() == 0
    assert auth.locked_for(empty_engine, "khac", OWNER).total_seconds() > 0
    assert auth.authenticate(empty_engine, "dung", PASSWORD, ATTACKER).username == "dung"
    [event] = audit.events(empty_engine, actions={"user_unlock"})
    assert event.actor.startswith("os:") and event.target == "dung" and '"clients": 2' in event.detail


def test_the_audit_never_keeps_an_unknown_typed_name(empty_engine):
    auth.create_user(empty_engine, "em", PASSWORD, actor="t")
    typed = "Em-Mat-Khau-Bi-Mat-2019"  # a password typed into the name field
    fail(empty_engine, typed, OWNER, auth.MAX_FAILURES + 1)
    auth.unlock(empty_engine, typed, actor="os:root")
    fail(empty_engine, "em", OWNER)  # a real account is still named
    with empty_engine.connect() as conn:
        stored = [str(v) for row in conn.execute(select(AuditEvent)).all() for v in row]
        stored += [str(v) for row in conn.execute(text("SELECT * FROM sign_in_throttle")).all() for v in row]
    assert not [v for v in stored if typed.lower() in v.lower()]
    unknown = [e for e in audit.events(empty_engine) if e.actor == auth.UNKNOWN_NAME or e.target == auth.UNKNOWN_NAME]
    assert len(unknown) == auth.MAX_FAILURES + 2  # five failures, one refusal, the unlock
    assert len({e.detail.split('"name_hash": "')[1][:8] for e in unknown}) == 1  # one name, told apart
    assert [e.actor for e in audit.events(empty_engine, actions={"sign_in_failed"}, limit=1)] == ["em"]


def test_an_admin_of_some_units_sees_only_their_accounts_and_sign_ins(empty_engine):
    add_unit(empty_engine, "unit-b", "Sở B", "Department B")
    for name in ("boss", "a-admin", "a-editor", "b-editor", "b-viewer"):
        auth.create_user(empty_engine, name, PASSWORD, actor="os:root")
    auth.grant(empty_engine, "boss", "admin", None, actor="os:root")
    auth.grant(empty_engine, "a-admin", "admin", "test-unit", actor="os:root")
    auth.grant(empty_engine, "a-editor", "editor", "test-unit", actor="os:root")
    auth.grant(empty_engine, "a-editor", "viewer", "unit-b", actor="os:root")
    auth.grant(empty_engine, "b-editor", "editor", "unit-b", actor="os:root")
    auth.grant(empty_engine, "b-viewer", "viewer", "unit-b", actor="os:root")
    for name in ("boss", "a-admin", "a-editor", "b-editor"):
        auth.authenticate(empty_engine, name, PASSWORD, OWNER)
    fail(empty_engine, "b-viewer", OWNER)
    fail(empty_engine, "nobody-at-all", OWNER)
    a_admin = auth.principal_for(empty_engine, "a-admin")
    boss = auth.principal_for(empty_engine, "boss")
    assert a_admin is not None and boss is not None

    scoped = auth.list_users(empty_engine, a_admin)
    assert [(u.username, u.roles) for u in scoped] == [
        ("a-admin", {"test-unit": "admin"}),
        ("a-editor", {"test-unit": "editor"}),
    ]
    assert len(auth.list_users(empty_engine, boss)) == 5
    seen = {(e.actor, e.action, e.target, e.unit_code) for e in auth.account_events(empty_engine, a_admin)}
    assert ("a-editor", "sign_in", "", "") in seen and ("a-admin", "sign_in", "", "") in seen
    assert ("os:root", "grant", "a-editor", "test-unit") in seen
    leaked = {row for row in seen if "b-" in row[0] + row[2] or row[3] == "unit-b" or row[0] == "boss"}
    assert not leaked and not [row for row in seen if row[0] == auth.UNKNOWN_NAME]
    everything = {(e.actor, e.action) for e in auth.account_events(empty_engine, boss)}
    assert {("b-viewer", "sign_in_failed"), (auth.UNKNOWN_NAME, "sign_in_failed"), ("boss", "sign_in")} <= everything


def test_sign_in_succeeds_while_another_writer_holds_the_lock(empty_engine):
    """An import holds SQLite's write lock from BEGIN IMMEDIATE to its commit (seconds for a million rows).
    The sign-in must answer while it is held, and its audit events and counts are written after."""
    auth.create_user(empty_engine, "gia", PASSWORD, actor="t")
    auth.name_key(empty_engine, "gia")  # the database's hash key, read once before the lock is taken
    with a_load_holding_the_write_lock(empty_engine) as still_held:
        assert auth.authenticate(empty_engine, "gia", PASSWORD, OWNER).username == "gia"
        assert fail(empty_engine, "gia", ATTACKER, auth.MAX_FAILURES + 1)[-1] == "too_many_attempts"
        assert still_held()  # all of it answered while the lock was held
    assert flush_deferred_writes(timeout=120)
    actions = [(e.actor, e.action) for e in audit.events(empty_engine)]
    assert ("gia", "sign_in") in actions and ("importer", "import") in actions
    assert actions.count(("gia", "sign_in_failed")) == auth.MAX_FAILURES + 1
    assert auth.locked_for(empty_engine, "gia", ATTACKER).total_seconds() > 0
    assert auth.locked_for(empty_engine, "gia", OWNER).total_seconds() == 0
