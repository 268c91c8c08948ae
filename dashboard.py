"""commstats dashboard: the router. Page config, the shared sidebar, and the list of pages."""

import streamlit as st

from ui.frame import sidebar
from ui.labels import label

st.set_page_config(page_title="commstats", page_icon=":material/monitoring:", layout="wide")
st.session_state.setdefault("lang", "vi")

PAGES = [
    st.Page("pages/overview.py", title=label("overview_title"), icon=":material/dashboard:", default=True),
]

page = st.navigation(PAGES)
st.session_state["selection"] = sidebar()
page.run()
