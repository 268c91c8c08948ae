"""What the user chooses stays chosen, in Chromium: the period range (moved by keys and by a quick choice)
on every page and in the figures, the view in a copied link, a page's choice across pages and languages;
and no table offers Streamlit's own download to anyone (the project's neutralised buttons are the way)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.browser.conftest import Dashboard, script_runs, settle, track
from tests.browser.test_dashboard_browser import nav_link

pytestmark = pytest.mark.browser
SCOPE_END = " · 09/2019 – 12/2020"
PAGES = [
    ("Tổng quan", ""),
    ("Xu hướng", "trends"),
    ("Trang tin thành phần", "sites"),
    ("Xuất bản, in", "licences"),
    ("Dữ liệu & xuất", "explore"),
    ("Chất lượng dữ liệu", "quality"),
    ("Soạn báo cáo", "draft"),
]


def thumbs(page: Page) -> list[str | None]:
    sliders = page.locator('[data-testid="stSidebar"] input[type="range"]')
    expect(sliders.last).to_be_attached()
    return [sliders.nth(i).get_attribute("aria-valuetext") for i in range(sliders.count())]


def choose_range(page: Page) -> None:
    """2020 from the quick choices, then the start moved four months back with the arrow key."""
    settle(page)
    quick = page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').filter(
        has_text="Chọn nhanh khoảng thời gian"
    )
    option = page.get_by_role("option", name="Năm 2020", exact=True)
    for _ in range(3):  # a rerun still drawing the sidebar can close the list as it opens (a loaded machine)
        quick.click()
        try:
            option.wait_for(timeout=10_000)
            break
        except PlaywrightTimeoutError:
            settle(page)
    option.click()
    settle(page)
    assert thumbs(page) == ["01/2020", "12/2020"]
    for _ in range(4):
        page.locator('[data-testid="stSidebar"] input[type="range"]').first.focus()
        before = script_runs(page).mark()
        page.keyboard.press("ArrowLeft")
        settle(page, after=before)  # the slider sends its value after a debounce
    assert thumbs(page) == ["09/2019", "12/2020"]


def test_the_chosen_range_holds_on_every_page_and_in_a_copied_link(page: Page, dashboard: Dashboard) -> None:
    page.goto(dashboard.url)
    expect(page.get_by_role("heading", level=1, name="Tổng quan")).to_be_visible()
    settle(page)
    assert thumbs(page) == ["11/2024", "10/2026"]  # the last 24 months before any choice
    choose_range(page)
    for title, _path in PAGES:
        nav_link(page, title).click()
        expect(page.get_by_role("heading", level=1, name=title)).to_be_visible()
        settle(page)
        assert thumbs(page) == ["09/2019", "12/2020"], title
        if title != "Soạn báo cáo":
            expect(page.get_by_text(SCOPE_END, exact=False).first).to_be_visible()
        if title == "Dữ liệu & xuất":  # the figures follow the range: the table's own line names it
            expect(page.get_by_text(re.compile(r"09/2019.*12/2020")).first).to_be_visible()
    nav_link(page, "Tổng quan").click()
    settle(page)
    expect(
        page.get_by_text(re.compile("tháng 12/2020", re.IGNORECASE)).first
    ).to_be_visible()  # the newest month of the range
    assert "range=2019-09~2020-12" in page.url.replace("%7E", "~")
    # A copied link opens the same view in a new session, in the language it names.
    link = page.url.replace("lang=vi", "lang=en") if "lang=" in page.url else page.url + "&lang=en"
    other = track(page.context.browser.new_page(viewport={"width": 1440, "height": 1000}))  # type: ignore[union-attr]
    try:
        other.goto(link)
        expect(other.get_by_role("heading", level=1, name="Overview")).to_be_visible()
        settle(other)
        assert thumbs(other) == ["09/2019", "12/2020"]
        expect(other.get_by_text(" · Sep 2019 – Dec 2020", exact=False).first).to_be_visible()
        expect(other.locator('[data-testid="stSidebarNav"]').get_by_role("link", name="Trends")).to_be_visible()
    finally:
        other.close()


def test_a_page_choice_survives_other_pages_and_a_language_switch(page: Page, dashboard: Dashboard) -> None:
    page.goto(dashboard.url)
    expect(page.get_by_role("heading", level=1, name="Tổng quan")).to_be_visible()
    settle(page)
    page.locator('[data-testid="stMain"] [data-testid="stSelectbox"]').first.click()
    page.get_by_role("option", name="tháng 3/2026", exact=True).click()
    settle(page)
    nav_link(page, "Xu hướng").click()
    expect(page.get_by_role("heading", level=1, name="Xu hướng")).to_be_visible()
    settle(page)
    page.locator('[data-testid="stSidebar"]').get_by_text("English", exact=True).click()
    settle(page)
    nav_link(page, "Overview").click()
    expect(page.get_by_role("heading", level=1, name="Overview")).to_be_visible()
    settle(page)
    expect(page.locator('[data-testid="stMain"] [data-testid="stSelectbox"]').first).to_match_aria_snapshot(
        '- combobox "Report month": March 2026'
    )
    assert "o_month=2026-03" in page.url


def test_no_table_offers_streamlits_own_download(page: Page, dashboard: Dashboard) -> None:
    """Without sign-in enforcement everyone here may export, so this is the strictest case: even then the only
    download is the project's own CSV/XLSX buttons (formula neutralising: test_security_browser.py)."""
    for title, path in (("Dữ liệu & xuất", "explore"), ("Chất lượng dữ liệu", "quality"), ("Soạn báo cáo", "draft")):
        page.goto(f"{dashboard.url}/{path}")
        expect(page.get_by_role("heading", level=1, name=title)).to_be_visible()
        settle(page)
        table = page.locator('[data-testid="stDataFrame"]').first
        table.hover()
        toolbar = page.locator('[data-testid="stElementToolbar"]').first
        expect(toolbar).to_be_visible()
        assert toolbar.get_by_role("button").count() >= 1  # the toolbar is there (search, full screen) …
        assert toolbar.get_by_role("button", name=re.compile("Download", re.IGNORECASE)).count() == 0, title
