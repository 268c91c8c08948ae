"""Crash safety: `python -m commstats import big.csv` (100,000 rows) is killed with SIGKILL at 12
seeded random moments. After every kill the SQLite file passes `PRAGMA integrity_check` and holds
exactly the figures from before the import or from after it, never a mix.

The moments are spread uniformly over the whole run (start-up, reading, validating, writing,
committing) as timed by complete imports in the same run; two kills run side by side, each on its
own copy of the database, to keep the test under a minute on two cores. Each kill is
classified by whether the importer held SQLite's WAL write lock at that moment (read from
/proc/locks); two extra kills are timed from the moment the load takes that lock, so kills inside
the write transaction are certain whatever the machine's load.
"""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from commstats.bootstrap import add_unit, init_database
from commstats.config import PROJECT_ROOT
from commstats.db import make_engine
from etl.pipeline import import_path

SITES, MONTHS = 500, 200  # 100,000 rows of component-site posts
KILLS = 12
SEED = 20190715
# SQLite's WAL write lock is an exclusive POSIX lock on byte 120 of the -shm file.
WAL_WRITE_LOCK_BYTE = 120
COUNTS = ("SELECT count(*) FROM member", "SELECT count(*) FROM import_batch", "SELECT count(*) FROM revision")


def _months() -> list[str]:
    return [f"{2000 + i // 12}-{i % 12 + 1:02d}" for i in range(MONTHS)]


