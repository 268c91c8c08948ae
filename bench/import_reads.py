"""How often an upload is read and parsed, and what the page's preview + load cost against one bare parse.

python -m bench.import_reads [--rows 20000] [--before DIR]

With `--before DIR` (a checkout of an older version, e.g. `git worktree add DIR <commit>` or `git archive`),
the same measurement runs there in a subprocess right after this one, and the table adds the older parse
counts and the time of this version's preview against the older one's (after / before, lower is better).

For each kind the import page takes (long CSV, long XLSX, the data-entry workbook, a licence register as
CSV and XLSX) this counts the parses of one preview and of one load — CSV parsers started (`csv.reader`)
and workbooks opened (`openpyxl.load_workbook`) — and times preview + load against a baseline measured in
the same run on the same file: one bare parse (decode and read every CSV record, or open the workbook and
read every row of every sheet). The ratio says how many parses' worth of time the import costs; the counts
say how many times the file was parsed. Counting wraps the two library calls and still calls them.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import openpyxl

from bench.measure import Timing
from commstats.bootstrap import add_unit, init_database
from commstats.db import make_engine
from commstats.template import CODE_HEADER, MARKER_SHEET, build_template
from etl import upload

UNIT = "bench-unit"
MEMBERS = {
    "portal_posts": ("vi", "km", "en"),
    "ioffice_documents": ("incoming", "outgoing"),
    "sites_posts": tuple(f"trang-{i:03d}" for i in range(120)),
}
PLAIN = ("portal_audio", "portal_drafts", "portal_procedure_decisions", "publishing_licences", "igate_received")


@contextmanager
def counted() -> Iterator[dict[str, int]]:
    """Count CSV parsers started and workbooks opened in a block (the real calls still run)."""
    counts = {"csv": 0, "xlsx": 0}
    real_reader, real_open = csv.reader, openpyxl.load_workbook

    def reader(*args: Any, **kwargs: Any) -> Any:
        counts["csv"] += 1
        return real_reader(*args, **kwargs)

    def load_workbook(*args: Any, **kwargs: Any) -> Any:
        counts["xlsx"] += 1
        return real_open(*args, **kwargs)

    csv.reader, openpyxl.load_workbook = reader, load_workbook
    try:
        yield counts
    finally:
        csv.reader, openpyxl.load_workbook = real_reader, real_open


def long_rows(count: int) -> list[tuple[object, ...]]:
    """`count` distinct figures of the bench unit, month by month back from 2019-12."""
    keys = [(m, member) for m, members in MEMBERS.items() for member in members] + [(m, "") for m in PLAIN]
    rows: list[tuple[object, ...]] = []
    year, month = 2019, 12
    while len(rows) < count:
        for metric, member in keys:
            rows.append((f"{year}-{month:02d}", metric, member, 10 + len(rows) % 97, ""))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return rows[:count]


def long_csv(count: int) -> bytes:
    lines = ["period,metric,member,value,note"] + [",".join(str(v) for v in row) for row in long_rows(count)]
    return ("\r\n".join(lines) + "\r\n").encode()


def long_xlsx(count: int) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["period", "metric", "member", "value", "note"])
    for row in long_rows(count):
        sheet.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def filled_template(engine: Any) -> bytes:
    """The data-entry workbook of 2019 with every non-total row filled for all twelve months."""
    workbook = openpyxl.load_workbook(io.BytesIO(build_template(engine, 2019, UNIT)))
    for sheet in workbook.worksheets:
        if sheet.title == MARKER_SHEET:
            continue
        header = next((r for r in range(1, 41) if sheet.cell(r, 1).value == CODE_HEADER), None)
        if header is None:
            continue
        months = [c for c in range(2, sheet.max_column + 1) if str(sheet.cell(header, c).value or "").count("/") == 1]
        for r in range(header + 1, sheet.max_row + 1):
            code = str(sheet.cell(r, 1).value or "")
            if code and not code.endswith("|*"):
                for c in months:
                    sheet.cell(r, c).value = 3
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def register_rows(count: int) -> list[list[object]]:
    start = dt.date(2019, 1, 1)
    return [
        [
            f"{i:05d}/GP",
            "Giấy phép xuất bản" if i % 3 else "Tờ khai hoạt động in",
            f"{(start + dt.timedelta(days=i % 300)):%d/%m/%Y}",
            "Công ty A",
            "Tài liệu",
        ]
        for i in range(count)
    ]


REGISTER_HEADER = ["Số", "Loại", "Ngày cấp", "Tổ chức", "Tên tài liệu"]


def register_csv(count: int) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(REGISTER_HEADER)
    writer.writerows(register_rows(count))
    return out.getvalue().encode()


def register_xlsx(count: int) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(REGISTER_HEADER)
    for row in register_rows(count):
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def bare_parse(content: bytes, name: str) -> None:
    """The baseline: the file parsed once, every record of every sheet read."""
    if name.endswith(".xlsx"):
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        for sheet in workbook.worksheets:
            for _row in sheet.iter_rows(values_only=True):
                pass
        workbook.close()
        return
    for _record in csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")):
        pass


def measure(engine: Any, content: bytes, name: str, repeat: int) -> dict[str, object]:
    with counted() as preview_counts:
        found = upload.preview(engine, content, name, unit=UNIT)
    assert found.ok, found.report.summary("en")
    ours, base = Timing(), Timing()
    for _ in range(repeat):  # interleaved, so both see the same load of the machine
        ours.add(lambda: upload.preview(engine, content, name, unit=UNIT))
        base.add(lambda: bare_parse(content, name))
    with counted() as load_counts:
        loaded = upload.load(engine, content, name, unit=UNIT)
    assert loaded.ok, loaded.report.summary("en")
    return {
        "file": name,
        "kind": found.kind,
        "bytes": len(content),
        "preview_parses": preview_counts["csv"] + preview_counts["xlsx"],
        "load_parses": load_counts["csv"] + load_counts["xlsx"],
        "preview_seconds": round(ours.best, 4),
        "bare_parse_seconds": round(base.best, 4),
        "ratio": round(ours.best / base.best, 2),
    }


def run(rows: int, repeat: int = 3) -> list[dict[str, object]]:
    with tempfile.TemporaryDirectory() as folder:
        results = []
        files: list[tuple[str, Callable[[Any], bytes]]] = [
            ("long.csv", lambda _e: long_csv(rows)),
            ("long.xlsx", lambda _e: long_xlsx(rows // 4)),
            ("bieu-mau.xlsx", filled_template),
            ("so-dang-ky.csv", lambda _e: register_csv(rows // 4)),
            ("so-dang-ky.xlsx", lambda _e: register_xlsx(rows // 8)),
        ]
        for name, build in files:
            engine = make_engine(f"sqlite:///{Path(folder) / (name + '.db')}")  # each file into an empty database
            init_database(engine)
            add_unit(engine, UNIT, "Đơn vị đo")
            results.append(measure(engine, build(engine), name, repeat))
            engine.dispose()
        return results


def before(folder: Path, rows: int, repeat: int) -> dict[str, dict[str, Any]]:
    """The same measurement in an older checkout (its own interpreter run, its own code)."""
    own = Path(__file__).read_text(encoding="utf-8")
    script = folder / "bench" / "_import_reads_now.py"
    script.write_text(own, encoding="utf-8")  # this measurement, run against the older code
    try:
        done = subprocess.run(
            [sys.executable, "-m", "bench._import_reads_now", "--rows", str(rows), "--repeat", str(repeat), "--json"],
            cwd=folder,
            capture_output=True,
            text=True,
            check=True,
        )
    finally:
        script.unlink()
    return {r["file"]: r for r in json.loads(done.stdout.splitlines()[-1])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--before", type=Path, help="an older checkout to compare with")
    parser.add_argument("--json", action="store_true", help="print the results as one JSON line")
    args = parser.parse_args()
    results = run(args.rows, args.repeat)
    if args.json:
        print(json.dumps(results))
        return
    old = before(args.before, args.rows, args.repeat) if args.before else {}
    extra = "   before: parses preview/load, preview s, after/before" if old else ""
    print(
        f"{'file':<16} {'kind':<9} {'bytes':>9} {'parses/preview':>15} {'parses/load':>12} {'preview s':>10} "
        f"{'1 parse s':>10} {'ratio':>6}{extra}"
    )
    for r in results:
        line = (
            f"{r['file']:<16} {r['kind']:<9} {r['bytes']:>9} {r['preview_parses']:>15} {r['load_parses']:>12} "
            f"{r['preview_seconds']:>10} {r['bare_parse_seconds']:>10} {r['ratio']:>6}"
        )
        if str(r["file"]) in old:
            b = old[str(r["file"])]
            after_before = float(r["preview_seconds"]) / float(b["preview_seconds"])  # type: ignore[arg-type]
            line += f"   {b['preview_parses']}/{b['load_parses']}, {b['preview_seconds']}, {after_before:.2f}"
        print(line)


if __name__ == "__main__":
    main()
