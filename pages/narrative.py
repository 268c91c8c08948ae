"""Nội dung báo cáo: the texts figures cannot give (assessment, difficulties, tasks, recommendations, letterhead,
signature) per unit and period, saved as versions with an audit event; the previous period's can be carried over."""

import pandas as pd
import streamlit as st

from commstats import blocks
from commstats.auth import Action
from commstats.narrative.choices import KINDS, available_periods, period_containing
from commstats.periods import parse_period
from ui import cache
from ui.auth import require, unit_codes_for
from ui.labels import label, label_of

principal = require(Action.ENTRY)  # editors write the report's texts, for their own units
selection = st.session_state["selection"]
lang, url = selection.lang, selection.url
st.title(label("nav_narrative"))
st.caption(label("narrative_caption"))
allowed = unit_codes_for(Action.ENTRY, principal)
units = [u for u in cache.units(url) if u.code in allowed]
if not units or selection.first_month is None:
    st.info(label("no_units"))
    st.stop()

by_code = {u.code: u for u in units}
codes = list(by_code)
unit_col, kind_col, period_col = st.columns([3, 2, 2])
default_unit = selection.unit_codes[0] if selection.unit_codes and selection.unit_codes[0] in by_code else codes[0]
unit = unit_col.selectbox(
    label("narrative_unit"),
    codes,
    index=codes.index(default_unit),
    key="narrative_unit",
    format_func=lambda code: by_code[code].name(lang),
)
kind = kind_col.selectbox(
    label("draft_kind"), KINDS, key="narrative_kind", format_func=lambda k: label(f"draft_kind_{k}")
)
periods = available_periods(kind, selection.first_month, selection.last_month)
keys = [p.key for p in periods]
default_key = period_containing(kind, selection.end or selection.last_month).key
period_key = period_col.selectbox(
    label("draft_period"),
    keys,
    index=keys.index(default_key) if default_key in keys else 0,
    key=f"narrative_period_{kind}",
    format_func=lambda key: parse_period(key).name(lang),
)
period = parse_period(period_key)
engine = cache.engine(url)

if st.button(label("narrative_carry"), icon=":material/content_copy:", key="narrative_carry"):
    carried = blocks.carry_over(engine, unit, period, actor=principal.actor)
    if carried:
        st.cache_data.clear()
        st.success(label("narrative_carried", count=len(carried), period=period.previous().name(lang)))
    else:
        st.info(label("narrative_nothing_to_carry"))

current = cache.narrative_blocks(url, unit, period_key)  # read after a carry-over, so the boxes show it
scope = f"{unit}:{period_key}:{max((b.version for b in current.values()), default=0)}"
with st.form(f"narrative_form_{scope}"):
    texts: dict[str, str] = {}
    for block in blocks.KINDS:
        info = current.get(block)
        help_text = (
            label(
                "narrative_version",
                version=info.version,
                who=info.created_by or "-",
                when=f"{info.created_at:%d/%m/%Y %H:%M}",
            )
            if info
            else None
        )
        tall = block in ("highlights", "assessment", "difficulties", "tasks", "recommendations", "recipients")
        texts[block] = st.text_area(
            label(f"narrative_block_{block}"),
            value=info.text if info else "",
            height=160 if tall else 68,
            key=f"narrative_{block}_{scope}",
            help=help_text,
        )
    submitted = st.form_submit_button(label("narrative_save"), type="primary")
if submitted:
    saved = blocks.save_blocks(engine, unit, period, texts, actor=principal.actor)
    if saved:
        st.cache_data.clear()
        st.success(label("narrative_saved", count=len(saved)))
    else:
        st.info(label("narrative_unchanged"))

with st.expander(label("narrative_history"), icon=":material/history:"):
    history = cache.narrative_history(url, unit, period_key)
    st.dataframe(
        pd.DataFrame(
            {
                label("narrative_col_kind"): [label(f"narrative_block_{k}") for k in history["kind"]],
                label("narrative_col_version"): history["version"],
                label("narrative_col_source"): [label_of("narrative_source", s) for s in history["source"]],
                label("narrative_col_at"): history["created_at"],
                label("narrative_col_by"): history["created_by"],
                label("narrative_col_text"): history["text"],
            }
        ),
        hide_index=True,
        width="stretch",
        key="narrative_history",
    )
