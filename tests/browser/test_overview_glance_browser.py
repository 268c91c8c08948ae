"""The overview reads in ten seconds, in Chromium, as a signed-in viewer (issue 16 item 7): a rise of late
dossiers is drawn in the bad colour with its arrow up, a rise of audio bulletins in the good one; every card
title is whole at 1280 px and no two read alike; the year to date against the annual target is a progress
bar at the right share; a metric not reported yet says "chưa báo cáo"; and the page opens on the latest
month every regular figure is in, not on a newer month still being reported.

The database is the demo with two changes imported: October 2026 with late dossiers and audio bulletins
both five above September, and November 2026 with audio bulletins only (the month being reported)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from commstats import auth, queries
from commstats.db import make_engine
from commstats.numbers import format_count, format_percent
from etl.pipeline import import_content
from tests.browser.conftest import Dashboard, demo_copy, serve, settle
from tests.browser.test_staff_pages_browser import PASSWORD, sign_in, signed_in
from tests.conftest import sqlite_url
from tests.importfiles import csv_text

pytestmark = pytest.mark.browser
UNIT = "vinhlong-demo"
SEPTEMBER, OCTOBER, NOVEMBER = dt.date(2026, 9, 1), dt.date(2026, 10, 1), dt.date(2026, 11, 1)
LATE = "Hồ sơ dịch vụ công trực tuyến giải quyết trễ hạn (hồ sơ)"  # better: lower in data/catalog.yaml
AUDIO = "Bản tin audio (thu và phát) (bản tin)"
POSTS = "Tin, bài đăng trên Cổng thông tin điện tử (tin, bài)"
RISE = 5
# st.metric's delta colours in the light theme: red for bad news, green for good.
RED, GREEN = "rgb(158, 48, 59)", "rgb(12, 90, 68)"


@pytest.fixture(scope="module")
def reporting(demo_db_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dashboard]:
    folder = tmp_path_factory.mktemp("glance")
    database = demo_copy(demo_db_template, folder)
    engine = make_engine(sqlite_url(database))
    ids = queries.unit_ids_with_predecessors(engine, [UNIT])
    september = queries.period_values(engine, ids, ["igate_late", "portal_audio"], [SEPTEMBER])
    rows = [
        ("2026-10", "igate_late", "", september[("igate_late", "")] + RISE),
        ("2026-10", "portal_audio", "", september[("portal_audio", "")] + RISE),
        ("2026-11", "portal_audio", "", 20),  # November is being reported: one figure in so far
    ]
    report = import_content(
        engine, csv_text(rows, ("period", "metric", "member", "value")).encode(), "t.csv", unit=UNIT
    )
    assert report.ok, report
    auth.create_user(engine, "viewer", PASSWORD, actor="test", display_name="Viewer", role="viewer", unit_code="*")
    engine.dispose()
    with serve(sqlite_url(database), folder, **{auth.AUTH_ENV: "on"}) as running:
        yield running


def card(page: Page, title: str) -> Locator:
    """The bordered card whose figure is labelled `title` (the label itself is hidden: the title above it)."""
    metric = page.locator('[data-testid="stMetric"]').filter(
        has=page.locator('[data-testid="stMetricLabel"]').get_by_text(title, exact=True)
    )
    expect(metric).to_have_count(1)
    return metric.locator("xpath=ancestor::div[@data-testid='stVerticalBlock'][1]")


def open_overview(page: Page, reporting: Dashboard) -> None:
    page.set_viewport_size({"width": 1280, "height": 1000})
    sign_in(page, reporting, "viewer")
    signed_in(page, "viewer")
    page.goto(reporting.url)
    expect(page.get_by_role("heading", level=1, name="Tổng quan")).to_be_visible()
    settle(page)
    expect(page.locator('[data-testid="stMetric"]').last).to_be_visible()  # the cards are drawn


def month_picker(page: Page) -> Locator:
    return page.locator('[data-testid="stMain"] [data-testid="stSelectbox"]').filter(has_text="Tháng báo cáo")


def test_the_overview_reads_at_a_glance(page: Page, reporting: Dashboard, screenshots: Path) -> None:
    open_overview(page, reporting)
    # It opens on October, the latest complete month, though November is in the list (being reported).
    expect(month_picker(page)).to_match_aria_snapshot('- combobox "Tháng báo cáo": tháng 10/2026')
    expect(page.get_by_text("tháng 10/2026", exact=False).first).to_be_visible()
    # A rise of late dossiers is bad news: red, arrow up; the same rise of audio bulletins is green.
    for title, colour in ((LATE, RED), (AUDIO, GREEN)):
        delta = card(page, title).locator('[data-testid="stMetricDelta"]')
        expect(delta).to_have_text(f"+{RISE}")
        expect(delta.locator('[data-testid="stMetricDeltaIcon-Up"]')).to_be_visible()
        expect(delta).to_have_css("color", colour)
    # A fall of posts, for contrast, is red with the arrow down (higher is better there).
    posts = card(page, POSTS).locator('[data-testid="stMetricDelta"]')
    if posts.locator('[data-testid="stMetricDeltaIcon-Down"]').count():
        expect(posts).to_have_css("color", RED)
    else:
        expect(posts).to_have_css("color", GREEN)
    page.screenshot(path=str(screenshots / "overview-glance-1280.png"), full_page=True)


def test_every_card_title_is_whole_and_unlike_the_others_at_1280_px(page: Page, reporting: Dashboard) -> None:
    open_overview(page, reporting)
    # Every card drawn before measuring (on a loaded machine the last sections arrive a moment later).
    page.wait_for_function("document.querySelectorAll('[data-testid=\"stMetric\"]').length > 20", timeout=60_000)
    found = page.evaluate(
        """() => {
            const shown = e => e.checkVisibility({visibilityProperty: true, opacityProperty: true});
            const cards = [...document.querySelectorAll('[data-testid="stMetric"]')].map(
                m => m.closest('[data-testid="stVerticalBlock"]'));
            // The card's title: the first text shown in the card, above the figure.
            const titles = cards.map(c => {
                const first = [...c.querySelectorAll('[data-testid="stMarkdownContainer"]')].find(shown);
                return first ? first.innerText.trim() : '';
            });
            // Any text the browser cuts short: wider than its box where the box clips it.
            const cut = [...document.querySelectorAll('[data-testid="stMain"] *')].filter(e => {
                if (!shown(e) || !e.innerText || e.children.length > 1) return false;
                const style = getComputedStyle(e);
                const clips = style.textOverflow === 'ellipsis' || style.overflow === 'hidden'
                    || style.overflowX === 'hidden';
                return clips && e.scrollWidth > e.clientWidth + 1;
            }).map(e => e.innerText.trim());
            return {titles, cut};
        }"""
    )
    titles, cut = found["titles"], found["cut"]
    assert len(titles) > 20 and all(titles), titles
    assert len(set(titles)) == len(titles), sorted(t for t in titles if titles.count(t) > 1)
    assert LATE in titles and "Hồ sơ dịch vụ công trực tuyến đến hạn chưa giải quyết (hồ sơ)" in titles
    assert not [text for text in cut if text in titles], cut  # a title cut short by the browser


def test_year_to_date_against_the_target_is_a_progress_bar(page: Page, reporting: Dashboard) -> None:
    engine = make_engine(reporting.database_url)
    ids = queries.unit_ids_with_predecessors(engine, [UNIT])
    ytd = sum(
        queries.period_values(engine, ids, ["portal_posts"], [dt.date(2026, m, 1) for m in range(1, 11)]).values()
    )
    target = queries.targets(engine, ids, 2026)["portal_posts"]
    engine.dispose()
    open_overview(page, reporting)
    bar = card(page, POSTS).locator('[data-testid="stProgress"]')
    share = 100 * ytd / target
    expect(bar).to_contain_text(
        f"Lũy kế từ đầu năm: {format_count(ytd)} — đạt {format_percent(share)} kế hoạch năm ({format_count(target)})"
    )
    expect(bar.get_by_role("progressbar")).to_have_attribute("aria-valuenow", str(min(100, round(share))))
    filled = bar.locator('[data-testid="stProgressBarTrack"] > div')
    assert f"translateX(-{100 - min(100, round(share))}%)" in (filled.get_attribute("style") or "")


def test_a_metric_not_reported_yet_says_so(page: Page, reporting: Dashboard) -> None:
    open_overview(page, reporting)
    month_picker(page).click()
    page.get_by_role("option", name="tháng 11/2026", exact=True).click()
    settle(page)
    expect(month_picker(page)).to_match_aria_snapshot('- combobox "Tháng báo cáo": tháng 11/2026')
    late = card(page, LATE)
    expect(late.locator('[data-testid="stMetricValue"]')).to_have_text("chưa báo cáo")
    expect(late.locator('[data-testid="stMetricDelta"]')).to_have_count(0)
    expect(card(page, AUDIO).locator('[data-testid="stMetricValue"]')).to_have_text("20")
