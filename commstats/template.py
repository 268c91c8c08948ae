"""The data-entry workbook offices fill in: one sheet per section, metrics as rows, months as columns.

The same row layout (`form_rows`) feeds the manual entry page. The reader is
etl/extract/template_workbook.py; it finds the hidden code column by its header, so the
workbook is recognised by its structure, not by its file name.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import Engine

from commstats import queries
from commstats.catalog import UNALLOCATED
from commstats.i18n import t

# The structure the reader relies on.
MARKER_SHEET = "_commstats"
MARKER = "commstats-template"
TEMPLATE_VERSION = 1
CODE_HEADER = "commstats:code"  # header of the hidden column A on every section sheet
TOTAL_MEMBER = "*"  # code `metric|*` marks a row that is the sum of the metric's members
FIRST_MONTH_COLUMN = 4  # D
HEADER_ROW = 5

_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_INPUT_FILL = PatternFill("solid", fgColor="FFFFFF")
_LOCKED_FILL = PatternFill("solid", fgColor="E7EEF7")
_HEADER_FILL = PatternFill("solid", fgColor="0B5394")
_THIN = Side(style="thin", color="9AA7B8")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)

# The instructions sheet's numbered paragraphs, in order.
GUIDE_KEYS = (
    "template.guide_1",
    "template.guide_2",
    "template.guide_3",
    "template.guide_4",
    "template.guide_5",
    "template.guide_6",
)


@dataclass(frozen=True)
class FormRow:
    """One row of a section's form: a metric, one member of it, or the total of its members."""

    code: str  # `metric`, `metric|member` or `metric|*`
    metric: str
    member: str
    label: str
    unit_word: str
    is_total: bool = False
    metric_name: str = ""  # the metric's own name, for member rows shown without their total row

    @property
    def full_label(self) -> str:
        return f"{self.metric_name} — {self.label}" if self.member and self.metric_name else self.label


@dataclass(frozen=True)
class FormSection:
    code: str
    name: str
    rows: list[FormRow]


def row_code(metric: str, member: str) -> str:
    return f"{metric}|{member}" if member else metric


def split_code(code: str) -> tuple[str, str]:
    metric, _, member = code.partition("|")
    return metric.strip(), member.strip()


def _site_codes(engine: Engine, unit_code: str | None) -> list[str] | None:
    """The component sites this unit has reported, or None to list every catalogue site."""
    if not unit_code:
        return None
    ids = queries.unit_ids_with_predecessors(engine, [unit_code])
    if not ids:
        return None
    first, last = dt.date(1900, 1, 1), dt.date(2200, 12, 1)
    frame = queries.monthly_totals(engine, ids, ["sites_posts"], first, last, by_member=True)
    codes = {str(c) for c in frame["member"]} - {UNALLOCATED} if not frame.empty else set()
    return sorted(codes) or None


def form_rows(engine: Engine, unit_code: str | None = None, lang: str = "vi") -> list[FormSection]:
    """Every section with its rows: plain metrics, and for broken-down ones a total row then members."""
    member_frames: dict[str, list[tuple[str, str]]] = {}
    sections: dict[str, FormSection] = {}
    for metric in queries.metrics(engine):
        if metric.kind == "ratio":  # computed from its parts, never typed in
            continue
        section = sections.setdefault(metric.section_code, FormSection(metric.section_code, metric.section(lang), []))
        unit_word = metric.unit_word(lang)
        if not metric.dimension:
            section.rows.append(FormRow(metric.code, metric.code, "", metric.name(lang), unit_word))
            continue
        if metric.dimension not in member_frames:
            frame = queries.members(engine, metric.dimension)
            wanted = _site_codes(engine, unit_code) if metric.dimension == "site" else None
            member_frames[metric.dimension] = [
                (str(r.code), str(r.name_en if lang == "en" and r.name_en else r.name_vi))
                for r in frame.itertuples()
                if r.code != UNALLOCATED and (wanted is None or r.code in wanted)
            ]
        members = member_frames[metric.dimension]
        if not members:
            section.rows.append(FormRow(metric.code, metric.code, "", metric.name(lang), unit_word))
            continue
        total_label = t("template.total", lang, name=metric.name(lang))
        section.rows.append(
            FormRow(
                row_code(metric.code, TOTAL_MEMBER), metric.code, TOTAL_MEMBER, total_label, unit_word, is_total=True
            )
        )
        section.rows.extend(
            [
                FormRow(row_code(metric.code, code), metric.code, code, name, unit_word, metric_name=metric.name(lang))
                for code, name in members
            ]
        )
    return [s for s in sections.values() if s.rows]


def _sheet_title(name: str, used: set[str]) -> str:
    title = _SHEET_FORBIDDEN.sub(" ", name).strip()[:31] or "Sheet"
    base, n = title, 2
    while title.casefold() in used:
        suffix = f" ({n})"
        title, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(title.casefold())
    return title


