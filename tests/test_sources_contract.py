"""Every source goes through the one checked import sequence (etl.sources.base.run_import), and an uploaded
file is read and parsed once per preview and once per load.

Each source — long CSV and XLSX, the data-entry workbook, a licence register, targets, report text, the
entry form, the demo and the feeds — gives the same report type, refuses bad input whole with the file,
row and column named (the database unchanged), refuses a file over the size limit unread, and changes
nothing when the same input comes again.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml
from sqlalchemy import Engine, func, select

from commstats.models import ImportBatch, Observation
from commstats.template import CODE_HEADER, MARKER_SHEET, build_template
from etl import upload
from etl.extract.report_text import extract_figures
from etl.fetch import FetchPolicy, make_client
from etl.limits import override
from etl.site_counts import FetchReport, read_site_list
from etl.sources import (
    SOURCES,
    Batch,
    Document,
    ImportReport,
    Source,
    demo,
    detect,
    entry,
    feeds,
    import_file,
    long_file,
    register,
    report_text,
    run_import,
    targets,
    workbook,
)
from etl.validate import CleanRow
from tests.dbstate import snapshot
from tests.feedserver import FeedServer, Reply
from tests.importfiles import GOOD_ROWS, csv_text, xlsx_bytes

UNIT = "test-unit"
REGISTER_HEADER = ("Số", "Loại", "Ngày cấp", "Tổ chức")
REGISTER_ROWS = [
    ("01/GP", "Giấy phép xuất bản", "16/07/2019", "Công ty A"),
    ("02/GP", "Giấy phép xuất bản", "20/07/2019", "Công ty B"),
    ("01/TK", "Tờ khai hoạt động in", "03/08/2019", "Nhà in C"),
]
TARGET_HEADER = ("year", "metric", "value")
TARGET_ROWS = [(2019, "portal_posts", 900), (2019, "publishing_licences", 160)]
REPORT = "Báo cáo công tác tháng 7/2019\nĐăng 33 tin, bài tiếng Việt; 23 tin, bài tiếng Khmer.\n".encode()


def filled_template(engine: Engine, value: object) -> bytes:
    """The 2019 data-entry workbook with `value` typed for July in the first row with a code (not a total)."""
    book = openpyxl.load_workbook(io.BytesIO(build_template(engine, 2019, UNIT)))
    for sheet in book.worksheets:
        if sheet.title == MARKER_SHEET:
            continue
        header = next((r for r in range(1, 41) if sheet.cell(r, 1).value == CODE_HEADER), None)
        if header is None:  # the instructions
            continue
        july = next(c for c in range(2, sheet.max_column + 1) if str(sheet.cell(header, c).value).endswith(" 7/2019"))
        row = next(r for r in range(header + 1, sheet.max_row + 1) if "|*" not in str(sheet.cell(r, 1).value or "|*"))
        sheet.cell(row, july).value = value
        break
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def entry_form(engine: Engine, value: object) -> entry.EntryForm:
    from etl.entry import entry_frame, sections

    month = dt.date(2019, 7, 1)
    section = sections(engine, UNIT)[0].code
    frame = entry_frame(engine, UNIT, month, section)
    frame.loc[0, "value"] = value
    return entry.EntryForm(UNIT, month, section, frame)


def report_figures(content: bytes) -> report_text.ReportFigures:
    return report_text.ReportFigures("bao-cao-thang-7.txt", content, extract_figures(content.decode()))


@dataclass
class Case:
    """One source: a good input, a bad one (and the row and column its problem names), how to run it."""

    source: Source
    good: Callable[[Engine], Any]
    bad: Callable[[Engine], Any]
    where: tuple[int | None, str]  # (row, column) the first problem of the bad input names
    name: str = "input"
    unit: str | None = None


def _file(name: str, content: Callable[[Engine], bytes]) -> Callable[[Engine], Document]:
    return lambda engine: Document(content(engine), name)


def register_csv(rows: list[tuple[str, ...]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows([REGISTER_HEADER, *rows])
    return out.getvalue().encode()


BAD_ROW = ("2019-07", "portal_audio", "", "-5", "")
CASES: dict[str, Case] = {
    "long-csv": Case(
        long_file.SOURCE,
        _file("thang7.csv", lambda _e: csv_text(GOOD_ROWS).encode()),
        _file("thang7.csv", lambda _e: csv_text([*GOOD_ROWS[:2], BAD_ROW]).encode()),
        (4, "value"),
        "thang7.csv",
    ),
    "long-xlsx": Case(
        long_file.SOURCE,
        _file("thang7.xlsx", lambda _e: xlsx_bytes(GOOD_ROWS)),
        _file("thang7.xlsx", lambda _e: xlsx_bytes([*GOOD_ROWS[:2], BAD_ROW])),
        (4, "value"),
        "thang7.xlsx",
    ),
    "workbook": Case(
        workbook.SOURCE,
        _file("bieu-mau.xlsx", lambda e: filled_template(e, 12)),
        _file("bieu-mau.xlsx", lambda e: filled_template(e, "mười hai")),
        (7, "Tháng 7/2019"),
        "bieu-mau.xlsx",
    ),
    "register": Case(
        register.SOURCE,
        _file("so-dang-ky.csv", lambda _e: register_csv(REGISTER_ROWS)),
        _file("so-dang-ky.csv", lambda _e: register_csv([*REGISTER_ROWS, ("03/GP", "Giấy phép", "31/02/2019", "")])),
        (5, "C – Ngày cấp"),
        "so-dang-ky.csv",
    ),
    "targets": Case(
        targets.SOURCE,
        _file("ke-hoach.csv", lambda _e: csv_text(TARGET_ROWS, TARGET_HEADER).encode()),
        _file("ke-hoach.csv", lambda _e: csv_text([*TARGET_ROWS, (2019, "sites_count", 45)], TARGET_HEADER).encode()),
        (4, "metric"),
        "ke-hoach.csv",
    ),
    "report-text": Case(
        report_text.SOURCE,
        lambda _e: report_figures(REPORT),
        lambda _e: report_figures(REPORT),
        (2, "unit"),
        "bao-cao-thang-7.txt",
    ),
    "entry": Case(entry.SOURCE, lambda e: entry_form(e, "12"), lambda e: entry_form(e, "12,5"), (1, "value"), "form"),
    "demo": Case(
        demo.SOURCE,
        lambda _e: [CleanRow(0, UNIT, "portal_posts", dt.date(2019, 7, 1), "vi", 33)],
        lambda _e: [
            CleanRow(0, UNIT, "portal_posts", dt.date(2019, 7, 1), "vi", 33),
            CleanRow(0, UNIT, "khong-co", dt.date(2019, 7, 1), "", 1),
        ],
        (2, "metric"),
        "commstats.demo",
    ),
}


def run(engine: Engine, case: Case, given: Any, *, bad: bool = False, dry_run: bool = False) -> ImportReport:
    """The sequence itself, with what each source takes (the report's bad input: a unit not in the database)."""
    unit = "khong-co" if bad and case.source is report_text.SOURCE else case.unit
    return run_import(engine, case.source, given, Batch(case.name, unit=unit, dry_run=dry_run))


@pytest.mark.parametrize("name", list(CASES))
def test_every_source_goes_through_the_one_sequence(empty_engine: Engine, name: str) -> None:
    case = CASES[name]
    before = snapshot(empty_engine)

    refused = run(empty_engine, case, case.bad(empty_engine), bad=True)
    assert isinstance(refused, ImportReport) and refused.kind == case.source.kind and not refused.ok
    first = refused.problems[0]
    assert (first.file, first.row) == (case.name, case.where[0]), refused.summary("en")
    assert case.where[1] in first.column, refused.summary("en")
    assert first.message("vi") != first.message("en")  # Vietnamese first, English beside it
    assert snapshot(empty_engine) == before, "a refused input changed the database"

    dry = run(empty_engine, case, case.good(empty_engine), dry_run=True)
    assert dry.ok, dry.summary("en")
    assert snapshot(empty_engine) == before, "a dry run changed the database"

    loaded = run(empty_engine, case, case.good(empty_engine))
    assert isinstance(loaded, ImportReport) and loaded.ok, loaded.summary("en")
    assert loaded.result is not None and loaded.result.batch_id is not None and loaded.result.inserted > 0
    with empty_engine.connect() as conn:
        batch = conn.execute(select(ImportBatch).where(ImportBatch.id == loaded.result.batch_id)).one()
    assert batch.source_name == case.name and batch.sha256  # one batch with its provenance
    assert (
        batch.source_kind == loaded.kind
        if case.source is not long_file.SOURCE
        else batch.source_kind in ("csv", "xlsx")
    )
    after = snapshot(empty_engine)

    again = run(empty_engine, case, case.good(empty_engine))
    assert again.ok and again.result is not None and again.result.batch_id is None, again.summary("en")
    assert (again.result.inserted, again.result.updated) == (0, 0)
    assert snapshot(empty_engine) == after, "importing the same input again changed the database"


@pytest.mark.parametrize("name", [n for n, c in CASES.items() if c.source.suffixes])
def test_a_file_over_the_size_limit_is_refused_unread_by_every_file_source(empty_engine: Engine, name: str) -> None:
    case = CASES[name]
    given = case.good(empty_engine)
    before = snapshot(empty_engine)
    with override(file_bytes=16):
        report = run(empty_engine, case, given)
    assert [p.key for p in report.problems] == ["file_too_large"] and report.problems[0].file == case.name
    assert snapshot(empty_engine) == before


def test_upload_detection_asks_the_registry(empty_engine: Engine) -> None:
    assert set(SOURCES) == {workbook.SOURCE, register.SOURCE, targets.SOURCE, long_file.SOURCE}
    for name in ("long-csv", "long-xlsx", "workbook", "register", "targets"):
        document = CASES[name].good(empty_engine)
        assert detect(document) is CASES[name].source, name
    unreadable = Document(b"\x00\x01 not a table", "rac.csv")
    assert detect(unreadable) is long_file.SOURCE  # the fallback, whose import says what is wrong
    report = import_file(empty_engine, b"\x00\x01 not a table", "rac.csv")
    assert not report.ok and report.problems[0].key == "binary_content"


def test_feeds_go_through_the_one_sequence(empty_engine: Engine, tmp_path: Path) -> None:
    rss = """<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Tin</title>
      <item><title>Một</title><link>https://a.example/1</link><pubDate>Tue, 16 Jul 2019 09:12:00 +0700</pubDate></item>
      <item><title>Hai</title><link>https://a.example/2</link><pubDate>Wed, 17 Jul 2019 10:00:00 +0700</pubDate></item>
    </channel></rss>"""
    with FeedServer() as server:
        url = server.serve("/rss", Reply(body=rss.encode()))
        sites = tmp_path / "sites.yaml"
        entries = [
            {
                "code": "tieu-can",
                "name_vi": "Tiểu Cần",
                "name_en": "Tieu Can",
                "url": url,
                "feed_url": url,
                "independent": False,
            }
        ]
        sites.write_text(yaml.safe_dump({"unit": UNIT, "sites": entries}, allow_unicode=True), encoding="utf-8")
        policy = FetchPolicy(timeout=2.0, attempts=1, concurrency=1)

        def fetched() -> ImportReport:
            with make_client(policy) as client:
                request = feeds.FeedRequest(read_site_list(sites), client, policy=policy, source_name="sites.yaml")
                return feeds.fetch(empty_engine, request)

        first = fetched()
        assert isinstance(first, ImportReport) and first.kind == "feed" and first.ok
        assert first.result is not None and first.result.inserted == 1 and first.records_new == 2
        assert isinstance(first.detail, FetchReport) and first.detail.failed == []
        again = fetched()
        assert again.ok and again.result is not None and again.result.batch_id is None and again.records_new == 0
    with empty_engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(ImportBatch)) == 1
        assert conn.scalar(select(Observation.value)) == 2


