"""A corpus of hostile inputs, one row of tests/fixtures/hostile/cases.yaml per case, through every way
figures get in: the upload entry point of the import page (long CSV/XLSX, the data-entry workbook, the
licence register), the CLI import, annual targets, past reports (.txt/.docx/.pdf), site feeds, and
the manual-entry form.

Each case must end in a clear message (the expected problem, in Vietnamese and English, naming the
file and, where it applies, the row and column), never a traceback, and leave every table exactly
as it was.
"""

from __future__ import annotations

import datetime as dt
import io
import tracemalloc
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import docx
import openpyxl
import pytest
import yaml
from pypdf import PdfWriter
from sqlalchemy import Engine
from typer.testing import CliRunner

from commstats.cli import app
from commstats.db import make_engine
from commstats.i18n import t
from commstats.template import build_template
from etl import upload
from etl.entry import entry_frame, save_entry, sections
from etl.extract import feeds
from etl.extract.report_text import read_document
from etl.limits import current as limits
from etl.problems import Problem, RejectedFile
from etl.targets import import_targets_content
from tests.conftest import sqlite_url
from tests.dbstate import snapshot

MAX_FILE_BYTES = limits().file_bytes
MAX_XLSX_UNZIPPED_BYTES = limits().xlsx_unzipped_bytes
MAX_DOCX_UNZIPPED_BYTES = limits().docx_unzipped_bytes

HOSTILE = Path(__file__).parent / "fixtures" / "hostile"
TRACED_MB = 128  # a gzip bomb inflates to the 50 MB feed limit (zlib's buffer twice that) before it is refused
CASES = yaml.safe_load((HOSTILE / "cases.yaml").read_text(encoding="utf-8"))
UNIT = "test-unit"


# --- builders for the cases that are binary, big, or made from the real template ------------------


