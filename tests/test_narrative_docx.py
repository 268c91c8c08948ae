"""The drafted report as .docx (read back with python-docx) and as PDF through headless LibreOffice."""

from __future__ import annotations

import io
import re
import shutil
import subprocess

import docx
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt
from pypdf import PdfReader

from commstats.narrative import draft_report
from commstats.narrative.document import to_docx_bytes
from commstats.periods import parse_period
from tests.test_narrative_golden import SEED_PORTAL, SEED_PUBLISHING, SEED_SITES


def seed_docx(engine) -> bytes:  # type: ignore[no-untyped-def]
    return to_docx_bytes(draft_report(engine, ["travinh-demo"], parse_period("2019-07"), "vi"))


def test_docx_uses_vietnamese_administrative_style(demo_engine):
    document = docx.Document(io.BytesIO(seed_docx(demo_engine)))
    paragraphs = [p for p in document.paragraphs if p.text]
    texts = [p.text for p in paragraphs]
    assert texts[0] == "SỞ THÔNG TIN VÀ TRUYỀN THÔNG TRÀ VINH (DỮ LIỆU MẪU)"
    assert texts[1] == "Số liệu báo cáo tháng 7/2019"
    for sentence in (SEED_PORTAL, SEED_SITES, SEED_PUBLISHING):
        assert f"- {sentence}" in texts
    for paragraph in paragraphs[:2]:
        assert paragraph.alignment == WD_ALIGN_PARAGRAPH.CENTER
        assert all(run.bold for run in paragraph.runs)
    body = [p for p in paragraphs if p.text.startswith("- ")]
    assert len(body) >= 8
    for paragraph in body:
        assert paragraph.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY
        assert paragraph.paragraph_format.first_line_indent is not None
    for paragraph in paragraphs:
        for run in paragraph.runs:
            assert run.font.name == "Times New Roman"
            assert run.font.size == Pt(14)
    normal = document.styles["Normal"]
    assert normal.font.name == "Times New Roman" and normal.font.size == Pt(14)
    fonts = normal.element.rPr.rFonts
    assert fonts.get(qn("w:eastAsia")) == "Times New Roman" and fonts.get(qn("w:cs")) == "Times New Roman"
    section = document.sections[0]
    assert round(section.page_width.cm, 1) == 21.0 and round(section.page_height.cm, 1) == 29.7
    assert round(section.left_margin.cm, 1) == 3.0


def test_docx_converts_to_pdf_with_libreoffice_and_keeps_the_sentences(demo_engine, tmp_path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice is missing: apt-get install -y libreoffice-writer-nogui (see .ci/run)"
    source = tmp_path / "bao-cao.docx"
    source.write_bytes(seed_docx(demo_engine))
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{tmp_path}/lo-profile",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    pdf = PdfReader(tmp_path / "bao-cao.pdf")
    assert len(pdf.pages) >= 1
    text = re.sub(r"\s+", " ", " ".join(page.extract_text() for page in pdf.pages))
    for sentence in (SEED_PORTAL, SEED_SITES, SEED_PUBLISHING):
        assert sentence in text
