"""The status board in Chromium, signed in as a report writer (an editor of one unit, sign-in enforced): who has
submitted, what is missing, days overdue, and one click from a missing section to its entry form."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from commstats import auth
from commstats.cycle import rounds
from commstats.db import make_engine
from tests.browser.conftest import Dashboard, serve, settle
from tests.browser.test_security_browser import nav
from tests.conftest import sqlite_url
from tests.cyclehelp import SECTIONS, UNIT, principal

PASSWORD = "mat-khau-nguoi-viet-2026"

pytestmark = pytest.mark.browser


def _cycle_database(template: Path, folder: Path) -> str:
    database = folder / "cycle.db"
    shutil.copy(template, database)
    url = sqlite_url(database)
    engine = make_engine(url)
    auth.create_user(engine, "bientap", PASSWORD, actor="test", display_name="Người viết báo cáo")
    auth.grant(engine, "bientap", "editor", UNIT, actor="test")
    editor = principal(engine, "editor", "bientap")
    rounds.save_department(engine, principal(engine, "admin"), UNIT, "vanphong", "Văn phòng Sở")
    rounds.open_round(engine, editor, UNIT, "2019-07")
    rounds.assign_section(engine, editor, UNIT, "2019-07", "portal", department="vanphong")
    rounds.submit_section(engine, editor, UNIT, "2019-07", "portal")
    engine.dispose()
    return url


@pytest.fixture(scope="module")
def cycle_dashboard(demo_db_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dashboard]:
    folder = tmp_path_factory.mktemp("cycle")
    url = _cycle_database(demo_db_template, folder)
    with serve(url, folder, **{auth.AUTH_ENV: "on"}) as running:
        yield running


def sign_in_from_home(page: Page, dashboard: Dashboard, username: str, password: str) -> None:
    """Sign in through the router's navigation: a first load straight at /account shows Streamlit's file-based
    page list instead of the router's (the same happens to tests/browser/test_security_browser.py's sign_in)."""
    page.goto(dashboard.url)
    expect(page.get_by_role("heading", level=1, name="Tổng quan")).to_be_visible()
    settle(page)
    nav(page).get_by_role("link", name="Tài khoản", exact=True).click()
    expect(page.get_by_role("heading", level=1, name="Tài khoản")).to_be_visible()
    settle(page)
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập", exact=True).click()
    settle(page)


def test_writer_sees_the_status_board_and_opens_a_missing_section(
    page: Page, cycle_dashboard: Dashboard, screenshots: Path
) -> None:
    sign_in_from_home(page, cycle_dashboard, "bientap", PASSWORD)
    expect(page.get_by_text("Đã đăng nhập: Người viết báo cáo", exact=False).first).to_be_visible()
    nav(page).get_by_role("link", name="Tiến độ báo cáo", exact=True).click()  # same session: still signed in
    expect(page.get_by_role("heading", level=1, name="Tiến độ báo cáo")).to_be_visible()
    settle(page)
    heading = "Báo cáo tháng 7/2019 — Sở Thông tin và Truyền thông Trà Vinh"
    expect(page.get_by_role("heading", name=heading)).to_be_visible()
    expect(page.get_by_test_id("stMetricValue").first).to_have_text(f"1/{SECTIONS}")
    link = page.get_by_role("link", name="Nhập số liệu: Trang tin thành phần")
    expect(link).to_be_visible()
    page.screenshot(path=str(screenshots / "status-board.png"), full_page=True)
    link.click()
    expect(page.get_by_role("heading", level=1, name="Nhập số liệu")).to_be_visible()
    settle(page)
    assert "section=sites" in page.url
    expect(page.get_by_role("combobox", name="Lĩnh vực")).to_have_value("Trang tin thành phần")
    expect(page.get_by_role("combobox", name="Năm")).to_have_value("2019")
    expect(page.get_by_role("combobox", name="Tháng")).to_have_value("7")