# --- read once --------------------------------------------------------------------------------------


@contextmanager
def parses() -> Iterator[dict[str, int]]:
    """Count CSV parsers started and workbooks opened; the library calls still run."""
    counts = {"csv": 0, "xlsx": 0}
    real_reader, real_open = csv.reader, openpyxl.load_workbook

    def reader(*args: Any, **kwargs: Any) -> Any:
        counts["csv"] += 1
        return real_reader(*args, **kwargs)

    def load_workbook(*args: Any, **kwargs: Any) -> Any:
        counts["xlsx"] += 1
        return real_open(*args, **kwargs)

    csv.reader, openpyxl.load_workbook = reader, load_workbook  # type: ignore[assignment]
    try:
        yield counts
    finally:
        csv.reader, openpyxl.load_workbook = real_reader, real_open  # type: ignore[assignment]


UPLOADS = {
    "thang7.csv": lambda _e: csv_text(GOOD_ROWS).encode(),
    "thang7.xlsx": lambda _e: xlsx_bytes(GOOD_ROWS),
    "bieu-mau.xlsx": lambda e: filled_template(e, 12),
    "so-dang-ky.csv": lambda _e: register_csv(REGISTER_ROWS),
    "so-dang-ky.xlsx": lambda _e: xlsx_bytes(REGISTER_ROWS, REGISTER_HEADER),
    "ke-hoach.xlsx": lambda _e: xlsx_bytes(TARGET_ROWS, TARGET_HEADER),
}


