"""Nội dung báo cáo: the texts figures cannot give (assessment, difficulties, tasks, recommendations, letterhead,
signature) per unit and period, saved as versions with an audit event; the previous period's can be carried over."""

import pandas as pd
import streamlit as st

from commstats import blocks
from commstats.auth import Action
from commstats.i18n import t
from commstats.narrative.choices import KINDS, available_periods, period_containing
from commstats.periods import parse_period
from ui import cache
from ui.auth import unit_codes_for
from ui.frame import open_page
from ui.labels import label_of

frame = open_page("narrative")  # editors write the report's texts, for their own units
principal, selection = frame.principal, frame.selection
lang, url = selection.lang, selection.url
st.caption(t("narrative_caption"))
allowed = unit_codes_for(Action.ENTRY, principal)
units = [u for u in cache.units(url) if u.code in allowed]
if not units or not selection.has_data:
    st.info(t("no_units"))
    st.stop()

by_code = {u.code: u for u in units}
codes = list(by_code)
unit_col, kind_col, period_col = st.columns([3, 2, 2])
default_unit = selection.unit_codes[0] if selection.unit_codes and selection.unit_codes[0] in by_code else codes[0]
unit = unit_col.selectbox(
    t("narrative_unit"),
    codes,
    index=codes.index(default_unit),
    key="narrative_unit",
    format_func=lambda code: by_code[code].name(lang),
)
kind = kind_col.selectbox(t("draft_kind"), KINDS, key="narrative_kind", format_func=lambda k: t(f"draft_kind_{k}"))
periods = available_periods(kind, selection.months.first, selection.months.last)
keys = [p.key for p in periods]
default_key = period_containing(kind, selection.months.end).key
period_key = period_col.selectbox(
    t("draft_period"),
    keys,
    index=keys.index(default_key) if default_key in keys else 0,
    key=f"narrative_period_{kind}",
    format_func=lambda key: parse_period(key).name(lang),
)
period = parse_period(period_key)
engine = cache.engine(url)

if st.button(t("narrative_carry"), icon=":material/content_copy:", key="narrative_carry"):
    carried = blocks.carry_over(engine, unit, period, actor=principal.actor)
    if carried:
        st.cache_data.clear()
        st.success(t("narrative_carried", count=len(carried), period=period.previous().name(lang)))
    else:
        st.info(t("narrative_nothing_to_carry"))

current = cache.narrative_blocks(url, unit, period_key)  # read after a carry-over, so the boxes show it
scope = f"{unit}:{period_key}:{max((b.version for b in current.values()), default=0)}"
with st.form(f"narrative_form_{scope}"):
    texts: dict[str, str] = {}
    for block in blocks.KINDS:
        info = current.get(block)
        help_text = (
            t(
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
            t(f"narrative_block_{block}"),
            value=info.text if info else "",
            height=160 if tall else 68,
            key=f"narrative_{block}_{scope}",
            help=help_text,
        )
    submitted = st.form_submit_button(t("narrative_save"), type="primary")
if submitted:
    saved = blocks.save_blocks(engine, unit, period, texts, actor=principal.actor)
    if saved:
        st.cache_data.clear()
        st.success(t("narrative_saved", count=len(saved)))
    else:
        st.info(t("narrative_unchanged"))

with st.expander(t("narrative_history"), icon=":material/history:"):
    history = cache.narrative_history(url, unit, period_key)
    st.dataframe(
        pd.DataFrame(
            {
                t("narrative_col_kind"): [t(f"narrative_block_{k}") for k in history["kind"]],
                t("narrative_col_version"): history["version"],
                t("narrative_col_source"): [label_of("narrative_source", s) for s in history["source"]],
                t("narrative_col_at"): history["created_at"],
                t("narrative_col_by"): history["created_by"],
                t("narrative_col_text"): history["text"],
            }
        ),
        hide_index=True,
        width="stretch",
        key="narrative_history",
    )
