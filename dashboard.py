"""commstats dashboard: the router. Page config, the shared sidebar, and the pages (declared in ui.navigation)."""

import streamlit as st

from commstats.config import PROJECT_ROOT
from commstats.i18n import t
from ui import auth, cache, state
from ui.faults import unexpected_errors
from ui.frame import ROUTE_KEY, SELECTION_KEY, read_data_version, sidebar
from ui.navigation import is_landing, navigation_pages, open_default_page

FAVICON = PROJECT_ROOT / "ui" / "assets" / "favicon.png"

cache.refuse_client_cache_clear()  # no browser may empty the cache every user shares (see ui/cache.py)
# A local favicon: a `:material/…:` page icon makes every browser fetch it from fonts.gstatic.com, and
# nothing of the dashboard may be loaded from outside the server (tests/browser/test_production_look_browser.py).
st.set_page_config(page_title=t("app_title"), page_icon=str(FAVICON), layout="wide")
state.keep_choices()  # choices kept across pages and languages, or read from a copied link (first run)
st.session_state.setdefault("lang", "vi")
read_data_version()  # one query: a write from anywhere (CLI, cron, another dashboard) shows from this run on

principal = auth.current()
page = st.navigation(navigation_pages(principal), expanded=True)  # every allowed page listed, none hidden
if route := st.session_state.pop(ROUTE_KEY, None):  # a page opened before the router had run (ui.frame.open_page)
    st.switch_page(route)
if is_landing(page):  # `/`: the overview at its own URL, /overview, with the query string kept
    open_default_page()
with unexpected_errors():  # a bug shows a message and a reference; its traceback is logged with it
    st.session_state[SELECTION_KEY] = sidebar()
    state.write_url()  # the view in the address bar: a copied link opens the same units, range and choices
    auth.sidebar_status(principal)
    auth.write_cookie()  # after a sign-in or sign-out: the browser's sign-in cookie (survives a reload)
    page.run()  # the page opens through ui.frame.open_page: heading, the role's check, the selection
