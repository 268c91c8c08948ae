"""Long-format CSV and XLSX: columns period, metric, member, value (+ unit, note)."""

from __future__ import annotations

import csv
import io
import unicodedata
import zipfile
from collections.abc import Iterator

from charset_normalizer import from_bytes

from etl.problems import Problem, RawRow, RejectedFile

MAX_COLUMNS = 64
MAX_ROWS = 2_000_000
MAX_XLSX_UNZIPPED_BYTES = 400 * 1024 * 1024

# Header aliases: English codes, the Vietnamese and English headers of our own exports.
HEADER_ALIASES: dict[str, str] = {
    "period": "period", "kỳ": "period", "ky": "period", "tháng": "period",
    "metric": "metric", "mã chỉ tiêu": "metric", "metric code": "metric",
    "member": "member", "mã thành phần": "member", "member code": "member",
    "value": "value", "giá trị": "value", "số liệu": "value",
    "unit": "unit", "mã đơn vị": "unit", "unit code": "unit",
    "note": "note", "ghi chú": "note",
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


def _rows(records: Iterator[list[object]], file: str, first_line: int = 1) -> Iterator[RawRow]:
    header: list[str] | None = None
    for line, cells in enumerate(records, start=first_line):
        if header is None:
            if not any(str(c or "").strip() for c in cells):
                continue
            if len(cells) > MAX_COLUMNS:
                raise RejectedFile(
                    [Problem(file, line, "", "", "too_many_columns", {"count": len(cells), "expected": MAX_COLUMNS})]
                )
            header = _canonical_header([str(c or "") for c in cells], file)
            continue
        if not any(str(c if c is not None else "").strip() for c in cells):
            continue
        if line - first_line > MAX_ROWS:
            raise RejectedFile([Problem(file, line, "", "", "too_many_rows", {"limit": MAX_ROWS})])
        if len(cells) > len(header) and any(str(c or "").strip() for c in cells[len(header) :]):
            raise RejectedFile(
                [Problem(file, line, "", "", "too_many_columns", {"count": len(cells), "expected": len(header)})]
            )
        values = {name: cells[i] if i < len(cells) else None for i, name in enumerate(header) if name}
        yield RawRow(line, values)
    if header is None:
        raise RejectedFile([Problem(file, None, "", "", "file_empty")])


def extract_csv(content: bytes, file: str, encoding: str | None = None) -> Iterator[RawRow]:
    text = decode(content, file, encoding)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    records = 0

    def counted() -> Iterator[list[str]]:
        nonlocal records
        for record in reader:
            records += 1
            yield record

    try:
        yield from _rows(counted(), file)
    except csv.Error as error:
        # The row as a spreadsheet numbers it: the record that could not be read (a quote left open
        # swallows the lines after it, so the physical line number would point past the mistake).
        raise RejectedFile([Problem(file, records + 1, "", "", "csv_malformed", {"detail": str(error)})]) from error


def check_xlsx_archive(content: bytes, file: str) -> None:
    """Refuse zip bombs and non-zip content before openpyxl expands anything."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            total = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as error:
        raise RejectedFile([Problem(file, None, "", "", "xlsx_invalid", {"detail": str(error)})]) from error
    if total > MAX_XLSX_UNZIPPED_BYTES:
        raise RejectedFile([Problem(file, None, "", "", "xlsx_too_big", {"size_mb": total // 2**20})])


def open_workbook(content: bytes, file: str):  # type: ignore[no-untyped-def]
    """A read-only openpyxl workbook, after the archive checks (defusedxml guards the XML)."""
    import openpyxl

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
