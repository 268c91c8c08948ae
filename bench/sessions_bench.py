"""Many users on several instances: concurrent dashboard sessions through nginx while an import runs.

For each instance count (1, 2, 4 by default) this starts that many `streamlit run dashboard.py` processes on
one PostgreSQL database, and Debian's nginx in front of them with deploy/nginx.conf (the README's file, only
its upstream servers, ports and certificate substituted: bench/proxy.py), over TLS with a throwaway
certificate. Then --sessions clients behave as office staff with a browser tab each:

- they arrive spread over --ramp seconds (not all in the same second: a report day's morning);
- each loads the page over HTTPS (nginx answers with the sticky `commstats_route` cookie), opens the
  websocket to /_stcore/stream with that cookie and gets the default page: its *first load*;
- then it alternates a switch to another page and a change of the sidebar's unit selection (the
  multiselect's widget state, as the browser sends it), reading for a think time drawn uniformly from
  --think (3–10 s by default: see THINK_SECONDS) between two interactions;
- interactions start being *measured* once every session has had its first load (the ones before are the
  warm-up, reported apart); each session then makes --steps measured interactions and leaves.

An interaction's latency runs from sending the rerun to the script's end (`script_finished`), split into the
wait before the script started (the `new_session` message Streamlit sends when a run starts: stopping the
last run, a free thread, the GIL) and the script's own time. The offered load (interactions a second the
clients ask for: sessions / (mean think time + mean latency)) is reported next to the throughput.

Meanwhile an importer process loads correction files through the ETL (etl.load.load_rows, the import's
path) into the same database, one every IMPORT_EVERY_SECONDS (2 s), so caches are invalidated. Every
2 s the bench samples each instance's resident memory and CPU time (/proc/PID), the machine's CPU use
(/proc/stat) and PostgreSQL's connections per instance (pg_stat_activity; each instance connects with its
own application_name). Memory is compared when the instance had served MEMORY_MARK page views and at
the end. The access log shows which instance served each request of each cookie: a cookie seen on two
instances would be a broken sticky session.

python -m bench.sessions_bench --rows 10000000     a throwaway PostgreSQL server, 10M rows, 1/2/4 instances
python -m bench.sessions_bench --url postgresql+psycopg://user@host/db    an existing bench database
python -m bench.sessions_bench --data-dir /work/pg10m    the kept server of bench.pg_bench --data-dir
    [--sessions 50] [--steps 40] [--ramp 30] [--think 3,10] [--instances 1,2,4] [--no-import]
`python -m bench --sessions N` runs it too, on the database of its PostgreSQL measurements.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import random
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psycopg
import websockets
from sqlalchemy import make_url
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.typing import Subprotocol

from bench import proxy
from bench.memory_bench import rss_mib
from bench.serve import dashboard_command, free_port
from bench.stream_client import view_page
from commstats.config import PROJECT_ROOT

PAGES = ("overview", "trends", "sites", "licences", "explore", "quality", "draft")
COOKIE = "commstats_route"
STARTUP_SECONDS = 180
TIMEOUT_SECONDS = 60.0
UNIT_POOL = 24  # the units the sessions choose among (people look at their own province's units)
MEMORY_MARK = 500  # an instance's memory is compared after it served this many page views and at the end
SAMPLE_SECONDS = 2.0
APP_NAME = "commstats-bench-"  # + the instance's number: its connections in pg_stat_activity
# Think time: a staff member reads a page before the next click. A page of the dashboard is a table or a
# chart with a caption and four to twelve figures; reading a caption and finding one's own unit's figure
# takes a few seconds, a chart longer. Web usability studies put the median time on a page at 10–20 s and
# the quickest third of page views under 5 s; people who know the dashboard switch fast between pages they
# only glance at. Uniform 3–10 s (mean 6.5 s) is the busy end of that: fifty people each clicking every
# 6.5 s on average is about 7.7 interactions a second, more than a report day's morning of a province.
THINK_SECONDS = (3.0, 10.0)
RAMP_SECONDS = 30.0
STEPS = 40  # measured interactions per session: 50 × 40 = 2,000 views, 500 per instance even on four
# The importer starts a correction file every IMPORT_EVERY_SECONDS (the next at once when one takes longer):
# a fixed write load, so a faster import means less work for the run, not more imports and invalidations.
# Until 3 December it slept 1 s after each file, which at ~1.2 s an import was one every ~2.2 s; a faster
# import then made the run heavier (116 files instead of 72 in the one-instance phase, each invalidating a
# unit's cached reads). Thirty correction files a minute on the 24 units the sessions look at is far more
# writing than a report day's morning.
IMPORT_EVERY_SECONDS = 2.0
TARGETS = {"p95_s": 1.0, "rss_growth_after_mark": 0.10}  # p95 at 2 instances; end RSS ≤ mark RSS × 1.10


# --- the instances ---


@dataclass
class Instance:
    process: subprocess.Popen[bytes]
    port: int
    log: Path


def start_instances(count: int, url: str, folder: Path) -> list[Instance]:
    """`count` dashboards on free ports of 127.0.0.1 over `url`, sign-in enforced as on a server."""
    path = os.pathsep.join(p for p in (str(PROJECT_ROOT), os.environ.get("PYTHONPATH", "")) if p)
    env = {**os.environ, "COMMSTATS_AUTH": "on", "PYTHONPATH": path}
    instances = []
    for i in range(count):
        # Each instance names itself to PostgreSQL, so its connections can be counted (pg_stat_activity).
        env["COMMSTATS_DATABASE_URL"] = f"{url}{'&' if '?' in url else '?'}application_name={APP_NAME}{i}"
        port = free_port()
        log = folder / f"streamlit-{i}.log"
        command = dashboard_command(port)
        with log.open("wb") as out:
            process = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        instances.append(Instance(process, port, log))
    deadline = time.monotonic() + STARTUP_SECONDS
    for instance in instances:
        while True:
            if instance.process.poll() is not None:
                stop_instances(instances)
                raise RuntimeError(f"streamlit exited:\n{instance.log.read_text(errors='replace')[-3000:]}")
            try:
                if httpx.get(f"http://127.0.0.1:{instance.port}/_stcore/health", timeout=2).text.strip() == "ok":
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                stop_instances(instances)
                raise RuntimeError(f"streamlit did not start within {STARTUP_SECONDS}s")
            time.sleep(0.3)
    return instances


def stop_instances(instances: list[Instance]) -> None:
    for instance in instances:
        if instance.process.poll() is None:
            instance.process.terminate()
    for instance in instances:
        try:
            instance.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            instance.process.kill()
            instance.process.wait(timeout=30)


# --- the importer ---


def start_importer(url: str, folder: Path, unit_count: int) -> tuple[subprocess.Popen[bytes], Path, Path]:
    stop, out = folder / "importer.stop", folder / "importer.json"
    stop.unlink(missing_ok=True)
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    command = [sys.executable, "-m", "bench.sessions_bench", "importer", url, str(stop), str(out), str(unit_count)]
    with (folder / "importer.log").open("wb") as log:
        process = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    return process, stop, out


def stop_importer(process: subprocess.Popen[bytes], stop: Path, out: Path) -> dict[str, Any]:
    stop.touch()
    try:
        process.wait(timeout=300)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=30)
    if not out.exists():
        return {"error": f"the importer left no result (exit {process.returncode})"}
    return json.loads(out.read_text())  # type: ignore[no-any-return]


def importer(url: str, stop: Path, out: Path, unit_count: int) -> None:
    """Correction files through load_rows, one every IMPORT_EVERY_SECONDS until `stop` exists: each is
    every figure of the last twelve months of one of the units the sessions look at, with new values
    (updates and revisions, one batch and audit record each, as `commstats import` of a correction file
    writes)."""
    from commstats.db import make_engine
    from etl.load import load_rows

    engine = make_engine(url)
    imports: list[dict[str, Any]] = []
    errors: list[str] = []
    round_ = 0
    next_start = time.monotonic()
    while True:  # at least one import, however short the run
        rows = correction_file(unit_count, round_)
        next_start += IMPORT_EVERY_SECONDS
        started = time.perf_counter()
        try:
            result = load_rows(engine, rows, source_kind="bench", source_name=f"correction {round_}", sha256="")
            imports.append(
                {
                    "unit": rows[0].unit_code,
                    "rows": len(rows),
                    "updated": result.updated,
                    "seconds": time.perf_counter() - started,
                }
            )
        except Exception as error:  # reported, the run goes on
            errors.append(f"{type(error).__name__}: {error}"[:500])
        round_ += 1
        if stop.exists():
            break
        time.sleep(max(0.0, next_start - time.monotonic()))  # on schedule; a late import starts the next at once
    engine.dispose()
    seconds = [i["seconds"] for i in imports]
    out.write_text(
        json.dumps(
            {
                "imports": len(imports),
                "rows": sum(i["rows"] for i in imports),
                "updated": sum(i["updated"] for i in imports),
                "errors": errors,
                "seconds_p50": statistics.median(seconds) if seconds else None,
                "seconds_max": max(seconds) if seconds else None,
            }
        )
    )


def correction_file(unit_count: int, round_: int) -> list[Any]:
    """Round `round_`'s correction file: every stored figure of one unit's last twelve months, new values."""
    from bench.data import series_keys, unit_specs
    from commstats.periods import add_months
    from etl.validate import CleanRow

    specs = unit_specs(unit_count)[:UNIT_POOL]
    spec = specs[(round_ * 7) % len(specs)]
    months = [add_months(spec.last_month, -i) for i in range(12)]
    return [
        CleanRow(
            0,
            spec.code,
            metric,
            month,
            f"{spec.code}-{member}" if member.startswith("site") else member,
            40 if kind == "stock" else 100 + (round_ * 31 + position) % 300,
            "",
        )
        for position, (metric, kind, member) in enumerate(series_keys())
        for month in months
    ]


# --- the sessions ---


@dataclass
class Interaction:
    kind: str  # open (the first load), page, filter
    page: str
    sent: float  # monotonic time the rerun was sent
    wait_s: float  # until the script started (the new_session message)
    seconds: float  # until the script finished
    measured: bool  # after every session had its first load
    error: str = ""


@dataclass
class Session:
    index: int
    cookie: str = ""
    interactions: list[Interaction] = field(default_factory=list)
    failure: str = ""
    instance: str = ""  # the upstream address that served it (from the access log)


@dataclass
class Plan:
    """How the clients behave (the command line's choices)."""

    sessions: int = 50
    steps: int = STEPS
    ramp: float = RAMP_SECONDS
    think: tuple[float, float] = THINK_SECONDS
    importing: bool = True
    seed: int = 5


class Barrier:
    """Set when every session has had its first load (or failed): measured interactions start then."""

    def __init__(self, count: int) -> None:
        self.left = count
        self.event = asyncio.Event()
        self.at = 0.0

    def arrive(self) -> None:
        self.left -= 1
        if self.left == 0:
            self.at = time.monotonic()
            self.event.set()


def _units_widget(message: ForwardMsg, found: dict[str, Any]) -> None:
    """The sidebar's first multiselect (the unit choice): its widget id and option labels."""
    if message.WhichOneof("type") != "delta" or "units" in found:
        return
    element = message.delta.new_element
    if element.WhichOneof("type") == "multiselect" and message.metadata.delta_path[:1] == [1]:
        found["units"] = (element.multiselect.id, list(element.multiselect.options))


async def _run_once(ws: Any, rerun: BackMsg, found: dict[str, Any]) -> tuple[float, float, str]:
    """Send a rerun and read until the script finished: (seconds until it started, seconds until it
    finished, the error shown if any)."""
    sent = time.perf_counter()
    await ws.send(rerun.SerializeToString())
    error, started = "", 0.0
    while True:
        raw = await asyncio.wait_for(ws.recv(), TIMEOUT_SECONDS)
        message = ForwardMsg()
        message.ParseFromString(raw if isinstance(raw, bytes) else raw.encode())
        kind = message.WhichOneof("type")
        if kind == "new_session" and not started:
            started = time.perf_counter()
        elif kind == "delta" and message.delta.new_element.WhichOneof("type") == "exception":
            exception = message.delta.new_element.exception
            error = error or f"{exception.type}: {exception.message}"[:300]
        _units_widget(message, found)
        if kind == "script_finished" and message.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
            done = time.perf_counter()
            return (started or done) - sent, done - sent, error


async def run_session(
    session: Session, base: str, context: ssl.SSLContext, plan: Plan, barrier: Barrier, rng: random.Random
) -> None:
    """One person: arrive within the ramp, first load, warm-up interactions until everyone is there,
    then `plan.steps` measured interactions."""
    arrived = False
    try:
        await asyncio.sleep(plan.ramp * session.index / max(1, plan.sessions) + rng.uniform(0, 0.5))
        async with httpx.AsyncClient(verify=False, timeout=TIMEOUT_SECONDS) as client:
            answer = await client.get(base + "/")
            answer.raise_for_status()
            session.cookie = answer.cookies.get(COOKIE) or ""
        if not session.cookie:
            raise RuntimeError("nginx set no sticky cookie")
        stream = base.replace("https://", "wss://", 1) + "/_stcore/stream"
        async with websockets.connect(
            stream,
            subprotocols=[Subprotocol("streamlit")],
            max_size=None,
            ssl=context,
            ping_interval=None,
            additional_headers={"Cookie": f"{COOKIE}={session.cookie}"},
            open_timeout=TIMEOUT_SECONDS,
        ) as ws:
            found: dict[str, Any] = {}
            page, step, measured = "overview", 0, 0
            while measured < plan.steps:
                rerun = BackMsg()
                kind = "open" if step == 0 else "page" if step % 2 else "filter"
                if kind == "page":
                    page = PAGES[(session.index + step) % len(PAGES)]
                rerun.rerun_script.page_name = page
                rerun.rerun_script.query_string = ""
                if kind == "filter" and "units" in found:
                    widget_id, options = found["units"]
                    state = rerun.rerun_script.widget_states.widgets.add()
                    state.id = widget_id
                    state.string_array_value.data.append(options[rng.randrange(min(UNIT_POOL, len(options)))])
                counted = barrier.event.is_set() and kind != "open"
                sent = time.monotonic()
                wait, seconds, error = await _run_once(ws, rerun, found)
                session.interactions.append(Interaction(kind, page, sent, wait, seconds, counted, error))
                measured += counted
                step += 1
                if kind == "open":
                    arrived = True
                    barrier.arrive()
                await asyncio.sleep(rng.uniform(*plan.think))
    except Exception as error:  # a failed session is an error of the run, reported
        session.failure = f"{type(error).__name__}: {error}"[:300]
    finally:
        if not arrived:
            barrier.arrive()


# --- what is sampled meanwhile ---


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (/proc/PID/stat, clock ticks)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_cpu() -> tuple[float, float]:
    """(busy, total) CPU ticks of the whole machine so far (/proc/stat)."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return float(sum(values) - idle), float(sum(values))


def pg_connections(url: str) -> dict[str, dict[str, int]]:
    """PostgreSQL's connections to the database by application_name: how many, how many running."""
    parsed = make_url(url)
    counts: dict[str, dict[str, int]] = {}
    with _connect(url) as conn:
        rows = conn.execute(
            "SELECT application_name, count(*), count(*) FILTER (WHERE state = 'active') "
            "FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid() GROUP BY application_name",
            (parsed.database,),
        ).fetchall()
    for name, total, active in rows:
        counts[name or "other"] = {"open": int(total), "active": int(active)}
    return counts


def _connect(url: str) -> psycopg.Connection[Any]:
    parsed = make_url(url)
    return psycopg.connect(
        host=parsed.host, port=parsed.port, user=parsed.username, password=parsed.password, dbname=parsed.database
    )


def postmaster_pid(url: str) -> int | None:
    """The PostgreSQL server's main process when it runs on this machine (its backends are its children)."""
    try:
        with _connect(url) as conn:
            row = conn.execute("SELECT pg_backend_pid()").fetchone()
        backend = int(row[0]) if row else 0
        return int(Path(f"/proc/{backend}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (psycopg.Error, OSError, ValueError, IndexError):
        return None


def children_cpu_seconds(parent: int | None) -> float:
    """CPU time of the live child processes of `parent` (PostgreSQL's backends and workers)."""
    if parent is None:
        return 0.0
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == parent:
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


class Sampler(threading.Thread):
    """Every SAMPLE_SECONDS: each instance's resident memory and CPU time, the machine's CPU ticks, the
    client's own CPU time, PostgreSQL's connections and the load average."""

    def __init__(self, instances: list[Instance], url: str) -> None:
        super().__init__(daemon=True)
        self.instances, self.url = instances, url
        self.postmaster = postmaster_pid(url)
        self.samples: list[dict[str, Any]] = []
        self.halt = threading.Event()

    def sample(self) -> None:
        busy, total = machine_cpu()
        try:
            connections = pg_connections(self.url)
        except psycopg.Error as error:
            connections = {"error": {"open": -1, "active": -1, "text": str(error)[:200]}}  # type: ignore[dict-item]
        self.samples.append(
            {
                "t": time.monotonic(),
                "load": os.getloadavg()[0],
                "rss_mib": [round(rss_mib(i.process.pid), 1) for i in self.instances],
                "cpu_s": [round(cpu_seconds(i.process.pid), 2) for i in self.instances],
                "client_cpu_s": round(cpu_seconds(os.getpid()), 2),
                # Backends that ended between two samples are missed: the pooled ones live through the run.
                "postgres_cpu_s": round(children_cpu_seconds(self.postmaster), 2),
                "machine": [busy, total],
                "pg": connections,
            }
        )

    def run(self) -> None:
        while not self.halt.wait(SAMPLE_SECONDS):
            self.sample()


# --- the figures ---


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))] if ordered else float("nan")


