"""The language chosen in the sidebar. Texts come from `commstats.i18n.t`, which asks `lang()` here when
a page does not name a language."""

from __future__ import annotations

import streamlit as st

from commstats import i18n
from commstats.i18n import t


def lang() -> str:
    return str(st.session_state.get("lang", i18n.SOURCE_LANG))


i18n.set_language_source(lang)


def label_of(prefix: str, code: str) -> str:
    """A stored code (a batch's status, a source kind) by its text `prefix_code`; an unknown code as itself."""
    return t(f"{prefix}_{code}") if i18n.has(f"{prefix}_{code}") else code
