"""The overview page on the demo database and on an empty one, checked against the database."""

from __future__ import annotations

import datetime as dt

from commstats import overview, queries
from commstats.db import make_engine
from commstats.numbers import format_count, format_percent
from commstats.periods import Period
from etl.pipeline import import_content
from tests.apptest import run_page
from tests.importfiles import csv_text
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
    assert any(c.value.startswith(expected_yoy) for c in app.caption)
    # The year to date against the target is a progress bar, its text the figures.
    progress = [p.proto for p in app.get("progress")]
    share = ytd[("portal_posts", "")] / target
    posts_bar = next(
        p for p in progress if p.text.startswith(f"Lũy kế từ đầu năm: {format_count(ytd[('portal_posts', '')])}")
    )
    assert posts_bar.value == min(100, round(100 * share))
    assert f"đạt {format_percent(100 * share)} kế hoạch năm ({format_count(target)})" in posts_bar.text
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


def test_cards_read_at_a_glance(demo_url, monkeypatch):
    """Long titles are written out whole above the figure; a rise of late dossiers is red, of posts green."""
    app = run_page(demo_url, monkeypatch)
    assert not app.exception
    titles = {m.value for m in app.markdown}
    cards = {m.label: m for m in app.metric}
    for label, card in cards.items():
        assert "**" + label + "**" in titles
        assert card.proto.label_visibility.value == card.proto.label_visibility.COLLAPSED
    late = cards["Hồ sơ dịch vụ công trực tuyến giải quyết trễ hạn (hồ sơ)"].proto
    posts = cards["Tin, bài đăng trên Cổng thông tin điện tử (tin, bài)"].proto
    red, green = late.MetricColor.RED, late.MetricColor.GREEN
    for proto, rise in ((late, red), (posts, green)):
        up = not proto.delta.startswith("-")
        assert proto.color == (rise if up else ({red, green} - {rise}).pop()), proto.delta


def test_a_metric_not_reported_yet_says_so_and_the_page_opens_on_the_last_complete_month(empty_url, monkeypatch):
    engine = make_engine(empty_url)
    rows = [(f"2019-{m:02d}", "portal_posts", "vi", 10 * m) for m in range(1, 13)]
    rows += [(f"2019-{m:02d}", "igate_late", "", m) for m in range(1, 12)]  # December not reported yet
    assert import_content(engine, csv_text(rows, ("period", "metric", "member", "value")).encode(), "a.csv").ok
    ids = queries.unit_ids_with_predecessors(engine, ["test-unit"])
    months = [dt.date(2019, m, 1) for m in range(1, 13)]
    assert overview.latest_complete_month(engine, ids, months) == dt.date(2019, 11, 1)
    december = overview.overview_cards(engine, ids, Period("month", 2019, 12))
    late = next(c for cards in december.values() for c in cards if c.metric == "igate_late")
    assert (late.value, late.value_text, late.delta_text) == (None, "chưa báo cáo", None)
    assert late.delta_color == "inverse"
    app = run_page(empty_url, monkeypatch, range=(dt.date(2019, 1, 1), dt.date(2019, 12, 1)))
    assert not app.exception
    assert app.selectbox(key="overview_month").value == dt.date(2019, 11, 1)
    app.selectbox(key="overview_month").set_value(dt.date(2019, 12, 1)).run()
    assert {m.label: m.value for m in app.metric}[
        "Hồ sơ dịch vụ công trực tuyến giải quyết trễ hạn (hồ sơ)"
    ] == "chưa báo cáo"
    engine.dispose()
