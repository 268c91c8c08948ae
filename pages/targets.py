"""Kế hoạch năm: upload the annual targets (year, metric, value) through the same import as
`python -m commstats targets import` — checked in full first, loaded all or nothing — and see those stored."""

import hashlib

import streamlit as st

from commstats.auth import Action, unit_scope
from commstats.i18n import t
from commstats.numbers import format_count
from etl.targets import import_targets_content
from etl.upload import problem_frame
from ui import cache
from ui.auth import unit_codes_for
from ui.faults import storage_errors
from ui.frame import open_page
from ui.markup import md

frame = open_page("targets")  # editors only (ui.navigation)
principal, lang, url = frame.principal, frame.selection.lang, frame.selection.url
st.caption(t("targets.caption"))
allowed = unit_codes_for(Action.IMPORT, principal)
units = {u.code: u for u in cache.units(url) if u.code in allowed}
if not units:
    st.info(t("no_units"))
    st.stop()
codes = list(units)
unit = st.selectbox(t("import_unit"), codes, key="targets_unit", format_func=lambda code: units[code].name(lang))
ids = tuple(u.id for u in cache.units(url) if u.code == unit)
stored = cache.target_list(url, ids)
if not stored.empty:
    with st.expander(t("targets.stored", count=format_count(len(stored), lang))):
        names = {m.code: m.name(lang) for m in cache.metrics(url)}
        st.dataframe(
            {
                t("col_year"): stored["year"],
                t("col_metric"): [names.get(c, c) for c in stored["metric"]],
                t("targets.col_value"): [format_count(int(v), lang) for v in stored["value"]],
            },
            hide_index=True,
            width="stretch",
        )

uploaded = st.file_uploader(t("targets.uploader"), type=["csv", "xlsx"], key="targets_file")
if uploaded is None:
    st.stop()
engine = cache.engine(url)
content, name = uploaded.getvalue(), uploaded.name
key = (hashlib.sha256(content).hexdigest(), name, unit)
if st.session_state.get("targets_preview_key") != key:  # the dry run once per file
    with unit_scope(allowed), storage_errors():
        st.session_state["targets_preview"] = import_targets_content(engine, content, name, unit=unit, dry_run=True)
    st.session_state["targets_preview_key"] = key
checked = st.session_state["targets_preview"]
if not checked.ok:
    st.error(md(checked.summary(lang).splitlines()[0]))
    st.dataframe(problem_frame(checked.problems, lang), hide_index=True)
    st.stop()
result = checked.result
left, middle, right = st.columns(3)
left.metric(t("import_new"), result.inserted)
middle.metric(t("import_changed"), result.updated)
right.metric(t("import_count_unchanged"), result.unchanged)
if not (result.inserted or result.updated):
    st.info(t("import_nothing_to_load"))
    st.stop()
if st.button(t("import_confirm"), type="primary", key="targets_confirm"):
    with unit_scope(allowed), storage_errors():
        loaded = import_targets_content(engine, content, name, unit=unit, created_by=principal.actor)
    st.session_state.pop("targets_preview_key", None)
    if loaded.ok:
        st.success(md(loaded.summary(lang)))
    else:
        st.error(md(loaded.summary(lang).splitlines()[0]))
        st.dataframe(problem_frame(loaded.problems, lang), hide_index=True)
