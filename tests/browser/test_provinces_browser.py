"""The provinces page opened straight from its URL as a fresh server's first request, on the demo with several
provinces (`init --demo --provinces`): no exception box, the ranked chart and table, the 63 map after the merger
says it has no figures."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from commstats.db import make_engine
from commstats.i18n import t
from etl.demo_provinces import load_demo_provinces
from tests.browser.conftest import Dashboard, demo_copy, drawn, serve, settle
from tests.conftest import sqlite_url


@pytest.fixture(scope="module")
def provinces_server(demo_db_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dashboard]:
    folder = tmp_path_factory.mktemp("provinces")
    database = demo_copy(demo_db_template, folder)
    engine = make_engine(sqlite_url(database))
    load_demo_provinces(engine)
    engine.dispose()
    with serve(sqlite_url(database), folder) as running:
        yield running


def _no_exception(page: Page) -> None:
    boxes = page.locator('[data-testid="stException"]')
    assert boxes.count() == 0, boxes.all_inner_texts()
    assert "Traceback" not in page.locator('[data-testid="stApp"]').inner_text()


def test_provinces_page_opens_directly_and_ranks(page: Page, provinces_server: Dashboard, screenshots: Path) -> None:
    page.goto(f"{provinces_server.url}/provinces")  # the server's very first request
    expect(page.get_by_role("heading", level=1, name=t("nav_provinces", "vi"), exact=True)).to_be_visible()
    settle(page)
    _no_exception(page)
    chart = page.locator(".js-plotly-plot")
    expect(chart).to_have_count(1)
    expect(chart.get_by_text("1. ", exact=False).first).to_be_visible()  # the bars are labelled with their rank
    drawn(page)  # before the screenshot
    expect(page.locator('[data-testid="stDataFrame"]')).to_have_count(1)
    expect(page.get_by_text(t("provinces.note_34", "vi", date="01/07/2025"))).to_be_visible()
    page.screenshot(path=str(screenshots / "provinces.png"), full_page=True)

    page.get_by_text(t("provinces.map_63", "vi"), exact=True).click()  # the latest month is after the merger
    settle(page)
    _no_exception(page)
    expect(page.get_by_text("Bản đồ 63 tỉnh không có số liệu", exact=False)).to_be_visible()
