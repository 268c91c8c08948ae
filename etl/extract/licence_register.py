"""A register of individual licences and printing declarations (CSV or XLSX), one record a row.

Columns (Vietnamese or English headers; a title row above the header is fine): number, type,
issue date, and optionally holder, title, unit, note. Dates may be `16/07/2019` (Vietnamese day
first), `2019-07-16`, `ngày 16 tháng 7 năm 2019`, or Excel date cells. Every row is checked and
every problem is reported with its row and column; nothing is guessed.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from openpyxl.utils import get_column_letter

from commstats.catalog import load_catalog
from etl.extract.tabular import check_row_count
from etl.limits import current as limits
from etl.problems import Problem, ProblemLog, RawRow, RejectedFile
from etl.validate import MAX_TEXT, Reference

REGISTER_METRICS = ("publishing_licences", "printing_declarations")
REQUIRED = ("number", "type", "issued_on")
HEADER_SEARCH_ROWS = 20
FIRST_YEAR, LAST_YEAR = 1990, 2100

HEADER_ALIASES: dict[str, str] = {
    "number": "number",
    "số": "number",
    "số giấy phép": "number",
    "số gp": "number",
    "số tờ khai": "number",
    "số hiệu": "number",
    "số giấy phép/tờ khai": "number",
    "licence number": "number",
    "license number": "number",
    "no.": "number",
    "no": "number",
    "type": "type",
    "loại": "type",
    "loại giấy phép": "type",
    "loại hồ sơ": "type",
    "kind": "type",
    "issued_on": "issued_on",
    "ngày cấp": "issued_on",
    "ngày": "issued_on",
    "ngày tiếp nhận": "issued_on",
    "ngày cấp/tiếp nhận": "issued_on",
    "issue date": "issued_on",
    "issued on": "issued_on",
    "date": "issued_on",
    "holder": "holder",
    "tổ chức, cá nhân": "holder",
    "tổ chức": "holder",
    "đơn vị đề nghị": "holder",
    "cơ quan, tổ chức": "holder",
    "người được cấp": "holder",
    "tổ chức đề nghị": "holder",
    "applicant": "holder",
    "title": "title",
    "tên tài liệu": "title",
    "tên xuất bản phẩm": "title",
    "nội dung": "title",
    "tên": "title",
    "unit": "unit",
    "mã đơn vị": "unit",
    "unit code": "unit",
    "note": "note",
    "ghi chú": "note",
}

TYPE_ALIASES: dict[str, str] = {
    "publishing_licences": "publishing_licences",
    "giấy phép": "publishing_licences",
    "giấy phép xuất bản": "publishing_licences",
    "gpxb": "publishing_licences",
    "gp": "publishing_licences",
    "xuất bản": "publishing_licences",
    "giấy phép xuất bản tài liệu": "publishing_licences",
    "licence": "publishing_licences",
    "license": "publishing_licences",
    "publishing licence": "publishing_licences",
    "printing_declarations": "printing_declarations",
    "tờ khai": "printing_declarations",
    "tờ khai hoạt động in": "printing_declarations",
    "đăng ký hoạt động in": "printing_declarations",
    "in": "printing_declarations",
    "declaration": "printing_declarations",
    "printing declaration": "printing_declarations",
}

_ISO = re.compile(r"^(?P<y>[0-9]{4})-(?P<m>[0-9]{1,2})-(?P<d>[0-9]{1,2})(?:[ T][0-9]{1,2}:[0-9]{2}(?::[0-9]{2})?)?$")
_DAY_FIRST = re.compile(r"^(?P<d>[0-9]{1,2})\s*[/.-]\s*(?P<m>[0-9]{1,2})\s*[/.-]\s*(?P<y>[0-9]{4})$")
_WORDS = re.compile(r"^ngày\s+(?P<d>[0-9]{1,2})\s+tháng\s+(?P<m>[0-9]{1,2})\s+năm\s+(?P<y>[0-9]{4})$", re.IGNORECASE)
_SHORT_YEAR = re.compile(r"^[0-9]{1,2}\s*[/.-]\s*[0-9]{1,2}\s*[/.-]\s*[0-9]{2}$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
EXCEL_EPOCH = dt.date(1899, 12, 30)


@dataclass(frozen=True)
class LicenceRow:
    line: int
    unit_code: str
    metric_code: str
    number: str
    issued_on: dt.date
    holder: str = ""
    title: str = ""

    def same_data(self, other: LicenceRow) -> bool:
        return (self.issued_on, self.holder, self.title) == (other.issued_on, other.holder, other.title)


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(unicodedata.normalize("NFC", str(value)).split())


def _key(value: object) -> str:
    return _text(value).casefold()


def type_aliases() -> dict[str, str]:
    """The aliases above plus the catalogue's own names of the two metrics."""
    aliases = dict(TYPE_ALIASES)
    catalog = load_catalog()
    for code in REGISTER_METRICS:
        spec = catalog.metric(code)
        aliases[_key(spec.name_vi)] = code
        aliases[_key(spec.name_en)] = code
    return aliases


