"""Long-format CSV and XLSX: columns period, metric, member, value (+ unit, note, grain, estimated)."""

from __future__ import annotations

import csv
import hashlib
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from charset_normalizer import from_bytes

from etl.limits import MB, Limits
from etl.limits import current as limits
from etl.problems import Problem, RawRow, RejectedFile

# Header aliases: English codes, the Vietnamese and English headers of our own exports.
HEADER_ALIASES: dict[str, str] = {
    "period": "period", "kỳ": "period", "ky": "period", "tháng": "period",
    "metric": "metric", "mã chỉ tiêu": "metric", "metric code": "metric",
    "member": "member", "mã thành phần": "member", "member code": "member",
    "value": "value", "giá trị": "value", "số liệu": "value",
    "unit": "unit", "mã đơn vị": "unit", "unit code": "unit",
    "note": "note", "ghi chú": "note",
    "grain": "grain", "loại kỳ": "grain", "period kind": "grain",
    "estimated": "estimated", "ước tính": "estimated", "số ước": "estimated",
}  # fmt: skip
REQUIRED = ("period", "metric", "member", "value")


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def decode(content: bytes, file: str, encoding: str | None = None) -> str:
    """Bytes to NFC text: a named encoding, a BOM, UTF-8, or what charset-normalizer finds."""
    if encoding:
        try:
            return nfc(content.decode(encoding))
        except (LookupError, UnicodeDecodeError) as error:
            raise RejectedFile([Problem(file, None, "", "", "bad_encoding_name", {"encoding": encoding})]) from error
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        return nfc(content.decode("utf-16"))
    if b"\x00" in content:
        raise RejectedFile([Problem(file, None, "", "", "binary_content")])
    try:
        return nfc(content.decode("utf-8-sig"))
    except UnicodeDecodeError:
        pass
    best = from_bytes(content, cp_isolation=["cp1258", "cp1252", "utf_16"]).best()
    if best is None:
        raise RejectedFile([Problem(file, None, "", "", "undecodable")])
    return nfc(str(best))


def _canonical_header(cells: list[str], file: str) -> list[str]:
    names: list[str] = []
    problems: list[Problem] = []
    for cell in cells:
        name = HEADER_ALIASES.get(nfc(str(cell or "")).strip().lower(), "")
        if name and name in names:
            problems.append(Problem(file, 1, str(cell), "", "duplicate_column", {"column": cell}))
        names.append(name)
    missing = [c for c in REQUIRED if c not in names]
    if missing:
        problems.append(Problem(file, 1, "", "", "missing_columns", {"columns": ", ".join(missing)}))
    if problems:
        raise RejectedFile(problems)
    return names


def _rows(records: Iterable[Sequence[object]], file: str, first_line: int = 1) -> Iterator[RawRow]:
    header: list[str] | None = None
    most = limits().rows
    for line, cells in enumerate(records, start=first_line):
        if header is None:
            if not any(str(c or "").strip() for c in cells):
                continue
            check_columns(cells, file, line)
            header = _canonical_header([str(c or "") for c in cells], file)
            continue
        if not any(str(c if c is not None else "").strip() for c in cells):
            continue
        if line - first_line > most:
            check_row_count(line - first_line, file, line, most)
        if len(cells) > len(header) and any(str(c or "").strip() for c in cells[len(header) :]):
            raise RejectedFile(
                [Problem(file, line, "", "", "too_many_columns", {"count": len(cells), "expected": len(header)})]
            )
        values = {name: cells[i] if i < len(cells) else None for i, name in enumerate(header) if name}
        yield RawRow(line, values)
    if header is None:
        raise RejectedFile([Problem(file, None, "", "", "file_empty")])


def check_columns(cells: Sequence[object], file: str, line: int) -> None:
    """A header row may not be wider than any real table needs (a million commas is an attack)."""
    most = limits().columns
    if len(cells) > most:
        raise RejectedFile([Problem(file, line, "", "", "too_many_columns", {"count": len(cells), "expected": most})])


def check_row_count(count: int, file: str, line: int, most: int | None = None) -> None:
    """Refuse the file at the first row over the limit, before the rest is read."""
    most = limits().rows if most is None else most
    if count > most:
        raise RejectedFile([Problem(file, line, "", "", "too_many_rows", {"limit": most})])


@contextmanager
def field_limit(chars: int) -> Iterator[None]:
    """The csv module's longest field (a process-wide setting) for a block, then the previous one."""
    previous = csv.field_size_limit(chars)
    try:
        yield
    finally:
        csv.field_size_limit(previous)


