"""The phone view: a narrow screen gets charts and tables laid out for it. Streamlit cannot read the viewport on
the server, so the browser's User-Agent ("Mobile") sets the default of a toggle the user can turn either way."""

import streamlit as st

from commstats.i18n import t


def from_phone() -> bool:
    """True when the browser says it is a phone (User-Agent with "Mobile", as phones' browsers send)."""
    return "Mobile" in (st.context.headers.get("User-Agent") or "")


def phone_view(key: str) -> bool:
    """The "Xem trên điện thoại" toggle, on by default on a phone; its value."""
    return bool(st.toggle(t("phone_view"), value=from_phone(), key=key))
