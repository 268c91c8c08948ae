"""A password sign-in survives a reload (a signed, expiring cookie), and signing out ends it, in Chromium.
A viewer gets no download control at all; the analyst's own buttons are tested in test_security_browser.py."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from commstats import auth
from commstats.db import make_engine
from tests.browser.conftest import Dashboard, serve
from tests.browser.test_dashboard_browser import settle
from tests.conftest import sqlite_url

pytestmark = pytest.mark.browser
PASSWORD = "mat-khau-giu-phien-2019"


@pytest.fixture(scope="module")
def secured(demo_db_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dashboard]:
    folder = tmp_path_factory.mktemp("kept")
    database = folder / "demo.db"
    shutil.copy(demo_db_template, database)
    engine = make_engine(sqlite_url(database))
    for name in ("analyst", "viewer"):
        auth.create_user(engine, name, PASSWORD, actor="test", display_name=name.title(), role=name, unit_code="*")
    engine.dispose()
    with serve(sqlite_url(database), folder, **{auth.AUTH_ENV: "on"}) as running:
        yield running


def sign_in(page: Page, secured: Dashboard, username: str) -> None:
    page.goto(f"{secured.url}/account")
    expect(page.get_by_role("heading", level=1, name="Tài khoản")).to_be_visible()
    settle(page)
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập", exact=True).click()
    settle(page)
    expect(page.get_by_text(f"Đã đăng nhập: {username.title()}", exact=False).first).to_be_visible()


def test_a_password_sign_in_survives_a_reload_until_signed_out(page: Page, secured: Dashboard) -> None:
    sign_in(page, secured, "analyst")
    page.wait_for_timeout(500)  # the cookie is written by the run after the sign-in
    [cookie] = [c for c in page.context.cookies() if c["name"] == "commstats_session"]
    assert cookie["sameSite"] == "Strict" and cookie["value"].startswith("analyst.")
    page.goto(f"{secured.url}/explore")
    expect(page.get_by_role("heading", level=1, name="Dữ liệu & xuất")).to_be_visible()
    settle(page)
    expect(page.get_by_text("Đã đăng nhập: Analyst", exact=False).first).to_be_visible()
    expect(page.get_by_role("button", name="Tải CSV")).to_be_visible()  # the analyst's own export
    page.goto(f"{secured.url}/account")
    settle(page)
    page.get_by_role("button", name=re.compile("Đăng xuất")).click()
    settle(page)
    page.wait_for_timeout(500)
    assert not [c for c in page.context.cookies() if c["name"] == "commstats_session"]
    page.reload()
    settle(page)
    assert page.get_by_text("Đã đăng nhập", exact=False).count() == 0


def test_a_forged_or_altered_cookie_signs_nobody_in(page: Page, secured: Dashboard) -> None:
    sign_in(page, secured, "viewer")
    page.wait_for_timeout(500)
    [cookie] = [c for c in page.context.cookies() if c["name"] == "commstats_session"]
    page.context.clear_cookies()
    forged = {**cookie, "value": cookie["value"].replace("viewer.", "analyst.", 1)}
    page.context.add_cookies([forged])  # type: ignore[list-item]
    page.goto(secured.url)
    settle(page)
    assert page.get_by_text("Đã đăng nhập", exact=False).count() == 0


def test_a_viewer_has_no_download_control_on_any_table(page: Page, secured: Dashboard) -> None:
    sign_in(page, secured, "viewer")
    for title, path in (("Dữ liệu & xuất", "explore"), ("Chất lượng dữ liệu", "quality")):
        page.goto(f"{secured.url}/{path}")
        expect(page.get_by_role("heading", level=1, name=title)).to_be_visible()
        settle(page)
        expect(page.get_by_text("Đã đăng nhập: Viewer", exact=False).first).to_be_visible()  # kept by the cookie
        assert page.get_by_role("button", name=re.compile("Tải")).count() == 0  # no export buttons for a viewer
        page.locator('[data-testid="stDataFrame"]').first.hover()
        toolbar = page.locator('[data-testid="stElementToolbar"]').first
        expect(toolbar).to_be_visible()
        assert toolbar.get_by_role("button", name=re.compile("Download", re.IGNORECASE)).count() == 0, title
