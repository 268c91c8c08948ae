"""Tổng quan: the chosen month's key figures per section, against last month and last year."""

import streamlit as st

from commstats.periods import Period
from ui import cache
from ui.frame import empty_state
from ui.labels import label

selection = st.session_state["selection"]
st.title(label("overview_title"))
if not selection.has_data:
    empty_state()
    st.stop()

month = selection.end
st.caption(label("overview_caption", month=Period("month", month.year, month.month).name(selection.lang)))

for section, cards in cache.overview_cards(selection.url, selection.unit_ids, month, selection.lang).items():
    st.subheader(section)
    columns = st.columns(4)
    for i, card in enumerate(cards):
        with columns[i % 4]:
            st.metric(
                card.title, card.value_text, card.delta_text, help=card.help_text, border=True,
                chart_data=card.trend or None, delta_description=label("vs_prev_month"),
            )  # fmt: skip
            st.caption(card.footnote)
