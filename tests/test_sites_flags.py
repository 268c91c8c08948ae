"""Component-site rules: quiet for two months or more (ongoing or past), sharp drops, ranking, heatmap."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from commstats import queries, sites
from commstats.periods import add_months

START = dt.date(2026, 1, 1)


def _posts(series_by_site: dict[str, list[int | None]], start: dt.date = START) -> pd.DataFrame:
    """A monthly_totals(by_member=True)-like frame; None = no row for that month."""
    rows = []
    for site, values in series_by_site.items():
        for i, value in enumerate(values):
            if value is not None:
                rows.append((add_months(start, i), "sites_posts", site, f"Trang {site}", f"Site {site}", value))
    return pd.DataFrame(rows, columns=["period", "metric", "member", "member_vi", "member_en", "value"])


def _end(n: int) -> dt.date:
    return add_months(START, n - 1)


def test_two_months_without_posts_at_the_end_is_flagged_silent():
    frame = _posts({"a": [10, 12, 9, 0, 0], "b": [10, 12, 9, 11, 0]})
    flags = sites.flag_sites(frame, START, _end(5))
    silent = [f for f in flags if f.kind == "silent"]
    assert [(f.site, f.months, f.since) for f in silent] == [("a", 2, dt.date(2026, 4, 1))]
    assert silent[0].describe("vi") == "Không đăng tin 2 tháng liền, từ tháng 4/2026 đến nay"
    assert silent[0].describe("en") == "No posts for 2 months in a row, since April 2026"


def test_one_empty_month_is_not_silence_and_missing_rows_count_as_no_posts():
    frame = _posts({"a": [10, 12, 9, 11, 0], "b": [10, 12, None, None, None]})
    flags = sites.flag_sites(frame, START, _end(5))
    assert [(f.site, f.kind, f.months) for f in flags if f.kind == "silent"] == [("b", "silent", 3)]


def test_months_before_a_site_first_reports_are_not_silence():
    frame = _posts({"new": [None, None, None, 8, 9]})
    assert sites.flag_sites(frame, START, _end(5)) == []


def test_a_past_gap_is_reported_as_gap_not_silent():
    frame = _posts({"a": [10, 0, 0, 0, 11, 12]})
    flags = sites.flag_sites(frame, START, _end(6))
    assert [(f.kind, f.months, f.since, f.until) for f in flags] == [
        ("gap", 3, dt.date(2026, 2, 1), dt.date(2026, 4, 1))]  # fmt: skip
    assert "tháng 2/2026 – tháng 4/2026" in flags[0].describe("vi")


def test_sharp_drop_below_half_of_the_six_month_median():
    frame = _posts({"drop": [20, 22, 18, 21, 19, 20, 9], "steady": [20, 22, 18, 21, 19, 20, 11]})
    flags = sites.flag_sites(frame, START, _end(7))
    assert [(f.site, f.kind, f.last, f.baseline) for f in flags] == [("drop", "drop", 9, 20.0)]
    assert flags[0].describe("vi") == "Tháng 7/2026 chỉ đăng 9 tin, giảm 55% so với trung vị 20 tin của 6 tháng trước"


def test_small_sites_and_short_histories_are_not_called_drops():
    small = _posts({"small": [4, 4, 4, 4, 4, 4, 1], "short": [None, None, None, 30, 30, 30, 2]})
    assert sites.flag_sites(small, START, _end(7)) == []


def test_ranking_orders_by_posts_with_shares_and_months_without():
    frame = _posts({"a": [5, 0, 5], "b": [20, 20, 20], "c": [10, 10, 0]})
    ranked = sites.ranking(frame, "vi")
    assert ranked["member"].tolist() == ["b", "c", "a"]
    assert ranked["rank"].tolist() == [1, 2, 3]
    assert ranked["posts"].tolist() == [60, 20, 10]
    assert round(ranked["share"].sum(), 6) == 100
    assert ranked["months_without"].tolist() == [0, 1, 1]
    assert ranked["name"].tolist() == ["Trang b", "Trang c", "Trang a"]


def test_heatmap_rows_follow_the_ranking_and_keep_missing_months_empty():
    frame = _posts({"a": [5, None, 5], "b": [20, 20, 20]})
    matrix = sites.heatmap_matrix(frame, ["b", "a"], "en")
    assert matrix.index.tolist() == ["Site b", "Site a"]
    assert matrix.columns.tolist() == ["2026-01", "2026-02", "2026-03"]
    assert pd.isna(matrix.loc["Site a", "2026-02"])
    assert matrix.loc["Site b"].sum() == 60


def test_demo_flags_the_two_sites_that_went_quiet(demo_engine):
    ids = queries.unit_ids_with_predecessors(demo_engine, ["vinhlong-demo"])  # the sites report there since 07/2025
    start, end = dt.date(2025, 11, 1), dt.date(2026, 10, 1)
    frame = queries.monthly_totals(demo_engine, ids, ["sites_posts"], start, end, by_member=True)
    silent = {f.site: f for f in sites.flag_sites(frame, start, end) if f.kind == "silent"}
    assert set(silent) == {"ngoai-vu", "quy-dau-tu"}
    assert (silent["quy-dau-tu"].since, silent["quy-dau-tu"].months) == (dt.date(2026, 7, 1), 4)
    assert (silent["ngoai-vu"].since, silent["ngoai-vu"].months) == (dt.date(2026, 8, 1), 3)