def _latency(values: list[float]) -> dict[str, float]:
    return {
        "count": len(values),
        "p50_s": _percentile(values, 0.5),
        "p95_s": _percentile(values, 0.95),
        "max_s": max(values) if values else float("nan"),
    }


def _served(lines: list[str]) -> dict[str, set[str]]:
    """Per route cookie the instances (upstream addresses) that served it."""
    served: dict[str, set[str]] = defaultdict(set)
    for line in lines:
        parts = line.split()
        if len(parts) >= 3 and parts[2].startswith("127.0.0.1:"):
            served[parts[1]].add(parts[2])
    return served


def _sticky(served: dict[str, set[str]], ports: list[int]) -> dict[str, Any]:
    """One instance per cookie when sessions stick, and how the cookies spread over the instances."""
    first = Counter(next(iter(s)) for s in served.values() if len(s) == 1)
    return {
        "routes": len(served),
        "routes_on_several_instances": sum(1 for s in served.values() if len(s) > 1),
        "routes_per_instance": {str(p): first.get(f"127.0.0.1:{p}", 0) for p in ports},
    }


def _cpu_share(samples: list[dict[str, Any]], start: float, end: float) -> dict[str, Any]:
    """CPU use between two times, in cores (1.0 = one core busy the whole time): per instance, the
    client, the whole machine."""
    window = [s for s in samples if start <= s["t"] <= end]
    if len(window) < 2:  # a window shorter than SAMPLE_SECONDS: the samples just around it
        before = [s for s in samples if s["t"] <= start] or samples[:1]
        after = [s for s in samples if s["t"] >= end] or samples[-1:]
        window = [before[-1], after[0]]
    first, last = window[0], window[-1]
    seconds = max(1e-9, last["t"] - first["t"])
    busy = last["machine"][0] - first["machine"][0]
    total = last["machine"][1] - first["machine"][1]
    cores = os.cpu_count() or 1
    return {
        "seconds": round(seconds, 1),
        "instances_cpu_s": [round(b - a, 3) for a, b in zip(first["cpu_s"], last["cpu_s"], strict=True)],
        "instances_cores": [round((b - a) / seconds, 2) for a, b in zip(first["cpu_s"], last["cpu_s"], strict=True)],
        "client_cores": round((last["client_cpu_s"] - first["client_cpu_s"]) / seconds, 2),
        "postgres_cpu_s": round(max(0.0, last["postgres_cpu_s"] - first["postgres_cpu_s"]), 3),
        "postgres_cores": round(max(0.0, last["postgres_cpu_s"] - first["postgres_cpu_s"]) / seconds, 2),
        "machine_busy_cores": round(cores * busy / total, 2) if total else 0.0,
        "machine_cores": cores,
    }