def parse_day(value: object) -> tuple[dt.date | None, str | None]:
    """A calendar day from a date cell, an Excel serial number or text; or the key of what is wrong."""
    if isinstance(value, dt.datetime):
        day = value.date()
    elif isinstance(value, dt.date):
        day = value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        if value != int(value) or not 1 <= value <= 2_958_465:
            return None, "register_bad_date"
        day = EXCEL_EPOCH + dt.timedelta(days=int(value))
    else:
        text = _text(value)
        if not text:
            return None, "register_missing_date"
        if _SHORT_YEAR.match(text):
            return None, "register_bad_date"
        found = _ISO.match(text) or _DAY_FIRST.match(text) or _WORDS.match(text)
        if not found:
            return None, "register_bad_date"
        try:
            day = dt.date(int(found["y"]), int(found["m"]), int(found["d"]))
        except ValueError:
            return None, "register_impossible_date"
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        return None, "register_date_out_of_range"
    return day, None


def _header(cells: Sequence[object]) -> list[str] | None:
    # Each distinct text cell normalised once: a hostile row of a million equal cells costs one.
    texts = {c: HEADER_ALIASES.get(_key(c), "") for c in {c for c in cells if type(c) is str}}
    names = [texts[c] if type(c) is str else HEADER_ALIASES.get(_key(c), "") for c in cells]
    return names if all(r in names for r in REQUIRED) else None


def _records(table: Iterator[Sequence[object]], file: str, shown: dict[str, str]) -> Iterator[RawRow]:
    """Rows after the header (searched for in the first rows), as RawRows keyed by canonical names.

    `shown` is filled with each canonical name's column as the user sees it (`C – Ngày cấp`).
    """
    header: list[str] | None = None
    skipped: list[Sequence[object]] = []
    header_line, most = 0, limits().register_rows
    for line, cells in enumerate(table, start=1):
        if header is None:
            header = _header(cells)
            if header is None:
                skipped.append(cells)
                if len(skipped) >= HEADER_SEARCH_ROWS:
                    break
                continue
            duplicated = sorted({n for n in header if n and header.count(n) > 1})
            if duplicated:
                raise RejectedFile(
                    [Problem(file, line, name, "", "duplicate_column", {"column": name}) for name in duplicated]
                )
            shown.update({n: f"{get_column_letter(i + 1)} – {_text(cells[i])}" for i, n in enumerate(header) if n})
            header_line = line
            continue
        if not any(_text(c) for c in cells):
            continue
        if line - header_line > most:  # rows after the header, blank ones included (as a spreadsheet counts)
            check_row_count(line - header_line, file, line, most)
        yield RawRow(line, {name: cells[i] if i < len(cells) else None for i, name in enumerate(header) if name})
    if header is None:
        found = next((c for c in skipped if any(_text(x) for x in c)), [])
        names = {HEADER_ALIASES.get(_key(c), "") for c in found}
        missing = ", ".join(r for r in REQUIRED if r not in names)
        raise RejectedFile([Problem(file, 1, "", "", "register_missing_columns", {"columns": missing})])


