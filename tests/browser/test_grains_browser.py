"""In a real browser: the trends chart marks an estimated month (hollow diamond, legend "Ước thực hiện") and a
quarter read from a quarterly figure (square, legend), and the quality page lists a quarter that disagrees with
its months."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from commstats.db import make_engine
from etl.pipeline import import_content
from tests.browser.conftest import serve
from tests.browser.test_dashboard_browser import full_screenshot, open_page, settle
from tests.conftest import sqlite_url
from tests.importfiles import csv_text

ROWS = [
    *[(f"2019-{m:02d}", "portal_posts", "vi", 30 + m, "", "") for m in range(1, 6)],
    ("2019-06", "portal_posts", "vi", 40, "", "ước"),  # the half-year report written on 10 June
    ("2019-Q3", "portal_posts", "vi", 120, "", ""),  # only a quarterly figure for Q3
    *[(f"2019-{m:02d}", "portal_posts", "vi", 10, "", "") for m in (10, 11, 12)],
    ("2019-Q4", "portal_posts", "vi", 33, "", ""),  # disagrees with its months (30)
]


@pytest.fixture
def grains_dashboard(empty_db_template: Path, tmp_path: Path):  # type: ignore[no-untyped-def]
    database = tmp_path / "grains.db"
    shutil.copy(empty_db_template, database)
    engine = make_engine(sqlite_url(database))
    header = ("period", "metric", "member", "value", "grain", "estimated")
    assert import_content(engine, csv_text(ROWS, header).encode(), "bao-cao.csv").ok
    engine.dispose()
    with serve(sqlite_url(database), tmp_path) as running:
        yield running


def test_estimates_and_coarser_figures_are_marked_and_disagreements_listed(
    page: Page, grains_dashboard, screenshots
) -> None:
    open_page(page, grains_dashboard, "trends", "Xu hướng")
    chart = page.locator(".js-plotly-plot").first
    expect(chart.get_by_text("Ước thực hiện")).to_be_visible()
    expect(page.get_by_text("Hình thoi rỗng: có số ước thực hiện", exact=False)).to_be_visible()
    expect(page.get_by_text("Có số liệu chỉ báo theo quý", exact=False)).to_be_visible()
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