def _connections(samples: list[dict[str, Any]], count: int) -> dict[str, Any]:
    """PostgreSQL connections per instance (max open, max active) and of the whole database."""
    per = []
    for i in range(count):
        name = f"{APP_NAME}{i}"
        per.append(
            {
                "max_open": max(s["pg"].get(name, {}).get("open", 0) for s in samples),
                "max_active": max(s["pg"].get(name, {}).get("active", 0) for s in samples),
            }
        )
    totals = [sum(v.get("open", 0) for v in s["pg"].values()) for s in samples]
    return {"per_instance": per, "database_max_open": max(totals) if totals else 0}


def pool_budget(url: str, instances: int) -> dict[str, int]:
    """PostgreSQL's max_connections against what the instances may open at most: SQLAlchemy's pool
    (pool_size + max_overflow of commstats.db.make_engine) per instance, plus the importer's."""
    from commstats.db import make_engine

    engine = make_engine(url)
    pool = engine.pool
    per_instance = int(getattr(pool, "size", lambda: 0)()) + int(getattr(pool, "_max_overflow", 0))
    engine.dispose()
    with _connect(url) as conn:
        row = conn.execute("SHOW max_connections").fetchone()
    return {
        "per_instance_at_most": per_instance,
        "all_instances_and_importer_at_most": per_instance * (instances + 1),
        "max_connections": int(row[0]) if row else 0,
    }


