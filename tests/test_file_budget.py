"""The budget per file (etl/limits.py), thrown at by a generated corpus of hostile files.

Each case trips one limit with a small file (the limit lowered for the test, as an office's settings
could), through the CLI command that reads that source and, where the import page takes the source,
through the page itself (Streamlit's AppTest, in English so that both languages are checked). Each
asserts the message (its key rendered with its parameters, and the row and column it names), the
budget as counted work (the problems listed never exceed `problems_kept`; the CLI run's traced memory
stays under a bound) and that the database did not change. A handful of full-size attacks from the
issue run the real CLI in a child process under resource.setrlimit (memory and CPU), with the
default limits: exceeding the budget kills the child and fails the test.
"""

from __future__ import annotations

import io
import os
import resource
import subprocess
import sys
import tracemalloc
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from commstats.cli import app
from commstats.config import PROJECT_ROOT
from commstats.db import make_engine
from commstats.i18n import t
from commstats.numbers import format_count
from commstats.template import build_template
from etl.limits import Limits, override
from etl.limits import current as limits
from etl.problems import Problem, ProblemLog
from tests.apptest import run_page
from tests.conftest import sqlite_url
from tests.dbstate import snapshot
from tests.importfiles import (
    csv_text,
    docx_paragraphs,
    invalid_long_csv,
    pdf_shared_stream,
    raw_xlsx,
    repeated,
    rewrite_member,
    sheet_row,
    to_windows_1258,
    xlsx_long_inline_cell,
    xlsx_long_shared_string,
    xlsx_many_cells,
    xlsx_rows,
    xlsx_shared_strings,
)

UNIT = "test-unit"
LONG = ("period", "metric", "member", "value")
CLI_TRACED_MB = 64  # what one small hostile file may allocate in the CLI, imports of readers included
COMMANDS = {
    "long": ["import"],
    "register": ["register", "import"],
    "targets": ["targets", "import"],
    "report": ["extract"],
}
PAGE_SOURCES = {"long", "register"}  # what the import page takes (the workbook counts as "long")


@dataclass(frozen=True)
class Case:
    id: str
    source: str  # long (CSV/XLSX/workbook), register, targets, report
    file: str
    build: Callable[[Engine], bytes]
    key: str
    params: dict[str, object] = field(default_factory=dict)
    limits: dict[str, object] = field(default_factory=dict)
    row: int | None = None
    column: str = ""
    more: int = 0  # problems only counted (beyond problems_kept)


def _good(n: int) -> list[tuple[object, ...]]:
    """n distinct valid long-format rows."""
    return [(f"{2000 + i // 12}-{i % 12 + 1:02d}", "portal_audio", "", i) for i in range(n)]


def _csv(rows: list[tuple[object, ...]], header: tuple[str, ...] = LONG) -> Callable[[Engine], bytes]:
    return lambda engine: csv_text(rows, header).encode()


def _bad(kind: str, n: int) -> list[tuple[object, ...]]:
    """n rows that each have one problem of a kind."""
    good = _good(n)
    change = {
        "negative": lambda r: (*r[:3], -1 - int(r[3])),
        "period": lambda r: ("tháng 13/2019", *r[1:]),
        "metric": lambda r: (r[0], "no_such_metric", *r[2:]),
        "text": lambda r: (*r[:3], "mười bốn"),
        "fraction": lambda r: (*r[:3], f"{r[3]},5"),
        "member": lambda r: (r[0], "portal_posts", "xx", r[3]),
        "duplicate": lambda r: ("2019-07", "portal_audio", "", r[3]),
    }[kind]
    return [change(r) for r in good]


MIXED = invalid_long_csv(4000)  # each row: unknown unit, bad period, unknown metric, negative value
MORE_KEYS = {
    "negative": "negative_value",
    "period": "bad_period",
    "metric": "unknown_metric",
    "text": "not_a_number",
    "fraction": "fractional_value",
    "member": "unknown_member",
}
MORE_COLUMNS = {"negative": "value", "period": "period", "metric": "metric", "text": "value", "fraction": "value"}
MORE_PARAMS: dict[str, dict[str, object]] = {k: {"limit": 10**12} for k in ("negative", "text", "fraction")}