def _write_section(sheet: Worksheet, section: FormSection, year: int, unit_line: str, lang: str) -> None:
    last_col = FIRST_MONTH_COLUMN + 11
    last_letter = get_column_letter(last_col)
    sheet["B1"] = t("template.title", lang, year=year, section=section.name.upper())
    sheet["B1"].font = Font(bold=True, size=14, color="0B5394")
    sheet["B2"], sheet["B3"] = unit_line, t("template.short_help", lang)
    sheet["B3"].alignment = Alignment(wrap_text=True, vertical="top")
    sheet.row_dimensions[3].height = 32
    for row in (1, 2, 3):
        sheet.merge_cells(f"B{row}:{last_letter}{row}")

    headers = [CODE_HEADER, t("template.metric", lang), t("template.unit_word", lang)]
    headers += [t("template.month", lang, month=m, year=year) for m in range(1, 13)]
    for col, value in enumerate(headers, start=1):
        cell = sheet.cell(HEADER_ROW, col, value)
        cell.font, cell.fill, cell.border = Font(bold=True, color="FFFFFF"), _HEADER_FILL, _BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)

    validation = DataValidation(
        type="whole",
        operator="greaterThanOrEqual",
        formula1="0",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle=t("template.validation_title", lang),
        error=t("template.validation_error", lang),
    )
    sheet.add_data_validation(validation)
    totals: dict[str, tuple[int, list[int]]] = {}
    for index, form_row in enumerate(section.rows):
        row = HEADER_ROW + 1 + index
        sheet.cell(row, 1, form_row.code)
        label = sheet.cell(row, 2, form_row.label)
        label.alignment = Alignment(indent=0 if form_row.is_total or not form_row.member else 2, wrap_text=True)
        sheet.cell(row, 3, form_row.unit_word)
        for col in range(1, 4):
            sheet.cell(row, col).fill, sheet.cell(row, col).border = _LOCKED_FILL, _BORDER
        if form_row.is_total:
            label.font = Font(bold=True)
            totals[form_row.metric] = (row, [])
        elif form_row.member and form_row.metric in totals:
            totals[form_row.metric][1].append(row)
        for col in range(FIRST_MONTH_COLUMN, last_col + 1):
            cell = sheet.cell(row, col)
            cell.number_format, cell.border = "#,##0", _BORDER
            if form_row.is_total:
                cell.fill, cell.font = _LOCKED_FILL, Font(bold=True)
            else:
                cell.fill, cell.protection = _INPUT_FILL, Protection(locked=False)
        if not form_row.is_total:
            first, last = get_column_letter(FIRST_MONTH_COLUMN), last_letter
            validation.add(f"{first}{row}:{last}{row}")
    for total_row, member_rows in totals.values():
        if not member_rows:
            continue
        for col in range(FIRST_MONTH_COLUMN, last_col + 1):
            letter = get_column_letter(col)
            sheet.cell(total_row, col, f"=SUM({letter}{member_rows[0]}:{letter}{member_rows[-1]})")

    sheet.column_dimensions["A"].hidden = True
    sheet.column_dimensions["A"].width = 24
    sheet.column_dimensions["B"].width = 58
    sheet.column_dimensions["C"].width = 14
    for col in range(FIRST_MONTH_COLUMN, last_col + 1):
        sheet.column_dimensions[get_column_letter(col)].width = 11
    sheet.freeze_panes = sheet.cell(HEADER_ROW + 1, FIRST_MONTH_COLUMN)
    sheet.protection.sheet = True
    sheet.protection.formatColumns = False  # people may widen columns and rows
    sheet.protection.formatRows = False


def _write_guide(sheet: Worksheet, year: int, unit_line: str, section_titles: list[str], lang: str) -> None:
    sheet["A1"] = t("template.guide_title", lang, year=year)
    sheet["A1"].font = Font(bold=True, size=14, color="0B5394")
    sheet["A2"] = unit_line
    row = 4
    for number, key in enumerate(GUIDE_KEYS, start=1):
        sheet.cell(row, 1, f"{number}. {t(key, lang)}").alignment = Alignment(wrap_text=True)
        sheet.row_dimensions[row].height = 32
        row += 1
    row += 1
    for title in section_titles:
        sheet.cell(row, 1, f"• {title}")
        row += 1
    sheet.column_dimensions["A"].width = 120
    sheet.protection.sheet = True


def _write_marker(sheet: Worksheet, year: int, unit_code: str, lang: str) -> None:
    for row, (key, value) in enumerate(
        [(MARKER, TEMPLATE_VERSION), ("year", year), ("unit", unit_code), ("lang", lang)], start=1
    ):
        sheet.cell(row, 1, key)
        sheet.cell(row, 2, value)
    sheet.sheet_state = "veryHidden"
    sheet.protection.sheet = True


def build_template(engine: Engine, year: int, unit_code: str | None = None, lang: str = "vi") -> bytes:
    """The workbook for `year` as .xlsx bytes. Raises ValueError for an unknown unit or a bad year."""
    if not 1900 <= year <= 2200:
        raise ValueError(f"year {year}")
    unit_line = t("template.no_unit", lang)
    if unit_code:
        found = [u for u in queries.units(engine) if u.code == unit_code]
        if not found:
            raise ValueError(f"unit {unit_code}")
        unit_line = t("template.unit_line", lang, name=found[0].name(lang), code=unit_code)
    workbook = Workbook()
    guide = workbook.active
    assert guide is not None
    guide.title = t("template.guide_sheet", lang)
    used = {guide.title.casefold(), MARKER_SHEET.casefold()}
    titles = []
    for section in form_rows(engine, unit_code, lang):
        sheet = workbook.create_sheet(_sheet_title(section.name, used))
        titles.append(sheet.title)
        _write_section(sheet, section, year, unit_line, lang)
    _write_guide(guide, year, unit_line, titles, lang)
    _write_marker(workbook.create_sheet(MARKER_SHEET), year, unit_code or "", lang)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