def _memory(samples: list[dict[str, Any]], clients: list[Session], addresses: list[str]) -> list[dict[str, Any]]:
    """Per instance: RSS at the start, when it had served MEMORY_MARK page views (or at the last sample
    if it never did), at the end, and the growth after the mark."""
    finished: dict[str, list[float]] = defaultdict(list)
    for s in clients:
        finished[s.instance].extend(i.sent + i.seconds for i in s.interactions)
    result = []
    for n, address in enumerate(addresses):
        views = sorted(finished.get(address, []))
        mark_time = views[MEMORY_MARK - 1] if len(views) >= MEMORY_MARK else None
        mark = next((s for s in samples if mark_time is not None and s["t"] >= mark_time), samples[-1])
        start, end = samples[0]["rss_mib"][n], samples[-1]["rss_mib"][n]
        at_mark = mark["rss_mib"][n]
        result.append(
            {
                "views": len(views),
                "rss_mib_start": start,
                "rss_mib_at_mark": at_mark,
                "mark_reached": mark_time is not None,
                "rss_mib_end": end,
                "rss_mib_max": max(s["rss_mib"][n] for s in samples),
                "growth_after_mark": round(end / at_mark - 1, 3) if at_mark else None,
            }
        )
    return result


def measure(url: str, instance_count: int, plan: Plan, unit_count: int, folder: Path) -> dict[str, Any]:
    """One phase: instances, nginx, the importer, the sessions; the figures."""
    folder.mkdir(parents=True, exist_ok=True)
    instances = start_instances(instance_count, url, folder)
    nginx: proxy.Proxy | None = None
    importer_process = None
    try:
        listen = free_port()
        certificate = proxy.self_signed(folder)
        site = proxy.site_config([i.port for i in instances], listen, free_port(), certificate)
        config = proxy.main_config(folder, site, worker_processes=1, access_log=True)
        base = f"https://127.0.0.1:{listen}"
        nginx = proxy.start(folder, config, base)
        warm_up = time.monotonic()  # one first view per instance, alone: what a fresh process costs once
        for instance in instances:
            view_page(f"http://127.0.0.1:{instance.port}", "overview")
        warm_up_seconds = time.monotonic() - warm_up
        sampler = Sampler(instances, url)
        sampler.sample()
        if plan.importing:
            importer_process, stop, out = start_importer(url, folder, unit_count)
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        rng = random.Random(plan.seed)
        clients = [Session(i) for i in range(plan.sessions)]
        sampler.start()
        started = time.monotonic()
        holder: dict[str, Barrier] = {}

        async def everyone() -> None:
            barrier = holder["barrier"] = Barrier(plan.sessions)
            await asyncio.gather(
                *(run_session(s, base, context, plan, barrier, random.Random(rng.random())) for s in clients)
            )

        asyncio.run(everyone())
        ended = time.monotonic()
        sampler.halt.set()
        sampler.join()
        sampler.sample()
        imports: dict[str, Any] = {"skipped": "--no-import"}
        if importer_process is not None:
            imports = stop_importer(importer_process, stop, out)
            importer_process = None
    finally:
        if importer_process is not None:
            importer_process.kill()
            importer_process.wait(timeout=30)
        stop_instances(instances)
        if nginx is not None:
            nginx.stop()
    served = _served(nginx.access_log() if nginx else [])
    for s in clients:
        s.instance = min(served.get(s.cookie, {""}))
    addresses = [f"127.0.0.1:{i.port}" for i in instances]
    return summarise(
        pool_budget(url, instance_count),
        instance_count,
        plan,
        clients,
        sampler.samples,
        served,
        addresses,
        started,
        ended,
        holder,
    ) | {
        "warm_up_seconds": round(warm_up_seconds, 1),
        "imports": imports,
    }


