"""The component sites page on a phone (390 × 844, a phone's User-Agent): the heatmap switches to its phone
layout (few months, upright labels of a readable size that do not overlap) and nothing forces the page to scroll
sideways."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from commstats.charts import PHONE_MONTHS
from commstats.i18n import t
from tests.browser.conftest import Dashboard, drawn, settle, track

PHONE_UA = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 "
    "Mobile Safari/537.36"
)
WIDTH = 390

# The heatmap's tick labels as drawn: their boxes and font sizes (plotly draws them as SVG text).
TICKS_JS = """() => {
  const plots = [...document.querySelectorAll('.js-plotly-plot')];
  const heat = plots.find(gd => gd.data && gd.data[0] && gd.data[0].type === 'heatmap');
  if (!heat) return null;
  const boxes = sel => [...heat.querySelectorAll(sel)].map(el => {
    const r = el.getBoundingClientRect();
    return {left: r.left, right: r.right, top: r.top, bottom: r.bottom,
            size: parseFloat(getComputedStyle(el).fontSize), text: el.textContent};
  });
  const plot = heat.getBoundingClientRect();
  return {x: boxes('.xtick text'), y: boxes('.ytick text'), right: plot.right, left: plot.left,
          columns: heat.data[0].x.length};
}"""


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(
        viewport={"width": WIDTH, "height": 844}, user_agent=PHONE_UA, is_mobile=True, has_touch=True, locale="vi-VN"
    )
    context.set_default_timeout(60_000)
    tab = track(context.new_page())
    yield tab
    context.close()


def _apart(boxes: list[dict[str, Any]], low: str, high: str) -> None:
    ordered = sorted(boxes, key=lambda b: b[low])
    for first, second in pairwise(ordered):
        assert first[high] <= second[low] + 0.5, (first, second)


def test_sites_heatmap_and_tables_fit_a_phone(phone: Page, dashboard: Dashboard, screenshots: Path) -> None:
    phone.goto(f"{dashboard.url}/sites")
    expect(phone.get_by_role("heading", level=1, name=t("nav_sites", "vi"), exact=True)).to_be_visible()
    settle(phone)
    assert phone.locator('[data-testid="stException"]').count() == 0
    toggle = phone.get_by_role("switch", name=t("phone_view", "vi"))
    expect(toggle).to_be_checked()  # the phone's User-Agent turned the phone view on
    expect(phone.get_by_text(t("sites_heatmap_phone", "vi", months=PHONE_MONTHS))).to_be_visible()
    phone.locator(".js-plotly-plot").nth(1).scroll_into_view_if_needed()
    drawn(phone)  # plotly draws after the script run
    ticks = phone.evaluate(TICKS_JS)
    assert ticks is not None, "no heatmap on the page"
    assert len(ticks["x"]) == ticks["columns"] == PHONE_MONTHS  # every month shown is labelled
    assert len(ticks["y"]) >= 40  # every site keeps its row
    assert min(b["size"] for b in ticks["x"] + ticks["y"]) >= 12
    _apart(ticks["x"], "left", "right")  # month labels side by side, none over another
    _apart(ticks["y"], "top", "bottom")  # site names one under another
    assert ticks["left"] >= 0 and ticks["right"] <= WIDTH
    assert all(b["left"] >= 0 and b["right"] <= WIDTH for b in ticks["x"] + ticks["y"])
    # No table (nor anything else) makes the page wider than the phone: tables scroll inside their own box.
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= WIDTH
    for table in phone.locator('[data-testid="stDataFrame"]').all():
        box = table.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= WIDTH
    phone.screenshot(path=str(screenshots / "sites-phone.png"), full_page=True)
    phone.get_by_text(t("sites_heatmap_phone", "vi", months=PHONE_MONTHS)).evaluate(
        "el => el.scrollIntoView({block: 'start'})"
    )
    drawn(phone)  # scrolled and painted
    phone.screenshot(path=str(screenshots / "sites-phone-heatmap.png"))  # what the phone shows there
    phone.locator('[data-testid="stDataFrame"]').first.screenshot(path=str(screenshots / "sites-phone-table.png"))

    toggle.click(force=True)  # the whole range again, as on a wide screen
    drawn(phone)
    # plotly takes the new figure after the run: wait for the heatmap to hold more months than the phone's
    phone.wait_for_function(f"() => ({{ columns: 0, ...({TICKS_JS})() }}).columns > {PHONE_MONTHS}", timeout=60_000)
    wide = phone.evaluate(TICKS_JS)
    assert wide is not None and wide["columns"] > PHONE_MONTHS