def _template(engine: Engine, fill: Callable[[openpyxl.worksheet.worksheet.Worksheet], None]) -> bytes:
    book = openpyxl.load_workbook(io.BytesIO(build_template(engine, 2019, UNIT)))
    fill(book.worksheets[1])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _template_negatives(engine: Engine) -> bytes:
    def fill(sheet) -> None:  # type: ignore[no-untyped-def]
        for row in sheet.iter_rows(min_row=1):
            if row[0].value and "|" not in str(row[0].value) and not str(row[0].value).startswith("commstats"):
                for cell in row[3:15]:
                    cell.value = -5

    return _template(engine, fill)


def _template_long_rows(engine: Engine) -> bytes:
    def fill(sheet) -> None:  # type: ignore[no-untyped-def]
        for n in range(40):
            sheet.append([None, f"ghi chú {n}"])

    return _template(engine, fill)


def _template_long_text(engine: Engine) -> bytes:
    def fill(sheet) -> None:  # type: ignore[no-untyped-def]
        sheet["B40"] = "x" * 5000

    return _template(engine, fill)


TARGETS = ("year", "metric", "value")
REGISTER_HEADER = ("Số", "Loại", "Ngày cấp", "Tổ chức")


def _register_rows(n: int, day: str = "16/07/2019") -> list[tuple[object, ...]]:
    return [(f"{i:03d}/GP", "Giấy phép xuất bản", day, f"Tổ chức {i}") for i in range(n)]


def _targets_rows(n: int, value: object = 100) -> list[tuple[object, ...]]:
    return [(2000 + i, "portal_audio", value) for i in range(n)]


DOCX_PARTS = len(zipfile.ZipFile(io.BytesIO(docx_paragraphs(1))).infolist())


def _docx_text(n: int) -> Callable[[Engine], bytes]:
    return lambda engine: docx_paragraphs(n, "Đăng 33 tin, bài tiếng Việt")


def _pdf(pages: int, stream: int, text: str = "") -> Callable[[Engine], bytes]:
    return lambda engine: pdf_shared_stream(pages, stream, text)


def _utf16(rows: list[tuple[object, ...]]) -> Callable[[Engine], bytes]:
    return lambda engine: csv_text(rows, LONG).encode("utf-16")


def _cp1258(rows: list[tuple[object, ...]]) -> Callable[[Engine], bytes]:
    return lambda engine: to_windows_1258(csv_text(rows, (*LONG, "note")))


def _open_quote(engine: Engine) -> bytes:
    return csv_text(_good(2), LONG).encode() + b'2019-07,portal_audio,,"14\r\n' + b"x,y,z\r\n" * 40


def _long_header_cell(engine: Engine) -> bytes:
    return ("period,metric,member,value," + "h" * 300 + "\r\n2019-07,portal_audio,,14\r\n").encode()


def _multiline_records(engine: Engine) -> bytes:
    """Few lines but many records would pass a line count; records are what count (quoted newlines)."""
    rows = [(*r, "một\ndòng\nghi chú") for r in _good(12)]
    return csv_text(rows, (*LONG, "note")).encode()


def _xlsx_bad(kind: str, n: int) -> Callable[[Engine], bytes]:
    return lambda engine: xlsx_rows(_bad(kind, n))


def _inline(line: int, column: str) -> Callable[[Engine], bytes]:
    return lambda engine: xlsx_long_inline_cell(3000, line, column)


def _xlsx_prefixed_cells(engine: Engine) -> bytes:
    """Cells written with a namespace prefix (x:c), as some generators do, are counted too."""
    rows = "".join(f'<x:row r="{n}"><x:c r="A{n}"><x:v>1</x:v></x:c></x:row>' for n in range(1, 60))
    content = raw_xlsx([sheet_row(1, LONG)])
    return rewrite_member(
        content, "xl/worksheets/sheet1.xml", lambda xml: xml.replace("</sheetData>", rows + "</sheetData>")
    )


