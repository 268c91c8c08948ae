"""The overview has its own address: /overview typed by hand opens it on a fresh server without Streamlit's
"Page not found" dialog, `/` opens it too (at /overview), and the query string of a copied link (its
language, units and choices) is kept on the way."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Dashboard, demo_copy, script_runs, serve, settle
from tests.conftest import sqlite_url

pytestmark = pytest.mark.browser
UNIT = "travinh-demo"


@pytest.fixture(scope="module")
def fresh(demo_db_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dashboard]:
    """A server nothing has been opened on yet."""
    folder = tmp_path_factory.mktemp("overview-url")
    database = demo_copy(demo_db_template, folder)
    with serve(sqlite_url(database), folder) as running:
        yield running


def no_page_not_found(page: Page) -> None:
    """Streamlit's "Page not found" dialog never shows: the server never sent its message to this tab (it
    comes with a run's messages, so all of them are in once `settle` is over) and no dialog is drawn."""
    assert script_runs(page).pages_not_found == [], page.url
    assert page.get_by_text("Page not found", exact=False).count() == 0, page.url
    assert page.locator('[role="dialog"]').count() == 0, page.url


def query(page: Page) -> dict[str, list[str]]:
    return parse_qs(urlparse(page.url).query)


def test_overview_typed_by_hand_and_the_root_open_the_overview_with_the_query_kept(
    page: Page, fresh: Dashboard
) -> None:
    page.goto(f"{fresh.url}/overview?lang=en&units={UNIT}")  # the server's very first request
    expect(page.get_by_role("heading", level=1, name="Overview")).to_be_visible()
    settle(page)
    no_page_not_found(page)
    assert urlparse(page.url).path == "/overview"
    assert query(page)["lang"] == ["en"] and query(page)["units"] == [UNIT]
    assert page.locator('[data-testid="stMetric"]').count() > 5  # the overview's cards, in English

    page.goto(f"{fresh.url}/?lang=en&units={UNIT}")  # a link to the root keeps its view
    expect(page.get_by_role("heading", level=1, name="Overview")).to_be_visible()
    settle(page)
    no_page_not_found(page)
    assert urlparse(page.url).path == "/overview"
    assert query(page)["lang"] == ["en"] and query(page)["units"] == [UNIT]

    page.goto(f"{fresh.url}/overview?units={UNIT}")  # typed again once the server has served a page
    expect(page.get_by_role("heading", level=1, name="Tổng quan")).to_be_visible()
    settle(page)
    no_page_not_found(page)
    assert urlparse(page.url).path == "/overview" and query(page)["units"] == [UNIT]

    page.goto(fresh.url)  # the bare root: the overview in Vietnamese, listed as the current page
    expect(page.get_by_role("heading", level=1, name="Tổng quan")).to_be_visible()
    settle(page)
    no_page_not_found(page)
    assert urlparse(page.url).path == "/overview"
    current = page.locator('[data-testid="stSidebarNav"] a[aria-current="page"]')
    expect(current).to_have_text(re.compile("Tổng quan"))
