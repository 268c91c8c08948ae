"""Read an .xlsx: the data-entry workbook (commstats/template.py) if it is one, else the long format.

The workbook is recognised by its structure: the hidden marker sheet or a column A whose header
is `commstats:code`. What people do to it is tolerated: extra title rows (the header is searched
for), merged cells, blank rows, rows without a code (notes, their own totals: ignored), numbers
stored as text with thousands dots; empty cells mean "not reported", never zero. The template's
own total rows (`metric|*`) are checked against the sum of their member rows.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from openpyxl.utils import get_column_letter

from commstats.periods import parse_month
from commstats.template import CODE_HEADER, MARKER, MARKER_SHEET, TOTAL_MEMBER, split_code
from etl.extract.tabular import check_xlsx_archive, extract_xlsx, open_workbook
from etl.limits import current as limits
from etl.problems import Problem, ProblemLog, RawRow, RejectedFile
from etl.validate import parse_count

HEADER_SEARCH_ROWS = 40
DTD_SCAN_BYTES = 1 << 20
TOTAL_WORDS = re.compile(r"\b(tổng|cộng|total|sum)\b", re.IGNORECASE)


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFC", str(value)).strip()


def _unsafe(error: BaseException) -> bool:
    return type(error).__module__.startswith("defusedxml")


def workbook_problem(file: str, error: BaseException) -> Problem:
    """A damaged workbook, or one with XML entities / DTDs (refused by defusedxml)."""
    if _unsafe(error) or (error.__cause__ is not None and _unsafe(error.__cause__)):
        return Problem(file, None, "", "", "xlsx_unsafe_xml", {"detail": type(error).__name__})
    return Problem(file, None, "", "", "xlsx_invalid", {"detail": type(error).__name__})


def guarded(rows: Iterator[RawRow], file: str) -> Iterator[RawRow]:
    """Turn a parser error raised while reading rows lazily into a clear RejectedFile."""
    try:
        yield from rows
    except RejectedFile:
        raise
    except Exception as error:  # openpyxl and the XML parser raise many kinds for damaged files
        raise RejectedFile([workbook_problem(file, error)]) from error


@dataclass
class _SheetResult:
    rows: list[RawRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=ProblemLog)


def _marker(workbook: Any) -> dict[str, str] | None:
    if MARKER_SHEET not in workbook.sheetnames:
        return None
    sheet = workbook[MARKER_SHEET]
    values = {_text(r[0]): _text(r[1]) for r in sheet.iter_rows(max_row=10, max_col=2, values_only=True) if r}
    return values if MARKER in values else None


def _header_index(rows: list[tuple[Any, ...]]) -> int | None:
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        if row and _text(row[0]) == CODE_HEADER:
            return index
    return None


def _months(header: tuple[Any, ...]) -> dict[int, tuple[dt.date, str]]:
    """Column index -> (month, header text) for every header cell that names a month."""
    months: dict[int, tuple[dt.date, str]] = {}
    for col, cell in enumerate(header):
        if col < 1 or cell is None:
            continue
        try:
            month = parse_month(cell if isinstance(cell, dt.date) else _text(cell))
        except ValueError:
            continue
        months[col] = (month, _text(cell) if not isinstance(cell, dt.date) else f"{month:%m/%Y}")
    return months


def _read_section(sheet: Any, rows: list[tuple[Any, ...]], header_at: int, file: str, unit: str) -> _SheetResult:
    result = _SheetResult()
    months = _months(rows[header_at])
    if not months:
        result.problems.append(Problem(file, header_at + 1, CODE_HEADER, sheet.title, "template_no_months"))
        return result

    def where(col: int) -> str:
        return f"{get_column_letter(col + 1)} – {months[col][1]} [{sheet.title}]"

    sums: dict[tuple[str, dt.date], int] = {}
    totals: list[tuple[int, int, str, object]] = []  # (row, col, metric, raw)
    for index in range(header_at + 1, len(rows)):
        line, cells = index + 1, rows[index]
        code = _text(cells[0]) if cells else ""
        filled = {col: cells[col] for col in months if col < len(cells) and _text(cells[col])}
        if not code:
            label = _text(cells[1]) if len(cells) > 1 else ""
            if filled and not TOTAL_WORDS.search(label):
                first = min(filled)
                shown, params = _text(filled[first]), {"label": label}
                result.problems.append(Problem(file, line, where(first), shown, "template_row_without_code", params))
            continue
        metric, member = split_code(code)
        for col, raw in filled.items():
            if member == TOTAL_MEMBER:
                totals.append((line, col, metric, raw))
                continue
            value, error = parse_count(raw)
            if error:
                result.problems.append(Problem(file, line, where(col), _text(raw)[:80], error, {"limit": 10**12}))
                continue
            assert value is not None
            month = months[col][0]
            sums[(metric, month)] = sums.get((metric, month), 0) + value
            values: dict[str, object] = {
                "period": month,
                "metric": metric,
                "member": member,
                "value": value,
                "note": "",
            }
            result.rows.append(RawRow(line, values | ({"unit": unit} if unit else {})))
    for line, col, metric, raw in totals:
        total, error = parse_count(raw)
        if error:
            result.problems.append(Problem(file, line, where(col), _text(raw)[:80], error, {"limit": 10**12}))
            continue
        members = sums.get((metric, months[col][0]))
        if members is None and total:
            result.problems.append(Problem(file, line, where(col), _text(raw), "template_total_without_members"))
        elif members is not None and total != members:
            counts = {"total": total, "sum": members}
            result.problems.append(Problem(file, line, where(col), _text(raw), "template_total_mismatch", counts))
    return result


def _read_template(workbook: Any, file: str, marker: dict[str, str] | None) -> list[RawRow] | None:
    """Rows of the template, or None when the workbook is not one. Raises RejectedFile on problems."""
    unit = (marker or {}).get("unit", "")
    rows: list[RawRow] = []
    problems: list[Problem] = ProblemLog()
    found = False
    most = limits().template_rows
    for sheet in workbook.worksheets:
        if sheet.title == MARKER_SHEET:
            continue
        sheet.reset_dimensions()
        head = list(sheet.iter_rows(max_row=HEADER_SEARCH_ROWS, values_only=True))
        header_at = _header_index(head)
        if header_at is None:
            continue
        found = True
        table = list(sheet.iter_rows(max_row=most + 1, values_only=True))
        if len(table) > most:
            problems.append(Problem(file, most + 1, "", sheet.title, "too_many_rows", {"limit": most}))
            continue
        sheet_result = _read_section(sheet, table, header_at, file, unit)
        rows += sheet_result.rows
        problems += sheet_result.problems
    if not found:
        if marker is None:
            return None
        problems.append(Problem(file, None, "A", "", "template_no_code_column"))
    if problems:
        raise RejectedFile(problems)
    return rows


def _declares_dtd(content: bytes) -> bool:
    """True when any XML part of the archive has a DOCTYPE or ENTITY declaration in its first bytes.

    Spreadsheet XML never needs one; a DTD can only come before the root element, so the start of
    each part is enough (the XML parsers below refuse or ignore entities in any case)."""
    markers = [m.encode(enc) for m in ("<!DOCTYPE", "<!ENTITY") for enc in ("utf-8", "utf-16-le", "utf-16-be")]
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for info in archive.infolist():
            if info.is_dir():
                continue
            with archive.open(info) as part:
                head = part.read(DTD_SCAN_BYTES)
            if any(marker in head for marker in markers):
                return True
    return False


def open_checked(content: bytes, file: str) -> Any:
    """open_workbook, after refusing zip bombs and XML with DTDs / entities (named as such)."""
    check_xlsx_archive(content, file)
    try:
        unsafe = _declares_dtd(content)
    # RuntimeError also covers a compression method zipfile cannot read.
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError) as error:
        raise RejectedFile([workbook_problem(file, error)]) from error
    if unsafe:
        raise RejectedFile([Problem(file, None, "", "", "xlsx_unsafe_xml", {"detail": "DOCTYPE/ENTITY"})])
    try:
        return open_workbook(content, file)
    except RejectedFile as rejected:
        cause = rejected.__cause__
        if cause is not None and (_unsafe(cause) or (cause.__cause__ is not None and _unsafe(cause.__cause__))):
            raise RejectedFile([workbook_problem(file, cause)]) from cause
        raise


def is_template(content: bytes, file: str) -> bool:
    """True when the .xlsx is the data-entry workbook (by its marker sheet or its code column)."""
    workbook = open_checked(content, file)
    try:
        if _marker(workbook) is not None:
            return True
        return any(
            _header_index(list(s.iter_rows(max_row=HEADER_SEARCH_ROWS, max_col=1, values_only=True))) is not None
            for s in workbook.worksheets
        )
    except Exception:
        return False
    finally:
        workbook.close()


def extract_workbook(content: bytes, file: str) -> Iterator[RawRow]:
    """Raw rows of any supported .xlsx: the data-entry workbook, else the long format's first sheet."""
    workbook = open_checked(content, file)
    try:
        rows = _read_template(workbook, file, _marker(workbook))
    except RejectedFile:
        raise
    except Exception as error:
        raise RejectedFile([workbook_problem(file, error)]) from error
    finally:
        workbook.close()
    if rows is None:
        yield from guarded(extract_xlsx(content, file), file)
        return
    if not rows:
        raise RejectedFile([Problem(file, None, "", "", "template_empty")])
    yield from rows
