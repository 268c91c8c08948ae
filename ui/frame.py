"""The shared frame every page sees: language, units and period range, kept across pages."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import streamlit as st

from commstats.periods import add_months, month_key
from ui import cache
from ui.labels import label, lang


@dataclass(frozen=True)
class Selection:
    url: str
    lang: str
    unit_codes: tuple[str, ...]
    unit_ids: tuple[int, ...]
    is_demo: bool
    first_month: dt.date | None  # first month with data for these units
    last_month: dt.date | None  # last month with data
    start: dt.date | None  # chosen range
    end: dt.date | None

    @property
    def has_data(self) -> bool:
        return self.last_month is not None


def _months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    months, month = [], first
    while month <= last:
        months.append(month)
        month = add_months(month, 1)
    return months


def sidebar() -> Selection:
    """Draw the sidebar and return what the user chose (state survives page switches)."""
    url = cache.database_url()
    with st.sidebar:
        st.radio(
            label("language"), ["vi", "en"], key="lang", horizontal=True,
            format_func=lambda code: "Tiếng Việt" if code == "vi" else "English",
        )  # fmt: skip
        units = cache.units(url)
        if not units:
            return Selection(url, lang(), (), (), False, None, None, None, None)
        by_code = {u.code: u for u in units}
        default = [u.code for u in units if u.merged_into_id is None][:1] or [units[0].code]
        if "units" not in st.session_state or not set(st.session_state["units"]) <= set(by_code):
            st.session_state["units"] = default
        chosen = st.multiselect(
            label("unit"), list(by_code), key="units", format_func=lambda code: by_code[code].name(lang())
        )
        codes = tuple(chosen or default)
        ids = tuple(cache.unit_ids(url, codes))
        is_demo = any(by_code[c].is_demo for c in codes)
        if is_demo:
            st.info(label("demo_badge"), icon=":material/science:")
        span = cache.month_range(url, ids)
        if span is None:
            return Selection(url, lang(), codes, ids, is_demo, None, None, None, None)
        months = _months_between(*span)
        saved = st.session_state.get("range")
        if not saved or saved[0] not in months or saved[1] not in months:
            st.session_state["range"] = (months[max(0, len(months) - 24)], months[-1])
        start, end = st.select_slider(label("period_range"), months, key="range", format_func=month_key)
    return Selection(url, lang(), codes, ids, is_demo, span[0], span[1], start, end)


def empty_state() -> None:
    st.subheader(label("empty_title"))
    st.markdown(label("empty_body"))
