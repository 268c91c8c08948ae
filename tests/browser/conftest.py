"""A real dashboard for the browser tests: `streamlit run dashboard.py` on a free port of 127.0.0.1 over a
copy of the demo database, and Debian's Chromium driven by Playwright. Nothing here skips: without
Chromium or Playwright the tests fail with the reason."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, WebSocket, expect, sync_playwright
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from bench.serve import dashboard_command, free_port
from commstats.config import PROJECT_ROOT
from tests.conftest import sqlite_url

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
STARTUP_SECONDS = 90
SCREENSHOTS = PROJECT_ROOT / "test-output" / "screenshots"
expect.set_options(timeout=30_000)  # the first page of a fresh server may take a while on 2 cores


NOT_RUNNING = '[data-testid="stApp"][data-test-script-state="notRunning"]'
SETTLE_MS = 90_000


class ScriptRuns:
    """What a tab and its server said about script runs, read off the websocket in order: each socket opened,
    each rerun the tab asked for, each run started, each run finished (a run stopped for a rerun is not
    finished), and any "page not found" the server sent."""

    def __init__(self, page: Page) -> None:
        self.events: list[str] = []
        self.pages_not_found: list[str] = []
        page.on("websocket", self._socket)

    def _socket(self, socket: WebSocket) -> None:
        if not socket.url.endswith("/_stcore/stream"):
            return
        self.events.append("open")
        socket.on("framesent", self._sent)
        socket.on("framereceived", self._received)

    def _sent(self, payload: str | bytes) -> None:
        if isinstance(payload, bytes) and BackMsg.FromString(payload).WhichOneof("type") == "rerun_script":
            self.events.append("request")

    def _received(self, payload: str | bytes) -> None:
        if isinstance(payload, str):
            return
        message = ForwardMsg.FromString(payload)
        kind = message.WhichOneof("type")
        if kind == "new_session":
            self.events.append("start")
        elif kind == "script_finished":
            early = message.script_finished == ForwardMsg.FINISHED_EARLY_FOR_RERUN
            self.events.append("stopped for rerun" if early else "finished")
        elif kind == "page_not_found":
            self.events.append("page not found")
            self.pages_not_found.append(message.page_not_found.page_name)

    def mark(self) -> int:
        """Where the record stands now: pass it to `settle(page, after=...)` after an action whose rerun the
        tab asks for late (a slider sends its new value only after a short debounce)."""
        return len(self.events)

    def settled(self, after: int | None = None) -> bool:
        """The newest socket's last run finished and nothing was asked of the server since (and, `after` a
        mark, the tab asked for a rerun since the mark)."""
        if after is not None and "request" not in self.events[after:]:
            return False
        return bool(self.events) and self.events[-1] == "finished"


_RUNS: dict[Page, ScriptRuns] = {}


def track(page: Page) -> Page:
    """Watch `page`'s script runs (before it opens anything), for `settle`."""
    _RUNS[page] = ScriptRuns(page)
    page.on("close", lambda closed: _RUNS.pop(closed, None))
    return page


def script_runs(page: Page) -> ScriptRuns:
    assert page in _RUNS, "settle() needs a page watched by track() from its creation"
    return _RUNS[page]


def settle(page: Page, after: int | None = None) -> None:
    """Wait until the script run asked for last is over and drawn: the app shows "not running" (so this
    document has its socket and has handled the run's messages), the server's last word on that socket is
    a finished run (not one stopped for the router's rerun), and no rerun was asked for since. A condition,
    never a fixed pause: a click's rerun request is on the socket before the click returns; for a widget
    that sends late, pass `after=script_runs(page).mark()` taken before the action."""
    runs = script_runs(page)

    def over() -> bool:
        page.wait_for_selector(NOT_RUNNING, timeout=SETTLE_MS)
        return runs.settled(after)

    wait_until(page, over, lambda: f"a finished script run (the last messages: {runs.events[-8:]})")
    # Elements whose code loads on demand (tables, charts) show a skeleton until it has loaded.
    expect(page.locator('[data-testid="stSkeleton"]')).to_have_count(0, timeout=SETTLE_MS)


