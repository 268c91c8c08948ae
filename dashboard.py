"""commstats dashboard: the router. Page config, the shared sidebar, and the list of pages."""

import streamlit as st

from commstats.auth import Action
from ui import auth
from ui.frame import sidebar
from ui.labels import label

st.set_page_config(page_title=label("app_title"), page_icon=":material/monitoring:", layout="wide")
st.session_state.setdefault("lang", "vi")

PAGES = [
    st.Page("pages/overview.py", title=label("overview_title"), icon=":material/dashboard:", default=True),
    st.Page("pages/draft.py", title=label("nav_draft"), icon=":material/edit_note:"),
    st.Page("pages/narrative.py", title=label("nav_narrative"), icon=":material/article:"),
    st.Page("pages/trends.py", title=label("nav_trends"), icon=":material/show_chart:"),
    st.Page("pages/sites.py", title=label("nav_sites"), icon=":material/web:"),
    st.Page("pages/licences.py", title=label("nav_licences"), icon=":material/menu_book:"),
    st.Page("pages/explore.py", title=label("nav_explore"), icon=":material/table_view:"),
    st.Page("pages/quality.py", title=label("nav_quality"), icon=":material/fact_check:"),
    st.Page("pages/entry.py", title=label("entry_title"), icon=":material/edit_note:"),
    st.Page("pages/import.py", title=label("import_title"), icon=":material/upload_file:"),
    st.Page("pages/users.py", title=auth.auth_text("nav_users"), icon=":material/group:"),
    st.Page("pages/account.py", title=auth.auth_text("account"), icon=":material/account_circle:"),
]

principal = auth.current()
page = st.navigation(auth.allowed_pages(PAGES, principal))  # pages the role does not allow are not listed
if route := st.session_state.pop("route_after_router", None):  # see ui.frame.current_selection
    st.switch_page(route)
st.session_state["selection"] = sidebar()
auth.sidebar_status(principal)
if page.url_path != auth.ACCOUNT_PAGE:
    auth.require(Action.VIEW)  # units that are not public need a signed-in viewer
page.run()
