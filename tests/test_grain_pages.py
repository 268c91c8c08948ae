"""The overview cards, the trends breakdown and year-over-year tabs and the licences chart on a unit whose history
came only as quarterly, half-year and yearly reports: each period is read by the rule of commstats.grains (complete
months where they exist, the coarser figure otherwise), the card says which, and a month is never cut out of a
quarter: a chart by month names the figures it cannot show instead."""

from __future__ import annotations

import datetime as dt

import pytest

from commstats import overview, queries, series
from commstats.periods import Period
from etl.pipeline import import_content
from tests.apptest import run_page
from tests.importfiles import csv_text
from tests.pagecheck import figures, ints

D = dt.date
LONG = ("period", "metric", "member", "value", "grain", "estimated")
POSTS = "Tin, bài đăng trên Cổng thông tin điện tử"
RANGE = (D(2019, 1, 1), D(2020, 6, 1))
QUARTERS = ["2019-Q1", "2019-Q2", "2019-Q3", "2019-Q4", "2020-Q1", "2020-Q2"]
ROWS = [
    # Portal posts by language, per quarter only; Q2/2020 came in a report written before the quarter ended.
    *[
        (q, "portal_posts", "vi", v, "", "ước" if q == "2020-Q2" else "")
        for q, v in zip(QUARTERS, (300, 310, 320, 330, 350, 360), strict=True)
    ],
    *[(q, "portal_posts", "km", 30, "", "") for q in QUARTERS],
    # The number of component sites: a level at each quarter's end.
    ("2019-Q2", "sites_count", "", 40, "", ""),
    ("2020-Q1", "sites_count", "", 44, "", ""),
    ("2020-Q2", "sites_count", "", 45, "", ""),
    # Publishing licences: a yearly report for 2019, a half-year one for 2020.
    ("2019", "publishing_licences", "", 120, "", ""),
    ("2020-H1", "publishing_licences", "", 70, "", ""),
]


@pytest.fixture
def quarterly_url(empty_engine, empty_url):  # type: ignore[no-untyped-def]
    header_rows = csv_text(ROWS, LONG).encode()
    assert import_content(empty_engine, header_rows, "bao-cao-quy.csv").ok
    return empty_url


def test_a_quarter_only_unit_shows_its_quarter_on_the_overview_and_says_so(quarterly_url, monkeypatch, empty_engine):
    ids = [u.id for u in queries.units(empty_engine)]
    cards = {
        c.metric: c for cs in overview.overview_cards(empty_engine, ids, Period("month", 2020, 6)).values() for c in cs
    }
    posts = cards["portal_posts"]
    assert (posts.value, posts.previous, posts.last_year) == (390, 380, 340)  # Q2/2020, Q1/2020, Q2/2019
    assert posts.note == "Số liệu quý II/2020 (không có số liệu tháng) · ước thực hiện"
    assert posts.delta_text == "+10" and posts.delta_description == "so với quý I/2020"
    assert posts.footnote.startswith("Cùng kỳ năm trước (quý II/2019): 340 (+14,7%)")
    # The year to date is the two quarters, and says so.
    assert posts.ytd_text == "Lũy kế từ đầu năm: 770 (gồm số liệu quý I/2020, quý II/2020; ước thực hiện)"
    sites = cards["sites_count"]  # the level at the end of June is Q2's figure, compared with the end of March
    assert (sites.value, sites.previous, sites.last_year, sites.estimated) == (45, 44, 40, False)
    assert sites.note == "Số liệu quý II/2020 (không có số liệu tháng)"
    licences = cards["publishing_licences"]  # only the half-year figure ends with June
    assert (licences.value, licences.previous, licences.last_year) == (70, None, None)
    assert licences.note == "Số liệu 6 tháng đầu năm 2020 (không có số liệu tháng)"
    assert licences.delta_description == ""  # nothing for the second half of 2019 to compare with
    assert licences.footnote.startswith("Chưa có số liệu 6 tháng đầu năm 2019")

    app = run_page(quarterly_url, monkeypatch, "pages/overview.py", range=RANGE)
    assert not app.exception
    assert app.selectbox(key="overview_month").value == D(2020, 6, 1)
    metrics = {m.label: m for m in app.metric}
    assert metrics[POSTS + " (tin, bài)"].value == "390"
    captions = [c.value for c in app.caption]
    assert "Số liệu quý II/2020 (không có số liệu tháng) · ước thực hiện" in captions
    assert "Số liệu 6 tháng đầu năm 2020 (không có số liệu tháng)" in captions
    # May is inside the quarter: not read from it, and the card says what there is.
    app.selectbox(key="overview_month").set_value(D(2020, 5, 1)).run()
    assert not app.exception
    metrics = {m.label: m for m in app.metric}
    assert metrics[POSTS + " (tin, bài)"].value == "chưa báo cáo"
    assert "Không có số liệu riêng của tháng; có số liệu quý II/2020" in [c.value for c in app.caption]

    english = run_page(quarterly_url, monkeypatch, "pages/overview.py", lang="en", range=RANGE)
    assert "Figure for Q2 2020 (no monthly figures) · estimate" in [c.value for c in english.caption]


