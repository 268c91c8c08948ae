"""Render dashboard pages in Streamlit's AppTest, in a process of their own (started by bench.render_bench).

python -m bench.apptest_worker URL OUT.pickle page pages/trends.py   one page: its core calls, cold and warm run
python -m bench.apptest_worker URL OUT.pickle all pages/a.py ...     every page once: peak memory
python -m bench.apptest_worker URL OUT.pickle quick pages/a.py ...   each page as `page` does, one cold and one
                                                                     warm run, all in this one process (--quick)

A page's figures: a first session renders the default page (so the process has imported what a running
server has), then Streamlit's caches are emptied and a new session opens the page through the router
(sidebar and page): that run is cold, every query runs. The session's second run is warm (answered from
the caches; AppTest reruns the page file alone with the selection the sidebar made). A new session's
first run on the warm caches (router, sidebar and page, as a second user) is reported too. Cold is the
best of two such runs, warm the best of three (the machine is shared). During the
cold run every call that ui/cache.py makes into commstats with an engine is recorded with its arguments
and whether the shared sidebar (ui/frame.py) or the page made it: these are exactly the calls
bench.query_bench times.

Two costs of the AppTest harness that a server pays once, not on every run, are paid once here too, so
no page's figure carries them: each new AppTest scans every installed package for Streamlit components
(half a second here), and each run compiles the scripts again (a new ScriptCache per run).
"""

from __future__ import annotations

import functools
import logging
import os
import pickle
import resource
import sys
import time
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from bench.baselines import Call
from bench.data import ANALYST
from commstats.config import PROJECT_ROOT

TIMEOUT = 600
ROUTE_KEY = "route_after_router"  # ui.frame: the router switches to this page after drawing the sidebar
PAGES_DIR = str(PROJECT_ROOT / "pages") + "/"


def _rss_mb() -> float:
    """This process's peak resident memory: VmHWM (ru_maxrss carries the parent's peak over fork and exec)."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Recorder:
    """Wraps what ui/cache.py calls into commstats; records calls whose first argument is an engine."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.on = False

    def wrap(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        name = f"{fn.__module__}.{fn.__qualname__}"

        def recorded(*args: Any, **kwargs: Any) -> Any:
            if self.on and args and isinstance(args[0], Engine):
                self.calls.append((_caller(), name, args[1:], kwargs))
            return fn(*args, **kwargs)

        return recorded

    def install(self) -> None:
        from ui import cache

        for attribute, value in list(vars(cache).items()):
            if isinstance(value, types.ModuleType) and value.__name__.startswith("commstats"):
                proxy = types.SimpleNamespace(
                    **{k: self.wrap(v) if isinstance(v, types.FunctionType) else v for k, v in vars(value).items()}
                )
                setattr(cache, attribute, proxy)
            elif isinstance(value, types.FunctionType) and value.__module__.startswith("commstats"):
                setattr(cache, attribute, self.wrap(value))


def _caller() -> str:
    """ "page" when a page file (pages/*.py) is on the stack, else "frame" (router, sidebar, sign-in)."""
    frame = sys._getframe(2)
    while frame is not None:
        if frame.f_code.co_filename.startswith(PAGES_DIR):
            return "page"
        frame = frame.f_back  # type: ignore[assignment]
    return "frame"


def _like_a_server() -> None:
    """Component scan and compiled scripts kept for the process, as a running server keeps them."""
    from streamlit.components.v2 import manifest_scanner
    from streamlit.testing.v1 import app_test

    manifest_scanner.scan_component_manifests = functools.cache(manifest_scanner.scan_component_manifests)
    shared = app_test.ScriptCache()
    app_test.ScriptCache = lambda: shared  # type: ignore[assignment,misc]


def _clear_caches() -> None:
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()


def _timed_run(app: Any) -> float:
    start = time.perf_counter()
    app.run(timeout=TIMEOUT)
    return time.perf_counter() - start


def _errors(app: Any) -> list[str]:
    return [e.message for e in app.exception]


def _session(page: str | None) -> Any:
    """A new session (AppTest) that opens `page` through the router, as a link to the page does."""
    from streamlit.testing.v1 import AppTest

    from ui.auth import SESSION_USER

    app = AppTest.from_file(str(PROJECT_ROOT / "dashboard.py"), default_timeout=TIMEOUT)
    app.session_state["lang"] = "vi"
    app.session_state[SESSION_USER] = ANALYST
    if page is not None:
        app.session_state[ROUTE_KEY] = page
    return app


def render_page(page: str, cold_runs: int = 2, warm_runs: int = 3, recorder: Recorder | None = None) -> dict[str, Any]:
    """Cold: the best of `cold_runs` new sessions on emptied caches (the first one's calls are recorded).
    Warm: the best of `warm_runs` reruns of the last session. `recorder`: one already installed (several
    pages in one process)."""
    if recorder is None:
        recorder = Recorder()
        recorder.install()
    recorder.calls = []
    first = _timed_run(_session(None))
    colds, errors = [], []
    for attempt in range(cold_runs):
        _clear_caches()
        app = _session(page)
        recorder.on = attempt == 0
        colds.append(_timed_run(app))
        recorder.on = False
        errors += _errors(app)
    titles = [t.value for t in app.title]
    warms = []
    for _ in range(warm_runs):
        warms.append(_timed_run(app))
        errors += _errors(app)
    second_user = _session(page)
    new_session = _timed_run(second_user)
    errors += _errors(second_user)
    return {
        "page": page,
        "first_run_s": first,
        "cold_s": min(colds),
        "warm_s": min(warms),
        "cold_runs": colds,
        "warm_runs": warms,
        "warm_new_session_s": new_session,
        "calls": recorder.calls,
        "title": titles[0] if titles else "",
        "errors": errors,
        "max_rss_mb": _rss_mb(),
    }


def render_all(pages: list[str]) -> dict[str, Any]:
    """Every page once, one after the other in one process (each opened through the router as a link to it
    does): the process's peak memory, and its memory before the first page (libraries imported)."""
    import commstats.charts  # noqa: F401  (imported before the baseline, as a running server has)

    before = _rss_mb()
    errors: dict[str, list[str]] = {}
    for page in pages:
        app = _session(page)
        app.run(timeout=TIMEOUT)
        errors[page] = _errors(app)
    return {"baseline_rss_mb": before, "peak_rss_mb": _rss_mb(), "errors": errors}


def main() -> None:
    url, out, mode, *pages = sys.argv[1:]
    os.environ["COMMSTATS_DATABASE_URL"] = url
    logging.disable(logging.WARNING)  # AppTest's "missing ScriptRunContext" chatter
    sys.path.insert(0, str(PROJECT_ROOT))
    _like_a_server()
    result: Any
    if mode == "page":
        result = render_page(pages[0])
    elif mode == "quick":
        recorder = Recorder()
        recorder.install()
        result = {page: render_page(page, cold_runs=1, warm_runs=1, recorder=recorder) for page in pages}
    else:
        result = render_all(pages)
    Path(out).write_bytes(pickle.dumps(result))


if __name__ == "__main__":
    main()
