"""Period roll-ups: flows summed, stocks at the period's end, partial periods marked; year over year."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from commstats import periods, queries, series
from commstats.periods import Period


def _frame(rows: list[tuple[str, dt.date, int]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["metric", "period", "value"])


def test_quarters_sum_flows_and_take_stocks_at_the_last_month():
    d = dt.date
    frame = _frame(
        [
            ("posts", d(2019, 7, 1), 70),
            ("posts", d(2019, 8, 1), 80),
            ("posts", d(2019, 9, 1), 90),
            ("sites", d(2019, 7, 1), 41),
            ("sites", d(2019, 8, 1), 43),
            ("sites", d(2019, 9, 1), 42),
            ("posts", d(2019, 10, 1), 5),
            ("sites", d(2019, 10, 1), 44),
        ]
    )
    rolled = series.aggregate(frame, {"posts": "flow", "sites": "stock"}, "quarter")
    values = {(r.metric, r.period_key): r.value for r in rolled.itertuples()}
    assert values == {
        ("posts", "2019-Q3"): 240,
        ("sites", "2019-Q3"): 42,
        ("posts", "2019-Q4"): 5,
        ("sites", "2019-Q4"): 44,
    }
    q3 = rolled[(rolled["metric"] == "posts") & (rolled["period_key"] == "2019-Q3")].iloc[0]
    assert (q3["start"], q3["end"], q3["months"], bool(q3["complete"])) == (d(2019, 7, 1), d(2019, 9, 1), 3, True)
    q4 = rolled[(rolled["metric"] == "posts") & (rolled["period_key"] == "2019-Q4")].iloc[0]
    assert (q4["months"], bool(q4["complete"]), q4["first"], q4["last"]) == (1, False, d(2019, 10, 1), d(2019, 10, 1))


def test_stock_takes_the_last_month_with_data_not_the_calendar_end():
    frame = _frame([("sites", dt.date(2020, 1, 1), 40), ("sites", dt.date(2020, 5, 1), 43)])
    rolled = series.aggregate(frame, {"sites": "stock"}, "year")
    assert rolled["value"].tolist() == [43]
    assert rolled["period_key"].tolist() == ["2020"]


def test_month_granularity_keeps_every_month_and_member_keys():
    frame = pd.DataFrame(
        [("posts", dt.date(2019, 7, 1), "vi", 33), ("posts", dt.date(2019, 7, 1), "km", 23)],
        columns=["metric", "period", "member", "value"],
    )
    rolled = series.aggregate(frame, {"posts": "flow"}, "month", keys=("metric", "member"))
    assert sorted(zip(rolled["member"], rolled["value"], strict=True)) == [("km", 23), ("vi", 33)]
    assert set(rolled["period_key"]) == {"2019-07"}


def test_empty_frame_gives_empty_result_with_columns():
    rolled = series.aggregate(_frame([]), {}, "quarter")
    assert rolled.empty
    assert "period_key" in rolled.columns


def test_aggregate_matches_period_values_on_the_demo(demo_engine):
    """The chart's quarterly and yearly figures equal the core's period values (what reports use)."""
    ids = queries.unit_ids_with_predecessors(demo_engine, ["vinhlong-demo"])
    kinds = {m.code: m.kind for m in queries.metrics(demo_engine)}
    codes = ["portal_posts", "sites_count", "publishing_licences"]
    monthly = queries.monthly_totals(demo_engine, ids, codes, dt.date(2025, 1, 1), dt.date(2025, 12, 1))
    for granularity, period in (("quarter", Period("quarter", 2025, 3)), ("year", Period("year", 2025))):
        rolled = series.aggregate(monthly, kinds, granularity)
        expected = queries.period_values(demo_engine, ids, codes, period.months)
        got = {r.metric: r.value for r in rolled.itertuples() if r.period_key == period.key}
        assert got == {metric: value for (metric, _), value in expected.items()}


def test_year_over_year_lays_months_out_by_year():
    frame = pd.DataFrame(
        {"period": [dt.date(2024, 12, 1), dt.date(2025, 1, 1), dt.date(2025, 1, 1)], "value": [5, 7, 3]}
    )
    yoy = series.year_over_year(frame)
    assert list(zip(yoy["year"], yoy["month"], yoy["value"], strict=True)) == [(2024, 12, 5), (2025, 1, 10)]
    assert yoy["period_key"].tolist() == ["2024-12", "2025-01"]


def test_months_between_and_month_end():
    assert periods.months_between(dt.date(2019, 11, 1), dt.date(2020, 2, 1)) == [
        dt.date(2019, 11, 1),
        dt.date(2019, 12, 1),
        dt.date(2020, 1, 1),
        dt.date(2020, 2, 1),
    ]
    assert series.month_end(dt.date(2020, 2, 1)) == dt.date(2020, 2, 29)


def test_a_share_never_mixes_months():
    """A quarter whose numerator has three months but whose other parts have one is the share of that one month,
    marked partial, not three months of on-time dossiers over one month of late ones."""
    d = dt.date
    frame = _frame(
        [
            ("igate_on_time", d(2019, 7, 1), 45),
            ("igate_on_time", d(2019, 8, 1), 50),
            ("igate_on_time", d(2019, 9, 1), 55),
            ("igate_late", d(2019, 7, 1), 5),
        ]
    )
    wanted = {"igate_on_time_rate": ("igate_on_time", ("igate_on_time", "igate_late"))}
    kinds = {"igate_on_time": "flow", "igate_late": "flow"}
    rolled = series.aggregate(frame, kinds, "quarter", ratios=wanted)
    rate = rolled[rolled["metric"] == "igate_on_time_rate"].iloc[0]
    assert rate["value"] == 90.0  # July alone: 45 of 50; mixing months gave 150 of 155
    assert (rate["months"], bool(rate["complete"]), rate["first"], rate["last"]) == (
        1,
        False,
        d(2019, 7, 1),
        d(2019, 7, 1),
    )
    # The numerator alone (no other part reported) is still its own share, as before.
    alone = series.aggregate(frame[frame["metric"] == "igate_on_time"], kinds, "quarter", ratios=wanted)
    assert alone[alone["metric"] == "igate_on_time_rate"]["value"].tolist() == [100.0]
