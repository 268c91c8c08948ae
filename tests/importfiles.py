"""Files to import, made the way real users' tools make them: CSV in several encodings, XLSX
written by openpyxl, and hostile archives (zip bombs, external XML entities)."""

from __future__ import annotations

import io
import itertools
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Sequence
from typing import IO

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


# --- files at any size, for the budget tests (small, with lowered limits) and `python -m bench hostile` ---


def repeated(header: str, line: str, size: int) -> bytes:
    """A CSV of `header` then `line` repeated (with {i} numbered) until it is about `size` bytes."""
    parts = [header.encode()]
    total, i = len(parts[0]), 0
    while total < size:
        text = line.format(i=i).encode()
        parts.append(text)
        total += len(text)
        i += 1
    return b"".join(parts)


def valid_long_csv(size: int) -> bytes:
    """Valid figures (one component site per row, distinct months and sites) of about `size` bytes."""
    parts = ["period,metric,member,value\r\n"]
    total, i = len(parts[0]), 0
    while total < size:
        line = f"{2000 + (i % 312) // 12}-{i % 12 + 1:02d},sites_posts,site-{i // 312:04d},{i % 997}\r\n"
        parts.append(line)
        total += len(line)
        i += 1
    return "".join(parts).encode()


INVALID_LONG_LINE = "tháng 13/2019,no_such_metric,x,-5,nope\r\n"  # bad period, metric, value and unit: 4 problems


def invalid_long_csv(size: int) -> bytes:
    return repeated("period,metric,member,value,unit\r\n", INVALID_LONG_LINE, size)


_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
    '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
    'Target="sharedStrings.xml"/></Relationships>'
)
_SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    "<sheetData>"
)


def _column(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def sheet_row(line: int, cells: Sequence[object]) -> str:
    """One <row> of a worksheet: numbers as numbers, text as inline strings, ("s", n) as shared string n."""
    parts = []
    for col, value in enumerate(cells):
        ref = f"{_column(col)}{line}"
        if isinstance(value, tuple):
            parts.append(f'<c r="{ref}" t="s"><v>{value[1]}</v></c>')
        elif isinstance(value, int | float):
            parts.append(f'<c r="{ref}"><v>{value}</v></c>')
        else:
            text = str(value).replace("&", "&amp;").replace("<", "&lt;")
            parts.append(f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>')
    return f'<row r="{line}">{"".join(parts)}</row>'


def raw_xlsx(rows: Iterable[str], shared: Iterable[str] = (), shared_count: int = 0) -> bytes:
    """A minimal workbook written XML chunk by chunk (any size, fast): `rows` are <row> elements,
    `shared` the <si> elements of the shared-string table."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(_SHEET_HEAD.encode())
            _write_joined(sheet, rows)
            sheet.write(b"</sheetData></worksheet>")
        with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as strings:
            strings.write(
                '<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/'
                f'spreadsheetml/2006/main" count="{shared_count}" uniqueCount="{shared_count}">'.encode()
            )
            _write_joined(strings, shared)
            strings.write(b"</sst>")
    return out.getvalue()


def _write_joined(stream: IO[bytes], parts: Iterable[str], batch: int = 10_000) -> None:
    buffer: list[str] = []
    for part in parts:
        buffer.append(part)
        if len(buffer) >= batch:
            stream.write("".join(buffer).encode())
            buffer.clear()
    stream.write("".join(buffer).encode())


def xlsx_rows(rows: Iterable[Sequence[object]], header: Sequence[str] = HEADER[:4]) -> bytes:
    """A long-format workbook of these rows (written as XML directly: millions of rows in seconds)."""
    lines = itertools.chain([header], rows)
    return raw_xlsx(sheet_row(line, cells) for line, cells in enumerate(lines, start=1))


def valid_long_xlsx(rows: int) -> bytes:
    return xlsx_rows(
        (f"{2000 + (i % 312) // 12}-{i % 12 + 1:02d}", "sites_posts", f"site-{i // 312:04d}", i % 997)
        for i in range(rows)
    )


def xlsx_shared_strings(count: int) -> bytes:
    """A header and one row, and a shared-string table of `count` distinct strings (the 8 M attack)."""
    rows = [sheet_row(1, HEADER[:4]), sheet_row(2, ["2019-07", "portal_audio", "", ("s", 0)])]
    shared = (f"<si><t>{i}</t></si>" for i in range(count))
    return raw_xlsx(rows, shared, count)


def xlsx_long_shared_string(chars: int) -> bytes:
    """One shared string of `chars` characters used in the value cell (the 300 MB cell compresses to KB)."""
    rows = [sheet_row(1, HEADER[:4]), sheet_row(2, ["2019-07", "portal_audio", "", ("s", 0)])]
    chunk = "A" * min(chars, 1 << 20)
    shared = itertools.chain(
        ["<si><t>"], (chunk[: min(len(chunk), chars - i)] for i in range(0, chars, len(chunk))), ["</t></si>"]
    )
    return raw_xlsx(rows, shared, 1)


def xlsx_long_inline_cell(chars: int, line: int = 2, column: str = "D") -> bytes:
    """One inline-string cell of `chars` characters at `column``line`."""
    index = ord(column) - 65
    cells: list[object] = ["2019-07", "portal_audio", "", 14]
    cells[index] = "B" * chars
    rows = [sheet_row(1, HEADER[:4]), *(sheet_row(n, ["2019-07", "portal_audio", "", 1]) for n in range(2, line))]
    return raw_xlsx([*rows, sheet_row(line, cells)])


def xlsx_many_cells(count: int) -> bytes:
    """A long-format header and rows of empty-valued cells, `count` cells in all."""
    width = 50
    rows = (sheet_row(n, [0] * width) for n in range(2, count // width + 2))
    return raw_xlsx(itertools.chain([sheet_row(1, HEADER[:4])], rows))


def docx_paragraphs(count: int, text: str = "") -> bytes:
    """A .docx of `count` paragraphs (empty by default: 5.5 million fit in half a megabyte)."""
    import docx as python_docx

    buffer = io.BytesIO()
    python_docx.Document().save(buffer)
    paragraph = f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>" if text else "<w:p/>"

    def change(xml: str) -> str:
        head, _, tail = xml.partition("<w:body>")
        return head + "<w:body>" + paragraph * count + tail

    return rewrite_member(buffer.getvalue(), "word/document.xml", change)


def pdf_shared_stream(pages: int, stream_bytes: int, text: str = "") -> bytes:
    """`pages` pages that all draw one content stream of `stream_bytes` bytes (compressed to a few KB)."""
    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

    writer = PdfWriter()
    font = DictionaryObject(
        {NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
         NameObject("/BaseFont"): NameObject("/Helvetica")}
    )  # fmt: skip
    font_ref = writer._add_object(font)
    body = f"BT /F1 12 Tf 50 800 Td ({text}) Tj ET\n".encode() if text else b""
    decoded = DecodedStreamObject()
    decoded.set_data(body + b"0 0 m\n" * max(0, (stream_bytes - len(body)) // 6))
    stream_ref = writer._add_object(decoded.flate_encode())
    for _ in range(pages):
        page = writer.add_blank_page(width=595, height=842)
        page[NameObject("/Contents")] = stream_ref
        page[NameObject("/Resources")] = DictionaryObject(
            {NameObject("/Font"): DictionaryObject({NameObject("/F1"): font_ref})}
        )
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()
