"""The dashboard in headless Chromium: every page renders its figures, the language switch survives page
changes, and the CSV downloaded from the export page is the database's figures, byte for byte sound.
Screenshots of every page go to test-output/screenshots/ (overview and trends also to docs/screenshots/)."""

from __future__ import annotations

import csv
import io
import re
import shutil
from pathlib import Path

import pytest
import streamlit
from playwright.sync_api import Page, expect

from commstats import queries
from commstats.db import make_engine
from commstats.export import header
from commstats.numbers import format_count, grid_count_format
from commstats.periods import add_months
from tests.browser.conftest import Dashboard, drawn, settle

pytestmark = pytest.mark.browser

# url path, Vietnamese title, English title, a text each page must show once its figures are drawn
PAGES = [
    ("", "Tổng quan", "Overview", "Tin, bài đăng trên Cổng thông tin điện tử (tin, bài)"),
    ("trends", "Xu hướng", "Trends", "Theo thời gian"),
    ("sites", "Trang tin thành phần", "Component sites", "Trang tin cần chú ý"),
    ("licences", "Xuất bản, in", "Publishing and printing", "Tổng theo năm"),
    ("explore", "Dữ liệu & xuất", "Explore & export", "Tải CSV"),
    ("quality", "Chất lượng dữ liệu", "Data quality", "Nhật ký nhập số liệu"),
]
DOCS_SCREENSHOTS = {"": "overview.png", "trends": "trends.png"}


def open_page(page: Page, dashboard: Dashboard, path: str, title: str) -> None:
    page.goto(f"{dashboard.url}/{path}")
    expect(page.get_by_role("heading", level=1, name=title)).to_be_visible()
    settle(page)


def full_screenshot(page: Page, target) -> None:  # type: ignore[no-untyped-def]
    """The whole page: Streamlit scrolls inside its main block, so grow the viewport to its height."""
    height = page.evaluate("document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    page.set_viewport_size({"width": 1440, "height": min(max(900, int(height)), 6000)})
    drawn(page)  # laid out again at that height
    page.screenshot(path=str(target))
    page.set_viewport_size({"width": 1440, "height": 1000})


def nav_link(page: Page, title: str):  # type: ignore[no-untyped-def]
    return page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=title, exact=True)


@pytest.mark.parametrize(("path", "title_vi", "title_en", "marker"), PAGES, ids=[p[0] or "overview" for p in PAGES])
def test_every_page_renders_in_vietnamese(
    page: Page, dashboard: Dashboard, screenshots, path, title_vi, title_en, marker
) -> None:
    open_page(page, dashboard, path, title_vi)
    expect(page.get_by_text(marker, exact=True).first).to_be_visible()
    expect(page.get_by_text("Dữ liệu mẫu (demo)", exact=False).first).to_be_visible()
    assert page.locator('[data-testid="stException"]').count() == 0
    if path in ("trends", "sites", "licences"):
        expect(page.locator(".js-plotly-plot").first).to_be_visible()
    drawn(page)  # sparklines and plotly draw after the script run
    name = DOCS_SCREENSHOTS.get(path, f"{path}.png")
    target = screenshots / name
    full_screenshot(page, target)
    assert target.stat().st_size > 10_000
    if path in DOCS_SCREENSHOTS:
        docs = screenshots.parent.parent / "docs" / "screenshots"
        docs.mkdir(parents=True, exist_ok=True)
        shutil.copy(target, docs / name)