def test_breakdown_and_year_tabs_by_quarter_show_the_quarters_and_by_month_name_them(quarterly_url, monkeypatch):
    app = run_page(quarterly_url, monkeypatch, "pages/trends.py", range=RANGE)
    assert not app.exception
    _time, breakdown, yoy = figures(app)
    assert not any(len(trace.y or ()) for trace in breakdown.data)  # by month: no month is cut out of a quarter
    named = (
        "Có số liệu quý I/2019, quý II/2019, quý III/2019, quý IV/2019, …, không chia ra tháng: xem theo quý hoặc năm."
    )
    assert [c.value for c in app.caption].count(named) == 3  # under each of the three charts
    app.segmented_control(key="trends_granularity").set_value("quarter").run()
    assert not app.exception
    _time, breakdown, yoy = figures(app)
    by_language = {t.name: (list(t.x), ints(t.y)) for t in breakdown.data}
    assert by_language["tiếng Việt"] == (
        ["Quý I/2019", "Quý II/2019", "Quý III/2019", "Quý IV/2019", "Quý I/2020", "Quý II/2020"],
        [300, 310, 320, 330, 350, 360],
    )
    assert by_language["tiếng Khmer"][1] == [30] * 6
    hover = dict(zip(breakdown.data[0].x, breakdown.data[0].customdata, strict=True))
    assert hover["Quý II/2020"][0] == "Quý II/2020 (ước thực hiện) (số liệu quý, không có số liệu tháng)"
    years = {t.name: (ints(t.x), ints(t.y)) for t in yoy.data if t.name in ("2019", "2020")}
    assert years == {"2019": ([1, 2, 3, 4], [330, 340, 350, 360]), "2020": ([1, 2], [380, 390])}
    assert list(yoy.layout.xaxis.ticktext) == ["Quý I", "Quý II", "Quý III", "Quý IV"]
    assert not any("không chia ra" in c.value for c in app.caption)
    app.segmented_control(key="trends_granularity").set_value("year").run()
    yoy = figures(app)[2]
    assert list(yoy.data[0].x) == ["2019", "2020"] and ints(yoy.data[0].y) == [1380, 770]


def test_licences_by_year_show_the_yearly_and_half_year_figures(quarterly_url, monkeypatch):
    app = run_page(quarterly_url, monkeypatch, "pages/licences.py", range=RANGE)
    assert not app.exception
    assert not figures(app)  # by month: nothing to draw, and no month cut out of the year or the half-year
    named = "Có số liệu năm 2019, 6 tháng đầu năm 2020, không chia ra tháng: xem theo quý hoặc năm."
    assert [i.value for i in app.info] == [named]
    app.segmented_control(key="licences_granularity").set_value("year").run()
    assert not app.exception
    chart = figures(app)[0]
    licences = next(t for t in chart.data if t.name == "Giấy phép xuất bản tài liệu không kinh doanh")
    assert list(licences.x) == ["2019", "2020"] and ints(licences.y) == [120, 70]
    assert list(licences.marker.pattern.shape) == ["", "/"]  # 2020: six months of twelve
    assert licences.customdata[1][0] == "năm 2020 (chưa đủ 6/12 tháng) (số liệu 6 tháng, không có số liệu tháng)"
    table = app.dataframe[0].value
    assert table["Giấy phép xuất bản tài liệu không kinh doanh"].tolist() == ["120", "70"]


def test_a_breakdown_reads_its_members_from_the_same_stored_periods_as_the_total(empty_engine):
    """Q3/2019: Vietnamese posts by month and by quarter, Khmer posts by quarter only. The metric's total is read
    from the complete months (commstats.grains prefers them); each language is read from the same stored figures,
    so the stacked parts add up to the total on the time chart (Khmer's quarter is not added to months)."""
    rows = [(f"2019-{m:02d}", "portal_posts", "vi", 100, "", "") for m in (7, 8, 9)]
    rows += [("2019-Q3", "portal_posts", "vi", 290, "", ""), ("2019-Q3", "portal_posts", "km", 40, "", "")]
    assert import_content(empty_engine, csv_text(rows, LONG).encode(), "q3.csv").ok
    ids = [u.id for u in queries.units(empty_engine)]
    kinds = {"portal_posts": "flow"}
    args = (empty_engine, ids, ["portal_posts"], D(2019, 7, 1), D(2019, 9, 1))
    total = series.aggregate(queries.figure_totals(*args), kinds, "quarter")
    parts = series.aggregate(queries.figure_totals(*args, by_member=True), kinds, "quarter", keys=("metric", "member"))
    assert total["value"].tolist() == [300] and total["grain"].tolist() == ["month"]
    assert dict(zip(parts["member"], parts["value"], strict=True)) == {"vi": 300}


def test_a_quarter_worked_out_by_subtraction_is_said_on_its_card(empty_engine):
    """Licences: 6 months 70, 9 months 100, nothing else for 2020. September's card shows Q3 = 100 − 70 and says
    how it was worked out (commstats.grains)."""
    rows = [("2020-H1", "publishing_licences", "", 70, "", ""), ("2020-9M", "publishing_licences", "", 100, "", "")]
    assert import_content(empty_engine, csv_text(rows, LONG).encode(), "bao-cao-9-thang.csv").ok
    ids = [u.id for u in queries.units(empty_engine)]
    cards = overview.overview_cards(empty_engine, ids, Period("month", 2020, 9))
    (card,) = [c for section in cards.values() for c in section if c.metric == "publishing_licences"]
    assert card.value == 30 and card.period == Period("quarter", 2020, 3)
    assert card.note == "Số liệu quý III/2020 (tính từ số 9 tháng trừ số 6 tháng)"
    assert card.ytd == 100  # the nine months' own figure
