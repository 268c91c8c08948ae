"""Many users on several instances: concurrent dashboard sessions through nginx while an import runs.

For each instance count (1, 2, 4 by default) this starts that many `streamlit run dashboard.py` processes on
one PostgreSQL database, and Debian's nginx in front of them with deploy/nginx.conf (the README's file, only
its upstream servers, ports and certificate substituted: bench/proxy.py), over TLS with a throwaway
certificate. Then --sessions clients run at once, each as a browser tab does: an HTTPS request for the
page (nginx answers with the sticky `commstats_route` cookie), a websocket to /_stcore/stream carrying
that cookie, the default page, then --steps interactions, alternately a switch to another page and a
change of the sidebar's unit selection (the multiselect's widget state, as the browser sends it), with a
think time between them. An interaction's latency runs from sending the rerun to the script's end.

Meanwhile an importer process loads correction files through the ETL (etl.load.load_rows, the import's
path) into the same database, one after another, so caches are invalidated as on a working day. The
resident memory of every instance is sampled throughout. The access log shows which instance served
each request of each cookie: a cookie seen on two instances would be a broken sticky session.

python -m bench.sessions_bench --url postgresql+psycopg://... [--sessions 50] [--steps 20] [--instances 1,2,4]
(the database must hold the bench's national table: bench/pg_bench.py). `python -m bench` runs it on the
10M-row PostgreSQL database with --load-sessions.
"""

from __future__ import annotations

import argparse
import asyncio
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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.typing import Subprotocol

from bench import proxy
from bench.memory_bench import rss_mib
from bench.serve import dashboard_command, free_port
from bench.stream_client import view_page
from commstats.config import PROJECT_ROOT

PAGES = ("", "trends", "sites", "licences", "explore", "quality", "draft")
COOKIE = "commstats_route"
STARTUP_SECONDS = 180
TIMEOUT_SECONDS = 60.0
UNIT_POOL = 24  # the units the sessions choose among (people look at their own province's units)
MEMORY_MARK = 500  # memory is compared after this many page views and at the end


# --- the instances ---


@dataclass
class Instance:
    process: subprocess.Popen[bytes]
    port: int
    log: Path


def start_instances(count: int, url: str, folder: Path) -> list[Instance]:
    """`count` dashboards on free ports of 127.0.0.1 over `url`, sign-in enforced as on a server."""
    env = {**os.environ, "COMMSTATS_DATABASE_URL": url, "COMMSTATS_AUTH": "on", "PYTHONPATH": str(PROJECT_ROOT)}
    instances = []
    for i in range(count):
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
    """Correction files through load_rows, one after another until `stop` exists: each is every figure of
    the last twelve months of one of the units the sessions look at, with new values (updates and
    revisions, one batch and audit record each, as `commstats import` of a correction file writes)."""
    from commstats.db import make_engine
    from etl.load import load_rows

    engine = make_engine(url)
    imports: list[dict[str, Any]] = []
    errors: list[str] = []
    round_ = 0
    while True:  # at least one import, however short the run
        rows = correction_file(unit_count, round_)
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
        time.sleep(1.0)
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
    kind: str  # open, page, filter
    page: str
    seconds: float
    error: str = ""


@dataclass
class Session:
    index: int
    cookie: str = ""
    interactions: list[Interaction] = field(default_factory=list)
    failure: str = ""


class Views:
    """Page views so far across every session, with the memory samples taken at marks."""

    def __init__(self) -> None:
        self.count = 0
        self.lock = threading.Lock()


def _units_widget(message: ForwardMsg, found: dict[str, Any]) -> None:
    """The sidebar's first multiselect (the unit choice): its widget id and option labels."""
    if message.WhichOneof("type") != "delta" or "units" in found:
        return
    element = message.delta.new_element
    if element.WhichOneof("type") == "multiselect" and message.metadata.delta_path[:1] == [1]:
        found["units"] = (element.multiselect.id, list(element.multiselect.options))


