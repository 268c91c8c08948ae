"""Nhập tệp: upload a long CSV/XLSX, the data-entry workbook or a licence register; preview, then load."""

import datetime as dt
import functools
import hashlib

import streamlit as st

from commstats.auth import Action, unit_scope
from commstats.i18n import t
from commstats.numbers import format_count
from etl import upload
from etl.limits import current as limits
from ui import cache
from ui.auth import unit_codes_for
from ui.faults import storage_errors
from ui.frame import open_page
from ui.markup import md

frame = open_page("import")  # editors only (ui.navigation); rows of units the editor may not write are refused
principal, selection = frame.principal, frame.selection
lang, url = selection.lang, selection.url
limit_mb = max(1, limits().file_mb)  # the uploader counts whole MB; the ETL checks the bytes
st.caption(t("import_caption", limit_mb=limit_mb))
allowed = unit_codes_for(Action.IMPORT, principal)
units = [u for u in cache.units(url) if u.code in allowed]
if not units:
    st.info(t("no_units"))
    st.stop()

engine = cache.engine(url)
by_code = {u.code: u for u in units}
codes = list(by_code)
default_unit = selection.unit_codes[0] if selection.unit_codes and selection.unit_codes[0] in by_code else codes[0]
unit = st.selectbox(
    t("import_unit"),
    codes,
    index=codes.index(default_unit),
    key="import_unit",
    format_func=lambda code: by_code[code].name(lang),
)
with st.expander(t("import.workbook"), icon=":material/download:"):
    st.caption(t("import.workbook_caption"))
    this_year = dt.date.today().year
    year = st.selectbox(t("col_year"), range(this_year + 1, this_year - 9, -1), index=1, key="import_workbook_year")
    st.download_button(
        t("import.workbook_download", year=year),
        functools.partial(cache.template_workbook, url, year, unit, lang),
        file_name=f"bieu-mau-{year}-{unit}.xlsx",
        key="import_workbook_download",
        on_click="ignore",  # no rerun: it would replace the file being fetched under a loaded server
        icon=":material/table:",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
uploaded = st.file_uploader(
    t("import_uploader"), type=list(upload.SUFFIXES), key="import_file", max_upload_size=limit_mb
)
if uploaded is None:
    st.info(t("import_empty"))
    st.stop()

content, name = uploaded.getvalue(), uploaded.name
key = (hashlib.sha256(content).hexdigest(), name, unit)
if st.session_state.get("import_preview_key") != key:  # the dry run once per file, not on every rerun
    with unit_scope(allowed), storage_errors():
        st.session_state["import_preview"] = upload.preview(engine, content, name, unit=unit)
    st.session_state["import_preview_key"] = key
found: upload.Upload = st.session_state["import_preview"]

st.caption(t("import_kind", kind=t("import_kind_" + found.kind)))
if not found.head.empty:
    st.subheader(t("import_head"))
    st.dataframe(found.head, hide_index=True)
if not found.ok:
    st.error(t("import_problems", count=format_count(found.problem_count, lang)))
    st.dataframe(found.problem_table(lang), hide_index=True)
    st.stop()

counts = found.counts()
columns = st.columns(4 if found.kind == "register" else 3)
columns[0].metric(t("import_new"), counts["inserted"])
columns[1].metric(t("import_changed"), counts["updated"])
columns[2].metric(t("import_count_unchanged"), counts["unchanged"])
if found.kind == "register":
    columns[3].metric(t("import_records_new"), counts["records_new"])
if note := found.new_members_note(lang):  # a new site code may be a typo of a known one
    st.warning(md(note), icon=":material/new_releases:")
if not (counts["inserted"] or counts["updated"] or counts.get("records_new") or counts.get("records_changed")):
    st.info(t("import_nothing_to_load"))
    st.stop()

if st.button(t("import_confirm"), type="primary"):
    bar = st.progress(0.0, text=t("import_progress", done=0, total="…"))

    def progress(done: int, total: int) -> None:
        bar.progress(min(1.0, done / max(total, 1)), text=t("import_progress", done=done, total=total))

    with unit_scope(allowed), storage_errors():
        loaded = upload.load(engine, content, name, unit=unit, progress=progress, created_by=principal.actor)
    bar.progress(1.0, text=t("import_progress", done="✓", total="✓"))
    if loaded.ok:
        st.success(md(loaded.report.summary(lang)))  # the next run reads the new figures (ui.cache: data version)
    else:
        st.error(t("import_problems", count=format_count(loaded.problem_count, lang)))
        st.dataframe(loaded.problem_table(lang), hide_index=True)
    st.session_state.pop("import_preview_key", None)
