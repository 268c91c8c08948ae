"""Backup and restore round trips, table for table, on every backend; refusals leave the data alone."""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
import time

import pytest
from sqlalchemy import Engine, MetaData, delete, func, select, text
from typer.testing import CliRunner

from commstats import audit, auth
from commstats.backup import BackupError, backup, detect_format, restore
from commstats.cli import app
from commstats.db import make_engine, writer
from commstats.models import Observation, Revision
from etl.pipeline import import_content

EXTRA_ROWS = b"period,metric,member,value\n2016-01,portal_audio,,99\n2016-02,portal_audio,,98\n"


def dump(url: str, skip: tuple[str, ...] = ()) -> dict[str, list[tuple]]:
    """Every row of every table (Alembic's version table included), in a stable order."""
    engine = make_engine(url)
    try:
        metadata = MetaData()
        metadata.reflect(engine)
        with engine.connect() as conn:
            return {
                name: sorted(tuple(row) for row in conn.execute(select(table)))
                for name, table in sorted(metadata.tables.items())
                if name not in skip
            }
    finally:
        engine.dispose()


def change_everything(url: str) -> None:
    engine = make_engine(url)
    report = import_content(engine, EXTRA_ROWS, "extra.csv", unit="travinh-demo", created_by="lan")
    assert report.ok and report.result and report.result.batch_id
    auth.create_user(engine, "someone", "mat-khau-du-dai", actor="t")
    with writer(engine).begin() as conn:
        conn.execute(delete(Observation).where(Observation.period < dt.date(2018, 1, 1)))
    engine.dispose()


def test_round_trip_restores_every_table(demo_url, tmp_path):
    before = dump(demo_url)
    assert len(before) >= 14 and sum(map(len, before.values())) > 5_000
    info = backup(demo_url, tmp_path / "nightly.bak", actor="os:cron")
    assert info.size_bytes > 0 and detect_format(info.path) == info.backend
    change_everything(demo_url)
    assert dump(demo_url) != before
    kept = restore(demo_url, info.path, actor="os:it", keep_dir=tmp_path / "kept")
    after = dump(demo_url)
    assert {k: v for k, v in after.items() if k != "audit_event"} == {
        k: v for k, v in before.items() if k != "audit_event"
    }
    # The audit trail is the backup's, plus the restore itself.
    new_events = set(after["audit_event"]) - set(before["audit_event"])
    assert set(before["audit_event"]) <= set(after["audit_event"]) and len(new_events) == 1
    [event] = audit.events(make_engine(demo_url), actions={"restore"})
    assert event.actor == "os:it" and event.target == str(info.path)
    # What the restore replaced was kept, and is itself a restorable backup holding the changes.
    assert kept is not None and kept.is_file() and detect_format(kept) == info.backend


def test_backup_while_a_writer_holds_an_open_transaction(demo_url, tmp_path):
    """The app keeps running: a backup copies the last committed state without waiting for a writer
    that is in the middle of a transaction (here one deleting every figure, committed later)."""
    engine = make_engine(demo_url)
    before = dump(demo_url, skip=("audit_event",))
    deleting, committed = threading.Event(), threading.Event()

    def writer_thread() -> None:
        with writer(engine).connect() as conn:
            conn.begin()
            conn.execute(delete(Revision))
            conn.execute(delete(Observation))
            deleting.set()
            time.sleep(1.5)
            conn.commit()
            committed.set()

    thread = threading.Thread(target=writer_thread)
    thread.start()
    assert deleting.wait(30)
    info = backup(demo_url, tmp_path / "live.bak", actor="t")
    thread.join()
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Observation)) == 0  # the writer did commit
    engine.dispose()
    restore(demo_url, info.path, keep_dir=tmp_path)
    assert dump(demo_url, skip=("audit_event",)) == before  # the backup holds every figure


@pytest.mark.parametrize(
    ("make", "key"),
    [
        (lambda p: p.write_bytes(b"not a backup at all"), "unknown_format"),
        (lambda p: p.write_bytes(b"SQLite format 3\x00" + b"\x00" * 200), "damaged"),
        (lambda p: sqlite3.connect(p).execute("CREATE TABLE t (x)").connection.commit(), "not_commstats"),
        (lambda p: None, "not_found"),
    ],
    ids=["random-bytes", "truncated-sqlite", "foreign-sqlite", "missing"],
)
def test_bad_backups_are_refused_and_change_nothing(demo_url, tmp_path, make, key):
    path = tmp_path / "suspect.bak"
    make(path)
    before = dump(demo_url)
    with pytest.raises(BackupError) as refused:
        restore(demo_url, path, keep_dir=tmp_path)
    if demo_url.startswith("postgresql") and key in ("damaged", "not_commstats"):
        assert refused.value.key == "wrong_backend"  # an SQLite file is never fed to pg_restore
    else:
        assert refused.value.key == key
    assert str(path) in refused.value.message("en")
    assert dump(demo_url) == before