def test_language_switch_renames_the_navigation_and_survives_page_changes(
    page: Page, dashboard: Dashboard, screenshots
) -> None:
    open_page(page, dashboard, "trends", "Xu hướng")
    for _, title_vi, _, _ in PAGES:
        expect(nav_link(page, title_vi)).to_be_visible()
    page.get_by_text("Quý", exact=True).click()
    expect(page.locator(".js-plotly-plot").first.get_by_text("Quý III/2025")).to_be_visible()
    settle(page)
    page.locator('[data-testid="stSidebar"]').get_by_text("English", exact=True).click()
    expect(page.get_by_role("heading", level=1, name="Trends")).to_be_visible()
    settle(page)
    # choices made before the switch are kept: the quarterly chart, the unit
    expect(page.locator(".js-plotly-plot").first.get_by_text("Q3 2025")).to_be_visible()
    expect(page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]')).to_contain_text("Vinh Long")
    nav_link(page, "Overview").click()
    expect(page.get_by_role("heading", level=1, name="Overview")).to_be_visible()
    settle(page)
    for _, _, title_en, _ in PAGES:
        expect(nav_link(page, title_en)).to_be_visible()
    expect(page.get_by_text("Posts on the web portal (posts)", exact=True).first).to_be_visible()
    for path, _, title_en, _ in PAGES[1:]:
        nav_link(page, title_en).click()
        expect(page.get_by_role("heading", level=1, name=title_en)).to_be_visible()
        settle(page)
        assert page.url.split("?")[0].endswith(f"/{path}")  # the query holds the view (ui/state.py)
        expect(page.get_by_text("Demo data — not the unit's real figures.")).to_be_visible()
        assert page.locator('[data-testid="stException"]').count() == 0
    full_screenshot(page, screenshots / "quality-en.png")
    nav_link(page, "Trends").click()
    expect(page.get_by_role("heading", level=1, name="Trends")).to_be_visible()
    settle(page)
    expect(page.get_by_role("tab", name="Year over year")).to_be_visible()


def test_csv_download_is_the_databases_rows_with_bom_and_vietnamese_intact(
    page: Page, dashboard: Dashboard, screenshots
) -> None:
    open_page(page, dashboard, "explore", "Dữ liệu & xuất")
    engine = make_engine(dashboard.database_url)
    last = queries.latest_month(engine, queries.unit_ids_with_predecessors(engine, ["vinhlong-demo"]))
    assert last is not None
    expected = queries.observations_for_export(
        engine, start=add_months(last, -23), end=last, unit_codes=["travinh-demo", "vinhlong-demo"]
    )
    shown = page.get_by_text(re.compile(r"^[\d.]+ dòng · "))
    expect(shown).to_be_visible()
    assert shown.inner_text().split(" ")[0].replace(".", "") == str(len(expected))
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Tải CSV").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    data = download.path().read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    # In Vietnamese the page offers ";" first, the separator Excel expects under Vietnamese regional settings.
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == [header(c, "vi") for c in queries.EXPORT_COLUMNS]
    assert len(rows) - 1 == len(expected) > 1000
    assert "Sở Thông tin và Truyền thông Trà Vinh (dữ liệu mẫu)" in {r[1] for r in rows[1:]}
    assert "Sở Khoa học và Công nghệ Vĩnh Long (dữ liệu mẫu)" in {r[1] for r in rows[1:]}
    assert "tiếng Khmer" in {r[7] for r in rows[1:]}
    assert [int(r[8]) for r in rows[1:]] == expected["value"].tolist()
    assert rows[0][-2:] == ["Loại kỳ", "Ước tính"]  # each figure's grain and estimate, as the importer reads them
    assert [r[-2:] for r in rows[1:]] == expected[["grain", "estimated"]].values.tolist()
    assert {r[-2] for r in rows[1:]} <= {"tháng", "quý", "6 tháng", "9 tháng", "năm"}
    assert "\r\n" in data.decode("utf-8-sig")


def test_the_grid_shows_counts_in_the_languages_number_style(page: Page, dashboard: Dashboard) -> None:
    """The explore grid is formatted in the browser (no Styler pass over every cell on the server): the
    format the page sends, run through the dashboard's own number formatter, gives babel's text."""
    open_page(page, dashboard, "explore", "Dữ liệu & xuất")
    bundles = sorted((Path(streamlit.__file__).parent / "static" / "static" / "js").glob("formatNumber.*.js"))
    assert len(bundles) == 1, bundles  # the formatter the data grid imports (pinned Streamlit version)
    formatted = page.evaluate(
        """async ([url, formats, values]) => {
            const { n: formatNumber } = await import(url);
            return formats.map(format => values.map(value => formatNumber(value, format)));
        }""",
        [
            f"{dashboard.url}/static/js/{bundles[0].name}",
            [grid_count_format("vi"), grid_count_format("en")],
            [2682057, 488, -12345, 0],
        ],
    )
    for lang, texts in zip(["vi", "en"], formatted, strict=True):
        assert texts == [format_count(v, lang) for v in [2682057, 488, -12345, 0]]
    assert formatted[0][0] == "2.682.057" and formatted[1][0] == "2,682,057"
