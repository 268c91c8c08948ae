"""Files to import, made the way real users' tools make them: CSV in several encodings, XLSX
written by openpyxl, and hostile archives (zip bombs, external XML entities)."""

from __future__ import annotations

import io
import unicodedata
import zipfile
from collections.abc import Callable, Sequence

import openpyxl
from sqlalchemy import Engine, select

from commstats.models import Member, Metric, Observation, Unit

HEADER = ("period", "metric", "member", "value", "note")
# A small valid month for the single unit of `empty_url` (test-unit).
GOOD_ROWS: list[tuple[object, ...]] = [
    ("2019-07", "portal_posts", "vi", 33, "Số liệu tháng 7 của Sở Thông tin và Truyền thông Trà Vinh"),
    ("2019-07", "portal_posts", "km", 23, ""),
    ("2019-07", "portal_posts", "en", 14, ""),
    ("2019-07", "portal_audio", "", 14, "thu và phát bản tin"),
    ("2019-07", "sites_count", "", 43, "trong đó có 03 trang hoạt động riêng"),
    ("2019-07", "publishing_licences", "", 14, "Giấy phép xuất bản tài liệu không kinh doanh"),
]
# The observations GOOD_ROWS gives: (unit, metric, period, member, value, note).
GOOD_OBSERVATIONS = {
    ("test-unit", metric, f"{period}-01", member, value, note) for period, metric, member, value, note in GOOD_ROWS
}
VIETNAMESE_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def csv_text(rows: Sequence[Sequence[object]], header: Sequence[str] = HEADER, newline: str = "\r\n") -> str:
    """Comma-separated text; fields with a comma or a quote are quoted as Excel does."""

    def field(value: object) -> str:
        text = str(value)
        return '"' + text.replace('"', '""') + '"' if any(c in text for c in ',"\n') else text

    return "".join(",".join(field(v) for v in line) + newline for line in [header, *rows])


def to_windows_1258(text: str) -> bytes:
    """Text as Windows-1258 writes it: precomposed â ê ô ă ơ ư đ, tones as combining marks after them."""
    out: list[bytes] = []
    for char in unicodedata.normalize("NFC", text):
        try:
            out.append(char.encode("cp1258"))
            continue
        except UnicodeEncodeError:
            pass
        parts = unicodedata.normalize("NFD", char)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in VIETNAMESE_TONES))
        out.append((base + "".join(c for c in parts if c in VIETNAMESE_TONES)).encode("cp1258"))
    return b"".join(out)


def xlsx_bytes(rows: Sequence[Sequence[object]], header: Sequence[str] = HEADER) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def rewrite_member(archive: bytes, member: str, change: Callable[[str], str]) -> bytes:
    """The same zip with one member's text changed."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(archive)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            data = source.read(name)
            target.writestr(name, change(data.decode("utf-8")).encode("utf-8") if name == member else data)
    return out.getvalue()


def xlsx_with_external_entity(secret_path: str, part: str = "sheet") -> bytes:
    """A workbook that declares an external entity pointing at a local file and uses it: in a cell of
    the sheet (part="sheet") or as the sheet's name in the workbook (part="workbook")."""
    root = "worksheet" if part == "sheet" else "workbook"
    dtd = f'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE {root} [<!ENTITY xxe SYSTEM "file://{secret_path}">]>'
    base = xlsx_bytes([("2019-07", "portal_audio", "", 14, "NOTE_HERE")])
    if part == "sheet":
        return rewrite_member(base, "xl/worksheets/sheet1.xml", lambda text: dtd + text.replace("NOTE_HERE", "&xxe;"))

    def workbook(text: str) -> str:
        return dtd + text.split("?>", 1)[-1].replace('name="Sheet"', 'name="&xxe;"')

    return rewrite_member(base, "xl/workbook.xml", workbook)


def xlsx_expanding_to(size: int) -> bytes:
    """A real zip bomb: a valid workbook plus a member of `size` zero bytes (deflated to a few hundred KB)."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(xlsx_bytes(GOOD_ROWS))) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as target,
    ):
        for name in source.namelist():
            target.writestr(name, source.read(name))
        with target.open("xl/media/padding.bin", "w", force_zip64=True) as padding:
            chunk = bytes(1 << 20)
            for _ in range(size // len(chunk) + 1):
                padding.write(chunk)
    return out.getvalue()


def xlsx_claiming(size: int) -> bytes:
    """A tiny workbook whose sheet's directory entries claim `size` bytes once unzipped."""
    archive = bytearray(xlsx_bytes(GOOD_ROWS))
    name = b"xl/worksheets/sheet1.xml"
    for signature, size_offset, name_offset in ((b"PK\x01\x02", 24, 46), (b"PK\x03\x04", 22, 30)):
        start = 0
        while (start := archive.find(signature, start)) != -1:
            length_offset = 28 if signature == b"PK\x01\x02" else 26
            name_length = int.from_bytes(archive[start + length_offset : start + length_offset + 2], "little")
            if archive[start + name_offset : start + name_offset + name_length] == name:
                archive[start + size_offset : start + size_offset + 4] = size.to_bytes(4, "little")
            start += 4
    return bytes(archive)


def observations(engine: Engine) -> set[tuple[str, str, str, str, int, str]]:
    """Every observation as (unit, metric, period YYYY-MM-DD, member, value, note)."""
    query = (
        select(Unit.code, Metric.code, Observation.period, Member.code, Observation.value, Observation.note)
        .join(Unit, Unit.id == Observation.unit_id)
        .join(Metric, Metric.id == Observation.metric_id)
        .join(Member, Member.id == Observation.member_id)
    )
    with engine.connect() as conn:
        return {(u, m, p.isoformat(), mem, int(v), n) for u, m, p, mem, v, n in conn.execute(query)}
