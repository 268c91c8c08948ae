"""The production look (issue 16 item 6): the draft's report kinds fit a 1280 px screen. That nothing leaves
the server and that axe-core finds no serious or critical fault of the application's own markup are checked
on the walk over every page in test_pages_open_directly_browser.py (one walk for both)."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from commstats.i18n import t
from commstats.narrative.choices import KINDS
from tests.browser.conftest import Dashboard, settle


def test_every_report_kind_is_visible_at_1280(page: Page, dashboard: Dashboard) -> None:
    """Each option of "Loại báo cáo" lies inside the window and inside its control's scrolling strip (a
    segmented control in a narrow column cut "9 tháng" and "Năm" off, reachable only by scrolling)."""
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{dashboard.url}/draft")
    settle(page)
    control = page.locator('[data-testid="stElementContainer"]').filter(has_text=t("draft_kind", "vi")).last
    strip = control.locator('[data-testid="stButtonGroup"] > div').first
    expect(strip).to_be_visible()
    clip = strip.bounding_box()
    assert clip is not None
    for kind in KINDS:
        option = strip.get_by_text(t("draft_kind_" + kind, "vi"), exact=True)
        expect(option).to_be_visible()
        box = option.bounding_box()
        assert box is not None, kind
        assert box["x"] >= 0 and box["x"] + box["width"] <= 1280, (kind, box)
        assert box["y"] >= 0 and box["y"] + box["height"] <= 800, (kind, box)
        assert clip["x"] <= box["x"] and box["x"] + box["width"] <= clip["x"] + clip["width"] + 0.5, (kind, box, clip)
