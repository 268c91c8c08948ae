"""On the users page in Chromium, an account created with its first role and granted another right after
gets both, and no other account changes (the grant used to go to whichever account the stale list put at
the chosen place)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from commstats import auth
from commstats.db import make_engine
from tests.browser.conftest import Dashboard, demo_copy, serve, settle
from tests.browser.test_sign_in_kept_browser import PASSWORD, sign_in
from tests.conftest import sqlite_url

pytestmark = pytest.mark.browser
TRA_VINH = "Sở Thông tin và Truyền thông Trà Vinh (dữ liệu mẫu)"
VINH_LONG = "Sở Khoa học và Công nghệ Vĩnh Long (dữ liệu mẫu)"


@pytest.fixture(scope="module")
def with_admin(demo_db_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dashboard]:
    folder = tmp_path_factory.mktemp("users")
    database = demo_copy(demo_db_template, folder)
    engine = make_engine(sqlite_url(database))
    auth.create_user(engine, "admin", PASSWORD, actor="test", display_name="Admin", role="admin", unit_code="*")
    for name in ("an", "yen"):  # accounts on either side of the new one in the sorted list
        auth.create_user(engine, name, PASSWORD, actor="test", role="viewer", unit_code="travinh-demo")
    engine.dispose()
    with serve(sqlite_url(database), folder, **{auth.AUTH_ENV: "on"}) as running:
        yield running


def pick(page: Page, form: str, label: str, option: str) -> None:
    box = page.locator(f'[data-testid="stForm"]:has-text("{form}")').get_by_role("combobox", name=label)
    box.click()
    box.press_sequentially(option[:12])  # the list is searchable: typing narrows it to the option
    page.get_by_role("option", name=option, exact=True).click()


def test_a_role_goes_to_the_account_chosen(page: Page, with_admin: Dashboard) -> None:
    sign_in(page, with_admin, "admin")
    page.goto(f"{with_admin.url}/users")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    settle(page)
    page.get_by_label("Tên đăng nhập", exact=True).fill("hoa")
    pick(page, "Thêm tài khoản", "Vai trò ban đầu (không bắt buộc)", "biên tập (nhập số liệu)")
    pick(page, "Thêm tài khoản", "Đơn vị", TRA_VINH)
    page.get_by_role("button", name="Tạo tài khoản").click()
    settle(page)
    expect(page.get_by_text("Đã tạo tài khoản hoa", exact=False)).to_be_visible()
    pick(page, "Cấp hoặc thu hồi vai trò", "Tài khoản", "hoa")
    pick(page, "Cấp hoặc thu hồi vai trò", "Đơn vị", VINH_LONG)
    pick(page, "Cấp hoặc thu hồi vai trò", "Vai trò", "phân tích (xuất dữ liệu)")
    page.get_by_role("button", name="Cấp vai trò").click()
    settle(page)
    expect(page.get_by_text("Đã lưu cho tài khoản “hoa”", exact=False)).to_be_visible()
    engine = make_engine(with_admin.database_url)
    roles = {u.username: u.roles for u in auth.list_users(engine)}
    engine.dispose()
    assert roles["hoa"] == {"travinh-demo": "editor", "vinhlong-demo": "analyst"}
    assert roles["an"] == roles["yen"] == {"travinh-demo": "viewer"}
    assert roles["admin"] == {"*": "admin"}
