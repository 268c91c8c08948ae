"""A password sign-in survives a reload (a signed, expiring cookie naming a server-side session), and signing
out ends it, in this browser and in any other that holds a copy of the cookie, in Chromium. An analyst
downloads every table of the draft's sources, quality, sites and licences pages through the project's own
CSV/XLSX buttons (';' by default, formulas neutralised); a viewer gets no download control at all."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import Browser, Cookie, Page, expect

from commstats import auth, queries
from commstats.db import make_engine
from etl.pipeline import import_content
from tests.browser.conftest import Dashboard, demo_copy, serve, settle, track, wait_until
from tests.conftest import sqlite_url

pytestmark = pytest.mark.browser
PASSWORD = "mat-khau-giu-phien-2019"
FORMULA = '=HYPERLINK("http://evil.example","Bấm vào")'  # who "imported" a batch: shown on the quality page
ANALYSIS_PAGES = (
    ("Soạn báo cáo", "draft"),
    ("Chất lượng dữ liệu", "quality"),
    ("Trang tin thành phần", "sites"),
    ("Xuất bản, in", "licences"),
)


@pytest.fixture(scope="module")
def secured(demo_db_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dashboard]:
    folder = tmp_path_factory.mktemp("kept")
    database = demo_copy(demo_db_template, folder)
    engine = make_engine(sqlite_url(database))
    last = queries.latest_month(engine, queries.unit_ids_with_predecessors(engine, ["vinhlong-demo"]))
    assert last is not None  # the unit the dashboard opens on
    rows = f"period,metric,member,value,unit\n{last:%Y-%m},sites_posts,formula-site,5,vinhlong-demo\n"
    assert import_content(engine, rows.encode(), "bo-sung.csv", created_by=FORMULA).ok
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


def session_cookies(page: Page, present: bool = True) -> list[Cookie]:
    """The session cookie once it is written (by the run after the sign-in) or, `present=False`, cleared."""

    def cookies() -> list[Cookie]:
        return [c for c in page.context.cookies() if c["name"] == "commstats_session"]

    wait_until(page, lambda: bool(cookies()) == present, lambda: f"the session cookie {present=}: {cookies()}")
    return cookies()


def test_a_password_sign_in_survives_a_reload_until_signed_out(page: Page, secured: Dashboard) -> None:
    sign_in(page, secured, "analyst")
    [cookie] = session_cookies(page)
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
    assert not session_cookies(page, present=False)
    page.reload()
    settle(page)
    assert page.get_by_text("Đã đăng nhập", exact=False).count() == 0


def test_a_forged_or_altered_cookie_signs_nobody_in(page: Page, secured: Dashboard) -> None:
    sign_in(page, secured, "viewer")
    [cookie] = session_cookies(page)
    page.context.clear_cookies()
    forged = {**cookie, "value": cookie["value"].replace("viewer.", "analyst.", 1)}
    page.context.add_cookies([forged])  # type: ignore[list-item]
    page.goto(secured.url)
    settle(page)
    assert page.get_by_text("Đã đăng nhập", exact=False).count() == 0


def test_signing_out_ends_a_copy_of_the_cookie_in_another_browser(
    page: Page, browser: Browser, secured: Dashboard
) -> None:
    sign_in(page, secured, "analyst")
    [cookie] = session_cookies(page)
    other = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="vi-VN")
    try:
        other.add_cookies([cookie])  # type: ignore[list-item]
        copy = track(other.new_page())
        copy.goto(f"{secured.url}/explore")
        expect(copy.get_by_role("heading", level=1, name="Dữ liệu & xuất")).to_be_visible()
        settle(copy)
        expect(copy.get_by_text("Đã đăng nhập: Analyst", exact=False).first).to_be_visible()  # the copy works
        page.goto(f"{secured.url}/account")
        settle(page)
        page.get_by_role("button", name=re.compile("Đăng xuất")).click()  # signed out in the first browser
        settle(page)
        copy.reload()
        expect(copy.get_by_role("heading", level=1, name="Dữ liệu & xuất")).to_be_visible()
        settle(copy)
        assert copy.get_by_text("Đã đăng nhập", exact=False).count() == 0  # the copy is signed out too
        assert copy.get_by_role("button", name="Tải CSV").count() == 0
    finally:
        other.close()


def test_an_analyst_downloads_every_table_of_the_analysis_pages(page: Page, secured: Dashboard) -> None:
    sign_in(page, secured, "analyst")
    for title, path in ANALYSIS_PAGES:
        page.goto(f"{secured.url}/{path}")
        expect(page.get_by_role("heading", level=1, name=title)).to_be_visible()
        settle(page)  # a table in an expander is drawn too: settle waits for every table's code to load
        tables = page.locator('[data-testid="stDataFrame"]').count()
        assert tables >= 1, path
        assert page.get_by_role("button", name="Tải CSV", exact=True).count() == tables, path
        assert page.get_by_role("button", name="Tải Excel (XLSX)", exact=True).count() == tables, path
    page.goto(f"{secured.url}/quality")
    settle(page)
    with page.expect_download() as caught:
        page.locator(".st-key-quality_batches_csv").get_by_role("button", name="Tải CSV").click()
    download = caught.value
    assert download.suggested_filename.startswith("commstats-quality-batches-")
    text = Path(download.path()).read_bytes().decode("utf-8-sig")
    header = text.splitlines()[0]
    assert header.startswith("Lô;") and "," not in header  # the Vietnamese default: ';'
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    by = rows[0].index("Người nhập")
    cells = [row[by] for row in rows[1:]]
    assert "'" + FORMULA in cells and FORMULA not in cells  # the formula is text in Excel
    # Figures the page shows as "1.234" reach the spreadsheet as numbers it can add up.
    page.goto(f"{secured.url}/licences")
    settle(page)
    with page.expect_download() as caught:
        page.locator(".st-key-licences_years_xlsx").get_by_role("button", name="Tải Excel (XLSX)").click()
    sheet = openpyxl.load_workbook(io.BytesIO(Path(caught.value.path()).read_bytes())).active
    assert sheet is not None
    figures = [cell for row in sheet.iter_rows(min_row=2, min_col=2) for cell in row if cell.value is not None]
    assert figures and all(isinstance(cell.value, int) for cell in figures)


def test_a_viewer_has_no_download_control_on_any_table(page: Page, secured: Dashboard) -> None:
    sign_in(page, secured, "viewer")
    for title, path in (("Dữ liệu & xuất", "explore"), *ANALYSIS_PAGES):
        page.goto(f"{secured.url}/{path}")
        expect(page.get_by_role("heading", level=1, name=title)).to_be_visible()
        settle(page)
        expect(page.get_by_text("Đã đăng nhập: Viewer", exact=False).first).to_be_visible()  # kept by the cookie
        assert page.get_by_role("button", name=re.compile("Tải")).count() == 0  # no export buttons for a viewer
        assert page.locator('[data-testid="stDownloadButton"]').count() == 0, title
        page.locator('[data-testid="stDataFrame"]').first.hover()
        toolbar = page.locator('[data-testid="stElementToolbar"]').first
        expect(toolbar).to_be_visible()
        assert toolbar.get_by_role("button", name=re.compile("Download", re.IGNORECASE)).count() == 0, title