def summarise(
    budget: dict[str, int],
    instance_count: int,
    plan: Plan,
    clients: list[Session],
    samples: list[dict[str, Any]],
    served: dict[str, set[str]],
    addresses: list[str],
    started: float,
    ended: float,
    holder: dict[str, Barrier],
) -> dict[str, Any]:
    barrier_at = holder["barrier"].at or ended
    everything = [i for s in clients for i in s.interactions]
    opens = [i for i in everything if i.kind == "open"]
    measured = [i for i in everything if i.measured]
    warm = [i for i in everything if i.kind != "open" and not i.measured]
    errors = [i.error for i in everything if i.error] + [s.failure for s in clients if s.failure]
    window = max(1e-9, (max((i.sent + i.seconds for i in measured), default=ended)) - barrier_at)
    mean_think = sum(plan.think) / 2
    mean_latency = statistics.fmean(i.seconds for i in measured) if measured else 0.0
    ports = [int(a.rsplit(":", 1)[1]) for a in addresses]
    cpu = _cpu_share(samples, barrier_at, ended)
    views_in_window = sum(1 for i in everything if barrier_at <= i.sent + i.seconds <= ended)
    return {
        "instances": instance_count,
        "plan": asdict(plan),
        "seconds": round(ended - started, 1),
        "ramp_to_everyone_in_s": round(barrier_at - started, 1),
        "measured_seconds": round(window, 1),
        "page_views": len(everything),
        "measured_views": len(measured),
        "warm_up_views": len(warm),
        "offered_per_s_if_instant": round(plan.sessions / mean_think, 2),
        "offered_per_s": round(plan.sessions / (mean_think + mean_latency), 2),
        "throughput_per_s": round(len(measured) / window, 2),
        "first_load": _latency([i.seconds for i in opens]),
        "latency": _latency([i.seconds for i in measured]),
        "latency_by_kind": {k: _latency([i.seconds for i in measured if i.kind == k]) for k in ("page", "filter")},
        "latency_by_page": {
            p: _latency([i.seconds for i in measured if i.page == p]) for p in sorted({i.page for i in measured})
        },
        "wait_before_script": _latency([i.wait_s for i in measured]),
        "script": _latency([i.seconds - i.wait_s for i in measured]),
        "warm_up_latency": _latency([i.seconds for i in warm]),
        "errors": len(errors),
        "error_samples": errors[:10],
        "sessions_failed": sum(1 for s in clients if s.failure),
        "sessions_per_instance": [sum(1 for s in clients if s.instance == a) for a in addresses],
        "session_instances": [s.instance for s in clients],  # the upstream that served each session's cookie
        "cpu": cpu,
        # What one interaction costs the instances, whatever else ran on the machine: the figure to compare
        # between runs on a shared machine (latency there depends on everyone else's load too).
        "instance_cpu_s_per_view": round(sum(cpu["instances_cpu_s"]) / max(1, views_in_window), 3),
        # PostgreSQL's share (the importer's backend included): with the instances', what one view costs the
        # machine, and so how many views a second its cores could serve at most.
        "postgres_cpu_s_per_view": round(cpu["postgres_cpu_s"] / max(1, views_in_window), 3),
        "pg_connections": _connections(samples, instance_count),
        "pool_budget": budget,
        "memory": _memory(samples, clients, addresses),
        "load_average": {"max": max(s["load"] for s in samples), "mean": statistics.fmean(s["load"] for s in samples)},
        "sticky": _sticky(served, ports),
        "samples": [
            {
                "s": round(s["t"] - samples[0]["t"], 1),
                "load": s["load"],
                "rss_mib": s["rss_mib"],
                "cpu_s": s["cpu_s"],
                "pg": s["pg"],
            }
            for s in samples
        ],
    }