async def _run_once(ws: Any, rerun: BackMsg, found: dict[str, Any]) -> str:
    """Send a rerun and read until the script finished; the error shown, if any."""
    await ws.send(rerun.SerializeToString())
    error = ""
    while True:
        raw = await asyncio.wait_for(ws.recv(), TIMEOUT_SECONDS)
        message = ForwardMsg()
        message.ParseFromString(raw if isinstance(raw, bytes) else raw.encode())
        kind = message.WhichOneof("type")
        if kind == "delta" and message.delta.new_element.WhichOneof("type") == "exception":
            exception = message.delta.new_element.exception
            error = error or f"{exception.type}: {exception.message}"[:300]
        _units_widget(message, found)
        if kind == "script_finished":
            return error


async def run_session(
    session: Session, base: str, context: ssl.SSLContext, steps: int, think: float, views: Views, rng: random.Random
) -> None:
    try:
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
            page = ""
            for step in range(steps + 1):
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
                started = time.perf_counter()
                error = await _run_once(ws, rerun, found)
                session.interactions.append(Interaction(kind, page or "overview", time.perf_counter() - started, error))
                with views.lock:
                    views.count += 1
                await asyncio.sleep(rng.uniform(think / 2, think * 1.5))
    except Exception as error:  # a failed session is an error of the run, reported
        session.failure = f"{type(error).__name__}: {error}"[:300]


class Sampler(threading.Thread):
    """Resident memory of each instance every `every` seconds, with the page views so far, and the
    machine's load average."""

    def __init__(self, instances: list[Instance], views: Views, every: float = 2.0) -> None:
        super().__init__(daemon=True)
        self.instances, self.views, self.every = instances, views, every
        self.samples: list[dict[str, Any]] = []
        self.halt = threading.Event()

    def sample(self) -> None:
        self.samples.append(
            {
                "t": time.monotonic(),
                "views": self.views.count,
                "load": os.getloadavg()[0],
                "rss_mib": [round(rss_mib(i.process.pid), 1) for i in self.instances],
            }
        )

    def run(self) -> None:
        while not self.halt.wait(self.every):
            self.sample()


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


def _sticky(lines: list[str], ports: list[int]) -> dict[str, Any]:
    """Per route cookie the instances that served it (one each when sessions stick), and the spread."""
    served: dict[str, set[str]] = defaultdict(set)
    for line in lines:
        parts = line.split()
        if len(parts) >= 3 and parts[2].startswith("127.0.0.1:"):
            served[parts[1]].add(parts[2])
    first = Counter(next(iter(s)) for s in served.values() if len(s) == 1)
    return {
        "routes": len(served),
        "routes_on_several_instances": sum(1 for s in served.values() if len(s) > 1),
        "routes_per_instance": {str(p): first.get(f"127.0.0.1:{p}", 0) for p in ports},
    }


