"""Each page rendered in AppTest (cold and warm) in a fresh process, and every page once for peak memory.

The work happens in bench.apptest_worker, one process per page, so that a page's cold run really starts
with empty caches and its memory is not shared with the benchmark's own.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from commstats.config import PROJECT_ROOT

PAGES = ("overview", "trends", "sites", "licences", "explore", "quality", "draft")
TIMEOUT_S = 3600


class RenderFailed(RuntimeError):
    """The worker process failed; the message carries its output."""


def _worker(url: str, mode: str, pages: list[str]) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="commstats-render-") as folder:
        out = Path(folder) / "result.pickle"
        env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
        done = subprocess.run(
            [sys.executable, "-m", "bench.apptest_worker", url, str(out), mode, *pages],
            cwd=PROJECT_ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
            check=False,
        )
        if done.returncode != 0 or not out.exists():
            raise RenderFailed(f"bench.apptest_worker {mode} {pages} failed ({done.returncode}): {done.stderr[-3000:]}")
        return pickle.loads(out.read_bytes())  # type: ignore[no-any-return]


def page_path(page: str) -> str:
    return f"pages/{page}.py"


def run(
    url: str, pages: tuple[str, ...] = PAGES, quick: bool = False
) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    """Per page: cold and warm seconds and the recorded calls; and the peak memory of rendering all pages.
    `quick`: every page in one process, one cold and one warm run each (a smoke run: the figures exist,
    the cold ones after the first page are warmer than a fresh process's)."""
    if quick:
        by_path = _worker(url, "quick", [page_path(page) for page in pages])
        rendered = {page: by_path[page_path(page)] for page in pages}
    else:
        rendered = {page: _worker(url, "page", [page_path(page)]) for page in pages}
    memory = _worker(url, "all", [page_path(page) for page in pages])
    return rendered, memory
