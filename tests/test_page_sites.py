"""Trang tin thành phần in AppTest: totals, flags, ranking, heatmap and one site's history, against the DB."""

from __future__ import annotations

import datetime as dt

from commstats import queries
from commstats.db import make_engine
from commstats.numbers import format_count
from tests.apptest import run_page
from tests.pagecheck import chosen_ids, chosen_range, figures, ints

PAGE = "pages/sites.py"


def _posts(app, url):  # type: ignore[no-untyped-def]
    engine = make_engine(url)
    start, end = chosen_range(app)
    return queries.monthly_totals(engine, chosen_ids(app, engine), ["sites_posts"], start, end, by_member=True)


def test_totals_flags_ranking_and_heatmap_match_the_database(demo_url, monkeypatch):
    app = run_page(demo_url, monkeypatch, page=PAGE)
    assert not app.exception
    posts = _posts(app, demo_url)
    cards = {m.label: m.value for m in app.metric}
    assert cards["Tổng số tin đã đăng"] == format_count(int(posts["value"].sum()))
    last = posts[posts["period"] == dt.date(2026, 10, 1)]
    assert cards["Trang có tin trong tháng tháng 10/2026"] == f"{(last['value'] > 0).sum()} / 43"
    assert cards["Trang cần chú ý"] == "2"
    flags = app.dataframe[0].value
    assert flags["Trang tin"].tolist() == ["Quỹ Đầu tư phát triển", "Sở Ngoại vụ"]
    assert flags["Chi tiết"].tolist() == [
        "Không đăng tin 4 tháng liền, từ tháng 7/2026 đến nay",
        "Không đăng tin 3 tháng liền, từ tháng 8/2026 đến nay",
    ]
    ranking, heatmap, history = figures(app)
    totals = posts.groupby("member_vi")["value"].sum().sort_values(ascending=False)
    assert list(ranking.data[0].y)[::-1][:3] == totals.index.tolist()[:3]
    assert ints(ranking.data[0].x)[::-1] == totals.tolist()
    assert len(heatmap.data[0].y) == 43 and len(heatmap.data[0].x) == 24
    assert int(sum(v for row in heatmap.data[0].z for v in row)) == int(posts["value"].sum())
    # the first flagged site is chosen and its history drawn, quiet months marked
    assert app.selectbox(key="sites_site").value == "quy-dau-tu"
    site = posts[posts["member"] == "quy-dau-tu"].sort_values("period")
    assert ints(history.data[0].y) == site["value"].tolist()
    assert [str(x)[:7] for x in history.data[1].x] == ["2026-07", "2026-08", "2026-09", "2026-10"]


def test_choosing_a_site_shows_its_own_history(demo_url, monkeypatch):
    app = run_page(demo_url, monkeypatch, page=PAGE)
    app.selectbox(key="sites_site").set_value("cau-ke").run()
    assert not app.exception
    site = _posts(app, demo_url)
    site = site[site["member"] == "cau-ke"].sort_values("period")
    history = figures(app)[2]
    assert ints(history.data[0].y) == site["value"].tolist()
    assert any(
        c.value.startswith(f"UBND huyện Cầu Kè: {format_count(int(site['value'].sum()))} tin trong kỳ")
        for c in app.caption
    )


def test_english(demo_url, monkeypatch):
    app = run_page(demo_url, monkeypatch, page=PAGE, lang="en")
    assert not app.exception
    flags = app.dataframe[0].value
    assert flags["Flag"].tolist() == ["Gone quiet", "Gone quiet"]
    assert flags["Details"].iloc[0] == "No posts for 4 months in a row, since July 2026"


def test_empty_database(empty_url, monkeypatch):
    app = run_page(empty_url, monkeypatch, page=PAGE)
    assert not app.exception
    assert figures(app) == [] and len(app.metric) == 0
    assert [s.value for s in app.subheader] == ["Chưa có số liệu"]
