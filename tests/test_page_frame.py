"""The shared frame in AppTest: default unit and merger notes, language and range honoured by every
page, titles in both languages, and the guided empty states (no figures; no schema at all).

AppTest reruns a multipage app's page file alone (Streamlit's legacy pages/ mode), so sidebar choices
are given as session state before the first run; clicking the sidebar itself is covered by the browser
tests in tests/browser/."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.apptest import run_page

PAGES = [
    "pages/overview.py",
    "pages/trends.py",
    "pages/sites.py",
    "pages/licences.py",
    "pages/explore.py",
    "pages/quality.py",
]
TITLES = {
    "pages/overview.py": ("Tổng quan", "Overview"),
    "pages/trends.py": ("Xu hướng", "Trends"),
    "pages/sites.py": ("Trang tin thành phần", "Component sites"),
    "pages/licences.py": ("Xuất bản, in", "Publishing and printing"),
    "pages/explore.py": ("Dữ liệu & xuất", "Explore & export"),
    "pages/quality.py": ("Chất lượng dữ liệu", "Data quality"),
}


def test_default_unit_is_the_surviving_unit_with_the_merged_history_noted(demo_url, monkeypatch):
    app = run_page(demo_url, monkeypatch)
    assert not app.exception
    assert app.multiselect(key="units").value == ["vinhlong-demo"]
    notes = [c.value for c in app.sidebar.caption]
    assert "Gồm cả số liệu của Sở Thông tin và Truyền thông Trà Vinh (dữ liệu mẫu) (hợp nhất từ 01/07/2025)." in notes
    assert any("Dữ liệu mẫu (demo)" in i.value for i in app.sidebar.info)
    assert app.select_slider(key="range").value == (dt.date(2024, 11, 1), dt.date(2026, 10, 1))
    assert app.caption[0].value == "Sở Khoa học và Công nghệ Vĩnh Long (dữ liệu mẫu) · 11/2024 – 10/2026"


def test_choosing_the_merged_unit_alone_points_to_its_successor(demo_url, monkeypatch):
    app = run_page(demo_url, monkeypatch, units=["travinh-demo"])
    assert not app.exception
    notes = " ".join(c.value for c in app.sidebar.caption)
    assert "đã hợp nhất vào Sở Khoa học và Công nghệ Vĩnh Long (dữ liệu mẫu) từ 01/07/2025" in notes
    assert app.caption[0].value.startswith("Sở Thông tin và Truyền thông Trà Vinh (dữ liệu mẫu) ·")


def test_units_can_be_combined_and_a_merger_inside_the_choice_is_noted(demo_url, monkeypatch):
    app = run_page(demo_url, monkeypatch, units=["travinh-demo", "vinhlong-demo"], lang="en")
    assert not app.exception
    assert app.multiselect(key="units").value == ["travinh-demo", "vinhlong-demo"]
    notes = [c.value for c in app.sidebar.caption]
    assert notes == [
        "Includes the figures of Tra Vinh Department of Information and Communications (demo data) "
        "(merged on 01/07/2025)."
    ]
    assert app.title[0].value == "Overview"


@pytest.mark.parametrize("page", PAGES)
def test_every_page_honours_the_chosen_language_and_range(demo_url, monkeypatch, page):
    """Language and range live in session state, which Streamlit keeps across page switches."""
    chosen = (dt.date(2025, 1, 1), dt.date(2025, 12, 1))
    app = run_page(demo_url, monkeypatch, page=page, lang="en", range=chosen)
    assert not app.exception
    assert app.title[0].value == TITLES[page][1]
    assert app.session_state["lang"] == "en"
    assert app.session_state["range"] == chosen
    assert app.caption[0].value.endswith("Jan 2025 – Dec 2025")
    vi = run_page(demo_url, monkeypatch, page=page, lang="vi", range=chosen)
    assert vi.title[0].value == TITLES[page][0]
    assert vi.caption[0].value.endswith("01/2025 – 12/2025")


@pytest.mark.parametrize("page", PAGES)
def test_every_page_on_an_empty_database_shows_the_guided_empty_state(empty_url, monkeypatch, page):
    app = run_page(empty_url, monkeypatch, page=page)
    assert not app.exception
    assert app.title[0].value == TITLES[page][0]
    assert [s.value for s in app.subheader] == ["Chưa có số liệu"]
    assert any("python -m commstats import" in m.value for m in app.markdown)
    assert len(app.get("plotly_chart")) == 0 and len(app.dataframe) == 0


@pytest.mark.parametrize("page", ["pages/overview.py", "pages/quality.py"])
def test_a_database_never_set_up_says_how_to_set_it_up(blank_url, monkeypatch, page):
    app = run_page(blank_url, monkeypatch, page=page, lang="en")
    assert not app.exception
    assert [s.value for s in app.subheader] == ["The database is not set up yet"]
    assert any("python -m commstats init --demo" in m.value for m in app.markdown)