def test_cli_backup_and_restore_with_confirmation(demo_url, tmp_path):
    runner = CliRunner()
    out = tmp_path / "cli.bak"
    done = runner.invoke(app, ["backup", "--out", str(out), "--db", demo_url])
    assert done.exit_code == 0, done.output
    assert "Đã sao lưu" in done.output and out.is_file()
    change_everything(demo_url)
    changed = dump(demo_url, skip=("audit_event",))
    answered_no = runner.invoke(app, ["restore", str(out), "--db", demo_url], input="n\n")
    assert answered_no.exit_code == 1 and "Thay toàn bộ dữ liệu" in answered_no.output
    assert dump(demo_url, skip=("audit_event",)) == changed
    done = runner.invoke(app, ["restore", str(out), "--yes", "--db", demo_url])
    assert done.exit_code == 0, done.output
    assert "Đã khôi phục" in done.output
    assert dump(demo_url, skip=("audit_event",)) != changed
    engine: Engine = make_engine(demo_url)
    with engine.connect() as conn:
        assert conn.scalar(text("SELECT count(*) FROM app_user")) == 0
    engine.dispose()
    refused = runner.invoke(app, ["restore", str(tmp_path / "nope.bak"), "--yes", "--db", demo_url])
    assert refused.exit_code == 1 and "Không tìm thấy tệp sao lưu" in refused.output
    assert "Traceback" not in refused.output


def _foreign_commstats_file(url: str, out, revision: str | None, schema: bool) -> None:  # type: ignore[no-untyped-def]
    """A database that looks like a commstats backup from outside: Alembic's table, maybe a revision,
    maybe the whole schema and catalogue but no unit; then its backup (the SQLite file itself, or pg_dump)."""
    from commstats.backup import _pg_backup, _sqlite_backup
    from commstats.bootstrap import init_database

    engine = make_engine(url)
    if schema:
        init_database(engine)  # schema and catalogue, no unit, no figure
    else:
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)"))
            if revision:
                conn.execute(text("INSERT INTO alembic_version VALUES (:r)"), {"r": revision})
    engine.dispose()
    (_sqlite_backup if url.startswith("sqlite") else _pg_backup)(url, out)


@pytest.mark.parametrize(
    ("revision", "schema", "keys"),
    [
        (None, False, {"unknown_revision"}),  # the attacker's file: an empty alembic_version table, nothing else
        ("zzzz", False, {"unknown_revision"}),
        ("0004", False, {"schema_mismatch"}),  # the newest revision, but none of its tables
        ("0001", False, {"schema_mismatch", "empty_backup"}),  # an old revision without its tables
        (None, True, {"empty_backup"}),  # the whole schema and catalogue, not one unit
    ],
    ids=["empty-version-table", "unknown-revision", "head-without-tables", "old-without-tables", "no-units"],
)
def test_restore_checks_schema_revision_and_rows_before_touching_the_database(
    demo_url, blank_url, tmp_path, revision, schema, keys
):
    out = tmp_path / "foreign.bak"
    _foreign_commstats_file(blank_url, out, revision, schema)
    before = dump(demo_url)
    with pytest.raises(BackupError) as refused:
        restore(demo_url, out, keep_dir=tmp_path / "kept")
    assert refused.value.key in keys
    message = refused.value.message("en")
    assert str(out) in message and ("Nothing was restored" in message or "would wipe" in message)
    assert dump(demo_url) == before
    assert not list((tmp_path / "kept").glob("*"))  # nothing staged or kept is left behind

    runner = CliRunner()
    cli = runner.invoke(app, ["restore", str(out), "--yes", "--db", demo_url])
    assert cli.exit_code == 1 and "Traceback" not in cli.output
    assert refused.value.message("vi") in cli.output
    assert dump(demo_url, skip=("audit_event",)) == {k: v for k, v in before.items() if k != "audit_event"}
