"""Memory of one dashboard instance over many page views: does it stay flat?

python -m bench.memory_bench [--views 1000] [--every 100] [--concurrency 2] [--database FILE] [--settle 130]
                             [--output FILE]

Starts `streamlit run dashboard.py` over a copy of the demo database (or --database) on a free port of
127.0.0.1, with sign-in enforced as on a server, and makes --views page views as anonymous visitors would:
each view is a new websocket session (bench/stream_client.py) that runs one page of the public demo units
(the pages cycle through overview, draft, trends, sites, licences, explore, quality) and is closed,
--concurrency sessions at a time. The
server's resident memory (VmRSS of its process) is read at start, after the first view, every --every
views, and --settle seconds after the last one (Streamlit keeps a closed session for
server.disconnectedSessionTTL, 120 s). Prints a table and writes JSON (bench/results/memory.json).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from bench.serve import dashboard_command, free_port
from bench.stream_client import view_page
from commstats.bootstrap import init_database
from commstats.config import PROJECT_ROOT
from commstats.db import make_engine
from etl.demo import load_demo

PAGES = ("overview", "draft", "trends", "sites", "licences", "explore", "quality")
RESULTS = Path(__file__).parent / "results"
STARTUP_SECONDS = 120


def rss_mib(pid: int) -> float:
    """Resident memory of a process in MiB (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def _start(database: Path, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {**os.environ, "COMMSTATS_DATABASE_URL": f"sqlite:///{database}", "COMMSTATS_AUTH": "on"}
    command = dashboard_command(port)
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited:\n{log.read_text(errors='replace')}")
        try:
            if httpx.get(f"{url}/_stcore/health", timeout=2).text.strip() == "ok":
                return process, url
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    process.kill()
    raise RuntimeError(f"streamlit did not start within {STARTUP_SECONDS}s")


def measure(
    database: Path, views: int, every: int, settle: float, workdir: Path, concurrency: int = 1
) -> dict[str, object]:
    process, url = _start(database, workdir / "streamlit.log")
    samples: list[tuple[int, float]] = [(0, rss_mib(process.pid))]
    view_page(url, PAGES[0])  # the first view, alone: what a fresh instance costs
    samples.append((1, rss_mib(process.pid)))
    done, guard = [1], threading.Lock()

    def one(view: int) -> None:
        view_page(url, PAGES[(view - 1) % len(PAGES)])  # raises if the page shows an exception
        with guard:
            done[0] += 1
            if done[0] % every == 0 or done[0] == views:
                samples.append((done[0], rss_mib(process.pid)))
                print(f"{done[0]:>6} views  {samples[-1][1]:8.1f} MiB", flush=True)

    started = time.monotonic()
    try:
        with ThreadPoolExecutor(max_workers=concurrency) as pool:
            list(pool.map(one, range(2, views + 1)))
        seconds = time.monotonic() - started
        time.sleep(settle)
        settled = rss_mib(process.pid)
    finally:
        process.terminate()
        process.wait(timeout=30)
    by_view = dict(samples)
    half = views // 2
    return {
        "views": views,
        "concurrency": concurrency,
        "pages": list(PAGES),
        "seconds": round(seconds, 1),
        "rss_mib": {str(v): round(m, 1) for v, m in samples},
        "settled_mib": round(settled, 1),
        "settle_seconds": settle,
        "growth_first_half_mib": round(by_view[half] - by_view[1], 1) if half in by_view else None,
        "growth_second_half_mib": round(by_view[views] - by_view[half], 1) if half in by_view else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--views", type=int, default=1000)
    parser.add_argument("--every", type=int, default=100)
    parser.add_argument("--database", type=Path, help="a SQLite file to serve (a copy is used); default: the demo")
    parser.add_argument("--settle", type=float, default=130.0)
    parser.add_argument("--concurrency", type=int, default=2, help="sessions open at the same time")
    parser.add_argument("--output", type=Path, default=RESULTS / "memory.json")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="commstats-memory-") as folder:
        workdir = Path(folder)
        database = workdir / "served.db"
        if args.database:
            shutil.copy(args.database, database)
        else:
            engine = make_engine(f"sqlite:///{database}")
            init_database(engine)
            load_demo(engine)
            engine.dispose()
        result = measure(database, args.views, args.every, args.settle, workdir, args.concurrency)
    rss = result["rss_mib"]
    assert isinstance(rss, dict)
    print(f"\nRSS of one instance (MiB) over {result['views']} page views in {result['seconds']} s:")
    print(
        f"  start {rss['0']}, after 1 view {rss['1']}, after {args.views // 2} {rss.get(str(args.views // 2))}, "
        f"after {args.views} {rss[str(args.views)]}, {args.settle:.0f} s later {result['settled_mib']}"
    )
    print(
        f"  growth: views 1→{args.views // 2} {result['growth_first_half_mib']} MiB, "
        f"{args.views // 2}→{args.views} {result['growth_second_half_mib']} MiB"
    )
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
