"""Security in a real browser: sign-in with enforcement on, hostile names shown as text (a site called
`<img src=x onerror=alert(1)>` runs nothing: any dialog fails the test), and the CSV an analyst downloads
from the explore page has formula-leading cells neutralised with numbers kept numeric."""

from __future__ import annotations

import csv
import io
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Dialog, Page, expect
from sqlalchemy import update

from commstats import auth, queries
from commstats.db import make_engine, writer
from commstats.models import Member
from etl.pipeline import import_content
from tests.browser.conftest import Dashboard, drawn, serve, settle
from tests.conftest import sqlite_url

PASSWORD = "mat-khau-trinh-duyet-2019"
XSS_NAME = "<img src=x onerror=alert(1)>"
FORMULA_NAME = '=HYPERLINK("http://evil.example","Bấm vào")'
NOTE = "@SUM(1+1)"


def _hostile_database(template: Path, folder: Path) -> str:
    database = folder / "hostile.db"
    shutil.copy(template, database)
    url = sqlite_url(database)
    engine = make_engine(url)
    ids = queries.unit_ids_with_predecessors(engine, ["vinhlong-demo"])
    last = queries.latest_month(engine, ids)
    assert last is not None
    rows = (
        "period,metric,member,value,unit,note\n"
        f"{last:%Y-%m},sites_posts,xss-site,7,vinhlong-demo,{NOTE}\n"
        f"{last:%Y-%m},sites_posts,formula-site,5,vinhlong-demo,-2+3\n"
    )
    assert import_content(engine, rows.encode(), "hostile.csv", created_by="test").ok
    with writer(engine).begin() as conn:  # names come from the site list or a register, not from codes
        for code, name in (("xss-site", XSS_NAME), ("formula-site", FORMULA_NAME)):
            conn.execute(update(Member).where(Member.code == code).values(name_vi=name, name_en=name))
    auth.create_user(engine, "analyst", PASSWORD, actor="test", display_name="Phân tích viên")
    auth.grant(engine, "analyst", "analyst", None, actor="test")
    engine.dispose()
    return url


@pytest.fixture(scope="module")
def secured(demo_db_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dashboard]:
    """The dashboard with sign-in enforced (COMMSTATS_AUTH=on) over a demo copy with hostile names."""
    folder = tmp_path_factory.mktemp("secured")
    url = _hostile_database(demo_db_template, folder)
    with serve(url, folder, **{auth.AUTH_ENV: "on"}) as running:
        yield running


@pytest.fixture
def no_dialogs(page: Page) -> Iterator[list[str]]:
    """Fail the test if any script opens a dialog (alert, confirm, prompt)."""
    opened: list[str] = []

    def handle(dialog: Dialog) -> None:
        opened.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", handle)
    yield opened
    assert not opened, f"a script ran and opened a dialog: {opened}"


def nav(page: Page):  # type: ignore[no-untyped-def]
    return page.locator('[data-testid="stSidebarNav"]')


def sign_in(page: Page, secured: Dashboard, username: str, password: str) -> None:
    page.goto(f"{secured.url}/account")
    expect(page.get_by_role("heading", level=1, name="Tài khoản")).to_be_visible()
    settle(page)
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập", exact=True).click()
    settle(page)


def test_sign_in_in_the_browser(page: Page, secured: Dashboard, no_dialogs) -> None:
    page.goto(secured.url)
    expect(page.get_by_role("heading", level=1, name="Tổng quan")).to_be_visible()
    settle(page)
    expect(nav(page).get_by_role("link", name="Dữ liệu & xuất", exact=True)).to_be_visible()
    assert nav(page).get_by_role("link", name="Nhập tệp", exact=True).count() == 0  # anonymous: no import
    sign_in(page, secured, "analyst", "sai-mat-khau-123")
    expect(page.get_by_text("Sai tên đăng nhập hoặc mật khẩu", exact=False)).to_be_visible()
    sign_in(page, secured, "analyst", PASSWORD)
    expect(page.get_by_text("Đã đăng nhập: Phân tích viên", exact=False).first).to_be_visible()
    assert nav(page).get_by_role("link", name="Nhập tệp", exact=True).count() == 0  # analyst: still no import


def test_hostile_site_name_is_shown_as_text_and_runs_nothing(page: Page, secured: Dashboard, no_dialogs) -> None:
    page.goto(f"{secured.url}/sites")
    expect(page.get_by_role("heading", level=1, name="Trang tin thành phần")).to_be_visible()
    drawn(page)  # the charts too: the names are their labels
    # The name is on the page as text (chart labels), not as an element.
    shown = page.get_by_text(XSS_NAME, exact=True)
    expect(shown.first).to_be_visible()
    assert page.locator('img[src="x"]').count() == 0
    page.goto(f"{secured.url}/quality")
    settle(page)
    page.goto(f"{secured.url}/explore")
    expect(page.get_by_role("heading", level=1, name="Dữ liệu & xuất")).to_be_visible()
    drawn(page)
    expect(page.locator('[data-testid="stDataFrame"] table').first).to_be_attached()  # the cells' text is drawn
    # The dataframe is drawn on a canvas: search its cells through the grid's accessible text as well.
    body = page.content()
    assert "onerror=alert(1)" not in body.replace("&lt;img src=x onerror=alert(1)&gt;", "")
    assert page.locator('img[src="x"]').count() == 0
    assert page.evaluate("() => document.querySelectorAll('img[onerror]').length") == 0


def test_analyst_download_neutralises_formulas_and_keeps_numbers(page: Page, secured: Dashboard, no_dialogs) -> None:
    sign_in(page, secured, "analyst", PASSWORD)
    nav(page).get_by_role("link", name="Dữ liệu & xuất", exact=True).click()  # same session: still signed in
    expect(page.get_by_role("heading", level=1, name="Dữ liệu & xuất")).to_be_visible()
    settle(page)
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Tải CSV").click()
    text = download_info.value.path().read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))  # ";" first in Vietnamese (Excel's separator there)
    hostile = {r[6]: r for r in rows[1:] if r[6] in ("xss-site", "formula-site")}
    assert hostile["formula-site"][7] == "'" + FORMULA_NAME  # a quote keeps Excel from running it
    assert hostile["xss-site"][7] == XSS_NAME  # not a formula lead: kept as it is (escaped on screen)
    assert hostile["xss-site"][10] == "'" + NOTE and hostile["formula-site"][10] == "'-2+3"
    assert (hostile["xss-site"][8], hostile["formula-site"][8]) == ("7", "5")  # numbers stay numbers
    for row in rows:
        assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in row), row