def targets(phases: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The issue's targets, judged on one run: p95 < 1 s on 2 instances, no errors, memory flat after
    the mark on every instance, throughput growing with the instances."""
    checks: dict[str, dict[str, Any]] = {}
    if "2" in phases:
        p95 = phases["2"]["latency"]["p95_s"]
        checks["p95_at_2_instances"] = {"value": p95, "bound": TARGETS["p95_s"], "met": p95 < TARGETS["p95_s"]}
    errors = sum(p["errors"] for p in phases.values())
    checks["errors"] = {"value": errors, "bound": 0, "met": errors == 0}
    growth = [m["growth_after_mark"] or 0.0 for p in phases.values() for m in p["memory"]]
    worst = max(growth, default=0.0)
    checks["rss_growth_after_mark"] = {
        "value": worst,
        "bound": TARGETS["rss_growth_after_mark"],
        "met": worst <= TARGETS["rss_growth_after_mark"],
        "marks_reached": all(m["mark_reached"] for p in phases.values() for m in p["memory"]),
    }
    counts = sorted(phases, key=int)
    rates = [phases[c]["throughput_per_s"] for c in counts]
    saturated = [phases[c]["throughput_per_s"] < 0.9 * phases[c]["offered_per_s"] for c in counts]
    checks["throughput_grows"] = {
        "value": rates,
        "instances": [int(c) for c in counts],
        # With think times the clients ask for a bounded rate: once an instance count serves all of it, more
        # instances cannot serve more. Growth is required up to the first count that keeps up.
        "kept_up": [not s for s in saturated],
        "met": all(b >= a * 0.95 for a, b in itertools.pairwise(rates))
        and all(b > a for a, b, s in zip(rates, rates[1:], saturated, strict=False) if s),
    }
    return checks


def run(url: str, instance_counts: list[int], plan: Plan, unit_count: int) -> dict[str, Any]:
    """Every phase, one after the other, on the same database."""
    from bench.pg_bench import make_public

    make_public(url)
    phases = {}
    with tempfile.TemporaryDirectory(prefix="commstats-sessions-") as folder:
        for count in instance_counts:
            print(f"  {plan.sessions} sessions on {count} instance(s)...", flush=True)
            phases[str(count)] = measure(url, count, plan, unit_count, Path(folder) / str(count))
            print_phase(phases[str(count)])
    checks = targets(phases)
    return {
        "plan": asdict(plan),
        "phases": phases,
        "targets": checks,
        "targets_met": all(c["met"] for c in checks.values()),
    }


def print_phase(phase: dict[str, Any]) -> None:
    latency, first, cpu = phase["latency"], phase["first_load"], phase["cpu"]
    memory = ", ".join(
        f"{m['rss_mib_at_mark']:.0f}→{m['rss_mib_end']:.0f}{'' if m['mark_reached'] else '*'}" for m in phase["memory"]
    )
    connections = [c["max_open"] for c in phase["pg_connections"]["per_instance"]]
    print(
        f"    {phase['instances']} instance(s): {phase['measured_views']} measured views in "
        f"{phase['measured_seconds']} s ({phase['throughput_per_s']:.2f}/s, offered {phase['offered_per_s']:.2f}/s); "
        f"p50 {latency['p50_s']:.2f} s, p95 {latency['p95_s']:.2f} s (wait p95 "
        f"{phase['wait_before_script']['p95_s']:.2f} s); first load p50 {first['p50_s']:.2f} s, p95 "
        f"{first['p95_s']:.2f} s; errors {phase['errors']}; CPU s/view {phase['instance_cpu_s_per_view']} "
        f"+ PostgreSQL {phase['postgres_cpu_s_per_view']}, "
        f"cores per instance {cpu['instances_cores']}, "
        f"client {cpu['client_cores']}, machine {cpu['machine_busy_cores']}/{cpu['machine_cores']}; "
        f"PostgreSQL connections {connections}; RSS MiB at mark→end {memory}; "
        f"load {phase['load_average']['max']:.1f}; imports {phase['imports'].get('imports')}; "
        f"sessions per instance {phase['sessions_per_instance']}; sticky split "
        f"{phase['sticky']['routes_on_several_instances']}",
        flush=True,
    )


def _postgres_share(phase: dict[str, Any]) -> str:
    """PostgreSQL's CPU per view, or a dash for runs from before it was sampled."""
    share = phase.get("postgres_cpu_s_per_view")
    return "—" if share is None else f"{share:.2f}"


def markdown(result: dict[str, Any]) -> str:
    """The README's table of one run: a row per instance count."""
    plan = result["plan"]
    lines = [
        f"{plan['sessions']} sessions arriving over {plan['ramp']:g} s, think time {plan['think'][0]:g}–"
        f"{plan['think'][1]:g} s, {plan['steps']} measured interactions each"
        + (", an import running" if plan["importing"] else "")
        + ":",
        "",
        "| instances | offered / served | p50 | p95 | first load p50 / p95 | wait p95 | errors | CPU s per view, "
        "instances + PostgreSQL "
        "| cores per instance (machine) | RSS MiB per instance, 500 views → end | PostgreSQL connections |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---|",
    ]
    for phase in result["phases"].values():
        latency, first, cpu = phase["latency"], phase["first_load"], phase["cpu"]
        rss = ", ".join(
            f"{m['rss_mib_at_mark']:.0f} → {m['rss_mib_end']:.0f}{'' if m['mark_reached'] else '*'}"
            for m in phase["memory"]
        )
        cores = ", ".join(f"{c:.2f}" for c in cpu["instances_cores"])
        connections = ", ".join(str(c["max_open"]) for c in phase["pg_connections"]["per_instance"])
        lines.append(
            f"| {phase['instances']} | {phase['offered_per_s']:.1f} / {phase['throughput_per_s']:.1f} per s | "
            f"{latency['p50_s']:.2f} s | {latency['p95_s']:.2f} s | {first['p50_s']:.2f} / {first['p95_s']:.2f} s | "
            f"{phase['wait_before_script']['p95_s']:.2f} s | {phase['errors']} | "
            f"{phase['instance_cpu_s_per_view']:.2f} + {_postgres_share(phase)} | "
            f"{cores} ({cpu['machine_busy_cores']:.1f} of {cpu['machine_cores']}) | {rss} | {connections} |"
        )
    lines.append("")
    lines.append("\\* the instance served fewer than 500 page views: its RSS at the last sample.")
    return "\n".join(lines)


# --- the database ---


def bench_units(url: str) -> int:
    """How many units bench/pg_bench.py loaded into `url` (codes u00000…)."""
    with _connect(url) as conn:
        row = conn.execute("SELECT count(*) FROM unit WHERE code ~ '^u[0-9]{5}$'").fetchone()
    count = int(row[0]) if row else 0
    if count == 0:
        raise SystemExit(f"{url} holds no bench units: load it with `python -m bench.sessions_bench --rows N`")
    return count


def run_on_fresh_server(rows: int, instance_counts: list[int], plan: Plan) -> dict[str, Any]:
    """A throwaway PostgreSQL server (tests/pgserver.py), `rows` bench rows loaded, then the run."""
    from bench import pg_bench
    from bench.data import units_for
    from tests.pgserver import BENCH_SETTINGS, remove_server, start_server

    server = start_server(settings=BENCH_SETTINGS)
    try:
        unit_count = units_for(rows)
        url = pg_bench.create_database(server.url("postgres"), f"bench_sessions_{unit_count}")
        started = time.monotonic()
        load = pg_bench.prepare(url, unit_count)
        print(
            f"— PostgreSQL: {load['rows']:,} rows by COPY in {load['copy_seconds']:.0f} s, indexes "
            f"{load['index_seconds']:.0f} s, ready after {time.monotonic() - started:.0f} s —",
            flush=True,
        )
        return {"rows": load["rows"], "load": load, **run(url, instance_counts, plan, unit_count)}
    finally:
        remove_server(server)


def run_on_kept_server(root: Path, counts: list[int], plan: Plan) -> dict[str, Any]:
    """The sessions on the database bench.pg_bench keeps in `root` (loaded by `pg_bench --data-dir`)."""
    from bench.pg_bench import LOADED, kept_database
    from tests.pgserver import start_kept_server, stop_kept_server

    units = json.loads((root / LOADED).read_text())["units"]
    server = start_kept_server(root)
    try:
        url, _load = kept_database(server.url("postgres"), root, units)
        return run(url, counts, plan, units)
    finally:
        stop_kept_server(server)


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["importer"]:
        url, stop, out, units = argv[1:5]
        importer(url, Path(stop), Path(out), int(units))
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--url", help="an existing PostgreSQL database holding the bench's national table")
    where.add_argument("--rows", type=int, help="load this many bench rows into a throwaway PostgreSQL server")
    where.add_argument(
        "--data-dir", type=Path, help="a kept server of bench.pg_bench --data-dir (its 10M rows loaded once)"
    )
    parser.add_argument("--sessions", type=int, default=50)
    parser.add_argument("--steps", type=int, default=STEPS, help="measured interactions per session")
    parser.add_argument("--ramp", type=float, default=RAMP_SECONDS, help="seconds over which sessions arrive")
    parser.add_argument(
        "--think", default=f"{THINK_SECONDS[0]:g},{THINK_SECONDS[1]:g}", help="think time range in seconds, lo,hi"
    )
    parser.add_argument("--instances", default="1,2,4")
    parser.add_argument("--no-import", action="store_true", help="no importer during the sessions")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--output", type=Path, default=Path(__file__).parent / "results" / "sessions.json")
    args = parser.parse_args(argv)
    low, _, high = args.think.partition(",")
    plan = Plan(args.sessions, args.steps, args.ramp, (float(low), float(high or low)), not args.no_import, args.seed)
    counts = [int(n) for n in args.instances.split(",")]
    started = time.time()
    load_before = os.getloadavg()
    if args.url:
        result = {"url_given": True, **run(args.url, counts, plan, bench_units(args.url))}
    elif args.data_dir:
        result = {"data_dir": str(args.data_dir), **run_on_kept_server(args.data_dir.resolve(), counts, plan)}
    else:
        result = run_on_fresh_server(args.rows, counts, plan)
    output = {
        "started_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)),
        "seconds": round(time.time() - started, 1),
        "cpus": os.cpu_count(),
        "load_average_before": load_before,
        "load_average_after": os.getloadavg(),
        **result,
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(output, indent=2, default=str))
    print(markdown(output), flush=True)
    print(f"targets met: {output['targets_met']}  {json.dumps(output['targets'])}\nwritten {args.output}", flush=True)


if __name__ == "__main__":
    main()
