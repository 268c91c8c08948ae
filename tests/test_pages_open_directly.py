"""Every page opens as the first visit of a session, straight from its URL, before the router has ever run.

Until st.navigation has run once in the server process, Streamlit runs a file of the pages/ folder alone
(its legacy mode, `PagesManager.uses_pages_directory`); a page that reached into session state for the
sidebar's selection then failed with `KeyError: 'selection'` (/draft, /import, /entry did). These tests put
Streamlit back in that mode and open each page declared in ui.navigation, anonymous and signed in, with
sign-in enforced; tests/browser/test_pages_open_directly_browser.py does the same on real servers."""

from __future__ import annotations

import pytest
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest

from commstats import auth
from commstats.config import PROJECT_ROOT
from commstats.db import make_engine
from commstats.i18n import t
from tests.conftest import sqlite_url
from ui.navigation import PAGES, PageSpec

PASSWORD = "mat-khau-mo-trang-2019"
# editors', leaders' and admins' pages
DENIED_ANONYMOUS = {"entry", "import", "targets", "users", "status", "cycle", "narrative"}


@pytest.fixture(scope="module")
def database(demo_db_template, tmp_path_factory) -> str:  # type: ignore[no-untyped-def]
    """A demo copy with an admin of every unit; the pages only read it, so one copy serves the module."""
    path = tmp_path_factory.mktemp("open") / "demo.db"
    path.write_bytes(demo_db_template.read_bytes())
    engine = make_engine(sqlite_url(path))
    auth.create_user(engine, "admin", PASSWORD, actor="test")
    auth.grant(engine, "admin", "admin", None, actor="test")
    engine.dispose()
    return sqlite_url(path)


def first_visit(url: str, monkeypatch: pytest.MonkeyPatch, spec: PageSpec, **state: object) -> AppTest:
    """A new session whose first request is the page's URL, on a server whose router has not run yet."""
    monkeypatch.setenv("COMMSTATS_DATABASE_URL", url)
    monkeypatch.setenv(auth.AUTH_ENV, "on")
    monkeypatch.setattr(PagesManager, "uses_pages_directory", True)  # restored after the test
    app = AppTest.from_file(str(PROJECT_ROOT / "dashboard.py"), default_timeout=60)
    app.session_state["lang"] = "vi"
    for key, value in state.items():
        app.session_state[key] = value
    app.switch_page(spec.path)
    return app.run()


def heading(spec: PageSpec) -> str:
    return t(spec.heading_key or spec.title_key, "vi")


@pytest.mark.parametrize("spec", PAGES, ids=[s.url_path for s in PAGES])
def test_anonymous_first_visit(database, monkeypatch, spec):
    app = first_visit(database, monkeypatch, spec)
    assert not app.exception, [e.message for e in app.exception]
    assert [t.value for t in app.title] == [heading(spec)]
    refused = [e.value for e in app.error if "cần quyền" in e.value]
    assert bool(refused) == (spec.url_path in DENIED_ANONYMOUS)
    if spec.url_path not in DENIED_ANONYMOUS:
        assert "selection" in app.session_state  # it went through the router, which drew the sidebar
        assert app.sidebar.radio(key="lang").value == "vi"


@pytest.mark.parametrize("spec", PAGES, ids=[s.url_path for s in PAGES])
def test_signed_in_first_visit(database, monkeypatch, spec):
    app = first_visit(database, monkeypatch, spec, auth_user="admin")
    assert not app.exception, [e.message for e in app.exception]
    assert [t.value for t in app.title] == [heading(spec)]
    assert not app.error
    assert "selection" in app.session_state and app.sidebar.radio(key="lang").value == "vi"