@pytest.mark.parametrize("name", list(UPLOADS))
def test_an_upload_is_parsed_once_per_preview_and_once_per_load(empty_engine: Engine, name: str) -> None:
    content = UPLOADS[name](empty_engine)
    with parses() as preview_counts:
        found = upload.preview(empty_engine, content, name, unit=UNIT)
    assert found.ok, found.report.summary("en")
    assert not found.head.empty  # the preview's first rows come from the same pass
    with parses() as load_counts:
        loaded = upload.load(empty_engine, content, name, unit=UNIT)
    assert loaded.ok and loaded.kind == found.kind, loaded.report.summary("en")
    kind = "xlsx" if name.endswith(".xlsx") else "csv"
    assert preview_counts == {"csv": 0, "xlsx": 0} | {kind: 1}, preview_counts
    assert load_counts == {"csv": 0, "xlsx": 0} | {kind: 1}, load_counts


def test_the_bench_counts_one_parse_per_preview_and_load() -> None:
    from bench.import_reads import run as bench_run

    results = bench_run(rows=300, repeat=1)
    assert [r["kind"] for r in results] == ["long", "long", "template", "register", "register"]
    assert {(r["preview_parses"], r["load_parses"]) for r in results} == {(1, 1)}
    assert all(float(r["ratio"]) > 0 for r in results)  # type: ignore[arg-type]
