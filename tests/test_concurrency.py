"""Concurrency: two importers and eight readers, separate processes, one SQLite file, about 8 seconds (more on
a slow machine: each importer imports at least three times, and the readers read until both are done).

Each importer loads its own 5,000 keys again and again; iteration k writes values k*1000 + r, so a
reader can tell which iteration a figure came from. Readers run the queries the pages run (from
commstats.queries and commstats.overview). Nobody may see "database is locked" (or any error),
no reader may see a half-written import (figures of two iterations of one importer at once), and
at the end the database holds exactly each importer's last iteration, with one batch per import
and one revision per changed value.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing as mp
import random
import time
import traceback
from pathlib import Path

import pytest

from commstats import overview, queries
from commstats.bootstrap import add_unit, init_database
from commstats.db import make_engine
from commstats.periods import Period
from etl.pipeline import import_content

IMPORTERS, READERS = 2, 8
SECONDS = 8.0  # each importer imports for at least this long, and at least MIN_IMPORTS times
MIN_IMPORTS = 3
SITES, MONTHS = 50, 100  # 5,000 rows per import
FIRST = dt.date(2010, 1, 1)


def _month(i: int) -> dt.date:
    return dt.date(FIRST.year + i // 12, i % 12 + 1, 1)


def _value(importer: int, iteration: int, site: int, month: int) -> int:
    return iteration * 1000 + (site * 7 + month * 3 + importer) % 1000


def _csv(importer: int, iteration: int) -> bytes:
    lines = ["period,metric,member,value"]
    for site in range(SITES):
        lines += [
            f"{_month(m):%Y-%m},sites_posts,imp{importer}-s{site:02d},{_value(importer, iteration, site, m)}"
            for m in range(MONTHS)
        ]
    return ("\n".join(lines) + "\n").encode()


def _iterations_seen(frame_rows: list[tuple[str, int]]) -> dict[str, set[int]]:
    """Importer prefix -> the iterations its figures in one query result came from."""
    seen: dict[str, set[int]] = {}
    for member, value in frame_rows:
        if member.startswith("imp"):
            seen.setdefault(member[:4], set()).add(value // 1000)
    return seen


def importer(url: str, index: int, barrier, results, finished) -> None:  # type: ignore[no-untyped-def]
    engine = make_engine(url)
    errors: list[str] = []
    iteration = 0
    barrier.wait()
    deadline = time.monotonic() + SECONDS
    while time.monotonic() < deadline or iteration < MIN_IMPORTS:
        try:
            report = import_content(engine, _csv(index, iteration + 1), f"imp{index}.csv", created_by=f"imp{index}")
            if not report.ok or report.result is None or report.result.batch_id is None:
                errors.append(report.summary("en")[:300])
                break
            iteration += 1
        except Exception:  # every error is a finding; the test reports them all
            errors.append(traceback.format_exc()[-800:])
            break
    with finished.get_lock():
        finished.value += 1
    results.put(("importer", index, iteration, 0, errors, []))


def reader(url: str, index: int, barrier, results, finished) -> None:  # type: ignore[no-untyped-def]
    engine = make_engine(url)
    rng = random.Random(index)
    errors: list[str] = []
    torn: list[str] = []
    done = 0
    barrier.wait()
    while finished.value < IMPORTERS:  # as long as anyone writes
        try:
            ids = queries.unit_ids_with_predecessors(engine, ["test-unit"])
            choice = rng.randrange(6)
            if choice == 0:
                frame = queries.monthly_totals(engine, ids, ["sites_posts"], FIRST, _month(MONTHS - 1), by_member=True)
                rows = list(zip(frame["member"], frame["value"], strict=True)) if len(frame) else []
            elif choice == 1:
                sums = queries.monthly_sums(engine, ids, ["sites_posts"], FIRST, _month(MONTHS - 1), by_member=True)
                rows = [(member, value) for _code, _kind, _period, member, value in sums]
            elif choice == 2:
                frame = queries.observations_for_export(engine, metric_codes=["sites_posts"], unit_codes=["test-unit"])
                rows = list(zip(frame["member"], frame["value"], strict=True)) if len(frame) else []
            elif choice == 3:
                queries.period_values(engine, ids, ["sites_posts"], [_month(m) for m in range(12)], by_member=True)
                queries.month_range(engine, ids)
                rows = []
            elif choice == 4:
                overview.overview_cards(engine, ids, Period("month", _month(MONTHS - 1).year, _month(MONTHS - 1).month))
                rows = []
            else:
                queries.import_batches(engine, limit=20)
                queries.revisions(engine, limit=50)
                queries.latest_month(engine, ids)
                rows = []
            for prefix, iterations in _iterations_seen(rows).items():
                if len(iterations) > 1:
                    torn.append(f"query {choice}: {prefix} mixes iterations {sorted(iterations)}")
            done += 1
            time.sleep(rng.uniform(0.0, 0.05))  # a person reads the screen before the next click
        except Exception:
            errors.append(traceback.format_exc()[-800:])
            time.sleep(0.05)
    results.put(("reader", index, 0, done, errors, torn))


@pytest.fixture
def shared_db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    engine = make_engine(url)
    init_database(engine)
    add_unit(engine, "test-unit", "Sở thử nghiệm", "Test department")
    engine.dispose()
    return url


def test_two_importers_and_eight_readers_share_one_sqlite_file(shared_db):
    # fork: the workers start in milliseconds with everything imported; each opens its own engine.
    context = mp.get_context("fork")
    barrier = context.Barrier(IMPORTERS + READERS)
    results = context.Queue()
    finished = context.Value("i", 0)  # importers done
    processes = [
        context.Process(target=importer, args=(shared_db, i, barrier, results, finished)) for i in range(IMPORTERS)
    ]
    processes += [
        context.Process(target=reader, args=(shared_db, i, barrier, results, finished)) for i in range(READERS)
    ]
    started = time.monotonic()
    for process in processes:
        process.start()
    outcomes = [results.get(timeout=SECONDS + 120) for _ in processes]
    ran = time.monotonic() - started
    for process in processes:
        process.join(timeout=30)
        assert process.exitcode == 0

    errors = [error for *_rest, errs, _torn in outcomes for error in errs]
    torn = [t for *_rest, t_list in outcomes for t in t_list]
    assert not errors, "\n".join(errors)
    assert not torn, torn[:10]
    iterations = {index: n for kind, index, n, *_ in outcomes if kind == "importer"}
    reads = sum(done for kind, _index, _n, done, *_ in outcomes if kind == "reader")
    print(f"{ran:.1f}s; imports per importer {iterations}; reader queries {reads}")
    assert all(n >= MIN_IMPORTS for n in iterations.values()), iterations  # both really wrote, more than once
    assert reads >= 100

    engine = make_engine(shared_db)
    frame = queries.observations_for_export(engine, metric_codes=["sites_posts"], unit_codes=["test-unit"])
    stored = {(row.member, row.period): row.value for row in frame.itertuples()}
    expected = {
        (f"imp{i}-s{site:02d}", f"{_month(m):%Y-%m}"): _value(i, iterations[i], site, m)
        for i in range(IMPORTERS)
        for site in range(SITES)
        for m in range(MONTHS)
    }
    assert len(stored) == len(expected) == IMPORTERS * SITES * MONTHS
    assert {k: v for k, v in stored.items() if k in expected} == expected or _first_difference(stored, expected)
    batches = queries.import_batches(engine, limit=10_000)
    assert len(batches) == sum(iterations.values())
    revisions = queries.revisions(engine, limit=10_000_000)
    assert len(revisions) == sum(n - 1 for n in iterations.values()) * SITES * MONTHS
    engine.dispose()


def _first_difference(stored: dict, expected: dict) -> bool:
    key = next(k for k in expected if stored.get(k) != expected[k])
    raise AssertionError(f"{key}: stored {stored.get(key)}, expected {expected[key]}")


def test_retry_locked_waits_out_a_writer_that_holds_the_lock_past_the_busy_timeout(tmp_path):
    """A real lock: one connection holds SQLite's write lock for 0.6 s; a writer with a 50 ms busy timeout
    gets "database is locked" and retry_locked runs it again, with backoff, until it goes through."""
    import sqlite3
    import threading

    from sqlalchemy import create_engine, text

    from commstats.db import retry_locked

    path = tmp_path / "locked.db"
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("PRAGMA journal_mode=WAL")
    holder.execute("CREATE TABLE t (x INTEGER)")
    holder.execute("BEGIN IMMEDIATE")
    threading.Timer(0.6, lambda: holder.execute("COMMIT")).start()
    engine = create_engine(f"sqlite:///{path}", connect_args={"timeout": 0.05})
    attempts = []

    def write() -> None:
        attempts.append(time.monotonic())
        with engine.begin() as conn:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
            conn.execute(text("INSERT INTO t VALUES (1)"))

    retry_locked(write, attempts=8, first_delay=0.05)
    assert len(attempts) >= 2 and attempts[-1] - attempts[0] >= 0.5
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM t")).scalar() == 1
    engine.dispose()
    holder.close()