def register_rows(records: Iterator[Sequence[object]], file: str, shown: dict[str, str]) -> Iterator[RawRow]:
    """Raw register rows from a table's records (etl.sources.read, CSV or a sheet); see _records for `shown`."""
    return _records(records, file, shown)


def looks_like_register(cells: Sequence[object]) -> bool:
    return _header(cells) is not None


def _check_row(
    row: RawRow,
    file: str,
    reference: Reference,
    aliases: dict[str, str],
    default_unit: str | None,
    shown: dict[str, str],
) -> tuple[LicenceRow | None, list[Problem]]:
    found: list[Problem] = []

    def problem(column: str, raw: object, key: str, **params: object) -> None:
        found.append(Problem(file, row.line, shown.get(column, column), _text(raw)[:80], key, dict(params)))

    v = row.values
    for column, raw in v.items():
        if isinstance(raw, str) and _CONTROL.search(raw):
            problem(column, raw.replace("\x00", "\\0"), "control_chars")
        elif isinstance(raw, str) and len(raw) > MAX_TEXT:
            problem(column, raw[:40], "text_too_long", limit=MAX_TEXT)
    if found:
        return None, found
    unit_code = _text(v.get("unit")) or default_unit or ""
    if not unit_code:
        problem("unit", "", "no_unit", count=len(reference.units))
    elif unit_code not in reference.units:
        problem("unit", unit_code, "unknown_unit", allowed=", ".join(sorted(reference.units)) or "-")
    number = _text(v.get("number"))
    if not number:
        problem("number", "", "register_missing_number")
    raw_type = v.get("type")
    metric = aliases.get(_key(raw_type))
    if not _text(raw_type):
        problem("type", "", "register_missing_type")
    elif metric is None:
        problem("type", raw_type, "register_unknown_type")
    day, error = parse_day(v.get("issued_on"))
    if error:
        problem("issued_on", v.get("issued_on"), error, first=FIRST_YEAR, last=LAST_YEAR)
    if day is not None and unit_code in reference.units:
        refused = reference.period_problem(unit_code, day.replace(day=1))  # the window every source keeps
        if refused is not None:
            problem("issued_on", v.get("issued_on"), refused[0], **refused[1])
    if found or metric is None or day is None:
        return None, found
    return LicenceRow(row.line, unit_code, metric, number, day, _text(v.get("holder")), _text(v.get("title"))), []


def validate_register(
    rows: Iterator[RawRow],
    file: str,
    reference: Reference,
    default_unit: str | None = None,
    shown: dict[str, str] | None = None,
) -> tuple[list[LicenceRow], list[Problem]]:
    """Every row checked; a number seen twice with other data is a problem, an exact repeat is dropped."""
    aliases = type_aliases()
    if default_unit is None and len(reference.units) == 1:
        default_unit = next(iter(reference.units))
    clean: list[LicenceRow] = []
    problems: list[Problem] = ProblemLog()
    seen: dict[tuple[str, str, str], LicenceRow] = {}
    shown = shown if shown is not None else {}
    for row in rows:
        record, found = _check_row(row, file, reference, aliases, default_unit, shown)
        problems += found
        if record is None:
            continue
        key = (record.unit_code, record.metric_code, record.number)
        if key not in seen:
            seen[key] = record
            clean.append(record)
        elif not seen[key].same_data(record):
            other = {"other": seen[key].line}
            column = shown.get("number", "number")
            problems.append(Problem(file, row.line, column, record.number, "register_duplicate_number", other))
    return clean, problems