def measure(
    url: str, instance_count: int, sessions: int, steps: int, think: float, unit_count: int, folder: Path, seed: int
) -> dict[str, Any]:
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
            view_page(f"http://127.0.0.1:{instance.port}")
        warm_up_seconds = time.monotonic() - warm_up
        views = Views()
        sampler = Sampler(instances, views)
        sampler.sample()
        importer_process, stop, out = start_importer(url, folder, unit_count)
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        rng = random.Random(seed)
        clients = [Session(i) for i in range(sessions)]
        sampler.start()
        started = time.monotonic()

        async def everyone() -> None:
            await asyncio.gather(
                *(run_session(s, base, context, steps, think, views, random.Random(rng.random())) for s in clients)
            )

        asyncio.run(everyone())
        seconds = time.monotonic() - started
        sampler.halt.set()
        sampler.join()
        sampler.sample()
        imports = stop_importer(importer_process, stop, out)
        importer_process = None
    finally:
        if importer_process is not None:
            importer_process.kill()
            importer_process.wait(timeout=30)
        stop_instances(instances)
        if nginx is not None:
            nginx.stop()
    done = [i for s in clients for i in s.interactions]
    errors = [i.error for i in done if i.error] + [s.failure for s in clients if s.failure]
    samples = sampler.samples
    mark = next((s for s in samples if s["views"] >= MEMORY_MARK), samples[-1])
    end = samples[-1]
    return {
        "instances": instance_count,
        "sessions": sessions,
        "steps": steps,
        "think_seconds": think,
        "seconds": round(seconds, 1),
        "page_views": len(done),
        "warm_up_seconds": round(warm_up_seconds, 1),
        "throughput_per_s": len(done) / seconds if seconds else 0.0,
        "latency": _latency([i.seconds for i in done]),
        "latency_by_kind": {k: _latency([i.seconds for i in done if i.kind == k]) for k in ("open", "page", "filter")},
        "errors": len(errors),
        "error_samples": errors[:10],
        "sessions_failed": sum(1 for s in clients if s.failure),
        "rss_mib_start": samples[0]["rss_mib"],
        "rss_mib_at_mark": mark["rss_mib"],
        "mark_views": mark["views"],
        "rss_mib_end": end["rss_mib"],
        "rss_growth_after_mark_mib": [round(e - m, 1) for e, m in zip(end["rss_mib"], mark["rss_mib"], strict=True)],
        "load_average": {"max": max(s["load"] for s in samples), "mean": statistics.fmean(s["load"] for s in samples)},
        "sticky": _sticky(nginx.access_log() if nginx else [], [i.port for i in instances]),
        "imports": imports,
        "samples": [
            {"s": round(s["t"] - samples[0]["t"], 1), **{k: v for k, v in s.items() if k != "t"}} for s in samples
        ],
    }


def run(
    url: str, instance_counts: list[int], sessions: int, steps: int, think: float, unit_count: int, seed: int = 5
) -> dict[str, Any]:
    """Every phase, one after the other, on the same database."""
    from bench.pg_bench import make_public

    make_public(url)
    phases = {}
    with tempfile.TemporaryDirectory(prefix="commstats-sessions-") as folder:
        for count in instance_counts:
            print(f"  {sessions} sessions on {count} instance(s)...", flush=True)
            phases[str(count)] = measure(
                url, count, sessions, steps, think, unit_count, Path(folder) / str(count), seed
            )
            print_phase(phases[str(count)])
    return {"sessions": sessions, "steps": steps, "think_seconds": think, "phases": phases}


def print_phase(phase: dict[str, Any]) -> None:
    latency = phase["latency"]
    print(
        f"    {phase['instances']} instance(s): {phase['page_views']} page views in {phase['seconds']} s "
        f"({phase['throughput_per_s']:.1f}/s); p50 {latency['p50_s']:.2f} s, p95 {latency['p95_s']:.2f} s; "
        f"errors {phase['errors']}; RSS MiB start {phase['rss_mib_start']}, after {phase['mark_views']} views "
        f"{phase['rss_mib_at_mark']}, end {phase['rss_mib_end']}; load {phase['load_average']['max']:.1f}; "
        f"imports {phase['imports'].get('imports')}; sticky split {phase['sticky']['routes_on_several_instances']}",
        flush=True,
    )


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["importer"]:
        url, stop, out, units = argv[1:5]
        importer(url, Path(stop), Path(out), int(units))
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", required=True, help="PostgreSQL database holding the bench's national table")
    parser.add_argument("--units", type=int, required=True, help="how many units the bench loaded")
    parser.add_argument("--sessions", type=int, default=50)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--think", type=float, default=1.0)
    parser.add_argument("--instances", default="1,2,4")
    parser.add_argument("--output", type=Path, default=Path(__file__).parent / "results" / "sessions.json")
    args = parser.parse_args(argv)
    result = run(
        args.url, [int(n) for n in args.instances.split(",")], args.sessions, args.steps, args.think, args.units
    )
    args.output.write_text(json.dumps(result, indent=2, default=str))


if __name__ == "__main__":
    main()
