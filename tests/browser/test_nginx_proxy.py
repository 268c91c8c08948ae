"""The documented reverse proxy, for real: Debian's nginx runs deploy/nginx.conf (the README shows the same
file) on a free port in front of a real `streamlit run dashboard.py`; every answer carries the headers that
stop other sites from framing the dashboard, and the dashboard works through it in Chromium (websocket).
Without nginx the test fails with the reason (.ci/run installs nginx-light)."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, expect

from bench import proxy as proxy_config
from commstats.config import PROJECT_ROOT
from tests.browser.conftest import Dashboard, free_port

CONF = PROJECT_ROOT / "deploy" / "nginx.conf"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def _test_config(folder: Path, listen: int, upstream: int) -> Path:
    """deploy/nginx.conf as it is, but on a free port without TLS and with the test's dashboard upstream
    (bench/proxy.py, which the load benchmark runs too)."""
    return proxy_config.main_config(folder, proxy_config.site_config([upstream], listen, free_port(), None))


@pytest.fixture(scope="module")
def proxy(dashboard: Dashboard, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not Path(NGINX).exists():
        pytest.fail("nginx is missing: install Debian's nginx-light (see .ci/run)")
    folder = tmp_path_factory.mktemp("nginx")
    port = free_port()
    config = _test_config(folder, port, int(dashboard.url.rsplit(":", 1)[1]))
    checked = subprocess.run([NGINX, "-t", "-c", str(config), "-p", str(folder)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    process = subprocess.Popen([NGINX, "-c", str(config), "-p", str(folder)], stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/_stcore/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        else:
            pytest.fail(f"nginx did not answer: {(folder / 'error.log').read_text(errors='replace')}")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=15)


@pytest.mark.parametrize("path", ["/", "/_stcore/health", "/sites", "/static/does-not-exist.js"])
def test_every_answer_forbids_framing_by_other_sites(proxy: str, path: str):
    answer = httpx.get(f"{proxy}{path}", timeout=30)
    assert answer.headers["content-security-policy"] == "frame-ancestors 'self'"
    assert answer.headers["x-frame-options"] == "SAMEORIGIN"
    assert answer.headers["x-content-type-options"] == "nosniff"


def test_the_dashboard_works_through_the_proxy(proxy: str, browser: Browser):
    context = browser.new_context(locale="vi-VN")
    page = context.new_page()
    try:
        page.goto(proxy)
        # The page is drawn only once the websocket through nginx carries the script's output.
        expect(page.get_by_role("heading", level=1, name="Tổng quan")).to_be_visible(timeout=60_000)
        expect(page.locator('[data-testid="stMetric"]').first).to_be_visible()
    finally:
        context.close()


def test_the_readme_shows_the_tested_file():
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    assert f"```nginx\n{CONF.read_text(encoding='utf-8')}```" in readme
    assert "add_header Content-Security-Policy \"frame-ancestors 'self'\" always;" in CONF.read_text(encoding="utf-8")
