"""A draft as a Word document in Vietnamese administrative style (Nghị định 30/2020/NĐ-CP):
A4, Times New Roman 14 pt, justified paragraphs with a first-line indent, a centred heading."""

from __future__ import annotations

import io

from docx import Document
from docx.document import Document as WordDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.text.paragraph import Paragraph

from commstats.narrative.compose import Draft

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