CASES: list[Case] = [
    # long CSV: rows, cells, columns, size, and many problems (capped)
    Case("csv-rows", "long", "rows.csv", _csv(_good(12)), "too_many_rows", {"limit": 5}, {"rows": 5}, 7),
    Case("csv-rows-txt", "long", "rows.txt", _csv(_good(30)), "too_many_rows", {"limit": 20}, {"rows": 20}, 22),
    Case("csv-rows-utf16", "long", "rows16.csv", _utf16(_good(12)), "too_many_rows", {"limit": 8}, {"rows": 8}, 10),
    Case(
        "csv-rows-cp1258",
        "long",
        "rows1258.csv",
        _cp1258([(*r, "Sở Thông tin") for r in _good(9)]),
        "too_many_rows",
        {"limit": 4},
        {"rows": 4},
        6,
    ),
    Case(
        "csv-rows-quoted-newlines",
        "long",
        "multi.csv",
        _multiline_records,
        "too_many_rows",
        {"limit": 10},
        {"rows": 10},
        12,
    ),
    Case(
        "csv-cell",
        "long",
        "cell.csv",
        _csv([*_good(2), ("2019-07", "portal_audio", "", "9" * 80)]),
        "cell_too_long",
        {"limit": 50},
        {"cell_chars": 50},
        4,
    ),
    Case(
        "csv-cell-header",
        "long",
        "cellhead.csv",
        _long_header_cell,
        "cell_too_long",
        {"limit": 100},
        {"cell_chars": 100},
        1,
    ),
    Case("csv-open-quote", "long", "quote.csv", _open_quote, "cell_too_long", {"limit": 64}, {"cell_chars": 64}, 4),
    Case(
        "csv-columns",
        "long",
        "wide.csv",
        _csv(_good(1), (*LONG, "a", "b", "c", "d")),
        "too_many_columns",
        {"count": 8, "expected": 6},
        {"columns": 6},
        1,
    ),
    Case(
        "csv-size",
        "long",
        "big.csv",
        _csv(_good(200)),
        "file_too_large",
        {"size_mb": 0, "limit_mb": 0},
        {"file_bytes": 2000},
    ),
    *[
        Case(
            f"csv-many-{kind}",
            "long",
            f"many-{kind}.csv",
            _csv(_bad(kind, 60)),
            MORE_KEYS[kind],
            MORE_PARAMS.get(kind, {}),
            {"problems_kept": 5},
            2,
            MORE_COLUMNS.get(kind, "member"),
            55,
        )
        for kind in ("negative", "period", "metric", "text", "fraction")
    ],
    Case(
        "csv-many-mixed",
        "long",
        "mixed.csv",
        lambda e: MIXED,
        "unknown_unit",
        {"allowed": UNIT},
        {"problems_kept": 10},
        2,
        "unit",
        4 * (MIXED.count(b"\n") - 1) - 10,
    ),
    # long XLSX: counted in the archive before openpyxl
    Case(
        "xlsx-rows", "long", "rows.xlsx", lambda e: xlsx_rows(_good(12)), "too_many_rows", {"limit": 5}, {"rows": 5}, 7
    ),
    Case(
        "xlsx-cells",
        "long",
        "cells.xlsx",
        lambda e: xlsx_many_cells(2000),
        "xlsx_too_many_cells",
        {"limit": 500, "part": "xl/worksheets/sheet1.xml"},
        {"xlsx_cells": 500},
    ),
    Case(
        "xlsx-cells-prefixed",
        "long",
        "prefixed.xlsx",
        _xlsx_prefixed_cells,
        "xlsx_too_many_cells",
        {"limit": 30, "part": "xl/worksheets/sheet1.xml"},
        {"xlsx_cells": 30},
    ),
    Case(
        "xlsx-shared-strings",
        "long",
        "strings.xlsx",
        lambda e: xlsx_shared_strings(5000),
        "xlsx_too_many_shared_strings",
        {"limit": 1000},
        {"shared_strings": 1000},
    ),
    Case(
        "xlsx-shared-long",
        "long",
        "sharedlong.xlsx",
        lambda e: xlsx_long_shared_string(5000),
        "cell_too_long",
        {"limit": 200},
        {"cell_chars": 200},
    ),
    *[
        Case(
            f"xlsx-inline-long-{column}{line}",
            "long",
            f"inline-{column}{line}.xlsx",
            _inline(line, column),
            "cell_too_long",
            {"limit": 300},
            {"cell_chars": 300},
            line,
            column,
        )
        for line, column in ((2, "D"), (5, "B"), (9, "A"), (3, "C"))
    ],
    Case(
        "xlsx-unzipped",
        "long",
        "bomb.xlsx",
        lambda e: xlsx_rows(_good(300)),
        "xlsx_too_big",
        {"size_mb": 0},
        {"xlsx_unzipped_bytes": 5000},
    ),
    Case(
        "xlsx-columns",
        "long",
        "wide.xlsx",
        lambda e: xlsx_rows(_good(1), (*LONG, "a", "b", "c", "d", "e")),
        "too_many_columns",
        {"count": 9, "expected": 6},
        {"columns": 6},
        1,
    ),
    Case(
        "xlsx-size",
        "long",
        "big.xlsx",
        lambda e: xlsx_rows(_good(500)),
        "file_too_large",
        {"size_mb": 0, "limit_mb": 0},
        {"file_bytes": 3000},
    ),
    *[
        Case(
            f"xlsx-many-{kind}",
            "long",
            f"many-{kind}.xlsx",
            _xlsx_bad(kind, 40),
            MORE_KEYS[kind],
            MORE_PARAMS.get(kind, {}),
            {"problems_kept": 3},
            2,
            MORE_COLUMNS.get(kind, "member"),
            37,
        )
        for kind in ("negative", "period", "metric", "text")
    ],
    # the data-entry workbook
    Case(
        "template-rows",
        "long",
        "bieu-mau.xlsx",
        _template_long_rows,
        "too_many_rows",
        {"limit": 30},
        {"template_rows": 30},
        31,
    ),
    Case(
        "template-long-text",
        "long",
        "bieu-mau-dai.xlsx",
        _template_long_text,
        "cell_too_long",
        {"limit": 1000},
        {"cell_chars": 1000},
    ),
    # licence register (CSV and XLSX)
    Case(
        "register-rows",
        "register",
        "so-dang-ky.csv",
        _csv(_register_rows(12), REGISTER_HEADER),
        "too_many_rows",
        {"limit": 5},
        {"register_rows": 5},
        7,
    ),
    Case(
        "register-rows-xlsx",
        "register",
        "so-dang-ky.xlsx",
        lambda e: xlsx_rows(_register_rows(12), REGISTER_HEADER),
        "too_many_rows",
        {"limit": 5},
        {"register_rows": 5},
        7,
    ),
    Case(
        "register-cell",
        "register",
        "so-dai.csv",
        _csv([*_register_rows(2), ("9/GP", "Giấy phép xuất bản", "16/07/2019", "T" * 90)], REGISTER_HEADER),
        "cell_too_long",
        {"limit": 60},
        {"cell_chars": 60},
        4,
    ),
    Case(
        "register-many-dates",
        "register",
        "so-ngay.csv",
        _csv(_register_rows(30, "31/02/2019"), REGISTER_HEADER),
        "register_impossible_date",
        {"first": 1990, "last": 2100},
        {"problems_kept": 4},
        2,
        "C – Ngày cấp",
        26,
    ),
    Case(
        "register-shared-strings",
        "register",
        "so-chuoi.xlsx",
        lambda e: xlsx_shared_strings(3000),
        "xlsx_too_many_shared_strings",
        {"limit": 100},
        {"shared_strings": 100},
    ),
    # annual targets
    Case(
        "targets-rows",
        "targets",
        "ke-hoach.csv",
        _csv(_targets_rows(12), TARGETS),
        "too_many_rows",
        {"limit": 5},
        {"rows": 5},
        7,
    ),
    Case(
        "targets-cell",
        "targets",
        "ke-hoach-dai.csv",
        _csv([(2019, "portal_audio", "1" * 99)], TARGETS),
        "cell_too_long",
        {"limit": 40},
        {"cell_chars": 40},
        2,
    ),
    Case(
        "targets-many",
        "targets",
        "ke-hoach-am.csv",
        _csv(_targets_rows(20, -3), TARGETS),
        "negative_value",
        {"limit": 10**12},
        {"problems_kept": 2},
        2,
        "value",
        18,
    ),
    Case(
        "targets-xlsx-cells",
        "targets",
        "ke-hoach.xlsx",
        lambda e: xlsx_many_cells(900),
        "xlsx_too_many_cells",
        {"limit": 100, "part": "xl/worksheets/sheet1.xml"},
        {"xlsx_cells": 100},
    ),
    # past reports
    Case(
        "docx-paragraphs",
        "report",
        "bao-cao.docx",
        lambda e: docx_paragraphs(500),
        "report_docx_too_many_paragraphs",
        {"limit": 100},
        {"paragraphs": 100},
    ),
    Case(
        "docx-paragraphs-text",
        "report",
        "bao-cao-chu.docx",
        _docx_text(80),
        "report_docx_too_many_paragraphs",
        {"limit": 30},
        {"paragraphs": 30},
    ),
    Case(
        "docx-document-bytes",
        "report",
        "bao-cao-lon.docx",
        lambda e: docx_paragraphs(3000),
        "report_docx_too_big",
        {"size_mb": 0, "parts": DOCX_PARTS},
        {"docx_document_bytes": 4096},
    ),
    Case(
        "docx-unzipped",
        "report",
        "bom.docx",
        lambda e: docx_paragraphs(3000),
        "report_docx_too_big",
        {"size_mb": 0, "parts": DOCX_PARTS},
        {"docx_unzipped_bytes": 20_000},
    ),
    Case(
        "docx-parts",
        "report",
        "nhieu-phan.docx",
        lambda e: docx_paragraphs(5),
        "report_docx_too_big",
        {"size_mb": 0, "parts": DOCX_PARTS},
        {"docx_parts": 3},
    ),
    Case(
        "pdf-pages",
        "report",
        "bao-cao.pdf",
        _pdf(8, 100),
        "report_pdf_too_long",
        {"pages": 8, "limit": 5},
        {"pdf_pages": 5},
    ),
    Case(
        "pdf-shared-stream",
        "report",
        "chung.pdf",
        _pdf(50, 20_000),
        "report_pdf_content_too_big",
        {"limit_mb": 0, "page": 6},
        {"pdf_content_bytes": 100_000},
    ),
    Case(
        "pdf-text",
        "report",
        "chu.pdf",
        _pdf(20, 200, "Dang 33 tin bai tieng Viet " * 3),
        "report_too_long",
        {"limit": 300},
        {"text_chars": 300},
    ),
    Case(
        "txt-text",
        "report",
        "bao-cao.txt",
        lambda e: ("Đăng 33 tin, bài tiếng Việt. " * 40).encode(),
        "report_too_long",
        {"limit": 500},
        {"text_chars": 500},
    ),
    Case(
        "txt-size",
        "report",
        "lon.txt",
        lambda e: b"Dang 33 tin. " * 400,
        "file_too_large",
        {"size_mb": 0, "limit_mb": 0},
        {"file_bytes": 4000},
    ),
    Case(
        "docx-size",
        "report",
        "lon.docx",
        lambda e: docx_paragraphs(10, "x" * 400),
        "file_too_large",
        {"size_mb": 0, "limit_mb": 0},
        {"file_bytes": 5000},
    ),
]


