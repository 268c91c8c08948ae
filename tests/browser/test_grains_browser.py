"""In a real browser: the trends chart marks an estimated month (hollow diamond, legend "Ước thực hiện") and a
quarter read from a quarterly figure (square, legend), and the quality page lists a quarter that disagrees with
its months. A unit with quarterly reports only: the overview's cards show the quarter and say so, the trends
breakdown shows the quarters by quarter and names them by month."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from commstats.db import make_engine
from etl.pipeline import import_content
from tests.browser.conftest import serve, settle
from tests.browser.test_dashboard_browser import full_screenshot, open_page
from tests.conftest import sqlite_url
from tests.importfiles import csv_text
from tests.test_grain_pages import ROWS as QUARTERLY_ROWS

ROWS = [
    *[(f"2019-{m:02d}", "portal_posts", "vi", 30 + m, "", "") for m in range(1, 6)],
    ("2019-06", "portal_posts", "vi", 40, "", "ước"),  # the half-year report written on 10 June
    ("2019-Q3", "portal_posts", "vi", 120, "", ""),  # only a quarterly figure for Q3
    *[(f"2019-{m:02d}", "portal_posts", "vi", 10, "", "") for m in (10, 11, 12)],
    ("2019-Q4", "portal_posts", "vi", 33, "", ""),  # disagrees with its months (30)
]


def _dashboard(empty_db_template: Path, tmp_path: Path, rows: list[tuple[object, ...]]):  # type: ignore[no-untyped-def]
    database = tmp_path / "grains.db"
    shutil.copy(empty_db_template, database)
    engine = make_engine(sqlite_url(database))
    header = ("period", "metric", "member", "value", "grain", "estimated")
    assert import_content(engine, csv_text(rows, header).encode(), "bao-cao.csv").ok
    engine.dispose()
    return serve(sqlite_url(database), tmp_path)


@pytest.fixture
def grains_dashboard(empty_db_template: Path, tmp_path: Path):  # type: ignore[no-untyped-def]
    with _dashboard(empty_db_template, tmp_path, ROWS) as running:
        yield running


@pytest.fixture
def quarterly_dashboard(empty_db_template: Path, tmp_path: Path):  # type: ignore[no-untyped-def]
    with _dashboard(empty_db_template, tmp_path, QUARTERLY_ROWS) as running:
        yield running


def test_estimates_and_coarser_figures_are_marked_and_disagreements_listed(
    page: Page, grains_dashboard, screenshots
) -> None:
    open_page(page, grains_dashboard, "trends", "Xu hướng")
    chart = page.locator(".js-plotly-plot").first
    expect(chart.get_by_text("Ước thực hiện")).to_be_visible()
    expect(page.get_by_text("Hình thoi rỗng: có số ước thực hiện", exact=False)).to_be_visible()
    named = page.get_by_role("tabpanel", name="Theo thời gian").get_by_text("Có số liệu quý III/2019, không chia ra")
    expect(named).to_be_visible()
    assert chart.locator("path.point[d*='M']").count() >= 9  # the nine months; Q3 is not spread over months
    full_screenshot(page, screenshots / "trends-grains-month.png")
    page.get_by_text("Quý", exact=True).click()
    settle(page)
    expect(chart.get_by_text("Số liệu quý/6 tháng/9 tháng/năm (không có số liệu tháng)")).to_be_visible()
    expect(chart.get_by_text("Quý III/2019")).to_be_visible()
    full_screenshot(page, screenshots / "trends-grains-quarter.png")
    open_page(page, grains_dashboard, "quality", "Chất lượng dữ liệu")
    expect(page.get_by_text("Số liệu quý, 6 tháng, 9 tháng, năm khác số liệu tháng")).to_be_visible()
    assert page.locator('[data-testid="stException"]').count() == 0
    full_screenshot(page, screenshots / "quality-grains.png")


def test_a_quarter_only_unit_on_the_overview_and_the_trends_breakdown(
    page: Page, quarterly_dashboard, screenshots
) -> None:
    open_page(page, quarterly_dashboard, "", "Tổng quan")
    expect(page.get_by_text("Số liệu quý II/2020 (không có số liệu tháng) · ước thực hiện")).to_be_visible()
    posts = page.get_by_test_id("stMetric").first  # the portal's posts: the first card
    expect(posts.get_by_test_id("stMetricValue")).to_have_text("390")
    expect(posts.get_by_text("so với quý I/2020")).to_be_visible()
    expect(page.get_by_text("Số liệu 6 tháng đầu năm 2020 (không có số liệu tháng)")).to_be_visible()
    assert page.locator('[data-testid="stException"]').count() == 0
    full_screenshot(page, screenshots / "overview-quarterly.png")
    open_page(page, quarterly_dashboard, "trends", "Xu hướng")
    page.get_by_role("tab", name="Theo thành phần").click()
    settle(page)
    panel = page.get_by_role("tabpanel", name="Theo thành phần")
    expect(panel.get_by_text("không chia ra tháng: xem theo quý hoặc năm", exact=False)).to_be_visible()
    page.get_by_text("Quý", exact=True).click()
    settle(page)
    chart = panel.locator(".js-plotly-plot")
    expect(chart.get_by_text("Quý II/2020")).to_be_visible()
    assert chart.locator("g.point").count() >= 4  # a bar per language and quarter
    expect(panel.get_by_text("không chia ra tháng", exact=False)).to_have_count(0)
    assert page.locator('[data-testid="stException"]').count() == 0
    full_screenshot(page, screenshots / "trends-quarterly-breakdown.png")
