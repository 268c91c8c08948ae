"""Each page names itself in the browser's tab (and its history and bookmarks), not only the application."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.conftest import Dashboard


def test_each_page_has_its_own_browser_title(page: Page, dashboard: Dashboard) -> None:
    seen = {}
    for path, name in (("", "Tổng quan"), ("trends", "Xu hướng"), ("catalog", "Danh mục chỉ tiêu")):
        page.goto(f"{dashboard.url}/{path}")
        expect(page.locator("h1").first).to_be_visible()
        expect(page).to_have_title(f"{name} · Thống kê Sở Thông tin và Truyền thông")
        seen[path] = page.title()
    assert len(set(seen.values())) == 3