@pytest.fixture
def target(empty_db: Path) -> Iterator[tuple[Engine, str]]:
    url = sqlite_url(empty_db)
    engine = make_engine(url)
    yield engine, url
    engine.dispose()


def _message(case: Case, lang: str) -> str:
    return t(case.key, lang, **case.params)


def test_corpus_has_many_distinct_inputs_over_every_source():
    assert len({c.id for c in CASES}) == len(CASES) >= 50
    assert {c.source for c in CASES} == set(COMMANDS)
    limited = {name for c in CASES for name in c.limits}
    # every limit that bounds reading a file is tripped by at least one case (the feeds' own limits are
    # tripped in tests/test_feeds_parse.py and test_feeds_fetch.py; time is never asserted)
    feeds = {"feed_bytes", "feed_unzipped_bytes", "feed_entries"}
    assert limited >= set(Limits.__dataclass_fields__) - {"pdf_seconds"} - feeds


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_cli_refuses_within_budget(case: Case, target, tmp_path: Path):
    engine, url = target
    path = tmp_path / case.file
    path.write_bytes(case.build(engine))
    before = snapshot(engine)
    args = [*COMMANDS[case.source], str(path), "--unit", UNIT, "--db", url]
    if case.source == "report":
        args.insert(2, "--load")
    with override(**case.limits) as active:
        tracemalloc.start()
        try:
            done = CliRunner().invoke(app, args)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert snapshot(engine) == before, "a refused file changed the database"
    assert done.exit_code == 1, done.output
    assert done.exception is None or isinstance(done.exception, SystemExit), done.exception
    output = done.output
    assert "Traceback" not in output and case.file in output
    assert _message(case, "vi") in output, output
    if case.row is not None:
        assert f"dòng {case.row}, cột {case.column or '-'}" in output, output
    listed = output.count("  dòng ")
    assert listed <= active.problems_kept, f"{listed} problems listed"
    if case.more:
        assert t("problems_more", "vi", count=format_count(case.more, "vi"), kinds="").split(":")[0] in output, output
    assert peak < CLI_TRACED_MB * 2**20, f"{peak / 2**20:.0f} MB traced"


