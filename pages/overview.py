"""Tổng quan: the chosen month's key figures per section, against last month and last year."""

import streamlit as st

from commstats.i18n import t
from commstats.periods import Period, months_between
from ui import cache
from ui.frame import open_page
from ui.markup import md

selection = open_page("overview").selection

months = months_between(*selection.months.chosen)[::-1]
saved = st.session_state.get("overview_month")
if saved not in months:  # the latest month every regular figure is in, not one still being reported
    st.session_state["overview_month"] = cache.latest_complete_month(selection.url, selection.unit_ids, tuple(months))
picker, caption = st.columns([1, 3], vertical_alignment="bottom")
month = picker.selectbox(
    t("month"),
    months,
    key="overview_month",
    format_func=lambda m: Period("month", m.year, m.month).name(selection.lang),
)
caption.caption(t("overview_caption", month=Period("month", month.year, month.month).name(selection.lang)))

COLUMNS = 3
for section, cards in cache.overview_cards(selection.url, selection.unit_ids, month, selection.lang).items():
    st.subheader(md(section))
    for row in range(0, len(cards), COLUMNS):
        for column, card in zip(st.columns(COLUMNS), cards[row : row + COLUMNS], strict=False):
            with column.container(border=True, height="stretch"):
                # The whole title, wrapped: a metric's label is cut to one line, and long names differ at the end.
                st.markdown("**" + md(card.title) + "**", help=md(card.help_text))
                st.metric(
                    md(card.title),
                    card.value_text,
                    card.delta_text,
                    label_visibility="collapsed",
                    chart_data=card.trend or None,
                    delta_description=t("vs_prev_month"),
                    delta_color=card.delta_color,
                )
                if card.target_share is not None:
                    # whole per cent, rounded as the text is (a float would be cut: 80.97% drawn as 80)
                    st.progress(min(100, round(100 * card.target_share)), text=md(card.progress_text))
                st.caption(md(card.footnote))
