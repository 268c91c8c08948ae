"""Every page opens straight from its URL on a freshly started server, anonymous and signed in.

Each server's first request is a page that used to fail there (`KeyError: 'selection'` on /draft, /import,
/entry before the router had run once in the process); every other page URL is then opened as a new
session's first request. Pages are taken from ui.navigation, so a page added there is checked too. Any
exception box or KeyError text fails, and each page must show its own heading.

The walk with every right also serves the production look (issue 16 item 6): nothing it loads leaves the
server, and axe-core finds no serious or critical fault that the application's own markup causes on any
page (one walk, three tests asserting on what it saw)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, Request, expect

from commstats import auth
from commstats.db import make_engine
from commstats.i18n import t
from tests.browser.conftest import Dashboard, new_tab, serve, settle
from tests.conftest import sqlite_url
from ui.navigation import PAGES, PageSpec, page_spec

PASSWORD = "mat-khau-mo-trang-2019"
# editors', leaders', admins' pages
DENIED_ANONYMOUS = {"entry", "import", "targets", "users", "status", "cycle", "narrative"}
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
# Rules whose serious/critical findings come from Streamlit's own markup, which the app cannot change.
# Each needs its reason; anything else fails.
STREAMLIT_RULES: dict[str, str] = {}
# Nodes drawn by Streamlit itself that the app cannot label: st.metric's sparkline is a Vega chart whose symbol
# groups (`metric_chart_*_highlighted_points_marks`, role graphics-symbol) carry no name; the card's own text
# says the same figures. Only these nodes are left out, never a whole rule.
STREAMLIT_NODES = ("metric_chart_",)
SERIOUS = {"serious", "critical"}


def _server(template: Path, folder: Path, auth_mode: str) -> Iterator[Dashboard]:
    database = folder / "demo.db"
    shutil.copy(template, database)
    engine = make_engine(sqlite_url(database))
    auth.create_user(engine, "admin", PASSWORD, actor="test", display_name="Quản trị")
    auth.grant(engine, "admin", "admin", None, actor="test")
    engine.dispose()
    with serve(sqlite_url(database), folder, **{auth.AUTH_ENV: auth_mode}) as running:
        yield running


@pytest.fixture(scope="module")
def secured(demo_db_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dashboard]:
    """A fresh server with sign-in enforced (COMMSTATS_AUTH=on)."""
    yield from _server(demo_db_template, tmp_path_factory.mktemp("open-secured"), "on")


@pytest.fixture(scope="module")
def unsecured(demo_db_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dashboard]:
    """A fresh server with sign-in off: everyone has every right, as a signed-in administrator."""
    yield from _server(demo_db_template, tmp_path_factory.mktemp("open-unsecured"), "off")


def heading(spec: PageSpec) -> str:
    return t(spec.heading_key or spec.title_key, "vi")


def check_page(page: Page, spec: PageSpec) -> None:
    expect(page.get_by_role("heading", level=1, name=heading(spec), exact=True)).to_be_visible()
    settle(page)
    boxes = page.locator('[data-testid="stException"]')
    assert boxes.count() == 0, (spec.url_path, boxes.all_inner_texts())
    assert "KeyError" not in page.locator('[data-testid="stApp"]').inner_text(), spec.url_path
    assert page.locator("h1").all_inner_texts() == [heading(spec)], spec.url_path


def first_then_the_rest(first: str) -> list[PageSpec]:
    return [page_spec(first)] + [spec for spec in PAGES if spec.url_path != first]


def test_anonymous_opens_every_page_by_url(page: Page, secured: Dashboard) -> None:
    for spec in first_then_the_rest("draft"):  # /draft is the server's very first request
        page.goto(f"{secured.url}/{spec.url_path}")  # each goto is a new session whose first request it is
        check_page(page, spec)
        refusal = page.get_by_text("Trang này cần quyền", exact=False)
        assert refusal.count() == (1 if spec.url_path in DENIED_ANONYMOUS else 0), spec.url_path


def test_signed_in_opens_every_page_from_the_menu(page: Page, secured: Dashboard) -> None:
    page.goto(f"{secured.url}/account")
    check_page(page, page_spec("account"))
    page.get_by_label("Tên đăng nhập").fill("admin")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập", exact=True).click()
    # The sign-in's own rerun must be over before a menu click, or it runs the account page again.
    expect(page.get_by_text("Đã đăng nhập: Quản trị", exact=False).first).to_be_visible()
    settle(page)
    menu = page.locator('[data-testid="stSidebarNav"]')
    for spec in PAGES:  # the same session: still signed in
        menu.get_by_role("link", name=t(spec.title_key, "vi"), exact=True).click()
        check_page(page, spec)
        assert page.get_by_text("Trang này cần quyền", exact=False).count() == 0, spec.url_path


@dataclass
class Walk:
    """What one walk over every page by URL saw on a fresh server with sign-in off."""

    opened: list[str] = field(default_factory=list)  # the pages opened, in order
    faults: dict[str, str] = field(default_factory=dict)  # page: what check_page found wrong there
    account_links: int = -1  # sign-in links in the menu at the end
    requests: list[str] = field(default_factory=list)  # every request the tab made
    axe: dict[str, list[str]] = field(default_factory=dict)  # "page: rule": the serious nodes of ours


def serious_faults(axe: Axe, page: Page) -> dict[str, list[str]]:
    """axe-core's serious and critical findings on `page`, by rule, less Streamlit's own (see above)."""
    found: dict[str, list[str]] = {}
    for violation in axe.run(page).response["violations"]:
        if violation["impact"] in SERIOUS and violation["id"] not in STREAMLIT_RULES:
            targets = [
                str(node["target"]) + " " + node["html"][:160]
                for node in violation["nodes"]
                if not any(mark in str(node["target"]) for mark in STREAMLIT_NODES)
            ]
            if targets:
                found[violation["id"]] = targets
    return found


@pytest.fixture(scope="module")
def every_right_walk(browser: Browser, unsecured: Dashboard) -> Walk:
    walk = Walk()
    axe = Axe()

    def record(request: Request) -> None:
        walk.requests.append(request.url)

    with new_tab(browser) as page:
        page.on("request", record)
        for spec in first_then_the_rest("entry"):  # /entry is this server's very first request
            if spec.url_path == "account":  # no sign-in page when sign-in is off: the menu does not offer it
                continue
            page.goto(f"{unsecured.url}/{spec.url_path}")
            walk.opened.append(spec.url_path)
            try:
                check_page(page, spec)
            except AssertionError as fault:
                walk.faults[spec.url_path] = str(fault)
            for rule, nodes in serious_faults(axe, page).items():
                walk.axe[f"{spec.url_path}: {rule}"] = nodes
        menu = page.locator('[data-testid="stSidebarNav"]')
        walk.account_links = menu.get_by_role("link", name=t("nav_account", "vi"), exact=True).count()
    return walk


def test_with_every_right_every_page_opens_by_url(every_right_walk: Walk) -> None:
    assert every_right_walk.opened == [s.url_path for s in first_then_the_rest("entry") if s.url_path != "account"]
    assert every_right_walk.faults == {}
    assert every_right_walk.account_links == 0


def test_no_request_leaves_the_server(every_right_walk: Walk) -> None:
    seen = every_right_walk.requests
    outside = [
        url
        for url in seen
        if not url.startswith(("data:", "blob:", "about:")) and urlsplit(url).hostname not in LOCAL_HOSTS
    ]
    assert len(seen) > 20  # the pages, their scripts, styles, fonts and the websocket were all recorded
    assert sorted(set(outside)) == []


def test_axe_finds_no_serious_fault_of_ours(every_right_walk: Walk) -> None:
    assert len(every_right_walk.opened) == len(PAGES) - 1  # every page but the sign-in page was checked
    found = every_right_walk.axe
    assert found == {}, "\n".join(f"{rule}: {nodes}" for rule, nodes in found.items())