PAGE_CASES = [c for c in CASES if c.source in PAGE_SOURCES]


@pytest.mark.parametrize("case", PAGE_CASES, ids=[c.id for c in PAGE_CASES])
def test_import_page_refuses_within_budget(case: Case, target, monkeypatch):
    engine, url = target
    content = case.build(engine)
    before = snapshot(engine)
    with override(**case.limits) as active:
        page = run_page(url, monkeypatch, page="pages/import.py", lang="en")
        page.file_uploader(key="import_file").upload(case.file, content, "application/octet-stream")
        page.run()
    assert not page.exception, page.exception
    assert snapshot(engine) == before
    assert not page.button, "a refused file offered the import button"
    table = page.dataframe[-1].value
    assert list(table.columns) == ["Row", "Column", "Value", "Problem"]
    assert len(table) <= active.problems_kept + 1  # the kept problems and one line counting the rest
    wanted = table[table["Problem"] == _message(case, "en")]
    assert not wanted.empty, table.to_dict("records")
    if case.row is not None:
        assert (str(case.row), case.column or "-") in set(zip(wanted["Row"], wanted["Column"], strict=True))
    total = len(table) - (1 if case.more else 0) + case.more
    assert format_count(total, "en") in page.error[0].value, page.error[0].value
    if case.more:
        assert table.iloc[-1]["Problem"].startswith(f"and {case.more:,} more problems"), table.iloc[-1]["Problem"]


