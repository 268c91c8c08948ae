"""A draft as a Word document in Vietnamese administrative style (Nghị định 30/2020/NĐ-CP):
A4, Times New Roman 14 pt, justified paragraphs with a first-line indent, a centred heading."""

from __future__ import annotations

import io

from docx import Document
from docx.document import Document as WordDocument
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

from commstats.narrative.compose import Draft
from commstats.narrative.report import ReportDocument

FONT = "Times New Roman"
SIZE = Pt(14)


def _font_everywhere(document: WordDocument) -> None:
    """Normal style in Times New Roman 14 pt, including the East Asian and complex-script slots."""
    style = document.styles["Normal"]
    style.font.name = FONT
    style.font.size = SIZE
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(slot), FONT)
    spacing = style.paragraph_format
    spacing.space_before, spacing.space_after, spacing.line_spacing = Pt(0), Pt(6), 1.15


def _line(
    document: WordDocument,
    text: str,
    *,
    bold: bool = False,
    italic: bool = False,
    align: WD_ALIGN_PARAGRAPH = WD_ALIGN_PARAGRAPH.JUSTIFY,
    indent: bool = False,
) -> Paragraph:
    paragraph = document.add_paragraph()
    paragraph.alignment = align
    if indent:
        paragraph.paragraph_format.first_line_indent = Cm(1)
    run = paragraph.add_run(text)
    run.bold, run.italic = bold, italic
    run.font.name, run.font.size = FONT, SIZE
    return paragraph


