"""A real dashboard for the browser tests: `streamlit run dashboard.py` on a free port of 127.0.0.1 over a
copy of the demo database, and Debian's Chromium driven by Playwright. Nothing here skips: without
Chromium or Playwright the tests fail with the reason."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

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


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, accept_downloads=True, locale="vi-VN")
    context.set_default_timeout(60_000)
    tab = context.new_page()
    yield tab
    context.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