def test_problem_log_keeps_the_first_and_counts_the_rest():
    log = ProblemLog(keep=2)
    for n in range(5):
        log.append(Problem("f.csv", n + 2, "value", "-1", "negative_value", {"limit": 1}))
    log += [Problem("f.csv", 9, "period", "x", "bad_period")]
    assert [p.row for p in log] == [2, 3] and log.total == 6
    assert log.more_text("vi") == "và 4 lỗi khác (chỉ đếm, không liệt kê): 3 × giá trị âm; 1 × kỳ không hợp lệ."
    merged = ProblemLog(keep=10)
    merged.extend(log)
    assert merged.total == 6 and len(merged) == 2  # the counts travel with the log


KINDS_OF_LIMIT = ("_BYTES", "_MB", "_ROWS", "_COLUMNS", "_CELLS", "_PAGES", "_PARTS", "_CHARS", "_PARAGRAPHS")


def test_limits_live_in_one_place():
    """The upload limit is the settings' one, the page's and Streamlit's (config.toml) agree with it."""
    import tomllib

    from commstats.config import get_settings

    assert limits().file_bytes == get_settings().max_upload_mb * 2**20
    config = tomllib.loads((PROJECT_ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["maxUploadSize"] == limits().file_mb
    constants = [
        line
        for folder in ("etl", "commstats", "pages")
        for path in (PROJECT_ROOT / folder).rglob("*.py")
        if path.name != "limits.py"
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.startswith("MAX_") and line.split("=")[0].strip().endswith(KINDS_OF_LIMIT)
    ]
    assert constants == [], constants


# --- full size, from the issue: the real CLI in a child process under memory and CPU limits ----------

BUDGET_MEMORY = 1536 * 2**20  # the process's data segment: its imports plus the 1 GB budget
BUDGET_CPU_SECONDS = 120  # CPU, not wall time: a shared machine slows the wall clock, not the work


@dataclass(frozen=True)
class FullCase:
    id: str
    source: str
    file: str
    build: Callable[[], bytes]
    key: str


FULL_CASES = [
    FullCase("csv-49mb-invalid", "long", "loi.csv", lambda: invalid_long_csv(49 * 2**20), "too_many_rows"),
    FullCase(
        "csv-invalid-rows-capped",
        "long",
        "loi-it.csv",
        lambda: repeated("period,metric,member,value\r\n", "2019-07,portal_audio,,-{i}\r\n", 60_000 * 25),
        "negative_value",
    ),
    FullCase(
        "xlsx-8m-shared-strings",
        "long",
        "chuoi.xlsx",
        lambda: xlsx_shared_strings(8_000_000),
        "xlsx_too_many_shared_strings",
    ),
    FullCase("xlsx-300mb-cell", "long", "o.xlsx", lambda: xlsx_long_shared_string(300 * 2**20), "cell_too_long"),
    FullCase(
        "docx-5m-paragraphs",
        "report",
        "doan.docx",
        lambda: docx_paragraphs(5_500_000),
        "report_docx_too_many_paragraphs",
    ),
    FullCase(
        "pdf-1000-pages-shared-stream",
        "report",
        "chung.pdf",
        lambda: pdf_shared_stream(1000, 20 * 2**20),
        "report_pdf_content_too_big",
    ),
]


def _limited() -> None:
    resource.setrlimit(resource.RLIMIT_DATA, (BUDGET_MEMORY, BUDGET_MEMORY))
    resource.setrlimit(resource.RLIMIT_CPU, (BUDGET_CPU_SECONDS, BUDGET_CPU_SECONDS))


@pytest.mark.parametrize("case", FULL_CASES, ids=[c.id for c in FULL_CASES])
def test_full_size_attack_is_refused_within_the_budget(case: FullCase, target, tmp_path: Path):
    engine, url = target
    path = tmp_path / case.file
    path.write_bytes(case.build())
    before = snapshot(engine)
    args = [*COMMANDS[case.source], str(path), "--unit", UNIT, "--db", url]
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "commstats", *args],
        capture_output=True,
        env=env,
        cwd=tmp_path,
        preexec_fn=_limited,
        timeout=600,
        check=False,
    )
    output = (done.stdout + done.stderr).decode("utf-8", "replace")
    assert done.returncode == 1, f"exit {done.returncode} (killed by the budget?):\n{output[-2000:]}"
    assert "Traceback" not in output and "MemoryError" not in output
    assert snapshot(engine) == before
    assert case.file in output
    problem = t(case.key, "vi", limit=0, limit_mb=0, page=0, pages=0, part="", count=0).split("0")[0][:20]
    assert problem in output, output[-2000:]
    assert output.count("\n") < limits().problems_kept + 20, "more lines than the kept problems"


def test_a_big_register_is_recognised_whatever_byte_its_head_is_cut_at():
    """The page finds a register by the header in the file's first 64 KB; a cut inside a Vietnamese
    character made that head undecodable and the register was taken for a long file."""
    from etl.upload import detect_kind

    rows = csv_text(_register_rows(3000), REGISTER_HEADER).encode()
    for pad in range(64):
        content = rows.replace(b"000/GP,", b"000/GP" + b"x" * pad + b",", 1)
        try:
            content[:65536].decode("utf-8")
        except UnicodeDecodeError:
            break
    else:
        raise AssertionError("no padding puts the 64 KB cut inside a character")
    assert detect_kind(content, "so-dang-ky.csv") == "register"