def csv_records(text: str, file: str) -> Iterator[list[str]]:
    """The records of CSV text (delimiter sniffed), each cell at most `cell_chars` long: a longer cell
    or a quote left open is refused at the record a spreadsheet would number (header = 1), so a
    missing quote cannot swallow the rest of the file into one cell."""
    try:
        delimiter = csv.Sniffer().sniff(text[:4096], delimiters=",;\t").delimiter
    except csv.Error:
        delimiter = ","
    most = limits().cell_chars
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    records = 0
    try:
        with field_limit(most):  # the csv module refuses a longer field as it reads it
            for record in reader:
                records += 1
                yield record
    except csv.Error as error:
        if "field larger than field limit" in str(error):
            raise RejectedFile([Problem(file, records + 1, "", "", "cell_too_long", {"limit": most})]) from error
        raise RejectedFile([Problem(file, records + 1, "", "", "csv_malformed", {"detail": str(error)})]) from error


def count_records(text: str, file: str, most: int) -> None:
    """Refuse CSV text of more than `most` records before any row is checked: counting is a C loop
    (a second), checking a row costs a thousand times more. Lines bound records from above, so text
    with few enough lines is not counted at all."""
    if text.count("\n") <= most:
        return
    records = 0
    for records, _ in enumerate(csv_records(text, file), start=1):
        if records > most + 1:  # the header plus `most` rows
            check_row_count(records - 1, file, records, most)


def extract_csv(content: bytes, file: str, encoding: str | None = None) -> Iterator[RawRow]:
    text = decode(content, file, encoding)
    count_records(text, file, limits().rows)
    yield from _rows(csv_records(text, file), file)


# --- .xlsx: counted in the archive's XML before openpyxl reads any of it ---------------------------

SCAN_CHUNK = 64 * 1024  # a text run longer than 2 chunks is seen whole, wherever it starts
_CELL = re.compile(rb"<(?:\w+:)?c[\s>/]")
_SHARED_STRING = re.compile(rb"<(?:\w+:)?si[\s>/]")
_ROW = re.compile(rb"<(?:\w+:)?row[\s>/]")
_CELL_REF = re.compile(rb'<(?:\w+:)?c\s[^>]*?\br="([A-Z]{1,3})([0-9]+)"')
_SCANNED: dict[bytes, tuple[Limits, list[Problem]]] = {}  # digest -> (limits, problems); a few entries


@dataclass
class _Scan:
    """What the scan of one archive has counted so far."""

    limits: Limits
    file: str
    unzipped: int = 0
    cells: int = 0
    shared_strings: int = 0
    rows: dict[str, int] = field(default_factory=dict)  # per worksheet

    def reject(self, row: int | None, where: str, key: str, column: str = "", **params: object) -> RejectedFile:
        """The problem, with the archive part it was found in as its value (`xl/sharedStrings.xml`)."""
        return RejectedFile([Problem(self.file, row, column, where, key, dict(params))])


def _counted_part(name: str) -> re.Pattern[bytes] | None:
    """What is counted in a part: cells in a worksheet, strings in the shared-string table."""
    if name.startswith("xl/worksheets/") and name.endswith(".xml"):
        return _CELL
    if name.endswith("sharedStrings.xml"):
        return _SHARED_STRING
    return None


def _long_text(scan: _Scan, part: str, before: bytes) -> RejectedFile:
    """A text run longer than any cell may be: named by the cell reference just before it if any."""
    found = list(_CELL_REF.finditer(before))
    limit = scan.limits.cell_chars
    if found and part.startswith("xl/worksheets/"):
        letters, row = found[-1].group(1).decode(), int(found[-1].group(2))
        return scan.reject(row, part, "cell_too_long", column=letters, limit=limit)
    return scan.reject(None, part, "cell_too_long", limit=limit)


