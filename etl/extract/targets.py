"""Annual targets (kế hoạch năm) from CSV or XLSX: columns year, metric, value (+ unit)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from etl.extract.tabular import check_columns, check_row_count, csv_records, decode, nfc, open_workbook
from etl.limits import current as limits
from etl.problems import Problem, RawRow, RejectedFile

HEADER_ALIASES: dict[str, str] = {
    "year": "year", "năm": "year", "nam": "year",
    "metric": "metric", "mã chỉ tiêu": "metric", "metric code": "metric",
    "value": "value", "giá trị": "value", "kế hoạch": "value", "target": "value", "chỉ tiêu kế hoạch": "value",
    "unit": "unit", "mã đơn vị": "unit", "unit code": "unit",
}  # fmt: skip
REQUIRED = ("year", "metric", "value")


def _header(cells: Sequence[object], file: str, line: int) -> list[str]:
    names: list[str] = []
    problems: list[Problem] = []
    for cell in cells:
        name = HEADER_ALIASES.get(nfc(str(cell if cell is not None else "")).strip().lower(), "")
        if name and name in names:
            problems.append(Problem(file, line, str(cell), "", "duplicate_column", {"column": cell}))
        names.append(name)
    missing = [c for c in REQUIRED if c not in names]
    if missing:
        problems.append(Problem(file, line, "", "", "target_missing_columns", {"columns": ", ".join(missing)}))
    if problems:
        raise RejectedFile(problems)
    return names


def _rows(records: Iterator[Sequence[object]], file: str) -> Iterator[RawRow]:
    header: list[str] | None = None
    header_line, most = 0, limits().rows
    for line, cells in enumerate(records, start=1):
        if not any(str(c if c is not None else "").strip() for c in cells):
            continue
        if header is None:
            check_columns(cells, file, line)
            header, header_line = _header(cells, file, line), line
            continue
        if line - header_line > most:  # rows after the header, blank ones included (as a spreadsheet counts)
            check_row_count(line - header_line, file, line, most)
        if len(cells) > len(header) and any(str(c or "").strip() for c in cells[len(header) :]):
            raise RejectedFile(
                [Problem(file, line, "", "", "too_many_columns", {"count": len(cells), "expected": len(header)})]
            )
        yield RawRow(line, {name: cells[i] if i < len(cells) else None for i, name in enumerate(header) if name})
    if header is None:
        raise RejectedFile([Problem(file, None, "", "", "file_empty")])


def extract_targets_csv(content: bytes, file: str, encoding: str | None = None) -> Iterator[RawRow]:
    yield from _rows(csv_records(decode(content, file, encoding), file), file)


def extract_targets_xlsx(content: bytes, file: str) -> Iterator[RawRow]:
    workbook = open_workbook(content, file)
    try:
        sheet = workbook.worksheets[0]
        records = ([nfc(c) if isinstance(c, str) else c for c in row] for row in sheet.iter_rows(values_only=True))
        yield from _rows(records, file)
    finally:
        workbook.close()


def extract_targets(content: bytes, file: str, encoding: str | None = None) -> Iterator[RawRow]:
    """Raw target rows of a .csv/.txt or .xlsx file (the suffix decides)."""
    if file.lower().endswith(".xlsx"):
        return extract_targets_xlsx(content, file)
    return extract_targets_csv(content, file, encoding)
