"""The shared frame every page sees: language, units and period range, kept across pages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from commstats import i18n, queries
from commstats.auth import Principal
from commstats.i18n import t
from commstats.periods import RANGE_PRESETS, RangePreset, default_range, figure_window, months_between, preset_range
from commstats.units import Merger, merged_away, mergers_within, survivors
from ui import cache, state
from ui.auth import current, require, viewable
from ui.labels import lang
from ui.markup import md
from ui.navigation import PageSpec, page_spec


class MonthSpan(NamedTuple):
    """The months of a selection with figures: the first and last with data, and the chosen range."""

    first: dt.date
    last: dt.date
    start: dt.date
    end: dt.date

    @property
    def chosen(self) -> tuple[dt.date, dt.date]:
        """The chosen range, start and end."""
        return self.start, self.end


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
    mergers: tuple[Merger, ...] = ()  # mergers among the chosen units and their predecessors
    unit_names: tuple[str, ...] = ()
    schema_ready: bool = True  # False for a database that `commstats init` never set up

    @property
    def has_data(self) -> bool:
        return self.last_month is not None

    @property
    def months(self) -> MonthSpan:
        """The months, for a selection with figures (open_page stops a page that needs them otherwise)."""
        if self.first_month is None or self.last_month is None or self.start is None or self.end is None:
            raise LookupError("the selection has no figures: check has_data first")
        return MonthSpan(self.first_month, self.last_month, self.start, self.end)


def month_label(month: dt.date, lang_code: str) -> str:
    """`07/2019` in Vietnamese, `Jul 2019` in English (sliders, captions)."""
    return f"{month.month:02d}/{month.year}" if lang_code == "vi" else month.strftime("%b %Y")


def _default_units(units: list[queries.UnitInfo], url: str) -> list[str]:
    """The first unit that was not merged away and has figures (real units before demo ones)."""
    reporting = survivors(units) or list(units)
    # Checked in order until one has figures: a national database has thousands of units (bench/).
    for unit in [u for u in reporting if not u.is_demo] + [u for u in reporting if u.is_demo]:
        if cache.month_range(url, tuple(cache.unit_ids(url, (unit.code,)))) is not None:
            return [unit.code]
    return [reporting[0].code]


def _merger_notes(units: list[queries.UnitInfo], codes: tuple[str, ...], mergers: list[Merger]) -> None:
    for merger in mergers:
        st.caption(t("merged_history", absorbed=md(merger.absorbed), date=merger.on.strftime("%d/%m/%Y")))
    for unit, successor in merged_away(units, codes):
        st.caption(
            t(
                "merged_away",
                unit=md(unit.name(lang())),
                into=md(successor.name(lang())),
                date=unit.merged_on.strftime("%d/%m/%Y") if unit.merged_on else "",
            )
        )


def sidebar() -> Selection:
    """Draw the sidebar and return what the user chose (state survives page switches: ui.state)."""
    state.keep_choices()
    url = cache.database_url()
    with st.sidebar:
        st.radio(
            t("language"),
            i18n.languages(),
            key="lang",
            horizontal=True,
            format_func=lambda code: t("language_name", code),
        )
        if not cache.schema_ready(url):
            return Selection(url, lang(), (), (), False, None, None, None, None, schema_ready=False)
        units = viewable(cache.units(url))  # only the units this person may see (ui.auth)
        if not units:
            return Selection(url, lang(), (), (), False, None, None, None, None)
        by_code = {u.code: u for u in units}
        # Names once: the multiselect formats every option on every run (~900 units at the national scale).
        language = lang()
        option_names = {u.code: u.name(language) for u in units}
        default = _default_units(units, url)
        if "units" not in st.session_state or not set(st.session_state["units"]) <= set(by_code):
            st.session_state["units"] = default
        chosen = st.multiselect(
            t("unit"),
            list(by_code),
            key="units",
            format_func=option_names.__getitem__,
            placeholder=t("units_placeholder"),
        )
        codes = tuple(chosen or default)
        ids = tuple(cache.unit_ids(url, codes))
        mergers = tuple(mergers_within(units, ids, lang()))
        _merger_notes(units, codes, list(mergers))
        is_demo = any(by_code[c].is_demo for c in codes) or any(u.is_demo for u in units if u.id in ids)
        if is_demo:
            st.info(t("demo_badge"), icon=":material/science:")
        span = cache.month_range(url, ids)
        # A figure stored before imports checked the window (a 9999 date cell) must not break every page:
        # the range stops at the plausible months; the quality page lists such figures for deletion.
        span = figure_window().clamp(*span) if span is not None else None
        if span is None:
            return Selection(url, lang(), codes, ids, is_demo, None, None, None, None, mergers=mergers)
        start, end = _range_slider(*span)
    names = tuple(by_code[c].name(lang()) for c in codes)
    return Selection(url, lang(), codes, ids, is_demo, span[0], span[1], start, end, mergers, names)


def _range_slider(first: dt.date, last: dt.date) -> tuple[dt.date, dt.date]:
    """The period range with its quick choices. The slider is given its default as a (start, end) pair:
    without it Streamlit reads the slider as one value and every move snapped back to the default."""
    months = months_between(first, last)
    saved = st.session_state.get("range")
    if not (isinstance(saved, tuple | list) and len(saved) == 2 and all(m in months for m in saved)):
        state.forget("range")  # another unit's months, or a hand-edited link: the default range
    years = sorted({m.year for m in months}, reverse=True)
    st.selectbox(
        t("range_preset"),
        [*RANGE_PRESETS, *years],
        index=None,
        key="range_preset",
        placeholder=t("range_preset_pick"),
        format_func=_preset_label,
        on_change=_apply_preset,
        args=(first, last),
    )
    # Month labels as 07/2019 in both languages: a format that changed with the language would make
    # Streamlit treat the slider as a new widget and lose the chosen range on a language switch.
    start, end = st.select_slider(
        t("period_range"),
        months,
        value=default_range(first, last),
        key="range",
        format_func=lambda m: f"{m.month:02d}/{m.year}",
    )
    return start, end


PRESET_KEYS = {
    "this_year": "range_this_year",
    "last_12": "range_last_12",
    "last_year": "range_last_year",
    "all": "range_all",
}


def _preset_label(preset: RangePreset | int) -> str:
    return t("range_year", year=preset) if isinstance(preset, int) else t(PRESET_KEYS[preset])


def _apply_preset(first: dt.date, last: dt.date) -> None:
    """A quick choice sets the range and clears itself (the range is what stays chosen)."""
    preset = st.session_state.get("range_preset")
    chosen = preset_range(preset, first, last) if preset is not None else None
    if chosen is not None:
        st.session_state["range"] = chosen
    st.session_state["range_preset"] = None


ROUTER = "dashboard.py"
ROUTE_KEY = "route_after_router"  # the page the router switches to after drawing the sidebar
SELECTION_KEY = "selection"  # the sidebar's Selection, written by the router before it runs the page
VERSION_READ_KEY = "data_version_read"  # set by the router's run, taken by the page: one version read per run


def read_data_version() -> None:
    """The router's first step: the data version of this run (ui.cache), so writes from anywhere show."""
    cache.refresh(cache.database_url())
    st.session_state[VERSION_READ_KEY] = True


