"""Names are data, never markup, in a real browser: unit, section, metric and site names and notes holding
Markdown images, `javascript:` links, HTML and spreadsheet formulas (stored straight in the database, where
names may hold any text) are shown literally on every page that shows them, and no request ever leaves for
the address they point at (each request of the page is recorded)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Dialog, Page, Request, expect
from sqlalchemy import select, update

from commstats import auth, queries
from commstats.db import make_engine, writer
from commstats.models import Member, Metric, Observation, Section, Unit
from tests.browser.conftest import Dashboard, drawn, serve
from tests.conftest import sqlite_url

TRAP = "127.0.0.1:1"  # nothing listens there: any request to it is the bug, whether it fails or not
IMAGE = f"![x](http://{TRAP}/x.png)"
LINK = "[a](javascript:alert(1))"
HTML = "<img src=x onerror=alert(1)>"
FORMULA = f'=HYPERLINK("http://{TRAP}","x")'
HOSTILE = (IMAGE, LINK, HTML, FORMULA)
UNIT_NAME = f"Sở {IMAGE} Vĩnh Long"
PREDECESSOR_NAME = f"Sở {LINK} Trà Vinh"
SECTION_NAME = f"Trang {IMAGE} thành phần"
METRIC_NAME = f"Tin {HTML} đã đăng"
PAGES = [
    ("", "Tổng quan"),
    ("trends", "Xu hướng"),
    ("sites", "Trang tin thành phần"),
    ("explore", "Dữ liệu & xuất"),
    ("quality", "Chất lượng dữ liệu"),
    ("draft", "Soạn báo cáo"),
]


def _hostile_names(template: Path, folder: Path) -> str:
    """A demo copy whose names and notes are all hostile: written directly, as any text may be a name."""
    database = folder / "names.db"
    shutil.copy(template, database)
    url = sqlite_url(database)
    engine = make_engine(url)
    sites_posts = next(m for m in queries.metrics(engine) if m.code == "sites_posts")
    with writer(engine).begin() as conn:
        conn.execute(update(Unit).where(Unit.code == "vinhlong-demo").values(name_vi=UNIT_NAME, name_en=UNIT_NAME))
        conn.execute(
            update(Unit).where(Unit.code == "travinh-demo").values(name_vi=PREDECESSOR_NAME, name_en=PREDECESSOR_NAME)
        )
        conn.execute(update(Section).where(Section.code == sites_posts.section_code).values(name_vi=SECTION_NAME))
        conn.execute(update(Metric).where(Metric.code == "sites_posts").values(name_vi=METRIC_NAME))
        sites = conn.execute(select(Member.id).where(Member.dimension == "site", Member.code != "")).scalars()
        for index, member_id in enumerate(sites):
            name = f"{HOSTILE[index % len(HOSTILE)]} #{index}"
            conn.execute(update(Member).where(Member.id == member_id).values(name_vi=name, name_en=name))
        conn.execute(update(Observation).values(note=IMAGE))
    engine.dispose()
    return url


@pytest.fixture(scope="module")
def named(demo_db_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dashboard]:
    folder = tmp_path_factory.mktemp("names")
    url = _hostile_names(demo_db_template, folder)
    with serve(url, folder, **{auth.AUTH_ENV: "off"}) as running:
        yield running


@pytest.fixture
def watched(page: Page) -> Iterator[tuple[Page, list[str]]]:
    """The page with every request and dialog recorded; a request to the trap or a dialog fails the test."""
    requests: list[str] = []
    dialogs: list[str] = []

    def on_dialog(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    def on_request(request: Request) -> None:
        requests.append(request.url)

    page.on("request", on_request)
    page.on("dialog", on_dialog)
    yield page, requests
    assert not [u for u in requests if TRAP in u], "a stored name made the browser fetch a URL"
    assert not dialogs, f"a stored name ran a script: {dialogs}"


def no_markup(page: Page) -> None:
    """Nothing a name could have become: no image, no javascript: link, no element with a handler."""
    assert page.locator(f'img[src*="{TRAP}"], img[src="x"], a[href^="javascript:"], [onerror]').count() == 0


@pytest.mark.parametrize(("path", "title"), PAGES)
def test_hostile_names_are_shown_literally_and_fetch_nothing(watched, named: Dashboard, path: str, title: str):
    page, requests = watched
    page.goto(f"{named.url}/{path}")
    expect(page.get_by_role("heading", level=1, name=title)).to_be_visible()
    drawn(page)  # the charts and tables too: names are in their labels and cells
    assert requests, "the recorder saw the page's own requests"
    # The unit's name with its Markdown image is in the caption under every title, character for character.
    expect(page.get_by_text(UNIT_NAME, exact=False).first).to_be_visible()
    no_markup(page)


def test_site_names_in_captions_and_charts_are_literal(watched, named: Dashboard):
    page, _requests = watched
    page.goto(f"{named.url}/sites")
    expect(page.get_by_role("heading", level=1, name="Trang tin thành phần")).to_be_visible()
    drawn(page)  # the charts and tables too: names are in their labels and cells
    # Every hostile name is a label of the ranking or heatmap (plotly SVG text), shown as typed.
    for hostile in HOSTILE:
        expect(page.get_by_text(f"{hostile} #{HOSTILE.index(hostile)}", exact=True).first).to_be_visible()
    # The chosen site's caption (Markdown) holds its name literally.
    caption = page.locator('[data-testid="stCaptionContainer"]').filter(has_text=" #")
    expect(caption.first).to_be_visible()
    assert any(hostile in caption.first.inner_text() for hostile in HOSTILE)
    no_markup(page)


def test_section_metric_and_predecessor_names_are_literal(watched, named: Dashboard):
    page, _requests = watched
    page.goto(named.url)
    expect(page.get_by_role("heading", level=1, name="Tổng quan")).to_be_visible()
    drawn(page)  # the charts and tables too: names are in their labels and cells
    expect(page.get_by_role("heading", name=SECTION_NAME)).to_be_visible()  # st.subheader, Markdown
    expect(page.get_by_text(METRIC_NAME, exact=False).first).to_be_visible()  # st.metric label, Markdown
    expect(page.get_by_text(PREDECESSOR_NAME, exact=False).first).to_be_visible()  # merger caption
    no_markup(page)
    page.goto(f"{named.url}/draft")
    expect(page.get_by_role("heading", level=1, name="Soạn báo cáo")).to_be_visible()
    drawn(page)  # the charts and tables too: names are in their labels and cells
    expect(page.get_by_text(IMAGE, exact=False).first).to_be_visible()  # the draft's heading names the unit
    no_markup(page)
