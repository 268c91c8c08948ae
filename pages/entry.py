"""Nhập số liệu: type one section's figures for a unit and month; saved like an import (all or nothing)."""

import contextlib
import datetime as dt

import streamlit as st

from commstats.auth import Action, unit_scope
from commstats.cycle.messages import CycleError
from commstats.i18n import t
from commstats.periods import add_months, month_key, month_start, parse_month
from etl.entry import entry_frame, save_entry, sections
from ui import cache
from ui.auth import unit_codes_for
from ui.faults import storage_errors
from ui.frame import open_page
from ui.markup import md

frame = open_page("entry")  # editors only (ui.navigation), and only for their units
principal, selection = frame.principal, frame.selection
lang, url = selection.lang, selection.url
st.caption(t("entry_caption"))
allowed = unit_codes_for(Action.ENTRY, principal)
units = [u for u in cache.units(url) if u.code in allowed]
if not units:
    st.info(t("no_units"))
    st.stop()

engine = cache.engine(url)
by_code = {u.code: u for u in units}
last_month = add_months(month_start(dt.date.today().year, dt.date.today().month), -1)  # usually reported now
first_year = min(2010, selection.first_month.year if selection.first_month else 2010)
left, middle, right = st.columns([2, 1, 2])
codes = list(by_code)
default_unit = selection.unit_codes[0] if selection.unit_codes and selection.unit_codes[0] in by_code else codes[0]
# A link from the status board or a reminder (?unit=…&month=2026-11&section=portal) opens that section.
asked = st.query_params.to_dict()
default_unit = asked["unit"] if asked.get("unit") in by_code else default_unit
with contextlib.suppress(ValueError):
    last_month = parse_month(asked["month"]) if "month" in asked else last_month
first_year = min(first_year, last_month.year)
unit = left.selectbox(
    t("entry_unit"), codes, index=codes.index(default_unit), key="entry_unit",
    format_func=lambda code: by_code[code].name(lang),
)  # fmt: skip
with middle:
    year_column, month_column = st.columns(2)
years = list(range(last_month.year + 1, first_year - 1, -1))
year = year_column.selectbox(t("entry_year"), years, index=years.index(last_month.year), key="entry_year")
number = month_column.selectbox(t("entry_month"), list(range(1, 13)), index=last_month.month - 1, key="entry_month")
month = month_start(year, number)
names = {s.code: s.name for s in sections(engine, unit, lang)}
section_codes = list(names)
section = right.selectbox(
    t("entry_section"), section_codes, key="entry_section", format_func=names.__getitem__,
    index=section_codes.index(asked["section"]) if asked.get("section") in names else 0,
)  # fmt: skip

figures = entry_frame(engine, unit, month, section, lang)
edited = st.data_editor(
    figures, key=f"entry:{unit}:{month_key(month)}:{section}", hide_index=True, num_rows="fixed",
    disabled=["code", "metric", "member", "label", "unit_word"],
    column_config={
        "code": None, "metric": None, "member": None,
        "label": st.column_config.TextColumn(t("entry_col_label"), width="large"),
        "unit_word": st.column_config.TextColumn(t("entry_col_unit")),
        "value": st.column_config.TextColumn(t("entry_col_value"), max_chars=20),
    },
)  # fmt: skip

reason = st.text_input(t("entry_reason"), key="entry_reason", help=t("entry_reason_help"))
if st.button(t("entry_save"), type="primary"):
    try:
        with unit_scope(allowed), storage_errors():
            outcome = save_entry(
                engine, unit, month, section, edited, lang=lang, created_by=principal.actor, reason=reason
            )
    except CycleError as refused:  # a locked (approved) month without a reason: nothing was saved
        st.error(refused.message(lang), icon=":material/lock:")
        st.stop()
    if not outcome.ok:
        st.error(t("entry_rejected", count=len(outcome.problems)))
        st.dataframe(outcome.problem_table(lang), hide_index=True)
    else:
        if outcome.result is not None and outcome.result.batch_id is not None:
            st.success(md(outcome.message(lang)))
            st.caption(t("entry_changes"))
            st.dataframe(outcome.changes, hide_index=True)  # the next run reads them (ui.cache: data version)
        else:
            st.info(md(outcome.message(lang)))
