"""Data-quality rules: months not reported, and the robust outlier rule (median ± k × scaled MAD)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from commstats import quality, queries
from commstats.periods import add_months
from commstats.units import reporting_ends

START = dt.date(2025, 1, 1)


def _series(values: list[int], unit: str = "u", metric: str = "m", start: dt.date = START) -> pd.DataFrame:
    return pd.DataFrame(
        [(unit, add_months(start, i), metric, v) for i, v in enumerate(values)],
        columns=["unit", "period", "metric", "value"],
    )


def test_robust_band_uses_median_and_scaled_mad_with_a_floor_of_one():
    median, scale, low, high = quality.robust_band([10, 12, 11, 13, 9, 100], k=3.5)
    assert median == 11.5
    assert scale == pytest.approx(1.4826 * 1.5)  # MAD of the history is 1.5: the 100 does not pull it
    assert (low, high) == pytest.approx((11.5 - 3.5 * scale, 11.5 + 3.5 * scale))
    assert quality.robust_band([43] * 12)[1] == 1.0


def test_a_value_ten_times_its_history_is_flagged_with_its_band():
    frame = _series([10, 11, 9, 10, 12, 10, 11, 10, 9, 11, 10, 10, 100, 11])
    month = add_months(START, 12)
    found = quality.outliers(frame, month, add_months(START, 13))
    assert found[["period", "value"]].values.tolist() == [[month, 100]]
    row = found.iloc[0]
    assert row["median"] == 10
    assert row["low"] < 10 < row["high"] < 100
    assert row["scale"] == 1.0  # MAD 0.5 × 1.4826 is below the floor of one count
    assert row["score"] == pytest.approx(90.0)


def test_k_controls_the_threshold_and_short_histories_are_not_judged():
    frame = _series([8, 12, 9, 11, 10, 13, 18])  # median 10.5, MAD 1.5: (18 - 10.5) / (1.4826 × 1.5) = 3.37
    assert len(quality.outliers(frame, START, add_months(START, 6), k=3.5)) == 0
    assert len(quality.outliers(frame, START, add_months(START, 6), k=3.0)) == 1
    assert len(quality.outliers(frame, START, add_months(START, 6), k=3.0, min_history=7)) == 0


def test_a_constant_stock_moving_by_one_is_not_an_outlier():
    frame = _series([43] * 12 + [44, 48])
    found = quality.outliers(frame, add_months(START, 12), add_months(START, 13))
    assert found["value"].tolist() == [48]


def test_outliers_are_judged_per_unit():
    big, small = _series([990, 1010] * 6 + [1010], unit="big"), _series([10] * 12 + [1010], unit="small")
    found = quality.outliers(pd.concat([big, small]), add_months(START, 12), add_months(START, 12))
    assert found["unit"].tolist() == ["small"]


def test_missing_months_from_each_units_first_report_on():
    observed = pd.concat(
        [_series([1, 1, 1, 1]), _series([1, 1], unit="late", start=add_months(START, 2))], ignore_index=True
    )
    observed = observed.drop(
        index=observed.index[(observed["unit"] == "u") & (observed["period"] == add_months(START, 1))]
    )
    first = {("u", "m"): START, ("late", "m"): add_months(START, 2), ("u", "never_in_range"): dt.date(2020, 1, 1)}
    missing = quality.missing_months(observed, first, START, add_months(START, 3))
    rows = {(r.unit, r.metric): (r.expected, r.reported, r.missing, r.missing_months) for r in missing.itertuples()}
    assert rows[("u", "m")] == (4, 3, 1, [add_months(START, 1)])
    assert rows[("late", "m")] == (2, 2, 0, [])
    assert rows[("u", "never_in_range")][2] == 4
    assert missing.iloc[0]["missing"] == 4  # most missing first


def test_compress_months_joins_runs():
    months = [dt.date(2020, 1, 1), dt.date(2020, 2, 1), dt.date(2020, 3, 1), dt.date(2020, 5, 1)]
    assert quality.compress_months(months) == "01/2020–03/2020, 05/2020"
    assert quality.compress_months([]) == ""


def test_demo_outlier_and_gap_are_found(demo_engine):
    ids = queries.unit_ids_with_predecessors(demo_engine, ["vinhlong-demo"])
    codes = [m.code for m in queries.metrics(demo_engine)]
    start, end = dt.date(2024, 11, 1), dt.date(2026, 10, 1)
    history = queries.unit_monthly_totals(demo_engine, ids, codes, add_months(start, -12), end)
    found = quality.outliers(history, start, end)
    top = found.iloc[0]
    assert (top["unit"], top["metric"], top["period"], top["value"]) == (
        "vinhlong-demo", "portal_audio", dt.date(2026, 3, 1), 230)  # fmt: skip
    ends = {code: on for code, (on, _) in reporting_ends(queries.units(demo_engine)).items()}
    missing = quality.missing_months(history[history["period"] >= start], queries.first_months(demo_engine, ids),
                                     start, end, ends)  # fmt: skip
    gaps = missing[missing["missing"] > 0]
    assert gaps[["unit", "metric", "missing"]].values.tolist() == [["vinhlong-demo", "propaganda_directives", 2]]