# Only what is shown counts: a chart in a tab not chosen or a closed expander is not drawn.
DRAWN_JS = """() => [...document.querySelectorAll('[data-testid="stPlotlyChart"]')]
  .filter(chart => chart.getClientRects().length > 0).every(chart => chart.querySelector('.main-svg'))"""
# Resolves once the charts' drawing (their svg text and boxes) stayed the same over three animation frames:
# plotly may draw again after its first pass (room for the labels), so a first frame with an svg is not enough.
STILL_JS = """() => new Promise(done => {
  const look = () => [...document.querySelectorAll('.js-plotly-plot, [data-testid="stDataFrame"]')].map(el => {
    const r = el.getBoundingClientRect();
    return [r.left, r.top, r.width, r.height, el.querySelectorAll('text').length, el.textContent.length].join();
  }).join('|');
  let last = look(), same = 0;
  const frame = () => {
    const now = look();
    same = now === last ? same + 1 : 0;
    last = now;
    if (same >= 3) done(true); else requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
})"""


def drawn(page: Page) -> None:
    """`settle`, then wait until what draws itself after the run has drawn: every plotly chart shown has its
    svg, and the charts and tables have stopped changing from one frame to the next."""
    settle(page)
    page.wait_for_function(DRAWN_JS, timeout=SETTLE_MS)
    page.evaluate(STILL_JS)


def wait_until(page: Page, condition: Callable[[], bool], what: Callable[[], str]) -> None:
    """Wait for `condition` (checked every few ms while Playwright delivers the page's events), failing with
    `what` was awaited after SETTLE_MS."""
    deadline = time.monotonic() + SETTLE_MS / 1000
    while not condition():
        assert time.monotonic() < deadline, f"waited {SETTLE_MS} ms for {what()}"
        page.wait_for_timeout(25)


@dataclass(frozen=True)
class Dashboard:
    url: str  # http://127.0.0.1:<port>
    database_url: str
    log: Path


def _wait_healthy(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"streamlit exited with {process.returncode}:\n{log.read_text(errors='replace')}")
        try:
            if httpx.get(f"{url}/_stcore/health", timeout=2).text.strip() == "ok":
                return
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    pytest.fail(f"streamlit did not answer /_stcore/health within {STARTUP_SECONDS}s:\n{log.read_text()}")


@contextmanager
def serve(database_url: str, folder: Path, **env_vars: str) -> Iterator[Dashboard]:
    """`streamlit run dashboard.py` over `database_url` on a free port (a new process: nothing has run in it
    yet; its log in `folder`), stopped afterwards."""
    port, log = free_port(), folder / "streamlit.log"
    env = {**os.environ, "COMMSTATS_DATABASE_URL": database_url, **env_vars}
    command = dashboard_command(port)
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, process, log)
        yield Dashboard(url, database_url, log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


def demo_copy(template: Path, folder: Path) -> Path:
    """A private copy of the demo database in `folder` (a server's own, so tests never share writes)."""
    database = folder / "demo.db"
    shutil.copy(template, database)
    return database


@pytest.fixture(scope="session")
def dashboard(demo_db_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dashboard]:
    """The real dashboard served over a private copy of the demo database; stopped at teardown."""
    folder = tmp_path_factory.mktemp("browser")
    database = demo_copy(demo_db_template, folder)
    with serve(sqlite_url(database), folder) as running:
        yield running


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is missing at {CHROMIUM}: install Debian's `chromium` package (see .ci/run).")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@contextmanager
def new_tab(browser: Browser) -> Iterator[Page]:
    """A tab in a context of its own (no cookies shared), its script runs watched for `settle`."""
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, accept_downloads=True, locale="vi-VN")
    context.set_default_timeout(60_000)
    try:
        yield track(context.new_page())
    finally:
        context.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    with new_tab(browser) as tab:
        yield tab


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
