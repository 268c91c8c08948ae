"""Nhập số liệu: type one section's figures for a unit and month; saved like an import (all or nothing)."""

import datetime as dt

import streamlit as st

from commstats.auth import Action, unit_scope
from commstats.periods import add_months, month_key, month_start
from etl.entry import entry_frame, save_entry, sections
from ui import cache
from ui.auth import unit_codes_for
from ui.frame import open_page
from ui.labels import label

frame = open_page("entry")  # editors only (ui.navigation), and only for their units
principal, selection = frame.principal, frame.selection
lang, url = selection.lang, selection.url
st.caption(label("entry_caption"))
allowed = unit_codes_for(Action.ENTRY, principal)
units = [u for u in cache.units(url) if u.code in allowed]
if not units:
    st.info(label("no_units"))
    st.stop()

engine = cache.engine(url)
by_code = {u.code: u for u in units}
last_month = add_months(month_start(dt.date.today().year, dt.date.today().month), -1)  # usually reported now
first_year = min(2010, selection.first_month.year if selection.first_month else 2010)
left, middle, right = st.columns([2, 1, 2])
codes = list(by_code)
default_unit = selection.unit_codes[0] if selection.unit_codes and selection.unit_codes[0] in by_code else codes[0]
unit = left.selectbox(
    label("entry_unit"), codes, index=codes.index(default_unit), key="entry_unit",
    format_func=lambda code: by_code[code].name(lang),
)  # fmt: skip
with middle:
    year_column, month_column = st.columns(2)
years = list(range(last_month.year + 1, first_year - 1, -1))
year = year_column.selectbox(label("entry_year"), years, index=years.index(last_month.year), key="entry_year")
number = month_column.selectbox(label("entry_month"), list(range(1, 13)), index=last_month.month - 1, key="entry_month")
month = month_start(year, number)
names = {s.code: s.name for s in sections(engine, unit, lang)}
section = right.selectbox(label("entry_section"), list(names), key="entry_section", format_func=names.__getitem__)

frame = entry_frame(engine, unit, month, section, lang)
edited = st.data_editor(
    frame, key=f"entry:{unit}:{month_key(month)}:{section}", hide_index=True, num_rows="fixed",
    disabled=["code", "metric", "member", "label", "unit_word"],
    column_config={
        "code": None, "metric": None, "member": None,
        "label": st.column_config.TextColumn(label("entry_col_label"), width="large"),
        "unit_word": st.column_config.TextColumn(label("entry_col_unit")),
        "value": st.column_config.TextColumn(label("entry_col_value"), max_chars=20),
    },
)  # fmt: skip

if st.button(label("entry_save"), type="primary"):
    with unit_scope(allowed):
        outcome = save_entry(engine, unit, month, section, edited, lang=lang, created_by=principal.actor)
    if not outcome.ok:
        st.error(label("entry_rejected", count=len(outcome.problems)))
        st.dataframe(outcome.problem_table(lang), hide_index=True)
    else:
        if outcome.result is not None and outcome.result.batch_id is not None:
            st.success(outcome.message(lang))
            st.caption(label("entry_changes"))
            st.dataframe(outcome.changes, hide_index=True)  # the next run reads them (ui.cache: data version)
        else:
            st.info(outcome.message(lang))
