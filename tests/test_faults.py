"""Faults of the machine, on real filesystems: a full disk (a size-limited tmpfs this test mounts itself) during
an import or a backup gives a clear message in both languages, leaves no partial file and changes nothing; a
database on a read-only mount can still be read by the CLI and the dashboard, and a write to it is refused in
words; database files and backups are private (0600). Mounting needs root: without it these tests fail."""

from __future__ import annotations

import errno
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from streamlit.config import get_config_options

from commstats.backup import backup
from commstats.config import PROJECT_ROOT
from commstats.db import make_engine
from tests.apptest import run_page
from tests.conftest import sqlite_url
from tests.dbstate import snapshot

DISK_FULL = ("Ổ đĩa đã đầy nên không ghi được", "The disk is full, so nothing could be written")
READ_ONLY = ("Cơ sở dữ liệu hoặc thư mục chỉ cho đọc", "The database or its folder is read-only")


@contextmanager
def mounted(folder: Path, options: str) -> Iterator[Path]:
    """A tmpfs of its own at `folder` (e.g. size=2m), unmounted afterwards whatever happens."""
    folder.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.fail(f"could not mount a tmpfs at {folder} ({options}); these tests need root: {done.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def remount_read_only(folder: Path) -> None:
    done = subprocess.run(["mount", "-o", "remount,ro", str(folder)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def fill(folder: Path, leave: int) -> Path:
    """Fill the filesystem of `folder` with one file, then give back `leave` bytes."""
    filler = folder / "filler.bin"
    chunk = b"\0" * 65536
    with filler.open("wb", buffering=0) as out:  # unbuffered: closing it must not flush into a full disk
        try:
            while True:
                out.write(chunk)
        except OSError as error:
            assert error.errno == errno.ENOSPC
    with filler.open("r+b") as out:
        out.truncate(max(0, filler.stat().st_size - leave))
    return filler


def cli(*args: str, url: str, cwd: Path = PROJECT_ROOT) -> subprocess.CompletedProcess[str]:
    """The real command line in its own process, as cron runs it."""
    env = {**os.environ, "COMMSTATS_DATABASE_URL": url, "PYTHONPATH": str(PROJECT_ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "commstats", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def assert_said(done: subprocess.CompletedProcess[str], texts: tuple[str, str]) -> None:
    assert done.returncode == 1, (done.stdout, done.stderr)
    assert texts[0] in done.stderr and texts[1] in done.stderr, done.stderr
    assert "Traceback" not in done.stderr + done.stdout


def big_csv(path: Path, sites: int = 2000) -> Path:
    """New component sites × 12 months: a few MB in the database, more than the disk has left."""
    lines = ["period,metric,member,value,unit,note"]
    lines += [
        f"2019-{m:02d},sites_posts,site-{s:05d},{s + m},test-unit,ghi chú dài cho trang {s} tháng {m}"
        for s in range(sites)
        for m in range(1, 13)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def sqlite_files(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir() if p.name != "filler.bin"}


def test_import_on_a_full_disk_says_so_and_changes_nothing(empty_db_template: Path, tmp_path: Path):
    source = big_csv(tmp_path / "lon.csv", sites=600)  # 7,200 rows: over a megabyte in the database
    with mounted(tmp_path / "disk", "size=16m") as disk:
        database = disk / "commstats.db"
        shutil.copy(empty_db_template, database)
        url = sqlite_url(database)
        before = snapshot(url)
        filler = fill(disk, leave=256 * 1024)
        done = cli("import", str(source), url=url)
        assert_said(done, DISK_FULL)
        assert snapshot(url) == before  # not one row of the file, no batch, no new site
        assert not [name for name in sqlite_files(disk) if name.endswith((".part", ".tmp", "-journal"))]
        filler.unlink()  # space again: the database is intact and the same file now imports
        assert sqlite3.connect(database).execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        again = cli("import", str(source), url=url)
        assert again.returncode == 0, again.stderr
        make_engine(url).dispose()


def test_backup_on_a_full_disk_leaves_no_part_file(demo_db_template: Path, tmp_path: Path):
    database = tmp_path / "demo.db"
    shutil.copy(demo_db_template, database)
    url = sqlite_url(database)
    before = snapshot(url)
    with mounted(tmp_path / "backups", "size=2m") as disk:
        fill(disk, leave=200 * 1024)  # less than the demo database
        done = cli("backup", "--out", str(disk / "commstats-backup.db"), url=url)
        assert_said(done, DISK_FULL)
        assert sqlite_files(disk) == set()  # neither the backup, nor its .part, nor a journal
    assert snapshot(url) == before  # and no "backup" line in the audit trail


def test_import_page_on_a_full_disk_says_so(empty_db_template: Path, tmp_path: Path, monkeypatch):
    content = big_csv(tmp_path / "lon.csv", sites=1500).read_bytes()
    with mounted(tmp_path / "disk", "size=3m") as disk:
        database = disk / "commstats.db"
        shutil.copy(empty_db_template, database)
        url = sqlite_url(database)
        before = snapshot(url)
        fill(disk, leave=256 * 1024)
        app = run_page(url, monkeypatch, page="pages/import.py")
        app.file_uploader(key="import_file").upload("lon.csv", content, "text/csv")
        app.run()
        if not app.error:  # the preview fitted in the space left: the load cannot
            app.button[0].click()
            app.run()
        assert not app.exception
        shown = " ".join(e.value for e in app.error)
        assert DISK_FULL[0] in shown, shown
        assert snapshot(url) == before


def test_read_only_database_is_read_by_cli_and_dashboard(demo_db_template: Path, tmp_path: Path, monkeypatch):
    with mounted(tmp_path / "ro", "size=16m") as folder:
        database = folder / "commstats.db"
        shutil.copy(demo_db_template, database)
        url = sqlite_url(database)
        before = snapshot(url)
        remount_read_only(folder)
        assert cli("units", "list", url=url).stdout.count("demo") >= 2
        assert "portal_posts" in cli("metrics", url=url).stdout
        out = tmp_path / "xuat.csv"
        exported = cli("export", "--out", str(out), "--from", "2019-07", "--to", "2019-07", url=url)
        assert exported.returncode == 0, exported.stderr
        assert "portal_posts" in out.read_text(encoding="utf-8-sig")
        app = run_page(url, monkeypatch)  # the overview, as the dashboard opens
        assert not app.exception and app.metric
        changed = tmp_path / "sua.csv"
        changed.write_text("period,metric,member,value,unit\n2019-07,portal_audio,,99999,travinh-demo\n")
        assert_said(cli("import", str(changed), url=url), READ_ONLY)
        assert_said(cli("units", "add", "so-moi", "Sở mới", url=url), READ_ONLY)
        copied = cli("backup", "--out", str(tmp_path / "sao-luu.db"), url=url)  # a read-only database is backed up
        assert copied.returncode == 0, copied.stderr
        assert snapshot(sqlite_url(tmp_path / "sao-luu.db")) == before
        assert snapshot(url) == before
        assert sorted(p.name for p in folder.iterdir()) == ["commstats.db"]  # no -wal / -shm could be made


def test_database_files_and_backups_are_private(tmp_path: Path):
    previous = os.umask(0o022)  # the usual umask, which makes new files 0644
    try:
        url = sqlite_url(tmp_path / "data" / "commstats.db")
        assert cli("init", url=url).returncode == 0
        assert cli("units", "add", "so-a", "Sở A", url=url).returncode == 0  # leaves -wal / -shm while it runs
        engine = make_engine(url)
        with engine.connect() as conn:  # keep a connection open: the -wal and -shm files exist meanwhile
            conn.exec_driver_sql("SELECT count(*) FROM unit").all()
            made = {p.name: stat.S_IMODE(p.stat().st_mode) for p in (tmp_path / "data").iterdir()}
            info = backup(url, tmp_path / "backups" / "commstats-backup.db")
        engine.dispose()
    finally:
        os.umask(previous)
    assert {"commstats.db", "commstats.db-wal", "commstats.db-shm"} <= set(made)
    assert set(made.values()) == {0o600}, made
    assert stat.S_IMODE(info.path.stat().st_mode) == 0o600


def test_streamlit_shows_no_error_details_in_the_browser():
    config = tomllib.loads((PROJECT_ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["client"]["showErrorDetails"] == "none"
    assert "none" in get_config_options()["client.showErrorDetails"].description  # a value Streamlit knows


def test_backups_are_private_on_every_backend(demo_url: str, tmp_path: Path):
    previous = os.umask(0o022)
    try:
        info = backup(demo_url, tmp_path / "backups" / "commstats-backup.dump")
    finally:
        os.umask(previous)
    assert stat.S_IMODE(info.path.stat().st_mode) == 0o600
    assert sorted(p.name for p in info.path.parent.iterdir()) == ["commstats-backup.dump"]  # no .part left
