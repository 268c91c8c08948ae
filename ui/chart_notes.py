"""The captions under a time chart, the same on every page that draws one: partial periods (a quarter or a
year not fully reported), marked points (estimates, coarser or derived figures) and the coarser figures a view
cannot show without splitting them (commstats.charts.hidden_note)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from commstats import charts
from commstats.i18n import t


def chart_notes(rolled: pd.DataFrame, granularity: str, hidden: str, *, bars: bool) -> None:
    """The captions of a chart of `rolled` (series.aggregate) at `granularity`; `bars`: the bar charts'
    wording (hatched bars) instead of the line chart's (hollow points)."""
    if granularity != "month":
        st.caption(t("partial_note_bars" if bars else "partial_note"))
    if charts.has_marks(rolled):
        st.caption(t("bars_grain_note" if bars else "trends_grain_note"))
    if hidden:
        st.caption(hidden)
