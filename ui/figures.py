"""The data page's "delete a figure" section: one bad row is never permanent (editors of the unit only)."""

from __future__ import annotations

import streamlit as st

from commstats import queries
from commstats.auth import Action
from commstats.figures import FigureError, delete_figure
from commstats.i18n import t
from commstats.periods import figure_window, month_key, parse_month
from ui import cache
from ui.auth import current
from ui.labels import lang

ANY_YEAR = (1, 9999)  # a stored mistake can be of any year; naming it must not be refused


def can_delete(unit_ids: tuple[int, ...]) -> bool:
    return current().can_all(Action.ENTRY, unit_ids)


def delete_section(unit_ids: tuple[int, ...], *, only_when_outside: bool = False) -> None:
    """Figures stored for an implausible month are listed first; any figure can be named and deleted.

    `only_when_outside`: draw nothing unless such figures exist (a page with no plausible figure at all)."""
    url = cache.database_url()
    engine = cache.engine(url)
    wanted = set(unit_ids)
    units = {u.code: u for u in cache.units(url) if u.id in wanted}
    window = figure_window()
    outside = queries.figures_outside(engine, unit_ids, window.first, window.last)
    if only_when_outside and not outside:
        return
    st.subheader(t("figure_delete_title"))
    st.caption(t("figure_delete_caption"))
    chosen: queries.StoredFigure | None = None
    if outside:
        st.warning(
            t("figure_outside_warning", count=len(outside), first=f"{window.first:%m/%Y}", last=f"{window.last:%m/%Y}")
        )
        chosen = st.selectbox(
            t("figure_delete_pick"),
            outside,
            index=None,
            key="figure_delete_pick",
            format_func=lambda f: f"{f.unit} · {f.metric} · {month_key(f.period)} · {f.member or '-'} = {f.value}",
        )
    with st.form("figure_delete", clear_on_submit=False):
        codes = list(units)
        unit = st.selectbox(
            t("figure_delete_unit"),
            codes,
            index=codes.index(chosen.unit) if chosen else 0,
            format_func=lambda c: units[c].name(lang()),
        )
        metric = st.text_input(t("figure_delete_metric"), value=chosen.metric if chosen else "")
        month_text = st.text_input(t("figure_delete_month"), value=month_key(chosen.period) if chosen else "")
        member = st.text_input(t("figure_delete_member"), value=chosen.member if chosen else "")
        reason = st.text_input(t("figure_delete_reason"), max_chars=500)
        submitted = st.form_submit_button(t("figure_delete_button"), type="primary")
    if not submitted:
        return
    try:
        month = parse_month(month_text.strip(), years=ANY_YEAR)
    except ValueError:
        st.error(t("figure_delete_bad_month"))
        return
    try:
        gone = delete_figure(engine, unit, metric.strip(), month, member.strip(), actor=current().actor, reason=reason)
    except FigureError as error:
        st.error(error.message(lang()))
        return
    st.cache_data.clear()  # every page reads the figures again
    st.success(
        t(
            "figure_deleted",
            lang(),
            unit=unit,
            metric=gone.metric_code,
            month=month_key(gone.period),
            member=gone.member_code,
            value=gone.value,
            revisions=gone.revisions,
        )
    )
