"""The pages, declared as data: where each lives, its URL, title, icon and the action a role needs to open it.

dashboard.py builds st.navigation from this list; ui.frame.open_page reads a page's entry to draw its header
and check the role. Adding a page is a file in pages/ plus one entry here (and its title in ui/labels.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import streamlit as st

from commstats import auth
from commstats.auth import Action, Principal
from commstats.i18n import t
from ui.auth import all_unit_ids


@dataclass(frozen=True)
class PageSpec:
    path: str  # the page file, e.g. "pages/draft.py"
    title_key: str  # its title in the navigation and as the page heading (ui/labels.py)
    icon: str
    action: Action | None = Action.VIEW  # what the role must allow on some unit; None: anyone (sign-in page)
    heading_key: str | None = None  # a longer heading than the navigation title, when the page has one
    scope: bool = False  # under the heading: which units and months the page shows (the sidebar's choice)
    needs_data: bool = False  # without figures the page shows the guided empty state instead
    default: bool = False  # the page `/` opens (at its own URL, see landing_page)

    @property
    def url_path(self) -> str:
        return Path(self.path).stem

    def title(self) -> str:
        return t(self.title_key)

    def heading(self) -> str:
        return t(self.heading_key or self.title_key)

    def st_page(self, listed: bool = True) -> st.Page:
        """The page for st.navigation; one not listed is still served at its URL, where the frame says why
        it cannot be used (instead of Streamlit's "page not found" and the overview)."""
        visibility: Literal["visible", "hidden"] = "visible" if listed else "hidden"
        return st.Page(self.path, title=self.title(), icon=self.icon, visibility=visibility)


def _analysis(path: str, title_key: str, icon: str, default: bool = False) -> PageSpec:
    return PageSpec(path, title_key, icon, scope=True, needs_data=True, default=default)


PAGES: tuple[PageSpec, ...] = (
    _analysis("pages/overview.py", "overview_title", ":material/dashboard:", default=True),
    _analysis("pages/draft.py", "nav_draft", ":material/edit_note:"),
    PageSpec("pages/narrative.py", "nav_narrative", ":material/article:", Action.ENTRY),
    _analysis("pages/trends.py", "nav_trends", ":material/show_chart:"),
    _analysis("pages/sites.py", "nav_sites", ":material/web:"),
    _analysis("pages/licences.py", "nav_licences", ":material/menu_book:"),
    _analysis("pages/explore.py", "nav_explore", ":material/table_view:"),
    _analysis("pages/quality.py", "nav_quality", ":material/fact_check:"),
    PageSpec("pages/provinces.py", "nav_provinces", ":material/leaderboard:"),
    PageSpec("pages/entry.py", "entry_title", ":material/edit_note:", Action.ENTRY),
    PageSpec("pages/import.py", "import_title", ":material/upload_file:", Action.IMPORT),
    PageSpec("pages/targets.py", "targets.nav", ":material/flag:", Action.IMPORT),
    PageSpec("pages/catalog.py", "catalog.nav", ":material/list_alt:"),
    PageSpec("pages/status.py", "cycle.nav_status", ":material/pending_actions:", Action.CYCLE),
    PageSpec("pages/cycle.py", "cycle.nav_cycle", ":material/event_available:", Action.CYCLE),
    PageSpec("pages/users.py", "nav_users", ":material/group:", Action.MANAGE_USERS, heading_key="users_title"),
    PageSpec("pages/account.py", "nav_account", ":material/account_circle:", action=None),
)
ACCOUNT_PAGE = "account"  # the sign-in page: always reachable, hidden when sign-in is switched off


LANDING = "start"  # the hidden page served at `/`, which opens the default page at its own URL


def page_spec(url_path: str) -> PageSpec:
    return next(spec for spec in PAGES if spec.url_path == url_path)


def default_spec() -> PageSpec:
    return next(spec for spec in PAGES if spec.default)


def open_default_page() -> None:
    """`/` opens the default page (the overview) at its own URL, keeping the address's query string (the
    units, range and choices of a copied link). Streamlit serves its default page only at `/` and ignores
    its url_path, so /overview typed by hand would show "Page not found"; the overview is therefore an
    ordinary page and `/` is a hidden landing page that only switches to it."""
    query = {key: st.query_params.get_all(key) for key in st.query_params}
    st.switch_page(default_spec().path, query_params=query)


def landing_page() -> st.Page:
    """The default page for st.navigation: served at `/`, never listed, titled like the page it opens."""
    spec = default_spec()
    return st.Page(open_default_page, title=spec.title(), url_path=LANDING, default=True, visibility="hidden")


def is_landing(page: st.Page) -> bool:
    return page.url_path == ""  # Streamlit's path of the default page, whatever its url_path


def allowed(spec: PageSpec, principal: Principal, unit_ids: frozenset[int]) -> bool:
    """Whether the navigation lists the page for this person, given every unit's id (viewing is checked on
    the page itself, which explains itself: a fresh database shows its guided empty state to everyone)."""
    if spec.url_path == ACCOUNT_PAGE:
        return not auth.enforcement_off()
    if spec.action is None or spec.action == Action.VIEW:
        return True
    return principal.can_somewhere(spec.action, unit_ids)


def navigation_pages(principal: Principal) -> list[st.Page]:
    """The landing page at `/`, then every declared page in order; those this person may not open are left
    out of the menu."""
    unit_ids = all_unit_ids()
    return [landing_page(), *(spec.st_page(listed=allowed(spec, principal, unit_ids)) for spec in PAGES)]