def _scan_part(archive: zipfile.ZipFile, info: zipfile.ZipInfo, scan: _Scan) -> None:
    """Stream one XML part: count what it holds and the longest text between tags, stopping at a limit.

    Chunks are never longer than the longest text allowed, so a run between two tags inside one chunk
    is always short enough; only runs across chunk edges are added up."""
    counted = _counted_part(info.filename)
    current = scan.limits
    longest = current.cell_chars * 4  # bytes: a cell of that many characters in UTF-8 at most
    run, context, previous = 0, b"", b""
    with archive.open(info) as stream:
        while chunk := stream.read(min(SCAN_CHUNK, longest)):
            scan.unzipped += len(chunk)
            if scan.unzipped > current.xlsx_unzipped_bytes:
                limit_mb = current.xlsx_unzipped_bytes // MB
                raise scan.reject(None, info.filename, "xlsx_part_too_big", limit_mb=limit_mb, part=info.filename)
            first = chunk.find(b"<")
            run += len(chunk) if first < 0 else first
            if run > longest:
                raise _long_text(scan, info.filename, context)
            if first >= 0:  # a new run starts after the chunk's last tag; keep what precedes it
                last = chunk.rfind(b"<")
                run = len(chunk) - last - 1
                context = (previous + chunk[: last + 1])[-4096:]
            previous = chunk[-4096:]
            if counted is _CELL:
                rows = scan.rows.get(info.filename, 0) + len(_ROW.findall(chunk))
                scan.rows[info.filename] = rows
                if rows > current.rows + 1:  # the header and the most rows any table may have
                    raise scan.reject(current.rows + 2, info.filename, "too_many_rows", limit=current.rows)
                scan.cells += len(_CELL.findall(chunk))
                if scan.cells > current.xlsx_cells:
                    raise scan.reject(
                        None, info.filename, "xlsx_too_many_cells", limit=current.xlsx_cells, part=info.filename
                    )
            elif counted is _SHARED_STRING:
                scan.shared_strings += len(_SHARED_STRING.findall(chunk))
                if scan.shared_strings > current.shared_strings:
                    raise scan.reject(None, info.filename, "xlsx_too_many_shared_strings", limit=current.shared_strings)


def _scan_archive(content: bytes, file: str, current: Limits) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            infos = archive.infolist()
            total = sum(info.file_size for info in infos)
            if total > current.xlsx_unzipped_bytes:  # the sizes the archive declares (reading never exceeds them)
                raise RejectedFile([Problem(file, None, "", "", "xlsx_too_big", {"size_mb": total // MB})])
            scan = _Scan(current, file)
            for info in infos:
                if info.filename.endswith((".xml", ".rels")):
                    _scan_part(archive, info, scan)
    except RejectedFile:
        raise
    # RuntimeError also covers a compression method zipfile cannot read.
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, ValueError) as error:
        raise RejectedFile([Problem(file, None, "", "", "xlsx_invalid", {"detail": str(error)[:120]})]) from error


def check_xlsx_archive(content: bytes, file: str) -> None:
    """Refuse zip bombs, non-zip content, a cell longer than any Excel cell, too many cells or shared
    strings: all counted while the XML is streamed out of the archive, before openpyxl expands anything
    (a 21 MB workbook can hold 8 million strings, a 0.3 MB one a 300 MB cell).

    The readers of one upload open the same workbook several times; the scan runs once per content."""
    current = limits()
    digest = hashlib.blake2b(content, digest_size=16).digest()
    cached = _SCANNED.get(digest)
    if cached is None or cached[0] != current:
        try:
            _scan_archive(content, file, current)
            problems: list[Problem] = []
        except RejectedFile as rejected:
            problems = list(rejected.problems)
        if len(_SCANNED) >= 8:
            _SCANNED.pop(next(iter(_SCANNED)))
        cached = _SCANNED[digest] = (current, problems)
    if cached[1]:
        raise RejectedFile([Problem(file, p.row, p.column, p.value, p.key, p.params) for p in cached[1]])


def _dimensions_before_data(parser: Any) -> tuple[int, int, int, int] | None:
    """openpyxl's WorkSheetParser.parse_dimensions, stopping at the *start* of <sheetData>.

    openpyxl listens for end events, so on a sheet without a <dimension> element (which Excel always
    writes, other tools and attackers need not) it reads the whole sheet before giving up, on every
    open of the workbook: an import opens it several times. This reads only the sheet's head."""
    from openpyxl.worksheet._reader import DATA_TAG, DIMENSION_TAG
    from openpyxl.worksheet.dimensions import SheetDimension
    from openpyxl.xml.functions import iterparse

    for _event, element in iterparse(parser.source, events=("start",)):
        if element.tag == DIMENSION_TAG:
            boundaries: tuple[int, int, int, int] | None = SheetDimension.from_tree(element).boundaries
            return boundaries
        if element.tag == DATA_TAG:
            return None
    return None


def open_workbook(content: bytes, file: str):  # type: ignore[no-untyped-def]
    """A read-only openpyxl workbook, after the archive checks (defusedxml guards the XML)."""
    import openpyxl
    from openpyxl.worksheet._reader import WorkSheetParser

    WorkSheetParser.parse_dimensions = _dimensions_before_data
    check_xlsx_archive(content, file)
    try:
        return openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for damaged files
        raise RejectedFile([Problem(file, None, "", "", "xlsx_invalid", {"detail": type(error).__name__})]) from error


def extract_xlsx(content: bytes, file: str) -> Iterator[RawRow]:
    workbook = open_workbook(content, file)
    try:
        sheet = workbook.worksheets[0]
        records = ([nfc(c) if isinstance(c, str) else c for c in row] for row in sheet.iter_rows(values_only=True))
        yield from _rows(records, file)
    finally:
        workbook.close()
