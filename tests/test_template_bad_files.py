"""Hostile and broken files for every source (long format, data-entry workbook, licence register):
each gets a clear message and the database is left exactly as it was."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest
from sqlalchemy import Engine, select

from commstats.models import ImportBatch, LicenceRecord, Observation
from commstats.template import build_template
from etl import upload
from etl.limits import current as limits
from etl.pipeline import import_content
from etl.register import import_register

MAX_XLSX_UNZIPPED_BYTES = limits().xlsx_unzipped_bytes

UNIT = "test-unit"
XXE_DOCTYPE = '<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


def snapshot(engine: Engine) -> tuple[list[tuple], list[tuple], list[tuple]]:
    """Every observation, licence record and batch row."""
    with engine.connect() as conn:
        return (
            [tuple(r) for r in conn.execute(select(Observation).order_by(Observation.id))],
            [tuple(r) for r in conn.execute(select(LicenceRecord).order_by(LicenceRecord.id))],
            [tuple(r) for r in conn.execute(select(ImportBatch).order_by(ImportBatch.id))],
        )


@pytest.fixture
def seeded(empty_engine: Engine) -> Engine:
    """Some figures and licence records already there, so "unchanged" means something."""
    csv = f"period,metric,member,value,unit\n2019-07,portal_audio,,14,{UNIT}\n2019-07,portal_posts,vi,33,{UNIT}\n"
    assert import_content(empty_engine, csv.encode(), "seed.csv").ok
    register = "Số,Loại,Ngày cấp\n01/GP,Giấy phép xuất bản,16/07/2019\n"
    assert import_register(empty_engine, register.encode(), "seed-register.csv").ok
    return empty_engine


def rewrite(content: bytes, member: str, change) -> bytes:  # type: ignore[no-untyped-def]
    """A copy of an .xlsx with one archive member's XML changed."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            target.writestr(info, change(data.decode("utf-8")).encode("utf-8") if info.filename == member else data)
    return out.getvalue()


XXE_ROW = '<row r="99"><c r="A99" t="inlineStr"><is><t>&xxe;</t></is></c></row>'


def with_doctype(xml: str) -> str:
    """The XML with a DOCTYPE declaring an external entity (after the XML declaration, if any)."""
    if xml.startswith("<?xml"):
        head, _, body = xml.partition("?>")
        return head + "?>" + XXE_DOCTYPE + body
    return XXE_DOCTYPE + xml


def with_xxe(xml: str) -> str:
    """A DOCTYPE declaring an external entity, and a cell that uses it."""
    assert "<sheetData>" in xml
    return with_doctype(xml.replace("<sheetData>", "<sheetData>" + XXE_ROW, 1))


def long_xlsx() -> bytes:
    book = openpyxl.Workbook()
    book.active.append(["period", "metric", "member", "value", "unit"])
    book.active.append(["2019-08", "portal_audio", None, 15, UNIT])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def register_xlsx() -> bytes:
    book = openpyxl.Workbook()
    book.active.append(["Số", "Loại", "Ngày cấp"])
    book.active.append(["02/GP", "Giấy phép xuất bản", "20/07/2019"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def zip_bomb() -> bytes:
    """A small .xlsx whose one sheet expands past the unzipped-size limit."""
    buffer = io.BytesIO()
    chunk = b"<c/>" * (2**20 // 4)
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            for _ in range(MAX_XLSX_UNZIPPED_BYTES // 2**20 + 2):
                sheet.write(chunk)
    assert len(buffer.getvalue()) < 2 * 2**20
    return buffer.getvalue()


def run(engine: Engine, source: str, content: bytes, file: str) -> str:
    importer = import_register if source == "register" else import_content
    report = importer(engine, content, file)
    assert not report.ok
    return report.summary()


SOURCES = ["long", "template", "register"]


def good_content(engine: Engine, source: str) -> bytes:
    if source == "template":
        return build_template(engine, 2027, UNIT)
    return register_xlsx() if source == "register" else long_xlsx()


@pytest.mark.parametrize("source", SOURCES)
def test_corrupt_xlsx(seeded, source):
    before = snapshot(seeded)
    for content in (b"PK\x03\x04 not really a zip", b"\x00\x01binary junk" * 50, good_content(seeded, source)[:2000]):
        text = run(seeded, source, content, "hỏng.xlsx")
        assert "Tệp .xlsx bị hỏng hoặc không phải tệp Excel" in text
    assert snapshot(seeded) == before


@pytest.mark.parametrize("source", SOURCES)
def test_zip_bomb(seeded, zip_bomb, source):
    before = snapshot(seeded)
    text = run(seeded, source, zip_bomb, "bom.xlsx")
    assert "nghi là tệp nén độc hại" in text
    assert snapshot(seeded) == before


@pytest.mark.parametrize("source", SOURCES)
@pytest.mark.parametrize("member", ["xl/worksheets/sheet1.xml", "xl/workbook.xml"])
def test_xml_external_entities_are_refused(seeded, source, member):
    content = good_content(seeded, source)
    change = with_xxe if member.endswith("sheet1.xml") else with_doctype
    hostile = rewrite(content, member, change)
    before = snapshot(seeded)
    text = run(seeded, source, hostile, "xxe.xlsx")
    assert "khai báo XML không an toàn" in text
    assert "root:" not in text
    assert snapshot(seeded) == before


def test_upload_preview_of_hostile_files_writes_nothing(seeded, zip_bomb):
    before = snapshot(seeded)
    for content in (zip_bomb, rewrite(register_xlsx(), "xl/worksheets/sheet1.xml", with_xxe), b"garbage"):
        found = upload.preview(seeded, content, "x.xlsx")
        assert not found.ok
        assert found.problem_table().iloc[0]["Lỗi"]
        assert not upload.load(seeded, content, "x.xlsx").ok
    assert snapshot(seeded) == before


@pytest.mark.parametrize(
    ("source", "content", "file", "expected"),
    [
        ("long", f"period,metric,member,value,unit\n2019-07,portal_audio,,mười,{UNIT}\n", "a.csv", "Không phải là số"),
        ("long", f"period,metric,member,value,unit\n2019-07,portal_audio,,-4,{UNIT}\n", "a.csv", "Giá trị âm"),
        ("register", "Số,Loại,Ngày cấp\n09/GP,Giấy phép xuất bản,31/02/2019\n", "r.csv", "Ngày không có thật"),
        ("register", "Số,Loại,Ngày cấp\n09/GP,Giấy phép xuất bản,mười sáu\n", "r.csv", "Ngày không đúng dạng"),
    ],
)
def test_bad_cells_in_text_sources(seeded, source, content, file, expected):
    before = snapshot(seeded)
    text = run(seeded, source, content.encode(), file)
    assert "dòng 2, cột" in text and expected in text
    assert snapshot(seeded) == before
