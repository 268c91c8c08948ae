"""`python -m bench hostile`: the budget per file (etl/limits.py) measured on hostile files at the size
limit, each beside a valid file of its kind, through the CLI and the import page.

Every file is generated in the run (tests/importfiles.py writes them), each read runs in a fresh process
(bench/hostile_worker.py) on a copy of one empty database, and reports wall seconds, the process's
resident memory before, at its peak and (page) after the refusal, what the CLI printed and the first
message. The budget: ≤ 60 s and ≤ 1 GB above the process's baseline; the page's memory after a refusal
should be back near its baseline (the session still holds the uploaded file, as a server does).

python -m bench hostile [--size-mb 49] [--only NAME,...] [--output bench/results/hostile.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from commstats.config import PROJECT_ROOT
from etl.extract.report_text import read_document
from etl.limits import current as limits

RESULTS = Path(__file__).parent / "results"
SEED = PROJECT_ROOT / "tests" / "fixtures" / "reports" / "report_2019_07.docx"  # the real monthly report
BUDGET_SECONDS = 60.0
BUDGET_EXTRA_MB = 1024.0
TIMEOUT = 900
MB = 2**20


@dataclass(frozen=True)
class Entry:
    name: str
    file: str
    build: Callable[[int], bytes]  # the size limit in bytes -> the file
    routes: tuple[str, ...]
    valid: bool = False


def _valid_rows_csv(rows: int) -> bytes:
    lines = (
        f"{2000 + (i % 312) // 12}-{i % 12 + 1:02d},sites_posts,site-{i // 312:04d},{i % 997}\r\n" for i in range(rows)
    )
    return ("period,metric,member,value\r\n" + "".join(lines)).encode()


def _invalid_rows_csv(rows: int) -> bytes:
    return ("period,metric,member,value,unit\r\n" + "tháng 13/2019,no_such_metric,x,-5,nope\r\n" * rows).encode()


def _register(rows: int, day: str) -> bytes:
    lines = (f"{i:06d}/GP,Giấy phép xuất bản,{day},Tổ chức {i % 500}\r\n" for i in range(rows))
    return ("Số,Loại,Ngày cấp,Tổ chức\r\n" + "".join(lines)).encode()


def _register_valid(rows: int) -> bytes:
    lines = (f"{i:06d}/GP,Giấy phép xuất bản,{1 + i % 28}/{1 + i % 12}/{2000 + i % 25},Tổ chức {i % 500}\r\n"
             for i in range(rows))  # fmt: skip
    return ("Số,Loại,Ngày cấp,Tổ chức\r\n" + "".join(lines)).encode()


def _fill(size: int, line: bytes, header: bytes) -> bytes:
    return header + line * ((size - len(header)) // len(line))


def _seed_text(size: int) -> bytes:
    """The seed report repeated to `size` bytes of UTF-8 (cut at a character boundary)."""
    seed = read_document(SEED.read_bytes(), SEED.name).encode()
    return (seed * (size // len(seed) + 1))[:size].decode("utf-8", "ignore").encode()


def corpus() -> list[Entry]:
    from tests import importfiles as f

    rows = limits().rows
    xlsx_rows = limits().xlsx_cells // 4 - 1
    seed_paragraph = "Đăng 33 tin, bài tiếng Việt; 23 tin, bài tiếng Khmer; 14 tin, bài tiếng Anh."
    return [
        Entry("csv: invalid rows at the size limit", "loi.csv", f.invalid_long_csv, ("import", "page")),
        Entry("csv: valid rows at the size limit", "hop-le.csv", f.valid_long_csv, ("import", "page"), True),
        Entry(f"csv: {rows:,} invalid rows (4 problems each)", "loi-gioi-han.csv",
              lambda size: _invalid_rows_csv(rows), ("import", "page")),
        Entry(f"csv: {rows:,} valid rows (the row limit)", "hop-le-gioi-han.csv",
              lambda size: _valid_rows_csv(rows), ("import", "page"), True),
        Entry("xlsx: 8 M shared strings", "chuoi.xlsx", lambda size: f.xlsx_shared_strings(8_000_000),
              ("import", "page")),
        Entry("xlsx: one 300 MB cell", "o-lon.xlsx", lambda size: f.xlsx_long_shared_string(300 * MB),
              ("import", "page")),
        Entry("xlsx: 10 M cells", "nhieu-o.xlsx", lambda size: f.xlsx_many_cells(10_000_000), ("import", "page")),
        Entry(f"xlsx: {xlsx_rows:,} valid rows (the cell limit)", "hop-le.xlsx",
              lambda size: f.valid_long_xlsx(xlsx_rows), ("import", "page"), True),
        Entry("register: invalid dates at the size limit", "so-loi.csv",
              lambda size: _fill(size, "1/GP,Giấy phép xuất bản,31/02/2019,A\r\n".encode(),
                                 "Số,Loại,Ngày cấp,Tổ chức\r\n".encode()), ("register", "page")),
        Entry(f"register: {limits().register_rows:,} valid records (the row limit)", "so-hop-le.csv",
              lambda size: _register_valid(limits().register_rows), ("register", "page"), True),
        Entry("targets: negative values at the size limit", "ke-hoach.csv",
              lambda size: _fill(size, b"2019,portal_audio,-1\r\n", b"year,metric,value\r\n"), ("targets",)),
        Entry("docx: 5.5 M empty paragraphs", "doan.docx", lambda size: f.docx_paragraphs(5_500_000), ("extract",)),
        Entry("docx: 5,000 paragraphs of report text", "bao-cao.docx",
              lambda size: f.docx_paragraphs(5_000, seed_paragraph), ("extract",), True),
        Entry("pdf: 1,000 pages sharing one 20 MB stream", "chung.pdf",
              lambda size: f.pdf_shared_stream(1000, 20 * MB), ("extract",)),
        Entry("pdf: 1,000 pages of text", "bao-cao.pdf",
              lambda size: f.pdf_shared_stream(1000, 400, "Dang 33 tin bai tieng Viet"), ("extract",), True),
        Entry("txt: text at the size limit", "dai.txt", _seed_text, ("extract",)),
        Entry("txt: the seed report repeated, 0.9 MB", "bao-cao.txt", lambda size: _seed_text(900_000), ("extract",),
              True),
    ]  # fmt: skip


def _empty_database(folder: Path) -> Path:
    from commstats.bootstrap import add_unit, init_database
    from commstats.db import make_engine

    path = folder / "empty.db"
    engine = make_engine(f"sqlite:///{path}")
    init_database(engine)
    add_unit(engine, "test-unit", "Sở Thông tin và Truyền thông thử nghiệm", "Test department")
    engine.dispose()
    return path


def _run(route: str, path: Path, database: Path) -> dict[str, Any]:
    copy = path.parent / f"run-{route}.db"
    shutil.copy(database, copy)
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    started = time.perf_counter()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "bench.hostile_worker", route, str(path), f"sqlite:///{copy}"],
            capture_output=True, text=True, env=env, cwd=PROJECT_ROOT, timeout=TIMEOUT, check=False,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        return {"timeout": TIMEOUT, "seconds": time.perf_counter() - started}
    finally:
        copy.unlink(missing_ok=True)
    lines = done.stdout.strip().splitlines()
    if done.returncode or not lines:
        return {"failed": done.returncode, "stderr": done.stderr[-800:], "seconds": time.perf_counter() - started}
    measured: dict[str, Any] = json.loads(lines[-1])
    return measured


def _judge(result: dict[str, Any]) -> bool:
    if "seconds" not in result or "peak_mb" not in result:
        return False
    return bool(result["seconds"] <= BUDGET_SECONDS and result["peak_mb"] - result["baseline_mb"] <= BUDGET_EXTRA_MB)


def _first_message(result: dict[str, Any]) -> str:
    text = result.get("head") or result.get("error") or result.get("stderr") or ""
    return " ".join(text.split())[:110]


def show(results: list[dict[str, Any]]) -> None:
    print(f"\n{'file':52} {'MB':>6} {'route':8} {'s':>6} {'base':>6} {'peak':>6} {'+MB':>6} {'after':>6} "
          f"{'out KB':>7}  ok  first message")  # fmt: skip
    for r in results:
        m = r["measure"]
        extra = m.get("peak_mb", 0) - m.get("baseline_mb", 0)
        after = f"{m['after_mb']:6.0f}" if "after_mb" in m else "     -"
        printed = f"{m['printed_bytes'] / 1024:7.1f}" if "printed_bytes" in m else "      -"
        status = "yes" if _judge(m) else "NO "
        print(f"{r['name'][:52]:52} {r['size_mb']:6.1f} {r['route']:8} {m.get('seconds', 0):6.1f} "
              f"{m.get('baseline_mb', 0):6.0f} {m.get('peak_mb', 0):6.0f} {extra:6.0f} {after} {printed}  {status} "
              f"{_first_message(m)}")  # fmt: skip


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench hostile", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    parser.add_argument("--size-mb", type=float, default=limits().file_mb - 1, help="the size of the big files")
    parser.add_argument("--only", default="", help="comma-separated words: run the entries whose name has one")
    parser.add_argument("--output", type=Path, default=RESULTS / "hostile.json")
    args = parser.parse_args(argv)
    size = int(args.size_mb * MB)
    wanted = [w.strip() for w in args.only.split(",") if w.strip()]
    entries = [e for e in corpus() if not wanted or any(w in e.name for w in wanted)]
    started = time.time()
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="commstats-hostile-") as folder:
        workdir = Path(folder)
        database = _empty_database(workdir)
        for entry in entries:
            path = workdir / entry.file
            path.write_bytes(entry.build(size))
            for route in entry.routes:
                measure = _run(route, path, database)
                results.append({"name": entry.name, "file": entry.file, "valid": entry.valid, "route": route,
                                "size_mb": path.stat().st_size / MB, "measure": measure})  # fmt: skip
                show(results[-1:])
            path.unlink()
    show(results)
    met = all(_judge(r["measure"]) for r in results)
    print(f"\nbudget ≤ {BUDGET_SECONDS:.0f} s and ≤ {BUDGET_EXTRA_MB:.0f} MB extra: {'met' if met else 'NOT met'}")
    output = {"machine": platform.platform(), "cpus": os.cpu_count(), "seconds": round(time.time() - started, 1),
              "limits": limits().__dict__, "budget": {"seconds": BUDGET_SECONDS, "extra_mb": BUDGET_EXTRA_MB},
              "met": met, "results": results}  # fmt: skip
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(output, indent=2, ensure_ascii=False, default=str))
    print(f"written {args.output}")
