"""The overview page on the demo database and on an empty one, checked against the database."""

from __future__ import annotations

import datetime as dt

from commstats import queries
from commstats.db import make_engine
from commstats.numbers import format_count, format_percent
from tests.apptest import run_page
from tests.pagecheck import chosen_ids


def test_overview_shows_latest_month_against_database(demo_url, monkeypatch):
    app = run_page(demo_url, monkeypatch)
    assert not app.exception
    engine = make_engine(demo_url)
    ids = chosen_ids(app, engine)
    assert app.session_state["selection"].unit_codes == ("vinhlong-demo",)  # the survivor, with Trà Vinh
    latest = queries.latest_month(engine, ids)
    assert latest == dt.date(2026, 10, 1)
    now = queries.period_values(engine, ids, ["portal_posts", "sites_count"], [latest])
    before = queries.period_values(engine, ids, ["portal_posts"], [dt.date(2026, 9, 1)])
    last_year = queries.period_values(engine, ids, ["portal_posts"], [dt.date(2025, 10, 1)])
    cards = {m.label: m for m in app.metric}
    posts = cards["Tin, bài đăng trên Cổng thông tin điện tử (tin, bài)"]
    assert posts.value == format_count(now[("portal_posts", "")])
    change = now[("portal_posts", "")] - before[("portal_posts", "")]
    assert posts.delta == ("+" if change > 0 else "") + format_count(change)
    assert cards["Số trang tin thành phần (trang)"].value == "43"
    yoy = last_year[("portal_posts", "")]
    share = 100 * (now[("portal_posts", "")] - yoy) / yoy
    expected_yoy = f"Cùng kỳ năm trước: {format_count(yoy)} ({'+' if share > 0 else ''}{format_percent(share)})"
    ytd = queries.period_values(engine, ids, ["portal_posts"], [dt.date(2026, m, 1) for m in range(1, 11)])
    target = queries.targets(engine, ids, 2026)["portal_posts"]
    footnote = next(c.value for c in app.caption if c.value.startswith(expected_yoy))
    assert f"Lũy kế từ đầu năm: {format_count(ytd[('portal_posts', '')])}" in footnote
    assert f"đạt {format_percent(100 * ytd[('portal_posts', '')] / target)} kế hoạch năm ({format_count(target)})" in (
        footnote
    )
    assert any("tháng 10/2026" in c.value for c in app.caption)
    assert any("Dữ liệu mẫu" in i.value for i in app.sidebar.info)


def test_month_picker_shows_the_seed_month_of_the_merged_history(demo_url, monkeypatch):
    app = run_page(demo_url, monkeypatch, range=(dt.date(2019, 1, 1), dt.date(2019, 12, 1)))
    app.selectbox(key="overview_month").set_value(dt.date(2019, 7, 1)).run()
    assert not app.exception
    cards = {m.label: m.value for m in app.metric}
    assert cards["Tin, bài đăng trên Cổng thông tin điện tử (tin, bài)"] == "70"  # 33 + 23 + 14 of the seed report
    assert cards["Tin đăng trên trang tin thành phần (tin)"] == "488"
    assert cards["Giấy phép xuất bản tài liệu không kinh doanh (giấy phép)"] == "14"
    assert any("tháng 7/2019" in c.value for c in app.caption)


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
