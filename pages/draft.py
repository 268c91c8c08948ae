"""Soạn báo cáo: the report's numeric paragraphs drafted from the data, each with a copy button and an
editable text; downloads of the whole (edited) draft; every figure used, with the batch that wrote it."""

import hashlib

import pandas as pd
import streamlit as st

from commstats.auth import Action
from commstats.i18n import t
from commstats.narrative import COMPARISONS, TemplateError
from commstats.narrative.choices import KINDS, available_periods, period_containing
from commstats.narrative.document import to_docx_bytes
from commstats.narrative.output import to_text
from commstats.numbers import grid_count_format
from commstats.periods import parse_period
from ui import cache
from ui.auth import viewable
from ui.downloads import can_export, downloads_row
from ui.frame import open_page
from ui.markup import md
from ui.report import whole_report_downloads

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

frame = open_page("draft")
selection = frame.selection

lang, url = selection.lang, selection.url
st.caption(t("draft_caption"))

# The report kinds on a row of their own: in a third of the width the control cut "9 tháng" and "Năm" off
# at 1280 px (tests/browser/test_production_look_browser.py).
kind = (
    st.segmented_control(
        t("draft_kind"), KINDS, default="month", key="draft_kind", format_func=lambda k: t(f"draft_kind_{k}")
    )
    or "month"
)
periods = available_periods(kind, selection.months.first, selection.months.last)
keys = [p.key for p in periods]
default_key = period_containing(kind, selection.months.end).key
period_col, compare_col = st.columns([2, 3])
period_key = period_col.selectbox(
    t("draft_period"),
    keys,
    index=keys.index(default_key) if default_key in keys else 0,
    key=f"draft_period_{kind}",
    format_func=lambda key: parse_period(key).name(lang),
)
compare = compare_col.multiselect(
    t("draft_compare"),
    COMPARISONS,
    key="draft_compare",
    placeholder=t("draft_compare_placeholder"),
    format_func=lambda c: t(f"draft_cmp_{c}"),
)

chosen_compare = tuple(c for c in COMPARISONS if c in compare)
visible = tuple(sorted(u.id for u in viewable(cache.units(url))))
scopes = {a.code: a for a in cache.scopes(url, visible)}
scope_code = ""
if scopes:  # a national, regional or provincial draft: provinces folded one by one, then summed
    scope_code = (
        st.selectbox(
            t("draft_scope"),
            ["", *scopes],
            key="draft_scope",
            format_func=lambda c: scopes[c].name(lang) if c else t("draft_scope_units"),
        )
        or ""
    )
try:
    if scope_code:
        draft = cache.scope_draft(url, scope_code, period_key, lang, chosen_compare, visible)
    else:
        draft = cache.draft(url, selection.unit_codes, period_key, lang, chosen_compare)
except TemplateError as error:
    st.error(t("draft_template_error"))
    st.code(str(error), language=None, wrap_lines=True)
    st.stop()

st.subheader(md(draft.title))
for line in (draft.unit_line, draft.window):
    if line:
        st.caption(md(line))
for note in draft.notes:
    st.info(md(note), icon=":material/info:")

# Edits are kept per draft (units, period, language, comparisons): another draft starts from the data again.
# Streamlit forgets a text box that a run does not draw (another period kind, another page), so each edit is
# also kept in EDITS, which is not a widget's key, and put back when its box is drawn again.
scope = hashlib.sha256(repr((selection.unit_codes, scope_code, period_key, lang, compare)).encode()).hexdigest()[:12]
edits: dict[str, str] = st.session_state.setdefault("draft_edits", {})
edited: dict[str, str] = {}
for section in draft.sections:
    st.markdown(f"**{md(section.title)}**")
    for paragraph in section.paragraphs:
        key = f"draft_text_{scope}_{paragraph.id}"
        if key not in st.session_state and key in edits:
            st.session_state[key] = edits[key]
        text = st.session_state.get(key, paragraph.text)
        edited[paragraph.id] = text
        st.code(text, language=None, wrap_lines=True)
        with st.expander(t("draft_edit"), icon=":material/edit:"):
            typed = st.text_area(t("draft_edit_label"), value=paragraph.text, key=key, height=140)
        if typed != paragraph.text:
            edits[key] = typed
        else:
            edits.pop(key, None)

final = draft.with_texts(edited)
name = f"bao-cao-so-lieu-{period_key}" if lang == "vi" else f"report-figures-{period_key}"
if frame.principal.can_all(Action.EXPORT, selection.unit_ids):  # downloads are exports: analysts and above
    docx_col, txt_col, _ = st.columns([1, 1, 2])
    docx_col.download_button(  # written when pressed (a deferred download), not on every rerun
        t("draft_download_docx"),
        lambda: to_docx_bytes(final),
        f"{name}.docx",
        DOCX_MIME,
        key="draft_docx",
        icon=":material/description:",
        on_click="ignore",
    )
    txt_col.download_button(
        t("draft_download_txt"),
        to_text(final).encode("utf-8"),
        f"{name}.txt",
        "text/plain",
        key="draft_txt",
        icon=":material/download:",
        on_click="ignore",
    )
    if not scope_code:  # the whole report (letterhead, signature) is a unit's own
        whole_report_downloads(selection, final, period_key)

st.subheader(t("draft_sources"))
st.caption(t("draft_sources_caption"))
names = {m.code: m.name(lang) for m in cache.metrics(url)}
figures = draft.figures
table = pd.DataFrame(
    {
        t("draft_col_unit"): figures["unit"],
        t("draft_col_metric"): figures["metric"],
        t("draft_col_metric_name"): figures["metric"].map(names),
        t("draft_col_member"): figures["member"],
        t("draft_col_period"): figures["period"],
        t("draft_col_value"): figures["value"],
        t("draft_col_batch"): figures["batch_id"],
        t("draft_col_role"): figures["role"].map(lambda r: t(f"draft_role_{r}")),
    }
)
st.dataframe(  # counts formatted by the browser (2.682.057), not by a Styler pass over every cell per rerun
    table,
    hide_index=True,
    width="stretch",
    key="draft_sources",
    column_config={t("draft_col_value"): st.column_config.NumberColumn(format=grid_count_format(lang))},
)
downloads_row(  # analysts and above: the figures used, as the analyst's own file (ui/downloads.py)
    can_export(frame.principal, selection.unit_ids),
    table,
    f"{name}-nguon" if lang == "vi" else f"{name}-sources",
    "draft_sources",
    lang,
)
