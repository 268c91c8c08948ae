"""What the user chose, kept: across pages, language switches and in the address (a copied link opens the
same view).

Streamlit forgets the state of a widget that a run does not draw (the trends page's metrics while the
overview is shown). The documented way round it: the choice is copied to a key that is not a widget's
(`KEPT`) and copied back into the widget's key when the widget's own state is gone. The router does both
at the start of every run, so no page needs to. The same choices are written to the URL's query string
and read from it when a session starts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import streamlit as st

from commstats.periods import month_key, parse_period


def _month(text: str) -> dt.date:
    return parse_period(text).start


def _months(text: str) -> tuple[dt.date, dt.date]:
    first, _, last = text.partition("~")
    return _month(first), _month(last or first)


@dataclass(frozen=True)
class Choice:
    key: str  # the widget's key in st.session_state
    param: str | None  # its name in the URL's query string; None: not in the URL
    to_text: Callable[[Any], str] = str
    from_text: Callable[[str], Any] = str


def _names(value: Any) -> str:
    return ",".join(str(v) for v in value)


def _name_list(text: str) -> list[str]:
    return [v for v in text.split(",") if v]


def _range_text(value: Any) -> str:
    return f"{month_key(value[0])}~{month_key(value[1])}"


CHOICES: tuple[Choice, ...] = (
    Choice("lang", "lang"),
    Choice("units", "units", _names, _name_list),
    Choice("range", "range", _range_text, _months),
    Choice("overview_month", "o_month", month_key, _month),
    Choice("trends_metrics", "metrics", _names, _name_list),
    Choice("trends_granularity", "grain"),
    Choice("trends_breakdown_metric", "breakdown"),
    Choice("trends_yoy_metric", "yoy"),
    Choice("sites_site", "site"),
    Choice("licences_granularity", "lgrain"),
    Choice("explore_units", "e_units", _names, _name_list),
    Choice("explore_sections", "e_sections", _names, _name_list),
    Choice("explore_metrics", "e_metrics", _names, _name_list),
    Choice("explore_members", "e_members", _names, _name_list),
    Choice("explore_view", "e_view"),
    Choice("draft_kind", "kind"),
    Choice("draft_compare", None),
    *(Choice("draft_period_" + kind, None) for kind in ("month", "quarter", "half", "nine_months", "year")),
)
KEPT = "_kept_choices"  # key -> value: the last choice of every widget in CHOICES, drawn this run or not
URL_READ = "_url_read"  # set once the session's first run has read the URL


def keep_choices() -> None:
    """The router's first step: a widget that was drawn keeps its choice in KEPT; one that was not (another
    page, or a language switch, which makes Streamlit draw a new widget) gets its last choice back."""
    kept: dict[str, Any] = st.session_state.setdefault(KEPT, {})
    if not st.session_state.get(URL_READ):
        st.session_state[URL_READ] = True
        kept.update(_from_url())
        for key, value in _from_url().items():
            st.session_state[key] = value
    for choice in CHOICES:
        if choice.key in st.session_state:
            kept[choice.key] = st.session_state[choice.key]
        if choice.key in kept:
            # Written back even when present: Streamlit then keeps it through a language switch (the shown
            # labels change, which would otherwise drop the choice) and through a page that does not draw it.
            st.session_state[choice.key] = kept[choice.key]


def forget(key: str) -> None:
    """A choice that is no longer valid (another unit's months): the widget starts from its default."""
    st.session_state.get(KEPT, {}).pop(key, None)
    st.session_state.pop(key, None)


def _from_url() -> dict[str, Any]:
    found: dict[str, Any] = {}
    params = st.query_params
    for choice in CHOICES:
        if choice.param is None or choice.param not in params:
            continue
        try:
            found[choice.key] = choice.from_text(params[choice.param])
        except (ValueError, KeyError, IndexError):
            continue  # a hand-edited link: that choice starts from its default
    return found


def write_url() -> None:
    """The choices into the address bar, so that a copied link opens the same view. Parameters of a page's
    own (the entry page's unit and month) are left alone."""
    kept: dict[str, Any] = st.session_state.get(KEPT, {})
    for choice in CHOICES:
        if choice.param is None:
            continue
        value = st.session_state.get(choice.key, kept.get(choice.key))
        text = "" if value in (None, "", [], ()) else choice.to_text(value)
        if text and st.query_params.get(choice.param) != text:
            st.query_params[choice.param] = text
        elif not text and choice.param in st.query_params:
            del st.query_params[choice.param]