def to_docx_bytes(draft: Draft) -> bytes:
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(2), Cm(2)
    section.left_margin, section.right_margin = Cm(3), Cm(2)
    _font_everywhere(document)
    document.core_properties.title = draft.title
    document.core_properties.language = "vi-VN" if draft.lang == "vi" else "en-US"

    if draft.unit_line:
        _line(document, draft.unit_line.upper(), bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    _line(document, draft.title, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    for note in (draft.window, *draft.notes):
        if note:
            _line(document, note, italic=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    for part in draft.sections:
        _line(document, part.title, bold=True, indent=True)
        for paragraph in part.paragraphs:
            _line(document, f"{draft.bullet}{paragraph.text}", indent=True)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# --- the whole report (commstats.narrative.report) -------------------------------------------------------------
HEADER_SIZE = Pt(13)
SMALL = Pt(11)


def _cell_line(
    cell: _Cell, text: str, *, bold: bool = False, italic: bool = False, size: Pt = HEADER_SIZE, first: bool = False
) -> Paragraph:
    """A centred line in a table cell (the first one reuses the cell's empty paragraph)."""
    paragraph: Paragraph = cell.paragraphs[0] if first else cell.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.space_after = Pt(0)
    run = paragraph.add_run(text)
    run.bold, run.italic = bold, italic
    run.font.name, run.font.size = FONT, size
    return paragraph


def _widths(table: Table, widths: list[Cm]) -> None:
    """Column widths that Word and LibreOffice both keep (each cell's width, not only the column's)."""
    table.autofit = False  # a fixed layout: the widths below are kept, not fitted to the text
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
        for cell in column.cells:
            cell.width = width


def _letterhead(document: WordDocument, report: ReportDocument) -> None:
    """Nghị định 30/2020: the issuing body on the left, the national motto on the right, number and date below."""
    table = document.add_table(rows=1, cols=2)
    _widths(table, [Cm(6), Cm(10)])
    left, right = table.rows[0].cells
    _cell_line(left, report.governing_body, first=True)
    _cell_line(left, report.unit_name, bold=True)
    _cell_line(left, "———————")
    _cell_line(left, report.number)
    _cell_line(right, report.motto, bold=True, size=Pt(12), first=True)
    _cell_line(right, report.motto_sub, bold=True)
    _cell_line(right, "———————————")
    _cell_line(right, report.place_date, italic=True)


def _signature(document: WordDocument, report: ReportDocument) -> None:
    table = document.add_table(rows=1, cols=2)
    _widths(table, [Cm(8), Cm(8)])
    left, right = table.rows[0].cells
    heading = _cell_line(left, report.recipients_heading, bold=True, italic=True, size=Pt(12), first=True)
    heading.alignment = WD_ALIGN_PARAGRAPH.LEFT
    for line in report.recipients:
        _cell_line(left, line, size=SMALL).alignment = WD_ALIGN_PARAGRAPH.LEFT
    for i, line in enumerate(report.signer_title):
        _cell_line(right, line, bold=True, first=i == 0)
    for _ in range(3):  # room for the signature and the seal
        _cell_line(right, "")
    _cell_line(right, report.signer_name, bold=True)


def _appendix(document: WordDocument, report: ReportDocument) -> None:
    """On a landscape page of its own, as appendices of figures usually are."""
    section = document.add_section(WD_SECTION.NEW_PAGE)
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21)
    for i, line in enumerate(report.appendix_title):
        _line(document, line, bold=i < 2, italic=i >= 2, align=WD_ALIGN_PARAGRAPH.CENTER)
    table = document.add_table(rows=1, cols=len(report.appendix_columns))
    table.style = "Table Grid"
    for cell, title in zip(table.rows[0].cells, report.appendix_columns, strict=True):
        _cell_line(cell, title, bold=True, size=Pt(10), first=True)
    for row in report.appendix:
        cells = table.add_row().cells
        for j, (cell, value) in enumerate(zip(cells, row.cells(), strict=True)):
            figure = _cell_line(cell, value, size=Pt(10), first=True)
            if j == 1:
                figure.alignment = WD_ALIGN_PARAGRAPH.LEFT
            elif j > 2:
                figure.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    widths = [1.0, 7.0, 2.0, 2.6, 2.6, 2.2, 2.6, 2.2, 2.5]
    widths += [2.0] * (len(report.appendix_columns) - len(widths))
    _widths(table, [Cm(w) for w in widths[: len(report.appendix_columns)]])


def _new_document(title: str, lang: str) -> WordDocument:
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(2), Cm(2)
    section.left_margin, section.right_margin = Cm(3), Cm(2)
    _font_everywhere(document)
    document.core_properties.title = title
    document.core_properties.language = "vi-VN" if lang == "vi" else "en-US"
    return document


def report_docx_bytes(report: ReportDocument) -> bytes:
    """The whole report: letterhead, title, I. results (highlights, one numbered part per section of figures,
    assessment, difficulties), II. tasks, III. recommendations, closing, recipients and signature, appendix."""
    document = _new_document(f"{report.title} {report.subtitle}", report.lang)
    _letterhead(document, report)
    _line(document, "")
    _line(document, report.title, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER).paragraph_format.space_after = Pt(0)
    _line(document, report.subtitle, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    for note in report.notes:
        if note:
            _line(document, note, italic=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    _line(document, f"I. {report.results_heading}", bold=True, indent=True)
    if report.intro:
        _line(document, report.intro, indent=True)
    for text in report.highlights:
        _line(document, f"{report.bullet}{text}", indent=True)
    for number, part in enumerate(report.sections, start=1):
        _line(document, f"{number}. {part.title}", bold=True, indent=True)
        for paragraph in part.paragraphs:
            _line(document, f"{report.bullet}{paragraph.text}", indent=True)
    count = len(report.sections)
    for number, heading, lines in (
        (count + 1, report.assessment_heading, report.assessment),
        (count + 2, report.difficulties_heading, report.difficulties),
    ):
        _line(document, f"{number}. {heading}", bold=True, indent=True)
        for text in lines:
            _line(document, text, indent=True)
    for roman, heading, lines in (
        ("II", report.tasks_heading, report.tasks),
        ("III", report.recommendations_heading, report.recommendations),
    ):
        _line(document, f"{roman}. {heading}", bold=True, indent=True)
        for text in lines:
            _line(document, text, indent=True)
    _line(document, report.closing, indent=True)
    _signature(document, report)
    _appendix(document, report)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
