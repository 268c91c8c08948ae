"""The whole report's downloads on the drafting page: .docx (the built-in form or the office's own Word
template) and PDF (through LibreOffice, made on request: a conversion takes seconds)."""

from __future__ import annotations

import hashlib

import streamlit as st

from commstats.i18n import t
from commstats.narrative import Draft, TemplateError
from commstats.narrative.document import report_docx_bytes
from commstats.narrative.office import OfficeTemplateError, render_office_template
from commstats.narrative.pdf import PdfError, docx_to_pdf
from commstats.narrative.report import build_report
from commstats.periods import parse_period
from ui import cache
from ui.frame import Selection

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def whole_report_downloads(selection: Selection, draft: Draft, period_key: str) -> None:
    """Download buttons for the whole report built from the (edited) draft and the unit's narrative blocks.

    The built-in form's .docx is written only when its button is pressed (a deferred download: writing
    it takes about a second, too long for every rerun of the page); an office's own template is filled at
    once, so that a mistake in it shows here."""
    engine = cache.engine(selection.url)
    office = st.file_uploader(t("draft_office_template"), type=["docx"], key="draft_office_template")
    try:
        inputs = cache.report_inputs(selection.url, selection.unit_codes, period_key, draft.lang)
        report = build_report(
            engine, selection.unit_codes, parse_period(period_key), draft.lang, draft=draft, inputs=inputs
        )
        filled = render_office_template(office.getvalue(), report) if office else None
    except (TemplateError, OfficeTemplateError) as error:
        st.error(t("draft_office_template_error", error=error))
        return

    def docx() -> bytes:
        return filled if filled is not None else report_docx_bytes(report)

    name = f"bao-cao-{period_key}" if draft.lang == "vi" else f"report-{period_key}"
    docx_col, pdf_col, _ = st.columns([1, 1, 2])
    docx_col.download_button(
        t("draft_full_docx"),
        filled if filled is not None else docx,
        f"{name}.docx",
        DOCX_MIME,
        key="draft_full_docx",
        icon=":material/article:",
        on_click="ignore",
    )
    digest = hashlib.sha256(filled if filled is not None else repr(report).encode()).hexdigest()
    made = st.session_state.get("draft_full_pdf_made")
    if made and made[0] == digest:
        pdf_col.download_button(
            t("draft_full_pdf"),
            made[1],
            f"{name}.pdf",
            "application/pdf",
            key="draft_full_pdf",
            icon=":material/picture_as_pdf:",
            on_click="ignore",
        )
    elif pdf_col.button(t("draft_make_pdf"), key="draft_make_pdf", icon=":material/picture_as_pdf:"):
        try:
            st.session_state["draft_full_pdf_made"] = (digest, docx_to_pdf(docx()))
        except PdfError as error:
            st.error(str(error))
            return
        st.rerun()
