"""Read one file the way a user's command or the import page does, in a process of its own, and print
what it cost as one JSON line (started by bench.hostile).

python -m bench.hostile_worker ROUTE FILE URL

ROUTE: import | register | targets | extract (the CLI command, run in this process with its output
written to a file so that what it prints is counted) or page (the Nhập tệp page in Streamlit's AppTest:
the file is uploaded and previewed as in a browser; the session, holding the upload, is kept alive
while memory is read afterwards, as a server keeps it).
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

UNIT = "test-unit"
COMMANDS = {
    "import": ["import"],
    "register": ["register", "import"],
    "targets": ["targets", "import"],
    "extract": ["extract"],
}


def _status(field: str) -> float:
    """VmRSS or VmHWM (peak) of this process in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def _reset_peak() -> None:
    """Start VmHWM again from the current size (Linux: writing 5 to clear_refs)."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def run_cli(route: str, path: Path, url: str) -> dict[str, Any]:
    from typer.main import get_command

    from commstats.cli import app

    command = get_command(app)
    args = [*COMMANDS[route], str(path), "--unit", UNIT, "--db", url]
    gc.collect()
    baseline = _status("VmRSS")
    _reset_peak()
    with tempfile.TemporaryFile("w+", encoding="utf-8") as out:
        started = time.perf_counter()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            try:
                code = command.main(args, prog_name="commstats", standalone_mode=False)
            except SystemExit as stop:
                code = stop.code
        seconds = time.perf_counter() - started
        printed = out.tell()
        out.seek(0)
        head = out.read(600)
    return {
        "seconds": seconds,
        "baseline_mb": baseline,
        "peak_mb": _status("VmHWM"),
        "exit": code,
        "printed_bytes": printed,
        "lines": head.count("\n"),
        "head": head,
    }


def run_page(path: Path, url: str) -> dict[str, Any]:
    from streamlit.testing.v1 import AppTest

    from commstats.config import PROJECT_ROOT
    from etl.upload import release_memory

    os.environ["COMMSTATS_DATABASE_URL"] = url
    os.environ["COMMSTATS_AUTH"] = "off"  # a single-user install: the page opens without signing in
    page = AppTest.from_file(str(PROJECT_ROOT / "dashboard.py"), default_timeout=900)
    page.session_state["lang"] = "vi"
    page.run()
    page.switch_page("pages/import.py")
    page.run()
    content = path.read_bytes()
    uploader = page.file_uploader(key="import_file")
    gc.collect()
    baseline = _status("VmRSS")  # the page open, the file's bytes in memory as the server receives them
    _reset_peak()
    started = time.perf_counter()
    uploader.upload(path.name, content, "application/octet-stream")
    del content
    page.run()
    seconds = time.perf_counter() - started
    peak = _status("VmHWM")
    release_memory()
    after = _status("VmRSS")
    problems = page.dataframe[-1].value if page.error else None
    return {
        "seconds": seconds,
        "baseline_mb": baseline,
        "peak_mb": peak,
        "after_mb": after,
        "exception": str(page.exception[0].message)[:200] if page.exception else "",
        "error": page.error[0].value if page.error else "",
        "problem_rows": 0 if problems is None else len(problems),
        "head": "" if problems is None else " | ".join(map(str, problems.iloc[0].tolist()))[:300],
    }


def main() -> None:
    route, file, url = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
    result = run_page(file, url) if route == "page" else run_cli(route, file, url)
    print(json.dumps(result, ensure_ascii=False, default=str))


if __name__ == "__main__":
    main()
