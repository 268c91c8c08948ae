"""The overview page on the demo database and on an empty one, checked against the database."""

from __future__ import annotations

import datetime as dt

from commstats import queries
from commstats.db import make_engine
from commstats.numbers import format_count
from tests.apptest import run_page


def test_overview_shows_latest_month_against_database(demo_url, monkeypatch):
    app = run_page(demo_url, monkeypatch)
    assert not app.exception
    engine = make_engine(demo_url)
    # The default unit is the survivor of the 2025 merger; its history includes travinh-demo's.
    assert app.session_state["units"] == ["vinhlong-demo"]
    ids = queries.unit_ids_with_predecessors(engine, ["vinhlong-demo"])
    assert len(ids) == 2
    latest = queries.latest_month(engine, ids)
    assert latest == dt.date(2026, 10, 1)
    now = queries.period_values(engine, ids, ["portal_posts", "sites_count"], [latest])
    assert now[("portal_posts", "")] > queries.period_values(engine, ids[:1], ["portal_posts"], [latest]).get(
        ("portal_posts", ""), 0
    )
    before = queries.period_values(engine, ids, ["portal_posts"], [dt.date(2026, 9, 1)])
    cards = {m.label: m for m in app.metric}
    posts = cards["Tin, bài đăng trên Cổng thông tin điện tử (tin, bài)"]
    assert posts.value == format_count(now[("portal_posts", "")])
    change = now[("portal_posts", "")] - before[("portal_posts", "")]
    assert posts.delta == ("+" if change > 0 else "") + format_count(change)
    assert cards["Số trang tin thành phần (trang)"].value == format_count(now[("sites_count", "")])
    assert any("tháng 10/2026" in c.value for c in app.caption)
    assert any("Dữ liệu mẫu" in i.value for i in app.sidebar.info)


def test_overview_in_english(demo_url, monkeypatch):
    app = run_page(demo_url, monkeypatch, lang="en")
    assert not app.exception
    labels = [m.label for m in app.metric]
    assert "Posts on the web portal (posts)" in labels
    assert any("October 2026" in c.value for c in app.caption)


def test_overview_on_empty_database_shows_guided_empty_state(empty_url, monkeypatch):
    app = run_page(empty_url, monkeypatch)
    assert not app.exception
    assert len(app.metric) == 0
    assert any("Chưa có số liệu" in s.value for s in app.subheader)
    assert any("python -m commstats import" in m.value for m in app.markdown)
