"""Every page opens straight from its URL on a freshly started server, anonymous and signed in.

Each server's first request is a page that used to fail there (`KeyError: 'selection'` on /draft, /import,
/entry before the router had run once in the process); every other page URL is then opened as a new
session's first request. Pages are taken from ui.navigation, so a page added there is checked too. Any
exception box or KeyError text fails, and each page must show its own heading."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from commstats import auth
from commstats.db import make_engine
from commstats.i18n import t
from tests.browser.conftest import Dashboard, serve
from tests.conftest import sqlite_url
from ui.navigation import PAGES, PageSpec, page_spec

PASSWORD = "mat-khau-mo-trang-2019"
# editors', leaders', admins' pages
DENIED_ANONYMOUS = {"entry", "import", "targets", "users", "status", "cycle", "narrative"}


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


def settle(page: Page) -> None:
    """Wait until the script run is over, twice: a first visit may go through the router and back."""
    for _ in range(2):
        page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=90_000)
        page.wait_for_timeout(500)


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


def test_with_every_right_every_page_opens_by_url(page: Page, unsecured: Dashboard) -> None:
    for spec in first_then_the_rest("entry"):  # /entry is this server's very first request
        if spec.url_path == "account":  # no sign-in page when sign-in is off: the menu does not offer it
            continue
        page.goto(f"{unsecured.url}/{spec.url_path}")
        check_page(page, spec)
    menu = page.locator('[data-testid="stSidebarNav"]')
    assert menu.get_by_role("link", name=t("nav_account", "vi"), exact=True).count() == 0
