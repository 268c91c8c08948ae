"""Figures written by another process show on the next rerun of an open session, without clearing the cache:
cached reads are keyed on the data version (ui/cache.py), so only the reads of the units that were written
are read again, and another session's cached figures of another unit are served from the cache."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import event

from commstats import queries
from commstats.config import PROJECT_ROOT
from commstats.db import make_engine
from commstats.numbers import format_count
from tests.apptest import run_page
from ui import cache

SITES = "Số trang tin thành phần (trang)"  # the overview card of sites_count
OCTOBER = dt.date(2026, 10, 1)  # the demo's last month, which the overview shows first


def cards(app) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {m.label: m.value for m in app.metric}


def sites_in_october_2026(url: str, app) -> str:  # type: ignore[no-untyped-def]
    """The card's figure as the database has it now, for the units the session chose (a stock: summed
    over the chosen units and their predecessors)."""
    engine = make_engine(url)
    values = queries.period_values(engine, app.session_state["selection"].unit_ids, ["sites_count"], [OCTOBER])
    engine.dispose()
    return format_count(values[("sites_count", "")])


def command(url: str, *args: str) -> None:
    """`python -m commstats ...` as cron or IT would run it: its own process, its own connection."""
    done = subprocess.run(
        [sys.executable, "-m", "commstats", *args, "--db", url],
        cwd=PROJECT_ROOT,
        env=os.environ.copy(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def import_in_another_process(url: str, tmp_path: Path, rows: str) -> None:
    path = tmp_path / "sua-so-lieu.csv"
    path.write_text("period,metric,member,value,unit\n" + rows, encoding="utf-8")
    command(url, "import", str(path))


@pytest.fixture
def statements(demo_url: str) -> Iterator[list[str]]:
    """The SQL the dashboard's engine (the process-wide one of ui.cache) runs while the list is recorded."""
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        if statement.strip().upper() != "BEGIN":  # SQLite's explicit transaction start (commstats.db)
            seen.append(statement)

    engine = cache.engine(demo_url)
    event.listen(engine, "before_cursor_execute", record)
    yield seen
    event.remove(engine, "before_cursor_execute", record)


def test_an_import_from_another_process_shows_on_the_next_rerun(demo_url, monkeypatch, tmp_path, statements):
    vinhlong = run_page(demo_url, monkeypatch)  # the survivor (with Trà Vinh's history), October 2026
    travinh = run_page(demo_url, monkeypatch, units=["travinh-demo"])  # another user, another unit
    before = cards(vinhlong)[SITES]
    assert before == sites_in_october_2026(demo_url, vinhlong)
    travinh_cards = cards(travinh)

    import_in_another_process(demo_url, tmp_path, "2026-10,sites_count,,57,vinhlong-demo\n")
    statements.clear()
    vinhlong.run()
    assert not vinhlong.exception
    assert cards(vinhlong)[SITES] == sites_in_october_2026(demo_url, vinhlong) != before  # on the very next rerun
    assert any("observation" in s for s in statements)  # read again: its unit was written

    statements.clear()
    travinh.run()
    assert not travinh.exception
    assert cards(travinh) == travinh_cards
    # Trà Vinh's figures came from the cache: nothing of the figures was read again (no cache was cleared).
    assert [s for s in statements if "observation" in s] == []
    assert len([s for s in statements if "audit_event" in s]) == 1  # the one data-version read of the rerun


def test_a_second_write_to_the_same_unit_shows_too_and_an_unchanged_rerun_reads_nothing(
    demo_url, monkeypatch, tmp_path, statements
):
    app = run_page(demo_url, monkeypatch)
    import_in_another_process(demo_url, tmp_path, "2026-10,sites_count,,50,vinhlong-demo\n")
    app.run()
    first = cards(app)[SITES]
    assert first == sites_in_october_2026(demo_url, app)
    import_in_another_process(demo_url, tmp_path, "2026-10,sites_count,,51,vinhlong-demo\n")
    app.run()
    assert cards(app)[SITES] == sites_in_october_2026(demo_url, app) != first
    statements.clear()
    app.run()  # nothing written since: everything from the cache but the version
    assert len(statements) == 1 and "audit_event" in statements[0]


def test_a_restore_from_the_command_line_shows_on_the_next_rerun(demo_url, monkeypatch, tmp_path):
    app = run_page(demo_url, monkeypatch)
    before = cards(app)[SITES]
    backup = tmp_path / "truoc-khi-sua.backup"
    command(demo_url, "backup", "--out", str(backup))
    import_in_another_process(demo_url, tmp_path, "2026-10,sites_count,,60,vinhlong-demo\n")
    app.run()
    assert cards(app)[SITES] != before
    command(demo_url, "restore", str(backup), "--yes")
    app.run()
    assert cards(app)[SITES] == before == sites_in_october_2026(demo_url, app)
