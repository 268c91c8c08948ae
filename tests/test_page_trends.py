"""Xu hướng in AppTest: the plotted values are the database's, by month, quarter and year; the merger
is marked; the breakdown is stacked by language; the year-over-year chart has a line per year."""

from __future__ import annotations

import datetime as dt

from commstats import queries
from commstats.db import make_engine
from commstats.periods import Period
from tests.apptest import run_page
from tests.pagecheck import chosen_ids, chosen_range, figures, ints

PAGE = "pages/trends.py"


def test_monthly_line_is_the_database_with_the_merger_marked(demo_url, monkeypatch):
    app = run_page(demo_url, monkeypatch, page=PAGE)
    assert not app.exception
    engine = make_engine(demo_url)
    ids = chosen_ids(app, engine)
    start, end = chosen_range(app)
    monthly = queries.monthly_totals(engine, ids, ["portal_posts"], start, end)
    time_chart, breakdown, yoy = figures(app)
    trace = time_chart.data[0]
    assert trace.name == "Tin, bài đăng trên Cổng thông tin điện tử"
    assert ints(trace.y) == monthly["value"].tolist()
    assert [str(x)[:10] for x in trace.x] == [f"{p:%Y-%m-%d}" for p in monthly["period"]]
    july = monthly.loc[monthly["period"] == dt.date(2025, 7, 1), "value"].iloc[0]
    assert list(trace.customdata[8]) == ["tháng 7/2025", f"{july} tin, bài"]
    assert [str(s.x0)[:10] for s in time_chart.layout.shapes] == ["2025-07-01"]
    assert time_chart.layout.annotations[0].text == "Hợp nhất tháng 7/2025"
    # breakdown: one stacked bar series per language, summing to the total
    by_language = {t.name: ints(t.y) for t in breakdown.data}
    assert set(by_language) == {"tiếng Việt", "tiếng Khmer", "tiếng Anh"}
    assert [sum(v) for v in zip(*by_language.values(), strict=True)] == monthly["value"].tolist()
    assert breakdown.layout.barmode == "stack"
    # year over year: whole years of the range, one line each
    assert [t.name for t in yoy.data] == ["2024", "2025", "2026"]
    assert ints(yoy.data[2].x) == list(range(1, 11))


def test_quarters_and_years_sum_flows_and_take_stocks_at_the_end(demo_url, monkeypatch):
    chosen = (dt.date(2025, 1, 1), dt.date(2025, 12, 1))
    app = run_page(demo_url, monkeypatch, page=PAGE, range=chosen)
    app.multiselect(key="trends_metrics").set_value(["portal_posts", "sites_count"])
    app.segmented_control(key="trends_granularity").set_value("quarter").run()
    assert not app.exception
    engine = make_engine(demo_url)
    ids = chosen_ids(app, engine)
    chart = figures(app)[0]
    lines = {t.name: t for t in chart.data}
    posts, sites = lines["Tin, bài đăng trên Cổng thông tin điện tử"], lines["Số trang tin thành phần"]
    assert list(posts.x) == ["Quý I/2025", "Quý II/2025", "Quý III/2025", "Quý IV/2025"]
    for i, quarter in enumerate(range(1, 5)):
        expected = queries.period_values(
            engine, ids, ["portal_posts", "sites_count"], Period("quarter", 2025, quarter).months
        )
        assert int(posts.y[i]) == expected[("portal_posts", "")]
        assert int(sites.y[i]) == expected[("sites_count", "")]
    # The merger stands on Quý III/2025, placed by its position among the axis' categories.
    categories = list(chart.layout.xaxis.categoryarray)
    assert categories[chart.layout.shapes[0].x0] == "Quý III/2025"
    app.segmented_control(key="trends_granularity").set_value("year").run()
    year_chart = figures(app)[0]
    total = queries.period_values(engine, ids, ["portal_posts"], Period("year", 2025).months)
    posts_year = next(t for t in year_chart.data if t.name.startswith("Tin, bài"))
    assert list(posts_year.x) == ["2025"] and int(posts_year.y[0]) == total[("portal_posts", "")]
    assert list(year_chart.layout.xaxis.categoryarray) == ["2025"] and year_chart.layout.shapes[0].x0 == 0


def test_english_labels_and_hover(demo_url, monkeypatch):
    app = run_page(demo_url, monkeypatch, page=PAGE, lang="en")
    assert not app.exception
    assert [t.label for t in app.tabs] == ["Over time", "By breakdown", "Year over year"]
    chart = figures(app)[0]
    assert chart.data[0].name == "Posts on the web portal"
    assert chart.data[0].customdata[0][0] == "November 2024"
    assert chart.layout.separators == ".,"


def test_empty_database(empty_url, monkeypatch):
    app = run_page(empty_url, monkeypatch, page=PAGE)
    assert not app.exception
    assert figures(app) == []
    assert [s.value for s in app.subheader] == ["Chưa có số liệu"]