@dataclass(frozen=True)
class PageFrame:
    """What a page gets from the frame: its declaration, the sidebar's selection and who is using it."""

    spec: PageSpec
    selection: Selection
    principal: Principal


def open_page(url_path: str, on_empty: Callable[[Selection], None] | None = None) -> PageFrame:
    """The one way a page opens: its heading, the role's check, the sidebar's selection, the scope line
    and, for analysis pages without figures, the guided empty state (the page stops there).

    The role is checked before the selection is needed, so a page the role does not allow says so under
    its own heading however it was reached (a hand-typed URL, a stale session)."""
    spec = page_spec(url_path)
    if not st.session_state.pop(VERSION_READ_KEY, False):  # the page runs without the router this time
        cache.refresh(cache.database_url())
        state.keep_choices()  # the router's sidebar does it otherwise
    st.set_page_config(page_title=t("page_tab", page=spec.title(), app=t("app_title")))  # each page its own tab title
    st.title(spec.heading())
    principal = require(spec.action) if spec.action is not None else current()
    selection: Selection | None = st.session_state.get(SELECTION_KEY)
    if selection is None:
        selection = _selection_without_router(spec)
    if spec.scope and selection.has_data and selection.start and selection.end:
        st.caption(
            t(
                "scope",
                units=md(", ".join(selection.unit_names)),
                start=month_label(selection.start, selection.lang),
                end=month_label(selection.end, selection.lang),
            )
        )
    if spec.needs_data and not selection.has_data:
        empty_state(selection)
        if on_empty is not None:  # what the page still offers without figures (the quality page's deletion)
            on_empty(selection)
        st.stop()
    return PageFrame(spec, selection, principal)


def _selection_without_router(spec: PageSpec) -> Selection:
    """A page runs without the router only before the router's st.navigation has run once in the process:
    Streamlit then runs a file of the pages/ folder alone (its legacy mode), so the first visit straight to a
    page URL on a freshly started server gets here. The page goes through the router, which draws the
    sidebar and comes back to it. A page file that is itself the app (a test opening it alone) draws the
    sidebar here."""
    ctx = get_script_run_ctx()
    if ctx is not None and Path(ctx.main_script_path).name == ROUTER:
        st.session_state[ROUTE_KEY] = spec.path
        st.switch_page(ROUTER)
    return sidebar()


def empty_state(selection: Selection | None = None) -> None:
    """The guided empty state: how to set up the database or import the first figures."""
    if selection is not None and not selection.schema_ready:
        st.subheader(t("no_schema_title"))
        st.markdown(t("no_schema_body"))
        return
    st.subheader(t("empty_title"))
    st.markdown(t("empty_body"))