def _write_csv(path: Path, sites: range, value_offset: int) -> None:
    lines = ["period,metric,member,value"]
    for site in sites:
        lines += [
            f"{m},sites_posts,site-{site:04d},{(site * 7 + i + value_offset) % 500}" for i, m in enumerate(_months())
        ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def state(path: Path) -> tuple[str, int, int, int]:
    """A digest of every observation (by unit, metric, period, member code, value, note) and the row
    counts of members, batches and revisions; checks integrity first."""
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        digest = hashlib.sha256()
        query = (
            "SELECT o.unit_id, o.metric_id, o.period, m.dimension, m.code, o.value, o.note FROM observation o "
            "JOIN member m ON m.id = o.member_id ORDER BY o.unit_id, o.metric_id, o.period, m.dimension, m.code"
        )
        for row in conn.execute(query):
            digest.update(repr(row).encode())
        counts = [
            conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("member", "import_batch", "revision")
        ]
    finally:
        conn.close()
    return digest.hexdigest(), *counts  # type: ignore[return-value]


def holds_write_lock(pid: int, db: Path) -> bool:
    """Whether process `pid` holds the WAL write lock of `db` (Linux /proc/locks)."""
    try:
        inode = os.stat(f"{db}-shm").st_ino
        lines = Path("/proc/locks").read_text().splitlines()
    except FileNotFoundError:
        return False
    for line in lines:
        fields = line.split()
        if "->" in fields:  # a waiter, not a holder
            continue
        # "1: POSIX  ADVISORY  WRITE 3355 00:2f:1234 120 120"
        if (
            len(fields) >= 8
            and fields[1] == "POSIX"
            and fields[3] == "WRITE"
            and fields[4] == str(pid)
            and fields[5].split(":")[-1] == str(inode)
            and int(fields[6]) <= WAL_WRITE_LOCK_BYTE <= int(fields[7])
        ):
            return True
    return False


@dataclass(frozen=True)
class Setup:
    big: Path
    base: Path  # the database before the import: 20,000 of the keys already there with other values
    before: tuple[str, int, int, int]
    after: tuple[str, int, int, int]
    seconds: float  # one complete import, start-up included


def _command(big: Path, db: Path) -> list[str]:
    return [sys.executable, "-m", "commstats", "import", str(big), "--unit", "test-unit", "--db", f"sqlite:///{db}"]


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> Setup:
    folder = tmp_path_factory.mktemp("crash")
    big, small, base = folder / "big.csv", folder / "small.csv", folder / "base.db"
    _write_csv(big, range(SITES), 0)
    _write_csv(small, range(100), 3)  # the first 100 sites with different values: updates and revisions
    engine = make_engine(f"sqlite:///{base}")
    init_database(engine)
    add_unit(engine, "test-unit", "Sở thử nghiệm", "Test department")
    assert import_path(engine, small).ok
    engine.dispose()
    # Two complete imports side by side, as the kills will run: their mean time calibrates the moments.
    with ThreadPoolExecutor(max_workers=2) as pool:
        runs = list(pool.map(lambda i: _complete_import(big, base, folder / f"full-{i}.db"), range(2)))
    afters = {state(folder / f"full-{i}.db") for i in range(2)}
    assert len(afters) == 1
    return Setup(big, base, state(base), afters.pop(), sum(runs) / len(runs))


def _complete_import(big: Path, base: Path, db: Path) -> float:
    shutil.copy(base, db)
    started = time.monotonic()
    done = subprocess.run(_command(big, db), cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "80000" in done.stdout.replace(".", "") and "20000" in done.stdout.replace(".", "")
    return time.monotonic() - started


def _start(setup: Setup, folder: Path, index: int) -> tuple[subprocess.Popen[bytes], Path]:
    db = folder / f"kill-{index}.db"
    shutil.copy(setup.base, db)
    process = subprocess.Popen(
        _command(setup.big, db), cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    return process, db


def _kill_and_check(setup: Setup, process: subprocess.Popen[bytes], db: Path) -> tuple[str, int]:
    in_transaction = holds_write_lock(process.pid, db)
    process.send_signal(signal.SIGKILL)
    process.wait()
    found = state(db)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    if found == setup.before:
        return ("mid-write" if in_transaction else "before"), process.returncode
    if found == setup.after:
        return "after", process.returncode
    return f"MIXED {found} (before {setup.before}, after {setup.after})", process.returncode


def _kill_at(setup: Setup, folder: Path, index: int, delay: float) -> tuple[str, int]:
    """Kill `delay` seconds after the start."""
    process, db = _start(setup, folder, index)
    time.sleep(delay)
    return _kill_and_check(setup, process, db)


def _kill_while_writing(setup: Setup, folder: Path, index: int, delay: float) -> tuple[str, int]:
    """Kill `delay` seconds after the load took the write lock: a moment inside the write transaction.
    The catalogue check at start-up takes the lock too, briefly: looking starts at a third of the run
    and the lock must be held across two looks 50 ms apart."""
    process, db = _start(setup, folder, index)
    time.sleep(setup.seconds / 3)
    deadline = time.monotonic() + 10 * setup.seconds
    held = 0
    while held < 2 and process.poll() is None and time.monotonic() < deadline:
        held = held + 1 if holds_write_lock(process.pid, db) else 0
        time.sleep(0.05)
    time.sleep(delay)
    # Kill at a moment the lock is seen held again (5 ms looks), so a loaded machine cannot slip the
    # kill into the gap between the start-up check's lock and the load's.
    while not holds_write_lock(process.pid, db) and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    return _kill_and_check(setup, process, db)


def test_sigkill_during_import_leaves_before_or_after_never_a_mix(setup, tmp_path):
    assert setup.before != setup.after
    assert setup.after[2] == setup.before[2] + 1 and setup.after[3] == 20_000  # one batch, 20,000 revisions
    rng = random.Random(SEED)
    delays = [rng.uniform(0.0, 1.1 * setup.seconds) for _ in range(KILLS)]
    # Two more, seeded too, timed from the moment the load holds the write lock: however the machine's
    # load stretches the phases, these land inside the write transaction.
    writing = [rng.uniform(0.0, 0.3) for _ in range(2)]
    with ThreadPoolExecutor(max_workers=2) as pool:
        timed = pool.map(lambda args: _kill_at(setup, tmp_path, *args), enumerate(delays))
        locked = pool.map(
            lambda args: _kill_while_writing(setup, tmp_path, KILLS + args[0], args[1]), enumerate(writing)
        )
        outcomes = list(timed) + list(locked)
    kinds = [kind for kind, _ in outcomes]
    print(f"import {setup.seconds:.1f}s; kills at {[round(d, 1) for d in delays]} and while writing -> {kinds}")
    assert not [k for k in kinds if k.startswith("MIXED")], kinds
    assert all(code in (-signal.SIGKILL, 0) for _, code in outcomes)
    # The moments must have caught the importer inside its write transaction, not only before it.
    assert "mid-write" in kinds[KILLS:], kinds
    assert "before" in kinds[:KILLS]