def _xlsx(rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _rewrite(archive: bytes, member: str, change: Callable[[str], str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(archive)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            target.writestr(info, change(data.decode("utf-8")).encode("utf-8") if info.filename == member else data)
    return out.getvalue()


XXE = '<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
HEADER = ["period", "metric", "member", "value", "note"]


def _with_doctype(xml: str) -> str:
    head, _, body = xml.partition("?>") if xml.startswith("<?xml") else ("", "", xml)
    return (head + "?>" if head else "") + XXE + body


def build_million_columns_row(engine) -> bytes:  # type: ignore[no-untyped-def]
    return ("period,metric,member,value\r\n2019-07,portal_audio,,14" + "," * 1_000_000 + "x\r\n").encode()


def build_million_columns_header(engine) -> bytes:  # type: ignore[no-untyped-def]
    return ("period,metric,member,value" + ",c" * 1_000_000 + "\r\n2019-07,portal_audio,,14\r\n").encode()


def build_oversized_csv(engine) -> bytes:  # type: ignore[no-untyped-def]
    line = b"2019-07,portal_audio,,14,\r\n"
    return b"period,metric,member,value,note\r\n" + line * (MAX_FILE_BYTES // len(line) + 10)


def build_xlsx_zip_bomb(engine) -> bytes:  # type: ignore[no-untyped-def]
    buffer = io.BytesIO()
    chunk = b"<c/>" * (2**20 // 4)
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            for _ in range(MAX_XLSX_UNZIPPED_BYTES // 2**20 + 2):
                sheet.write(chunk)
    return buffer.getvalue()


def build_xlsx_xxe(engine) -> bytes:  # type: ignore[no-untyped-def]
    good = _xlsx([HEADER, ["2019-07", "portal_audio", None, 14, ""]])
    return _rewrite(good, "xl/worksheets/sheet1.xml", _with_doctype)


def build_xlsx_not_a_zip(engine) -> bytes:  # type: ignore[no-untyped-def]
    return b"PK\x03\x04" + b"\x00" * 64 + b"not really an archive"


def build_xlsx_formula(engine) -> bytes:  # type: ignore[no-untyped-def]
    return _xlsx([HEADER, ["2019-07", "portal_audio", None, "=1+1", ""]])  # no cached value: Excel never ran it


def build_xlsx_date_value(engine) -> bytes:  # type: ignore[no-untyped-def]
    return _xlsx([HEADER, ["2019-07", "portal_audio", None, dt.datetime(2019, 7, 14), ""]])


def build_xlsx_bool_value(engine) -> bytes:  # type: ignore[no-untyped-def]
    return _xlsx([HEADER, ["2019-07", "portal_audio", None, True, ""]])


def build_xlsx_fraction(engine) -> bytes:  # type: ignore[no-untyped-def]
    return _xlsx([HEADER, ["2019-07", "portal_audio", None, 14.5, ""]])


def build_xlsx_negative(engine) -> bytes:  # type: ignore[no-untyped-def]
    return _xlsx([HEADER, ["2019-07", "portal_audio", None, -3, ""]])


def build_xlsx_script_member(engine) -> bytes:  # type: ignore[no-untyped-def]
    return _xlsx([HEADER, ["2019-07", "sites_posts", "<script>alert(1)</script>", 5, ""]])


def build_xlsx_wide_row(engine) -> bytes:  # type: ignore[no-untyped-def]
    return _xlsx([HEADER, ["2019-07", "portal_audio", None, 14, "", *(["x"] * 1_000)]])


def _template_with(engine, value: object) -> bytes:  # type: ignore[no-untyped-def]
    book = openpyxl.load_workbook(io.BytesIO(build_template(engine, 2019, UNIT)))
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            if row and row[0].value == "portal_audio":
                row[3].value = value  # the first month column (D)
                buffer = io.BytesIO()
                book.save(buffer)
                return buffer.getvalue()
    raise AssertionError("the template has no portal_audio row")


def build_template_formula(engine) -> bytes:  # type: ignore[no-untyped-def]
    return _template_with(engine, '=WEBSERVICE("http://x.example/")')


def build_template_negative(engine) -> bytes:  # type: ignore[no-untyped-def]
    return _template_with(engine, -7)


def build_template_text(engine) -> bytes:  # type: ignore[no-untyped-def]
    return _template_with(engine, "mười bốn")


def _docx() -> bytes:
    document = docx.Document()
    document.add_paragraph("Báo cáo công tác tháng 7 năm 2019")
    document.add_paragraph("Đăng 33 tin, bài tiếng Việt.")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def build_docx_xxe(engine) -> bytes:  # type: ignore[no-untyped-def]
    return _rewrite(_docx(), "word/document.xml", _with_doctype)


def build_docx_zip_bomb(engine) -> bytes:  # type: ignore[no-untyped-def]
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(_docx())) as source, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info, source.read(info.filename))
        with target.open("word/media/huge.bin", "w", force_zip64=True) as huge:
            for _ in range(MAX_DOCX_UNZIPPED_BYTES // 2**20 + 2):
                huge.write(b"\x00" * 2**20)
    return buffer.getvalue()


def build_pdf_garbage(engine) -> bytes:  # type: ignore[no-untyped-def]
    return b"%PDF-1.7\n" + b"\x8f\x12garbage" * 100


def build_pdf_encrypted(engine) -> bytes:  # type: ignore[no-untyped-def]
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.encrypt(user_password="secret", owner_password="owner")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def build_feed_gzip_bomb(engine) -> bytes:  # type: ignore[no-untyped-def]
    import gzip

    return gzip.compress(b"<rss>" + b" " * (60 * 2**20) + b"</rss>", compresslevel=9)


# --- the routes -------------------------------------------------------------------------------------


@dataclass
class Outcome:
    problems: list[Problem]  # problems with file/row/column, or
    messages: list[str]  # free messages (CLI output, feed errors)
    keys: set[str]


def _from_problems(problems: list[Problem]) -> Outcome:
    return Outcome(problems, [p.render(lang) for p in problems for lang in ("vi", "en")], {p.key for p in problems})


def route_upload(engine, url, content: bytes, file: str) -> Outcome:  # type: ignore[no-untyped-def]
    preview = upload.preview(engine, content, file, unit=UNIT)
    loaded = upload.load(engine, content, file, unit=UNIT, created_by="hostile")
    assert not preview.ok and not loaded.ok
    assert {p.key for p in preview.report.problems} == {p.key for p in loaded.report.problems}
    outcome = _from_problems(loaded.report.problems)
    outcome.messages += [loaded.report.summary("vi"), loaded.report.summary("en")]
    return outcome


def route_cli_import(engine, url, content: bytes, file: str, tmp_path: Path) -> Outcome:  # type: ignore[no-untyped-def]
    path = tmp_path / file
    path.write_bytes(content)
    done = CliRunner().invoke(app, ["import", str(path), "--unit", UNIT, "--db", url])
    assert done.exit_code == 1, done.output
    assert done.exception is None or isinstance(done.exception, SystemExit), done.exception
    return Outcome([], [done.output], set())


def route_targets(engine, url, content: bytes, file: str) -> Outcome:  # type: ignore[no-untyped-def]
    report = import_targets_content(engine, content, file, unit=UNIT, created_by="hostile")
    assert not report.ok
    outcome = _from_problems(report.problems)
    outcome.messages.append(report.summary("vi"))
    return outcome


def route_report(engine, url, content: bytes, file: str, tmp_path: Path) -> Outcome:  # type: ignore[no-untyped-def]
    with pytest.raises(RejectedFile) as rejected:
        read_document(content, file)
    outcome = _from_problems(rejected.value.problems)
    path = tmp_path / file
    path.write_bytes(content)
    done = CliRunner().invoke(app, ["extract", str(path), "--load", "--unit", UNIT, "--db", url])
    assert done.exit_code == 1 and (done.exception is None or isinstance(done.exception, SystemExit)), done.output
    outcome.messages.append(done.output)
    return outcome


def route_feed(engine, url, content: bytes, file: str) -> Outcome:  # type: ignore[no-untyped-def]
    kind = "application/rss+xml" if not file.endswith(".gz") else "application/gzip"
    with pytest.raises(feeds.FeedError) as refused:
        feeds.read_document(content, kind, "https://site.example/")
    error = refused.value
    params = {"site": file, "url": "https://site.example/", **error.params}  # as the fetch report names them
    return Outcome([], [f"{file}: {t(error.key, 'vi', **params)}", t(error.key, "en", **params)], {error.key})


def route_entry(engine, url, content: bytes, file: str) -> Outcome:  # type: ignore[no-untyped-def]
    value = content.decode("utf-8")
    month = dt.date(2019, 7, 1)
    section = next(s for s in sections(engine, UNIT) if any(r.metric == "portal_audio" for r in s.rows))
    frame = entry_frame(engine, UNIT, month, section.code)
    frame.loc[frame["metric"] == "portal_audio", "value"] = value
    result = save_entry(engine, UNIT, month, section.code, frame, created_by="hostile")
    assert not result.ok
    return _from_problems(result.problems)


ROUTES = {
    "upload": route_upload,
    "cli": route_cli_import,
    "targets": route_targets,
    "report": route_report,
    "feed": route_feed,
    "entry": route_entry,
}
NEEDS_TMP = {"cli", "report"}


def _content(case: dict, engine) -> bytes:  # type: ignore[no-untyped-def]
    if "build" in case:
        return globals()[f"build_{case['build']}"](engine)
    if "text" in case:
        return str(case["text"]).encode("utf-8")
    return (HOSTILE / case["file"]).read_bytes()


def test_corpus_is_big_and_covers_every_route():
    assert len(CASES) >= 40
    assert {c["route"] for c in CASES} == set(ROUTES)
    assert len({c["id"] for c in CASES}) == len(CASES)
    stored = {c["file"] for c in CASES if "file" in c}
    assert stored == {p.name for p in HOSTILE.iterdir() if p.name != "cases.yaml"}  # no orphan fixture


@pytest.fixture
def target(empty_db: Path) -> Iterator[tuple[Engine, str]]:
    """The database the inputs are thrown at: schema, catalogue, unit test-unit, no figures. The refusals
    happen before any write, so one backend (an SQLite file) is enough; every table is compared."""
    url = sqlite_url(empty_db)
    engine = make_engine(url)
    yield engine, url
    engine.dispose()


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_hostile_input_is_refused_clearly_and_changes_nothing(case, target, tmp_path):
    engine, url = target
    file = case.get("name") or case.get("file") or f"{case['id']}.csv"
    content = _content(case, engine)
    before = snapshot(engine)
    route = ROUTES[case["route"]]
    tracemalloc.start()
    try:
        if case["route"] in NEEDS_TMP:
            outcome = route(engine, url, content, file, tmp_path)
        else:
            outcome = route(engine, url, content, file)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert snapshot(engine) == before, "a refused input changed the database"
    # The budget, as counted work: what the refusal allocated (the file itself was made before) and
    # the problems listed in full.
    assert peak < TRACED_MB * 2**20, f"{peak / 2**20:.0f} MB allocated to refuse the input"
    assert len(outcome.problems) <= limits().problems_kept

    text = "\n".join(outcome.messages)
    assert text.strip(), "no message at all"
    assert "Traceback" not in text and "Error:" not in text.replace("FeedError", "")
    assert "{" not in text.replace("{ }", "").replace("{}", "") or case["route"] == "feed", text
    if case["route"] != "entry":
        assert Path(file).name in text, f"the message does not name the file:\n{text}"
    for fragment in case.get("says", []):
        assert fragment in text, f"missing “{fragment}” in:\n{text}"
    if "keys" in case:
        assert outcome.keys & set(case["keys"]), f"expected one of {case['keys']}, got {outcome.keys}:\n{text}"
    if "row" in case or "column" in case:
        assert any(
            p.row == case.get("row", p.row) and p.column == case.get("column", p.column)
            for p in outcome.problems
            if p.key in case["keys"]
        ), [(p.key, p.row, p.column) for p in outcome.problems]
